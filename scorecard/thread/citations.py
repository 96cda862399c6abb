"""Citations of the iCAN documents as people read them: the document's name and where in it."""

from __future__ import annotations

import re
from typing import Final

from scorecard.thread.citations_places import PLACES

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
    """``text`` with every ``file:line`` citation written as the document's name and a passage.

    Where the line's place is known (``PLACES``), the passage is named as people can find it in
    the document: its section heading, if the document has headings, and the words it begins
    with ("iCAN Case for Change and Story Board, version 3.2 (2022), section “Financial benefits –
    the ICAN Programme”, at “Total Benefits 2,668 …”"; a cited heading is named as its section).
    Otherwise the lines are given: "…, lines 2–3 of its text". A file the list does not know
    keeps its name. Data and CSV exports keep the ``file:line`` form for analysts.
    """

    def one(found: re.Match[str]) -> str:
        name = DOCUMENTS.get(found["file"], found["file"])
        place = PLACES.get(f"{found['file']}:{found['first']}")
        if place is not None:
            section, opening = place
            if section and opening == section:  # the line cited is the heading itself
                return f"{name}, section “{section}”"
            heading = f", section “{section}”" if section else ""
            return f"{name}{heading}, at “{opening}”"
        first, last = found["first"], found["last"]
        where = f"lines {first}–{last}" if last else f"line {first}"
        return f"{name}, {where} of its text"

    return _CITATION.sub(one, text)
