"""Read, validate and load KPI extracts: all-or-nothing per file, revisions kept, loads logged."""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import difflib
import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from schemas.extract import (
    DEFAULT_STATUS,
    KEY_COLUMNS,
    MAGNITUDE_LIMITS,
    MAX_COUNT,
    MIN_YEAR,
    NOTE_MAX_CHARS,
    NUMBER_COLUMNS,
    REQUIRED_COLUMNS,
    RULES,
    SIGNED_UNITS,
    TEXT_COLUMNS,
    FrameworkFacts,
    extract_schema,
    key_codes,
    row_units,
    tolerance,
)
from scorecard import intake, store, store_writes
from scorecard.domain import EXTRACT_COLUMNS, Framework, Unit
from scorecard.errors import Problem, UserError

MAX_CELL_CHARS: Final = 10_000  # a "gigantic cell": no extract cell needs more (notes: 500)
MAX_PROBLEMS_PER_RULE: Final = 100  # per rule and column; the rest are counted in one line
FRAME_RULE_CAP: Final = 1_000  # failing rows a multi-column rule hands back (Pandera builds them)
CSV_BLOCK_BYTES: Final = 16 << 20  # a CSV row longer than this cannot be read at all
HEAD_BYTES: Final = 1 << 16
SUFFIXES: Final = (".csv", ".xlsx")
BLANK_HEADING: Final = "(no heading) "

# Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection"). A note
# is stored exactly as sent; on CSV export a note that starts with any number of apostrophes
# followed by one of these gets one more apostrophe in front, and on load exactly one leading
# apostrophe is removed from such a note. The two maps are inverse, so export -> load is
# "unchanged", and a spreadsheet shows an exported formula-like note as text.
FORMULA_TRIGGERS: Final = "=+-@\t\r"
_ESCAPED_NOTE: Final = f"'+[{re.escape(FORMULA_TRIGGERS)}]"
_NOTE_TO_ESCAPE: Final = f"'*[{re.escape(FORMULA_TRIGGERS)}]"

LOADED: Final = "loaded"
UNCHANGED: Final = "unchanged"
REJECTED: Final = "rejected"


@dataclass
class FileReport:
    """What happened to one file (or frame) given to ``load``."""

    file: str
    sha256: str | None
    status: str  # loaded | unchanged | rejected
    rows: int
    new: int = 0
    revisions: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    load_id: int | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, object]:
        """The file as CONTRACT §3's ``load --json`` object."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "rows": self.rows,
            "revisions": self.revisions,
            "errors": [
                {
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "rule": p.rule,
                    "message": p.message,
                }
                for p in self.errors
            ],
        }

    def summary(self) -> str:
        """One line for people."""
        if self.status == REJECTED:
            count = len(self.errors)
            line = f"{self.file}: rejected, nothing written ({_plural(count, 'problem')})"
        elif self.status == UNCHANGED:
            line = f"{self.file}: unchanged ({_plural(self.rows, 'row')} already stored as sent)"
        else:
            line = (
                f"{self.file}: {_plural(self.rows, 'row')}: {self.new} new, "
                f"{_plural(self.revisions, 'revision')}, {self.unchanged} unchanged"
            )
            line += "" if self.load_id is None else f" (load {self.load_id})"
        return line + (" [dry run: nothing written]" if self.dry_run else "")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


# Reading files


def _problem(file: str, message: str, rule: str, row: int | None = None, **kw: str) -> Problem:
    return Problem(file, row, kw.get("column", ""), kw.get("value", ""), rule, message)


def _letter(index: int) -> str:
    """The spreadsheet column letter of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_names(raw: Sequence[object], file: str) -> tuple[list[str], list[Problem]]:
    """Header cells as column names (trimmed, lower case) and what is wrong with them."""
    allowed = ", ".join(EXTRACT_COLUMNS)
    names: list[str] = []
    problems: list[Problem] = []
    cells = ["" if c is None else str(c).replace("\ufeff", "").strip().lower() for c in raw]
    tokens = {t.strip() for c in cells for t in re.split(r"[;\t|]", c)}
    if not tokens & set(EXTRACT_COLUMNS):
        # not an extract at all (another file, a system file behind a link): its contents are
        # not repeated back
        message = (
            "the first row is not the header of a KPI extract: none of its "
            f"{_plural(len(cells), 'cell')} is a column name; the allowed columns are: {allowed}"
        )
        return [], [_problem(file, message, "columns_missing", 1)]
    for i, cell in enumerate(raw):
        name = "" if cell is None else str(cell).replace("\ufeff", "").strip().lower()
        if not name:
            names.append(BLANK_HEADING + _letter(i))
            continue
        if name in names:
            message = (
                f"the column {name!r} appears twice (columns {_letter(names.index(name))} "
                f"and {_letter(i)}); keep one"
            )
            problems.append(_problem(file, message, "columns_duplicate", 1, column=name))
        elif name not in EXTRACT_COLUMNS:
            message = f"unknown column {str(cell).strip()!r}; the allowed columns are: {allowed}"
            if len(raw) == 1 and any(sep in name for sep in ";\t|"):
                message += " (the file seems to use another separator; use commas)"
            problems.append(
                _problem(file, message, "columns_unknown", 1, column=name, value=str(cell))
            )
        names.append(name)
    for name in REQUIRED_COLUMNS:
        if name not in names:
            message = f"the required column {name!r} is missing; the allowed columns are: {allowed}"
            problems.append(_problem(file, message, "columns_missing", 1, column=name))
    if "value" not in names and not {"numerator", "denominator"} <= set(names):
        message = "the file needs a value column, or both a numerator and a denominator column"
        problems.append(_problem(file, message, "columns_missing", 1, column="value"))
    return names, problems


