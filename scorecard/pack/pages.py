"""What each page of the Board pack shows, as plain values for its template (no layout here)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup

from scorecard import exceptions
from scorecard.charts import chart_alt_text
from scorecard.disclosure import SUPPRESSION_NOTE, published_result
from scorecard.domain import Framework, Kpi, LinkKind, Provenance, Tier
from scorecard.numbers import format_value
from scorecard.pack.drawings import (
    ChartInput,
    assurance_icon,
    assurance_words,
    direction_words,
    spc_svg,
    variation_icon,
    variation_words,
)
from scorecard.pack.inputs import PackData
from scorecard.pack.theme import GLOSSARY, as_float, month_words, period_label
from scorecard.reviews import Commentary, row_record
from scorecard.scoring import analyse_series, hidden_points
from scorecard.shifts import SPC_EVENTS_FILE, change_point_row


def kpi_anchor(code: str) -> str:
    """The in-pack link target of a KPI's chart or definition."""
    return "kpi-" + "".join(c if c.isalnum() else "-" for c in code)


def definition_anchor(code: str) -> str:
    """The in-pack link target of a KPI's definition."""
    return "def-" + "".join(c if c.isalnum() else "-" for c in code)


def lead_codes(fw: Framework, number: int) -> list[str]:
    """The lead KPI codes of an outcome, in the framework's order."""
    codes = [*fw.linked(LinkKind.OUTCOME_LEAD_KPI, f"O{number}")]
    codes += fw.linked(LinkKind.OUTCOME_LEAD_KPI, str(number))
    known = {k.code for k in fw.kpis}
    return [c for c in dict.fromkeys(codes) if c in known]


def value_text(kpi: Kpi, row: Mapping[str, object] | None) -> str:
    """A row's value in the KPI's unit ("*" when suppressed, "(p)" when provisional)."""
    if row is None:
        return "not reported"
    if row.get("period") is None:
        return "no data"
    text = format_value(as_float(row.get("value")), str(kpi.unit), bool(row.get("suppressed")))
    return text + (" (p)" if row.get("provisional") else "")


def target_text(kpi: Kpi, row: Mapping[str, object] | None) -> str:
    """A row's target in the KPI's unit ("none" without one)."""
    if row is None:
        return "–"
    target = as_float(row.get("target"))
    return format_value(target, str(kpi.unit)) if target is not None else "none"


def actions_text(words: Commentary) -> list[str]:
    """Each action as "text (owner, due date)"."""
    out = []
    for action in words.actions:
        who = [action.owner or "no owner"] + ([f"due {action.due}"] if action.due else [])
        out.append(f"{action.text} ({', '.join(who)})")
    return out


@dataclass(frozen=True)
class Icons:
    """A row's two Making Data Count icons with their words."""

    variation: Markup
    variation_words: str
    assurance: Markup
    assurance_words: str


def row_icons(row: Mapping[str, object] | None, size: float = 20) -> Icons:
    """The variation and assurance icons of a row (``none`` when not reported)."""
    variation = str(row.get("variation", "none")) if row else "none"
    assurance = str(row.get("assurance", "none")) if row else "none"
    return Icons(
        variation_icon(variation, size),
        variation_words(variation),
        assurance_icon(assurance, size),
        assurance_words(assurance),
    )


def short_variation(variation: str) -> str:
    """A variation code in two or three words (the icon's title carries the full label)."""
    if variation == "common_cause":
        return "Common cause"
    kind, _, side = variation.rpartition("_")
    words = {"improvement": "Improvement", "concern": "Concern", "neither": "Special cause"}
    return f"{words[kind]} ({side})" if kind in words else "No SPC reading"


def short_assurance(assurance: str) -> str:
    """An assurance code in two or three words (the icon's title carries the full label)."""
    return {"pass": "Passing", "fail": "Failing", "hit_or_miss": "Hit or miss"}.get(
        assurance, "No assurance"
    )


@dataclass(frozen=True)
class Words:
    """The latest commentary on a KPI as the pack shows it."""

    chart_says: str
    issues: str
    actions: list[str]
    mitigations: str
    by: str
    decision: str  # "The Board is asked to …" ("" when no decision is asked for)


