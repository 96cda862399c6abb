"""Read the golden thread from a framework folder, validate it and build its domain objects.

Every load is validated by Pandera (CONTRACT §2.1) and by the cross-table checks of
``framework_checks``; a load whose files and rules are those of an earlier load that passed is
rebuilt from that load's validated snapshot instead (``framework_snapshot`` says why that is
sound). The ``framework`` command, which analysts run after editing, always validates in full.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from scorecard.thread import domain
from scorecard.thread.domain import (
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
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework_checks import cross_checks
from scorecard.thread.framework_snapshot import read_snapshot, snapshot_path, write_snapshot
from scorecard.thread.framework_tables import COLUMNS, TABLES, Problems, Source, Table

if TYPE_CHECKING:
    import pandas as pd
    import pandera.pandas as pa

# pandas and Pandera are imported only when a framework is validated: a load served from the
# validated snapshot needs neither (they are most of a command's start-up).


def display_path(path: Path) -> str:
    """The path as a user would name it: relative to the working folder where possible."""
    if path.is_absolute():
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    return path.as_posix()


def _sources(folder: Path) -> list[Source]:
    """The bytes of every framework file, in the order of TABLES."""
    found: list[Source] = []
    for stem in TABLES:
        path = folder / f"{stem}.csv"
        if not path.is_file():
            found.append(Source(stem, path, None))
            continue
        try:
            found.append(Source(stem, path, path.read_bytes()))
        except OSError as err:
            found.append(Source(stem, path, None, err.strerror or type(err).__name__))
    return found


# Reading and per-file validation


def _read(source: Source, required: bool, problems: Problems) -> Table | None:
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
        return Table(stem, file, pd.DataFrame({c: pd.Series([], dtype=str) for c in columns}))
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
    return Table(stem, file, frame[(frame != "").any(axis=1)])


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


def _validate(table: Table, model: type[pa.DataFrameModel], problems: Problems) -> bool:
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


def _failure_problems(table: Table, cases: pd.DataFrame) -> list[Problem]:
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
    is rebuilt from that load's validated snapshot (see ``framework_snapshot``); any other is
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
    snapshot = snapshot_path(folder, sources)
    if use_cache and snapshot is not None:
        cached = read_snapshot(snapshot)
        if cached is not None:
            try:
                return _build(cached)
            except (KeyError, ValueError, TypeError):
                pass  # a snapshot that does not build is ignored: validate in full below
    records = _validated(sources)
    fw = _build(records)
    if snapshot is not None:
        write_snapshot(snapshot, records)
    return fw


def _validated(sources: Sequence[Source]) -> dict[str, list[dict[str, str]]]:
    """Pandera validation of every file, then the cross-table checks: the cells that passed."""
    problems = Problems()
    tables: dict[str, Table | None] = {}
    for source in sources:
        required = TABLES[source.stem][1]
        table = _read(source, required, problems)
        if table is not None and not _validate(table, _model(source.stem), problems):
            table = None  # cross-table checks only run on files that are well-formed
        tables[source.stem] = table
    if problems.items:
        # Cross checks on a partial framework would only repeat one cause many times.
        raise UserError(problems.items)
    cross_checks(tables, problems)
    if problems.items:
        raise UserError(problems.items)
    return {stem: table.records() for stem, table in tables.items() if table is not None}