def _sniff(path: Path, head: bytes, size: int) -> str:
    """'csv' or 'xlsx' from the name and the first bytes; a UserError for anything else."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kind = suffix or "a file without an extension"
        message = f"only .csv and .xlsx extracts can be loaded, not {kind}"
        raise UserError(_problem(file, message, "file_type"))
    if size == 0:
        message = "the file is empty; it needs a header row and one row per KPI, area and month"
        raise UserError(_problem(file, message, "empty_file"))
    is_zip = head.startswith(b"PK\x03\x04")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        message = (
            "this is an old-format (.xls) or password-protected workbook; save it as .xlsx "
            "without a password, or as CSV UTF-8"
        )
        raise UserError(_problem(file, message, "file_type"))
    if suffix == ".xlsx":
        if is_zip:
            return "xlsx"
        looks = "binary data" if b"\x00" in head else "text, perhaps CSV"
        message = (
            f"the file is named .xlsx but is not an Excel workbook (it is {looks}); save it "
            "from Excel as .xlsx, or name a CSV file .csv"
        )
        raise UserError(_problem(file, message, "file_type"))
    if is_zip:
        message = (
            "the file is named .csv but is an Excel workbook (or another zip archive); name "
            "it .xlsx, or save it as CSV UTF-8"
        )
        raise UserError(_problem(file, message, "file_type"))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(head):
        message = "the file is UTF-16 text; save it as 'CSV UTF-8 (Comma delimited)'"
        raise UserError(_problem(file, message, "encoding"))
    if b"\x00" in head:
        message = "the file is binary data, not CSV text"
        raise UserError(_problem(file, message, "file_type"))
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=size <= len(head))
    except UnicodeDecodeError as err:
        message = (
            f"the file is not UTF-8 text (byte 0x{head[err.start]:02x} at position {err.start}); "
            "save it as 'CSV UTF-8'"
        )
        raise UserError(_problem(file, message, "encoding")) from None
    if size <= len(head) and not text.replace("\ufeff", "").strip():
        message = "the file is empty; it needs a header row and one row per KPI, area and month"
        raise UserError(_problem(file, message, "empty_file"))
    return "csv"


def _looks_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text with every other byte zero."""
    sample = head[:512]
    return len(sample) >= 4 and (
        sample[1::2].count(0) > len(sample) // 4 or sample[::2].count(0) > len(sample) // 4
    )


