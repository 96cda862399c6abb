"""Reading an extract file: CSV or XLSX sniffed, decoded and refused with a reason, cell by cell."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from schemas.extract import NOTE_MAX_CHARS, REQUIRED_COLUMNS, TEXT_COLUMNS
from scorecard.data import intake
from scorecard.thread.domain import EXTRACT_COLUMNS
from scorecard.thread.errors import Problem, UserError

MAX_CELL_CHARS: Final = 10_000  # a "gigantic cell": no extract cell needs more (notes: 500)
MAX_PROBLEMS_PER_RULE: Final = 100  # per rule and column; the rest are counted in one line
CSV_BLOCK_BYTES: Final = 16 << 20  # a CSV row longer than this cannot be read at all
HEAD_BYTES: Final = 1 << 16
SUFFIXES: Final = (".csv", ".xlsx")
BLANK_HEADING: Final = "(no heading) "


def plural(count: int, noun: str) -> str:
    """A count with its noun, plural unless one ("1 row", "2,000 rows")."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def file_problem(file: str, message: str, rule: str, row: int | None = None, **kw: str) -> Problem:
    """A problem with a file: its row (header = 1) and, by keyword, column and value."""
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
            f"{plural(len(cells), 'cell')} is a column name; the allowed columns are: {allowed}"
        )
        return [], [file_problem(file, message, "columns_missing", 1)]
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
            problems.append(file_problem(file, message, "columns_duplicate", 1, column=name))
        elif name not in EXTRACT_COLUMNS:
            message = f"unknown column {str(cell).strip()!r}; the allowed columns are: {allowed}"
            if len(raw) == 1 and any(sep in name for sep in ";\t|"):
                message += " (the file seems to use another separator; use commas)"
            problems.append(
                file_problem(file, message, "columns_unknown", 1, column=name, value=str(cell))
            )
        names.append(name)
    for name in REQUIRED_COLUMNS:
        if name not in names:
            message = f"the required column {name!r} is missing; the allowed columns are: {allowed}"
            problems.append(file_problem(file, message, "columns_missing", 1, column=name))
    if "value" not in names and not {"numerator", "denominator"} <= set(names):
        message = "the file needs a value column, or both a numerator and a denominator column"
        problems.append(file_problem(file, message, "columns_missing", 1, column="value"))
    return names, problems


