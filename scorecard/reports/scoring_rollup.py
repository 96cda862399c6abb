"""Roll-up through the golden thread: counts of KPI states per outcome, pillar and ambition."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scorecard.reports.scoring import ScorecardRow, outcome_number
from scorecard.statistics.spc_icons import ASSURANCES, VARIATIONS
from scorecard.thread.domain import Framework, LinkKind


@dataclass(frozen=True)
class StateCounts:
    """How many KPIs (KPI × area rows) are in each variation and assurance state."""

    total: int
    variation: Mapping[str, int]
    assurance: Mapping[str, int]
    too_few_points: int
    no_data: int
    not_reported: int
    kpi_codes: tuple[str, ...]

    @property
    def improvement(self) -> int:
        """KPIs whose latest point shows special-cause improvement."""
        return self.variation["improvement_high"] + self.variation["improvement_low"]

    @property
    def concern(self) -> int:
        """KPIs whose latest point shows special-cause concern."""
        return self.variation["concern_high"] + self.variation["concern_low"]

    @property
    def neither(self) -> int:
        """Neutral-direction KPIs whose latest point shows special cause."""
        return self.variation["neither_high"] + self.variation["neither_low"]


@dataclass(frozen=True)
class NodeRollup:
    """The roll-up of one outcome, pillar, ICP ambition or population outcome."""

    level: str  # "outcome", "pillar", "ambition" or "population_outcome"
    code: str
    name: str
    lead: StateCounts
    activity: StateCounts
    summary: str


@dataclass(frozen=True)
class Rollup:
    """Roll-ups for every node above the KPIs, by level, in framework order."""

    outcomes: tuple[NodeRollup, ...]
    pillars: tuple[NodeRollup, ...]
    ambitions: tuple[NodeRollup, ...]
    population_outcomes: tuple[NodeRollup, ...]

    def node(self, level: str, code: str) -> NodeRollup:
        """The roll-up of one node (KeyError when there is none)."""
        levels = {
            "outcome": self.outcomes,
            "pillar": self.pillars,
            "ambition": self.ambitions,
            "population_outcome": self.population_outcomes,
        }
        for item in levels[level]:
            if item.code == code:
                return item
        raise KeyError(f"{level} {code}")


def _counts(codes: Iterable[str], rows_by_kpi: Mapping[str, list[ScorecardRow]]) -> StateCounts:
    variation = dict.fromkeys(VARIATIONS, 0)
    assurance = dict.fromkeys(ASSURANCES, 0)
    total = too_few = no_data = not_reported = 0
    ordered = tuple(dict.fromkeys(codes))
    for code in ordered:
        rows = rows_by_kpi.get(code, [])
        if not rows:
            not_reported += 1
            continue
        for row in rows:
            total += 1
            variation[row.variation if row.variation in variation else "none"] += 1
            assurance[row.assurance if row.assurance in assurance else "none"] += 1
            if row.n_points == 0:
                no_data += 1
            elif row.variation == "none":
                too_few += 1
    return StateCounts(
        total=total,
        variation=variation,
        assurance=assurance,
        too_few_points=too_few,
        no_data=no_data,
        not_reported=not_reported,
        kpi_codes=ordered,
    )


def _verb(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def summary_sentence(counts: StateCounts, noun: str = "lead KPI") -> str:
    """A plain-English line for a node's KPIs, e.g. "2 of 3 lead KPIs show improvement; …".

    Counts only: no average of unlike KPIs is ever formed.
    """
    n = counts.total
    if n == 0:
        if counts.not_reported:
            what = f"{counts.not_reported} {noun}" + ("" if counts.not_reported == 1 else "s")
            return f"No data: {what} linked but not reported for this area."
        return f"No {noun} is linked yet."
    plural = f"{noun}s" if n != 1 else noun
    parts: list[str] = []
    states = [
        (counts.improvement, "shows improvement", "show improvement"),
        (counts.concern, "shows concern", "show concern"),
        (
            counts.neither,
            "shows a special cause in a neutral measure",
            "show special causes in neutral measures",
        ),
        (
            counts.variation["common_cause"],
            "shows common cause variation only",
            "show common cause variation only",
        ),
    ]
    first = True
    for count, one, many in states:
        if count == 0:
            continue
        if first:
            parts.append(f"{count} of {n} {plural} {_verb(count, one, many)}")
            first = False
        else:
            parts.append(f"{count} {_verb(count, one, many)}")
    assurance = [
        (
            counts.assurance["fail"],
            "is not capable of hitting its target",
            "are not capable of hitting their targets",
        ),
        (
            counts.assurance["hit_or_miss"],
            "will hit or miss its target by chance",
            "will hit or miss their targets by chance",
        ),
        (
            counts.assurance["pass"],
            "will consistently hit its target",
            "will consistently hit their targets",
        ),
    ]
    for count, one, many in assurance:
        if count:
            parts.append(f"{count} {_verb(count, one, many)}")
    if counts.too_few_points:
        k = counts.too_few_points
        parts.append(f"{k} {_verb(k, 'has', 'have')} too few points for SPC")
    if counts.no_data:
        k = counts.no_data
        parts.append(f"{k} {_verb(k, 'has', 'have')} no data yet")
    if counts.not_reported:
        k = counts.not_reported
        parts.append(f"{k} {_verb(k, 'is', 'are')} not reported for this area")
    if first and parts:  # no SPC icon at all: say how many KPIs the rest refers to
        parts[0] = f"{n} {plural}: " + parts[0]
    return "; ".join(parts) + "."


def rollup(fw: Framework, rows: Sequence[ScorecardRow]) -> Rollup:
    """Counts of KPI states for every outcome, pillar, ICP ambition and population outcome.

    Outcomes count their lead KPIs; pillars, ambitions and population outcomes count the
    distinct lead KPIs of the outcomes below them (a KPI serving two outcomes counts once).
    Activity KPIs are counted alongside: an outcome's are those of its lead KPIs, a pillar's
    those of its bricks. Pass the rows of one area to read the counts as KPIs; with several
    areas each KPI × area row counts once.

    Args:
        fw: the framework.
        rows: scorecard rows (from ``compute_scorecard``).

    Returns:
        The roll-up with a one-line summary per node.
    """
    rows_by_kpi: dict[str, list[ScorecardRow]] = {}
    for row in rows:
        rows_by_kpi.setdefault(row.kpi_code, []).append(row)
    links: dict[LinkKind, dict[str, list[str]]] = {kind: {} for kind in LinkKind}
    for link in fw.links:
        links[link.kind].setdefault(link.from_code, []).append(link.to_code)

    def outcome_keys(number: int) -> list[str]:
        return [f"O{number}", str(number)]

    def leads_of_outcome(number: int) -> list[str]:
        out: list[str] = []
        for key in outcome_keys(number):
            out += links[LinkKind.OUTCOME_LEAD_KPI].get(key, [])
        return list(dict.fromkeys(out))

    def activity_of_leads(leads: Iterable[str]) -> list[str]:
        out: list[str] = []
        for lead in leads:
            out += links[LinkKind.LEAD_ACTIVITY_KPI].get(lead, [])
        return list(dict.fromkeys(out))

    def outcomes_of_ambition(code: str) -> list[int]:
        out: list[int] = []
        for target in links[LinkKind.AMBITION_OUTCOME].get(code, []):
            try:
                out.append(outcome_number(target))
            except ValueError:
                continue
        return list(dict.fromkeys(out))

    def node(level: str, code: str, name: str, leads: list[str], activity: list[str]) -> NodeRollup:
        lead_counts = _counts(leads, rows_by_kpi)
        return NodeRollup(
            level=level,
            code=code,
            name=name,
            lead=lead_counts,
            activity=_counts(activity, rows_by_kpi),
            summary=summary_sentence(lead_counts, "lead KPI"),
        )

    outcomes = tuple(
        node(
            "outcome",
            o.code,
            o.wording,
            leads_of_outcome(o.number),
            activity_of_leads(leads_of_outcome(o.number)),
        )
        for o in fw.outcomes
    )
    pillars: list[NodeRollup] = []
    for pillar in fw.pillars:
        numbers = [o.number for o in fw.outcomes if o.pillar_code == pillar.code]
        leads = list(dict.fromkeys(k for n in numbers for k in leads_of_outcome(n)))
        activity: list[str] = []
        for brick in fw.bricks:
            if brick.pillar_code == pillar.code:
                activity += links[LinkKind.BRICK_ACTIVITY_KPI].get(brick.code, [])
        pillars.append(
            node("pillar", pillar.code, pillar.name, leads, list(dict.fromkeys(activity)))
        )
    ambitions: list[NodeRollup] = []
    for ambition in fw.ambitions:
        numbers = outcomes_of_ambition(ambition.code)
        leads = list(dict.fromkeys(k for n in numbers for k in leads_of_outcome(n)))
        ambitions.append(
            node("ambition", ambition.code, ambition.name, leads, activity_of_leads(leads))
        )
    populations: list[NodeRollup] = []
    for population in fw.population_outcomes:
        numbers = [
            n
            for a in links[LinkKind.POPULATION_OUTCOME_AMBITION].get(population.code, [])
            for n in outcomes_of_ambition(a)
        ]
        leads = list(dict.fromkeys(k for n in dict.fromkeys(numbers) for k in leads_of_outcome(n)))
        populations.append(
            node(
                "population_outcome",
                population.code,
                population.name,
                leads,
                activity_of_leads(leads),
            )
        )
    return Rollup(
        outcomes=outcomes,
        pillars=tuple(pillars),
        ambitions=tuple(ambitions),
        population_outcomes=tuple(populations),
    )


__all__ = [
    "NodeRollup",
    "Rollup",
    "StateCounts",
    "rollup",
    "summary_sentence",
]