def read_extract(path: Path) -> pd.DataFrame:
    """A KPI extract as a frame of text cells, one row per record (index + 2 = row in the file).

    CSV (UTF-8, with or without BOM) or the first sheet of an XLSX workbook; header names are
    case-insensitive. Codes, periods and status come back categorical; other cells as text.

    Raises:
        UserError: for a file that cannot be an extract (wrong type or encoding, empty, unknown
            or missing columns, merged cells, ragged rows, a gigantic cell).
    """
    path = Path(path)
    if path.is_dir():
        raise UserError(_problem(str(path), "this is a folder, not a file", "file"))
    intake.require_regular_file(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as err:
        raise UserError(
            _problem(str(path), f"the file cannot be read ({err.strerror})", "file")
        ) from None
    if _sniff(path, head, size) == "xlsx":
        intake.check_workbook(path)
        return _read_xlsx(path)
    return _read_csv(path, head, size)


def _read_csv(path: Path, head: bytes, size: int) -> pd.DataFrame:
    file = str(path)
    text = codecs.getincrementaldecoder("utf-8")().decode(head).lstrip("\ufeff")
    if "\r" in text.rstrip("\r") and "\n" not in text:
        message = (
            "the file's lines end with a carriage return only (old Mac line endings); save it "
            "as 'CSV UTF-8 (Comma delimited)'"
        )
        raise UserError(_problem(file, message, "line_endings"))
    if "\n" not in text and size > len(head):
        message = f"the header row is longer than {HEAD_BYTES:,} bytes"
        raise UserError(_problem(file, message, "cell_size", 1))
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        message = "the header row cannot be read as CSV; save the file as 'CSV UTF-8'"
        raise UserError(_problem(file, message, "csv", 1)) from None
    names, problems = column_names(header, file)
    if problems:
        raise UserError(problems)
    dictionary = arrow.dictionary(arrow.int32(), arrow.string())
    types = {n: dictionary if n in TEXT_COLUMNS else arrow.string() for n in names}
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=CSV_BLOCK_BYTES
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=types,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except arrow.ArrowInvalid as err:
        raise UserError(_csv_error(path, str(err), len(names))) from None
    problems = _gigantic_cells(table, file)
    if problems:
        raise UserError(problems)
    frame: pd.DataFrame = table.to_pandas()
    if frame.empty:
        raise UserError(_problem(file, "the file has a header row but no data rows", "no_rows", 2))
    return frame


def _csv_error(path: Path, message: str, columns: int) -> Problem:
    """A Problem for a CSV pyarrow could not read, locating the row the slow way."""
    file = str(path)
    if "straddling" in message:
        text = (
            f"a row is larger than {CSV_BLOCK_BYTES >> 20} MB; no cell may hold more than "
            f"{MAX_CELL_CHARS:,} characters"
        )
        return _problem(file, text, "cell_size")
    if "UTF8" in message or "UTF-8" in message:
        line = _first_bad_utf8_line(path)
        text = "the file is not UTF-8 text from this row on; save it as 'CSV UTF-8'"
        return _problem(file, text, "encoding", line)
    row, cells = _first_ragged_row(path, columns)
    if row is not None:
        text = (
            f"the row has {cells} cells but the header has {columns}; quote cells that contain "
            "a comma, and remove extra commas"
        )
        return _problem(file, text, "row_shape", row)
    return _problem(file, f"the file could not be read as CSV ({message})", "csv")


def _first_bad_utf8_line(path: Path) -> int | None:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def _first_ragged_row(path: Path, columns: int) -> tuple[int | None, int]:
    with path.open(encoding="utf-8-sig", newline="", errors="replace") as handle:
        for number, record in enumerate(csv.reader(handle), start=1):
            if record and len(record) != columns:
                return number, len(record)
    return None, 0


def _gigantic_cells(table: arrow.Table, file: str) -> list[Problem]:
    """Cells longer than MAX_CELL_CHARS (checked on Arrow data, dictionaries once per value)."""
    problems: list[Problem] = []
    for name in table.column_names:
        offset = 0
        for chunk in table.column(name).chunks:
            if arrow.types.is_dictionary(chunk.type):
                lengths = pc.take(pc.utf8_length(chunk.dictionary), chunk.indices)
            else:
                lengths = pc.utf8_length(chunk)
            too_long = pc.fill_null(pc.greater(lengths, MAX_CELL_CHARS), False)
            if pc.any(too_long).as_py():
                first = int(pc.indices_nonzero(too_long)[0].as_py())
                cell = str(chunk[first].as_py())
                problems.append(_gigantic(file, offset + first + 2, name, cell))
                break
            offset += len(chunk)
    return problems


def _gigantic(file: str, row: int, column: str, cell: str) -> Problem:
    message = (
        f"the cell holds {len(cell):,} characters; no cell may hold more than "
        f"{MAX_CELL_CHARS:,} (a note at most {NOTE_MAX_CHARS})"
    )
    return _problem(file, message, "cell_size", row, column=column, value=cell[:80] + "…")


def _read_xlsx(path: Path) -> pd.DataFrame:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    file = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        message = f"the file is not a readable Excel workbook ({err}); save it again as .xlsx"
        raise UserError(_problem(file, message, "file_type")) from None
    sheet = workbook.worksheets[0]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges)
    if merged:
        in_header = [r for r in sheet.merged_cells.ranges if r.min_row == 1]
        where = "the header row has" if in_header else "the sheet has"
        message = (
            f"{where} merged cells ({', '.join(merged[:5])}); unmerge them so that every "
            "column has its own heading and every row its own cells"
        )
        raise UserError(_problem(file, message, "merged_cells", 1 if in_header else None))
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, ()))
    while header and header[-1] is None:
        header.pop()
    if not header:
        message = (
            "the first sheet is empty; it needs a header row and one row per KPI, area and month"
        )
        raise UserError(_problem(file, message, "empty_file"))
    names, problems = column_names(header, file)
    if problems:
        raise UserError(problems)
    records: list[list[str | None]] = []
    for number, values in enumerate(rows, start=2):
        cells = [_cell_text(v, names[i] if i < len(names) else "") for i, v in enumerate(values)]
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            if i >= len(names):
                message = (
                    f"the row has a value in column {_letter(i)}, which has no heading; the "
                    f"allowed columns are: {', '.join(EXTRACT_COLUMNS)}"
                )
                problems.append(_problem(file, message, "columns_unknown", number, value=cell))
            elif len(cell) > MAX_CELL_CHARS:
                problems.append(_gigantic(file, number, names[i], cell))
        records.append((cells + [None] * len(names))[: len(names)])
        if len(problems) >= MAX_PROBLEMS_PER_RULE:
            break
    if problems:
        raise UserError(problems)
    frame = pd.DataFrame(records, columns=names, dtype="str")
    if frame.isna().all(axis=None):
        raise UserError(_problem(file, "the sheet has a header row but no data rows", "no_rows", 2))
    return frame


def _cell_text(value: object, column: str) -> str | None:
    """A spreadsheet cell as the text a CSV would hold (numbers exactly, months as YYYY-MM)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        midnight = not isinstance(value, dt.datetime) or value.time() == dt.time()
        if column == "period" and value.day == 1 and midnight:
            return f"{value.year:04d}-{value.month:02d}"  # Excel turns "2024-03" into 1 Mar 2024
        return value.isoformat()
    return str(value)


# Preparing and validating frames


def _categorical(series: pd.Series, lower: bool = False) -> pd.Series:
    """Trimmed text as a categorical; blank cells missing. One string operation per category."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("category")
    categories = pd.Series(series.cat.categories.astype(str)).str.strip()
    if lower:
        categories = categories.str.lower()
    categories = categories.where(categories != "")
    mapping, uniques = pd.factorize(categories, use_na_sentinel=True)
    codes = series.cat.codes.to_numpy()
    new_codes = np.where(codes >= 0, np.append(mapping, -1)[codes], -1)
    return pd.Series(
        pd.Categorical.from_codes(new_codes, categories=pd.Index(uniques, dtype="str")),
        index=series.index,
    )


