"""A KPI as the pack shows it: its anchors, value, icons, latest commentary and chart."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from markupsafe import Markup

from scorecard.data.reviews_commentary import Commentary
from scorecard.reports import exceptions
from scorecard.reports.charts import chart_alt_text
from scorecard.reports.pack.drawings import (
    ChartInput,
    assurance_icon,
    assurance_words,
    direction_words,
    spc_svg,
    variation_icon,
    variation_words,
)
from scorecard.reports.pack.funnel import pack_funnel
from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.theme import as_float, month_words, period_label
from scorecard.reports.scoring import analyse_series, hidden_points
from scorecard.statistics.disclosure import SUPPRESSION_NOTE, published_result
from scorecard.thread.domain import Framework, Kpi, LinkKind, Provenance
from scorecard.thread.numbers import format_value


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
    funnel: Markup | None = None  # a benchmarked lead KPI against its level (pack/funnel.py)


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
        funnel=pack_funnel(d, kpi),
    )
