"""``scorecard framework``: validate the framework and print its counts and coverage."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.thread.errors import UserError
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
    return CommandResult(exit_code=EXIT_OK, data=data, text=text)
