"""Read the golden thread from a framework folder, check its integrity and report its coverage.

Every load is validated by Pandera (CONTRACT §2.1). What a validation decides depends on nothing
but the bytes of the framework files and the rules that judge them (this module,
``schemas/framework.py``, ``scorecard/domain.py``, the package version, and the versions of
Python, numpy, pandas, pyarrow and Pandera). So after a full validation passes, the validated
cells are kept as a JSON snapshot named by a sha256 over all of those inputs; a later load whose
inputs hash the same would reach the same verdict on the same cells, and is rebuilt from the
snapshot through the same ``_build`` as a validated load, without importing Pandera or pandas.
Any change to a file or a rule changes the key and the framework is validated in full again.
Nothing that failed is ever kept; the key is computed from the very bytes that are then
validated, so a file edited while it is read cannot be paired with another file's verdict.
A snapshot that cannot be read or does not match its own digest is ignored (validated again),
and a cache that cannot be written only costs the speed. The snapshot folder is trusted like
the code beside it (as ``__pycache__`` is). The ``framework`` command, which analysts run after
editing, always validates in full.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from scorecard import __version__, domain
from scorecard.domain import (
    Ambition,
    Area,
    AreaTarget,
    AreaType,
    BaselineType,
    BenefitKpiRole,
    Brick,
    ConflictRule,
    Direction,
    Framework,
    Frequency,
    IStatement,
    Kpi,
    Link,
    LinkKind,
    Outcome,
    PeerGroup,
    Pillar,
    PopulationOutcome,
    Provenance,
    Reconciliation,
    ResultType,
    SpcEvent,
    SpcEventKind,
    Tier,
    Trajectory,
    Unit,
)
from scorecard.errors import Problem, UserError

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

# pandas and Pandera are imported only when a framework is validated: a load served from the
# validated snapshot needs neither (they are most of a command's start-up).

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

# A citation of a seed document: file name with extension, colon, line number.
CITATION = re.compile(r"[A-Za-z0-9_.\-]+\.[A-Za-z0-9]+:\d+")

# For each link kind: (table of from_code, tier it must have), (table of to_code, tier).
LINK_ENDS: dict[LinkKind, tuple[tuple[str, Tier | None], tuple[str, Tier | None]]] = {
    LinkKind.POPULATION_OUTCOME_AMBITION: (("population_outcomes", None), ("ambitions", None)),
    LinkKind.AMBITION_OUTCOME: (("ambitions", None), ("outcomes", None)),
    LinkKind.OUTCOME_LEAD_KPI: (("outcomes", None), ("kpis", Tier.LEAD)),
    LinkKind.LEAD_ACTIVITY_KPI: (("kpis", Tier.LEAD), ("kpis", Tier.ACTIVITY)),
    LinkKind.KPI_I_STATEMENT: (("kpis", None), ("i_statements", None)),
    LinkKind.BRICK_ACTIVITY_KPI: (("bricks", None), ("kpis", Tier.ACTIVITY)),
}

_TABLE_LABEL = {
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


def display_path(path: Path) -> str:
    """The path as a user would name it: relative to the working folder where possible."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


@dataclass(frozen=True)
class _Source:
    """One framework file's bytes, read once: hashed for the cache key, then parsed."""

    stem: str
    path: Path
    data: bytes | None  # None: there is no such file
    error: str = ""  # why the file could not be read, if it could not


def _sources(folder: Path) -> list[_Source]:
    """The bytes of every framework file, in the order of TABLES."""
    found: list[_Source] = []
    for stem in TABLES:
        path = folder / f"{stem}.csv"
        if not path.is_file():
            found.append(_Source(stem, path, None))
            continue
        try:
            found.append(_Source(stem, path, path.read_bytes()))
        except OSError as err:
            found.append(_Source(stem, path, None, err.strerror or type(err).__name__))
    return found


@dataclass
class _Table:
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


