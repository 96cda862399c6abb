"""The front of the pack: the cover, page one (exceptions and decisions) and the summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scorecard.reports import exceptions
from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.pages_kpi import (
    definition_anchor,
    kpi_anchor,
    latest_words,
    lead_codes,
    row_icons,
    short_assurance,
    short_variation,
    target_text,
    value_text,
)
from scorecard.reports.pack.theme import month_words, period_label
from scorecard.statistics.disclosure import SUPPRESSION_NOTE
from scorecard.thread.domain import Provenance, Tier


def cover(d: PackData) -> dict[str, object]:
    """The cover: month, area, date of the data, synthetic or not, sign-off; no hashes."""
    if d.signoff is not None:
        state = (
            f"Signed off by {d.signoff.author} on "
            f"{d.signoff.written_at[:16].replace('T', ' ')} UTC."
        )
        if d.signoff.note:
            state += f" Note: {d.signoff.note.rstrip('.')}."
        state += (
            f" {len(d.signoff_changes)} figure(s) have changed since sign-off: see the summary."
            if d.signoff_changes
            else " Nothing has changed since sign-off."
        )
    else:
        state = "Not signed off: a draft for the Executive Board."
    return {
        "title": f"iCAN Executive Board pack: {month_words(d.month)}, {d.area.name}",
        "facts": [
            ("Month", month_words(d.month)),
            ("Area", f"{d.area.name} ({d.area.code})"),
            ("Date of the data", f"{d.data_as_of} (latest load)"),
            (
                "Data",
                "Synthetic demo data: not real figures" if d.synthetic else "Real data",
            ),
            ("Sign-off", state),
            ("Prepared", d.prepared_at),
        ],
        "synthetic": d.synthetic,
    }


@dataclass(frozen=True)
class GridCell:
    """One cell of the Making Data Count summary grid as shown: its count and KPIs."""

    anchor: str
    count: int
    codes: list[str]
    label: str


def grid_view(grid: exceptions.SummaryGrid) -> dict[str, object]:
    """A tier's summary grid (``reports.exceptions``) with a link from each cell to its KPIs."""
    rows = []
    for v in grid.used_variations():
        line = []
        for a in exceptions.ASSURANCE_CLASSES:
            cell = grid.cell(v, a)
            line.append(
                GridCell(
                    anchor=f"grid-{grid.tier}-{v}-{a}".replace("_", "-"),
                    count=cell.count,
                    codes=[code for code, _ in cell.kpis],
                    label=(
                        f"{exceptions.VARIATION_CLASS_LABELS[v]}, "
                        f"{exceptions.ASSURANCE_CLASS_LABELS[a].lower()}"
                    ),
                )
            )
        rows.append((exceptions.VARIATION_CLASS_LABELS[v], line, grid.variation_total(v)))
    return {
        "tier": grid.tier,
        "caption": f"{grid.tier.capitalize()} KPIs ({grid.total})",
        "rows": rows,
        "columns": [short_assurance(a) for a in exceptions.ASSURANCE_CLASSES],
        "column_totals": [grid.assurance_total(a) for a in exceptions.ASSURANCE_CLASSES],
        "total": grid.total,
    }


GROUP_HEADINGS: Mapping[str, str] = {
    exceptions.DECISION: "Decisions for the Board",
    exceptions.NEW: "New this month",
    exceptions.CONTINUING: "Continuing",
}


def exception_items(d: PackData) -> list[exceptions.ExceptionItem]:
    """The month's exceptions and decisions for the pack's area (scorecard.reports.exceptions)."""
    lags = {
        (s.kpi_code, s.area_code): (s.lag_months, s.allowed_lag)
        for item in d.quality
        for s in item.series
        if s.area_code == d.area.code
    }
    return exceptions.exceptions(
        list(d.rows),
        d.month,
        previous_rows=list(d.previous_rows),
        commentary=[
            c for c in (latest_words(d, k) for k in {*d.latest_commentary, *d.commentary}) if c
        ],
        lags=lags,
        owners={k.code: k.owner_role for k in d.fw.kpis},
    )


PAGE_ONE_LINE = 110  # characters of the latest commentary on page 1


def _reasons_text(item: exceptions.ExceptionItem) -> str:
    """An item's reasons in one sentence, the long explanations of the frequent ones cut short."""
    short = ("failing", "lost", "slipping")
    text = "; ".join(r.text.split(": ")[0] if r.kind in short else r.text for r in item.reasons)
    return text[:1].upper() + text[1:]


def _needs_a_row(item: exceptions.ExceptionItem) -> bool:
    """Whether an item gets a full row: anything but a continuing, uncommented missed target."""
    return (
        item.group != exceptions.CONTINUING
        or bool(item.commentary or item.next_action)
        or item.reason_kinds != ("failing",)
    )


def _action_text(item: exceptions.ExceptionItem) -> str:
    """The next action; its owner is named only when not the KPI's owner (shown beside it)."""
    action = item.next_action
    if action is None:
        return ""
    if action.owner and action.owner != item.owner:
        return action.sentence
    return f"{action.text} (by {action.due})" if action.due else action.text


