"""Tables as downloads: CSV and XLSX bytes with spreadsheet-formula text neutralised."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Hashable
from datetime import date, datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# Text a spreadsheet may read as a formula or a command (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SHEET_NAME_MAX = 31  # Excel's limit on a sheet name
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH = 60


def neutralise(text: str) -> str:
    """Text that a spreadsheet will show as text: a leading ``'`` before formula-like text."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers are neutralised (numbers are left as they are)."""
    out = df.copy()
    out.columns = pd.Index([neutralise(str(c)) for c in out.columns])
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The frame as CSV (UTF-8 with a byte-order mark so Excel reads £ and dashes right).

    The header row is the frame's columns; the index is not written. Text that starts with
    ``= + - @``, a tab or a carriage return gets a leading apostrophe.

    Args:
        df: the table.

    Returns:
        The CSV file's bytes.
    """
    return _safe_frame(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _sheet_name(name: str) -> str:
    cleaned = _SHEET_FORBIDDEN.sub(" ", name).strip().strip("'") or "Sheet1"
    return cleaned[:SHEET_NAME_MAX]


def _cell_value(value: object) -> object:
    """A frame cell as something openpyxl writes as a number, date, bool, text or blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return None if isinstance(value, float) and not math.isfinite(value) else value
    if isinstance(value, datetime | date):
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value
    if hasattr(value, "item"):  # numpy scalars
        return _cell_value(value.item())
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def to_xlsx_bytes(df: pd.DataFrame, sheet_name: str = "Sheet1", title: str = "") -> bytes:
    """The frame as an XLSX workbook whose first row is the column headers.

    Text cells are written as text (never as formulas), with Excel's quote prefix on text
    that looks like a formula; the header row is bold, frozen and filterable. The title goes
    into the workbook's properties, not into the sheet, so row 1 stays the headers.

    Args:
        df: the table.
        sheet_name: the sheet's name (cut to 31 characters, forbidden characters removed).
        title: the workbook's title property.

    Returns:
        The XLSX file's bytes.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_name(sheet_name)
    if title:
        workbook.properties.title = ILLEGAL_CHARACTERS_RE.sub("", title)
    headers: list[Hashable] = list(df.columns)
    widths = [len(str(h)) for h in headers]
    bold = Font(bold=True)
    for col, header in enumerate(headers, start=1):
        _write(sheet, 1, col, str(header), font=bold)
    for row_number, record in enumerate(df.itertuples(index=False, name=None), start=2):
        for col, raw in enumerate(record, start=1):
            value = _cell_value(raw)
            _write(sheet, row_number, col, value)
            if value is not None:
                widths[col - 1] = max(widths[col - 1], len(str(value)))
    for col, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = min(_MAX_WIDTH, width + 2)
    if headers:
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(headers))
        sheet.auto_filter.ref = f"A1:{last}{max(1, len(df) + 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write(sheet: object, row: int, col: int, value: object, font: Font | None = None) -> None:
    cell = sheet.cell(row=row, column=col)  # type: ignore[attr-defined]
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store text starting with "=" as a formula
        if value.startswith(FORMULA_PREFIXES):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
        if len(value) > _MAX_WIDTH:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if font is not None:
        cell.font = font