def _sniff(path: Path, head: bytes, size: int) -> str:
    """'csv' or 'xlsx' from the name and the first bytes; a UserError for anything else."""
    file = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        kind = suffix or "a file without an extension"
        message = f"only .csv and .xlsx extracts can be loaded, not {kind}"
        raise UserError(file_problem(file, message, "file_type"))
    if size == 0:
        message = "the file is empty; it needs a header row and one row per KPI, area and month"
        raise UserError(file_problem(file, message, "empty_file"))
    is_zip = head.startswith(b"PK\x03\x04")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        message = (
            "this is an old-format (.xls) or password-protected workbook; save it as .xlsx "
            "without a password, or as CSV UTF-8"
        )
        raise UserError(file_problem(file, message, "file_type"))
    if suffix == ".xlsx":
        if is_zip:
            return "xlsx"
        looks = "binary data" if b"\x00" in head else "text, perhaps CSV"
        message = (
            f"the file is named .xlsx but is not an Excel workbook (it is {looks}); save it "
            "from Excel as .xlsx, or name a CSV file .csv"
        )
        raise UserError(file_problem(file, message, "file_type"))
    if is_zip:
        message = (
            "the file is named .csv but is an Excel workbook (or another zip archive); name "
            "it .xlsx, or save it as CSV UTF-8"
        )
        raise UserError(file_problem(file, message, "file_type"))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(head):
        message = "the file is UTF-16 text; save it as 'CSV UTF-8 (Comma delimited)'"
        raise UserError(file_problem(file, message, "encoding"))
    if b"\x00" in head:
        message = "the file is binary data, not CSV text"
        raise UserError(file_problem(file, message, "file_type"))
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=size <= len(head))
    except UnicodeDecodeError as err:
        message = (
            f"the file is not UTF-8 text (byte 0x{head[err.start]:02x} at position {err.start}); "
            "save it as 'CSV UTF-8'"
        )
        raise UserError(file_problem(file, message, "encoding")) from None
    if size <= len(head) and not text.replace("\ufeff", "").strip():
        message = "the file is empty; it needs a header row and one row per KPI, area and month"
        raise UserError(file_problem(file, message, "empty_file"))
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
        raise UserError(file_problem(str(path), "this is a folder, not a file", "file"))
    intake.require_regular_file(path)
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as err:
        raise UserError(
            file_problem(str(path), f"the file cannot be read ({err.strerror})", "file")
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
        raise UserError(file_problem(file, message, "line_endings"))
    if "\n" not in text and size > len(head):
        message = f"the header row is longer than {HEAD_BYTES:,} bytes"
        raise UserError(file_problem(file, message, "cell_size", 1))
    try:
        header = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        message = "the header row cannot be read as CSV; save the file as 'CSV UTF-8'"
        raise UserError(file_problem(file, message, "csv", 1)) from None
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
        raise UserError(
            file_problem(file, "the file has a header row but no data rows", "no_rows", 2)
        )
    return frame


def _csv_error(path: Path, message: str, columns: int) -> Problem:
    """A Problem for a CSV pyarrow could not read, locating the row the slow way."""
    file = str(path)
    if "straddling" in message:
        text = (
            f"a row is larger than {CSV_BLOCK_BYTES >> 20} MB; no cell may hold more than "
            f"{MAX_CELL_CHARS:,} characters"
        )
        return file_problem(file, text, "cell_size")
    if "UTF8" in message or "UTF-8" in message:
        line = _first_bad_utf8_line(path)
        text = "the file is not UTF-8 text from this row on; save it as 'CSV UTF-8'"
        return file_problem(file, text, "encoding", line)
    row, cells = _first_ragged_row(path, columns)
    if row is not None:
        text = (
            f"the row has {cells} cells but the header has {columns}; quote cells that contain "
            "a comma, and remove extra commas"
        )
        return file_problem(file, text, "row_shape", row)
    return file_problem(file, f"the file could not be read as CSV ({message})", "csv")


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
    return file_problem(file, message, "cell_size", row, column=column, value=cell[:80] + "…")


def _read_xlsx(path: Path) -> pd.DataFrame:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    file = str(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=False, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as err:
        message = f"the file is not a readable Excel workbook ({err}); save it again as .xlsx"
        raise UserError(file_problem(file, message, "file_type")) from None
    sheet = workbook.worksheets[0]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges)
    if merged:
        in_header = [r for r in sheet.merged_cells.ranges if r.min_row == 1]
        where = "the header row has" if in_header else "the sheet has"
        message = (
            f"{where} merged cells ({', '.join(merged[:5])}); unmerge them so that every "
            "column has its own heading and every row its own cells"
        )
        raise UserError(file_problem(file, message, "merged_cells", 1 if in_header else None))
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows, ()))
    while header and header[-1] is None:
        header.pop()
    if not header:
        message = (
            "the first sheet is empty; it needs a header row and one row per KPI, area and month"
        )
        raise UserError(file_problem(file, message, "empty_file"))
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
                problems.append(file_problem(file, message, "columns_unknown", number, value=cell))
            elif len(cell) > MAX_CELL_CHARS:
                problems.append(_gigantic(file, number, names[i], cell))
        records.append((cells + [None] * len(names))[: len(names)])
        if len(problems) >= MAX_PROBLEMS_PER_RULE:
            break
    if problems:
        raise UserError(problems)
    frame = pd.DataFrame(records, columns=names, dtype="str")
    if frame.isna().all(axis=None):
        raise UserError(
            file_problem(file, "the sheet has a header row but no data rows", "no_rows", 2)
        )
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
