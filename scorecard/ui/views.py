"""View-model builders: plain functions from framework and frames to what a page lists."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from scorecard.reports.charts_sankey import SankeyLink, SankeyNode, sankey
from scorecard.thread.domain import AreaType, Framework, Kpi, LinkKind, Provenance, Tier
from scorecard.thread.framework_coverage import Thread
from scorecard.thread.periods import month_long

COMPLETE_SHARE = 0.9  # a month is "complete" when it has 90% of the values the fullest month has

_AREA_ORDER = {
    AreaType.SYSTEM: 0,
    AreaType.PLACE: 1,
    AreaType.PROVIDER: 2,
    AreaType.PCN: 3,
    AreaType.LAP: 4,
}


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$:"


def md(text: object) -> str:
    """Text from files, the store or the URL made inert inside Markdown (no HTML, no format)."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


month_label = month_long


def latest_complete_month(counts: Mapping[str, int], today: dt.date) -> str:
    """The newest month before this one holding at least 90% of the fullest month's values.

    The current calendar month is never complete; a month with a few early submissions only is
    skipped, so the Board opens on a month everyone has reported. "" when there is no data.
    """
    this_month = f"{today.year:04d}-{today.month:02d}"
    candidates = {p: n for p, n in counts.items() if p < this_month and n > 0}
    if not candidates:
        return max(counts) if counts else ""
    fullest = max(candidates.values())
    complete = [p for p, n in candidates.items() if n >= COMPLETE_SHARE * fullest]
    return max(complete)


def ordered_areas(fw: Framework) -> list[str]:
    """Area codes in the order a filter lists them: ICB, places, trusts, then the rest."""
    ranked = sorted(enumerate(fw.areas), key=lambda ia: (_AREA_ORDER.get(ia[1].type, 9), ia[0]))
    return [a.code for _, a in ranked]


def default_area(fw: Framework) -> str:
    """The area a view opens on: the system (ICB) area, else the first area."""
    for area in fw.areas:
        if area.type == AreaType.SYSTEM:
            return area.code
    return fw.areas[0].code if fw.areas else ""


def area_name(fw: Framework, code: str) -> str:
    """An area's name, or its code when the framework does not know it."""
    for area in fw.areas:
        if area.code == code:
            return area.name
    return code


NODE_KINDS = (
    "population_outcome",
    "ambition",
    "outcome",
    "kpi",
    "brick",
    "i_statement",
)

NODE_KIND_LABELS = {
    "population_outcome": "ICS population outcome",
    "ambition": "ICP ambition",
    "outcome": "iCAN outcome",
    "lead_kpi": "Lead KPI",
    "activity_kpi": "Activity KPI",
    "system_kpi": "System KPI",
    "kpi": "KPI",
    "brick": "Brick",
    "i_statement": "I-statement",
    "pillar": "Pillar",
}


@dataclass(frozen=True)
class Node:
    """One node of the golden thread as the explorer shows it."""

    key: str  # "<kind>:<code>", the URL value
    kind: str  # population_outcome, ambition, outcome, lead_kpi, activity_kpi, brick, ...
    code: str
    name: str
    provenance: Provenance
    placeholder: bool = False

    @property
    def kind_label(self) -> str:
        """The node's kind in the programme's words."""
        return NODE_KIND_LABELS.get(self.kind, self.kind)

    @property
    def label(self) -> str:
        """Kind, code and name in one line, e.g. 'iCAN outcome 7: Prevented avoidable …'."""
        code = self.code[1:] if self.kind == "outcome" else self.code
        return f"{self.kind_label} {code}: {self.name}"


def kpi_kind(kpi: Kpi) -> str:
    """The node kind of a KPI by its tier."""
    return {Tier.LEAD: "lead_kpi", Tier.ACTIVITY: "activity_kpi"}.get(kpi.tier, "system_kpi")


