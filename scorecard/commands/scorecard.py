"""``scorecard scorecard --month YYYY-MM [--area CODE] [--json]``: the computed scorecard."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.comparisons import add_benchmarks
from scorecard.domain import with_events
from scorecard.errors import Problem, UserError
from scorecard.framework import load_framework
from scorecard.provenance import add_sources
from scorecard.scoring import compute_scorecard
from scorecard.scoring_text import scorecard_text
from scorecard.store import Store, store_events


def run_scorecard(args: argparse.Namespace) -> CommandResult:
    """``python -m scorecard scorecard --month YYYY-MM [--area CODE] [--json]``."""
    fw = load_framework(args.framework)
    area: str | None = args.area
    if area is not None and area not in {a.code for a in fw.areas}:
        known = ", ".join(a.code for a in fw.areas)
        raise UserError(
            Problem(
                file="--area",
                row=None,
                column="",
                value=area,
                rule="a known area code",
                message=f"there is no area with this code in the framework; known areas: {known}",
            )
        )
    store = Store(args.db)
    if not store.exists():
        raise UserError(
            Problem(
                file="--db",
                row=None,
                column="",
                value="",
                rule="the store must exist",
                message=f"no store at {args.db}; run `python -m scorecard demo` or `init`",
            )
        )
    rows = compute_scorecard(with_events(fw, store_events(Path(args.db))), store, args.month, area)
    return CommandResult(
        exit_code=EXIT_OK,
        data=add_benchmarks(
            add_sources([row.as_contract_dict() for row in rows], store, args.month), store, fw
        ),
        text=scorecard_text(rows, args.month, area),
    )
