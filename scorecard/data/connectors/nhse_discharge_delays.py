"""NHS England "Discharge delays (acute)" monthly workbooks: read as published, import two KPIs."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from scorecard.data import intake
from scorecard.data.connectors.loading import PublicationLoad
from scorecard.thread.errors import Problem, UserError

if TYPE_CHECKING:
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    from scorecard.thread.domain import Framework

RULE = "nhse.discharge_delays"
PUBLICATION = 'NHS England "Discharge delays (acute)"'
NOTE_PREFIX = "NHS England Discharge delays (acute)"
SOURCE_KEY_NCTR = "nhse.discharge_delays.nctr_remaining_mean"
SOURCE_KEY_P0 = "nhse.discharge_delays.p0_share"
SOURCE_KEY_P1 = "nhse.discharge_delays.p1_discharges"
COLUMNS = [
    "org_code",
    "org_name",
    "org_level",
    "period",
    "nctr_remaining_mean",
    "days_submitted",
    "p0_share",
    "discharges_total",
    "nctr_remaining_sum",
    "p0_discharges",
    "p1_discharges",
]

# An .xlsx file is a zip archive; anything else (CSV, old .xls, random bytes) is refused up front.
_ZIP_MAGIC = b"PK\x03\x04"
# Encrypted (password-protected) workbooks and old .xls files are OLE compound documents.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
# The publication has about 180 rows a sheet; a sheet far larger than that is not this publication.
_MAX_ROWS = 20_000
# Headings of the organisation tables: the code column and the level its rows are at.
_CODE_HEADINGS = {
    "icb code": "icb",
    "org code": "trust",
    "trust code": "trust",
    "provider code": "trust",
}
# Table 2's measure for NCTR: "Number of patients remaining in hospital who no longer meet ...".
_REMAINING = "remaining in hospital"
# Table 4's destination headings: "P0 - Domestic home ...", "P3b - Care Home ..." and so on.
_PATHWAY = re.compile(r"^p([0-3])[a-z]?\s*[-\u2013\u2014]")
# Table 4's title over the destinations, e.g. "April 2022 - Total number of patients discharged".
_MONTH_TITLE = re.compile(r"^([a-z]+ \d{4})\s*[-\u2013\u2014]\s*total number")
# '-' means not submitted (Table 2) or suppressed (Table 4); an empty cell is treated the same.
_DASHES = frozenset({"-", "\u2013", "\u2014", ""})

Row = tuple[Any, ...]


@dataclass
class _Org:
    """One organisation's figures as gathered from the two tables."""

    code: str
    name: str
    level: str
    remaining: list[float] = field(default_factory=list)
    pathways: dict[int, float] | None = None
    suppressed: set[int] = field(default_factory=set)  # pathways with a '-' cell


