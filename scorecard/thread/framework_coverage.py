"""The golden thread's coverage, its paths (threads), the JSON view and the coverage report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from scorecard.thread.domain import (
    Ambition,
    Framework,
    LinkKind,
    Outcome,
    PopulationOutcome,
    Provenance,
    Tier,
)
from scorecard.thread.framework_tables import LINK_ENDS, TABLE_LABEL


@dataclass(frozen=True)
class Coverage:
    """How completely the golden thread is filled in."""

    outcomes_without_lead_kpi: tuple[int, ...]
    bricks_without_activity_kpi: tuple[str, ...]
    kpis_without_i_statement: tuple[str, ...]
    i_statements_without_kpi: tuple[str, ...]
    placeholders: tuple[str, ...]
    illustrative: dict[str, int] = field(default_factory=dict)
    seed: dict[str, int] = field(default_factory=dict)
    unlinked: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        """True when every outcome, brick and KPI is linked as the golden thread requires."""
        return not (
            self.outcomes_without_lead_kpi
            or self.bricks_without_activity_kpi
            or self.kpis_without_i_statement
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return asdict(self)


_PROVENANCED = ("population_outcomes", "ambitions", "pillars", "outcomes", "bricks", "kpis")


def coverage(fw: Framework) -> Coverage:
    """The coverage report of a framework (what is linked, what is proposed, what is open)."""
    from_codes: dict[LinkKind, set[str]] = {kind: set() for kind in LinkKind}
    to_codes: dict[LinkKind, set[str]] = {kind: set() for kind in LinkKind}
    for ln in fw.links:
        from_codes[ln.kind].add(ln.from_code)
        to_codes[ln.kind].add(ln.to_code)
    illustrative: dict[str, int] = {}
    seed: dict[str, int] = {}
    for stem in (*_PROVENANCED, "i_statements", "links"):
        counts = Counter(item.provenance for item in getattr(fw, stem))
        illustrative[stem] = counts[Provenance.ILLUSTRATIVE]
        seed[stem] = counts[Provenance.SEED]
    linked: set[tuple[str, str]] = set()
    for ln in fw.links:
        start, end = LINK_ENDS[ln.kind]
        linked.add((start[0], ln.from_code))
        linked.add((end[0], ln.to_code))
    unlinked = [
        f"{TABLE_LABEL[stem]} {item.code}"
        for stem in ("population_outcomes", "ambitions", "outcomes", "bricks", "kpis")
        for item in getattr(fw, stem)
        if (stem, item.code) not in linked
    ]
    return Coverage(
        outcomes_without_lead_kpi=tuple(
            o.number for o in fw.outcomes if o.code not in from_codes[LinkKind.OUTCOME_LEAD_KPI]
        ),
        bricks_without_activity_kpi=tuple(
            b.code for b in fw.bricks if b.code not in from_codes[LinkKind.BRICK_ACTIVITY_KPI]
        ),
        kpis_without_i_statement=tuple(
            k.code for k in fw.kpis if k.code not in from_codes[LinkKind.KPI_I_STATEMENT]
        ),
        i_statements_without_kpi=tuple(
            s.code for s in fw.i_statements if s.code not in to_codes[LinkKind.KPI_I_STATEMENT]
        ),
        placeholders=tuple(
            item.code
            for item in (*fw.population_outcomes, *fw.ambitions)
            if isinstance(item, PopulationOutcome | Ambition) and item.placeholder
        ),
        illustrative=illustrative,
        seed=seed,
        unlinked=tuple(unlinked),
    )


@dataclass(frozen=True)
class Thread:
    """One path of the golden thread: population outcome → … → I-statement (codes).

    ``activity_kpi`` and ``i_statement`` are empty for a lead KPI with no activity KPI yet.
    ``provenance`` is seed only when every link on the path is stated in the documents.
    """

    population_outcome: str
    ambition: str
    outcome: int
    lead_kpi: str
    activity_kpi: str
    i_statement: str
    provenance: Provenance

    def cells(self, fw: Framework) -> tuple[str, str, str, str, str, str]:
        """The six cells as the documents' scorecard shows them (names and wordings)."""
        population = {p.code: p.name for p in fw.population_outcomes}
        ambitions = {a.code: a.name for a in fw.ambitions}
        statements = {s.code: s.text for s in fw.i_statements}
        return (
            population[self.population_outcome],
            ambitions[self.ambition],
            fw.outcome(self.outcome).wording,
            fw.kpi(self.lead_kpi).name,
            fw.kpi(self.activity_kpi).name if self.activity_kpi else "",
            statements.get(self.i_statement, ""),
        )


