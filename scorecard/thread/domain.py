"""The golden thread as plain frozen dataclasses and enums: no I/O, no Streamlit, no DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

# A KPI extract's columns (CONTRACT §2.2), in the order the scorecard writes them.
EXTRACT_COLUMNS: Final = (
    "kpi_code",
    "area_code",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "note",
)
# A stored observation: an extract row, the load it came in and whether it is synthetic.
OBSERVATION_COLUMNS: Final = (*EXTRACT_COLUMNS, "load_id", "synthetic")
# KPIs computed from people's records, never loaded from an extract (scorecard.reports.derived):
# ACT-BENEFIT is the £ value the Benefits Realisation Group signed off in the month.
DERIVED_KPIS: Final = frozenset({"ACT-BENEFIT"})


class Provenance(StrEnum):
    """Where a framework fact comes from."""

    SEED = "seed"  # stated in the iCAN documents (the row carries a file:line citation)
    ILLUSTRATIVE = "illustrative"  # proposed by the team where the documents are silent


class Direction(StrEnum):
    """Which way is better for a KPI."""

    INCREASE = "increase"
    DECREASE = "decrease"
    NEUTRAL = "neutral"


class Tier(StrEnum):
    """The three KPI tiers of the golden thread."""

    SYSTEM = "system"
    LEAD = "lead"
    ACTIVITY = "activity"


class Unit(StrEnum):
    """The unit a KPI's value is expressed in."""

    COUNT = "count"
    PERCENT = "%"
    RATE = "rate"
    DAYS = "days"
    GBP = "£"


class Frequency(StrEnum):
    """How often a KPI is reported."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    ANNUAL = "annual"


class AreaType(StrEnum):
    """The kinds of area a KPI can be reported for."""

    SYSTEM = "system"
    PLACE = "place"
    PROVIDER = "provider"
    PCN = "pcn"
    LAP = "lap"


class ResultType(StrEnum):
    """Results-based accountability tag of an activity KPI."""

    HOW_MUCH = "how_much"
    HOW_WELL = "how_well"
    BETTER_OFF = "better_off"


class ConflictRule(StrEnum):
    """What the variation icon shows when a point fires both an improvement and a concern rule."""

    CONCERN = "concern"
    IMPROVEMENT = "improvement"


class LinkKind(StrEnum):
    """The many-to-many links of the golden thread (from → to)."""

    POPULATION_OUTCOME_AMBITION = "population_outcome_ambition"
    AMBITION_OUTCOME = "ambition_outcome"
    OUTCOME_LEAD_KPI = "outcome_lead_kpi"
    LEAD_ACTIVITY_KPI = "lead_activity_kpi"
    KPI_I_STATEMENT = "kpi_i_statement"
    BRICK_ACTIVITY_KPI = "brick_activity_kpi"


class SpcEventKind(StrEnum):
    """A recorded event that changes how a KPI's SPC chart is calculated."""

    CHANGE_POINT = "change_point"  # starts a new partition (e.g. a recording change)
    EXCLUDE = "exclude"  # the point is drawn but left out of the calculation
    # An improvement began (also a change point: the improved process gets its own limits).
    IMPROVEMENT_STARTED = "improvement_started"
    SUPPORT_ENDED = "support_ended"  # the support behind an improvement ended


@dataclass(frozen=True)
class PopulationOutcome:
    """An ICS population outcome, e.g. "Stay Well"."""

    code: str
    name: str
    provenance: Provenance
    source: str
    placeholder: bool = False


@dataclass(frozen=True)
class Ambition:
    """One of the "10 ICP ambitions" (Live Your Best Life)."""

    code: str
    name: str
    provenance: Provenance
    source: str
    placeholder: bool = False


@dataclass(frozen=True)
class Pillar:
    """A programme pillar or stream (foundation pillars 1-3, streams 4-5, enabling bricks)."""

    code: str
    number: int
    name: str
    kind: str  # "foundation", "stream" or "enabling"
    mission: str
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class Outcome:
    """One of the 10 iCAN outcomes, owned by a pillar."""

    number: int
    wording: str
    pillar_code: str
    provenance: Provenance
    source: str

    @property
    def code(self) -> str:
        """The outcome's code, e.g. "O7"."""
        return f"O{self.number}"


