"""Reusable pieces of pages: icons with their labels, empty states, links and tables."""

from __future__ import annotations

import base64
import dataclasses
import importlib
import importlib.util
from collections.abc import Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from scorecard import charts
from scorecard.disclosure import SUPPRESSION_NOTE, apply_suppression
from scorecard.domain import Brick, Kpi, LinkKind, Outcome, Provenance
from scorecard.framework import Thread, coverage, threads, unthreaded
from scorecard.numbers import format_value
from scorecard.periods import previous_month
from scorecard.quality import KiteMark, KpiQuality, SeriesQuality
from scorecard.scoring import (
    BoolArray,
    Change,
    KpiSeries,
    Rollup,
    ScorecardRow,
    analyse_series,
    changes_since,
    hidden_points,
    kpi_series,
    rollup,
)
from scorecard.spc import SpcResult
from scorecard.ui import data, views
from scorecard.ui.frame import (
    Context,
    empty_state,
    page_link,
    url_selectbox,
)
from scorecard.ui.views import md


def svg_data_uri(svg: str) -> str:
    """An SVG document as a data: URI (for image columns and Markdown images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def image_md(svg: str, alt: str) -> str:
    """A Markdown image of one of our own SVGs, with its text alternative."""
    return f"![{md(alt)}]({svg_data_uri(svg)})"


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame of already-escaped Markdown cells as one GitHub-flavoured Markdown table.

    Cells must come through ``md`` (which escapes ``|``); line breaks become spaces so a cell
    cannot end its row.
    """

    def cell(value: object) -> str:
        return " ".join(str(value).split())

    lines = [
        "| " + " | ".join(cell(c) for c in frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def bullet_list(items: Sequence[str]) -> None:
    """Already-escaped Markdown lines as a bulleted list."""
    if items:
        st.markdown("\n".join(f"- {item}" for item in items))


# Icons: our own static SVG (scorecard.icons) with a text label beside or as alt text.


def variation_label(variation: str) -> str:
    """What a variation icon means, in words."""
    from scorecard import icons

    return icons.variation_label(variation)


def assurance_label(assurance: str) -> str:
    """What an assurance icon means, in words."""
    from scorecard import icons

    return icons.assurance_label(assurance)


def variation_svg(variation: str) -> str:
    """The variation icon (our static SVG)."""
    from scorecard import icons

    return icons.variation_icon_svg(variation)


def assurance_svg(assurance: str) -> str:
    """The assurance icon (our static SVG)."""
    from scorecard import icons

    return icons.assurance_icon_svg(assurance)


def icons_md(variation: str, assurance: str) -> str:
    """Both icons as Markdown images whose alt text says what they mean."""
    return (
        image_md(variation_svg(variation), f"Variation: {variation_label(variation)}")
        + " "
        + image_md(assurance_svg(assurance), f"Assurance: {assurance_label(assurance)}")
    )


# Home: the executive scorecard.


@dataclass(frozen=True)
class Board:
    """Everything the home page shows for one month and area."""

    month: str
    area: str
    rows: tuple[ScorecardRow, ...]
    rollup: Rollup
    changes: tuple[Change, ...]
    quality: Mapping[str, SeriesQuality]
    sparklines: Mapping[str, str]

    @property
    def has_values(self) -> bool:
        """Whether any KPI has a value at or before the month in this area."""
        return any(r.period is not None for r in self.rows)

    def row(self, kpi_code: str) -> ScorecardRow | None:
        """The row of one KPI (None when the KPI is not reported for the area)."""
        for r in self.rows:
            if r.kpi_code == kpi_code:
                return r
        return None


def home_board(ctx: Context) -> Board | None:
    """The scorecard data for the selected month and area; None (with a message) without data."""
    if ctx.store is None or not ctx.months:
        return None  # the frame has said why (no store, or an empty one)
    path, identity = ctx.store.path, ctx.store.identity
    rows = data.scorecard_rows(path, identity, ctx.month, ctx.area)
    previous = data.scorecard_rows(path, identity, previous_month(ctx.month), ctx.area)
    quality = {q.kpi_code: q for q in data.series_quality(path, identity, ctx.month, ctx.area)}
    board = Board(
        month=ctx.month,
        area=ctx.area,
        rows=tuple(rows),
        rollup=rollup(ctx.fw, rows),
        changes=tuple(changes_since(ctx.fw, rows, previous)),
        quality=quality,
        sparklines=data.sparklines(path, identity, ctx.month, ctx.area),
    )
    if not board.has_values:
        empty_state(
            f"No data for {md(ctx.area_name)} in {md(ctx.month_label)}.",
            hint="Choose another month or area above; the outcomes are listed from the framework.",
        )
    return board


def home_summary(ctx: Context, board: Board) -> None:
    """Headline counts of the lead KPIs for the month and area."""
    leads = [r for r in board.rows if r.tier == "lead" and r.period is not None]
    if not leads:
        return
    improving = sum(r.variation.startswith("improvement") for r in leads)
    concern = sum(r.variation.startswith("concern") for r in leads)
    failing = sum(r.assurance == "fail" for r in leads)
    st.markdown(
        f"**{md(ctx.area_name)}, {md(ctx.month_label)}:** {len(leads)} lead KPIs reported; "
        f"{improving} showing improvement, {concern} showing concern, "
        f"{failing} consistently failing their target."
    )


def _outcome_lines(ctx: Context, board: Board | None, outcome: Outcome) -> list[str]:
    lines: list[str] = []
    for kpi in views.lead_kpis(ctx.fw, outcome.code):
        row = board.row(kpi.code) if board else None
        if row is None or row.period is None:
            state = "not reported for this area" if board and row is None else "no data"
            lines.append(f"{md(kpi.name)} — _{state}_")
            continue
        lines.append(
            f"{icons_md(row.variation, row.assurance)} {md(kpi.name)} — "
            f"{md(variation_label(row.variation))}; {md(assurance_label(row.assurance))}"
        )
    return lines


def outcomes_by_pillar(ctx: Context, board: Board | None) -> None:
    """The 10 outcomes grouped by their pillar, with roll-up and the icons of lead KPIs."""
    fw = ctx.fw
    pillars = [p for p in fw.pillars if any(o.pillar_code == p.code for o in fw.outcomes)]
    if not pillars:
        empty_state("The framework has no outcomes owned by a pillar.")
        return
    columns = st.columns(len(pillars), gap="medium")
    for column, pillar in zip(columns, pillars, strict=True):
        with column, st.container(key=f"ican-pillar-{pillar.code}"):
            st.subheader(f"{pillar.number}. {pillar.name}", anchor=False)
            if board is not None:
                with suppress(KeyError):
                    st.caption(md(board.rollup.node("pillar", pillar.code).summary))
            for outcome in sorted(
                (o for o in fw.outcomes if o.pillar_code == pillar.code), key=lambda o: o.number
            ):
                with st.container(key=f"ican-outcome-{outcome.number}"):
                    st.markdown(f"**Outcome {outcome.number}.** {md(outcome.wording)}")
                    if board is not None:
                        with suppress(KeyError):
                            st.caption(md(board.rollup.node("outcome", outcome.code).summary))
                        bullet_list(_outcome_lines(ctx, board, outcome))
                    page_link(
                        ctx,
                        "pages/1_golden_thread.py",
                        f"Open outcome {outcome.number}",
                        node=f"outcome:{outcome.code}",
                    )


SHORT_VARIATION = {
    "common_cause": "Common cause",
    "improvement_high": "Improving (high)",
    "improvement_low": "Improving (low)",
    "concern_high": "Concern (high)",
    "concern_low": "Concern (low)",
    "neither_high": "Special cause, neutral (high)",
    "neither_low": "Special cause, neutral (low)",
    "none": "No SPC (too few points)",
}
SHORT_ASSURANCE = {
    "pass": "passing target",
    "fail": "failing target",
    "hit_or_miss": "hit and miss target",
    "none": "no target assurance",
}
QUALITY_SYMBOLS = {"good": "● Good", "attention": "▲ Attention", "poor": "✖ Poor"}


def quality_text(quality: SeriesQuality | None) -> str:
    """A data-quality kite mark as a symbol and word (shape and text, not colour alone)."""
    if quality is None:
        return "– No data"
    return QUALITY_SYMBOLS.get(quality.kite_mark.overall, quality.kite_mark.overall)


def lead_kpi_frame(ctx: Context, board: Board) -> pd.DataFrame:
    """The integrated-performance-report table of lead KPIs, as Markdown cells.

    Icons are our own SVGs as images whose alt text says what they mean, with the meaning also
    written beside them; every word from the framework is escaped.
    """
    records: list[dict[str, str]] = []
    leads = [r for r in board.rows if r.tier == "lead"]
    # In outcome order, as the Board reads the outcomes above the table.
    leads.sort(key=lambda r: (min(r.outcome_numbers, default=99), r.outcome_numbers))
    for row in leads:
        kpi = ctx.fw.kpi(row.kpi_code)
        value = (
            "\\* (suppressed)"
            if row.suppressed
            else md(format_value(row.value, row.unit))
            + (" (provisional)" if row.provisional else "")
        )
        link = "kpi?" + urlencode(ctx.selection.only().with_(kpi=row.kpi_code).to_query_params())
        short_variation = SHORT_VARIATION.get(row.variation, row.variation)
        short_assurance = SHORT_ASSURANCE.get(row.assurance, row.assurance)
        spark = board.sparklines.get(row.kpi_code)
        quality = board.quality.get(row.kpi_code)
        records.append(
            {
                "Outcome": ", ".join(str(n) for n in row.outcome_numbers) or "–",
                "KPI": f"[{md(row.kpi_name)}]({link}) ({md(row.kpi_code)})",
                "Period": md(views.month_label(row.period)) if row.period else "No data",
                "Value": value if row.period else "–",
                "Target": md(format_value(row.target, row.unit))
                if row.target is not None
                else "None set",
                "Variation": image_md(variation_svg(row.variation), short_variation)
                + f" {md(short_variation)}",
                "Assurance": image_md(assurance_svg(row.assurance), short_assurance)
                + f" {md(short_assurance)}",
                "Trend": image_md(spark, "Trend over the last 24 months") if spark else "–",
                "Data quality": (
                    image_md(
                        kite_svg(quality.kite_mark, 26), f"Data quality {quality_text(quality)}"
                    )
                    + f" {md(quality_text(quality))}"
                )
                if quality
                else "No data",
                "Owner": md(kpi.owner_role),
            }
        )
    return pd.DataFrame.from_records(records)


def lead_kpi_table(ctx: Context, board: Board) -> None:
    """The lead-KPI table (a real HTML table), each KPI linking to its detail page."""
    frame = lead_kpi_frame(ctx, board)
    if frame.empty:
        empty_state(f"No lead KPIs are reported for {md(ctx.area_name)}.")
        return
    st.caption(
        "Each row is a lead KPI for the area and month chosen above. Icons follow NHS England's "
        "Making Data Count: the variation icon says whether the latest point is a special cause "
        "(improving or concerning) or common cause; the assurance icon whether the target will "
        "be met; their meanings are written beside them. A KPI's name opens its detail in a new "
        "tab; the links under the table open it here."
    )
    with st.container(key="ican-ipr"):
        # One Markdown table, not st.table: the browser draws it as a single element, which
        # keeps the home page's warm load close to an empty page's (bench/bench_app.py).
        st.markdown(markdown_table(frame))
    with st.container(horizontal=True, key="ican-ipr-links"):
        for row in board.rows:
            if row.tier == "lead":
                page_link(ctx, "pages/2_kpi.py", f"{row.kpi_code}", kpi=row.kpi_code)


def changes(ctx: Context, board: Board) -> None:
    """New special causes and targets newly at risk since the previous month, in sentences."""
    before = views.month_label(previous_month(board.month))
    if not board.changes:
        empty_state(
            f"Nothing changed for {md(ctx.area_name)} between {md(before)} and "
            f"{md(ctx.month_label)}: no new special causes and no target newly at risk."
        )
        return
    headline = [c for c in board.changes if c.kind in ("new_special_cause", "target_newly_at_risk")]
    other = [c for c in board.changes if c not in headline]
    st.markdown(
        f"Compared with {md(before)}: **{len(headline)}** new special causes or targets newly at "
        f"risk, {len(other)} other changes."
    )
    lead_first = sorted(headline, key=lambda c: c.tier != "lead")
    bullet_list([md(c.sentence) for c in lead_first[:12]])
    if len(lead_first) > 12:
        st.caption(f"…and {len(lead_first) - 12} more.")
    if other:
        with st.expander(f"Other changes ({len(other)})"):
            bullet_list([md(c.sentence) for c in other])


# Golden-thread explorer.


def kpi_states(ctx: Context) -> dict[str, ScorecardRow]:
    """Each KPI's scorecard row for the selected month and area (empty without data)."""
    if ctx.store is None or not ctx.month:
        return {}
    rows = data.scorecard_rows(ctx.store.path, ctx.store.identity, ctx.month, ctx.area)
    return {r.kpi_code: r for r in rows}


def state_text(row: ScorecardRow | None) -> str:
    """A KPI's state in words (variation; assurance), or why there is none."""
    if row is None:
        return "not reported for this area"
    if row.period is None:
        return "no data"
    return f"{variation_label(row.variation)}; {assurance_label(row.assurance)}"


THREAD_COLUMNS = (
    "ICS population outcome",
    "ICP ambition",
    "iCAN outcome",
    "Lead KPI",
    "Activity KPI",
    "I-statement",
)


def threads_frame(
    ctx: Context, paths: Sequence[Thread], states: Mapping[str, ScorecardRow]
) -> pd.DataFrame:
    """Threads as the documents' scorecard shows them, with the KPIs' current state."""
    records: list[dict[str, str]] = []
    for t in paths:
        cells = t.cells(ctx.fw)
        record = dict(zip(THREAD_COLUMNS, cells, strict=True))
        record["iCAN outcome"] = f"Outcome {t.outcome}: {cells[2]}"
        record["Lead KPI state"] = state_text(states.get(t.lead_kpi)) if states else ""
        if t.activity_kpi:
            record["Activity KPI state"] = state_text(states.get(t.activity_kpi)) if states else ""
        else:
            record["Activity KPI"] = "Gap: no activity KPI linked"
            record["Activity KPI state"] = ""
        if not t.i_statement:
            record["I-statement"] = "Gap: no I-statement linked"
        record["From the documents?"] = (
            "Yes: every link is stated in the documents"
            if t.provenance == Provenance.SEED
            else "No: at least one link is proposed by the team (illustrative)"
        )
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if not states and not frame.empty:
        frame = frame.drop(columns=["Lead KPI state", "Activity KPI state"])
    return frame


def document_threads(ctx: Context, paths: Sequence[Thread]) -> None:
    """The documents' three example scorecard rows, reproduced from the link tables."""
    rows = views.document_rows(ctx.fw, paths)
    if not rows:
        empty_state("The framework's links do not cite the documents' example scorecard rows.")
        return
    states = kpi_states(ctx)
    frame = threads_frame(ctx, [t for _, t in rows], states)
    frame.insert(0, "Row", [f"Example row {n}" for n, _ in rows])
    frame = frame.drop(columns=["From the documents?"])
    # st.table renders Markdown in its cells: make the framework's words inert.
    st.table(frame.set_index("Row").map(md))


def node_picker(ctx: Context) -> str:
    """The node select box (mirrors the URL's ``node``); returns the chosen key or ""."""
    catalogue = views.nodes(ctx.fw)
    with ctx.slot or st.container():
        return url_selectbox(
            "Node of the golden thread",
            "node",
            list(catalogue),
            ctx.selection.node,
            {k: views.short(n.label, 110) for k, n in catalogue.items()},
            allow_none="Overview: the documents' example rows",
            help_text="Type to search: population outcomes, ambitions, outcomes, KPIs, bricks, "
            "I-statements.",
        )


def _node_line(ctx: Context, node: views.Node, states: Mapping[str, ScorecardRow]) -> str:
    parts = [f"**{md(node.kind_label)} {md(node.code)}**: {md(node.name)}"]
    if node.placeholder:
        parts.append("— _gap: a placeholder the programme has not filled in_")
    elif node.provenance == Provenance.ILLUSTRATIVE:
        parts.append("— _illustrative: proposed by the team, not in the documents_")
    if node.kind in ("lead_kpi", "activity_kpi", "system_kpi") and states:
        row = states.get(node.code)
        icons = icons_md(row.variation, row.assurance) + " " if row and row.period else ""
        parts.append(f"— {icons}{md(state_text(row))}")
    return " ".join(parts)


def node_list(
    ctx: Context,
    title: str,
    keys: Sequence[str],
    states: Mapping[str, ScorecardRow],
    *,
    focus_links: bool = False,
) -> None:
    """A group of nodes with their state, one list; links to KPI detail (and to focus, if asked).

    Kept to one Markdown list and a few links: a page of a hundred links is slow to paint.
    """
    catalogue = views.nodes(ctx.fw)
    shown = [catalogue[k] for k in keys if k in catalogue]
    st.subheader(f"{title} ({len(shown)})", anchor=False)
    if not shown:
        st.caption("Nothing.")
        return
    bullet_list([_node_line(ctx, node, states) for node in shown])
    kpis = [n for n in shown if n.kind in ("lead_kpi", "activity_kpi", "system_kpi")]
    with st.container(horizontal=True, key=f"ican-links-{title}".replace(" ", "-")):
        if focus_links:
            for node in shown:
                page_link(ctx, "pages/1_golden_thread.py", f"Focus on {node.code}", node=node.key)
        for node in kpis:
            page_link(ctx, "pages/2_kpi.py", f"KPI detail: {node.code}", kpi=node.code)


def explorer(ctx: Context, key: str) -> None:
    """Everything above and below a node, as a Sankey, lists and the threads through it."""
    fw = ctx.fw
    catalogue = views.nodes(fw)
    node = catalogue[key]
    states = kpi_states(ctx)
    hood = views.neighbourhood(fw, key)
    st.markdown(_node_line(ctx, node, states))
    levels = views.levels_above(fw, hood)
    if levels:
        path = " › ".join(
            ", ".join(
                md(views.short(n.name, 40)) + (" (brick)" if n.kind == "brick" else "")
                for n in level
            )
            for level in levels
        )
        st.caption(f"Above it: {path}")
    if len(hood.members) > 1:
        fig = views.thread_sankey(fw, hood, {c: state_text(r) for c, r in states.items()})
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False})
        st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")
    else:
        empty_state(
            f"{md(node.kind_label)} {md(node.code)} is not linked to anything yet: a gap in the "
            "golden thread."
        )
    paths = views.threads_through(fw, threads(fw), key)
    st.subheader(f"Threads through {node.code} ({len(paths)})", anchor=False)
    if paths:
        st.dataframe(threads_frame(ctx, paths, states), hide_index=True, width="stretch")
    else:
        st.caption(
            "No complete thread (population outcome to I-statement) passes through this node: "
            "a gap in the golden thread."
        )
    up, down, side = st.columns(3, gap="medium")
    with up:
        node_list(ctx, "Above", hood.above, states, focus_links=True)
    with down:
        node_list(ctx, "Below", hood.below, states)
    with side:
        node_list(ctx, "Bricks delivering it", hood.beside, states)


