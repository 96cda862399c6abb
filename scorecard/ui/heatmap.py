"""KPI detail's other views: one KPI across every area and month, and activity beside lead."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from scorecard.data import exports
from scorecard.reports import charts_heatmap, charts_layout
from scorecard.reports.bricks import VIEWS
from scorecard.reports.scoring import analyse_series, hidden_points
from scorecard.reports.scoring_series import kpi_series
from scorecard.statistics.spc_icons import COMMON_CAUSE
from scorecard.thread.domain import Kpi, Tier
from scorecard.thread.numbers import format_value
from scorecard.ui import data, views
from scorecard.ui.frame import Context, empty_state
from scorecard.ui.views import md

VIEW_KEY = "url_view"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_STATE_WORDS = {name: words for name, words, _, _ in charts_heatmap.HEATMAP_STATES}


def _set_view() -> None:
    """Widget callback: the chosen view into the URL before the rerun."""
    value = st.session_state.get(VIEW_KEY) or ""
    if value:
        st.query_params["view"] = str(value)
    elif "view" in st.query_params:
        del st.query_params["view"]


def view_picker(ctx: Context, kpi: Kpi) -> str:
    """Which view of the KPI to show (mirrors the URL's ``view``): "" is the SPC chart."""
    options = ["", *(v for v in VIEWS if v != "lead" or kpi.tier == Tier.ACTIVITY)]
    labels = {
        "": f"SPC chart for {ctx.area_name}",
        "lead": "Beside the lead KPIs it feeds",
        "areas": "Every area and month",
    }
    current = ctx.selection.view if ctx.selection.view in options else ""
    if not current and "view" in st.query_params:
        del st.query_params["view"]  # a view this KPI does not have: the URL says what is shown
    st.session_state[VIEW_KEY] = current
    st.segmented_control(
        "Show",
        options,
        required=True,
        format_func=lambda v: labels[v],
        key=VIEW_KEY,
        on_change=_set_view,
    )
    return current


@dataclass(frozen=True)
class Grid:
    """One KPI's value and SPC state for every area (hierarchy order) and month."""

    areas: tuple[str, ...]
    labels: tuple[str, ...]
    periods: tuple[str, ...]
    values: np.ndarray
    states: tuple[tuple[str, ...], ...]
    synthetic: bool

    def frame(self, unit: str) -> pd.DataFrame:
        """Long form: one row per area and month, with the value, its words and its state."""
        records = [
            {
                "Area code": code,
                "Area": label,
                "Period": period,
                "Value": None if np.isnan(self.values[r, c]) else float(self.values[r, c]),
                "Value shown": format_value(
                    None if np.isnan(self.values[r, c]) else float(self.values[r, c]), unit
                ),
                "SPC state": _STATE_WORDS[self.states[r][c]],
                "Synthetic": self.synthetic,
            }
            for r, (code, label) in enumerate(zip(self.areas, self.labels, strict=True))
            for c, period in enumerate(self.periods)
        ]
        return pd.DataFrame.from_records(records)

    def wide(self, unit: str) -> pd.DataFrame:
        """Areas as rows and months as columns, each cell the value and its state in words."""
        table = {"Area": list(self.labels)}
        for c, period in enumerate(self.periods):
            table[views.month_label(period)] = [
                (
                    "no value"
                    if np.isnan(self.values[r, c])
                    else format_value(float(self.values[r, c]), unit)
                )
                + f" · {_STATE_WORDS[self.states[r][c]]}"
                for r in range(len(self.areas))
            ]
        return pd.DataFrame(table)


@st.cache_resource(show_spinner=False, max_entries=16)
def _grid(path: str, identity: str, words: str, kpi_code: str, month: str) -> Grid:
    del words  # cache key only: declared change points change the states
    fw = data.live_framework(path)
    kpi = fw.kpi(kpi_code)
    current = data.current(path, identity)
    frame = (
        current.loc[(current["kpi_code"] == kpi_code) & (current["period"].astype(str) <= month)]
        if not current.empty
        else current
    )
    reported = {a.code: a for a in fw.kpi_areas(kpi_code)}
    codes = [c for c in views.ordered_areas(fw) if c in reported]
    periods = sorted({str(p) for p in frame["period"]}) if not frame.empty else []
    column = {p: i for i, p in enumerate(periods)}
    values = np.full((len(codes), len(periods)), np.nan)
    states = [["missing"] * len(periods) for _ in codes]
    synthetic = False
    by_area = dict(tuple(frame.groupby("area_code", sort=False))) if not frame.empty else {}
    for r, code in enumerate(codes):
        rows = by_area.get(code)
        if rows is None:
            continue
        series = kpi_series(fw, rows, kpi_code, code, month)
        if len(series) == 0:
            continue
        synthetic = synthetic or bool(series.synthetic.any())
        result = analyse_series(kpi, series)
        hidden = hidden_points(kpi, reported[code], series)
        pts = result.points
        for i, period in enumerate(series.periods):
            value = float(pts.values[i])  # noqa: PD011 -- a numpy array of SpcPoints
            if np.isnan(value):
                continue
            c = column[period]
            values[r, c] = np.nan if hidden[i] else value
            state = pts.point_state[i]
            if state == COMMON_CAUSE and not pts.partition_has_limits[int(pts.partition[i])]:
                state = charts_layout.RUN_CHART_POINT
            states[r][c] = state if state in _STATE_WORDS else "missing"
    return Grid(
        tuple(codes),
        tuple(reported[c].name for c in codes),
        tuple(periods),
        values,
        tuple(tuple(s) for s in states),
        synthetic,
    )


def heatmap_section(ctx: Context, kpi: Kpi) -> None:
    """The KPI across every area and month: a heatmap by SPC state, or the same as a table."""
    if ctx.store is None or not ctx.month:
        return
    path, identity = ctx.store.path, ctx.store.identity
    grid = _grid(path, identity, data.words_signature(path), kpi.code, ctx.month)
    if not grid.periods:
        empty_state(f"No area has data for {md(kpi.code)} up to {md(ctx.month_label)}.")
        return
    st.caption(
        "Each row is an area, system first, then places, trusts and smaller areas; each column a "
        "month up to the one chosen. A cell's colour is that month's SPC state in its area's own "
        "chart (letters mark special causes: I improvement, C concern, N neither); hover for "
        "the value. Switch on the table for the same in words."
    )
    as_table = st.toggle("Show as a table (every value and state in words)", key="ican-heat-table")
    unit = str(kpi.unit)
    if as_table:
        st.dataframe(grid.wide(unit), hide_index=True, width="stretch")
    else:
        fig = charts_heatmap.kpi_heatmap(
            grid.labels,
            grid.periods,
            grid.values,
            grid.states,
            title=f"{kpi.name} ({kpi.code}) by area and month",
            unit=unit,
            synthetic=grid.synthetic,
        )
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-heat")
        st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")
    stem = f"{kpi.code}_areas_by_month_{ctx.month}"
    title = f"{kpi.code} by area and month to {ctx.month}"
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Download areas × months (CSV)",
        lambda: exports.to_csv_bytes(grid.frame(unit)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="ican-heat-csv",
    )
    right.download_button(
        "Download areas × months (XLSX)",
        lambda: exports.to_xlsx_bytes(grid.frame(unit), "Areas by month", title),
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key="ican-heat-xlsx",
    )
