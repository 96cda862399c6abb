"""The frame every page calls first: page config, NHS styling, navigation, filters, selection."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from scorecard.reports.bricks import STATES as BRICK_STATES
from scorecard.reports.bricks import VIEWS as KPI_VIEWS
from scorecard.thread.domain import Framework
from scorecard.thread.errors import UserError
from scorecard.ui import data, provenance, review, views
from scorecard.ui.context import Context as Context
from scorecard.ui.selection import (
    MAX_PARAM_LENGTH,
    MONTH_PATTERN,
    PARAM_NAMES,
    Choices,
    Selection,
    Substitution,
)
from scorecard.ui.views import md

SESSION_KEY = "ican_selection"  # the last selection, for a page opened without parameters

# Static CSS we wrote (no text from files, the store or the URL ever goes in here): NHS identity
# colours (NHS Blue #005EB8, Dark Blue #003087, Grey #425563) and Arial, sized for a projector.
_CSS = """
<style>
html, body, .stApp,
.stApp *:not([translate="no"]):not(code):not(pre):not(kbd):not(code *) {
  font-family: Arial, "Helvetica Neue", Helvetica, sans-serif !important;
}
.stApp { color: #212B32; }
.block-container { padding-top: 0.9rem; padding-bottom: 2rem; max-width: 1500px; }
[data-testid="stHeader"] { background: transparent; height: 2.4rem; }
[data-testid="stToolbar"] { top: 0.1rem; }
/* The header and its toolbar are as wide as the window and cover the masthead: clicks go
   through them to the navigation, except on their own buttons (the menu). */
[data-testid="stHeader"], [data-testid="stToolbar"] { pointer-events: none; }
[data-testid="stHeader"] button { pointer-events: auto; }
h1, h2, h3 { color: #003087 !important; font-weight: 700 !important; }
h1 { font-size: 1.9rem !important; padding: 0.1rem 0 0 0 !important; }
h2 { font-size: 1.45rem !important; }
h3 { font-size: 1.2rem !important; }
.st-key-ican-masthead {
  background: #005EB8; padding: 0.35rem 0.9rem; border-radius: 4px; gap: 0.3rem;
}
.st-key-ican-masthead p, .st-key-ican-masthead span, .st-key-ican-masthead a {
  color: #FFFFFF !important;
}
.st-key-ican-masthead [data-testid="stPageLink"] a {
  background: transparent; border-radius: 4px; padding: 0.15rem 0.55rem;
  text-decoration: underline; text-underline-offset: 3px;
}
.st-key-ican-masthead [data-testid="stPageLink"] a:hover {
  background: #003087;
}
.st-key-ican-masthead [data-testid="stPageLink"] a:focus-visible {
  outline: 3px solid #FFEB3B; outline-offset: 1px;
}
.st-key-ican-masthead [data-testid="stPageLink"] a[aria-current="page"],
.st-key-ican-masthead [data-testid="stPageLink-NavLink"][aria-current="page"] {
  background: #003087; text-decoration: none;
}
.st-key-ican-brand p {
  font-weight: 700; font-size: 1.15rem; margin: 0 !important; white-space: nowrap; line-height: 1.6;
}
.st-key-ican-brand [data-testid="stMarkdownContainer"] { margin: 0 !important; }
.st-key-ican-brand { justify-content: center; margin-right: 0.6rem; }
a { color: #005EB8; }
a:focus-visible, button:focus-visible { outline: 3px solid #FFEB3B !important; }
.st-key-ican-synthetic [data-testid="stAlert"] { border-left: 6px solid #ED8B00; }
.st-key-ican-synthetic [data-testid="stAlertContainer"] { padding: 0.45rem 0.9rem; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stCaptionContainer"] li, .stCaption {
  color: #425563 !important; opacity: 1 !important;
}
[class*="st-key-ican-pillar-"] {
  border-top: 6px solid #005EB8; background: #F0F4F5; padding: 0.2rem 0.8rem 0.8rem 0.8rem;
  border-radius: 4px;
}
[class*="st-key-ican-outcome-"] {
  background: #FFFFFF; padding: 0.5rem 0.7rem; border-radius: 4px; border: 1px solid #D8DDE0;
}
.ican-icons img { height: 2.1rem; vertical-align: middle; margin-right: 0.2rem; }
[data-testid="stMarkdownContainer"] img[alt] { vertical-align: middle; }
[data-testid="stMarkdownContainer"] table { font-size: 0.95rem; }
[data-testid="stMarkdownContainer"] th { background: #E8EDEE; color: #212B32; }
.st-key-ican-ipr td, .st-key-ican-ipr th { vertical-align: middle; font-size: 0.92rem; }
.st-key-ican-ipr img { height: 2rem; vertical-align: middle; }
.st-key-ican-ipr td:nth-child(8) img { height: 1.8rem; width: 6.5rem; }
[class*="st-key-ican-outcome-"] { padding: 0.35rem 0.6rem; gap: 0.1rem; }
[class*="st-key-ican-outcome-"] p { line-height: 1.4; font-size: 0.92rem; }
[class*="st-key-ican-outcome-"] img { height: 1.35rem; }
[class*="st-key-ican-pillar-"] { gap: 0.45rem; }
.st-key-ican-exceptions li { margin-bottom: 0.3rem; }
.st-key-ican-exceptions p, .st-key-ican-exceptions li { font-size: 0.95rem; line-height: 1.45; }
.st-key-ican-grid table { font-size: 0.88rem; }
.st-key-ican-grid td, .st-key-ican-grid th { padding: 0.15rem 0.45rem; }
[class*="st-key-ican-brickcard-"] td, [class*="st-key-ican-brickcard-"] th {
  vertical-align: middle; font-size: 0.92rem; padding: 0.3rem 0.5rem;
}
[class*="st-key-ican-brickcard-"] img { height: 1.7rem; vertical-align: middle; }
[class*="st-key-ican-brick-"] summary {
  min-height: 0 !important; padding-top: 0.2rem !important; padding-bottom: 0.2rem !important;
}
[class*="st-key-ican-brickcard-"] td:nth-child(6) img { height: 1.8rem; width: 6.5rem; }
</style>
"""


@dataclass(frozen=True)
class PageRef:
    """A page of the app as the navigation lists it."""

    path: str  # relative to app.py, as st.page_link wants it
    label: str


PAGES: tuple[PageRef, ...] = (
    PageRef("app.py", "Scorecard"),
    PageRef("pages/1_golden_thread.py", "Golden thread"),
    PageRef("pages/2_kpi.py", "KPI detail"),
    PageRef("pages/3_bricks.py", "Bricks"),
    PageRef("pages/4_i_statements.py", "I-statements"),
    PageRef("pages/5_assurance.py", "Assurance"),
    PageRef("pages/6_framework_table.py", "Framework table"),
    PageRef("pages/7_review.py", "Review"),
    PageRef("pages/8_benefits.py", "Benefits"),
    PageRef("pages/9_guide.py", "Guide"),
)


def _repo_file(path: str) -> Path:
    return data.REPO_ROOT / path


def available_pages() -> tuple[PageRef, ...]:
    """The pages whose files exist (review and framework table arrive with other issues)."""
    return tuple(p for p in PAGES if _repo_file(p.path).is_file())


def _choices(fw: Framework, months: Sequence[str], counts: Mapping[str, int]) -> Choices:
    return Choices(
        months=tuple(months),
        areas=tuple(views.ordered_areas(fw)),
        nodes=tuple(views.nodes(fw)),
        kpis=tuple(k.code for k in fw.kpis),
        pillars=tuple(p.code for p in fw.pillars),
        bricks=tuple(b.code for b in fw.bricks),
        owners=tuple(views.owners(fw)),
        states=tuple(BRICK_STATES),
        views=KPI_VIEWS,
        peer_groups=tuple(g.code for g in fw.peer_groups),
        default_month=views.latest_complete_month(counts, dt.datetime.now(dt.UTC).date()),
        default_area=views.default_area(fw),
    )


def _query_params() -> dict[str, str]:
    return {name: st.query_params[name] for name in PARAM_NAMES if name in st.query_params}


def _resolve(choices: Choices) -> tuple[Selection, tuple[Substitution, ...]]:
    """The selection from the URL, and what the URL asked for that does not exist.

    A page opened with no parameters keeps the last selection.
    """
    params = _query_params()
    if not params and SESSION_KEY in st.session_state:
        last = st.session_state[SESSION_KEY]
        if isinstance(last, Selection):
            params = last.to_query_params()
    return Selection.from_link(params, choices)


_LINK_NOUNS = {
    "month": "month",
    "area": "area",
    "node": "golden-thread item",
    "kpi": "KPI",
    "pillar": "pillar",
    "brick": "brick",
    "owner": "owner",
    "state": "state",
    "view": "view",
    "peers": "peer group",
}


# What a link's value must look like to be repeated on the page (a code, a month or a name);
# anything else is described, never echoed.
_SHOWABLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.:,'()\-]{0,59}")


def _asked_words(fw: Framework, sub: Substitution) -> str:
    noun = _LINK_NOUNS[sub.name]
    if len(sub.asked) > MAX_PARAM_LENGTH:
        return f"{_a(noun)} too long to show"
    if not _SHOWABLE.fullmatch(sub.asked):
        return f"{_a(noun)} that is not a valid code"
    if sub.name == "month" and MONTH_PATTERN.fullmatch(sub.asked):
        return md(views.month_label(sub.asked))
    return f"{noun} “{md(sub.asked)}”"


def _shown_words(fw: Framework, sub: Substitution) -> str:
    noun = _LINK_NOUNS[sub.name]
    return f"no {noun} chosen" if not sub.shown else f"{noun} {md(sub.shown)}"


def link_sentence(fw: Framework, selection: Selection, subs: Sequence[Substitution]) -> str:
    """One sentence: what a shared link asked for that does not exist, and what is shown."""
    asked = [_asked_words(fw, s) for s in subs]
    view = md(views.month_label(selection.month)) if selection.month else "no month"
    view += f" for {md(views.area_name(fw, selection.area))}"
    shown = [view, *(_shown_words(fw, s) for s in subs if s.name not in ("month", "area"))]
    return (
        f"This link asked for {_and(asked)}, which the scorecard does not have; "
        f"it shows {_and(shown)} instead."
    )


def _a(noun: str) -> str:
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _write_url(selection: Selection) -> None:
    wanted = selection.to_query_params()
    if _query_params() != wanted or any(k not in PARAM_NAMES for k in st.query_params):
        st.query_params.from_dict(wanted)
    st.session_state[SESSION_KEY] = selection


def _set_param(name: str, key: str) -> None:
    """Widget callback: copy the widget's new value into the URL before the rerun."""
    value = st.session_state.get(key)
    if value:
        st.query_params[name] = str(value)
    elif name in st.query_params:
        del st.query_params[name]


def url_selectbox(
    label: str,
    name: str,
    options: Sequence[str],
    current: str,
    labels: Mapping[str, str],
    *,
    key: str | None = None,
    allow_none: str = "",
    help_text: str | None = None,
) -> str:
    """A select box mirroring one URL parameter: the URL is the truth, the box writes to it.

    Args:
        label: the box's visible label.
        name: the URL parameter it sets.
        options: allowed values.
        current: the value the URL selects now.
        labels: how each value is shown.
        key: widget key (default ``url_<name>``).
        allow_none: when set, a first option "" shown with this text (clears the parameter).
        help_text: tooltip.

    Returns:
        The current value ("" for none).
    """
    widget_key = key or f"url_{name}"
    values = ([""] if allow_none else []) + list(options)
    value = current if current in values else (values[0] if values else "")
    st.session_state[widget_key] = value

    def show(v: str) -> str:
        return allow_none if v == "" else labels.get(v, v)

    st.selectbox(
        label,
        values,
        key=widget_key,
        format_func=show,
        on_change=_set_param,
        args=(name, widget_key),
        help=help_text,
    )
    return value


def page_link(
    ctx: Context, path: str, label: str, *, keep: Sequence[str] = (), **changes: str
) -> None:
    """A link to another page carrying the month and area, the kept fields and the changes."""
    selection = ctx.selection.only(*keep).with_(**changes)
    if not _repo_file(path).is_file():
        return
    st.page_link(path, label=md(label), query_params=selection.to_query_params())


def _masthead(selection: Selection, current_path: str) -> None:
    with st.container(key="ican-masthead", horizontal=True, vertical_alignment="center"):
        with st.container(key="ican-brand", width="content"):
            st.markdown("iCAN Scorecard")
        params = selection.to_query_params()
        for page in available_pages():
            st.page_link(
                page.path,
                label=page.label,
                query_params=params,
                disabled=False,
                help=None if page.path != current_path else "You are on this page",
            )


def _filters(ctx: Context) -> DeltaGenerator:
    fw = ctx.fw
    left, right, slot = st.columns([1, 1, 2])
    with left:
        if ctx.months:
            months = list(reversed(ctx.months))
            url_selectbox(
                "Month",
                "month",
                months,
                ctx.selection.month,
                {m: views.month_label(m) for m in months},
                help_text="The month the scorecard shows; it opens on the latest complete month.",
            )
        else:
            st.selectbox("Month", ["No months yet"], disabled=True, key="url_month_none")
    with right:
        areas = list(ctx.choices.areas)
        url_selectbox(
            "Area",
            "area",
            areas,
            ctx.selection.area,
            {a.code: a.name for a in fw.areas},
            help_text="Northamptonshire (the ICB), a place, or an acute trust.",
        )
    return slot


def frame(title: str, *, page: str = "app.py", filters: bool = True) -> Context:
    """Set the page up and return its context; every page calls this first.

    Args:
        title: the page's title (browser tab and heading).
        page: the page's file relative to app.py (marks the current page in the navigation).
        filters: whether to show the month and area filters.

    Returns:
        The framework, store, selection and months for the page.
    """
    st.set_page_config(
        page_title=f"{title} · iCAN Scorecard",
        layout="wide",
        initial_sidebar_state="collapsed",
    )
    st.markdown(_CSS, unsafe_allow_html=True)
    try:
        fw = data.framework()
    except UserError as err:
        _masthead(Selection(), page)
        st.title(title)
        st.error(
            "The framework files have problems, so the scorecard cannot be shown. "
            "Fix these and reload the page:"
        )
        for problem in err.problems:
            st.markdown(f"- {md(problem.sentence())}")
        st.stop()
        raise  # st.stop() ends the run; this line keeps type checkers honest
    ref = data.store_ref()
    months: tuple[str, ...] = ()
    counts: dict[str, int] = {}
    synthetic = False
    summary = data.PeriodSummary((), (), False)
    if ref is not None:
        summary = data.period_summary(ref.path, ref.identity)
        months = tuple(summary.periods)
        counts = dict(summary.counts)
        synthetic = summary.synthetic
    choices = _choices(fw, months, counts)
    selection, substitutions = _resolve(choices)
    _write_url(selection)
    _masthead(selection, page)
    ctx = Context(fw, selection, choices, ref, months, synthetic)
    st.title(title)
    # without data every month is unknown: that is said by the empty-store message instead
    substitutions = tuple(s for s in substitutions if months or s.name != "month")
    if substitutions:
        with st.container(key="ican-link-note"):
            st.warning(link_sentence(fw, selection, substitutions), icon=":material/link_off:")
    if synthetic and ref is not None:
        with st.container(key="ican-synthetic"):
            st.warning(synthetic_banner(ref, summary), icon=":material/science:")
    elif ref is not None and months:
        provenance.published_banner(ref.path, ref.identity)
    review.identity_banner(review.who())
    if ref is None:
        no_store_message()
    elif not months:
        empty_store_message()
    if filters:
        ctx = replace(ctx, slot=_filters(ctx))
    return ctx


def synthetic_banner(ref: data.StoreRef, summary: data.PeriodSummary) -> str:
    """How much of what the pages show is synthetic: all of it, or some (with the count).

    Said only where some is: a store of real values alone gets no banner. The demo's recorded
    events are data of its store, so they stay when real values join it.
    """
    n, total = summary.synthetic_values, summary.total_values
    if n >= total:
        return (
            "**Synthetic demo data.** Every value on this page is made up to show how the "
            "scorecard works; none is a real NHS or council figure."
        )
    return (
        f"**Partly synthetic data.** {n:,} of the store's {total:,} current values are made-up "
        f"demo data and {total - n:,} are real; every value says which it is where it is shown."
    )


def empty_state(message: str, *, hint: str = "") -> None:
    """A clear message where there is nothing to show (never an empty table)."""
    st.info(message + (f"\n\n{hint}" if hint else ""), icon=":material/info:")


def no_store_message() -> None:
    """What to do when the store has not been built yet."""
    name = data.store_path().name.replace("`", "")
    empty_state(
        f"There is no KPI data yet: the store `{name}` has not been built, so only the "
        "framework is shown.",
        hint=(
            "To see the scorecard with synthetic demo data, run `make run` (it builds the demo "
            "store when there is none) or `python -m scorecard demo --db data/scorecard.duckdb`. "
            "To load real extracts: `python -m scorecard load FILE.csv`."
        ),
    )


def empty_store_message() -> None:
    """What to do when the store exists but holds no values."""
    empty_state(
        "The store exists but holds no KPI values yet, so only the framework is shown.",
        hint="Load an extract with `python -m scorecard load FILE.csv`, or build the synthetic "
        "demo store with `python -m scorecard demo`.",
    )
