"""``python -m scorecard.commands.citations SEEDS``: the places of the framework's citations."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from scorecard.data.documents import cited_lines, module_source, places, read_texts

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORK = ROOT / "data" / "framework"
PAGES = ROOT / "pages"


def main(argv: Sequence[str] | None = None) -> int:
    """Print ``scorecard/thread/citations_places.py`` for the documents in SEEDS."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("seeds", type=Path, help="the folder of the iCAN documents' text files")
    parser.add_argument("--framework", type=Path, default=FRAMEWORK, help="the framework folder")
    args = parser.parse_args(argv)
    cited = cited_lines(args.framework, PAGES)
    found = places(read_texts(args.seeds), cited)
    sys.stdout.write(module_source(found))
    missing = len(cited) - len(found)
    if missing:
        sys.stderr.write(f"{missing} cited line(s) not found in {args.seeds}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
