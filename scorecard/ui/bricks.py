"""Bricks for their owners: brick cards with values and trends, and activity beside lead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from scorecard.data import exports
from scorecard.reports import charts_stacked
from scorecard.reports.bricks import (
    NO_LEAD,
    STATES,
    BrickCard,
    CardKpi,
    brick_cards,
    cards_frame,
    declared_events,
    movement,
    movement_sentence,
    select_cards,
)
from scorecard.reports.scoring import analyse_series
from scorecard.reports.scoring_series import kpi_series
from scorecard.thread.domain import Framework, Kpi, LinkKind
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_short
from scorecard.ui import data, views
from scorecard.ui.display import (
    assurance_svg,
    image_md,
    kpi_states,
    markdown_table,
    variation_svg,
)
from scorecard.ui.frame import Context, empty_state, page_link, url_selectbox
from scorecard.ui.views import md

FILTERS = ("pillar", "owner", "state", "brick")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREND_MONTHS = 24
OPEN_AT_MOST = 3  # a filter leaving this few bricks opens their cards
DIRECTION = {
    "increase": "higher is better",
    "decrease": "lower is better",
    "neutral": "neither higher nor lower is better",
}
SHORT_STATES = {
    "concern": "concern",
    "failing": "failing target",
    "no_data": "no data",
    "too_few": "too few points",
    "common": "no special cause",
    "improvement": "improvement",
    "not_reported": "not reported",
}
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
    "pass": "Passing target",
    "fail": "Failing target",
    "hit_or_miss": "Hit and miss target",
    "none": "No target assurance",
}


def asked_filters() -> dict[str, str]:
    """The brick filters the URL asks for, as given (read before the frame rewrites the URL)."""
    out: dict[str, str] = {}
    for name in FILTERS:
        if name in st.query_params:
            out[name] = str(st.query_params[name])
    return out


def brick_filters(ctx: Context) -> tuple[str, str, str, str]:
    """Pillar, owner, state and brick filters (each mirrors its URL parameter)."""
    fw = ctx.fw
    with ctx.slot or st.container():
        return _filter_boxes(ctx, fw)


def _filter_boxes(ctx: Context, fw: Framework) -> tuple[str, str, str, str]:
    pillar_col, owner_col, state_col, brick_col = st.columns(4)
    with pillar_col:
        pillar = url_selectbox(
            "Pillar",
            "pillar",
            [p.code for p in fw.pillars],
            ctx.selection.pillar,
            {p.code: f"{p.number}. {p.name}" for p in fw.pillars},
            allow_none="All pillars",
        )
    with owner_col:
        owner = url_selectbox(
            "Owner",
            "owner",
            brick_owners(fw),
            ctx.selection.owner,
            {o: o.removeprefix("Brick lead: ") for o in brick_owners(fw)},
            allow_none="All owners",
        )
        if ctx.selection.owner and not owner and "owner" in st.query_params:
            del st.query_params["owner"]  # owns no brick's activity KPI: all bricks are shown
    with state_col:
        state = url_selectbox(
            "Worst state",
            "state",
            list(STATES),
            ctx.selection.state,
            dict(STATES),
            allow_none="Any state",
            help_text="A brick's worst state is the worst of its activity and lead KPIs' states.",
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
            help_text="One brick: its card open, with its activity and lead charts below.",
        )
    return pillar, owner, state, brick


def brick_owners(fw: Framework) -> list[str]:
    """The owners of the bricks' activity KPIs, sorted."""
    codes = {ln.to_code for ln in fw.links if ln.kind == LinkKind.BRICK_ACTIVITY_KPI}
    return sorted({k.owner_role for k in fw.kpis if k.code in codes and k.owner_role})


def unknown_filters(ctx: Context, asked: Mapping[str, str]) -> None:
    """One sentence and the full list for each brick, owner, state or pillar the URL got wrong."""
    fw = ctx.fw
    lists = {
        "brick": ("brick", [f"{b.code} ({b.name})" for b in fw.bricks]),
        "owner": ("owner", brick_owners(fw)),
        "state": ("state", [f"{k} ({v})" for k, v in STATES.items()]),
        "pillar": ("pillar", [f"{p.code} ({p.name})" for p in fw.pillars]),
    }
    for name, (noun, options) in lists.items():
        value = asked.get(name)
        known = value in options if name == "owner" else ctx.choices.allows(name, value or "")
        if value is None or known:
            continue
        shown = views.short(value, 60)
        st.warning(
            f"There is no {noun} “{md(shown)}” in the framework, so all are shown; "
            f"the {len(options)} {noun}s are: " + "; ".join(md(o) for o in options) + ".",
            icon=":material/help:",
        )