def thread_gaps(ctx: Context, *, outcomes: bool = True) -> None:
    """Placeholders, illustrative items and unlinked nodes, listed as gaps.

    ``outcomes=False`` leaves out the outcomes without a lead KPI (for a page that lists them).
    """
    fw = ctx.fw
    catalogue = views.nodes(fw)
    cov = coverage(fw)
    placeholders = [k for k, n in catalogue.items() if n.placeholder]
    loose = views.unlinked(fw)
    outside = unthreaded(fw)
    illustrative = [k for k, n in catalogue.items() if n.provenance == Provenance.ILLUSTRATIVE]
    lines = [
        f"**Placeholders** ({len(placeholders)}): "
        + (", ".join(md(catalogue[k].label) for k in placeholders) or "none"),
        f"**Not linked at all** ({len(loose)}): "
        + (", ".join(md(catalogue[k].label) for k in loose) or "none"),
        f"**KPIs in no complete thread** ({len(outside.kpis)}): "
        + (", ".join(md(c) for c in outside.kpis) or "none"),
        f"**I-statements in no complete thread** ({len(outside.i_statements)}): "
        + (", ".join(md(c) for c in outside.i_statements) or "none"),
        *(
            [
                "**Outcomes without a lead KPI**: "
                + (", ".join(str(n) for n in cov.outcomes_without_lead_kpi) or "none")
            ]
            if outcomes
            else []
        ),
        f"**Illustrative items** (proposed by the team, not in the documents): {len(illustrative)}",
    ]
    bullet_list(lines)


