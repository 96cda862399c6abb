"""The pages on progress: the outcomes' lead-KPI charts, benefits, sustainability and shifts."""

from __future__ import annotations

from scorecard.data.reviews_signoffs import row_record
from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.pages_kpi import kpi_anchor, kpi_chart, lead_codes
from scorecard.reports.pack.theme import month_words
from scorecard.statistics.shifts import SPC_EVENTS_FILE, change_point_row


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
    from scorecard.reports.benefits import CARRY_ON_NOTE, TOLERANCE

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