def commentary_words(words: Commentary | None, month: str, signed_off: bool) -> Words | None:
    """A commentary's parts and who wrote it (None when none has been written).

    Commentary written for an earlier month says so; only the month's own asks for a decision.
    """
    if words is None:
        return None
    frozen = " (as signed off)" if signed_off and words.period == month else ""
    earlier = f", written for {month_words(words.period)}" if words.period != month else ""
    asked = words.decision_required and words.period == month
    return Words(
        chart_says=words.chart_says,
        issues=words.issues,
        actions=actions_text(words),
        mitigations=words.mitigations,
        by=(
            f"Commentary by {words.author}, {words.written_at[:16].replace('T', ' ')} UTC, "
            f"version {words.version}{earlier}{frozen}"
        ),
        decision=exceptions.decision_sentence(words.decision) if asked else "",
    )


def latest_words(d: PackData, kpi_code: str) -> Commentary | None:
    """A KPI's commentary as the pack shows it: the month's (as signed off), else the latest."""
    return d.commentary.get(kpi_code) or d.latest_commentary.get(kpi_code)


@dataclass(frozen=True)
class Chart:
    """One KPI's chart with the facts and commentary shown beside it."""

    anchor: str
    code: str
    name: str
    illustrative: bool
    figure: Markup | None  # None: not reported for the area
    caption: str
    facts: list[tuple[str, str]]
    icons: Icons
    words: Words | None
    notes: list[str] = field(default_factory=list)
    changed: str = ""


def kpi_chart(
    d: PackData, kpi: Kpi, row: Mapping[str, object] | None, signed: Mapping[str, object] | None
) -> Chart:
    """A KPI's chart (drawn as now) with its icons, facts and latest commentary."""
    series = d.series.get((kpi.code, d.area.code))
    icons = row_icons(row, 15)
    illustrative = kpi.provenance == Provenance.ILLUSTRATIVE
    words = commentary_words(latest_words(d, kpi.code), d.month, d.signoff is not None)
    if series is None or row is None:
        return Chart(
            anchor=kpi_anchor(kpi.code),
            code=kpi.code,
            name=kpi.name,
            illustrative=illustrative,
            figure=None,
            caption=f"{kpi.name} is not reported for {d.area.name}.",
            facts=[],
            icons=icons,
            words=words,
        )
    result = analyse_series(kpi, series)
    notes = [a for a in d.annotations.get(kpi.code, ()) if not a.change_point]
    index_of = {p: i for i, p in enumerate(series.periods)}
    markers = [
        (index_of[a.period], str(n)) for n, a in enumerate(notes, start=1) if a.period in index_of
    ]
    hidden = hidden_points(kpi, d.area, series) | np.array(
        [p in d.hidden_periods.get(kpi.code, frozenset()) for p in series.periods], dtype=bool
    )
    # a series with hidden points keeps its icons but not its mean and limits (disclosure.py)
    result = published_result(result, hidden)
    alt = chart_alt_text(
        series.periods,
        result,
        title=f"{kpi.name} for {d.area.name}",
        unit=str(kpi.unit),
        target_series=[float(t) for t in series.targets],
        synthetic=d.synthetic,
    )
    figure = spc_svg(
        ChartInput(
            periods=series.periods,
            result=result,
            unit=str(kpi.unit),
            direction=str(kpi.direction),
            alt=f"{alt} {direction_words(str(kpi.direction))}.",
            targets=series.targets,
            hidden=hidden,
            change_reasons=dict(zip(series.change_points, series.change_reasons, strict=False)),
            notes=markers,
            support_index=series.support_index,
        )
    )
    facts = [
        ("Latest", f"{value_text(kpi, row)} ({period_label(str(row.get('period') or ''))})"),
        ("Target", target_text(kpi, row)),
        ("Owner", kpi.owner_role),
    ]
    extra = [f"{n} {period_label(a.period)}: {a.label}" for n, a in enumerate(notes, start=1)]
    if int(hidden.sum()):
        extra.append(f"{int(hidden.sum())} point(s) not drawn: {SUPPRESSION_NOTE}")
    changed = ""
    if signed is not None and kpi.code in {c.kpi_code for c in d.signoff_changes}:
        changed = (
            f"Changed since sign-off. As signed off: {value_text(kpi, signed)}; "
            f"{variation_words(str(signed.get('variation')))}; "
            f"{assurance_words(str(signed.get('assurance')))}."
        )
    return Chart(
        anchor=kpi_anchor(kpi.code),
        code=kpi.code,
        name=kpi.name,
        illustrative=illustrative,
        figure=figure,
        caption=alt,
        facts=facts,
        icons=icons,
        words=words,
        notes=extra,
        changed=changed,
    )


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
    """A tier's summary grid (scorecard.exceptions) with a link from each cell to its KPIs."""
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
    """The month's exceptions and decisions for the pack's area (scorecard.exceptions)."""
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