def nodes(fw: Framework) -> dict[str, Node]:
    """Every golden-thread node, keyed by its URL value, in hierarchy order."""
    out: dict[str, Node] = {}
    for p in fw.population_outcomes:
        out[f"population_outcome:{p.code}"] = Node(
            f"population_outcome:{p.code}",
            "population_outcome",
            p.code,
            p.name,
            p.provenance,
            p.placeholder,
        )
    for a in fw.ambitions:
        out[f"ambition:{a.code}"] = Node(
            f"ambition:{a.code}", "ambition", a.code, a.name, a.provenance, a.placeholder
        )
    for o in sorted(fw.outcomes, key=lambda o: o.number):
        out[f"outcome:{o.code}"] = Node(
            f"outcome:{o.code}", "outcome", o.code, o.wording, o.provenance
        )
    for tier in (Tier.LEAD, Tier.ACTIVITY, Tier.SYSTEM):
        for k in fw.kpis:
            if k.tier == tier:
                out[f"kpi:{k.code}"] = Node(
                    f"kpi:{k.code}", kpi_kind(k), k.code, k.name, k.provenance
                )
    for b in fw.bricks:
        out[f"brick:{b.code}"] = Node(f"brick:{b.code}", "brick", b.code, b.name, b.provenance)
    for s in fw.i_statements:
        out[f"i_statement:{s.code}"] = Node(
            f"i_statement:{s.code}", "i_statement", s.code, s.text, s.provenance
        )
    return out


# Edges of the thread, top to bottom, as (kind of link, kind of the upper node, of the lower).
_EDGES = (
    (LinkKind.POPULATION_OUTCOME_AMBITION, "population_outcome", "ambition"),
    (LinkKind.AMBITION_OUTCOME, "ambition", "outcome"),
    (LinkKind.OUTCOME_LEAD_KPI, "outcome", "kpi"),
    (LinkKind.LEAD_ACTIVITY_KPI, "kpi", "kpi"),
    (LinkKind.BRICK_ACTIVITY_KPI, "brick", "kpi"),
    (LinkKind.KPI_I_STATEMENT, "kpi", "i_statement"),
)


@dataclass(frozen=True)
class Edge:
    """A link between two nodes (keys), with the link's provenance."""

    upper: str
    lower: str
    provenance: Provenance


def edges(fw: Framework) -> list[Edge]:
    """Every link of the framework as an edge between node keys (upper → lower)."""
    kinds = {kind: (up, low) for kind, up, low in _EDGES}
    out: list[Edge] = []
    for ln in fw.links:
        if ln.kind not in kinds:
            continue
        up, low = kinds[ln.kind]
        out.append(Edge(f"{up}:{ln.from_code}", f"{low}:{ln.to_code}", ln.provenance))
    return out


def _walk(start: str, step: Mapping[str, list[str]]) -> list[str]:
    seen: list[str] = []
    todo = [start]
    while todo:
        key = todo.pop(0)
        for nxt in step.get(key, []):
            if nxt not in seen and nxt != start:
                seen.append(nxt)
                todo.append(nxt)
    return seen


@dataclass(frozen=True)
class Neighbourhood:
    """A node with everything above and below it in the golden thread, and the bricks beside."""

    node: str
    above: tuple[str, ...]
    below: tuple[str, ...]
    beside: tuple[str, ...]
    edges: tuple[Edge, ...]

    @property
    def members(self) -> tuple[str, ...]:
        """Every node shown: the node, above, below and beside."""
        return (self.node, *self.above, *self.below, *self.beside)


def neighbourhood(fw: Framework, key: str) -> Neighbourhood:
    """Everything above and below a node, the bricks delivering it, and the edges among them.

    Up from a KPI goes through lead KPIs, outcomes, ambitions and population outcomes (and the
    brick of an activity KPI); down goes to activity KPIs and I-statements. Bricks sit beside
    the activity KPIs they run, so an outcome's view also lists the bricks delivering it.
    """
    all_edges = edges(fw)
    ups: dict[str, list[str]] = {}
    downs: dict[str, list[str]] = {}
    for e in all_edges:
        downs.setdefault(e.upper, []).append(e.lower)
        ups.setdefault(e.lower, []).append(e.upper)
    above = _walk(key, ups)
    below = _walk(key, downs)
    seen = {key, *above, *below}
    beside = list(
        dict.fromkeys(
            brick
            for member in (key, *below)
            for brick in ups.get(member, [])
            if brick.startswith("brick:") and brick not in seen
        )
    )
    members = seen | set(beside)
    shown = tuple(e for e in all_edges if e.upper in members and e.lower in members)
    return Neighbourhood(key, tuple(above), tuple(below), tuple(beside), shown)