def _norm(value: object) -> str:
    """A cell's text, case-folded, with runs of white space made single spaces."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.split()).casefold()


def _reject(file: str, message: str, rule: str = RULE) -> UserError:
    """A whole-file problem: the workbook is not one this connector can read."""
    return UserError(Problem(file, None, "", "", rule, message))


def _cell_problem(
    file: str, sheet: str, row: int, col: int, value: object, what: str, rule: str = RULE
) -> UserError:
    """A problem with one cell, named the way a spreadsheet user finds it (sheet, row, column)."""
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(col + 1)
    message = f"in sheet '{sheet}' cell {letter}{row} {what}"
    return UserError(Problem(file, row, letter, str(value), rule, message))


@contextmanager
def _open_workbook(path: Path, publication: str = PUBLICATION, rule: str = RULE) -> Iterator[Any]:
    """Open an .xlsx read-only (values, not formulas), refusing anything that is not one."""
    import openpyxl

    file = path.name
    try:
        intake.require_regular_file(path)  # a pipe or a device is refused, never opened
    except UserError as err:
        raise _reject(file, err.problems[0].message + ".", err.problems[0].rule) from None
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(_ZIP_MAGIC))
    except OSError as err:
        raise _reject(file, f"the file cannot be read: {err.strerror or err}.", rule) from None
    if magic == _OLE_MAGIC[: len(magic)] and magic:
        raise _reject(
            file,
            "the workbook is password-protected (encrypted) or in the old .xls format, so it "
            f"cannot be read as the {publication} publication; save it unprotected as .xlsx.",
            rule,
        )
    if magic != _ZIP_MAGIC:
        raise _reject(
            file,
            f"the file is not an Excel workbook (.xlsx), so it cannot be the {publication} "
            "publication; a CSV or other file renamed .xlsx is not accepted.",
            rule,
        )
    try:
        intake.check_workbook(path)  # the same limits and entity refusal as a KPI extract's
    except UserError as err:
        refused = err.problems[0]
        if refused.rule in ("workbook_size", "xml_entities"):
            raise _reject(file, refused.message + ".", refused.rule) from None
        # a damaged or foreign zip: openpyxl's attempt below says so in this publication's words
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign zip
        raise _reject(
            file,
            "the file is not a readable Excel workbook (.xlsx): it is damaged or cut short, so "
            f"it cannot be read as the {publication} publication.",
            rule,
        ) from None
    try:
        yield workbook
    finally:
        workbook.close()


def _sheet_rows(
    file: str, sheet: ReadOnlyWorksheet, publication: str = PUBLICATION, rule: str = RULE
) -> list[Row]:
    """Every row of a sheet as values, row i of the list being sheet row i + 1, padded square."""
    sheet.reset_dimensions()  # some writers store a wrong size; read what is really there
    rows: list[Row] = []
    for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True):
        rows.append(tuple(row))
        if len(rows) > _MAX_ROWS:
            raise _reject(
                file,
                f"sheet '{sheet.title}' has more than {_MAX_ROWS:,} rows, far more than the "
                f"{publication} publication has.",
                rule,
            )
    width = max((len(r) for r in rows), default=0)
    return [r + (None,) * (width - len(r)) for r in rows]


def _as_day(value: object) -> date | None:
    """A day date from a heading cell (a date cell, or text such as 01/04/2022), else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%b-%Y", "%d %B %Y", "%d %b %Y"):
            try:
                return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day
            except ValueError:
                continue
    return None


def _count(file: str, sheet: str, row: int, col: int, value: object) -> float | None:
    """A published count; None for '-' (not submitted or suppressed) or an empty cell."""
    if isinstance(value, bool):
        raise _cell_problem(file, sheet, row, col, value, "must be a count or '-'.")
    if isinstance(value, int | float):
        number = float(value)
    elif value is None or (isinstance(value, str) and value.strip() in _DASHES):
        return None
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            raise _cell_problem(
                file, sheet, row, col, value, "must be a count or '-' (not submitted/suppressed)."
            ) from None
    else:
        raise _cell_problem(file, sheet, row, col, value, "must be a count or '-'.")
    if not math.isfinite(number) or number < 0:
        raise _cell_problem(file, sheet, row, col, value, "must be a count of 0 or more.")
    return number


def _org_rows(
    file: str, sheet: str, rows: list[Row], start: int, first_measure: int
) -> Iterator[tuple[int, str, str, str, Row]]:
    """The organisation rows below a table's headings: (sheet row, level, code, name, row).

    Regions (and England) come first, with a name but no code; then each block headed by a
    row holding "ICB Code" or "Org Code" (and "… Name"). Blank and footnote rows are skipped.
    """
    level = "region"
    code_col = name_col = -1
    seen: set[str] = set()
    for index in range(start, len(rows)):
        row = rows[index]
        labels = {_norm(v): col for col, v in enumerate(row[:first_measure]) if _norm(v)}
        heading = next((h for h in _CODE_HEADINGS if h in labels), None)
        if heading is not None:
            level, code_col = _CODE_HEADINGS[heading], labels[heading]
            name_col = next(
                (c for text, c in labels.items() if text.endswith("name") and c != code_col),
                code_col + 1,
            )
            continue
        if level == "region":
            texts = [v.strip() for v in row[:first_measure] if isinstance(v, str) and v.strip()]
            has_values = any(v is not None for v in row[first_measure:])
            if not texts or not has_values or _norm(texts[-1]).startswith("notes"):
                continue
            code = name = texts[-1]
        else:
            raw = row[code_col]
            code = str(raw).strip() if raw is not None else ""
            if not code or not any(v is not None for v in row[first_measure:]):
                continue
            raw_name = row[name_col] if name_col < len(row) else None
            name = str(raw_name).strip() if raw_name is not None else code
        if code in seen:
            raise _reject(file, f"sheet '{sheet}' lists organisation {code!r} twice.")
        seen.add(code)
        yield index + 1, level, code, name, row


