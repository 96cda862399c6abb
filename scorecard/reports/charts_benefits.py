"""The programme's cumulative benefits chart: plan, delivered, signed off and cost."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Final

import plotly.graph_objects as go

from scorecard.reports.charts_layout import all_months, apply_layout, period_label, x_values
from scorecard.statistics.icons import NHS_DARK_GREY

BENEFIT_PLAN_COLOUR: Final = NHS_DARK_GREY
BENEFIT_DELIVERED_COLOUR: Final = "#005eb8"  # NHS Blue
BENEFIT_SIGNED_OFF_COLOUR: Final = "#007f3b"  # NHS Green
BENEFIT_COST_COLOUR: Final = "#8a1538"  # NHS Dark Red


def _money_k(value: float) -> str:
    return f"£{value:,.0f}k"


def benefits_cumulative_chart(
    periods: Sequence[str],
    planned_k: Sequence[float],
    delivered_k: Sequence[float | None],
    signed_off_k: Sequence[float],
    *,
    cost_k: Sequence[float] | None = None,
    title: str = "Benefits realised: cumulative plan, delivered and signed off",
    synthetic: bool = False,
) -> go.Figure:
    """The programme's cumulative benefits by month: plan, delivered, signed off (and cost).

    The plan is a dashed grey line, delivered a blue line with markers (absent months before
    the first measured one are not drawn), signed off by the BRG a green stepped line, and the
    programme's cumulative cost, when given, a dotted red line. Amounts are £ thousands.

    Args:
        periods: ``YYYY-MM`` months, oldest first.
        planned_k: Cumulative plan at the end of each month.
        delivered_k: Cumulative delivered (calculated) value, None before measurement starts.
        signed_off_k: Cumulative value signed off by the BRG.
        cost_k: Cumulative programme cost, optional.
        title: The chart's title.
        synthetic: Whether the delivered values rest on synthetic data (watermarked).

    Returns:
        The figure; its ``layout.meta["alt_text"]`` describes it in words.
    """
    n = len(periods)
    if not (len(planned_k) == len(delivered_k) == len(signed_off_k) == n) or (
        cost_k is not None and len(cost_k) != n
    ):
        msg = "every series of the benefits chart needs one value per month"
        raise ValueError(msg)
    dates = all_months(periods)
    x = x_values(periods)
    labels = [period_label(p) if dates else p for p in periods]
    fig = go.Figure()

    def add(name: str, y: Sequence[float | None], colour: str, **style: object) -> None:
        shown = [None if v is None or not math.isfinite(float(v)) else float(v) for v in y]
        fig.add_trace(
            go.Scatter(
                x=x,
                y=shown,
                name=name,
                customdata=labels,
                hovertemplate=f"%{{customdata}}<br>{html.escape(name)}: £%{{y:,.0f}}k"
                "<extra></extra>",
                line={"color": colour, "width": 2.5, **style.pop("line", {})},  # type: ignore[dict-item]
                connectgaps=False,
                **style,
            )
        )

    add("Plan", planned_k, BENEFIT_PLAN_COLOUR, mode="lines", line={"dash": "dash"})
    add(
        "Delivered (calculated)",
        delivered_k,
        BENEFIT_DELIVERED_COLOUR,
        mode="lines+markers",
        marker={"size": 6, "symbol": "circle"},
    )
    add(
        "Signed off by the BRG",
        signed_off_k,
        BENEFIT_SIGNED_OFF_COLOUR,
        mode="lines+markers",
        marker={"size": 7, "symbol": "diamond"},
        line={"shape": "hv"},
    )
    if cost_k is not None:
        add("Programme cost", cost_k, BENEFIT_COST_COLOUR, mode="lines", line={"dash": "dot"})
    alt = _benefits_alt(labels, planned_k, delivered_k, signed_off_k, cost_k, synthetic)
    apply_layout(fig, title, "£ thousands (cumulative)", alt, synthetic, dates)
    fig.update_layout(hovermode="x unified")
    return fig


def _benefits_alt(
    labels: Sequence[str],
    planned_k: Sequence[float],
    delivered_k: Sequence[float | None],
    signed_off_k: Sequence[float],
    cost_k: Sequence[float] | None,
    synthetic: bool,
) -> str:
    if not labels:
        return "Cumulative benefits chart with no months."
    last = labels[-1]
    parts = [
        f"Cumulative benefits from {labels[0]} to {last}.",
        f"Plan to date {_money_k(planned_k[-1])}.",
    ]
    delivered = delivered_k[-1]
    if delivered is None:
        parts.append("No delivered value is measured yet.")
    else:
        parts.append(f"Delivered (calculated) to date {_money_k(delivered)}.")
    parts.append(f"Signed off by the BRG to date {_money_k(signed_off_k[-1])}.")
    if cost_k is not None:
        parts.append(f"Programme cost to date {_money_k(cost_k[-1])}.")
    if synthetic:
        parts.append("The delivered values rest on synthetic data.")
    return " ".join(parts)