class _Problems:
    """Collects every problem found, so the user sees them all at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, file: str, row: int | None, column: str, value: str, rule: str, msg: str) -> None:
        self.items.append(Problem(file, row, column, value, rule, msg))


# Reading and per-file validation


def _read(source: _Source, required: bool, problems: _Problems) -> _Table | None:
    import pandas as pd

    stem, path = source.stem, source.path
    file = display_path(path)
    columns = COLUMNS[stem]
    if source.error:
        problems.add(
            file, None, "", "", "file readable", f"the file cannot be read ({source.error})"
        )
        return None
    if source.data is None:
        if required:
            problems.add(
                file,
                None,
                "",
                "",
                "file exists",
                f"the file is missing; it must exist in {path.parent}",
            )
            return None
        return _Table(stem, file, pd.DataFrame({c: pd.Series([], dtype=str) for c in columns}))
    try:
        ragged, data_rows = _ragged_rows(source.data)
    except UnicodeDecodeError as err:
        problems.add(file, None, "", "", "UTF-8", f"the file is not UTF-8 text ({err.reason})")
        return None
    except csv.Error as err:
        problems.add(file, None, "", "", "CSV", f"the file is not valid CSV ({err})")
        return None
    if ragged and len(ragged) == data_rows and len({r[1] for r in ragged}) == 1:
        problems.add(
            file,
            1,
            "",
            "",
            "cells match header",
            f"the header row has {ragged[0][2]} cells but every data row has {ragged[0][1]}; "
            f"the columns are: {', '.join(columns)}",
        )
        return None
    if ragged:
        for row, cells, header in ragged:
            problems.add(
                file,
                row,
                "",
                "",
                "cells match header",
                f"the row has {cells} cells but the header row has {header}; "
                "quote cells that contain a comma",
            )
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(source.data),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            index_col=False,
            skip_blank_lines=False,  # keep blank lines so row numbers match the file's lines
        )
    except UnicodeDecodeError as err:
        problems.add(file, None, "", "", "UTF-8", f"the file is not UTF-8 text ({err.reason})")
        return None
    except pd.errors.EmptyDataError:
        problems.add(file, 1, "", "", "header row", "the file is empty; it needs a header row")
        return None
    except pd.errors.ParserError as err:
        found = re.search(r"line (\d+)", str(err))
        problems.add(
            file,
            int(found.group(1)) if found else None,
            "",
            "",
            "CSV",
            "the row has more cells than the header row; quote cells that contain a comma",
        )
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    return _Table(stem, file, frame[(frame != "").any(axis=1)])


def _ragged_rows(data: bytes) -> tuple[list[tuple[int, int, int]], int]:
    """Rows whose cell count differs from the header's, as (row, cells, header cells).

    Also returns how many non-blank data rows there are.
    """
    found: list[tuple[int, int, int]] = []
    rows = 0
    # Decoded as the file would be when opened (chunk by chunk), so errors surface alike.
    with io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                rows += 1
                if len(cells) != len(header):
                    found.append((reader.line_num, len(cells), len(header)))
    return found, rows


def _model(stem: str) -> type[pa.DataFrameModel]:
    """The Pandera model of a framework file (imports Pandera)."""
    from schemas import benefits, framework

    module, _, name = TABLES[stem][0].rpartition(".")
    model: type[pa.DataFrameModel] = getattr(benefits if module == "benefits" else framework, name)
    return model


def _validate(table: _Table, model: type[pa.DataFrameModel], problems: _Problems) -> bool:
    """Pandera validation of one file; True when it passed."""
    import pandera.pandas as pa

    try:
        model.validate(table.frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        found = _failure_problems(table, err.failure_cases)
        if not found:  # a failure Pandera could not place on a cell: still say so
            found = [Problem(table.file, None, "", "", "schema", str(err).splitlines()[0])]
        problems.items.extend(found)
        return False
    return True


def _failure_problems(table: _Table, cases: pd.DataFrame) -> list[Problem]:
    """Pandera failure cases as problems a data owner can act on (one per cell)."""
    import pandas as pd

    from schemas.framework import RULES

    found: list[Problem] = []
    seen: set[tuple[str, int | None]] = set()
    expected = ", ".join(COLUMNS[table.stem])
    for case in cases.to_dict("records"):
        check = str(case.get("check", ""))
        column = str(case.get("column", ""))
        value = "" if case.get("failure_case") is None else str(case["failure_case"])
        index = case.get("index")
        row = table.row(int(index)) if index is not None and not pd.isna(index) else None
        if check == "column_in_schema":
            found.append(
                Problem(
                    table.file,
                    1,
                    value,
                    value,
                    "known columns",
                    f"unknown column {value!r}; the columns are: {expected}",
                )
            )
            continue
        if check == "column_in_dataframe":
            found.append(
                Problem(
                    table.file,
                    1,
                    value,
                    "",
                    "required columns",
                    f"the column {value!r} is missing; the columns are: {expected}",
                )
            )
            continue
        if row is None or (column, row) in seen:
            continue  # a consequence of a cell already reported
        seen.add((column, row))
        rule, message = _describe(check, RULES)
        found.append(Problem(table.file, row, column, value, rule, message))
    return found


def _describe(check: str, names: dict[str, str]) -> tuple[str, str]:
    """(rule, message) for a Pandera check as failure_cases names it."""
    listed = re.fullmatch(r"isin\(\[(.*)\]\)", check)
    if listed:
        allowed = [v.strip().strip("'\"") for v in listed.group(1).split(",")]
        shown = ", ".join(repr(v) if v == "" else v for v in allowed).replace("''", "blank")
        return "allowed values", f"is not one of the allowed values: {shown}"
    if check.startswith("str_matches"):
        return "form", "does not have the expected form"
    if check.startswith(("dtype", "coerce_dtype")):
        return "type", "has the wrong type"
    return names.get(check, check), check


# Cross-table integrity


def _codes(table: _Table | None, column: str = "code") -> dict[str, int]:
    """Each code of the table and the user row of its first occurrence."""
    if table is None:
        return {}
    out: dict[str, int] = {}
    for row, cells in table.rows():
        out.setdefault(cells[column], row)
    return out


def _outcome_codes(table: _Table | None) -> dict[str, int]:
    if table is None:
        return {}
    out: dict[str, int] = {}
    for row, cells in table.rows():
        out.setdefault(f"O{cells['number']}", row)
    return out


def _check_unique(table: _Table | None, columns: tuple[str, ...], problems: _Problems) -> None:
    if table is None:
        return
    first: dict[tuple[str, ...], int] = {}
    for row, cells in table.rows():
        key = tuple(cells[c] for c in columns)
        if all(k == "" for k in key):
            continue
        if key in first:
            problems.add(
                table.file,
                row,
                ";".join(columns),
                ";".join(key),
                "unique",
                f"{' and '.join(columns)} {';'.join(key)!r} already appears in row {first[key]}",
            )
        else:
            first[key] = row


def _check_citations(table: _Table | None, problems: _Problems) -> None:
    if table is None or "provenance" not in table.frame.columns:
        return
    for row, cells in table.rows():
        if cells["provenance"] == Provenance.SEED and not CITATION.search(cells["source"]):
            problems.add(
                table.file,
                row,
                "source",
                cells["source"],
                "seed cites file:line",
                "a seed row must cite the document it comes from as file:line, "
                "e.g. 004_76ce9cc29bd9e152.txt:1105",
            )


def _check_references(
    table: _Table | None,
    column: str,
    known: dict[str, int],
    target: str,
    problems: _Problems,
    *,
    blank_ok: bool = False,
) -> None:
    if table is None:
        return
    for row, cells in table.rows():
        value = cells[column]
        if value == "" and blank_ok:
            continue
        if value not in known:
            problems.add(
                table.file,
                row,
                column,
                value,
                "known code",
                f"there is no {_TABLE_LABEL.get(target, target)} with this code in {target}.csv",
            )


def _check_links(tables: dict[str, _Table | None], problems: _Problems) -> None:
    table = tables["links"]
    if table is None:
        return
    known = {stem: _codes(tables.get(stem)) for stem in _TABLE_LABEL if stem != "outcomes"}
    known["outcomes"] = _outcome_codes(tables["outcomes"])
    tiers = _kpi_tiers(tables["kpis"])
    for row, cells in table.rows():
        kind = LinkKind(cells["kind"])
        for column, (stem, tier) in zip(("from_code", "to_code"), LINK_ENDS[kind], strict=True):
            value = cells[column]
            label = _TABLE_LABEL[stem]
            if value not in known[stem]:
                hint = " (outcomes are written O1, O2, …)" if stem == "outcomes" else ""
                problems.add(
                    table.file,
                    row,
                    column,
                    value,
                    "link to known code",
                    f"the {column} of a {kind} link must be the code of {_a(label)}, and "
                    f"there is no {label} with this code in {stem}.csv{hint}",
                )
            elif tier is not None and tiers.get(value) != tier:
                problems.add(
                    table.file,
                    row,
                    column,
                    value,
                    "link to right tier",
                    f"the {column} of a {kind} link must be {_a(f'{tier} KPI')}, "
                    f"but this KPI's tier is {tiers.get(value)}",
                )


def _a(noun: str) -> str:
    """The noun with its indefinite article."""
    return f"an {noun}" if noun[:1].lower() in "aeio" or noun.startswith("I-") else f"a {noun}"


def _kpi_tiers(table: _Table | None) -> dict[str, str]:
    return {} if table is None else {cells["code"]: cells["tier"] for _, cells in table.rows()}


def _linked_from(links: _Table | None, kind: LinkKind) -> set[str]:
    if links is None:
        return set()
    return {cells["from_code"] for _, cells in links.rows() if cells["kind"] == kind}


def _check_numbering(table: _Table | None, problems: _Problems) -> None:
    if table is None or table.frame.empty:
        if table is not None:
            problems.add(table.file, None, "", "", "at least one", "there are no outcomes")
        return
    numbers = sorted({int(n) for n in table.frame["number"]})
    missing = sorted(set(range(1, max(numbers) + 1)) - set(numbers))
    if missing:
        problems.add(
            table.file,
            None,
            "number",
            ", ".join(str(n) for n in missing),
            "numbered 1..N",
            f"outcomes must be numbered 1 to {max(numbers)} with no gaps; missing: "
            + ", ".join(str(n) for n in missing),
        )


def _check_coverage(tables: dict[str, _Table | None], problems: _Problems) -> None:
    links = tables["links"]
    with_lead = _linked_from(links, LinkKind.OUTCOME_LEAD_KPI)
    outcomes = tables["outcomes"]
    if outcomes is not None:
        for row, cells in outcomes.rows():
            if f"O{cells['number']}" not in with_lead:
                problems.add(
                    outcomes.file,
                    row,
                    "number",
                    cells["number"],
                    "outcome has a lead KPI",
                    f"outcome {cells['number']} has no lead KPI: add an outcome_lead_kpi row "
                    f"from O{cells['number']} to links.csv",
                )
    with_activity = _linked_from(links, LinkKind.BRICK_ACTIVITY_KPI)
    bricks = tables["bricks"]
    if bricks is not None:
        for row, cells in bricks.rows():
            if cells["code"] not in with_activity:
                problems.add(
                    bricks.file,
                    row,
                    "code",
                    cells["code"],
                    "brick has an activity KPI",
                    "the brick has no activity KPI: add a brick_activity_kpi row to links.csv",
                )
    with_statement = _linked_from(links, LinkKind.KPI_I_STATEMENT)
    kpis = tables["kpis"]
    if kpis is not None:
        for row, cells in kpis.rows():
            if cells["code"] not in with_statement:
                problems.add(
                    kpis.file,
                    row,
                    "code",
                    cells["code"],
                    "KPI has an I-statement",
                    "the KPI is linked to no I-statement: add a kpi_i_statement row to links.csv",
                )


def _check_kpis(tables: dict[str, _Table | None], problems: _Problems) -> None:
    table = tables["kpis"]
    if table is None:
        return
    keys: dict[str, int] = {}
    for row, cells in table.rows():
        if cells["tier"] == Tier.ACTIVITY and cells["result_type"] == "":
            problems.add(
                table.file,
                row,
                "result_type",
                "",
                "activity KPI has a result type",
                "an activity KPI needs a result_type: how_much, how_well or better_off",
            )
        key = cells["source_key"]
        if key:
            if key in keys:
                problems.add(
                    table.file,
                    row,
                    "source_key",
                    key,
                    "unique",
                    f"source_key already used by the KPI in row {keys[key]}",
                )
            else:
                keys[key] = row


def _check_events(tables: dict[str, _Table | None], problems: _Problems) -> None:
    kpis = tables["kpis"]
    areas = tables["areas"]
    if kpis is None or areas is None:
        return
    kpi_types = {
        cells["code"]: {t.strip() for t in cells["area_types"].split(";")}
        for _, cells in kpis.rows()
    }
    area_types = {cells["code"]: cells["type"] for _, cells in areas.rows()}
    for stem, blank_area_ok in (
        ("spc_events", True),
        ("trajectories", False),
        ("area_targets", False),
    ):
        table = tables[stem]
        if table is None:
            continue
        for row, cells in table.rows():
            kpi, area = cells["kpi_code"], cells["area_code"]
            if kpi not in kpi_types:
                problems.add(
                    table.file,
                    row,
                    "kpi_code",
                    kpi,
                    "known code",
                    "there is no KPI with this code in kpis.csv",
                )
                continue
            if area == "" and blank_area_ok:
                continue
            if area not in area_types:
                problems.add(
                    table.file,
                    row,
                    "area_code",
                    area,
                    "known code",
                    "there is no area with this code in areas.csv",
                )
            elif area_types[area] not in kpi_types[kpi]:
                problems.add(
                    table.file,
                    row,
                    "area_code",
                    area,
                    "area reported for KPI",
                    f"KPI {kpi} is not reported for {area_types[area]} areas "
                    f"(its area_types are {';'.join(sorted(kpi_types[kpi]))})",
                )


def _check_area_targets(tables: dict[str, _Table | None], problems: _Problems) -> None:
    """An area's own target must not repeat the system's: kpis.csv's target_value is that."""
    table, kpis, areas = tables["area_targets"], tables["kpis"], tables["areas"]
    if table is None or kpis is None or areas is None:
        return
    system_targets = {
        cells["code"]: (row, cells["target_value"])
        for row, cells in kpis.rows()
        if cells["target_value"] != ""
    }
    systems = {cells["code"] for _, cells in areas.rows() if cells["type"] == AreaType.SYSTEM}
    for row, cells in table.rows():
        kpi, area = cells["kpi_code"], cells["area_code"]
        if area in systems and kpi in system_targets:
            kpi_row, value = system_targets[kpi]
            problems.add(
                table.file,
                row,
                "area_code",
                area,
                "one target per KPI, area and period",
                f"KPI {kpi} already has a target for the system area {area}: target_value "
                f"{value} in row {kpi_row} of kpis.csv; keep one of the two",
            )