def levels_above(fw: Framework, hood: Neighbourhood) -> list[list[Node]]:
    """The nodes above a node, one list per level of the thread, top level first.

    Siblings share a level (both population outcomes above an ambition), so a breadcrumb reads
    "Stay Well, Age Well › Opportunity to be fit…" rather than a false chain.
    """
    catalogue = nodes(fw)
    levels: dict[int, list[Node]] = {}
    for key in hood.above:
        if key in catalogue:
            node = catalogue[key]
            levels.setdefault(COLUMN_OF_KIND.get(node.kind, 3), []).append(node)
    rank = {key: n for n, key in enumerate(catalogue)}  # hierarchy order
    return [sorted(levels[column], key=lambda n: rank[n.key]) for column in sorted(levels)]


def is_gap(node: Node) -> bool:
    """Whether a node is a gap to show as such: a placeholder or an illustrative item."""
    return node.placeholder or node.provenance == Provenance.ILLUSTRATIVE


def unlinked(fw: Framework) -> list[str]:
    """Node keys with no link at all (shown as gaps in the explorer)."""
    linked: set[str] = set()
    for e in edges(fw):
        linked.add(e.upper)
        linked.add(e.lower)
    return [k for k in nodes(fw) if k not in linked]


def kpi_outcomes(fw: Framework, kpi_code: str) -> list[int]:
    """The outcome numbers a KPI serves (directly as a lead KPI, or through its lead KPIs)."""
    leads = [kpi_code, *fw.linked_to(LinkKind.LEAD_ACTIVITY_KPI, kpi_code)]
    numbers: list[int] = []
    for lead in leads:
        for code in fw.linked_to(LinkKind.OUTCOME_LEAD_KPI, lead):
            number = int(code[1:]) if code[1:].isdigit() else 0
            if number and number not in numbers:
                numbers.append(number)
    return sorted(numbers)


def lead_kpis(fw: Framework, outcome_code: str) -> list[Kpi]:
    """The lead KPIs of an outcome, in link order (unknown codes skipped)."""
    known = {k.code: k for k in fw.kpis}
    return [known[c] for c in fw.linked(LinkKind.OUTCOME_LEAD_KPI, outcome_code) if c in known]


def owners(fw: Framework) -> list[str]:
    """Distinct KPI owner roles, sorted."""
    return sorted({k.owner_role for k in fw.kpis if k.owner_role})


def codes_in_order(items: Iterable[str]) -> tuple[str, ...]:
    """Distinct codes in first-seen order."""
    return tuple(dict.fromkeys(items))


_EXAMPLE_ROW = re.compile(r"example scorecard row (\d+)", re.IGNORECASE)


def document_rows(fw: Framework, paths: Sequence[Thread]) -> list[tuple[int, Thread]]:
    """The documents' example scorecard rows, as threads (numbered as in the documents).

    A thread is an example row when every link on its path cites the same "example scorecard
    row N" of the documents; one thread per row number.
    """
    rows_of: dict[tuple[str, str, str], set[int]] = {}
    for ln in fw.links:
        numbers = {int(m) for m in _EXAMPLE_ROW.findall(ln.source)}
        if numbers:
            rows_of[(str(ln.kind), ln.from_code, ln.to_code)] = numbers
    found: dict[int, Thread] = {}
    for t in paths:
        steps = [
            (LinkKind.POPULATION_OUTCOME_AMBITION, t.population_outcome, t.ambition),
            (LinkKind.AMBITION_OUTCOME, t.ambition, f"O{t.outcome}"),
            (LinkKind.OUTCOME_LEAD_KPI, f"O{t.outcome}", t.lead_kpi),
            (LinkKind.LEAD_ACTIVITY_KPI, t.lead_kpi, t.activity_kpi),
            (LinkKind.KPI_I_STATEMENT, t.activity_kpi, t.i_statement),
        ]
        common: set[int] | None = None
        for kind, a, b in steps:
            numbers = rows_of.get((str(kind), a, b), set())
            common = numbers if common is None else common & numbers
        for number in sorted(common or set()):
            found.setdefault(number, t)
    return sorted(found.items())


