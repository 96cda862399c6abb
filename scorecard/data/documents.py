"""Where each framework citation points in the iCAN documents' texts (dev time, beside the seeds).

Run ``python -m scorecard.commands.citations SEEDS_FOLDER`` while developing, with the text
extractions of the iCAN documents: it prints ``scorecard/thread/citations_places.py``, the section
and opening words of every line the framework cites, so that the app can name a passage people can
find in the document (by its heading and by searching for its words) instead of a line number of a
text they do not have. The product never reads the documents at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

CITED = re.compile(r"(?P<file>[0-9]{3}_[0-9a-f]{16}\.txt):(?P<line>\d+)")
_MARKUP = re.compile(r"</?[a-z]+>|\*\*|^#+\s*|^[•\-–·o]\s+")
OPENING_WORDS = 8


def plain(line: str) -> str:
    """A line of a document's text without markup, bullets or runs of spaces and tabs."""
    text = " ".join(line.replace("\t", " ").split())
    previous = None
    while previous != text:
        previous = text
        text = _MARKUP.sub("", text).strip()
    return text


def cited_lines(*folders: Path) -> list[tuple[str, int]]:
    """Every ``file:line`` (a range's first line) cited in the folders' CSV and Python files."""
    found: set[tuple[str, int]] = set()
    for folder in folders:
        for path in sorted([*folder.glob("*.csv"), *folder.glob("*.py")]):
            text = path.read_text(encoding="utf-8")
            found |= {(m["file"], int(m["line"])) for m in CITED.finditer(text)}
    return sorted(found)


def places(
    texts: Mapping[str, list[str]], cited: Iterable[tuple[str, int]]
) -> dict[str, tuple[str, str]]:
    """For each cited ``file:line`` with the document's text: its section heading and opening words.

    The section is the nearest markdown heading at or above the line ("" where the text has
    none); the opening words are the first words of the line (or of the next line with words),
    without markup, with "…" when cut.
    """
    out: dict[str, tuple[str, str]] = {}
    for name, number in cited:
        lines = texts.get(name)
        if lines is None or not 1 <= number <= len(lines):
            continue
        heading = next(
            (plain(lines[i]) for i in range(number - 1, -1, -1) if lines[i].startswith("#")), ""
        )
        words: list[str] = []
        for line in lines[number - 1 :]:
            words = plain(line).split()
            if words:
                break
        out[f"{name}:{number}"] = (_first_words(heading.split()), _first_words(words))
    return out


def _first_words(words: list[str]) -> str:
    """Up to ``OPENING_WORDS`` words, with "…" when there were more."""
    return " ".join(words[:OPENING_WORDS]) + ("…" if len(words) > OPENING_WORDS else "")


def _literal(text: str) -> str:
    """``text`` as a Python string literal, quoted as the formatter would quote it."""
    if '"' in text and "'" not in text and "\\" not in text:
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def read_texts(folder: Path) -> dict[str, list[str]]:
    """The documents' text extractions in ``folder``, by file name, as lists of lines."""
    return {
        path.name: path.read_text(encoding="utf-8").splitlines()
        for path in sorted(folder.glob("*.txt"))
    }


def module_source(found: Mapping[str, tuple[str, str]]) -> str:
    """The text of ``scorecard/thread/citations_places.py`` holding ``found``."""
    lines = [
        '"""Where each cited line of the iCAN documents is: its section and opening words."""',
        "",
        "# Made from the documents' texts by `python -m scorecard.commands.citations SEEDS`;",
        "# run it again after adding a citation to the framework. Not edited by hand.",
        "",
        "from __future__ import annotations",
        "",
        "from typing import Final",
        "",
        "PLACES: Final[dict[str, tuple[str, str]]] = {",
    ]
    for key, (section, opening) in sorted(found.items()):
        quoted = [_literal(text) for text in (key, section, opening)]
        lines += [f"    {quoted[0]}: (", f"        {quoted[1]},", f"        {quoted[2]},", "    ),"]
    lines += ["}", ""]
    return "\n".join(lines)