# Units whose area values can add up: counts of people or events, and money. A % or a rate is a
# ratio and days are a mean: neither sums across areas.
ADDITIVE_UNITS: Final = (Unit.COUNT, Unit.GBP)


def _check_reconciliations(tables: dict[str, _Table | None], problems: _Problems) -> None:
    """A KPI declared to add up: known, in a unit that can add up, reported for its parts."""
    table, kpis = tables["reconciliations"], tables["kpis"]
    if table is None or kpis is None:
        return
    known = {cells["code"]: cells for _, cells in kpis.rows()}
    for row, cells in table.rows():
        kpi = known.get(cells["kpi_code"])
        if kpi is None:
            problems.add(
                table.file,
                row,
                "kpi_code",
                cells["kpi_code"],
                "known code",
                "there is no KPI with this code in kpis.csv",
            )
            continue
        if kpi["unit"] not in ADDITIVE_UNITS:
            problems.add(
                table.file,
                row,
                "kpi_code",
                cells["kpi_code"],
                "a unit that adds up",
                f"KPI {cells['kpi_code']} is in unit {kpi['unit']!r}: only counts and £ add up "
                "across areas (a % or a rate is a ratio, days are a mean)",
            )
        types = {t.strip() for t in kpi["area_types"].split(";")}
        if cells["parts"] not in types:
            problems.add(
                table.file,
                row,
                "parts",
                cells["parts"],
                "area type reported for KPI",
                f"KPI {cells['kpi_code']} is not reported for {cells['parts']} areas "
                f"(its area_types are {';'.join(sorted(types))})",
            )