def outcomes(d: PackData) -> list[dict[str, object]]:
    """The outcomes, each with its lead KPIs' charts and commentary (a shared KPI charted once)."""
    pillars = {p.code: p for p in d.fw.pillars}
    now = {r.kpi_code: row_record(r) for r in d.rows}
    shown = {str(r.get("kpi_code")): r for r in d.shown}
    first_outcome: dict[str, int] = {}
    out: list[dict[str, object]] = []
    for outcome in d.fw.outcomes:
        pillar = pillars.get(outcome.pillar_code)
        codes = lead_codes(d.fw, outcome.number)
        charts = []
        seen = []
        for code in codes:
            if code in first_outcome:
                seen.append(
                    {
                        "anchor": kpi_anchor(code),
                        "name": d.fw.kpi(code).name,
                        "code": code,
                        "outcome": first_outcome[code],
                    }
                )
                continue
            first_outcome[code] = outcome.number
            charts.append(kpi_chart(d, d.fw.kpi(code), now.get(code), shown.get(code)))
        out.append(
            {
                "heading": f"Outcome {outcome.number}: {outcome.wording}",
                "owner": f"owned by {pillar.name if pillar else outcome.pillar_code}",
                "charts": charts,
                "charted_before": seen,
                "linked": bool(codes),
            }
        )
    return out


def benefits(d: PackData) -> dict[str, object] | None:
    """The benefits page: the four amounts line by line, totals, costs and net position."""
    from scorecard.benefits import CARRY_ON_NOTE, TOLERANCE

    position = d.benefits
    if position is None:
        return None

    def k(x: float | None) -> str:
        return "–" if x is None else f"{x:,.0f}"

    t = position.totals
    net = "ahead of" if t.net_to_date_k >= 0 else "behind"
    sign = "" if t.net_to_date_k >= 0 else "−"
    return {
        "lede": (
            f"NHS Northamptonshire ICB, April 2021 to {month_words(d.month)}, £'000. Four amounts "
            "are kept apart: planned (the business case's benefits table spread over months), "
            "delivered (calculated from the operational KPIs by the attribution rule), signed off "
            "by the Benefits Realisation Group, and cashed. On plan means within "
            f"±{TOLERANCE:.0%} of the plan for the months measured (illustrative)."
            + (" Values are synthetic (demo store)." if position.synthetic else "")
        ),
        "lines": [
            {
                "name": line.name,
                "amounts": [
                    k(line.planned_to_date_k),
                    k(line.delivered_to_date_k),
                    k(line.signed_off_k),
                    k(line.cashed_k),
                ],
                "status": line.status_words,
                "kpis": ", ".join(line.kpi_codes + line.system_kpi_codes),
                "sentence": f"{line.status_sentence} "
                + (line.attribution.sentence if line.attribution is not None else ""),
                "illustrative": line.illustrative,
            }
            for line in position.lines
        ],
        "total": [
            k(t.planned_to_date_k),
            k(t.delivered_to_date_k),
            k(t.signed_off_k),
            k(t.cashed_k),
        ],
        "net": (
            f"Costs to date £{t.cost_to_date_k:,.0f}k (the business case's costs table); net "
            f"position {sign}£{abs(t.net_to_date_k):,.0f}k: delivered benefits are {net} costs."
        ),
        "not_shown": ", ".join(t.lines_not_shown),
        "carry_on": CARRY_ON_NOTE[:1].upper() + CARRY_ON_NOTE[1:] + ".",
    }


SUSTAIN_HEADINGS: tuple[tuple[str, str], ...] = (
    ("lost", "Lost"),
    ("slipping", "Slipping"),
    ("holding", "Holding"),
)


