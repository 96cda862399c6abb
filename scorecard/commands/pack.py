"""``scorecard pack --month YYYY-MM [--area CODE] --out FILE.pdf``: the monthly Board pack."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.data.reviews import Reviews
from scorecard.data.store import Store
from scorecard.reports.pack import write_pack
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework import load_framework


def run_pack(args: argparse.Namespace) -> CommandResult:
    """``python -m scorecard pack --month YYYY-MM [--area CODE] --out FILE.pdf``."""
    store = Store(args.db)
    if not store.exists():
        raise UserError(
            Problem(
                "--db",
                None,
                "",
                str(args.db),
                "the store must exist",
                "no store here; run `python -m scorecard demo` or `load` first",
            )
        )
    written = write_pack(
        load_framework(args.framework),
        store,
        Reviews.beside(Path(args.db)),
        args.month,
        args.area or "QPM",
        Path(args.out),
    )
    return CommandResult(exit_code=EXIT_OK, data=written.summary(), text=written.sentence())
