"""The golden thread as a column Sankey: nodes in fixed columns, stacked by their flow."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from scorecard.reports.charts_layout import FONT
from scorecard.statistics.icons import NHS_DARK_GREY, NHS_TEXT


@dataclass(frozen=True)
class SankeyNode:
    """A node of a column Sankey: its key, short label, hover text, colour and column (0 = left)."""

    key: str
    label: str
    hover: str
    colour: str
    column: int


@dataclass(frozen=True)
class SankeyLink:
    """A link between two node keys (upper column → lower column), its colour and hover text."""

    upper: str
    lower: str
    colour: str
    hover: str


def sankey(
    nodes: Sequence[SankeyNode],
    links: Sequence[SankeyLink],
    *,
    alt_text: str,
    column_x: Sequence[float],
) -> go.Figure:
    """A Sankey with nodes placed in fixed columns, each column's nodes stacked by their flow.

    Every link counts one; a node is as tall as its larger side (in or out). Links whose ends are
    not both among ``nodes`` are left out. Labels and hover texts are escaped (Plotly renders
    a subset of HTML in them).

    Args:
        nodes: in the order to stack them within a column.
        links: upper → lower.
        alt_text: one sentence describing the figure, kept in ``layout.meta["alt_text"]``.
        column_x: the x position (0–1) of each column index.
    """
    columns: dict[int, list[str]] = {}
    by_key = {n.key: n for n in nodes}
    for n in nodes:
        columns.setdefault(n.column, []).append(n.key)
    order = [k for c in sorted(columns) for k in columns[c]]
    index = {k: i for i, k in enumerate(order)}
    shown = [ln for ln in links if ln.upper in index and ln.lower in index]
    flow_in: dict[str, int] = {}
    flow_out: dict[str, int] = {}
    for ln in shown:
        flow_out[ln.upper] = flow_out.get(ln.upper, 0) + 1
        flow_in[ln.lower] = flow_in.get(ln.lower, 0) + 1
    weight = {k: max(flow_in.get(k, 0), flow_out.get(k, 0), 1) for k in order}
    centre_y: dict[str, float] = {}
    for members in columns.values():
        total = sum(weight[k] for k in members)
        seen = 0.0
        for k in members:
            centre_y[k] = 0.02 + 0.96 * (seen + weight[k] / 2) / total
            seen += weight[k]
    single = len(columns) <= 1
    drawn = [by_key[k] for k in order]
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            node={
                "label": [html.escape(n.label) for n in drawn],
                "x": [0.5 if single else column_x[n.column] for n in drawn],
                "y": [centre_y[n.key] for n in drawn],
                "color": [n.colour for n in drawn],
                "customdata": [html.escape(n.hover) for n in drawn],
                "hovertemplate": "%{customdata}<extra></extra>",
                "pad": 6,
                "thickness": 12,
                "line": {"color": NHS_DARK_GREY, "width": 0.5},
            },
            link={
                "source": [index[ln.upper] for ln in shown],
                "target": [index[ln.lower] for ln in shown],
                "value": [1] * len(shown),
                "color": [ln.colour for ln in shown],
                "customdata": [html.escape(ln.hover) for ln in shown],
                "hovertemplate": "%{source.label} → %{target.label}: %{customdata}<extra></extra>",
            },
            textfont={"family": FONT, "size": 12, "color": NHS_TEXT},
        )
    )
    tallest = max((sum(weight[k] for k in v) for v in columns.values()), default=1)
    fig.update_layout(
        height=max(360, min(1400, 24 * tallest + 40)),
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        font={"family": FONT, "size": 12},
        meta={"alt_text": alt_text},
    )
    return fig