def _position(items: Iterable[Any]) -> dict[str, int]:
    return {item.code: n for n, item in enumerate(items)}


def threads(fw: Framework) -> list[Thread]:
    """Every golden-thread path through the link tables, in the files' order.

    I-statements come from the activity KPI's ``kpi_i_statement`` links.
    """
    edges: dict[tuple[LinkKind, str], list[tuple[str, Provenance]]] = {}
    for ln in fw.links:
        edges.setdefault((ln.kind, ln.from_code), []).append((ln.to_code, ln.provenance))
    order = {
        "ambitions": _position(fw.ambitions),
        "outcomes": {o.code: o.number for o in fw.outcomes},
        "kpis": _position(fw.kpis),
        "i_statements": _position(fw.i_statements),
    }

    def step(kind: LinkKind, code: str, table: str) -> list[tuple[str, Provenance]]:
        rank = order[table]
        found = [e for e in edges.get((kind, code), []) if e[0] in rank]
        return sorted(found, key=lambda e: rank[e[0]])

    def worst(*marks: Provenance) -> Provenance:
        return Provenance.ILLUSTRATIVE if Provenance.ILLUSTRATIVE in marks else Provenance.SEED

    out: list[Thread] = []
    for pop in fw.population_outcomes:
        for amb, p1 in step(LinkKind.POPULATION_OUTCOME_AMBITION, pop.code, "ambitions"):
            for out_code, p2 in step(LinkKind.AMBITION_OUTCOME, amb, "outcomes"):
                number = order["outcomes"][out_code]
                for lead, p3 in step(LinkKind.OUTCOME_LEAD_KPI, out_code, "kpis"):
                    activities = step(LinkKind.LEAD_ACTIVITY_KPI, lead, "kpis")
                    if not activities:
                        out.append(Thread(pop.code, amb, number, lead, "", "", worst(p1, p2, p3)))
                    for act, p4 in activities:
                        statements = step(LinkKind.KPI_I_STATEMENT, act, "i_statements")
                        if not statements:
                            out.append(
                                Thread(pop.code, amb, number, lead, act, "", worst(p1, p2, p3, p4))
                            )
                        for stmt, p5 in statements:
                            out.append(
                                Thread(
                                    pop.code,
                                    amb,
                                    number,
                                    lead,
                                    act,
                                    stmt,
                                    worst(p1, p2, p3, p4, p5),
                                )
                            )
    return out


@dataclass(frozen=True)
class Unthreaded:
    """KPIs and I-statements that appear in no golden-thread path ("not yet linked")."""

    kpis: tuple[str, ...]
    i_statements: tuple[str, ...]


def unthreaded(fw: Framework, paths: list[Thread] | None = None) -> Unthreaded:
    """The KPIs and I-statements of the framework that no thread passes through."""
    paths = threads(fw) if paths is None else paths
    kpis = {t.lead_kpi for t in paths} | {t.activity_kpi for t in paths}
    statements = {t.i_statement for t in paths}
    return Unthreaded(
        kpis=tuple(k.code for k in fw.kpis if k.code not in kpis),
        i_statements=tuple(s.code for s in fw.i_statements if s.code not in statements),
    )


