"""``scorecard scorecard --month YYYY-MM [--area CODE] [--json]``: the computed scorecard."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.comparisons import add_benchmarks
from scorecard.derived import WithDerived, benefit_rows, with_derived_sources
from scorecard.domain import with_events
from scorecard.errors import Problem, UserError
from scorecard.framework import load_framework
from scorecard.provenance import add_sources
from scorecard.reviews import Reviews
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