@dataclass(frozen=True)
class _Numbers:
    numbers: pd.Series  # float64, NaN where blank or unreadable
    unreadable: npt.NDArray[np.bool_]


def _numbers(series: pd.Series) -> _Numbers:
    """Cells as floats; non-blank cells that are not a finite number are flagged unreadable."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64")
        return _Numbers(values, np.zeros(len(series), dtype=bool))
    text = pc.utf8_trim_whitespace(arrow.array(series.astype("str"), type=arrow.large_string()))
    text = pc.if_else(pc.equal(text, ""), arrow.scalar(None, arrow.large_string()), text)
    try:
        floats = pc.cast(text, arrow.float64())
        values = pd.Series(floats.to_numpy(zero_copy_only=False), index=series.index)
    except arrow.ArrowInvalid:  # some cell is not a number: find which, the slow way
        values = pd.to_numeric(pd.Series(text.to_pandas(), index=series.index), errors="coerce")
        values = values.astype("float64")
    given = np.asarray(pc.is_valid(text), dtype=bool)
    unreadable = given & ~np.isfinite(values.to_numpy())
    return _Numbers(values.where(~unreadable), unreadable)


def _notes(series: pd.Series) -> pd.Series:
    """Notes as text, blank ones missing; the export's apostrophe before a formula sign undone."""
    notes = series.astype("str")
    notes = notes.where(notes.str.strip() != "")
    escaped = notes.str.match(_ESCAPED_NOTE).fillna(value=False).astype(bool)
    if escaped.any():
        notes = notes.where(~escaped, notes.str.slice(1))
    return notes


def neutralise_notes(notes: pd.Series) -> pd.Series:
    """Notes made safe for spreadsheets: an apostrophe before one that could run as a formula."""
    notes = notes.astype("str")
    risky = notes.str.match(_NOTE_TO_ESCAPE).fillna(value=False).astype(bool)
    return notes.where(~risky, "'" + notes)


@dataclass
class _Prepared:
    frame: pd.DataFrame  # EXTRACT_COLUMNS, typed; index + 2 = the row in the file
    problems: list[Problem]
    structural: bool  # the columns are wrong: nothing else can be checked
    unreadable: dict[str, npt.NDArray[np.bool_]]
    raw_numbers: dict[str, pd.Series]  # the number cells as sent, for messages


def _prepare(frame: pd.DataFrame, file: str) -> _Prepared:
    """Names, types and blanks of an extract frame; problems with columns or number cells."""
    frame = frame.reset_index(drop=True)
    names, problems = column_names(list(frame.columns), file)
    if problems:
        return _Prepared(frame, problems, True, {}, {})
    frame = frame.set_axis(names, axis=1)
    for name in [n for n in names if n.startswith(BLANK_HEADING)]:
        filled = frame[name].notna() & (frame[name].astype("str").str.strip() != "")
        if filled.any():
            row = int(np.flatnonzero(filled.to_numpy())[0]) + 2
            message = (
                f"column {name.removeprefix(BLANK_HEADING)} has values but no heading; the "
                f"allowed columns are: {', '.join(EXTRACT_COLUMNS)}"
            )
            problems.append(_problem(file, message, "columns_unknown", row))
        frame = frame.drop(columns=name)
    if problems:
        return _Prepared(frame, problems, True, {}, {})
    columns: dict[str, pd.Series] = {}
    unreadable: dict[str, npt.NDArray[np.bool_]] = {}
    raw_numbers: dict[str, pd.Series] = {}
    for name in EXTRACT_COLUMNS:
        series = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="str")
        if name in NUMBER_COLUMNS:
            parsed = _numbers(series)
            columns[name], unreadable[name] = parsed.numbers, parsed.unreadable
            if parsed.unreadable.any():
                raw_numbers[name] = series
        elif name == "note":
            columns[name] = _notes(series)
        else:
            columns[name] = _categorical(series, lower=name == "status")
    typed = pd.DataFrame(columns, index=frame.index)
    blank = np.array(typed.isna().all(axis=1).to_numpy(), dtype=bool)
    for flags in unreadable.values():
        blank &= ~flags
    if blank.any():
        typed = typed.loc[~blank]
        unreadable = {k: v[~blank] for k, v in unreadable.items()}
    status = typed["status"]
    if status.isna().any():
        if DEFAULT_STATUS not in status.cat.categories:
            status = status.cat.add_categories([DEFAULT_STATUS])
        typed["status"] = status.fillna(DEFAULT_STATUS)
    if typed.empty:
        problems.append(_problem(file, "there are no data rows, only a header", "no_rows", 2))
    for name, flags in unreadable.items():
        for index in typed.index[flags][:MAX_PROBLEMS_PER_RULE]:
            raw = str(raw_numbers[name].loc[index]).strip()
            problems.append(
                _problem(
                    file, _number_message(raw), "number", int(index) + 2, column=name, value=raw
                )
            )
        _count_rest(problems, file, name, "number", int(flags.sum()), exact=True)
    return _Prepared(typed, problems, False, unreadable, raw_numbers)