def sustainability(d: PackData) -> dict[str, object] | None:
    """Is it holding? Declared improvements whose support has ended, worst first, with charts."""
    by_status = {s: [r for r in d.rows if r.sustainability == s] for s, _ in SUSTAIN_HEADINGS}
    if not any(by_status.values()):
        return None
    shown = {str(r.get("kpi_code")): r for r in d.shown}
    order = ("holding", "slipping", "lost")
    counts = ", ".join(f"{len(by_status[k])} {k}" for k in order)
    items = []
    for status, heading in SUSTAIN_HEADINGS:
        for row in by_status[status]:
            kpi = d.fw.kpi(row.kpi_code)
            items.append(
                {
                    "status": status,
                    "verdict": heading,
                    "name": row.kpi_name,
                    "code": row.kpi_code,
                    "text": row.sustainability_text,
                    "chart": kpi_chart(d, kpi, row_record(row), shown.get(row.kpi_code)),
                }
            )
    return {
        "lede": (
            f"{d.area.name}, {month_words(d.month)}: {counts}. For each improvement declared in "
            "the framework's SPC events whose support has ended, judged against the improved "
            "process's limits (fixed on its first 12 points) and the mean before the improvement."
        ),
        "entries": items,
    }


def shifts(d: PackData) -> dict[str, object] | None:
    """Sustained shifts the limits do not describe yet: each KPI with the change point to record."""
    found = [r for r in d.rows if r.suggested_change_point]
    if not found:
        return None
    return {
        "lede": (
            f"{len(found)} KPI{'' if len(found) == 1 else 's'} show a run or trend reaching "
            f"{month_words(d.month)} against limits worked out before it began, so the assurance "
            "icon is not reliable until an analyst records a change point (Making Data Count "
            "recalculates limits only by such a decision, never by itself)."
        ),
        "how": f"To record one, add its row to {SPC_EVENTS_FILE}, with the reason in words.",
        "entries": [
            {
                "name": r.kpi_name,
                "code": r.kpi_code,
                "since": month_words(str(r.suggested_change_point)),
                "row": change_point_row(r.kpi_code, r.area_code, str(r.suggested_change_point)),
            }
            for r in found
        ],
    }


def _listed(items: Iterable[object]) -> str:
    values = [str(x) for x in items]
    return ", ".join(values) if values else "none"


def quality(d: PackData) -> dict[str, object]:
    """The data quality page: ratings by dimension, KPIs needing attention, coverage."""
    from scorecard.framework_coverage import coverage
    from scorecard.quality import DIMENSION_LABELS, DIMENSIONS, RATINGS

    by_dimension = []
    for dimension in DIMENSIONS:
        ratings = [item.kite_mark.mark(dimension).rating for item in d.quality]
        by_dimension.append((DIMENSION_LABELS[dimension], [ratings.count(r) for r in RATINGS]))
    overall = [item.kite_mark.overall for item in d.quality]
    flagged = []
    only_source = 0
    for item in d.quality:
        if item.kite_mark.overall == "good":
            continue
        worst = [m for m in item.kite_mark.marks if m.rating != "good" and m.dimension != "source"]
        if not worst:
            only_source += 1  # capped by a synthetic or unknown source alone: said once below
            continue
        flagged.append(
            {
                "kpi": item.kpi_name,
                "code": item.kpi_code,
                "period": period_label(item.reference_period),
                "overall": item.kite_mark.overall,
                "why": " ".join(f"{m.label}: {m.sentence}" for m in worst),
            }
        )
    flagged.sort(key=lambda x: (-RATINGS.index(str(x["overall"])), str(x["kpi"])))
    cov = coverage(d.fw)
    suppressed = sum(1 for r in d.shown if r.get("suppressed"))
    provisional = sum(1 for r in d.shown if r.get("provisional"))
    return {
        "lede": (
            f"A kite mark per KPI for {d.area.name} up to {month_words(d.month)}: good, attention "
            f"or poor on each dimension. {overall.count('good')} of {len(overall)} KPIs are good "
            f"on every dimension; {overall.count('attention')} need attention and "
            f"{overall.count('poor')} are poor."
            + (
                f" {only_source} of them only because of their source (synthetic demo values):"
                " every other dimension is good."
                if only_source
                else ""
            )
        ),
        "ratings": list(RATINGS),
        "by_dimension": by_dimension,
        "flagged": flagged[:12],
        "more": max(0, len(flagged) - 12),
        "coverage": [
            f"Outcomes without a lead KPI: {_listed(cov.outcomes_without_lead_kpi)}.",
            f"Bricks without an activity KPI: {_listed(cov.bricks_without_activity_kpi)}.",
            f"KPIs without an I-statement: {_listed(cov.kpis_without_i_statement)}.",
            f"Placeholders the programme still has to name: {_listed(cov.placeholders)}.",
            "Proposed by the team (illustrative), not stated in the iCAN documents: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cov.illustrative.items() if v)
            + ".",
            f"Provisional values this month: {provisional}. Suppressed values this month: "
            f"{suppressed}." + (f" {SUPPRESSION_NOTE}" if suppressed else ""),
        ],
    }


