"""``python -m scorecard.commands.calibration FOLDER``: the demo's constants from real data."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from scorecard.data.calibration import derive


def main(argv: Sequence[str] | None = None) -> int:
    """Print the derived constants, one ``NAME = value`` line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "realdata", type=Path, help="the folder of published real data (tests/fixtures/realdata)"
    )
    args = parser.parse_args(argv)
    for name, value in asdict(derive(args.realdata)).items():
        sys.stdout.write(f"{name.upper()} = {value!r}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