def _number_message(raw: str) -> str:
    hint = ""
    if raw.startswith("="):
        hint = " (formulas are not read: paste values)"
    elif raw.endswith("%"):
        hint = " (leave out the % sign)"
    elif "," in raw:
        hint = " (no thousands separators; use a full stop for decimals)"
    elif raw.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        hint = " (leave the cell blank when there is no figure)"
    return f"is not a number; give {RULES['number']}{hint}"


def _count_rest(
    problems: list[Problem], file: str, column: str, rule: str, total: int, exact: bool
) -> None:
    """One line for the rows of a rule beyond the first MAX_PROBLEMS_PER_RULE shown."""
    rest = total - MAX_PROBLEMS_PER_RULE
    if rest > 0:
        more = f"{rest:,}" if exact else f"at least {rest:,}"
        message = (
            f"and {more} more rows break this rule (the first {MAX_PROBLEMS_PER_RULE} are listed)"
        )
        problems.append(_problem(file, message, rule, column=column))


def current_period(today: dt.date | None = None) -> str:
    """The current month as YYYY-MM (UTC): the latest period an extract may hold."""
    day = today or dt.datetime.now(dt.UTC).date()
    return f"{day.year:04d}-{day.month:02d}"


_FRAME_RULE_COLUMN: Final = {
    "kpi_area": "area_code",
    "unique_key": "kpi_code, area_code, period",
    "value_required": "value",
    "percent_range": "value",
    "non_negative": "value",
    "magnitude": "value",
    "numerator_le_denominator": "numerator",
    "denominator_positive": "denominator",
    "value_agrees": "value",
}
_CASCADES: Final = {"value_required"}  # not reported on a row whose number cell was unreadable