def reconciliation(d: PackData) -> dict[str, object] | None:
    """Do the areas add up? Each additive KPI's parts against this area's own value."""
    found = [r for r in d.rows if r.reconciliation is not None]
    if not found:
        return None
    lines: list[str] = []
    agreeing: list[str] = []
    for row in found:
        rec = row.reconciliation or {}
        status = rec.get("status")
        diff = rec.get("difference")
        parts = f"{rec.get('parts_reporting')} of {rec.get('parts_expected')} {rec.get('parts')}"
        if status == "agrees":
            agreeing.append(f"{row.kpi_name} ({row.kpi_code}, {format_value(row.value, row.unit)})")
            continue
        if status == "differs" and isinstance(diff, float | int):
            total = format_value(_number(rec.get("parts_sum")), row.unit)
            whole = format_value(_number(rec.get("whole")), row.unit)
            said = (
                f"the {parts} areas add up to {total}, a difference of "
                f"{format_value(float(diff), row.unit)} from {whole}"
            )
        else:
            said = f"cannot be checked: only {parts} areas have a value"
        lines.append(f"{row.kpi_name} ({row.kpi_code}), {period_label(str(row.period))}: {said}.")
    agree = sum(1 for r in found if (r.reconciliation or {}).get("status") == "agrees")
    return {
        "lede": (
            f"{agree} of {len(found)} KPIs the framework declares additive add up for "
            f"{d.area.name}: the sum of its parts against its own value."
        ),
        "lines": lines,
        "agreeing": "; ".join(agreeing),
    }


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, float | int) else None


def methods(d: PackData) -> dict[str, object]:
    """The methods: how to read the icons and charts, and every KPI's definition."""
    from scorecard import spc

    definitions = []
    for kpi in d.fw.kpis:
        target = (
            format_value(kpi.target_value, str(kpi.unit)) if kpi.target_value is not None else ""
        )
        parts = [kpi.definition.rstrip(".") + "."]
        facts = [
            f"unit {kpi.unit}",
            direction_words(str(kpi.direction)).lower(),
            f"target {target}" if target else "no single target",
            f"source {kpi.data_source}",
        ]
        if kpi.provenance == Provenance.ILLUSTRATIVE:
            facts.append("illustrative")
        definitions.append(
            {
                "anchor": definition_anchor(kpi.code),
                "name": kpi.name,
                "code": kpi.code,
                "text": " ".join(parts),
                "facts": "; ".join(facts) + ".",
            }
        )
    return {
        "variations": [
            (variation_icon(code, 12), variation_words(code)) for code in spc.VARIATIONS
        ],
        "assurances": [
            (assurance_icon(code, 12), assurance_words(code)) for code in spc.ASSURANCES
        ],
        "definitions": definitions,
        "glossary": list(GLOSSARY),
    }


def back(d: PackData) -> dict[str, object]:
    """The back page: what the pack was built from, with the data fingerprint labelled."""
    facts = [
        ("Prepared", f"{d.prepared_at} by the iCAN Scorecard"),
        ("Date of the data", d.data_as_of),
        ("Data fingerprint", d.store_identity),
    ]
    if d.signoff is not None:
        facts.append(("Signed-off figures fingerprint", d.signoff.rows_hash))
    return {"facts": facts}


def pack_context(d: PackData) -> dict[str, object]:
    """Everything the templates show, page by page."""
    return {
        "title": f"iCAN Executive Board pack – {month_words(d.month)} – {d.area.name}",
        "subject": "Monthly outcomes-framework scorecard"
        + (" (synthetic demo data)" if d.synthetic else ""),
        "synthetic": d.synthetic,
        "month": month_words(d.month),
        "area": d.area.name,
        "cover": cover(d),
        "page_one": page_one(d),
        "summary": summary(d),
        "outcomes": outcomes(d),
        "benefits": benefits(d),
        "sustainability": sustainability(d),
        "shifts": shifts(d),
        "quality": quality(d),
        "reconciliation": reconciliation(d),
        "methods": methods(d),
        "back": back(d),
    }