def _this_month() -> str:
    now = datetime.now(tz=UTC)
    return f"{now.year:04d}-{now.month:02d}"


def _check_sustain_events(table: _Table | None, problems: _Problems) -> None:
    """Improvement and end-of-support events: not in the future; support ends after a start.

    A support_ended row needs an improvement_started row for the same KPI, in an earlier
    month, for the same area or for all areas (a blank area on either row).
    """
    if table is None:
        return
    month = _this_month()
    starts: list[tuple[str, str, str]] = []
    ends: list[tuple[int, str, str, str]] = []
    timed = (SpcEventKind.IMPROVEMENT_STARTED, SpcEventKind.SUPPORT_ENDED)
    for row, cells in table.rows():
        kind, period = cells["kind"], cells["period"]
        if kind not in timed:
            continue
        if period > month:
            problems.add(
                table.file,
                row,
                "period",
                period,
                "not in the future",
                f"an {kind} event must be in a month that has begun (this month is {month})",
            )
            continue
        key = (cells["kpi_code"], cells["area_code"], period)
        if kind == SpcEventKind.IMPROVEMENT_STARTED:
            starts.append(key)
        else:
            ends.append((row, *key))
    for row, kpi, area, period in ends:
        earlier = [
            p for k, a, p in starts if k == kpi and (a == area or "" in (a, area)) and p < period
        ]
        if earlier:
            continue
        where = f"area {area}" if area else "all areas"
        problems.add(
            table.file,
            row,
            "period",
            period,
            "support ends after its improvement started",
            f"support ended in {period}, but no improvement_started event for {kpi} "
            f"({where}) is declared in an earlier month",
        )


def _check_areas(table: _Table | None, problems: _Problems) -> None:
    if table is None:
        return
    known = _codes(table)
    for row, cells in table.rows():
        parent = cells["parent_code"]
        if parent == "":
            continue
        if parent == cells["code"] or parent not in known:
            problems.add(
                table.file,
                row,
                "parent_code",
                parent,
                "known parent",
                "the parent must be another area of areas.csv (blank for the top)",
            )


def _check_benefits(tables: dict[str, _Table | None], problems: _Problems) -> None:
    """The benefits register across its files and against the KPIs (ICAN_FRAMEWORK §3.6, §4)."""
    lines_table = tables["benefit_lines"]
    _check_unique(lines_table, ("code",), problems)
    _check_unique(lines_table, ("name",), problems)
    _check_unique(tables["benefit_kpis"], ("line_code", "kpi_code"), problems)
    _check_unique(tables["benefit_variables"], ("line_code", "name"), problems)
    _check_unique(tables["benefit_plan"], ("line_code", "year"), problems)
    _check_unique(tables["benefit_costs"], ("line", "year"), problems)
    _check_unique(tables["benefit_cashed"], ("line_code", "period"), problems)
    lines = _codes(lines_table)
    for stem in ("benefit_kpis", "benefit_variables", "benefit_plan", "benefit_cashed"):
        _check_references(tables[stem], "line_code", lines, "benefit_lines", problems)
    _check_benefit_kpis(tables, problems)
    for stem, column in (("benefit_plan", "year"), ("benefit_costs", "year")):
        table = tables[stem]
        for row, cells in table.rows() if table is not None else ():
            if cells[column] not in domain.PLAN_YEARS:
                problems.add(
                    table.file,  # type: ignore[union-attr]
                    row,
                    column,
                    cells[column],
                    "year of the plan",
                    "must be one of the business case's years: " + ", ".join(domain.PLAN_YEARS),
                )
    plan = tables["benefit_plan"]
    if lines_table is not None and plan is not None:
        planned = {(c["line_code"], c["year"]) for _, c in plan.rows()}
        for row, cells in lines_table.rows():
            missing = [y for y in domain.PLAN_YEARS if (cells["code"], y) not in planned]
            if missing and planned:
                problems.add(
                    lines_table.file,
                    row,
                    "code",
                    cells["code"],
                    "planned every year",
                    f"benefit_plan.csv has no planned amount for this line in {', '.join(missing)}",
                )
    _check_formulas(tables, problems)