def outcome_links(ctx: Context) -> None:
    """A link per outcome to focus the explorer on it."""
    with st.container(horizontal=True):
        for outcome in sorted(ctx.fw.outcomes, key=lambda o: o.number):
            page_link(
                ctx,
                "pages/1_golden_thread.py",
                f"Outcome {outcome.number}: {views.short(outcome.wording, 44)}",
                node=f"outcome:{outcome.code}",
            )


# KPI detail.


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
        return f"From the iCAN documents ({item.source})"
    return f"Illustrative: proposed by the team where the documents are silent ({item.source})"


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
        else "None recorded"
    )
    trajectory = [t for t in ctx.fw.trajectories if t.kpi_code == kpi.code]
    if trajectory:
        areas = sorted({t.area_code for t in trajectory})
        target = f"Monthly trajectory for {', '.join(areas)}"
        if kpi.target_value is not None:
            target += f"; otherwise {format_value(kpi.target_value, str(kpi.unit))}"
    elif kpi.target_value is not None:
        target = format_value(kpi.target_value, str(kpi.unit))
    else:
        target = "None set"
    if kpi.target_note:
        target += f" — {kpi.target_note}"
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


RESULT_TYPE_LABELS = {
    "how_much": "How much did we do?",
    "how_well": "How well did we do it?",
    "better_off": "Is anyone better off?",
}


