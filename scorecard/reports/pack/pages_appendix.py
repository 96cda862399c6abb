"""The closing pages: data quality, reconciliation, methods and the back page."""

from __future__ import annotations

from collections.abc import Iterable

from scorecard.reports.pack.drawings import (
    assurance_icon,
    assurance_words,
    direction_words,
    variation_icon,
    variation_words,
)
from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.pages_kpi import definition_anchor
from scorecard.reports.pack.theme import GLOSSARY, month_words, period_label
from scorecard.statistics.disclosure import SUPPRESSION_NOTE
from scorecard.thread.domain import Provenance
from scorecard.thread.numbers import format_value


def _listed(items: Iterable[object]) -> str:
    values = [str(x) for x in items]
    return ", ".join(values) if values else "none"


def quality(d: PackData) -> dict[str, object]:
    """The data quality page: ratings by dimension, KPIs needing attention, coverage."""
    from scorecard.statistics.quality import DIMENSION_LABELS, DIMENSIONS, RATINGS
    from scorecard.thread.framework_coverage import coverage

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
    from scorecard.statistics import spc_icons

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
            (variation_icon(code, 12), variation_words(code)) for code in spc_icons.VARIATIONS
        ],
        "assurances": [
            (assurance_icon(code, 12), assurance_words(code)) for code in spc_icons.ASSURANCES
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