def _check_benefit_kpis(tables: dict[str, _Table | None], problems: _Problems) -> None:
    table, lines_table = tables["benefit_kpis"], tables["benefit_lines"]
    if table is None:
        return
    tiers = _kpi_tiers(tables["kpis"])
    systems: dict[str, int] = {}
    for row, cells in table.rows():
        kpi, role = cells["kpi_code"], cells["role"]
        if kpi not in tiers:
            problems.add(
                table.file,
                row,
                "kpi_code",
                kpi,
                "known code",
                "there is no KPI with this code in kpis.csv",
            )
        elif (role == BenefitKpiRole.SYSTEM_WIDE) != (tiers[kpi] == Tier.SYSTEM):
            wanted = "a system" if role == BenefitKpiRole.SYSTEM_WIDE else "a lead or activity"
            problems.add(
                table.file,
                row,
                "kpi_code",
                kpi,
                "KPI tier fits role",
                f"a {role} KPI must be {wanted} KPI, but this KPI's tier is {tiers[kpi]}",
            )
        if role == BenefitKpiRole.SYSTEM_WIDE:
            if cells["line_code"] in systems:
                problems.add(
                    table.file,
                    row,
                    "role",
                    role,
                    "one system-wide KPI",
                    f"line {cells['line_code']} already has a system-wide KPI in row "
                    f"{systems[cells['line_code']]}; the attribution nets into one measure",
                )
            else:
                systems[cells["line_code"]] = row
    if lines_table is None:
        return
    operational = {
        c["line_code"] for _, c in table.rows() if c["role"] == BenefitKpiRole.OPERATIONAL
    }
    for row, cells in lines_table.rows():
        if cells["code"] not in operational:
            problems.add(
                lines_table.file,
                row,
                "code",
                cells["code"],
                "an operational KPI",
                "benefit_kpis.csv names no operational KPI for this line: its delivery "
                "cannot be measured",
            )


def _check_formulas(tables: dict[str, _Table | None], problems: _Problems) -> None:
    """Each formula is arithmetic over the line's variables (and improvement / impact)."""
    from scorecard.formulas import FormulaError, improvement_name, parse

    lines_table = tables["benefit_lines"]
    if lines_table is None:
        return
    variables: dict[str, set[str]] = {}
    table = tables["benefit_variables"]
    for _, cells in table.rows() if table is not None else ():
        variables.setdefault(cells["line_code"], set()).add(cells["name"])
    operational: dict[str, list[str]] = {}
    system: set[str] = set()
    kpis = tables["benefit_kpis"]
    for _, cells in kpis.rows() if kpis is not None else ():
        if cells["role"] == BenefitKpiRole.OPERATIONAL:
            operational.setdefault(cells["line_code"], []).append(cells["kpi_code"])
        else:
            system.add(cells["line_code"])
    for row, cells in lines_table.rows():
        code = cells["code"]
        known = variables.get(code, set())
        inputs = {
            "impact_formula": {"improvement"}
            | {improvement_name(k) for k in operational.get(code, [])},
            "value_formula": {"impact"},
        }
        for column, extra in inputs.items():
            try:
                formula = parse(cells[column])
            except FormulaError as err:
                problems.add(
                    lines_table.file, row, column, cells[column], "arithmetic formula", str(err)
                )
                continue
            for name in sorted(formula.names - known - extra):
                problems.add(
                    lines_table.file,
                    row,
                    column,
                    cells[column],
                    "formula variable defined",
                    f"uses {name!r}, which benefit_variables.csv does not give for line {code} "
                    f"(nor is it one of: {', '.join(sorted(extra))})",
                )
        if (
            cells["baseline_type"] == BaselineType.TREND_ADJUSTED
            and code in system
            and domain.GROWTH_VARIABLE not in known
        ):
            problems.add(
                lines_table.file,
                row,
                "baseline_type",
                cells["baseline_type"],
                "growth for a trend-adjusted baseline",
                f"a trend-adjusted baseline needs the variable {domain.GROWTH_VARIABLE} "
                f"(% a year) in benefit_variables.csv for line {code}",
            )


def _cross_checks(tables: dict[str, _Table | None], problems: _Problems) -> None:
    for stem in ("population_outcomes", "ambitions", "pillars", "bricks", "i_statements"):
        _check_unique(tables[stem], ("code",), problems)
    _check_unique(tables["areas"], ("code",), problems)
    _check_unique(tables["kpis"], ("code",), problems)
    _check_unique(tables["kpis"], ("name",), problems)
    _check_unique(tables["pillars"], ("number",), problems)
    _check_unique(tables["outcomes"], ("number",), problems)
    _check_unique(tables["links"], ("kind", "from_code", "to_code"), problems)
    _check_unique(tables["spc_events"], ("kpi_code", "area_code", "period"), problems)
    _check_unique(tables["trajectories"], ("kpi_code", "area_code", "period"), problems)
    _check_unique(tables["peer_groups"], ("group_code", "org_code"), problems)
    _check_peer_groups(tables["peer_groups"], problems)
    _check_unique(tables["area_targets"], ("kpi_code", "area_code"), problems)
    _check_unique(tables["reconciliations"], ("kpi_code",), problems)
    for table in tables.values():
        _check_citations(table, problems)
    pillars = _codes(tables["pillars"])
    _check_references(tables["outcomes"], "pillar_code", pillars, "pillars", problems)
    _check_references(tables["bricks"], "pillar_code", pillars, "pillars", problems)
    statements = _codes(tables["i_statements"])
    _check_references(
        tables["i_statements"], "variant_of", statements, "i_statements", problems, blank_ok=True
    )
    _check_areas(tables["areas"], problems)
    _check_numbering(tables["outcomes"], problems)
    _check_kpis(tables, problems)
    _check_links(tables, problems)
    _check_coverage(tables, problems)
    _check_events(tables, problems)
    _check_sustain_events(tables["spc_events"], problems)
    _check_area_targets(tables, problems)
    _check_reconciliations(tables, problems)
    _check_benefits(tables, problems)


