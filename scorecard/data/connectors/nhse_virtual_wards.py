"""NHS England "Virtual Ward Capacity and Occupancy" monthly workbooks: read as published."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pandas as pd

from scorecard.data.connectors.loading import PublicationLoad
from scorecard.data.connectors.nhse_discharge_delays import (
    Row,
    _cell_problem,
    _norm,
    _open_workbook,
    _reject,
    _sheet_rows,
)
from scorecard.thread.errors import Problem, UserError

if TYPE_CHECKING:
    from scorecard.thread.domain import Framework

RULE: Final = "nhse.virtual_wards"
PUBLICATION: Final = 'NHS England "Virtual Ward Capacity and Occupancy"'
NOTE_PREFIX: Final = "NHS England Virtual Ward Capacity and Occupancy"
SOURCE_KEY_OCCUPANCY: Final = "nhse.virtual_wards.occupancy"
SOURCE_KEY_CAPACITY: Final = "nhse.virtual_wards.capacity"
SOURCE_KEY_CAPACITY_RATE: Final = "nhse.virtual_wards.capacity_per_100k_adults"
SOURCE_KEY_PATIENTS: Final = "nhse.virtual_wards.patients"
COLUMNS: Final = [
    "org_code",
    "org_name",
    "org_level",
    "region",
    "period",
    "capacity",
    "capacity_per_100k",
    "population_16_plus",
    "patients",
    "occupancy_printed",
    "occupancy_flagged",
    "not_submitted",
    "sheet_row",
]
# Occupancy is printed as a fraction to 3 decimals (0.1 percentage point): patients / capacity
# must agree with it to within half of that, plus a little for the float.
_TOLERANCE_PP: Final = 0.0501
_FLAGGED_OVER_100: Final = "100%*"
# July 2023 printed a bare '*' for the same suppression ("suppressed in the table *").
_FLAGS: Final = frozenset({_FLAGGED_OVER_100, "*"})
_DASHES: Final = frozenset({"-", "\u2013", "\u2014", ""})
# The table's headings, found by their words (the notes' "(see note 1)" varies).
_HEADINGS: Final[dict[str, Callable[[str], bool]]] = {
    "region": lambda t: t == "region",
    "icb_code": lambda t: t == "icb code",
    "name": lambda t: t == "name",
    "capacity_per_100k": lambda t: t.startswith("virtual ward capacity per 100,000"),
    "capacity": lambda t: t.startswith("virtual ward capacity") and "per 100,000" not in t,
    "population_16_plus": lambda t: t.startswith("gp registered population"),
    "patients": lambda t: t.startswith("patients in a virtual ward"),
    "occupancy": lambda t: t.startswith("occupancy"),
}
_TITLE_LABELS: Final = ("month", "published", "revised", "status")
_NOT_SUBMITTED: Final = re.compile(r"([^.\n]*?)\s+did not complete a successful submission")
_ORDINAL: Final = re.compile(r"(\d+)(st|nd|rd|th)\b")


@dataclass(frozen=True)
class VirtualWardEdition:
    """One monthly workbook as read: its month, edition and every organisation's row."""

    period: str
    edition: str
    sheet: str
    frame: pd.DataFrame