def _show(value: object) -> str:
    """A cell as the user would recognise it (whole numbers without .0)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return str(value)


@dataclass(frozen=True)
class _Cell:
    """A failing cell and its row, for the sentence that explains it."""

    rule: str
    column: str
    index: int
    row: pd.Series
    value: str


class _Explainer:
    """Turns a failing cell into a sentence a data owner can act on: what is wrong and valid."""

    def __init__(self, fw: Framework, frame: pd.DataFrame, latest: str) -> None:
        self.fw = fw
        self.frame = frame
        self.latest = latest
        self.facts = FrameworkFacts.of(fw)

    def message(self, rule: str, column: str, index: int) -> tuple[str, str]:
        """The (value shown, message) for ``rule`` broken in ``column`` of the row at ``index``."""
        row = self.frame.loc[index]
        assert isinstance(row, pd.Series)  # noqa: S101 -- the index is unique (RangeIndex)
        value = _show(row[column]) if column in row.index else ""
        explain = getattr(self, f"_{rule}", None)
        if explain is None:
            return value, f"breaks the rule {rule}: {RULES.get(rule, 'see the extract format')}"
        shown, message = explain(_Cell(rule, column, index, row, value))
        return str(shown), str(message)

    @staticmethod
    def _codes(codes: Iterable[str], limit: int = 12) -> str:
        items = sorted(codes)
        more = f" and {len(items) - limit} more" if len(items) > limit else ""
        return ", ".join(items[:limit]) + more

    def _required(self, cell: _Cell) -> tuple[str, str]:
        return "", f"{cell.column} is blank; every row needs kpi_code, area_code and period"

    @staticmethod
    def _near(value: str, codes: Iterable[str]) -> str:
        close = difflib.get_close_matches(value.upper(), list(codes), n=1, cutoff=0.6)
        return f" (did you mean {close[0]}?)" if close else ""

    def _known_kpi(self, cell: _Cell) -> tuple[str, str]:
        near = self._near(cell.value, self.facts.kpis)
        codes = self._codes(self.facts.kpis)
        message = f"is not a KPI code of the framework{near}; the codes are: {codes}"
        return cell.value, message

    def _known_area(self, cell: _Cell) -> tuple[str, str]:
        near = self._near(cell.value, self.facts.areas)
        codes = self._codes(self.facts.areas)
        message = f"is not an area code of the framework{near}; the codes are: {codes}"
        return cell.value, message

    def _kpi_area(self, cell: _Cell) -> tuple[str, str]:
        kpi = str(cell.row["kpi_code"])
        types = ", ".join(str(t) for t in self.fw.kpi(kpi).area_types)
        areas = self._codes(self.facts.kpi_areas[kpi])
        message = f"KPI {kpi} is not reported for this area (area types {types}; areas: {areas})"
        return cell.value, message

    def _period_format(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, "is not a month written YYYY-MM; give a month such as 2024-03"

    def _real_month(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"month {cell.value[5:7]} does not exist; give a month 01 to 12"

    def _not_future(self, cell: _Cell) -> tuple[str, str]:
        message = f"is after the current month ({self.latest}); a period may not be in the future"
        return cell.value, message

    def _unique_key(self, cell: _Cell) -> tuple[str, str]:
        key, _ = key_codes(self.frame)
        same = np.flatnonzero(key == key[self.frame.index.get_loc(cell.index)])
        first = int(self.frame.index[same[0]]) + 2
        shown = ", ".join(_show(cell.row[c]) for c in KEY_COLUMNS)
        message = (
            f"the same kpi_code, area_code and period as row {first}; each may appear once per file"
        )
        return shown, message

    def _non_negative(self, cell: _Cell) -> tuple[str, str]:
        if cell.column in ("numerator", "denominator"):
            return cell.value, "is negative; a count must be zero or more"
        unit = self.fw.kpi(str(cell.row["kpi_code"])).unit
        return cell.value, f"is negative; a value in {unit} must be zero or more"

    def _percent_range(self, cell: _Cell) -> tuple[str, str]:
        kpi = cell.row["kpi_code"]
        return cell.value, f"KPI {kpi} is a percentage; give a value from 0 to 100"

    def _numerator_le_denominator(self, cell: _Cell) -> tuple[str, str]:
        denominator = _show(cell.row["denominator"])
        message = (
            f"the numerator is larger than the denominator ({denominator}); for a percentage "
            "it may be at most the denominator"
        )
        return cell.value, message

    def _denominator_positive(self, cell: _Cell) -> tuple[str, str]:
        message = (
            "the denominator is 0 but a numerator is given; leave both blank and give the "
            "value, if there is one"
        )
        return cell.value, message

    def _value_required(self, cell: _Cell) -> tuple[str, str]:
        message = (
            "there is no value, and numerator and denominator are not both given; give a "
            "value, or both"
        )
        return "", message

    def _value_agrees(self, cell: _Cell) -> tuple[str, str]:
        unit = self.fw.kpi(str(cell.row["kpi_code"])).unit
        times = 100.0 if unit == Unit.PERCENT else 1.0
        numerator, denominator = float(cell.row["numerator"]), float(cell.row["denominator"])
        expected = numerator / denominator * times
        allowed = float(tolerance(np.array([expected]))[0])
        formula = f"{_show(numerator)} / {_show(denominator)}" + (" x 100" if times > 1 else "")
        message = (
            f"does not agree with numerator and denominator: {formula} = {expected:.6g}; give "
            f"{round(expected, 2):g} (a difference of up to {allowed:.4g} is allowed) or leave "
            "value blank"
        )
        return cell.value, message

    def _status(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, "is not a status; give final or provisional (blank means final)"

    def _note_length(self, cell: _Cell) -> tuple[str, str]:
        size = len(str(cell.row["note"]))
        return cell.value, f"the note has {size:,} characters; at most {NOTE_MAX_CHARS} are allowed"

    def _plausible_year(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"year {cell.value[:4]} is before {MIN_YEAR}; check the period"

    def _magnitude(self, cell: _Cell) -> tuple[str, str]:
        unit = self.fw.kpi(str(cell.row["kpi_code"])).unit
        limit = MAGNITUDE_LIMITS[unit]
        message = (
            f"is larger than any value in {unit} can be (at most {limit:,.0f}"
            f"{' either way' if unit in SIGNED_UNITS else ''}); "
            "check the number and its unit"
        )
        return cell.value, message

    def _count_size(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"is larger than any count can be (at most {MAX_COUNT:,.0f})"

    def _no_nul(self, cell: _Cell) -> tuple[str, str]:
        return "", "the note holds a NUL byte (character 0); remove it"

    def _finite(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"is not a finite number; give {RULES['number']}"


def _rule_of(check: object) -> str:
    text = str(check)
    if text == "not_nullable":
        return "required"
    return text


def _failure_problems(
    cases: pd.DataFrame, prepared: _Prepared, explain: _Explainer, file: str
) -> list[Problem]:
    """Pandera failure cases as Problems: one per (rule, row), capped per rule and column."""
    cases = cases.copy()
    cases["rule"] = cases["check"].map(_rule_of)
    frame_level = cases["schema_context"] == "DataFrameSchema"
    cases.loc[frame_level, "column"] = cases.loc[frame_level, "rule"].map(_FRAME_RULE_COLUMN)
    problems: list[Problem] = []
    for case in cases[cases["index"].isna()].to_dict("records"):
        # not about one row (a check that could not run): still a reason to reject the file
        message = f"the file could not be checked against this rule ({case['failure_case']})"
        problems.append(_problem(file, message, str(case["rule"]), column=str(case["column"])))
    cases = cases[cases["index"].notna()].drop_duplicates(["rule", "column", "index"])
    unreadable_rows = np.zeros(len(prepared.frame), dtype=bool)
    for flags in prepared.unreadable.values():
        unreadable_rows |= flags
    skip = set(prepared.frame.index[unreadable_rows])
    for (rule, column), group in cases.groupby(["rule", "column"], sort=False):
        indexes = sorted(
            int(i) for i in group["index"] if not (rule in _CASCADES and int(i) in skip)
        )
        for index in indexes[:MAX_PROBLEMS_PER_RULE]:
            shown_column = str(column)
            source_column = shown_column if shown_column in prepared.frame.columns else "value"
            value, message = explain.message(str(rule), source_column, index)
            problems.append(Problem(file, index + 2, shown_column, value, str(rule), message))
        capped = bool(group["schema_context"].eq("DataFrameSchema").any())
        exact = not (capped and len(indexes) >= FRAME_RULE_CAP)
        _count_rest(problems, file, str(column), str(rule), len(indexes), exact)
    return problems


def _validated(
    prepared: _Prepared, fw: Framework, file: str, today: dt.date | None
) -> tuple[pd.DataFrame, list[Problem]]:
    latest = current_period(today)
    schema = extract_schema(fw, latest, cap=FRAME_RULE_CAP)
    try:
        frame = schema.validate(prepared.frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        explain = _Explainer(fw, prepared.frame, latest)
        problems = _failure_problems(err.failure_cases, prepared, explain, file)
        return prepared.frame, [*prepared.problems, *problems]
    return frame, prepared.problems


def validate_extract(
    frame: pd.DataFrame, fw: Framework, file_name: str, today: dt.date | None = None
) -> list[Problem]:
    """Every problem with an extract-shaped frame, against the framework (none: it is valid).

    Args:
        frame: the extract's cells (``read_extract`` output or a frame built by a connector).
        fw: the framework the codes, units and KPI areas must fit.
        file_name: the file named in each problem.
        today: the date whose month is the latest allowed period (default: today, UTC).

    Returns:
        The problems, in rule order, rows counted as the user does (header = row 1).
    """
    prepared = _prepare(frame, file_name)
    if prepared.structural:
        return prepared.problems
    return _validated(prepared, fw, file_name, today)[1]


def _batch(frame: pd.DataFrame, fw: Framework) -> arrow.Table:
    """The validated frame as the store's batch: value filled in from numerator/denominator."""
    units = row_units(frame, FrameworkFacts.of(fw))
    value = frame["value"].to_numpy(dtype=np.float64, copy=True)
    missing = np.isnan(value)
    if missing.any():
        numerator = frame["numerator"].to_numpy(dtype=np.float64)
        denominator = frame["denominator"].to_numpy(dtype=np.float64)
        value[missing] = numerator[missing] / denominator[missing] * units.factor[missing]
    columns: dict[str, Any] = {"source_row": frame.index.to_numpy(dtype=np.int64) + 2}
    for name in EXTRACT_COLUMNS:
        columns[name] = value if name == "value" else frame[name]
    return arrow.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)


