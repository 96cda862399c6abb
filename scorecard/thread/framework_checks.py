"""The framework's cross-table integrity checks, run once every file passed its own schema."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final

from scorecard.thread import domain
from scorecard.thread.domain import (
    AreaType,
    BaselineType,
    BenefitKpiRole,
    LinkKind,
    Provenance,
    SpcEventKind,
    Tier,
    Unit,
)
from scorecard.thread.framework_tables import LINK_ENDS, TABLE_LABEL, Problems, Table

# A citation of a seed document: file name with extension, colon, line number.
CITATION = re.compile(r"[A-Za-z0-9_.\-]+\.[A-Za-z0-9]+:\d+")


def _codes(table: Table | None, column: str = "code") -> dict[str, int]:
    """Each code of the table and the user row of its first occurrence."""
    if table is None:
        return {}
    out: dict[str, int] = {}
    for row, cells in table.rows():
        out.setdefault(cells[column], row)
    return out


def _outcome_codes(table: Table | None) -> dict[str, int]:
    if table is None:
        return {}
    out: dict[str, int] = {}
    for row, cells in table.rows():
        out.setdefault(f"O{cells['number']}", row)
    return out


def _check_unique(table: Table | None, columns: tuple[str, ...], problems: Problems) -> None:
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


def _check_citations(table: Table | None, problems: Problems) -> None:
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
    table: Table | None,
    column: str,
    known: dict[str, int],
    target: str,
    problems: Problems,
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
                f"there is no {TABLE_LABEL.get(target, target)} with this code in {target}.csv",
            )


def _check_links(tables: dict[str, Table | None], problems: Problems) -> None:
    table = tables["links"]
    if table is None:
        return
    known = {stem: _codes(tables.get(stem)) for stem in TABLE_LABEL if stem != "outcomes"}
    known["outcomes"] = _outcome_codes(tables["outcomes"])
    tiers = _kpi_tiers(tables["kpis"])
    for row, cells in table.rows():
        kind = LinkKind(cells["kind"])
        for column, (stem, tier) in zip(("from_code", "to_code"), LINK_ENDS[kind], strict=True):
            value = cells[column]
            label = TABLE_LABEL[stem]
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


def _kpi_tiers(table: Table | None) -> dict[str, str]:
    return {} if table is None else {cells["code"]: cells["tier"] for _, cells in table.rows()}


def _linked_from(links: Table | None, kind: LinkKind) -> set[str]:
    if links is None:
        return set()
    return {cells["from_code"] for _, cells in links.rows() if cells["kind"] == kind}


def _check_numbering(table: Table | None, problems: Problems) -> None:
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


def _check_coverage(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_kpis(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_events(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_area_targets(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_reconciliations(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_sustain_events(table: Table | None, problems: Problems) -> None:
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


def _check_areas(table: Table | None, problems: Problems) -> None:
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


def _check_benefits(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_benefit_kpis(tables: dict[str, Table | None], problems: Problems) -> None:
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


def _check_formulas(tables: dict[str, Table | None], problems: Problems) -> None:
    """Each formula is arithmetic over the line's variables (and improvement / impact)."""
    from scorecard.thread.formulas import FormulaError, improvement_name, parse

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


def cross_checks(tables: dict[str, Table | None], problems: Problems) -> None:
    """Every cross-table check of the framework's files (each passed its schema): adds problems."""
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


def _check_peer_groups(table: Table | None, problems: Problems) -> None:
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