def _has_code_heading(rows: list[Row], start: int, first_measure: int) -> bool:
    """Whether any row below ``start`` holds an "ICB Code"/"Org Code" heading."""
    return any(_norm(v) in _CODE_HEADINGS for row in rows[start:] for v in row[:first_measure])


def _read_table2(file: str, rows: list[Row]) -> tuple[dict[str, _Org], str]:
    """Daily NCTR patients remaining, per organisation, and the month the days fall in."""
    sheet = "Table 2"
    heading_index = next(
        (i for i, row in enumerate(rows) if any(_REMAINING in _norm(v) for v in row)), None
    )
    if heading_index is None:
        raise _reject(
            file,
            f"sheet '{sheet}' has no heading 'Number of patients remaining in hospital who no "
            f"longer meet the criteria to reside', so this is not the {PUBLICATION} publication.",
        )
    heading = rows[heading_index]
    remaining_cols = [c for c, v in enumerate(heading) if _REMAINING in _norm(v)]
    # The day is a date cell above each triplet (the first of its three columns).
    day_cols: dict[int, date] = {}
    for index in range(heading_index - 1, max(heading_index - 4, -1), -1):
        found = {c: d for c, v in enumerate(rows[index]) if (d := _as_day(v)) is not None}
        if found:
            day_cols = found
            break
    day_of: dict[int, date] = {}
    triplet_starts: list[int] = []
    for col in remaining_cols:
        owners = [c for c in day_cols if col - 2 <= c <= col]
        if not owners:
            raise _reject(
                file,
                f"sheet '{sheet}' has a 'patients remaining in hospital' column with no day date "
                f"above its group of three columns, so this is not the {PUBLICATION} publication.",
            )
        day_of[col] = day_cols[max(owners)]
        triplet_starts.append(max(owners))
    days = sorted(day_of.values())
    if len(set(days)) != len(days):
        raise _reject(file, f"sheet '{sheet}' has the same day twice in its headings.")
    months = sorted({(d.year, d.month) for d in days})
    if len(months) != 1:
        shown = ", ".join(f"{y:04d}-{m:02d}" for y, m in months)
        raise _reject(
            file,
            f"sheet '{sheet}' has days from more than one month ({shown}); the {PUBLICATION} "
            "workbook covers one month.",
        )
    period = f"{months[0][0]:04d}-{months[0][1]:02d}"
    first_measure = min(triplet_starts)
    if not _has_code_heading(rows, heading_index + 1, first_measure):
        raise _reject(
            file,
            f"sheet '{sheet}' has no 'ICB Code' or 'Org Code' heading, so this is not the "
            f"{PUBLICATION} publication.",
        )
    orgs: dict[str, _Org] = {}
    for sheet_row, level, code, name, row in _org_rows(
        file, sheet, rows, heading_index + 1, first_measure
    ):
        org = _Org(code, name, level)
        for col in remaining_cols:
            value = _count(file, sheet, sheet_row, col, row[col])
            if value is not None:
                org.remaining.append(value)
        orgs[code] = org
    return orgs, period


