"""The golden thread as plain frozen dataclasses and enums: no I/O, no Streamlit, no DuckDB."""

from __future__ import annotations

from dataclasses import dataclass, field
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


def _lookup(fw: Framework, table: str, code: str) -> object:
    if table not in fw._index:
        fw._index[table] = {item.code: item for item in getattr(fw, table)}
    return fw._index[table][code]