def _text(value: object) -> str:
    """A cell as text with its outer white space removed ('' for an empty cell)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%d %B %Y}"
    return str(value).strip()


def _month(file: str, sheet: str, row: int, col: int, value: object) -> str:
    """The "Month:" cell (e.g. "July 2023") as YYYY-MM."""
    if isinstance(value, datetime):
        return f"{value:%Y-%m}"
    text = " ".join(_text(value).split())
    for fmt in ("%B %Y", "%b %Y"):
        try:
            return f"{datetime.strptime(text, fmt):%Y-%m}"  # noqa: DTZ007 - a calendar month
        except ValueError:
            continue
    raise _cell_problem(
        file,
        sheet,
        row,
        col,
        value,
        "must be the month the figures are for, e.g. 'July 2023'.",
        RULE,
    )


def _title_block(rows: list[Row], header_index: int) -> dict[str, tuple[int, int, object]]:
    """The "Month:", "Published:", "Revised:", "Status:" cells above the table (row, col, value)."""
    found: dict[str, tuple[int, int, object]] = {}
    for index in range(header_index):
        row = rows[index]
        for col, value in enumerate(row):
            label = _norm(value).rstrip(":")
            if label in _TITLE_LABELS and label not in found and _norm(value).endswith(":"):
                given = next((v for v in row[col + 1 :] if v is not None), None)
                found[label] = (index + 1, col, given)
    return found


def _plain_date(text: str) -> str:
    """A printed date without ordinal suffixes: "10th August 2023" -> "10 August 2023"."""
    return _ORDINAL.sub(lambda match: match.group(1), text)


def _edition(title: dict[str, tuple[int, int, object]]) -> str:
    """The edition as printed: "published 10 August 2023", plus "revised …" when it was."""
    published = _text(title.get("published", (0, 0, None))[2])
    revised = _text(title.get("revised", (0, 0, None))[2])
    status = _text(title.get("status", (0, 0, None))[2])
    parts = [f"published {_plain_date(published)}" if published else "publication date not printed"]
    if revised and revised not in _DASHES:
        parts.append(f"revised {_plain_date(revised)}")
    if status:
        parts.append(f"status {status}")
    return ", ".join(parts)


def _find_table(
    sheets: dict[str, list[Row]], file: str
) -> tuple[str, list[Row], int, dict[str, int]]:
    """The sheet holding the data table (found by its headings, whatever the sheet is called)."""
    for title, rows in sheets.items():
        for index, row in enumerate(rows):
            texts = [_norm(v) for v in row]
            if "icb code" not in texts:
                continue
            columns: dict[str, int] = {}
            for name, matches in _HEADINGS.items():
                hit = next(
                    (
                        c
                        for c, t in enumerate(texts)
                        if t and matches(t) and c not in columns.values()
                    ),
                    None,
                )
                if hit is not None:
                    columns[name] = hit
            if "occupancy" not in columns and "capacity" not in columns:
                continue  # another table with ICB codes (e.g. another publication's)
            missing = [n for n in _HEADINGS if n not in columns]
            if missing:
                shown = ", ".join(missing)
                raise _reject(
                    file,
                    f"sheet '{title}' row {index + 1} has the heading 'ICB code' but not "
                    f"the {PUBLICATION} table's other headings ({shown} missing), so it cannot "
                    "be read.",
                    RULE,
                )
            return title, rows, index, columns
    raise _reject(
        file,
        f"no sheet has the table of the {PUBLICATION} publication (headings 'ICB code', "
        "'Virtual Ward Capacity', 'Patients in a Virtual Ward', 'Occupancy %'), so this is not "
        "that publication's workbook.",
        RULE,
    )


def _not_submitted(sheets: dict[str, list[Row]]) -> set[str]:
    """Names the notes say did not complete a successful submission (their row shows zeros)."""
    names: set[str] = set()
    for rows in sheets.values():
        for row in rows:
            for value in row:
                if isinstance(value, str) and "did not complete a successful submission" in value:
                    for match in _NOT_SUBMITTED.finditer(value):
                        names.add(" ".join(match.group(1).split()).casefold())
    return names


def _number(file: str, sheet: str, row: int, col: int, value: object, what: str) -> float | None:
    """A published figure; None for '-' (not reported)."""
    if isinstance(value, bool):
        raise _cell_problem(file, sheet, row, col, value, f"must be {what} or '-'.", RULE)
    if isinstance(value, int | float):
        number = float(value)
    elif value is None or (isinstance(value, str) and value.strip() in _DASHES):
        return None
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise _cell_problem(
                file, sheet, row, col, value, f"must be {what} or '-' (not reported).", RULE
            ) from None
    else:
        raise _cell_problem(file, sheet, row, col, value, f"must be {what} or '-'.", RULE)
    if not math.isfinite(number) or number < 0:
        raise _cell_problem(file, sheet, row, col, value, f"must be {what} of 0 or more.", RULE)
    return number


def _occupancy(
    file: str, sheet: str, row: int, col: int, value: object
) -> tuple[float | None, bool]:
    """The printed occupancy as a percentage, and whether it is the '100%*' flag (over 100%)."""
    if isinstance(value, str) and value.strip() in _FLAGS:
        return None, True
    fraction = _number(file, sheet, row, col, value, "an occupancy fraction (e.g. 0.727)")
    if fraction is None:
        return None, False
    if fraction > 1.0:
        raise _cell_problem(
            file,
            sheet,
            row,
            col,
            value,
            "is an occupancy above 100% that is not flagged: the publication prints those as "
            f"'{_FLAGGED_OVER_100}'.",
            RULE,
        )
    return fraction * 100.0, False


def read_virtual_wards(path: Path) -> VirtualWardEdition:
    """Read one monthly "Virtual Ward Capacity and Occupancy" workbook as NHS England publishes it.

    The data sheet and its columns are found by their headings (not by name or position), the
    month and edition by the labels of the title block above the table. '-' is not reported,
    '100%*' (July 2023: '*') an occupancy above 100% (flagged, not a number), and names lose
    trailing spaces and the '*' marking a note. A row the notes say did not complete a
    successful submission is marked ``not_submitted`` (the publication prints zeros for it).

    Args:
        path: the .xlsx workbook.

    Returns:
        The month, edition, sheet name and one row per organisation (ENGLAND first, then every
        ICB) with the columns of ``COLUMNS`` (occupancy as printed, in %).

    Raises:
        UserError: not an .xlsx, another publication, a cell that is not what the heading says,
            or a printed occupancy that disagrees with patients / capacity.
    """
    file = path.name
    with _open_workbook(path, PUBLICATION, RULE) as workbook:
        try:
            sheets = {
                ws.title: _sheet_rows(file, ws, PUBLICATION, RULE) for ws in workbook.worksheets
            }
            sheet, rows, header_index, columns = _find_table(sheets, file)
            failed = _not_submitted(sheets)
        except UserError:
            raise
        except Exception:  # a damaged sheet inside an otherwise valid zip
            raise _reject(
                file, "the workbook could not be read: one of its sheets is damaged.", RULE
            ) from None
    title = _title_block(rows, header_index)
    if "month" not in title:
        raise _reject(
            file,
            f"sheet '{sheet}' has no 'Month:' line above its table, so the month the figures are "
            "for is unknown.",
            RULE,
        )
    month_row, month_col, month_value = title["month"]
    period = _month(file, sheet, month_row, month_col + 1, month_value)
    records: list[dict[str, object]] = []
    seen: set[str] = set()
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        sheet_row = index + 1
        name = _text(row[columns["name"]])
        code = _text(row[columns["icb_code"]])
        if not name and not code:
            continue
        if not name:
            raise _cell_problem(
                file,
                sheet,
                sheet_row,
                columns["name"],
                row[columns["name"]],
                "must name the organisation of the row.",
                RULE,
            )
        clean = " ".join(name.rstrip("*").split())
        is_england = clean.casefold() == "england"
        if is_england:
            code, level = "ENGLAND", "england"
        elif not code or code in _DASHES:
            raise _cell_problem(
                file,
                sheet,
                sheet_row,
                columns["icb_code"],
                row[columns["icb_code"]],
                "must be the ICB's code (e.g. QPM).",
                RULE,
            )
        else:
            level = "icb"
        if code in seen:
            raise _cell_problem(
                file,
                sheet,
                sheet_row,
                columns["icb_code"],
                code,
                "lists an organisation already listed above it.",
                RULE,
            )
        seen.add(code)

        def cell(name_: str, what: str, _row: Row = row, _at: int = sheet_row) -> float | None:
            col = columns[name_]
            return _number(file, sheet, _at, col, _row[col], what)

        capacity = cell("capacity", "a count of virtual ward beds")
        rate = cell("capacity_per_100k", "a rate per 100,000")
        population = cell("population_16_plus", "a population count")
        patients = cell("patients", "a count of patients")
        col = columns["occupancy"]
        printed, flagged = _occupancy(file, sheet, sheet_row, col, row[col])
        not_submitted = clean.casefold() in failed
        if printed is not None and capacity and patients is not None and not not_submitted:
            computed = patients / capacity * 100.0
            if abs(computed - printed) > _TOLERANCE_PP:
                raise _cell_problem(
                    file,
                    sheet,
                    sheet_row,
                    col,
                    row[col],
                    f"is an occupancy of {printed:.1f}% but patients / capacity is "
                    f"{patients:g} / {capacity:g} = {computed:.2f}%; the workbook is "
                    "inconsistent.",
                    RULE,
                )
        records.append(
            {
                "org_code": code,
                "org_name": clean,
                "org_level": level,
                "region": _text(row[columns["region"]]) if not is_england else "",
                "period": period,
                "capacity": capacity,
                "capacity_per_100k": rate,
                "population_16_plus": population,
                "patients": patients,
                "occupancy_printed": printed,
                "occupancy_flagged": flagged,
                "not_submitted": not_submitted,
                "sheet_row": sheet_row,
            }
        )
    if not any(r["org_level"] == "icb" for r in records):
        raise _reject(
            file, f"sheet '{sheet}' has the table's headings but no ICB rows below them.", RULE
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    return VirtualWardEdition(period, _edition(title), sheet, frame)


def _comparisons(edition: VirtualWardEdition, file: str) -> pd.DataFrame:
    """Every organisation's four figures as comparisons: occupancy, capacity, rate, patients."""
    rows: list[dict[str, object]] = []
    for org in edition.frame.to_dict("records"):
        capacity, patients = org["capacity"], org["patients"]
        failed = bool(org["not_submitted"])
        shown = None if failed else patients
        occupancy = None
        if not failed and not org["occupancy_flagged"] and capacity and patients is not None:
            occupancy = float(patients) / float(capacity) * 100.0
        measures = (
            (SOURCE_KEY_OCCUPANCY, occupancy, shown, capacity),
            (SOURCE_KEY_CAPACITY, capacity, None, None),
            (
                SOURCE_KEY_CAPACITY_RATE,
                org["capacity_per_100k"],
                capacity,
                org["population_16_plus"],
            ),
            (SOURCE_KEY_PATIENTS, shown, None, None),
        )
        for key, value, numerator, denominator in measures:
            rows.append(
                {
                    "org_code": org["org_code"],
                    "org_name": org["org_name"],
                    "org_level": org["org_level"],
                    "source_key": key,
                    "period": edition.period,
                    "value": value,
                    "numerator": numerator,
                    "denominator": denominator,
                    "publication": PUBLICATION,
                    "file": file,
                    "edition": edition.edition,
                }
            )
    return pd.DataFrame.from_records(rows)