def _read_table4(file: str, rows: list[Row], period: str) -> dict[str, _Org]:
    """Month discharges by intended destination (pathways 0 to 3), per organisation."""
    sheet = "Table 4"
    heading_index = next(
        (i for i, row in enumerate(rows) if any(_PATHWAY.match(_norm(v)) for v in row)), None
    )
    if heading_index is None:
        raise _reject(
            file,
            f"sheet '{sheet}' has no 'P0 - …' to 'P3 - …' destination headings, so this is not "
            f"the {PUBLICATION} publication.",
        )
    pathway_of: dict[int, int] = {}
    for col, value in enumerate(rows[heading_index]):
        if match := _PATHWAY.match(_norm(value)):
            pathway_of[col] = int(match.group(1))
    missing = sorted({0, 1, 2, 3} - set(pathway_of.values()))
    if missing:
        shown = ", ".join(f"'P{p} - …'" for p in missing)
        raise _reject(
            file,
            f"sheet '{sheet}' has no {shown} heading, so this is not the {PUBLICATION} "
            "publication.",
        )
    for row in rows[:heading_index]:
        for value in row:
            if match := _MONTH_TITLE.match(_norm(value)):
                titled = _as_day(f"01 {match.group(1)}")
                if titled is not None and f"{titled:%Y-%m}" != period:
                    raise _reject(
                        file,
                        f"sheet '{sheet}' is titled for {titled:%Y-%m} but the days in sheet "
                        f"'Table 2' are in {period}; the workbook is inconsistent.",
                    )
    first_measure = min(pathway_of)
    orgs: dict[str, _Org] = {}
    for sheet_row, level, code, name, row in _org_rows(
        file, sheet, rows, heading_index + 1, first_measure
    ):
        totals = dict.fromkeys(range(4), 0.0)
        suppressed: set[int] = set()
        for col, pathway in pathway_of.items():
            value = _count(file, sheet, sheet_row, col, row[col])
            totals[pathway] += value or 0.0  # suppressed '-' counts as 0
            if value is None:
                suppressed.add(pathway)
        orgs[code] = _Org(code, name, level, pathways=totals, suppressed=suppressed)
    return orgs


def _cover_period(rows: list[Row]) -> str | None:
    """The month the cover sheet's "Period:" line starts in, if it has one."""
    for row in rows:
        labels = [_norm(v) for v in row]
        if "period:" in labels or "period" in labels:
            start = labels.index("period:" if "period:" in labels else "period")
            for value in row[start + 1 :]:
                day = _as_day(value)
                if day is not None:
                    return f"{day:%Y-%m}"
    return None


def _cover_edition(rows: list[Row]) -> str:
    """The edition as the cover sheet prints it: published and revised dates, and status."""
    found: dict[str, str] = {}
    for row in rows:
        for col, value in enumerate(row):
            label = _norm(value).rstrip(":")
            if label in {"published", "revised", "status"} and label not in found:
                given = next((v for v in row[col + 1 :] if v is not None), None)
                day = _as_day(given)
                text = f"{day:%-d %B %Y}" if day is not None else str(given or "").strip()
                if text and text not in _DASHES:
                    found[label] = text
    parts = [f"{label} {found[label]}" for label in ("published", "revised") if label in found]
    if "status" in found:
        parts.append(f"status {found['status']}")
    return ", ".join(parts) or "edition not printed on the cover sheet"


def read_discharge_delays(path: Path) -> pd.DataFrame:
    """Read one monthly "Discharge delays (acute)" workbook exactly as NHS England publishes it.

    Sheets are found by name and tables and columns by their headings, so rows or lookup
    sheets added by later months do not matter. The period comes from the day dates of Table 2
    (checked against the cover sheet and Table 4's title where they state one).

    Args:
        path: the .xlsx workbook.

    Returns:
        One row per organisation (England and regions, ICBs, trusts) with columns
        ``org_code, org_name, org_level ('region'|'icb'|'trust'), period ('YYYY-MM'),
        nctr_remaining_mean`` (mean over submitted days of Table 2's patients remaining in
        hospital who no longer meet the criteria to reside), ``days_submitted``, ``p0_share``
        (Table 4: P0 / (P0 + P1 + P2 + P3) × 100, suppressed cells as 0) and
        ``discharges_total`` (P0 + … + P3), ``nctr_remaining_sum`` (the days' total),
        ``p0_discharges`` and ``p1_discharges`` (Table 4's P1 total; missing where a P1 cell is
        suppressed '-'). Regions have their printed name as code.

    Raises:
        UserError: the file is not an .xlsx, or not this publication, or a cell cannot be read.
    """
    return read_discharge_delays_edition(path)[0]


