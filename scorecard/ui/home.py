"""The executive scorecard (home): outcomes by pillar, the lead-KPI table, what changed."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from scorecard.data.provenance import NOT_PUBLISHED
from scorecard.reports.comparisons import with_benchmarks
from scorecard.reports.scoring import ScorecardRow
from scorecard.reports.scoring_changes import Change, changes_since
from scorecard.reports.scoring_rollup import Rollup, StateCounts, rollup
from scorecard.statistics.quality import SeriesQuality
from scorecard.thread.domain import Outcome
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import previous_month
from scorecard.ui import data, views
from scorecard.ui.benchmark import versus_england
from scorecard.ui.display import (
    assurance_svg,
    bullet_list,
    icons_md,
    image_md,
    kite_svg,
    markdown_table,
    quality_text,
    variation_svg,
)
from scorecard.ui.frame import Context, empty_state, page_link
from scorecard.ui.views import md


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
    previous: tuple[ScorecardRow, ...] = ()  # the month before's rows (new or continuing)

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
    split = data.comparison_split(path, identity)
    rows = with_benchmarks(data.scorecard_rows(path, identity, ctx.month, ctx.area), ctx.fw, split)
    previous = with_benchmarks(
        data.scorecard_rows(path, identity, previous_month(ctx.month), ctx.area), ctx.fw, split
    )
    quality = {q.kpi_code: q for q in data.series_quality(path, identity, ctx.month, ctx.area)}
    board = Board(
        month=ctx.month,
        area=ctx.area,
        rows=tuple(rows),
        rollup=rollup(ctx.fw, rows),
        changes=tuple(changes_since(ctx.fw, rows, previous)),
        quality=quality,
        sparklines=data.sparklines(path, identity, ctx.month, ctx.area),
        previous=tuple(previous),
    )
    if not board.has_values:
        empty_state(
            f"No data for {md(ctx.area_name)} in {md(ctx.month_label)}.",
            hint="Choose another month or area above; the outcomes are listed from the framework.",
        )
    return board


NOTABLE_VARIATION = {
    "improvement": "improving",
    "concern": "special-cause concern",
    "neither": "unusual (neutral KPI)",
    "none": "too few points for SPC",
}
NOTABLE_ASSURANCE = {"pass": "passing its target", "fail": "failing its target"}
NOTABLE_SUSTAIN = {"slipping": "improvement slipping", "lost": "improvement lost"}


def notable(row: ScorecardRow) -> str:
    """What is worth saying about a KPI's month, only what differs from 'no change'."""
    parts = [
        NOTABLE_VARIATION.get(row.variation.split("_")[0], ""),
        NOTABLE_ASSURANCE.get(row.assurance, ""),
        NOTABLE_SUSTAIN.get(row.sustainability, ""),
    ]
    said = [p for p in parts if p]
    return ", ".join(said) if said else "no significant change"


def counts_words(counts: StateCounts, noun: str) -> str:
    """A node's lead KPIs in a few words: how many, and only the states some of them are in."""
    improving = sum(n for v, n in counts.variation.items() if v.startswith("improvement"))
    concern = sum(n for v, n in counts.variation.items() if v.startswith("concern"))
    parts = [
        f"{improving} improving" if improving else "",
        f"{concern} in concern" if concern else "",
        f"{counts.assurance.get('fail', 0)} failing target" if counts.assurance.get("fail") else "",
        f"{counts.assurance.get('pass', 0)} passing target" if counts.assurance.get("pass") else "",
    ]
    said = [p for p in parts if p]
    head = f"{counts.total} {noun}{'s' if counts.total != 1 else ''}"
    return f"{head}: " + ", ".join(said) if said else f"{head}: no significant change"