def _kpi_link(ctx: Context, code: str, **extra: str) -> str:
    params = ctx.selection.only().with_(kpi=code, **extra).to_query_params()
    return "kpi?" + urlencode(params)


def _coverage_link(ctx: Context) -> str:
    return "assurance?" + urlencode(ctx.selection.only().to_query_params())


def _label(card: BrickCard) -> str:
    """The one line of a collapsed card: worst-state icon and words, name, counts."""
    state = card.state
    first = card.worst[0].row if card.worst else None
    if state == "failing":
        icon_svg = assurance_svg("fail")
    else:
        icon_svg = variation_svg(first.variation if first is not None else "none")
    named = state in ("concern", "failing", "no_data", "too_few")
    worst = ", ".join(k.kpi.code for k in card.worst) if named else ""
    counts = f"{len(card.activity)} activity KPI{'s' if len(card.activity) != 1 else ''}"
    counts += (
        f", {len(card.leads)} lead KPI{'s' if len(card.leads) != 1 else ''}"
        if card.leads
        else f", {NO_LEAD}"
    )
    icon = image_md(icon_svg, STATES[state])
    return (
        f"{icon} **{md(card.brick.name)}** · {md(STATES[state])}"
        + (f": {md(worst)}" if worst else "")
        + f" · {counts}"
    )


def _value_cell(item: CardKpi, ctx: Context) -> str:
    row = item.row
    if row is None:
        return f"Not reported for {md(ctx.area_name)}"
    if row.period is None:
        return "No data"
    value = "\\* (suppressed)" if row.suppressed else md(format_value(row.value, row.unit))
    when = md(month_short(row.period))
    return f"**{value}** ({when}{', provisional' if row.provisional else ''})"


def _target_cell(item: CardKpi) -> str:
    row = item.row
    if row is None:
        return "–"
    if row.target is None:
        return "None set"
    return md(format_value(row.target, row.unit))


def _kpi_cell(ctx: Context, card: BrickCard, item: CardKpi) -> str:
    names = {b.code: b.name for b in ctx.fw.bricks}
    text = f"{md(item.kpi.name)} ({md(item.kpi.code)})"
    if item.role == "activity" and item.shared_with:
        others = "; ".join(names.get(c, c) for c in item.shared_with)
        text += f" — _shared: also in {md(others)}_"
    if item.role == "activity" and not item.leads:
        text += f" — _{NO_LEAD}_ ([framework coverage]({_coverage_link(ctx)}))"
    if item.role == "lead":
        text += f" — _fed by {md(', '.join(item.fed_by))}_"
    return text


def card_table(
    ctx: Context, card: BrickCard, sparks: Mapping[str, str], *, links: bool = True
) -> str:
    """The card's KPIs as one Markdown table: value, target, icons with words, trend."""
    records: list[dict[str, str]] = []
    for item in card.kpis:
        row = item.row
        variation = row.variation if row is not None else "none"
        assurance = row.assurance if row is not None else "none"
        spark = sparks.get(item.kpi.code)
        short_v = SHORT_VARIATION.get(variation, variation)
        short_a = SHORT_ASSURANCE.get(assurance, assurance)
        record = {
            "KPI": ("Activity" if item.role == "activity" else "Lead")
            + ": "
            + _kpi_cell(ctx, card, item),
            "Latest": _value_cell(item, ctx),
            "Target": _target_cell(item),
            "Variation": image_md(variation_svg(variation), short_v) + f" {md(short_v)}",
            "Assurance": image_md(assurance_svg(assurance), short_a) + f" {md(short_a)}",
            f"Trend, last {TREND_MONTHS} months": image_md(spark, "Trend") if spark else "–",
        }
        if links:
            heatmap = _kpi_link(ctx, item.kpi.code, view="areas")
            record["Every area (new tab)"] = f"[All areas]({heatmap})"
        records.append(record)
    return markdown_table(pd.DataFrame.from_records(records))