@dataclass(frozen=True)
class KpiView:
    """One KPI × area up to the month: its series, SPC reading and disclosure state."""

    kpi: Kpi
    area: str
    series: KpiSeries
    result: SpcResult
    hidden: BoolArray  # points disclosure control leaves out of the chart (shown as *)

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
    return KpiView(kpi, area, series, result, hidden)


def drawn_result(view: KpiView) -> SpcResult:
    """The SPC result as the chart draws it: suppressed points left out (as in the pack).

    Limits, centre lines and icons are unchanged (worked out from every value); only the
    hidden points' values become gaps, so they are neither drawn nor hovered.
    """
    if not view.suppressed_any:
        return view.result
    pts = view.result.points
    values = np.where(view.hidden, np.nan, pts.values)
    values.setflags(write=False)
    states = tuple(
        "missing" if hide else state
        for hide, state in zip(view.hidden, pts.point_state, strict=True)
    )
    shown = np.flatnonzero(~view.hidden & np.isfinite(pts.values))
    latest = int(shown[-1]) if shown.size else None
    return dataclasses.replace(
        view.result,
        points=dataclasses.replace(pts, values=values, point_state=states),
        latest_index=latest,
    )


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
    )
    fig.update_layout(height=420)
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-spc")
    st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")
    if view.suppressed_any:
        st.caption(
            f"{int(view.hidden.sum())} point(s) not drawn: {md(SUPPRESSION_NOTE)} "
            "They show as * in the numbers below; the icons and limits use the full data."
        )


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
                "mean": _num(pts.mean[i]),
                "upper_process_limit": _num(pts.upl[i]),
                "lower_process_limit": _num(pts.lpl[i]),
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
    bullet_list([_node_line(ctx, n, {}) for n in above])
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
        column_config={
            "Variation": st.column_config.ImageColumn("Variation", width="small"),
            "Assurance": st.column_config.ImageColumn("Assurance", width="small"),
        },
    )