def _check_peer_groups(table: _Table | None, problems: _Problems) -> None:
    """A group has one name and level on every row, and ``*`` only as its single row."""
    if table is None:
        return
    first: dict[str, dict[str, str]] = {}
    sizes: dict[str, int] = {}
    for _, cells in table.rows():
        sizes[cells["group_code"]] = sizes.get(cells["group_code"], 0) + 1
    for row, cells in table.rows():
        code = cells["group_code"]
        seen = first.setdefault(code, cells)
        for column in ("group_name", "level"):
            if cells[column] != seen[column]:
                problems.add(
                    table.file,
                    row,
                    column,
                    cells[column],
                    "one group, one " + column.replace("group_", ""),
                    f"peer group {code} is {seen[column]!r} on an earlier row",
                )
        if cells["org_code"] == "*" and sizes[code] > 1:
            problems.add(
                table.file,
                row,
                "org_code",
                "*",
                "all of the level alone",
                f"* means every organisation of the level, so peer group {code} must have no "
                "other member rows",
            )


# Building the domain objects (only after every check passed)


def _flag(text: str) -> bool:
    return text.lower() == "true"


def _number(text: str) -> float | None:
    return float(text) if text != "" else None


def _build(records: Mapping[str, Sequence[Mapping[str, str]]]) -> Framework:
    """The domain objects from the validated cells of every file (a validation or a snapshot)."""

    def rows(stem: str) -> Sequence[Mapping[str, str]]:
        return records[stem]

    return Framework(
        population_outcomes=tuple(
            PopulationOutcome(
                r["code"],
                r["name"],
                Provenance(r["provenance"]),
                r["source"],
                _flag(r["placeholder"]),
            )
            for r in rows("population_outcomes")
        ),
        ambitions=tuple(
            Ambition(
                r["code"],
                r["name"],
                Provenance(r["provenance"]),
                r["source"],
                _flag(r["placeholder"]),
            )
            for r in rows("ambitions")
        ),
        pillars=tuple(
            Pillar(
                r["code"],
                int(r["number"]),
                r["name"],
                r["kind"],
                r["mission"],
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("pillars")
        ),
        outcomes=tuple(
            sorted(
                (
                    Outcome(
                        int(r["number"]),
                        r["wording"],
                        r["pillar_code"],
                        Provenance(r["provenance"]),
                        r["source"],
                    )
                    for r in rows("outcomes")
                ),
                key=lambda o: o.number,
            )
        ),
        bricks=tuple(
            Brick(
                r["code"],
                r["name"],
                r["pillar_code"],
                r["confidence"],
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("bricks")
        ),
        kpis=tuple(_kpi(r) for r in rows("kpis")),
        i_statements=tuple(
            IStatement(
                code=r["code"],
                text=r["text"],
                collection=r["collection"],
                domain=r["domain"],
                provenance=Provenance(r["provenance"]),
                source=r["source"],
                variant_of=r["variant_of"],
            )
            for r in rows("i_statements")
        ),
        areas=tuple(
            Area(r["code"], r["name"], AreaType(r["type"]), r["parent_code"]) for r in rows("areas")
        ),
        links=tuple(
            Link(
                LinkKind(r["kind"]),
                r["from_code"],
                r["to_code"],
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("links")
        ),
        spc_events=tuple(
            SpcEvent(
                kpi_code=r["kpi_code"],
                period=r["period"],
                kind=SpcEventKind(r["kind"]),
                reason=r["reason"],
                area_code=r["area_code"],
            )
            for r in rows("spc_events")
        ),
        trajectories=tuple(
            Trajectory(r["kpi_code"], r["area_code"], r["period"], float(r["target"]))
            for r in rows("trajectories")
        ),
        peer_groups=_peer_groups(rows("peer_groups")),
        area_targets=tuple(
            AreaTarget(
                r["kpi_code"],
                r["area_code"],
                float(r["target"]),
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("area_targets")
        ),
        reconciliations=tuple(
            Reconciliation(
                r["kpi_code"], AreaType(r["parts"]), Provenance(r["provenance"]), r["source"]
            )
            for r in rows("reconciliations")
        ),
        benefits=_benefits(records),
    )


def _peer_groups(rows: Iterable[Mapping[str, str]]) -> tuple[PeerGroup, ...]:
    """Peer-group rows gathered into groups, in file order; ``*`` means every organisation."""
    groups: dict[str, list[Mapping[str, str]]] = {}
    for r in rows:
        groups.setdefault(r["group_code"], []).append(r)
    return tuple(
        PeerGroup(
            code=code,
            name=members[0]["group_name"],
            level=members[0]["level"],
            members=tuple(m["org_code"] for m in members if m["org_code"] != "*"),
            provenance=Provenance(members[0]["provenance"]),
            source=members[0]["source"],
        )
        for code, members in groups.items()
    )


def _benefits(records: Mapping[str, Sequence[Mapping[str, str]]]) -> domain.BenefitsRegister:
    """The benefits register from its validated cells (empty when the folder has none)."""

    def rows(stem: str) -> Sequence[Mapping[str, str]]:
        return records.get(stem, ())

    return domain.BenefitsRegister(
        lines=tuple(
            domain.BenefitLine(
                code=r["code"],
                name=r["name"],
                benefit_type=domain.BenefitType(r["benefit_type"]),
                method=domain.BenefitMethod(r["method"]),
                level=domain.MeasurementLevel(r["level"]),
                baseline_type=BaselineType(r["baseline_type"]),
                organisations=tuple(o.strip() for o in r["organisations"].split(";") if o.strip()),
                technical_owner=r["technical_owner"],
                operational_owner=r["operational_owner"],
                realisation_owner=r["realisation_owner"],
                brg_step=int(r["brg_step"]),
                impact_formula=r["impact_formula"],
                value_formula=r["value_formula"],
                provenance=Provenance(r["provenance"]),
                source=r["source"],
            )
            for r in rows("benefit_lines")
        ),
        kpis=tuple(
            domain.BenefitKpi(
                r["line_code"],
                r["kpi_code"],
                BenefitKpiRole(r["role"]),
                float(r["baseline"]),
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("benefit_kpis")
        ),
        variables=tuple(
            domain.BenefitVariable(
                r["line_code"],
                r["name"],
                float(r["value"]),
                r["unit"],
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("benefit_variables")
        ),
        plan=tuple(
            domain.BenefitPlanRow(
                r["line_code"],
                r["year"],
                float(r["planned_k"]),
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("benefit_plan")
        ),
        costs=tuple(
            domain.BenefitCostRow(
                r["line"],
                domain.CostKind(r["kind"]),
                r["year"],
                _number(r["cost_k"]),
                r["note"],
                Provenance(r["provenance"]),
                r["source"],
            )
            for r in rows("benefit_costs")
        ),
        cashed=tuple(
            domain.BenefitCashed(r["line_code"], r["period"], float(r["cashed_k"]), r["note"])
            for r in rows("benefit_cashed")
        ),
    )


def _kpi(r: Mapping[str, str]) -> Kpi:
    return Kpi(
        code=r["code"],
        name=r["name"],
        definition=r["definition"],
        numerator=r["numerator"],
        denominator=r["denominator"],
        unit=Unit(r["unit"]),
        direction=Direction(r["direction"]),
        frequency=Frequency(r["frequency"]),
        tier=Tier(r["tier"]),
        owner_role=r["owner_role"],
        data_source=r["data_source"],
        area_types=tuple(AreaType(t.strip()) for t in r["area_types"].split(";")),
        provenance=Provenance(r["provenance"]),
        source=r["source"],
        baseline_value=_number(r["baseline_value"]),
        baseline_period=r["baseline_period"],
        target_value=_number(r["target_value"]),
        target_note=r["target_note"],
        source_key=r["source_key"],
        result_type=ResultType(r["result_type"]) if r["result_type"] else None,
        journey_stage=r["journey_stage"],
        spc_baseline_points=int(r["spc_baseline_points"]) if r["spc_baseline_points"] else None,
        conflict_rule=ConflictRule(r["conflict_rule"] or ConflictRule.CONCERN),
        suppress_small_numbers=_flag(r["suppress_small_numbers"]),
    )


def load_framework(folder: Path, *, use_cache: bool = True) -> Framework:
    """Read, validate and check a framework folder.

    A framework whose files and rules are byte for byte those of an earlier load that passed
    is rebuilt from that load's validated snapshot (see the module docstring); any other is
    validated in full with Pandera and the cross-table checks, and kept as a snapshot if it
    passes.

    Args:
        folder: the folder holding the framework CSV files (e.g. ``data/framework``).
        use_cache: False to validate in full even when a snapshot matches (the snapshot is
            still refreshed when the framework passes).

    Returns:
        The golden thread as domain objects.

    Raises:
        UserError: listing every problem found (missing files or columns, wrong values,
            broken links, gaps in coverage), each naming file, row, column and value.
    """
    if not folder.is_dir():
        raise UserError(
            Problem(
                display_path(folder),
                None,
                "",
                "",
                "framework folder",
                "the framework folder does not exist",
            )
        )
    sources = _sources(folder)
    snapshot = _snapshot_path(folder, sources)
    if use_cache and snapshot is not None:
        cached = _read_snapshot(snapshot)
        if cached is not None:
            try:
                return _build(cached)
            except (KeyError, ValueError, TypeError):
                pass  # a snapshot that does not build is ignored: validate in full below
    records = _validated(sources)
    fw = _build(records)
    if snapshot is not None:
        _write_snapshot(snapshot, records)
    return fw


def _validated(sources: Sequence[_Source]) -> dict[str, list[dict[str, str]]]:
    """Pandera validation of every file, then the cross-table checks: the cells that passed."""
    problems = _Problems()
    tables: dict[str, _Table | None] = {}
    for source in sources:
        required = TABLES[source.stem][1]
        table = _read(source, required, problems)
        if table is not None and not _validate(table, _model(source.stem), problems):
            table = None  # cross-table checks only run on files that are well-formed
        tables[source.stem] = table
    if problems.items:
        # Cross checks on a partial framework would only repeat one cause many times.
        raise UserError(problems.items)
    _cross_checks(tables, problems)
    if problems.items:
        raise UserError(problems.items)
    return {stem: table.records() for stem, table in tables.items() if table is not None}


# The validated snapshot (see the module docstring)

_SNAPSHOT_FORMAT = 1
_SNAPSHOTS_KEPT = 16  # per cache folder; older snapshots are removed when one is written
CACHE_ENV = "SCORECARD_CACHE_DIR"


def _rule_files() -> list[Path]:
    """The source files whose rules decide a validation (this module, schemas, domain)."""
    spec = find_spec("schemas.framework")
    if spec is None or spec.origin is None or domain.__file__ is None:
        raise OSError("the rules' source files cannot be found")
    benefits = find_spec("schemas.benefits")
    formulas = find_spec("scorecard.formulas")
    if benefits is None or benefits.origin is None or formulas is None or formulas.origin is None:
        raise OSError("the rules' source files cannot be found")
    return [
        Path(__file__),
        Path(spec.origin),
        Path(benefits.origin),
        Path(formulas.origin),
        Path(domain.__file__),
    ]


# The libraries a validation runs on: pandas and Pandera, and the numpy and pyarrow under them
# (pandas 3 matches strings with pyarrow's regular expressions).
_LIBRARIES = ("numpy", "pandas", "pandera", "pyarrow")


def _library_versions() -> str:
    """The installed versions of _LIBRARIES, from their dist-info folders' names (no import)."""
    marks: list[str] = []
    listed: dict[Path, list[str]] = {}
    for name in _LIBRARIES:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise OSError(f"{name} is not installed")
        site = Path(spec.origin).parent.parent
        if site not in listed:
            listed[site] = sorted(p.name for p in site.iterdir())
        found = [n for n in listed[site] if n.startswith(f"{name}-") and n.endswith(".dist-info")]
        # Without a dist-info (an unusual install) the package's own file stands in for it.
        marks.extend(found or [f"{spec.origin}:{Path(spec.origin).stat().st_mtime_ns}"])
    return ";".join(marks)


def _cache_key(sources: Sequence[_Source]) -> str | None:
    """sha256 over every input of a validation's verdict; None when one cannot be read."""
    if any(source.error for source in sources):
        return None
    digest = hashlib.sha256()

    def part(name: str, data: bytes | None) -> None:
        digest.update(name.encode() + b"\0")
        if data is None:
            digest.update(b"-")
        else:
            digest.update(b"+" + len(data).to_bytes(8, "big") + data)

    try:
        part("format", str(_SNAPSHOT_FORMAT).encode())
        part("scorecard", __version__.encode())
        part("python", sys.version.encode())
        part("libraries", _library_versions().encode())
        for n, path in enumerate(_rule_files()):
            part(f"rules {n}", path.read_bytes())
    except OSError:
        return None
    for source in sources:
        part(f"{source.stem}.csv", source.data)
    return digest.hexdigest()


def _snapshot_path(folder: Path, sources: Sequence[_Source]) -> Path | None:
    """The snapshot file for these sources (named by the cache key), or None: no cache."""
    key = _cache_key(sources)
    where = _cache_dir(folder) if key is not None else None
    return None if where is None else where / f"{key}.json"


def _writable(folder: Path) -> bool:
    """Whether ``folder`` exists and is writable, or could be created (nothing is created)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def _cache_dir(folder: Path) -> Path | None:
    """Where snapshots live: $SCORECARD_CACHE_DIR, beside the framework, the user's cache."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen:
        return Path(chosen)
    beside = folder.resolve().parent / ".cache" / "framework"
    if _writable(beside):
        return beside
    try:
        home = Path(os.environ.get("XDG_CACHE_HOME", "") or Path.home() / ".cache")
    except RuntimeError:  # no home folder
        return None
    user = home / "ican-scorecard" / "framework"
    return user if _writable(user) else None


def _read_snapshot(path: Path) -> dict[str, list[dict[str, str]]] | None:
    """The validated cells kept in ``path``; None when absent, unreadable or damaged."""
    key = path.stem
    try:
        document = json.loads(path.read_bytes())
        if not isinstance(document, dict):
            return None
        if document.get("format") != _SNAPSHOT_FORMAT or document.get("key") != key:
            return None
        payload = document.get("payload")
        if not isinstance(payload, str):
            return None
        if hashlib.sha256(payload.encode()).hexdigest() != document.get("digest"):
            return None
        return _snapshot_records(json.loads(payload))
    except (OSError, ValueError, RecursionError):
        return None


def _snapshot_records(tables: object) -> dict[str, list[dict[str, str]]] | None:
    """The snapshot's tables as cells, if they have the shape a validation leaves."""
    if not isinstance(tables, dict) or set(tables) != set(TABLES):
        return None
    records: dict[str, list[dict[str, str]]] = {}
    for stem, table in tables.items():
        if not isinstance(table, dict):
            return None
        columns, rows = table.get("columns"), table.get("rows")
        if not isinstance(columns, list) or sorted(columns) != sorted(COLUMNS[stem]):
            return None
        if not isinstance(rows, list):
            return None
        cells: list[dict[str, str]] = []
        for row in rows:
            if not (
                isinstance(row, list)
                and len(row) == len(columns)
                and all(isinstance(v, str) for v in row)
            ):
                return None
            cells.append(dict(zip(columns, row, strict=True)))
        records[stem] = cells
    return records


def _write_snapshot(path: Path, records: Mapping[str, list[dict[str, str]]]) -> None:
    """Keep the validated cells in ``path``, atomically; a failure to write is not an error."""
    tables = {
        stem: {
            "columns": list(COLUMNS[stem]),
            "rows": [[cells[c] for c in COLUMNS[stem]] for cells in records.get(stem, [])],
        }
        for stem in TABLES
    }
    payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":"))
    document = {
        "format": _SNAPSHOT_FORMAT,
        "key": path.stem,
        "digest": hashlib.sha256(payload.encode()).hexdigest(),
        "payload": payload,
    }
    import tempfile  # only a validation that passed writes; a hit needs none of it

    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=path.parent)
        temporary = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False)
        temporary.replace(path)  # readers see the old file or the whole new one
        temporary = None
        _prune(path.parent)
    except OSError:
        pass  # no cache is slower, never wrong
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


_SNAPSHOT_NAME = re.compile(r"[0-9a-f]{64}\.json")


def _prune(folder: Path) -> None:
    """Remove all but the newest snapshots of a cache folder (and nothing else in it)."""
    aged = []
    for path in folder.iterdir():
        if not _SNAPSHOT_NAME.fullmatch(path.name):
            continue
        with contextlib.suppress(OSError):
            aged.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(aged, reverse=True)[_SNAPSHOTS_KEPT:]:
        with contextlib.suppress(OSError):
            path.unlink()


# Coverage, threads and the JSON view


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
        f"{_TABLE_LABEL[stem]} {item.code}"
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