@dataclass(frozen=True)
class Brick:
    """A unit of delivery under a pillar; the slide is garbled, so confidence is kept."""

    code: str
    name: str
    pillar_code: str
    confidence: str  # "H", "M" or "L": how sure the reconstruction from the slide is
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class IStatement:
    """A co-produced "I" statement residents made about what good care means."""

    code: str
    text: str
    collection: str  # which list it comes from, e.g. "iCAN in 2025"
    domain: str
    provenance: Provenance
    source: str
    variant_of: str = ""  # the canonical statement this wording varies, if any


@dataclass(frozen=True)
class Area:
    """A geography or organisation a KPI is reported for."""

    code: str
    name: str
    type: AreaType
    parent_code: str = ""


@dataclass(frozen=True)
class SpcEvent:
    """A change point, excluded month, improvement start or end of support of a KPI's SPC chart.

    It applies to all areas if area_code is blank.
    """

    kpi_code: str
    period: str
    kind: SpcEventKind
    reason: str
    area_code: str = ""


@dataclass(frozen=True)
class Kpi:
    """A KPI of the framework with the metadata of the contract (CONTRACT §2.1)."""

    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: Unit
    direction: Direction
    frequency: Frequency
    tier: Tier
    owner_role: str
    data_source: str
    area_types: tuple[AreaType, ...]
    provenance: Provenance
    source: str
    baseline_value: float | None = None
    baseline_period: str = ""
    target_value: float | None = None
    target_note: str = ""
    source_key: str = ""
    result_type: ResultType | None = None
    journey_stage: str = ""
    spc_baseline_points: int | None = None
    conflict_rule: ConflictRule = ConflictRule.CONCERN
    suppress_small_numbers: bool = False


@dataclass(frozen=True)
class Link:
    """One edge of the golden thread."""

    kind: LinkKind
    from_code: str
    to_code: str
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class Trajectory:
    """A monthly target for a KPI and area (overrides the KPI's single target for that month)."""

    kpi_code: str
    area_code: str
    period: str
    target: float


@dataclass(frozen=True)
class PeerGroup:
    """Organisations a KPI's value is compared with: England, the NHS region, similar systems.

    ``level`` is the comparison level (``icb``, ``trust``, ``council``); ``members`` are the
    organisation codes of the publications, empty for every organisation of the level.
    """

    code: str
    name: str
    level: str
    members: tuple[str, ...]
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class AreaTarget:
    """A KPI's single target for one area of its own (a KPI's ``target_value`` is the system's)."""

    kpi_code: str
    area_code: str
    target: float
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class Reconciliation:
    """A KPI whose values add up: each ``parts`` area's values sum to its parent area's."""

    kpi_code: str
    parts: AreaType
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class Framework:
    """The whole golden thread, as read from a framework folder."""

    population_outcomes: tuple[PopulationOutcome, ...]
    ambitions: tuple[Ambition, ...]
    pillars: tuple[Pillar, ...]
    outcomes: tuple[Outcome, ...]
    bricks: tuple[Brick, ...]
    kpis: tuple[Kpi, ...]
    i_statements: tuple[IStatement, ...]
    areas: tuple[Area, ...]
    links: tuple[Link, ...]
    spc_events: tuple[SpcEvent, ...] = ()
    trajectories: tuple[Trajectory, ...] = ()
    peer_groups: tuple[PeerGroup, ...] = ()
    area_targets: tuple[AreaTarget, ...] = ()
    reconciliations: tuple[Reconciliation, ...] = ()
    benefits: BenefitsRegister = field(default_factory=lambda: BenefitsRegister())
    name: str = "iCAN"
    _index: dict[str, dict[str, object]] = field(default_factory=dict, compare=False, repr=False)

    def kpi(self, code: str) -> Kpi:
        """The KPI with this code (KeyError if none)."""
        return _lookup(self, "kpis", code)  # type: ignore[return-value]

    def area(self, code: str) -> Area:
        """The area with this code (KeyError if none)."""
        return _lookup(self, "areas", code)  # type: ignore[return-value]

    def outcome(self, number: int) -> Outcome:
        """The outcome with this number (KeyError if none)."""
        return _lookup(self, "outcomes", f"O{number}")  # type: ignore[return-value]

    def linked(self, kind: LinkKind, from_code: str) -> tuple[str, ...]:
        """Codes linked from ``from_code`` by links of ``kind``, in file order."""
        return tuple(
            ln.to_code for ln in self.links if ln.kind == kind and ln.from_code == from_code
        )

    def linked_to(self, kind: LinkKind, to_code: str) -> tuple[str, ...]:
        """Codes linking to ``to_code`` by links of ``kind``, in file order."""
        return tuple(ln.from_code for ln in self.links if ln.kind == kind and ln.to_code == to_code)

    def kpi_areas(self, kpi_code: str) -> tuple[Area, ...]:
        """The areas a KPI is reported for (by the KPI's area types)."""
        types = set(self.kpi(kpi_code).area_types)
        return tuple(a for a in self.areas if a.type in types)

    def target_of(self, kpi_code: str, area_code: str) -> float | None:
        """A KPI's single target for one area, or None where the area has none of its own.

        The KPI's ``target_value`` is the whole system's (the area of type ``system``); any other
        area has a target only through its own row of ``area_targets.csv``. A system target says
        nothing about a place's or a trust's share of it.
        """
        if "area_targets" not in self._index:
            own: dict[str, object] = {f"{t.kpi_code}|{t.area_code}": t for t in self.area_targets}
            self._index["area_targets"] = own
        found = self._index["area_targets"].get(f"{kpi_code}|{area_code}")
        if isinstance(found, AreaTarget):
            return found.target
        if self.area(area_code).type == AreaType.SYSTEM:
            return self.kpi(kpi_code).target_value
        return None

    def reconciliation_of(self, kpi_code: str) -> Reconciliation | None:
        """How a KPI's area values add up (None: they are not declared to)."""
        return next((r for r in self.reconciliations if r.kpi_code == kpi_code), None)