def values_frame(ctx: Context, kpi: Kpi, area: str) -> pd.DataFrame:
    """Every stored version of the KPI's values in an area, with load, status and revisions."""
    if ctx.store is None:
        return pd.DataFrame()
    history = data.history(ctx.store.path, ctx.store.identity, kpi.code, area)
    if history.empty:
        return pd.DataFrame()
    frame = apply_suppression(ctx.fw, history)
    if ctx.month:
        frame = frame.loc[frame["period"].astype(str) <= ctx.month]
    superseded = frame["superseded_by"] if "superseded_by" in frame.columns else None
    out = pd.DataFrame(
        {
            "Period": frame["period"].astype(str),
            "Value": [
                "*" if bool(s) else v
                for s, v in zip(frame["suppressed"], frame["value"], strict=True)
            ],
            "Numerator": frame.get("numerator"),
            "Denominator": frame.get("denominator"),
            "Status": frame.get("status"),
            "Version": [
                "current" if (superseded is None or pd.isna(x)) else f"revised by load {int(x)}"
                for x in (superseded if superseded is not None else [None] * len(frame))
            ],
            "Load": frame.get("load_id"),
            "File": frame.get("file_name"),
            "Loaded at (UTC)": frame.get("loaded_at"),
            "Note": frame.get("note"),
            "Synthetic": frame.get("synthetic"),
        }
    )
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
    st.dataframe(frame, hide_index=True, width="stretch", height=320)
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


# I-statements.


def _kpi_state_link(ctx: Context, kpi: Kpi, states: Mapping[str, ScorecardRow]) -> None:
    if not states:
        st.markdown(f"**{md(kpi.code)}** {md(kpi.name)}")
        return
    row = states.get(kpi.code)
    icons = icons_md(row.variation, row.assurance) + " " if row and row.period else ""
    st.markdown(f"{icons}**{md(kpi.code)}** {md(kpi.name)} — {md(state_text(row))}")


