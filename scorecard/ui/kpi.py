"""KPI detail: the SPC chart and its words, the KPI's facts, thread, areas and values."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from scorecard.reports import charts
from scorecard.reports.derived import DERIVED_SOURCE
from scorecard.reports.scoring import analyse_series, hidden_points
from scorecard.reports.scoring_series import BoolArray, KpiSeries, kpi_series
from scorecard.statistics.disclosure import (
    SECONDARY_NOTE,
    SUPPRESSION_NOTE,
    apply_suppression,
    hidden_periods,
    published_result,
)
from scorecard.statistics.shifts import SPC_EVENTS_FILE, change_point_row, shift_sentence
from scorecard.statistics.spc import SpcResult
from scorecard.statistics.sustain import Verdict, verdict_for
from scorecard.thread.citations import readable
from scorecard.thread.domain import DERIVED_KPIS, Kpi, LinkKind, Provenance
from scorecard.thread.numbers import SUPPRESSED_MARK, format_value
from scorecard.thread.targets import target_sentence
from scorecard.ui import data, page_one, views
from scorecard.ui.display import (
    RESULT_TYPE_LABELS,
    STORE_COLUMN_LABELS,
    assurance_label,
    assurance_svg,
    bullet_list,
    icons_md,
    node_line,
    svg_data_uri,
    variation_label,
    variation_svg,
)
from scorecard.ui.frame import Context, empty_state, page_link, url_selectbox
from scorecard.ui.provenance import source_labels
from scorecard.ui.views import md

EMPTY_CELL = "–"  # what a table shows for a missing value (never the word None)


def kpi_picker(ctx: Context) -> str:
    """The KPI select box (mirrors the URL's ``kpi``); returns the chosen code or ""."""
    tiers = {"lead": "lead KPI", "activity": "activity KPI", "system": "system KPI"}
    ordered = sorted(
        ctx.fw.kpis, key=lambda k: (["lead", "activity", "system"].index(k.tier), k.code)
    )
    with ctx.slot or st.container():
        return url_selectbox(
            "KPI",
            "kpi",
            [k.code for k in ordered],
            ctx.selection.kpi,
            {
                k.code: f"{k.code} — {views.short(k.name, 80)} ({tiers.get(k.tier, k.tier)})"
                for k in ordered
            },
            allow_none="Choose a KPI…",
            help_text="Type to search by code or name.",
        )


def kpi_index(ctx: Context) -> None:
    """Links to every lead KPI's detail (when no KPI is chosen yet)."""
    st.markdown("Choose a KPI above, or open a lead KPI:")
    for kpi in ctx.fw.kpis:
        if kpi.tier == "lead":
            page_link(ctx, "pages/2_kpi.py", f"{kpi.code} — {kpi.name}", kpi=kpi.code)


def _provenance_text(item: Kpi) -> str:
    if item.provenance == Provenance.SEED:
        return f"From the iCAN documents ({readable(item.source)})"
    return (
        "Illustrative: proposed by the team where the documents are silent "
        f"({readable(item.source)})"
    )


def kpi_facts(ctx: Context, kpi: Kpi, synthetic: bool | None) -> None:
    """Definition, numerator and denominator, unit, direction, source, owner, baseline, target."""
    direction = {
        "increase": "Higher is better",
        "decrease": "Lower is better",
        "neutral": "Neither: higher or lower is not better in itself",
    }[str(kpi.direction)]
    baseline = (
        f"{format_value(kpi.baseline_value, str(kpi.unit))}"
        + (f" ({views.month_label(kpi.baseline_period)})" if kpi.baseline_period else "")
        if kpi.baseline_value is not None
        else "Not recorded"
    )
    target = target_sentence(ctx.fw, kpi, ctx.area)
    data_kind = (
        "No values yet"
        if synthetic is None
        else ("Synthetic demo data (not real)" if synthetic else "Real data")
    )
    facts = [
        ("Definition", kpi.definition),
        ("Numerator", kpi.numerator or "–"),
        ("Denominator", kpi.denominator or "–"),
        ("Unit", str(kpi.unit)),
        ("Direction", direction),
        ("Tier", str(kpi.tier)),
        ("Data source", kpi.data_source),
        ("Owner", kpi.owner_role),
        ("Frequency", str(kpi.frequency)),
        ("Baseline", baseline),
        ("Target or trajectory", target),
        ("Provenance", _provenance_text(kpi)),
        ("Data", data_kind),
    ]
    if kpi.result_type is not None:
        facts.insert(5, ("Results-based accountability", RESULT_TYPE_LABELS[str(kpi.result_type)]))
    if kpi.journey_stage:
        facts.append(("Journey stage", kpi.journey_stage))
    bullet_list([f"**{md(k)}:** {md(v)}" for k, v in facts])


@dataclass(frozen=True)
class KpiView:
    """One KPI × area up to the month: its series, SPC reading and disclosure state."""

    kpi: Kpi
    area: str
    series: KpiSeries
    result: SpcResult
    hidden: BoolArray  # points disclosure control leaves out of the chart (shown as *)
    sustainability: Verdict | None = None  # when an improvement is declared for the series

    @property
    def suppressed_any(self) -> bool:
        """Whether any point is a suppressed small number."""
        return bool(self.hidden.any())

    @property
    def synthetic(self) -> bool | None:
        """Whether the series holds synthetic values (None when it is empty)."""
        if len(self.series) == 0:
            return None
        return bool(self.series.synthetic.any())


def secondary_periods(ctx: Context, kpi: Kpi, area: str) -> set[str]:
    """Periods of a KPI × area hidden so that a total and its parts are suppressed alike."""
    if not kpi.suppress_small_numbers or ctx.store is None:
        return set()
    everything = data.current(ctx.store.path, ctx.store.identity)
    if everything.empty:
        return set()
    mine = everything.loc[everything["kpi_code"] == kpi.code]
    return hidden_periods(ctx.fw, mine, kpi.code, area)


def kpi_view(ctx: Context, kpi: Kpi, area: str) -> KpiView:
    """The KPI's series and SPC reading for an area up to the selected month.

    Declared change points are applied (as in the Board pack); the reading uses every value,
    suppressed ones too, as the pack's does.
    """
    if ctx.store is not None and ctx.months:
        frame = data.kpi_area_frame(ctx.store.path, ctx.store.identity, kpi.code, area)
        fw = data.live_framework(ctx.store.path)
    else:
        frame, fw = pd.DataFrame(), ctx.fw
    series = kpi_series(fw, frame, kpi.code, area, ctx.month or "9999-12")
    result = analyse_series(kpi, series)
    area_obj = next((a for a in ctx.fw.areas if a.code == area), None)
    hidden = (
        hidden_points(kpi, area_obj, series)
        if area_obj is not None
        else np.zeros(len(series), dtype=bool)
    )
    extra = secondary_periods(ctx, kpi, area)
    if extra:
        hidden = hidden | np.array([p in extra for p in series.periods], dtype=bool)
    verdict = verdict_for(kpi, series) if series.improvement_index is not None else None
    return KpiView(kpi, area, series, result, hidden, verdict)


def drawn_result(view: KpiView) -> SpcResult:
    """The SPC result as the chart draws it (``disclosure.published_result``)."""
    return published_result(view.result, view.hidden)


def _num(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def spc_section(ctx: Context, view: KpiView) -> None:
    """The SPC chart with its icons and the sentences saying what they mean."""
    kpi = view.kpi
    if len(view.series) == 0:
        empty_state(f"No data for {md(ctx.area_name)} in {md(ctx.month_label)} for this KPI.")
        return
    result = view.result
    st.markdown(
        icons_md(result.variation, result.assurance)
        + f" **{md(variation_label(result.variation))}.** {md(result.variation_text())} "
        + f"**{md(assurance_label(result.assurance))}.** {md(result.assurance_text())}"
    )
    shift_section(view)
    annotations = [
        (view.series.periods[i], reason)
        for i, reason in zip(view.series.change_points, view.series.change_reasons, strict=False)
    ] + [(view.series.periods[i], reason) for i, reason in view.series.excluded_reasons.items()]
    annotations += _people_annotations(kpi.code, view.area, annotations)
    targets = [None if t != t else float(t) for t in view.series.targets]
    fig = charts.spc_chart(
        list(view.series.periods),
        drawn_result(view),
        title=f"{kpi.name} — {views.area_name(ctx.fw, view.area)}",
        unit=str(kpi.unit),
        target_series=targets,
        annotations=annotations,
        synthetic=bool(view.synthetic),
        sustainability=view.sustainability,
    )
    fig.update_layout(height=420)
    chart, beside = st.columns([3, 1], gap="medium")
    with chart:
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-spc")
    with beside:
        page_one.commentary_beside_chart(ctx, kpi.code, view.area)
    st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")
    sustainability_section(view)
    if view.suppressed_any:
        st.caption(
            f"{int(view.hidden.sum())} point(s) not drawn: {md(SUPPRESSION_NOTE)} "
            "They show as * in the numbers below; the icons use the full data. "
            f"{md(SECONDARY_NOTE)}"
        )


def shift_section(view: KpiView) -> None:
    """A sustained shift the limits do not describe: the warning and the change point to record."""
    index = view.result.shift_index
    if index is None:
        return
    period = view.series.periods[index]
    st.warning(shift_sentence(period), icon=":material/warning:")
    st.markdown(f"To record it, add this row to `{SPC_EVENTS_FILE}` and write the reason in words:")
    st.code(change_point_row(view.kpi.code, view.area, period), language="text")


def sustainability_section(view: KpiView) -> None:
    """Is the improvement holding? The verdict in words, with the events behind it."""
    verdict = view.sustainability
    if verdict is None:
        return
    s = view.series
    lines = [f"**Sustainability: {md(verdict.label)}.** {md(verdict.sentence)}"]
    if s.improvement_index is not None:
        lines.append(
            f"Improvement started {md(s.periods[s.improvement_index])}: {md(s.improvement_reason)}"
        )
    if s.support_index is not None:
        lines.append(f"Support ended {md(s.periods[s.support_index])}: {md(s.support_reason)}")
    st.markdown("  \n".join(lines))


def _people_annotations(
    kpi_code: str, area_code: str, already: Sequence[tuple[str, str]]
) -> list[tuple[str, str]]:
    """Interventions, go-lives and other notes people added on the review page (not repeated)."""
    from scorecard.ui import review

    seen = set(already)
    return [a for a in review.chart_annotations(kpi_code, area_code) if a not in seen]


def chart_frame(view: KpiView) -> pd.DataFrame:
    """The numbers behind the chart (suppressed values shown as *)."""
    s, pts = view.series, view.result.points
    values = s.values  # noqa: PD011 -- a KpiSeries' numpy array, not a pandas frame
    area = view.area
    rows: list[dict[str, object]] = []
    for i, period in enumerate(s.periods):
        hidden = bool(view.hidden[i]) and _num(values[i]) is not None
        rows.append(
            {
                "kpi_code": view.kpi.code,
                "area_code": area,
                "period": period,
                "value": "*" if hidden else _num(values[i]),
                "status": s.statuses[i],
                "mean": None if view.suppressed_any else _num(pts.mean[i]),
                "upper_process_limit": None if view.suppressed_any else _num(pts.upl[i]),
                "lower_process_limit": None if view.suppressed_any else _num(pts.lpl[i]),
                "target": _num(s.targets[i]),
                "point_state": pts.point_state[i],
                "excluded": bool(pts.excluded[i]),
                "synthetic": bool(s.synthetic[i]),
            }
        )
    return pd.DataFrame.from_records(rows)


def why_it_matters(ctx: Context, kpi: Kpi) -> None:
    """The KPI's thread up: the lead KPIs, outcomes, ambitions and population outcomes above."""
    catalogue = views.nodes(ctx.fw)
    hood = views.neighbourhood(ctx.fw, f"kpi:{kpi.code}")
    above = [catalogue[k] for k in hood.above if k in catalogue]
    if not above:
        empty_state(f"{md(kpi.code)} is not linked to any outcome yet: a gap in the golden thread.")
        return
    order = ["population_outcome", "ambition", "outcome", "lead_kpi", "brick", "activity_kpi"]
    above.sort(key=lambda n: order.index(n.kind) if n.kind in order else len(order))
    bullet_list([node_line(n, {}) for n in above])
    page_link(
        ctx,
        "pages/1_golden_thread.py",
        f"See {kpi.code} in the golden thread",
        node=f"kpi:{kpi.code}",
    )


def who_it_is_for(ctx: Context, kpi: Kpi) -> None:
    """The I-statements the KPI evidences, with a link to them on the I-statements page."""
    statements = {s.code: s for s in ctx.fw.i_statements}
    codes = [c for c in ctx.fw.linked(LinkKind.KPI_I_STATEMENT, kpi.code) if c in statements]
    if not codes:
        empty_state(f"{md(kpi.code)} evidences no I-statement yet: a gap in the golden thread.")
        return
    bullet_list(
        [f"“{md(statements[c].text)}” ({md(statements[c].collection)}, {md(c)})" for c in codes]
    )
    page_link(
        ctx, "pages/4_i_statements.py", f"Open the I-statements {kpi.code} evidences", kpi=kpi.code
    )


def area_comparison(ctx: Context, kpi: Kpi) -> pd.DataFrame:
    """Each area's latest value and icons for the KPI (a table of icons, one row per area)."""
    records: list[dict[str, object]] = []
    if ctx.store is not None and ctx.month:
        rows = data.kpi_area_rows(ctx.store.path, ctx.store.identity, ctx.month, kpi.code)
        for row in rows:
            records.append(
                {
                    "Area": row.area_name or row.area_code,
                    "Latest period": views.month_label(row.period) if row.period else "No data",
                    "Value": "*"
                    if row.suppressed
                    else (format_value(row.value, row.unit) if row.period else "–"),
                    "Variation": svg_data_uri(variation_svg(row.variation)),
                    "Variation means": variation_label(row.variation),
                    "Assurance": svg_data_uri(assurance_svg(row.assurance)),
                    "Assurance means": assurance_label(row.assurance),
                    "Points": row.n_points,
                }
            )
    return pd.DataFrame.from_records(records)


def show_area_comparison(ctx: Context, kpi: Kpi) -> None:
    """The comparison across areas, or a message when there is nothing to compare."""
    frame = area_comparison(ctx, kpi)
    if frame.empty:
        empty_state(f"No area has data for {md(kpi.code)} in {md(ctx.month_label or 'any month')}.")
        return
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=40,
        placeholder=EMPTY_CELL,
        column_config={
            "Variation": st.column_config.ImageColumn("Variation", width="small"),
            "Assurance": st.column_config.ImageColumn("Assurance", width="small"),
        },
    )


def values_frame(ctx: Context, kpi: Kpi, area: str) -> pd.DataFrame:
    """Every stored version of the KPI's values in an area, with load, status and revisions."""
    if ctx.store is None:
        return pd.DataFrame()
    if kpi.code in DERIVED_KPIS:  # no load wrote them: the values as derived, no versions
        derived = data.kpi_area_frame(ctx.store.path, ctx.store.identity, kpi.code, area)
        history = derived.assign(superseded_by=None, file_name=DERIVED_SOURCE, loaded_at=None)
    else:
        history = data.history(ctx.store.path, ctx.store.identity, kpi.code, area)
    if history.empty:
        return pd.DataFrame()
    frame = apply_suppression(ctx.fw, history)
    extra = secondary_periods(ctx, kpi, area)
    if extra:
        also = frame["period"].astype(str).isin(extra)
        frame["suppressed"] = frame["suppressed"] | also
        numbers = [c for c in ("value", "numerator", "denominator") if c in frame.columns]
        frame[numbers] = frame[numbers].astype("float64")
        frame.loc[also, numbers] = np.nan
    if ctx.month:
        frame = frame.loc[frame["period"].astype(str) <= ctx.month]
    superseded = frame["superseded_by"] if "superseded_by" in frame.columns else None
    out = pd.DataFrame(
        {
            "Period": frame["period"].astype(str),
            "Value": [
                SUPPRESSED_MARK if bool(s) else v
                for s, v in zip(frame["suppressed"], frame["value"], strict=True)
            ],
            "Numerator": frame.get("numerator"),
            "Denominator": frame.get("denominator"),
            "Status": frame.get("status"),
            "Version": [
                "current" if (superseded is None or pd.isna(x)) else f"revised by load {int(x)}"
                for x in (superseded if superseded is not None else [None] * len(frame))
            ],
            **{
                STORE_COLUMN_LABELS[name]: frame.get(name)
                for name in ("load_id", "file_name", "loaded_at", "note", "synthetic")
            },
        }
    )
    if ctx.store is not None and "load_id" in frame.columns:
        labels = source_labels(ctx.store.path, ctx.store.identity)
        out["Source"] = [labels.get(int(x), "") for x in frame["load_id"]]
    out["Value"] = out["Value"].astype("object")
    return out.sort_values(["Period", "Load"], ascending=[False, False], kind="stable")


def show_values(ctx: Context, kpi: Kpi, view: KpiView) -> None:
    """The values table (with revisions) and CSV downloads of what is shown."""
    frame = values_frame(ctx, kpi, view.area)
    if frame.empty:
        empty_state(f"No values stored for {md(kpi.code)} in {md(ctx.area_name)}.")
        return
    revised = int((frame["Version"] != "current").sum())
    st.caption(
        f"{len(frame)} stored values up to {md(ctx.month_label)}, {revised} of them revised "
        "(the old value is kept with the load that brought it). * = suppressed small number."
    )
    st.dataframe(frame, hide_index=True, width="stretch", height=320, placeholder=EMPTY_CELL)
    stem = f"{kpi.code}_{view.area}_{ctx.month}"
    left, right = st.columns(2)
    with left:
        st.download_button(
            "Download the values (CSV)",
            frame.to_csv(index=False).encode("utf-8"),
            file_name=f"{stem}_values.csv",
            mime="text/csv",
            key="ican-download-values",
        )
    with right:
        st.download_button(
            "Download the chart data (CSV)",
            chart_frame(view).to_csv(index=False).encode("utf-8"),
            file_name=f"{stem}_chart.csv",
            mime="text/csv",
            key="ican-download-chart",
        )


def commentary_hook(ctx: Context, kpi: Kpi) -> None:
    """Where the KPI owner's commentary goes: ``scorecard.ui.review.commentary_panel``, if present.

    The review feature is built separately; until its module exists this renders nothing. It is
    called as ``commentary_panel(ctx=ctx, kpi_code=..., area_code=..., month=...)``.
    """
    if importlib.util.find_spec("scorecard.ui.review") is None:
        return
    review = importlib.import_module("scorecard.ui.review")
    panel = getattr(review, "commentary_panel", None)
    if callable(panel):
        panel(ctx=ctx, kpi_code=kpi.code, area_code=ctx.area, month=ctx.month)
