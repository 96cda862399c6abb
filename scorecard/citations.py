"""Citations of the iCAN documents as people read them: the document's name and where in it."""

from __future__ import annotations

import re
from typing import Final

# The text extractions of the iCAN documents the framework cites as ``file:line`` (kept in data
# and CSV exports for analysts). Names from the documents' own title pages.
DOCUMENTS: Final[dict[str, str]] = {
    "000_2cc581081d893adc.txt": "Shadow Authority report “iCAN system partner procurement” (2021)",
    "001_b10efbbba2e486d9.txt": (
        "NHCP “Becoming an Integrated Care System: Our Journey So Far” (2022)"
    ),
    "002_2eedf7704630fa45.txt": (
        "North Northamptonshire Council Executive report “iCAN Case for Change” (25 August 2022)"
    ),
    "003_3170e59ef2e0f1c1.txt": (
        "North Northamptonshire Health and Wellbeing Board papers (6 September 2022)"
    ),
    "004_76ce9cc29bd9e152.txt": "iCAN Case for Change and Story Board, version 3.2 (2022)",
}
_CITATION: Final = re.compile(
    r"(?P<file>[A-Za-z0-9_.\-]+\.txt):(?P<first>\d+)(?:[-–](?P<last>\d+))?"
)


def readable(text: str) -> str:
    """``text`` with every ``file:line`` citation written as the document's name and lines.

    "004_76ce9cc29bd9e152.txt:1098-1107" becomes "iCAN Case for Change and Story Board, version
    3.2 (2022), lines 1098–1107 of its text". A file the list does not know keeps its name.
    """

    def one(found: re.Match[str]) -> str:
        name = DOCUMENTS.get(found["file"], found["file"])
        first, last = found["first"], found["last"]
        where = f"lines {first}–{last}" if last else f"line {first}"
        return f"{name}, {where} of its text"

    return _CITATION.sub(one, text)