def i_statements_view(ctx: Context) -> None:
    """Each I-statement by collection and domain with the KPIs evidencing it and their state."""
    fw = ctx.fw
    states = kpi_states(ctx)
    kpis = {k.code: k for k in fw.kpis}
    only_kpi = ctx.selection.kpi
    chosen = (
        ctx.selection.node[len("i_statement:") :]
        if ctx.selection.node.startswith("i_statement:")
        else ""
    )
    statements = list(fw.i_statements)
    if only_kpi:
        wanted = set(fw.linked(LinkKind.KPI_I_STATEMENT, only_kpi))
        statements = [s for s in statements if s.code in wanted]
        st.markdown(
            f"Showing the {len(statements)} I-statements evidenced by "
            f"**{md(only_kpi)}** {md(kpis[only_kpi].name)}."
        )
        page_link(ctx, "pages/4_i_statements.py", "Show every I-statement")
        page_link(ctx, "pages/2_kpi.py", f"Back to {only_kpi}", kpi=only_kpi)
    if chosen:
        statements.sort(key=lambda s: s.code != chosen)
    evidenced = {
        s.code: [kpis[c] for c in fw.linked_to(LinkKind.KPI_I_STATEMENT, s.code) if c in kpis]
        for s in statements
    }
    without = [s for s in statements if not evidenced[s.code]]
    collections = list(dict.fromkeys(s.collection for s in statements))
    for collection in collections:
        st.header(collection or "Other statements", anchor=False)
        in_collection = [s for s in statements if s.collection == collection]
        for domain in dict.fromkeys(s.domain for s in in_collection):
            if domain:
                st.subheader(domain, anchor=False)
            for statement in (s for s in in_collection if s.domain == domain):
                key = f"ican-statement-{statement.code}"
                with st.container(key=key, border=True):
                    marker = "**Selected:** " if statement.code == chosen else ""
                    variant = (
                        f" (a wording of {md(statement.variant_of)})"
                        if statement.variant_of
                        else ""
                    )
                    st.markdown(f"{marker}“{md(statement.text)}” — {md(statement.code)}{variant}")
                    linked = evidenced[statement.code]
                    if not linked:
                        st.caption("No KPI evidences this statement yet.")
                        continue
                    st.caption(f"Evidenced by {len(linked)} KPI{'s' if len(linked) != 1 else ''}:")
                    for kpi in linked:
                        _kpi_state_link(ctx, kpi, states)
                    with st.container(horizontal=True):
                        for kpi in linked:
                            page_link(ctx, "pages/2_kpi.py", f"Open {kpi.code}", kpi=kpi.code)
    st.header("Statements with no evidence yet", anchor=False)
    if without:
        bullet_list([f"“{md(s.text)}” — {md(s.code)} ({md(s.collection)})" for s in without])
    else:
        st.markdown("None: every statement shown is evidenced by at least one KPI.")


# Bricks.


def brick_filters(ctx: Context) -> tuple[str, str, str]:
    """Pillar, brick and owner filters (each mirrors its URL parameter)."""
    fw = ctx.fw
    pillar_col, brick_col, owner_col = st.columns(3)
    with pillar_col:
        pillar = url_selectbox(
            "Pillar",
            "pillar",
            [p.code for p in fw.pillars],
            ctx.selection.pillar,
            {p.code: f"{p.number}. {p.name}" for p in fw.pillars},
            allow_none="All pillars",
        )
    bricks = [b for b in fw.bricks if not pillar or b.pillar_code == pillar]
    with brick_col:
        brick = url_selectbox(
            "Brick",
            "brick",
            [b.code for b in bricks],
            ctx.selection.brick,
            {b.code: b.name for b in bricks},
            allow_none="All bricks",
        )
    with owner_col:
        owner = url_selectbox(
            "Owner",
            "owner",
            views.owners(fw),
            ctx.selection.owner,
            {},
            allow_none="All owners",
        )
    return pillar, brick, owner


def bricks_view(ctx: Context, pillar: str, brick: str, owner: str) -> None:
    """Pillar → brick → activity KPIs with their tags, each beside the lead KPI it supports."""
    fw = ctx.fw
    states = kpi_states(ctx)
    kpis = {k.code: k for k in fw.kpis}
    shown = 0
    for p in fw.pillars:
        if pillar and p.code != pillar:
            continue
        bricks = [
            b for b in fw.bricks if b.pillar_code == p.code and (not brick or b.code == brick)
        ]
        blocks: list[tuple[Brick, list[Kpi]]] = []
        for b in bricks:
            activity = [
                kpis[c]
                for c in fw.linked(LinkKind.BRICK_ACTIVITY_KPI, b.code)
                if c in kpis and (not owner or kpis[c].owner_role == owner)
            ]
            if activity or not owner:
                blocks.append((b, activity))
        if not blocks:
            continue
        st.header(f"{p.number}. {p.name}", anchor=False)
        for b, activity in blocks:
            confidence = {"H": "high", "M": "medium", "L": "low"}.get(b.confidence, b.confidence)
            st.subheader(b.name, anchor=False)
            st.caption(
                f"Brick {md(b.code)}; reconstructed from the documents with {md(confidence)} "
                "confidence."
            )
            if not activity:
                st.caption("No activity KPI for this brick yet: a gap.")
                continue
            for kpi in activity:
                shown += 1
                _activity_row(ctx, kpi, states, b.code)
    if shown == 0:
        empty_state("No activity KPI matches these filters.", hint="Clear a filter above.")


