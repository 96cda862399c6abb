"""``scorecard scorecard --month YYYY-MM [--area CODE] [--json]``: the computed scorecard."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.data.provenance import add_sources
from scorecard.data.reviews import Reviews
from scorecard.data.store import Store, store_events
from scorecard.reports.comparisons import add_benchmarks
from scorecard.reports.derived import WithDerived, benefit_rows, with_derived_sources
from scorecard.reports.scoring import compute_scorecard
from scorecard.reports.scoring_text import scorecard_text
from scorecard.thread.domain import with_events
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework import load_framework


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
    # ACT-BENEFIT comes from the BRG's sign-offs beside the store, never from stored values.
    derived = benefit_rows(fw, Reviews.beside(Path(args.db)).benefit_signoffs(), args.month)
    live = with_events(fw, store_events(Path(args.db)))
    rows = compute_scorecard(live, WithDerived(store, derived), args.month, area)
    sourced = add_sources([row.as_contract_dict() for row in rows], store, args.month)
    return CommandResult(
        exit_code=EXIT_OK,
        data=add_benchmarks(with_derived_sources(sourced, derived), store, fw),
        text=scorecard_text(rows, args.month, area),
    )