def read_discharge_delays_edition(path: Path) -> tuple[pd.DataFrame, str]:
    """``read_discharge_delays`` and the edition its cover sheet prints (published, revised)."""
    file = path.name
    with _open_workbook(path) as workbook:
        sheets = {_norm(ws.title): ws for ws in workbook.worksheets}
        for wanted in ("table 2", "table 4"):
            if wanted not in sheets:
                raise _reject(
                    file,
                    f"the workbook has no sheet '{wanted.title()}', so it is not the "
                    f"{PUBLICATION} monthly publication.",
                )
        try:
            rows2 = _sheet_rows(file, sheets["table 2"])
            rows4 = _sheet_rows(file, sheets["table 4"])
            cover = _sheet_rows(file, sheets["cover sheet"]) if "cover sheet" in sheets else []
        except UserError:
            raise
        except Exception:  # a damaged sheet inside an otherwise valid zip
            raise _reject(
                file, "the workbook could not be read: one of its sheets is damaged."
            ) from None
    nctr, period = _read_table2(file, rows2)
    stated = _cover_period(cover)
    if stated is not None and stated != period:
        raise _reject(
            file,
            f"the cover sheet gives the period {stated} but the days in sheet 'Table 2' are in "
            f"{period}; the workbook is inconsistent.",
        )
    destinations = _read_table4(file, rows4, period)
    records: list[dict[str, object]] = []
    for code in [*nctr, *(c for c in destinations if c not in nctr)]:
        daily = nctr.get(code)
        discharges = destinations.get(code)
        org = daily if daily is not None else destinations[code]
        record: dict[str, object] = {
            "org_code": org.code,
            "org_name": org.name,
            "org_level": org.level,
            "period": period,
            "nctr_remaining_mean": math.nan,
            "days_submitted": 0,
            "p0_share": math.nan,
            "discharges_total": pd.NA,
            "nctr_remaining_sum": math.nan,
            "p0_discharges": pd.NA,
            "p1_discharges": pd.NA,
        }
        if daily is not None:
            record["days_submitted"] = len(daily.remaining)
            if daily.remaining:
                record["nctr_remaining_mean"] = sum(daily.remaining) / len(daily.remaining)
                record["nctr_remaining_sum"] = sum(daily.remaining)
        if discharges is not None and discharges.pathways is not None:
            total = sum(discharges.pathways.values())
            record["discharges_total"] = round(total)
            record["p0_discharges"] = round(discharges.pathways[0])
            if 1 not in discharges.suppressed:  # a suppressed count is unknown, not 0
                record["p1_discharges"] = round(discharges.pathways[1])
            if total > 0:
                record["p0_share"] = discharges.pathways[0] / total * 100.0
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    typed = frame.astype(
        {
            "nctr_remaining_mean": "float64",
            "days_submitted": "int64",
            "p0_share": "float64",
            "discharges_total": "Int64",
            "nctr_remaining_sum": "float64",
            "p0_discharges": "Int64",
            "p1_discharges": "Int64",
        }
    )
    return typed, _cover_edition(cover)


def kpi_rows(fw: Framework, frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[str]]:
    """The KPI-extract rows for the framework's areas found in one workbook, and their keys."""
    measures = {
        SOURCE_KEY_NCTR: "nctr_remaining_mean",
        SOURCE_KEY_P0: "p0_share",
        SOURCE_KEY_P1: "p1_discharges",
    }
    found = {str(r["org_code"]): r for r in frame.to_dict("records")}
    rows: list[dict[str, object]] = []
    keys: list[str] = []
    for kpi in fw.kpis:
        column = measures.get(kpi.source_key)
        if column is None:
            continue
        for area in fw.kpi_areas(kpi.code):
            org = found.get(area.code)
            value = org.get(column) if org is not None else None
            if org is None or not isinstance(value, int | float) or math.isnan(value):
                continue  # not in this workbook, or missing (no submitted day, no discharges)
            rows.append(
                {
                    "kpi_code": kpi.code,
                    "area_code": area.code,
                    "period": str(org["period"]),
                    "value": float(value),
                    "status": "final",
                    "note": f"{NOTE_PREFIX}, {file}",
                }
            )
            keys.append(kpi.source_key)
    columns = ["kpi_code", "area_code", "period", "value", "status", "note"]
    return pd.DataFrame.from_records(rows, columns=columns), keys