def _activity_row(
    ctx: Context, kpi: Kpi, states: Mapping[str, ScorecardRow], brick_code: str
) -> None:
    fw = ctx.fw
    kpis = {k.code: k for k in fw.kpis}
    tag = RESULT_TYPE_LABELS.get(str(kpi.result_type), "No results-based accountability tag")
    with st.container(key=f"ican-activity-{brick_code}-{kpi.code}", border=True):
        left, right = st.columns(2, gap="medium")
        with left:
            st.markdown(f"**Activity KPI** · _{md(tag)}_")
            _kpi_state_link(ctx, kpi, states)
            st.caption(f"Owner: {md(kpi.owner_role)}")
            page_link(ctx, "pages/2_kpi.py", f"Open {kpi.code}", kpi=kpi.code)
        with right:
            leads = [
                kpis[c] for c in fw.linked_to(LinkKind.LEAD_ACTIVITY_KPI, kpi.code) if c in kpis
            ]
            st.markdown("**Supports lead KPI**")
            if not leads:
                st.caption("Supports no lead KPI yet: a gap in the golden thread.")
            for lead in leads:
                _kpi_state_link(ctx, lead, states)
                page_link(ctx, "pages/2_kpi.py", f"Open {lead.code}", kpi=lead.code)


# Assurance.

RATING_FILL = {"good": "#007F3B", "attention": "#FFB81C", "poor": "#DA291C"}
RATING_LETTER = {"good": "G", "attention": "A", "poor": "P"}


def kite_svg(mark: KiteMark, size: int = 44) -> str:
    """A kite mark drawn as a diamond of wedges, one per dimension, coloured by rating.

    Our own static markup: only fixed colours, numbers and a one-letter overall rating (G, A,
    P), so shape and letter carry the meaning as well as colour.
    """
    marks = list(mark.marks)
    n = max(len(marks), 1)
    cx = cy = 50.0
    corners = [(50.0, 4.0), (96.0, 50.0), (50.0, 96.0), (4.0, 50.0)]
    perimeter = [*corners, corners[0]]

    def point_at(t: float) -> tuple[float, float]:
        side = min(int(t * 4), 3)
        local = t * 4 - side
        (x0, y0), (x1, y1) = perimeter[side], perimeter[side + 1]
        return x0 + (x1 - x0) * local, y0 + (y1 - y0) * local

    wedges: list[str] = []
    for i, item in enumerate(marks):
        start, end = i / n, (i + 1) / n
        pts = [(cx, cy), point_at(start)]
        pts += [c for k, c in enumerate(corners) if start < k / 4 < end]
        pts.append(point_at(end - 1e-9))
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        fill = RATING_FILL.get(item.rating, "#D8DDE0")
        wedges.append(f'<polygon points="{path}" fill="{fill}" stroke="#FFFFFF" stroke-width="2"/>')
    overall = mark.overall
    letter = RATING_LETTER.get(overall, "?")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="Data quality {overall}">'
        f"<title>Data quality {overall}</title>"
        + "".join(wedges)
        + '<circle cx="50" cy="50" r="17" fill="#FFFFFF" stroke="#212B32" stroke-width="2"/>'
        + f'<text x="50" y="58" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-weight="bold" font-size="22" fill="#212B32">{letter}</text></svg>'
    )


def quality_frame(items: Sequence[KpiQuality]) -> pd.DataFrame:
    """One row per KPI: the kite mark, its overall rating and each dimension with a symbol."""
    records: list[dict[str, object]] = []
    for item in items:
        record: dict[str, object] = {
            "KPI": f"{item.kpi_name} ({item.kpi_code})",
            "Kite mark": svg_data_uri(kite_svg(item.kite_mark)),
            "Overall": QUALITY_SYMBOLS.get(item.kite_mark.overall, item.kite_mark.overall),
            "Latest period": views.month_label(item.reference_period)
            if item.reference_period
            else "No data",
            "Areas reporting": f"{item.areas_reporting} of {item.areas_expected}",
        }
        for mark in item.kite_mark.marks:
            record[mark.label] = QUALITY_SYMBOLS.get(mark.rating, mark.rating)
        record["Why"] = (
            " ".join(f"{m.label}: {m.sentence}" for m in item.kite_mark.marks if m.rating != "good")
            or "Every dimension is good."
        )
        records.append(record)
    return pd.DataFrame.from_records(records)


def assurance_quality(ctx: Context) -> None:
    """Data quality per KPI as kite marks (timeliness, completeness, validation, …)."""
    if ctx.store is None or not ctx.month:
        empty_state("No data quality to show: there are no KPI values yet.")
        return
    items = data.kpi_quality(ctx.store.path, ctx.store.identity, ctx.month)
    frame = quality_frame(items)
    if frame.empty:
        empty_state(f"No KPI has values up to {md(ctx.month_label)}.")
        return
    counts = frame["Overall"].value_counts()
    st.markdown(
        f"Up to **{md(ctx.month_label)}**, across all areas: "
        + ", ".join(f"{int(n)} KPIs {md(label)}" for label, n in counts.items())
        + ". Each kite mark is a diamond of wedges, one per dimension (timeliness against "
        "frequency, completeness across areas, validation, sign-off, audit of revisions, "
        "source), with the overall rating as a letter: G good, A attention, P poor."
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        row_height=48,
        column_config={
            "Kite mark": st.column_config.ImageColumn("Kite mark", width="small"),
            "KPI": st.column_config.TextColumn("KPI", width="large"),
            "Why": st.column_config.TextColumn("Why", width="large"),
        },
    )