def _outcome_lines(ctx: Context, board: Board | None, outcome: Outcome) -> list[str]:
    lines: list[str] = []
    for kpi in views.lead_kpis(ctx.fw, outcome.code):
        row = board.row(kpi.code) if board else None
        if row is None or row.period is None:
            state = "not reported for this area" if board and row is None else "no data"
            if board and row is not None and not ctx.synthetic and not kpi.source_key:
                state = NOT_PUBLISHED  # a store of published figures: say why there is none
            lines.append(f"{md(kpi.name)}: _{md(state)}_")
            continue
        lines.append(
            f"{icons_md(row.variation, row.assurance)} {md(kpi.name)}: **{md(notable(row))}**"
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
                    lead = board.rollup.node("pillar", pillar.code).lead
                    st.caption(md(counts_words(lead, "lead KPI")))
            for outcome in sorted(
                (o for o in fw.outcomes if o.pillar_code == pillar.code), key=lambda o: o.number
            ):
                with st.container(key=f"ican-outcome-{outcome.number}"):
                    lines = [f"**Outcome {outcome.number}.** {md(outcome.wording)}"]
                    if board is not None:
                        lines += _outcome_lines(ctx, board, outcome)
                    st.markdown("  \n".join(lines))
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
                "vs England": md(versus_england(row.benchmark)),
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
        "be met; their meanings are written beside them. vs England compares the value with "
        "England's for the same month through funnel limits (▲ better, ● similar, ▼ worse; "
        "– not compared where the KPI is not published nationally or has no denominator). A "
        "KPI's name opens its detail in a new tab; the links under the table open it here."
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


SUSTAIN_HEADINGS = (
    ("holding", "Improvements holding"),
    ("slipping", "Improvements slipping"),
    ("lost", "Improvements lost"),
)


def sustainability_lines(board: Board, ctx: Context | None = None) -> dict[str, list[str]]:
    """Per verdict (holding, slipping, lost), one line per KPI × area with its sentence.

    With the page's context each KPI's name links to its detail for the month and area.
    """
    out: dict[str, list[str]] = {status: [] for status, _ in SUSTAIN_HEADINGS}
    for row in board.rows:
        if row.sustainability in out:
            where = row.area_name or row.area_code
            name = f"**{md(row.kpi_name)}**"
            if ctx is not None:
                params = ctx.selection.only().with_(kpi=row.kpi_code, area=row.area_code)
                name = f"[{name}](kpi?{urlencode(params.to_query_params())})"
            out[row.sustainability].append(
                f"{name} ({md(row.kpi_code)}, {md(where)}): {md(row.sustainability_text)}"
            )
    return out


def sustainability(ctx: Context, board: Board) -> None:
    """Is it holding? Declared improvements whose support has ended, by verdict."""
    lines = sustainability_lines(board, ctx)
    if not any(lines.values()):
        empty_state(
            f"No declared improvement in {md(ctx.area_name)} has reached the end of its support "
            "with enough points to judge whether it is holding."
        )
        return
    counts = ", ".join(f"{len(lines[s])} {s}" for s, _ in SUSTAIN_HEADINGS)
    links = sustainability_links(board, ctx)
    st.markdown(
        f"**Is it holding? Improvements after support ended:** {counts}.  \n"
        + " · ".join(f"{status.capitalize()}: {links[status]}" for status in links)
    )
    with st.expander("Why: each verdict in words"):
        st.caption(
            "For each improvement declared in the framework's SPC events whose support has "
            "ended: holding (no special cause of concern against the improved limits and still "
            "better than before), slipping (a signal of concern since support ended) or lost "
            "(back to the level before the improvement)."
        )
        st.markdown(
            "\n\n".join(
                f"**{heading}**\n\n" + "\n".join(f"- {line}" for line in lines[status])
                for status, heading in SUSTAIN_HEADINGS
                if lines[status]
            )
        )


def sustainability_links(board: Board, ctx: Context) -> dict[str, str]:
    """Per verdict with any KPI in it: the KPIs as links to their detail, on one line."""
    out: dict[str, list[str]] = {status: [] for status, _ in SUSTAIN_HEADINGS}
    for row in board.rows:
        if row.sustainability in out:
            params = ctx.selection.only().with_(kpi=row.kpi_code, area=row.area_code)
            out[row.sustainability].append(
                f"[{md(row.kpi_name)} ({md(row.kpi_code)})]"
                f"(kpi?{urlencode(params.to_query_params())})"
            )
    return {status: ", ".join(links) for status, links in out.items() if links}
