"""``scorecard verify``: the state of the hash chain over people's words."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.data.reviews_core import ReviewsDatabase
from scorecard.thread.errors import Problem


def run_verify(args: argparse.Namespace) -> CommandResult:
    """Verify every record of people's words beside the store; name each break."""
    reviews = ReviewsDatabase.beside(Path(args.db))
    state = reviews.verify()
    data = {
        "file": str(reviews.path),
        "intact": state.intact,
        "seals": state.seals,
        "head": state.head,
        "acknowledgements": state.acknowledged,
        "breaks": [
            {
                "kind": str(b.kind),
                "table": b.table,
                "record_id": b.record_id,
                "since": b.since,
                "message": b.sentence,
            }
            for b in state.breaks
        ],
    }
    if state.intact:
        return CommandResult(EXIT_OK, data, state.summary())
    problems = [
        Problem(str(reviews.path), None, b.table, "", "tamper-evident record", b.sentence)
        for b in state.breaks
    ]
    return CommandResult(EXIT_REJECTED, data, state.summary(), problems)