def _plain(value: object) -> object:
    """Dataclass field values as JSON-able values (enums as their text, tuples as lists)."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _record(item: object) -> dict[str, object]:
    record = {k: _plain(v) for k, v in asdict(item).items()}  # type: ignore[call-overload]
    code = getattr(item, "code", None)
    if isinstance(item, Outcome) and code is not None:
        record = {"code": code, **record}
    return record


def framework_as_dict(fw: Framework) -> dict[str, Any]:
    """The whole framework as one JSON-able object (keys of CONTRACT §3, plus a few more)."""
    return {
        "name": fw.name,
        "population_outcomes": [_record(x) for x in fw.population_outcomes],
        "ambitions": [_record(x) for x in fw.ambitions],
        "outcomes": [_record(x) for x in fw.outcomes],
        "pillars": [_record(x) for x in fw.pillars],
        "bricks": [_record(x) for x in fw.bricks],
        "kpis": [_record(x) for x in fw.kpis],
        "i_statements": [_record(x) for x in fw.i_statements],
        "areas": [_record(x) for x in fw.areas],
        "links": [_record(x) for x in fw.links],
        "spc_events": [_record(x) for x in fw.spc_events],
        "trajectories": [_record(x) for x in fw.trajectories],
        "peer_groups": [_record(x) for x in fw.peer_groups],
        "area_targets": [_record(x) for x in fw.area_targets],
        "reconciliations": [_record(x) for x in fw.reconciliations],
        "benefits": {
            "lines": [_record(x) for x in fw.benefits.lines],
            "kpis": [_record(x) for x in fw.benefits.kpis],
            "variables": [_record(x) for x in fw.benefits.variables],
            "plan": [_record(x) for x in fw.benefits.plan],
            "costs": [_record(x) for x in fw.benefits.costs],
            "cashed": [_record(x) for x in fw.benefits.cashed],
        },
    }


# The coverage report (printed by the `framework` command)


def _listing(label: str, items: Iterable[object]) -> str:
    shown = [str(i) for i in items]
    return f"  {label}: {', '.join(shown) if shown else 'none'}"


def coverage_text(fw: Framework, cov: Coverage, where: str = "") -> str:
    """The counts and coverage report as plain text (``where``: the folder it was read from)."""
    tiers = Counter(k.tier for k in fw.kpis)
    open_ = unthreaded(fw)
    lines = [
        f"Framework {where or fw.name}: valid.",
        f"  {len(fw.population_outcomes)} population outcomes, {len(fw.ambitions)} ambitions "
        f"({len(cov.placeholders)} placeholders), {len(fw.outcomes)} outcomes, "
        f"{len(fw.pillars)} pillars, {len(fw.bricks)} bricks",
        f"  {len(fw.kpis)} KPIs ({tiers[Tier.SYSTEM]} system, {tiers[Tier.LEAD]} lead, "
        f"{tiers[Tier.ACTIVITY]} activity), {len(fw.i_statements)} I-statements, "
        f"{len(fw.areas)} areas, {len(fw.links)} links, {len(threads(fw))} threads",
        f"  benefits register: {len(fw.benefits.lines)} lines, "
        f"{sum(p.planned_k for p in fw.benefits.plan):,.0f} £'000 planned over "
        f"{len({p.year for p in fw.benefits.plan})} years, "
        f"{sum(c.cost_k or 0 for c in fw.benefits.costs):,.0f} £'000 of costs",
        "Coverage:",
        _listing("outcomes without lead KPI", cov.outcomes_without_lead_kpi),
        _listing("bricks without activity KPI", cov.bricks_without_activity_kpi),
        _listing("KPIs without I-statement", cov.kpis_without_i_statement),
        _listing("links to unknown codes", ()),
        _listing("I-statements linked to no KPI", cov.i_statements_without_kpi),
        _listing("placeholders", cov.placeholders),
        _listing("not linked at all", cov.unlinked),
        _listing("KPIs in no thread", open_.kpis),
        _listing("I-statements in no thread", open_.i_statements),
        "  illustrative (proposed by the team) / seed (stated in the documents): "
        + ", ".join(
            f"{stem} {cov.illustrative[stem]}/{cov.seed[stem]}" for stem in cov.illustrative
        ),
    ]
    return "\n".join(lines)