def _kpi_rows(
    fw: Framework, edition: VirtualWardEdition, file: str
) -> tuple[pd.DataFrame, list[str], list[str], bool]:
    """ACT-VWOCC rows for the framework's areas in the workbook; notes on those left out.

    Returns:
        The extract rows, each row's source_key, sentences on areas present but without a
        value (not submitted, or flagged over 100%), and whether any framework area appears.
    """
    found = {str(r["org_code"]): r for r in edition.frame.to_dict("records")}
    rows: list[dict[str, object]] = []
    keys: list[str] = []
    skipped: list[str] = []
    present = False
    for kpi in fw.kpis:
        if kpi.source_key != SOURCE_KEY_OCCUPANCY:
            continue
        for area in fw.kpi_areas(kpi.code):
            org = found.get(area.code)
            if org is None:
                continue
            present = True
            where = (
                f"{file}: {area.code} {edition.period} "
                f"(sheet '{edition.sheet}' row {org['sheet_row']})"
            )
            capacity, patients = org["capacity"], org["patients"]
            if org["not_submitted"]:
                skipped.append(f"{where}: did not complete a successful submission; not loaded")
                continue
            if org["occupancy_flagged"]:
                skipped.append(f"{where}: occupancy printed '100%*' (above 100%); not loaded")
                continue
            if not capacity or patients is None:
                skipped.append(f"{where}: capacity or patients not reported ('-'); not loaded")
                continue
            rate = org["capacity_per_100k"]
            rate_text = "" if rate is None else f" ({float(rate):.1f} per 100,000 adults)"
            rows.append(
                {
                    "kpi_code": kpi.code,
                    "area_code": area.code,
                    "period": edition.period,
                    "value": float(patients) / float(capacity) * 100.0,
                    "numerator": float(patients),
                    "denominator": float(capacity),
                    "status": "final",
                    "note": (
                        f"{NOTE_PREFIX}, {file}: {patients:g} patients on the ward, capacity "
                        f"{capacity:g}{rate_text}"
                    ),
                }
            )
            keys.append(SOURCE_KEY_OCCUPANCY)
    columns = [
        "kpi_code",
        "area_code",
        "period",
        "value",
        "numerator",
        "denominator",
        "status",
        "note",
    ]
    return pd.DataFrame.from_records(rows, columns=columns), keys, skipped, present