def thread_keys(t: Thread) -> tuple[str, ...]:
    """The node keys a thread passes through, top to bottom."""
    keys = [
        f"population_outcome:{t.population_outcome}",
        f"ambition:{t.ambition}",
        f"outcome:O{t.outcome}",
        f"kpi:{t.lead_kpi}",
    ]
    if t.activity_kpi:
        keys.append(f"kpi:{t.activity_kpi}")
    if t.i_statement:
        keys.append(f"i_statement:{t.i_statement}")
    return tuple(keys)


def threads_through(fw: Framework, paths: Sequence[Thread], key: str) -> list[Thread]:
    """The threads passing through a node (a brick: through one of its activity KPIs)."""
    if key.startswith("brick:"):
        activity = {f"kpi:{c}" for c in fw.linked(LinkKind.BRICK_ACTIVITY_KPI, key[6:])}
        return [t for t in paths if activity & set(thread_keys(t))]
    return [t for t in paths if key in thread_keys(t)]


def short(text: str, limit: int = 48) -> str:
    """Text cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


KIND_COLOURS = {
    "population_outcome": "#003087",
    "ambition": "#005EB8",
    "outcome": "#0072CE",
    "lead_kpi": "#41B6E6",
    "activity_kpi": "#768692",
    "system_kpi": "#768692",
    "brick": "#AE2573",
    "i_statement": "#009639",
}
GAP_COLOUR = "#D8DDE0"
DOCUMENT_LINK = "rgba(0,94,184,0.45)"  # a link stated in the documents
ILLUSTRATIVE_LINK = "rgba(118,134,146,0.30)"  # a link proposed by the team


COLUMN_OF_KIND = {
    "population_outcome": 0,
    "ambition": 1,
    "outcome": 2,
    "lead_kpi": 3,
    "system_kpi": 3,
    "brick": 3,
    "activity_kpi": 4,
    "i_statement": 5,
}
_COLUMN_X = (0.001, 0.16, 0.32, 0.5, 0.7, 0.999)


def thread_sankey(
    fw: Framework,
    hood: Neighbourhood,
    states: Mapping[str, str] | None = None,
) -> go.Figure:
    """A Sankey of a node's neighbourhood in the thread's columns; gaps in light grey.

    Columns, left to right: population outcomes, ambitions, outcomes, lead KPIs and bricks,
    activity KPIs, I-statements.

    Args:
        fw: the framework.
        hood: the node and everything above, below and beside it.
        states: a short state text per KPI code (e.g. "improvement (high)"), shown on hover.

    Returns:
        The figure (drawn by ``charts_sankey.sankey``); ``layout.meta["alt_text"]`` describes it.
    """
    catalogue = nodes(fw)
    drawn: list[SankeyNode] = []
    for key in hood.members:
        if key not in catalogue:
            continue
        node = catalogue[key]
        gap = is_gap(node)
        suffix = " (placeholder)" if node.placeholder else (" (illustrative)" if gap else "")
        state = (states or {}).get(node.code, "")
        drawn.append(
            SankeyNode(
                key=key,
                label=short(node.name, 34),
                hover=f"{node.kind_label} {node.code}{suffix}: {short(node.name, 80)}"
                + (f" — {state}" if state else ""),
                colour=GAP_COLOUR if gap else KIND_COLOURS.get(node.kind, "#425563"),
                column=COLUMN_OF_KIND.get(node.kind, 3),
            )
        )
    links = [
        SankeyLink(
            upper=e.upper,
            lower=e.lower,
            colour=ILLUSTRATIVE_LINK if e.provenance == Provenance.ILLUSTRATIVE else DOCUMENT_LINK,
            hover="proposed by the team (illustrative)"
            if e.provenance == Provenance.ILLUSTRATIVE
            else "stated in the documents",
        )
        for e in hood.edges
    ]
    centre = catalogue[hood.node]
    keys = {n.key for n in drawn}
    shown = sum(1 for ln in links if ln.upper in keys and ln.lower in keys)
    alt = (
        f"Sankey diagram of the golden thread around {centre.kind_label} {centre.code}, in "
        "columns from population outcomes through ambitions, outcomes, lead KPIs and bricks, "
        f"activity KPIs to I-statements: {len(hood.above)} nodes above it, {len(hood.below)} "
        f"below, {len(hood.beside)} bricks beside, {shown} links; grey nodes are "
        "illustrative or placeholders, grey links are proposed by the team."
    )
    return sankey(drawn, links, alt_text=alt, column_x=_COLUMN_X)
