"""What an input file may cost before it is parsed: regular files only, bounded workbooks."""

from __future__ import annotations

import os
import re
import stat
import zipfile
from pathlib import Path
from typing import IO, Final

from scorecard.thread.errors import Problem, UserError

# Limits on a workbook, checked from the zip's directory and a byte scan of its first sheet,
# before openpyxl parses anything. A monthly extract is a few thousand rows of eight columns;
# these are far above that and well below what exhausts the machine (openpyxl holds a few
# hundred bytes per cell: a million cells is about half a gigabyte).
MAX_WORKBOOK_BYTES: Final = 100 << 20  # all members uncompressed, 100 MB
MAX_COMPRESSION_RATIO: Final = 100  # a part over 1 MB that inflates more than this: a zip bomb
MAX_MEMBERS: Final = 2_000
MAX_SHEETS: Final = 50
MAX_ROWS: Final = 200_000  # of the first sheet; larger extracts travel as CSV
MAX_CELLS: Final = 1_000_000
_SCAN_BYTES: Final = 1 << 20
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)

# Control characters (C0 but tab and newline, DEL, C1) and bidirectional overrides: shown in a
# terminal they can move the cursor, recolour or hide text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to write to a terminal: control characters and bidi overrides removed."""
    return _UNSAFE.sub("", text)


def _refuse(path: Path, message: str, rule: str) -> UserError:
    return UserError(Problem(str(path), None, "", "", rule, message))


_KINDS: Final = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def require_regular_file(path: Path) -> int:
    """The size of ``path`` when it is a regular file; a sentence otherwise (nothing opened).

    A named pipe would block the read for ever and a device never ends, so only regular files
    (or links to them) are read.

    Raises:
        UserError: For anything but a readable regular file.
    """
    try:
        info = path.stat()
    except OSError as err:
        reason = os.strerror(err.errno).lower() if err.errno else "it cannot be read"
        raise _refuse(path, f"the file cannot be read ({reason})", "file") from None
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise _refuse(path, f"this is {kind}, not a regular file; give a file", "file")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "this is not a regular file; give a file", "file")
    return info.st_size


def _count(member: IO[bytes]) -> tuple[int, int, bool]:
    """Rows and cells of a sheet's XML, and whether it declares a DTD, by scanning its bytes."""
    rows = cells = 0
    tail = b""
    dtd = False
    while chunk := member.read(_SCAN_BYTES):
        data = tail + chunk
        # a tag split across chunks is counted once: the overlap is too short to hold a whole one
        cut = max(0, len(data) - 16)
        rows += len(_ROW.findall(data, 0, cut))
        cells += len(_CELL.findall(data, 0, cut))
        dtd = dtd or bool(_DTD.search(data))
        tail = data[cut:]
        if rows > MAX_ROWS or cells > MAX_CELLS:
            break
    rows += len(_ROW.findall(tail))
    cells += len(_CELL.findall(tail))
    return rows, cells, dtd


def check_workbook(path: Path) -> None:
    """Refuse a workbook that would cost too much to open, or that declares XML entities.

    Checked from the zip directory (uncompressed sizes, compression ratios, member and sheet
    counts) and by scanning the XML as bytes (rows and cells of the first sheet, ``<!DOCTYPE``
    or ``<!ENTITY`` in any part), so nothing is parsed before it passes.

    Raises:
        UserError: Naming the limit passed.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                message = f"the workbook has {len(members):,} parts; at most {MAX_MEMBERS:,}"
                raise _refuse(path, message, "workbook_size")
            total = sum(m.file_size for m in members)
            if total > MAX_WORKBOOK_BYTES:
                message = (
                    f"the workbook unpacks to {total:,} bytes; at most "
                    f"{MAX_WORKBOOK_BYTES:,} are read (save the extract alone, or as CSV)"
                )
                raise _refuse(path, message, "workbook_size")
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > (1 << 20) and ratio > MAX_COMPRESSION_RATIO:
                    message = (
                        f"a part of the workbook inflates {ratio:,.0f} times; at most "
                        f"{MAX_COMPRESSION_RATIO} (this is how a zip bomb looks)"
                    )
                    raise _refuse(path, message, "workbook_size")
            sheets = sorted(m.filename for m in members if _SHEET.fullmatch(m.filename))
            if len(sheets) > MAX_SHEETS:
                message = f"the workbook has {len(sheets):,} sheets; at most {MAX_SHEETS}"
                raise _refuse(path, message, "workbook_size")
            for member in members:
                if not member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(member) as handle:
                    rows, cells, dtd = _count(handle)
                if dtd:
                    message = (
                        "the workbook's XML declares a DTD or entities, which Excel never "
                        "writes; it is refused unread (save it again from Excel)"
                    )
                    raise _refuse(path, message, "xml_entities")
                if member.filename in sheets and rows > MAX_ROWS:
                    message = f"a sheet has more than {MAX_ROWS:,} rows; at most {MAX_ROWS:,}"
                    raise _refuse(path, message, "workbook_size")
                if member.filename in sheets and cells > MAX_CELLS:
                    message = f"a sheet has more than {MAX_CELLS:,} cells; at most {MAX_CELLS:,}"
                    raise _refuse(path, message, "workbook_size")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as err:
        message = f"the file is not a readable Excel workbook ({type(err).__name__})"
        raise _refuse(path, message + "; save it again as .xlsx", "file_type") from None
    except OSError as err:
        reason = os.strerror(err.errno).lower() if err.errno else "it cannot be read"
        raise _refuse(path, f"the file cannot be read ({reason})", "file") from None