def _lookup(fw: Framework, table: str, code: str) -> object:
    if table not in fw._index:
        fw._index[table] = {item.code: item for item in getattr(fw, table)}
    return fw._index[table][code]


def with_events(fw: Framework, events: Sequence[SpcEvent]) -> Framework:
    """The framework plus SPC events kept outside it (a store's), after its own."""
    if not events:
        return fw
    return replace(fw, spc_events=fw.spc_events + tuple(events), _index={})


# The benefits register (CONTRACT-style files data/framework/benefit_*.csv; ICAN_FRAMEWORK §3.6,
# §4.1-§4.5). Amounts are in £'000, financial years are April-March and labelled "2021/22".


class BenefitType(StrEnum):
    """The three kinds of benefit the documents name (§4.5)."""

    AVOIDED_COST = "avoided_cost"  # e.g. reduced demand
    OPERATIONAL_COST_REDUCTION = "operational_cost_reduction"  # e.g. reduced staff, bed closure
    REDUCED_ONGOING_SPEND = "reduced_ongoing_spend"  # e.g. long term care costs


class BenefitMethod(StrEnum):
    """The five methods of measuring and agreeing delivered performance (§4.4)."""

    WAYS_OF_WORKING = "ways_of_working"  # 1 tracked changes to ways of working
    ACTIVITY_KPIS = "activity_kpis"  # 2 measurable activity KPIs against new ways of working
    SCALED_TRIALS = "scaled_trials"  # 3 scaling local trials / analysis to demonstrated impact
    BOTTOM_UP = "bottom_up"  # 4 bottom up operational indicators
    TOP_DOWN = "top_down"  # 5 top down system wide measures


BENEFIT_METHOD_LABELS: Final = {
    BenefitMethod.WAYS_OF_WORKING: "Tracked changes to ways of working",
    BenefitMethod.ACTIVITY_KPIS: "Measurable activity KPIs against new ways of working",
    BenefitMethod.SCALED_TRIALS: "Scaling local trials / analysis to demonstrated impact",
    BenefitMethod.BOTTOM_UP: "Bottom Up Operational Indicators",
    BenefitMethod.TOP_DOWN: "Top Down System Wide Measures",
}

# The nine steps of the BRG's "Proposed process to identify bottom-up delivery" (§4.3 b).
BRG_STEPS: Final = (
    "Current opportunity and future state outlined",
    "Identification of whether this brick drives financial value",
    "Identification of whether this brick drives value independently",
    "Agreement on operational KPI",
    "Financial benefit formula and fixed variables agreed",
    "Approach to measurement agreed",
    "Reporting set up, with baseline and target agreed",
    "Realisation plan and owner agreed",
    "Overall signoff",
)