def virtual_ward_loads(fw: Framework, paths: list[Path]) -> tuple[list[PublicationLoad], list[str]]:
    """Read every workbook and turn each into its KPI rows, source and comparisons.

    Args:
        fw: the framework (KPIs whose source_key is ``nhse.virtual_wards.occupancy``).
        paths: the workbooks.

    Returns:
        One load per workbook, and sentences on framework areas present without a value.

    Raises:
        UserError: every problem found in any workbook (nothing is loaded then).
    """
    from scorecard.data.provenance import comparison_table
    from scorecard.data.store_writes import Source

    problems: list[Problem] = []
    loads: list[PublicationLoad] = []
    skipped: list[str] = []
    if not any(kpi.source_key == SOURCE_KEY_OCCUPANCY for kpi in fw.kpis):
        message = (
            f"the framework has no KPI whose source_key is {SOURCE_KEY_OCCUPANCY}, so there is "
            "nothing to import."
        )
        raise UserError(Problem("kpis.csv", None, "source_key", "", RULE, message))
    for path in paths:
        try:
            edition = read_virtual_wards(path)
            rows, keys, notes, present = _kpi_rows(fw, edition, path.name)
            if not present:
                message = (
                    "none of the framework's areas for the virtual ward KPI appears in this "
                    "workbook, so there is nothing to import."
                )
                raise UserError(Problem(path.name, None, "", "", RULE, message))
            source = Source(PUBLICATION, path.name, edition.edition)
            table = comparison_table(_comparisons(edition, path.name), path.name)
        except UserError as err:
            problems.extend(err.problems)
            continue
        skipped.extend(notes)
        loads.append(PublicationLoad(path, rows, keys, source, table))
    if problems:
        raise UserError(problems)
    return loads, skipped