def _comparisons(frame: pd.DataFrame, file: str, edition: str) -> pd.DataFrame:
    """Every organisation's NCTR mean, P0 share and P1 discharges as comparison rows."""
    rows: list[dict[str, object]] = []
    for org in frame.to_dict("records"):
        name = str(org["org_name"])
        level = str(org["org_level"])
        code = str(org["org_code"])
        if level == "region" and _norm(name).startswith("england"):
            level, code = "england", "ENGLAND"
        days = int(org["days_submitted"])

        def known(value: object) -> float | None:
            if value is None or value is pd.NA:
                return None
            number = float(value)  # type: ignore[arg-type]
            return None if math.isnan(number) else number

        measures = (
            (
                SOURCE_KEY_NCTR,
                known(org["nctr_remaining_mean"]),
                known(org["nctr_remaining_sum"]),
                float(days) if days else None,
            ),
            (
                SOURCE_KEY_P0,
                known(org["p0_share"]),
                known(org["p0_discharges"]),
                known(org["discharges_total"]),
            ),
            (SOURCE_KEY_P1, known(org["p1_discharges"]), None, None),
        )
        for key, value, numerator, denominator in measures:
            rows.append(
                {
                    "org_code": code,
                    "org_name": name,
                    "org_level": level,
                    "source_key": key,
                    "period": str(org["period"]),
                    "value": value,
                    "numerator": numerator,
                    "denominator": denominator,
                    "publication": PUBLICATION,
                    "file": file,
                    "edition": edition,
                }
            )
    return pd.DataFrame.from_records(rows)


def discharge_delay_loads(fw: Framework, paths: list[Path]) -> list[PublicationLoad]:
    """Read every workbook and turn each into its KPI rows, source and comparisons.

    Args:
        fw: the framework (KPIs whose source_key is one of this publication's).
        paths: the workbooks.

    Returns:
        One load per workbook.

    Raises:
        UserError: every problem found in any workbook (nothing is loaded then).
    """
    from scorecard.data.provenance import comparison_table
    from scorecard.data.store_writes import Source

    problems: list[Problem] = []
    read: list[tuple[Path, pd.DataFrame, str]] = []
    for path in paths:
        try:
            frame, edition = read_discharge_delays_edition(path)
        except UserError as err:
            problems.extend(err.problems)
            continue
        read.append((path, frame, edition))
    if problems:
        raise UserError(problems)
    wanted = {SOURCE_KEY_NCTR, SOURCE_KEY_P0, SOURCE_KEY_P1}
    if not {kpi.source_key for kpi in fw.kpis} & wanted:
        message = (
            f"the framework has no KPI whose source_key is {', '.join(sorted(wanted))}, so there "
            "is nothing to import."
        )
        raise UserError(Problem("kpis.csv", None, "source_key", "", RULE, message))
    loads: list[PublicationLoad] = []
    for path, frame, edition in read:
        rows, keys = kpi_rows(fw, frame, path.name)
        if rows.empty:
            message = (
                "none of the framework's areas for the discharge-delay KPIs appears in this "
                "workbook, so there is nothing to import."
            )
            problems.append(Problem(path.name, None, "", "", RULE, message))
            continue
        try:
            table = comparison_table(_comparisons(frame, path.name, edition), path.name)
        except UserError as err:
            problems.extend(err.problems)
            continue
        loads.append(
            PublicationLoad(path, rows, keys, Source(PUBLICATION, path.name, edition), table)
        )
    if problems:
        raise UserError(problems)
    return loads