def _sparks(ctx: Context) -> dict[str, str]:
    if ctx.store is None or not ctx.month:
        return {}
    path, identity = ctx.store.path, ctx.store.identity
    out = data.sparklines(path, identity, ctx.month, ctx.area, "activity", TREND_MONTHS)
    return {**out, **data.sparklines(path, identity, ctx.month, ctx.area, "lead", TREND_MONTHS)}


def bricks_view(ctx: Context, pillar: str, owner: str, state: str, brick: str) -> None:
    """Every brick on one line with its worst state; a card opens to its KPIs on demand."""
    cards = brick_cards(ctx.fw, kpi_states(ctx))
    shown = select_cards(cards, pillar=pillar, brick=brick, owner=owner, state=state)
    if not shown:
        empty_state("No brick matches these filters.", hint="Clear a filter above.")
        return
    worst = {s: sum(c.state == s for c in shown) for s in STATES}
    summary = ", ".join(f"{n} {SHORT_STATES[s]}" for s, n in worst.items() if n)
    st.markdown(
        "Is my brick's activity moving, and is it moving the lead KPI it is meant to? "
        f"{len(shown)} brick{'s' if len(shown) != 1 else ''} for {md(ctx.area_name)} in "
        f"{md(ctx.month_label or 'no month')}, each with the worst state of its KPIs "
        f"({md(summary)}); open one for its values, targets, icons and trends."
    )
    pillars = {p.code: p for p in ctx.fw.pillars}
    sparks: dict[str, str] | None = None
    groups: dict[str, list[BrickCard]] = {}
    for card in shown:
        groups.setdefault(card.brick.pillar_code, []).append(card)
    opened = len(shown) <= OPEN_AT_MOST
    for code, group in groups.items():
        p = pillars.get(code)
        st.markdown(f"**{md(f'{p.number}. {p.name}' if p else code)}**")
        with st.container(gap="xxsmall"):
            for card in group:
                sparks = _card(ctx, card, brick, opened, sparks)
    _downloads(ctx, shown)


def _card(
    ctx: Context, card: BrickCard, brick: str, opened: bool, sparks: dict[str, str] | None
) -> dict[str, str] | None:
    """One brick as an expander; its KPIs are worked out only when it is open."""
    box = st.expander(
        _label(card), expanded=opened, key=f"ican-brick-{card.brick.code}", on_change="rerun"
    )
    if not box.open:
        return sparks
    with box, st.container(key=f"ican-brickcard-{card.brick.code}"):
        if not card.kpis:
            st.markdown("No activity KPI for this brick yet: a gap in the golden thread.")
            return sparks
        if sparks is None:
            sparks = _sparks(ctx)
        st.markdown(card_table(ctx, card, sparks))
        with st.container(horizontal=True, key=f"ican-brick-links-{card.brick.code}"):
            if not brick:
                page_link(
                    ctx,
                    "pages/3_bricks.py",
                    "Activity beside lead on one time axis",
                    brick=card.brick.code,
                )
            for item in card.kpis:
                page_link(ctx, "pages/2_kpi.py", f"Open {item.kpi.code}", kpi=item.kpi.code)
    return sparks


def _downloads(ctx: Context, shown: Sequence[BrickCard]) -> None:
    stem = f"ican_bricks_{ctx.area}_{ctx.month or 'no-data'}"
    if len(shown) == 1:
        stem = f"ican_brick_{shown[0].brick.code}_{ctx.area}_{ctx.month or 'no-data'}"
    area = ctx.area_name

    def table() -> pd.DataFrame:
        return cards_frame(shown, area)

    title = f"iCAN bricks, {area}, {ctx.month_label}"
    left, right, _ = st.columns([1, 1, 2])
    left.download_button(
        "Download the bricks table (CSV)",
        lambda: exports.to_csv_bytes(table()),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="ican-bricks-csv",
    )
    right.download_button(
        "Download the bricks table (XLSX)",
        lambda: exports.to_xlsx_bytes(table(), "Bricks", title),
        file_name=f"{stem}.xlsx",
        mime=XLSX,
        key="ican-bricks-xlsx",
    )