def _conflict_problems(conflicts: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for record in conflicts.to_dict("records"):
        message = (
            f"{record['kpi_code']}, {record['area_code']}, {record['period']} is final with value "
            f"{_show(record['stored_value'])} (load {record['load_id']}, {record['stored_file']}); "
            "a provisional value cannot replace a final one: send it with status final to revise it"
        )
        problems.append(
            Problem(
                file,
                int(record["source_row"]),
                "status",
                "provisional",
                "final_not_replaced",
                message,
            )
        )
    return problems


def load_frame(
    store_path: Path,
    fw: Framework,
    frame: pd.DataFrame,
    file_name: str,
    kind: str,
    user: str,
    synthetic: bool = False,
    dry_run: bool = False,
    sha256: str | None = None,
    today: dt.date | None = None,
    source: store_writes.Source | None = None,
    comparisons: arrow.Table | None = None,
) -> FileReport:
    """Validate one extract-shaped frame and load it atomically; all-or-nothing.

    A key not stored yet is new; stored with the same figures it is unchanged; with different
    ones it is a revision (the old row stays, superseded by this load). A provisional row never
    replaces a final one. A frame whose rows are all unchanged writes nothing at all.

    Args:
        store_path: the store (created by ``scorecard.store_writes.init_store``).
        fw: the framework the rows must fit.
        frame: columns of the extract format (any case); optional ones may be absent.
        file_name: the name shown in problems and kept in the load log.
        kind: what sent it: 'extract', 'demo', 'nhse', ...
        user: who is loading (kept in the load log).
        synthetic: whether every value is synthetic (kept on each row and in the log).
        dry_run: validate and classify only; write nothing.
        sha256: the source file's SHA-256, kept in the load log.
        today: the date whose month is the latest allowed period (default: today, UTC).
        source: the publication, file and edition every value comes from (kept per load).
        comparisons: every organisation the publication prints, written with the rows
            (``scorecard.provenance.comparison_table``).

    Returns:
        A FileReport; status 'rejected' with errors when anything is wrong (nothing written).

    Raises:
        UserError: when the store does not exist or cannot be used (not the frame's fault).
    """
    return _load_prepared(
        _prepare(frame, file_name),
        Path(store_path),
        fw,
        store_writes.LoadRecord(file_name, sha256, kind, user, synthetic, 0, source, comparisons),
        dry_run,
        today,
    )


def _load_prepared(
    prepared: _Prepared,
    store_path: Path,
    fw: Framework,
    record: store_writes.LoadRecord,
    dry_run: bool,
    today: dt.date | None,
) -> FileReport:
    """Validate a prepared frame and hand it to the store (frees each stage as it goes)."""
    file, rows = record.file_name, len(prepared.frame)
    report = FileReport(file, record.sha256, REJECTED, rows, dry_run=dry_run)
    if prepared.structural:
        report.errors = prepared.problems
        return report
    validated, problems = _validated(prepared, fw, file, today)
    del prepared  # the file's cells are no longer needed: keep peak memory down
    if problems:
        report.errors = problems
        return report
    batch = _batch(validated, fw)
    del validated
    record = dataclasses.replace(record, rows=rows)
    outcome = store_writes.apply_load(store_path, batch, record, dry_run)
    report.new, report.revisions = outcome.new, outcome.revisions
    report.unchanged, report.load_id = outcome.unchanged, outcome.load_id
    if not outcome.conflicts.empty:
        report.errors = _conflict_problems(outcome.conflicts, file)
        return report
    report.status = LOADED if outcome.changes else UNCHANGED
    return report


@dataclass(frozen=True)
class FrameToLoad:
    """One extract-shaped frame for ``load_frames``, with the facts its load log keeps."""

    frame: pd.DataFrame
    file_name: str
    sha256: str | None = None
    source: store_writes.Source | None = None
    comparisons: arrow.Table | None = None


def load_frames(
    store_path: Path,
    fw: Framework,
    frames: Sequence[FrameToLoad],
    kind: str,
    user: str,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> list[FileReport]:
    """Validate several frames and load them as successive loads in one swap: all or nothing.

    Every frame is validated as ``load_frame`` does; if any is rejected nothing is written.
    Then each becomes its own load (its own load id, source and comparisons) in one atomic
    write of the store. A frame with no rows records only its source and comparisons.

    Returns:
        One FileReport per frame, in order.

    Raises:
        UserError: when the store does not exist or cannot be used.
    """
    reports: list[FileReport] = []
    batches: list[tuple[arrow.Table, store_writes.LoadRecord]] = []
    for item in frames:
        record = store_writes.LoadRecord(
            item.file_name,
            item.sha256,
            kind,
            user,
            False,
            len(item.frame),
            item.source,
            item.comparisons,
        )
        report = FileReport(item.file_name, item.sha256, REJECTED, len(item.frame), dry_run=dry_run)
        reports.append(report)
        if item.frame.empty:
            batches.append((store_writes.empty_batch(), record))
            continue
        prepared = _prepare(item.frame, item.file_name)
        if prepared.structural:
            report.errors = prepared.problems
            continue
        validated, problems = _validated(prepared, fw, item.file_name, today)
        if problems:
            report.errors = problems
            continue
        batches.append((_batch(validated, fw), record))
    if any(r.errors for r in reports):
        return reports
    if dry_run:
        outcomes = [store_writes.apply_load(store_path, b, r, dry_run=True) for b, r in batches]
    else:
        outcomes = store_writes.apply_loads(Path(store_path), batches)
    conflicted = any(not o.conflicts.empty for o in outcomes)
    for report, outcome in zip(reports, outcomes, strict=False):
        report.new, report.revisions = outcome.new, outcome.revisions
        report.unchanged = outcome.unchanged
        report.load_id = None if conflicted else outcome.load_id
        if not outcome.conflicts.empty:
            report.errors = _conflict_problems(outcome.conflicts, report.file)
        elif not conflicted:
            report.status = LOADED if outcome.changes else UNCHANGED
    return reports


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_files(
    paths: Sequence[Path],
    store_path: Path,
    fw: Framework,
    user: str,
    dry_run: bool = False,
    kind: str = "extract",
    today: dt.date | None = None,
) -> list[FileReport]:
    """Read, validate and load each file in turn, each all-or-nothing and swapped in on its own.

    A rejected file does not stop the others; a later file may revise an earlier one.

    Raises:
        UserError: when the store does not exist or cannot be used.
    """
    if not store.Store(Path(store_path)).exists():
        raise UserError(
            Problem(
                str(store_path),
                None,
                "",
                "",
                "store",
                f"there is no store at {store_path}; create one with `python -m scorecard init`",
            )
        )
    reports = []
    for path in paths:
        file = str(path)
        try:
            prepared = _prepare(read_extract(Path(path)), file)
            record = store_writes.LoadRecord(file, file_sha256(Path(path)), kind, user, False, 0)
        except UserError as err:
            reports.append(
                FileReport(file, None, REJECTED, 0, errors=err.problems, dry_run=dry_run)
            )
            continue
        reports.append(_load_prepared(prepared, Path(store_path), fw, record, dry_run, today))
        del prepared
    return reports


def export_frame(current: pd.DataFrame) -> pd.DataFrame:
    """Current observations in the extract format (notes as stored, not yet neutralised)."""
    return current.loc[:, list(EXTRACT_COLUMNS)].reset_index(drop=True)


def _number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as the shortest text that reads back to the same float (4567, 45.67, 1e-07)."""
    values = arrow.array(numbers.to_numpy(dtype=np.float64), from_pandas=True)
    text = pc.cast(values, arrow.string()).to_pandas()
    return pd.Series(text, index=numbers.index, dtype="str")


def export_csv(current: pd.DataFrame) -> bytes:
    """Current observations as an extract CSV (UTF-8, no BOM, CRLF) that loads back unchanged."""
    frame = export_frame(current)
    for name in NUMBER_COLUMNS:
        frame[name] = _number_text(frame[name])
    frame["note"] = neutralise_notes(frame["note"]).where(frame["note"].notna())
    # CRLF as RFC 4180 (and Excel): a note holding a lone "\r" is then quoted like one with "\n"
    return frame.to_csv(index=False, lineterminator="\r\n", na_rep="").encode("utf-8")


def export_json(current: pd.DataFrame, sources: dict[int, str] | None = None) -> bytes:
    """Current observations as a JSON list (extract fields, the synthetic flag and the source)."""
    frame = export_frame(current)
    frame["synthetic"] = current["synthetic"].astype(bool).to_numpy()
    if sources is not None:
        frame["source"] = [sources.get(int(x)) for x in current["load_id"]]
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