def page_one(d: PackData) -> dict[str, object]:
    """Page 1: every lead and activity KPI in exception, decisions first, each linked.

    Continuing items that only miss their target, with nothing written about them, are listed
    in one paragraph after the table so the page holds the whole list.
    """
    items = exception_items(d)
    lead = {c for o in d.fw.outcomes for c in lead_codes(d.fw, o.number)}

    def view(i: exceptions.ExceptionItem) -> dict[str, object]:
        anchor = kpi_anchor(i.kpi_code) if i.kpi_code in lead else definition_anchor(i.kpi_code)
        return {
            "priority": i.priority,
            "code": i.kpi_code,
            "name": i.kpi_name,
            "tier": i.tier,
            "href": "#" + anchor,
            "reasons": _reasons_text(i),
            "owner": i.owner,
            "decision": i.decision,
            "commentary": exceptions.one_line(i.commentary, PAGE_ONE_LINE),
            "action": _action_text(i),
        }

    groups: list[tuple[str, list[dict[str, object]]]] = []
    for group in exceptions.GROUPS:
        mine = [view(i) for i in items if i.group == group and _needs_a_row(i)]
        if mine:
            groups.append((GROUP_HEADINGS[group], mine))
    decisions = sum(1 for i in items if i.decision_required)
    new = sum(1 for i in items if i.group == exceptions.NEW)
    rest = sum(1 for i in items if i.group == exceptions.CONTINUING)
    return {
        "lede": (
            f"{len(items)} lead and activity KPIs for {d.area.name} need the Board's attention "
            f"in {month_words(d.month)}: {decisions} decision"
            f"{'' if decisions == 1 else 's'} requested, {new} new this month, {rest} continuing."
            " Each KPI links to its chart or definition in this pack."
        ),
        "groups": groups,
        "brief": [view(i) for i in items if not _needs_a_row(i)],
        "count": len(items),
    }


def lead_sentence(rows: Sequence[Mapping[str, object]]) -> str:
    """One line on the lead KPIs' variation and assurance icons (counts, never averages)."""
    lead = [r for r in rows if r.get("tier") == Tier.LEAD.value]
    variation = [str(r.get("variation", "none")) for r in lead]
    assurance = [str(r.get("assurance", "none")) for r in lead]

    def count(prefix: str) -> int:
        return sum(1 for v in variation if v.startswith(prefix))

    parts = [
        f"Of {len(lead)} lead KPIs, {count('improvement')} show special cause improvement",
        f"{count('concern')} show special cause concern",
        f"{count('common_cause')} show common cause variation only",
    ]
    if count("neither"):
        parts.append(f"{count('neither')} show special causes in measures with no better side")
    if count("none"):
        parts.append(f"{count('none')} have too few points or no data for SPC")
    parts.append(
        f"against their targets, {assurance.count('pass')} will consistently pass, "
        f"{assurance.count('fail')} will consistently fail and "
        f"{assurance.count('hit_or_miss')} will hit or miss"
    )
    return "; ".join(parts) + "."


VERSUS_ENGLAND_WORDS = {
    "better_998": "significantly better",
    "better_95": "better",
    "similar": "similar",
    "worse_95": "worse",
    "worse_998": "significantly worse",
}


def versus_england_words(row: Mapping[str, object] | None) -> str:
    """A lead KPI's benchmark against England in words ("not compared" without one)."""
    compared = row.get("benchmark") if row is not None else None
    band = compared.get("band") if isinstance(compared, Mapping) else None
    return VERSUS_ENGLAND_WORDS.get(str(band), "not compared")


def summary(d: PackData) -> dict[str, object]:
    """Page 2: the summary grids (lead, activity) and the lead KPI table (as signed off)."""
    shown = {str(r.get("kpi_code")): r for r in d.shown}
    changed = {c.kpi_code for c in d.signoff_changes}
    table: list[dict[str, object]] = []
    for outcome in d.fw.outcomes:
        codes = lead_codes(d.fw, outcome.number)
        if not codes:
            table.append({"outcome": f"{outcome.number}. {outcome.wording}", "kpi": None})
            continue
        for n, code in enumerate(codes):
            kpi = d.fw.kpi(code)
            row = shown.get(code)
            notes = []
            if kpi.provenance == Provenance.ILLUSTRATIVE:
                notes.append("illustrative")
            if row is not None and row.get("suppressed"):
                notes.append("* small number")
            if code in changed:
                notes.append("changed since sign-off")
            table.append(
                {
                    "outcome": f"{outcome.number}. {outcome.wording}" if n == 0 else "",
                    "kpi": kpi.name,
                    "code": code,
                    "anchor": kpi_anchor(code),
                    "period": period_label(str(row.get("period") or "")) if row else "–",
                    "value": value_text(kpi, row),
                    "target": target_text(kpi, row),
                    "icons": row_icons(row, 14),
                    "short_variation": short_variation(str(row.get("variation"))) if row else "–",
                    "short_assurance": short_assurance(str(row.get("assurance"))) if row else "–",
                    "versus_england": versus_england_words(row),
                    "notes": ", ".join(notes),
                }
            )
    activity = sum(1 for r in d.shown if r.get("tier") == Tier.ACTIVITY.value)
    return {
        "sentence": lead_sentence(d.shown),
        "activity_count": activity,
        "grids": [grid_view(g) for g in exceptions.summary_grids(list(d.rows))],
        "table": table,
        "signed_off": d.signoff is not None,
        "changes": [c.sentence for c in d.signoff_changes[:40]] if d.signoff is not None else [],
        "note": "(p) provisional value. " + SUPPRESSION_NOTE
        if any(
            r.get("suppressed") or r.get("provisional") for r in d.shown if r.get("tier") == "lead"
        )
        else "",
    }