# Column headings for tables read straight from the store (unknown columns keep their name).
STORE_COLUMN_LABELS: Mapping[str, str] = {
    "load_id": "Load",
    "file_name": "File",
    "sha256": "SHA-256",
    "kind": "Kind",
    "rows": "Rows",
    "new_rows": "New",
    "revisions": "Revised",
    "unchanged": "Unchanged",
    "loaded_by": "Loaded by",
    "loaded_at": "Loaded at (UTC)",
    "synthetic": "Synthetic",
    "kpi_code": "KPI",
    "area_code": "Area",
    "period": "Period",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "status": "Status",
    "note": "Note",
    "superseded_by": "Replaced by load",
    "suppressed": "Suppressed",
}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A store table with headings people read (``load_id`` → "Load")."""
    return frame.rename(columns=lambda c: STORE_COLUMN_LABELS.get(str(c), str(c)))


def load_log(ctx: Context) -> None:
    """The load log: every file loaded, with counts of new, revised and unchanged rows."""
    if ctx.store is None:
        empty_state("No load log: the store has not been built yet.")
        return
    loads = data.loads(ctx.store.path, ctx.store.identity)
    if loads.empty:
        empty_state("Nothing has been loaded into the store yet.")
        return
    st.dataframe(readable(loads), hide_index=True, width="stretch")


def revisions(ctx: Context) -> None:
    """Values revised after their first load: the old value, the new one and both loads."""
    if ctx.store is None:
        return
    old = data.revised_values(ctx.store.path, ctx.store.identity)
    if old.empty:
        empty_state("No revisions: no stored value has been replaced by a later load.")
        return
    shown = apply_suppression(ctx.fw, old)
    st.markdown(
        f"{len(old)} {'value has' if len(old) == 1 else 'values have'} been revised by a later "
        "load; the old values are kept."
    )
    st.dataframe(readable(shown), hide_index=True, width="stretch", height=300)


FRAMEWORK_PARTS: Mapping[str, str] = {
    "population_outcomes": "ICS population outcomes",
    "ambitions": "ICP ambitions",
    "pillars": "Pillars and streams",
    "outcomes": "iCAN outcomes",
    "bricks": "Bricks",
    "kpis": "KPIs",
    "i_statements": "I-statements",
    "links": "Links between them",
}


def coverage_section(ctx: Context) -> None:
    """Golden-thread coverage (what is linked) and its gaps."""
    cov = coverage(ctx.fw)
    lines = [
        "**Outcomes without a lead KPI:** "
        + (", ".join(str(n) for n in cov.outcomes_without_lead_kpi) or "none"),
        "**Bricks without an activity KPI:** "
        + (", ".join(md(c) for c in cov.bricks_without_activity_kpi) or "none"),
        "**KPIs without an I-statement:** "
        + (", ".join(md(c) for c in cov.kpis_without_i_statement) or "none"),
        "**I-statements without a KPI as evidence:** "
        + (", ".join(md(c) for c in cov.i_statements_without_kpi) or "none"),
    ]
    bullet_list(lines)
    prov = pd.DataFrame(
        {
            "Part of the framework": [FRAMEWORK_PARTS.get(k, k) for k in cov.seed],
            "From the documents": [cov.seed[k] for k in cov.seed],
            "Illustrative (proposed by the team)": [cov.illustrative.get(k, 0) for k in cov.seed],
        }
    )
    st.dataframe(prov, hide_index=True)
    thread_gaps(ctx, outcomes=False)


def missing_baselines(ctx: Context) -> None:
    """KPIs without a baseline or without a target (or trajectory)."""
    with_trajectory = {t.kpi_code for t in ctx.fw.trajectories}
    records = [
        {
            "KPI": f"{k.name} ({k.code})",
            "Tier": str(k.tier),
            "Baseline": "missing" if k.baseline_value is None else "recorded",
            "Target or trajectory": "missing"
            if k.target_value is None and k.code not in with_trajectory
            else "set",
            "Owner": k.owner_role,
        }
        for k in ctx.fw.kpis
        if k.baseline_value is None or (k.target_value is None and k.code not in with_trajectory)
    ]
    if not records:
        st.markdown("Every KPI has a baseline and a target or trajectory.")
        return
    st.markdown(f"{len(records)} of {len(ctx.fw.kpis)} KPIs lack a baseline or a target.")
    st.dataframe(pd.DataFrame.from_records(records), hide_index=True, width="stretch")


def synthetic_share(ctx: Context) -> None:
    """How much of the data is synthetic and how much is real, by KPI tier."""
    if ctx.store is None:
        empty_state("No values stored yet, synthetic or real.")
        return
    table = data.synthetic_counts(ctx.store.path, ctx.store.identity)
    if table.empty:
        empty_state("No values stored yet, synthetic or real.")
        return
    synthetic = int(table["Synthetic"].sum())
    total = int(table["Total"].sum())
    st.markdown(
        f"**{synthetic:,} of {total:,}** current values are synthetic demo data; "
        f"{total - synthetic:,} are real."
    )
    st.dataframe(table, hide_index=True)
