"""``scorecard framework``: validate the framework and print its counts and coverage."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.data.store import Store
from scorecard.reports.comparisons import absent_peer_members
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework import display_path, load_framework
from scorecard.thread.framework_coverage import coverage, coverage_text, framework_as_dict


def run_framework(args: argparse.Namespace) -> CommandResult:
    """``scorecard framework``: validate the framework; print its counts and coverage."""
    try:
        fw = load_framework(Path(args.framework), use_cache=False)
    except UserError as err:
        return CommandResult(exit_code=EXIT_REJECTED, problems=err.problems)
    cov = coverage(fw)
    data = framework_as_dict(fw)
    data["coverage"] = cov.as_dict()
    text = coverage_text(fw, cov, display_path(Path(args.framework)))
    # A peer group naming an organisation the store's comparison data does not hold is a
    # warning, as at the published load: the framework is valid, the group is only smaller.
    warnings = _absent_peers(Path(args.framework), getattr(args, "db", None))
    data["warnings"] = [p.as_dict() for p in warnings]
    for problem in warnings:
        text += f"\nWarning: {problem.sentence()}"
    return CommandResult(exit_code=EXIT_OK, data=data, text=text)


def _absent_peers(framework: Path, db: Path | None) -> list[Problem]:
    """Peer-group members the store at ``db`` has no comparison figures for (no store: none)."""
    if db is None or not Path(db).is_file():
        return []
    try:
        frame = Store(Path(db)).comparisons()
    except UserError:
        return []  # not a readable store: the framework's own checks are what was asked for
    return absent_peer_members(framework, frame) if not frame.empty else []