class MeasurementLevel(StrEnum):
    """Whether a line's operational KPI measures one brick or a group of bricks (§4.3 step 3)."""

    SINGLE_BRICK = "single_brick"
    BRICK_GROUP = "brick_group"


class BaselineType(StrEnum):
    """A static baseline, or one that builds in natural growth (§4.3 step 7)."""

    STATIC = "static"
    TREND_ADJUSTED = "trend_adjusted"


class BenefitKpiRole(StrEnum):
    """How a KPI drives a benefit line (§4.1)."""

    OPERATIONAL = "operational"  # the controllable measure the BRG agreed: credited bottom up
    SYSTEM_WIDE = "system_wide"  # the system-wide measure the operational change is netted into


class CostKind(StrEnum):
    """The costs table's two groups."""

    NON_RECURRENT = "non_recurrent"
    RECURRENT = "recurrent"


@dataclass(frozen=True)
class BenefitLine:
    """A line of the business case's benefits table, with how its delivery is measured."""

    code: str
    name: str
    benefit_type: BenefitType
    method: BenefitMethod
    level: MeasurementLevel
    baseline_type: BaselineType
    organisations: tuple[str, ...]
    technical_owner: str
    operational_owner: str
    realisation_owner: str
    brg_step: int
    impact_formula: str  # operational improvement -> impact in the system-wide measure's units
    value_formula: str  # attributed impact -> £'000 in a month
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class BenefitKpi:
    """A KPI that drives a benefit line, with the monthly baseline it is measured against."""

    line_code: str
    kpi_code: str
    role: BenefitKpiRole
    baseline: float  # the KPI's monthly value in the baseline year 2019/20
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class BenefitVariable:
    """A fixed variable of a line's financial formula (e.g. £ per avoided attendance)."""

    line_code: str
    name: str
    value: float
    unit: str
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class BenefitPlanRow:
    """The planned benefit of a line in a financial year, in £'000."""

    line_code: str
    year: str
    planned_k: float
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class BenefitCostRow:
    """A cell of the costs table, in £'000; None where the documents say TBC."""

    line: str
    kind: CostKind
    year: str
    cost_k: float | None
    note: str
    provenance: Provenance
    source: str


@dataclass(frozen=True)
class BenefitCashed:
    """An amount of a line's benefit its organisation has chosen to cash, for a month."""

    line_code: str
    period: str
    cashed_k: float
    note: str


@dataclass(frozen=True)
class BenefitsRegister:
    """The benefits register as read from the framework folder (empty when it has none)."""

    lines: tuple[BenefitLine, ...] = ()
    kpis: tuple[BenefitKpi, ...] = ()
    variables: tuple[BenefitVariable, ...] = ()
    plan: tuple[BenefitPlanRow, ...] = ()
    costs: tuple[BenefitCostRow, ...] = ()
    cashed: tuple[BenefitCashed, ...] = ()

    def line(self, code: str) -> BenefitLine:
        """The line with this code (KeyError if none)."""
        for line in self.lines:
            if line.code == code:
                return line
        raise KeyError(code)

    def line_kpis(self, line_code: str, role: BenefitKpiRole) -> tuple[BenefitKpi, ...]:
        """The KPIs of a line in one role, in file order."""
        return tuple(k for k in self.kpis if k.line_code == line_code and k.role == role)

    def line_variables(self, line_code: str) -> dict[str, float]:
        """The fixed variables of a line's formulas by name."""
        return {v.name: v.value for v in self.variables if v.line_code == line_code}

    def kpi_codes(self) -> tuple[str, ...]:
        """Every KPI code the register uses, once each, in file order."""
        return tuple(dict.fromkeys(k.kpi_code for k in self.kpis))


# The business case's five years (004_76ce9cc29bd9e152.txt:1117) and its baseline year (:1115).
PLAN_YEARS: Final = ("2021/22", "2022/23", "2023/24", "2024/25", "2025/26")
BASELINE_YEAR: Final = "2019/20"
GROWTH_VARIABLE: Final = "growth_pct_a_year"  # a trend-adjusted baseline's growth, % a year
