"""The framework's files: their columns, link ends and labels, a file's cells and its problems."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from scorecard.thread.domain import LinkKind, Tier
from scorecard.thread.errors import Problem

if TYPE_CHECKING:
    import pandas as pd

# file stem -> (Pandera model in schemas/framework.py, required?). spc_events and trajectories
# may be absent: none.
TABLES: dict[str, tuple[str, bool]] = {
    "population_outcomes": ("PopulationOutcomes", True),
    "ambitions": ("Ambitions", True),
    "pillars": ("Pillars", True),
    "outcomes": ("Outcomes", True),
    "bricks": ("Bricks", True),
    "i_statements": ("IStatements", True),
    "areas": ("Areas", True),
    "kpis": ("Kpis", True),
    "links": ("Links", True),
    "spc_events": ("SpcEvents", False),
    "trajectories": ("Trajectories", False),
    "peer_groups": ("PeerGroups", False),
    "area_targets": ("AreaTargets", False),
    "reconciliations": ("Reconciliations", False),
    # The benefits register (schemas/benefits.py): absent files make an empty register.
    "benefit_lines": ("benefits.BenefitLines", False),
    "benefit_kpis": ("benefits.BenefitKpis", False),
    "benefit_variables": ("benefits.BenefitVariables", False),
    "benefit_plan": ("benefits.BenefitPlan", False),
    "benefit_costs": ("benefits.BenefitCosts", False),
    "benefit_cashed": ("benefits.BenefitCashed", False),
}

# The column order of every file (INTERFACES.md); used for messages and for new files.
COLUMNS: dict[str, tuple[str, ...]] = {
    "population_outcomes": ("code", "name", "placeholder", "provenance", "source"),
    "ambitions": ("code", "name", "placeholder", "provenance", "source"),
    "pillars": ("code", "number", "name", "kind", "mission", "provenance", "source"),
    "outcomes": ("number", "wording", "pillar_code", "provenance", "source"),
    "bricks": ("code", "name", "pillar_code", "confidence", "provenance", "source"),
    "i_statements": (
        "code",
        "text",
        "collection",
        "domain",
        "variant_of",
        "provenance",
        "source",
    ),
    "areas": ("code", "name", "type", "parent_code"),
    "kpis": (
        "code",
        "name",
        "tier",
        "definition",
        "numerator",
        "denominator",
        "unit",
        "direction",
        "frequency",
        "owner_role",
        "data_source",
        "area_types",
        "baseline_value",
        "baseline_period",
        "target_value",
        "target_note",
        "source_key",
        "result_type",
        "journey_stage",
        "spc_baseline_points",
        "conflict_rule",
        "suppress_small_numbers",
        "provenance",
        "source",
    ),
    "links": ("kind", "from_code", "to_code", "provenance", "source"),
    "spc_events": ("kpi_code", "area_code", "period", "kind", "reason"),
    "trajectories": ("kpi_code", "area_code", "period", "target"),
    "peer_groups": ("group_code", "group_name", "level", "org_code", "provenance", "source"),
    "area_targets": ("kpi_code", "area_code", "target", "provenance", "source"),
    "reconciliations": ("kpi_code", "parts", "provenance", "source"),
    "benefit_lines": (
        "code",
        "name",
        "benefit_type",
        "method",
        "level",
        "baseline_type",
        "organisations",
        "technical_owner",
        "operational_owner",
        "realisation_owner",
        "brg_step",
        "impact_formula",
        "value_formula",
        "provenance",
        "source",
    ),
    "benefit_kpis": ("line_code", "kpi_code", "role", "baseline", "provenance", "source"),
    "benefit_variables": ("line_code", "name", "value", "unit", "provenance", "source"),
    "benefit_plan": ("line_code", "year", "planned_k", "provenance", "source"),
    "benefit_costs": ("line", "kind", "year", "cost_k", "note", "provenance", "source"),
    "benefit_cashed": ("line_code", "period", "cashed_k", "note"),
}


# For each link kind: (table of from_code, tier it must have), (table of to_code, tier).
LINK_ENDS: dict[LinkKind, tuple[tuple[str, Tier | None], tuple[str, Tier | None]]] = {
    LinkKind.POPULATION_OUTCOME_AMBITION: (("population_outcomes", None), ("ambitions", None)),
    LinkKind.AMBITION_OUTCOME: (("ambitions", None), ("outcomes", None)),
    LinkKind.OUTCOME_LEAD_KPI: (("outcomes", None), ("kpis", Tier.LEAD)),
    LinkKind.LEAD_ACTIVITY_KPI: (("kpis", Tier.LEAD), ("kpis", Tier.ACTIVITY)),
    LinkKind.KPI_I_STATEMENT: (("kpis", None), ("i_statements", None)),
    LinkKind.BRICK_ACTIVITY_KPI: (("bricks", None), ("kpis", Tier.ACTIVITY)),
}

TABLE_LABEL = {
    "population_outcomes": "population outcome",
    "ambitions": "ambition",
    "outcomes": "outcome",
    "kpis": "KPI",
    "i_statements": "I-statement",
    "bricks": "brick",
    "pillars": "pillar",
    "areas": "area",
    "benefit_lines": "benefit line",
}

_FIRST_DATA_ROW = 2  # the header is row 1, as a user counts rows in a spreadsheet


@dataclass(frozen=True)
class Source:
    """One framework file's bytes, read once: hashed for the cache key, then parsed."""

    stem: str
    path: Path
    data: bytes | None  # None: there is no such file
    error: str = ""  # why the file could not be read, if it could not


@dataclass
class Table:
    """One framework file as read: its text cells, where it lives, and user row numbers."""

    stem: str
    file: str
    frame: pd.DataFrame

    def row(self, index: int) -> int:
        """The row number the user sees for a frame index (header = row 1)."""
        return index + _FIRST_DATA_ROW

    @cached_property
    def _rows(self) -> list[tuple[int, dict[str, str]]]:
        # Made once: the cross checks walk every table several times.
        return [
            (self.row(int(index)), {str(k): str(v) for k, v in record.items()})
            for index, record in zip(self.frame.index, self.frame.to_dict("records"), strict=True)
        ]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(user row, cells) for every data row."""
        return iter(self._rows)

    def records(self) -> list[dict[str, str]]:
        """The cells of every data row, in file order."""
        return [cells for _, cells in self._rows]


class Problems:
    """Collects every problem found, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, row: int | None, column: str, value: str, rule: str, msg: str) -> None:
        """Note one problem: where it is (file, row, column, value), the rule and what is wrong."""
        self.items.append(Problem(file, row, column, value, rule, msg))
