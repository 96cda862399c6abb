"""Page one of the scorecard: the headline, exceptions and decisions, and the summary grid."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from scorecard.data.reviews_commentary import Commentary
from scorecard.reports.exceptions import (
    ASSURANCE_CLASS_LABELS,
    ASSURANCE_CLASSES,
    DECISION,
    NEW,
    VARIATION_CLASS_LABELS,
    ExceptionItem,
    GridCell,
    SummaryGrid,
    commentary_line,
    decision_sentence,
    exceptions,
    next_action,
    one_line,
    summary_grids,
)
from scorecard.reports.exceptions import headline as tier_counts
from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.quality import SeriesQuality
from scorecard.thread.periods import month_long
from scorecard.ui import data
from scorecard.ui.frame import Context, empty_state
from scorecard.ui.views import md

SHOWN_FIRST = 4  # exceptions shown in full at the top; the rest are one line each, folded
HOME_LINE = 75  # characters of the latest commentary shown in the list
BESIDE_CHART = 400  # characters of the latest commentary beside a KPI's chart
ACTION_LINE = 45  # characters of the next action's text shown in the list
TIER_NOUNS = {"lead": ("lead KPI", "lead KPIs"), "activity": ("activity KPI", "activity KPIs")}
GROUP_WORDS = {DECISION: "Decision", NEW: "New", "continuing": "Continuing"}
_SLUG = re.compile(r"[^a-z0-9]+")
GRID_COLUMNS = {  # the grid's column heads, short so the two grids sit side by side
    "pass": "Passing target",
    "hit_or_miss": "Hit or miss",
    "fail": "Failing target",
    "none": "No target assurance",
}


@st.cache_data(show_spinner=False, max_entries=32)
def _latest_commentary(path: str, words: str, month: str, area: str) -> list[Commentary]:
    del words  # cache key only: a new commentary gives a new signature
    from scorecard.data.reviews import Reviews

    return Reviews.beside(Path(path)).latest_commentary(month, area)


def latest_commentary(path: str, month: str, area: str) -> list[Commentary]:
    """Each KPI's latest commentary for the area written for the month or before (cached)."""
    return _latest_commentary(path, data.words_signature(path), month, area)


def exception_items(
    ctx: Context,
    rows: Sequence[ScorecardRow],
    previous_rows: Sequence[ScorecardRow],
    quality: Mapping[str, SeriesQuality],
) -> list[ExceptionItem]:
    """The month's exceptions and decisions for the selected area, in the Board's order."""
    if ctx.store is None:
        return []
    lags = {(q.kpi_code, q.area_code): (q.lag_months, q.allowed_lag) for q in quality.values()}
    return exceptions(
        rows,
        ctx.month,
        previous_rows=previous_rows,
        commentary=latest_commentary(ctx.store.path, ctx.month, ctx.area),
        lags=lags,
        owners={k.code: k.owner_role for k in ctx.fw.kpis},
    )


def kpi_link(ctx: Context, kpi_code: str, area_code: str) -> str:
    """The relative link to a KPI's detail for the selected month and the given area."""
    selection = ctx.selection.only().with_(kpi=kpi_code, area=area_code)
    return "kpi?" + urlencode(selection.to_query_params())


def _count(n: int, tier: str) -> str:
    one, many = TIER_NOUNS[tier]
    return f"{n} {one if n == 1 else many}"


def headline(ctx: Context, rows: Sequence[ScorecardRow], items: Sequence[ExceptionItem]) -> None:
    """The headline sentence at the top of the home page."""
    if any(r.period is not None for r in rows):
        st.markdown(headline_sentence(ctx, rows, items))


def headline_sentence(
    ctx: Context, rows: Sequence[ScorecardRow], items: Sequence[ExceptionItem]
) -> str:
    """The headline, lead and activity KPIs counted separately, with the decisions asked for."""
    counts = tier_counts(rows)
    parts = []
    for tier in ("lead", "activity"):
        c = counts[tier]
        parts.append(
            f"{_count(c['reported'], tier)} reported: {c['improvement']} improving, "
            f"{c['concern']} in concern, {c['fail']} consistently failing their target"
        )
    decisions = sum(i.decision_required for i in items)
    asks = (
        f"**{decisions} decision{'s' if decisions != 1 else ''} for the Board** and "
        if decisions
        else "No decision is asked of the Board; "
    )
    others = len(items) - decisions
    return (
        f"**{md(ctx.area_name)}, {md(ctx.month_label)}:** " + "; ".join(parts) + ". "
        f"{asks}{others} other exception{'s' if others != 1 else ''}."
    )


def _item_lines(ctx: Context, item: ExceptionItem) -> str:
    link = kpi_link(ctx, item.kpi_code, item.area_code)
    where = "" if item.area_code == ctx.area else f", {md(item.area_name)}"
    head = (
        f"**{GROUP_WORDS[item.group]}:** [{md(item.kpi_name)}]({link}) "
        f"({md(item.kpi_code)}, {md(item.tier)} KPI{where}; owner: {md(item.owner or 'not named')})"
    )
    if item.reasons:
        head += f" — {md(item.reason_text)}."
    lines = [head]
    if item.decision:
        lines.append(f"**{md(item.decision)}**")
    said: list[str] = []
    if item.commentary:
        when = (
            ""
            if item.commentary_period == item.month
            else f" ({month_long(item.commentary_period)})"
        )
        said.append(f"Commentary{md(when)}: _{md(one_line(item.commentary, HOME_LINE))}_")
    if item.next_action is not None:
        action = item.next_action
        who = ", ".join(p for p in (action.owner, action.due) if p)
        said.append(f"Next: {md(one_line(action.text, ACTION_LINE))} ({md(who)})")
    if said:
        lines.append(" · ".join(said))
    return "  \n   ".join(lines)