def brick_charts(ctx: Context, brick: str) -> None:
    """A brick's own view: each activity KPI above the lead KPIs it feeds, on one time axis."""
    if not brick or not ctx.has_data:
        return
    fw = ctx.fw
    activity = [fw.kpi(c) for c in dict.fromkeys(fw.linked(LinkKind.BRICK_ACTIVITY_KPI, brick))]
    for kpi in activity:
        st.subheader(f"{kpi.name} ({kpi.code}) beside the lead KPIs it feeds", anchor=False)
        activity_beside_lead(ctx, kpi, key=f"ican-stack-{brick}-{kpi.code}")


def activity_beside_lead(ctx: Context, kpi: Kpi, *, key: str = "ican-stack") -> None:
    """The activity KPI's SPC chart above each lead KPI it feeds, with its declared events.

    Says what moved, when and in which order, and the month's attribution sentence where the
    benefits register links the activity KPI to a system-wide KPI.
    """
    if ctx.store is None or not ctx.month:
        return
    fw = ctx.fw
    known = {k.code: k for k in fw.kpis}
    leads = [known[c] for c in fw.linked_to(LinkKind.LEAD_ACTIVITY_KPI, kpi.code) if c in known]
    if not leads:
        st.markdown(
            f"{md(kpi.code)} {NO_LEAD}: see the [framework coverage]({_coverage_link(ctx)}) for "
            "the gaps in the golden thread."
        )
    live = data.live_framework(ctx.store.path)
    panels: list[charts_stacked.ChartPanel] = []
    moves = []
    synthetic = False
    for item in [kpi, *leads]:
        if ctx.area not in {a.code for a in fw.kpi_areas(item.code)}:
            st.caption(f"{md(item.code)} is not reported for {md(ctx.area_name)}.")
            continue
        frame = data.kpi_area_frame(ctx.store.path, ctx.store.identity, item.code, ctx.area)
        series = kpi_series(live, frame, item.code, ctx.area, ctx.month)
        if len(series) == 0:
            st.caption(f"{md(item.code)} has no data for {md(ctx.area_name)}.")
            continue
        result = analyse_series(item, series)
        synthetic = synthetic or bool(series.synthetic.any())
        role = "Activity KPI" if item.code == kpi.code else "Lead KPI"
        panels.append(
            charts_stacked.ChartPanel(
                series.periods,
                result,
                f"{role} {item.code}: {views.short(item.name, 70)} "
                f"({DIRECTION[str(item.direction)]})",
                str(item.unit),
                _trajectory(series.targets),
            )
        )
        moves.append(movement(item, series.periods, result))
    if not panels:
        return
    events = declared_events(live, [kpi.code], ctx.area)
    fig = charts_stacked.stacked_spc_chart(
        panels,
        [charts_stacked.ChartEvent(e.period, e.label) for e in events],
        synthetic=synthetic,
    )
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key=key)
    st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")
    if events:
        st.markdown(
            "**Declared events:** "
            + "; ".join(
                f"{md(e.label)}, {md(views.month_label(e.period))}: {md(e.reason)}" for e in events
            )
        )
    if moves and moves[0].kpi_code == kpi.code:
        st.markdown(f"**What moved, and when:** {md(movement_sentence(moves[0], moves[1:]))}")
    _attribution(ctx, kpi)


def _trajectory(targets: Iterable[float]) -> list[float | None] | None:
    """Monthly targets when they change over the months (a trajectory), else None."""
    values = [None if t != t else float(t) for t in targets]
    return values if len({v for v in values if v is not None}) > 1 else None


def _attribution(ctx: Context, kpi: Kpi) -> None:
    """The month's attribution sentence of each benefit line the KPI drives (ICB level)."""
    if ctx.store is None or not ctx.month:
        return
    register = ctx.fw.benefits
    if kpi.code not in set(register.kpi_codes()):
        return
    position = data.benefits_position(ctx.store.path, ctx.store.identity, ctx.month)
    for line in position.lines:
        if kpi.code not in line.kpi_codes or line.attribution is None:
            continue
        system = ", ".join(line.system_kpi_codes) or "no system-wide KPI"
        st.markdown(
            f"**Benefits register, {md(line.name)}** ({md(kpi.code)} drives it; netted into "
            f"{md(system)}; {md(ctx.month_label)}, "
            f"{md(views.area_name(ctx.fw, data_system_area(ctx)))}): "
            f"{md(line.attribution.sentence)}"
        )


def data_system_area(ctx: Context) -> str:
    """The area the benefits register is measured at (the system area)."""
    from scorecard.reports.benefits import system_area

    return system_area(ctx.fw)