def _item_short(ctx: Context, item: ExceptionItem) -> str:
    link = kpi_link(ctx, item.kpi_code, item.area_code)
    kinds = ", ".join(SHORT_REASONS.get(k, k) for k in item.reason_kinds)
    return f"[{md(item.kpi_name)} ({md(item.kpi_code)})]({link}): {md(kinds)}"


SHORT_REASONS = {
    "concern": "special-cause concern",
    "failing": "failing target",
    "worse_than_england": "significantly worse than England",
    "lost": "improvement lost",
    "slipping": "improvement slipping",
    "change_point": "suggested change point",
    "missing": "data missing",
    "late": "data late",
}


def exceptions_list(ctx: Context, items: Sequence[ExceptionItem]) -> None:
    """Exceptions and decisions: decisions first, then new concerns, then continuing ones."""
    if not items:
        empty_state(
            f"No exceptions for {md(ctx.area_name)} in {md(ctx.month_label)}: no lead or activity "
            "KPI is in special-cause concern, failing its target, slipping or lost after support "
            "ended, or late, and no decision is asked of the Board."
        )
        return
    first = items[:SHOWN_FIRST]
    with st.container(key="ican-exceptions"):
        st.markdown("\n".join(f"{i.priority}. {_item_lines(ctx, i)}" for i in first))
    rest = items[SHOWN_FIRST:]
    if rest:
        with st.expander(f"{len(rest)} more exceptions, in the same order"):
            st.markdown("\n".join(f"{i.priority}. {_item_short(ctx, i)}" for i in rest))


def cell_heading(cell: GridCell, tier: str) -> str:
    """The heading of a grid cell's list of KPIs (plain words, so its anchor is predictable)."""
    _, many = TIER_NOUNS[tier]
    return (
        f"{many[0].upper()}{many[1:]}: {VARIATION_CLASS_LABELS[cell.variation].lower()}, "
        f"{ASSURANCE_CLASS_LABELS[cell.assurance].lower()} ({cell.count})"
    )


def cell_anchor(cell: GridCell, tier: str) -> str:
    """The anchor the browser gives a cell's heading: its words in lower case, hyphenated."""
    return _SLUG.sub("-", cell_heading(cell, tier).lower()).strip("-")


def grid_table(grid: SummaryGrid) -> str:
    """One tier's summary grid as a Markdown table; each non-empty cell links to its list."""
    _, many = TIER_NOUNS[grid.tier]
    header = [f"{many[0].upper()}{many[1:]} ({grid.total})"] + [
        GRID_COLUMNS[a] for a in ASSURANCE_CLASSES
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for variation in grid.used_variations():
        cells = [f"**{VARIATION_CLASS_LABELS[variation]}**"]
        for assurance in ASSURANCE_CLASSES:
            cell = grid.cell(variation, assurance)
            cells.append(f"[{cell.count}](#{cell_anchor(cell, grid.tier)})" if cell.count else "0")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_grid(ctx: Context, rows: Sequence[ScorecardRow]) -> tuple[SummaryGrid, SummaryGrid]:
    """The Making Data Count summary grid of lead KPIs, then of activity KPIs."""
    grids = summary_grids(rows)
    with st.container(key="ican-grid"):
        st.markdown("\n\n".join(grid_table(grid) for grid in grids))
    return grids


def grid_lists(ctx: Context, rows: Sequence[ScorecardRow], grids: Sequence[SummaryGrid]) -> None:
    """The KPIs in each non-empty cell of the summary grid, each linking to its detail."""
    names = {(r.kpi_code, r.area_code): r.kpi_name for r in rows}
    parts: list[str] = []
    for grid in grids:
        for cell in grid.cells:
            if not cell.count:
                continue
            parts.append(f"### {cell_heading(cell, grid.tier)}")
            parts.append(
                "\n".join(
                    f"- [{md(names.get(key, key[0]))} ({md(key[0])})]({kpi_link(ctx, *key)})"
                    for key in cell.kpis
                )
            )
    st.markdown("\n\n".join(parts))


def commentary_beside_chart(ctx: Context, kpi_code: str, area_code: str) -> None:
    """The KPI's latest commentary for the month (or before), for beside its chart."""
    st.markdown("**Latest commentary**")
    if ctx.store is None or not ctx.month:
        st.caption("No data yet, so no commentary.")
        return
    found = [
        c for c in latest_commentary(ctx.store.path, ctx.month, area_code) if c.kpi_code == kpi_code
    ]
    if not found:
        st.caption(
            f"No commentary written for {md(ctx.month_label)} yet: the KPI's owner writes it below."
        )
        return
    words = found[0]
    lines = [f"_{md(month_long(words.period))}, {md(words.author)}_"]
    text = commentary_line(words, BESIDE_CHART)
    if text:
        lines.append(md(text))
    if words.decision_required and words.period == ctx.month:
        lines.append(f"**Decision required.** {md(decision_sentence(words.decision))}")
    action = next_action(words)
    if action is not None:
        lines.append(f"**Next action:** {md(action.sentence)}")
    with st.container(border=True, key="ican-latest-commentary"):
        st.markdown("\n\n".join(lines))
