"""The front door: ``python -m scorecard <command>`` (argparse), exit codes and output."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from scorecard.command import EXIT_REJECTED, EXIT_USAGE, CommandResult
from scorecard.data.intake import printable
from scorecard.thread.errors import UserError

DEFAULT_DB = Path("data/scorecard.duckdb")
DEFAULT_FRAMEWORK = Path("data/framework")
DEFAULT_PUBLISHED_DB = Path("data/published.duckdb")

# command name -> "module:function"; each handler takes the parsed arguments and returns a
# CommandResult. Handlers live in scorecard/commands/, so this file stays a thin front door.
HANDLERS: dict[str, str] = {
    "framework": "scorecard.commands.framework:run_framework",
    "init": "scorecard.commands.store:run_init",
    "demo": "scorecard.commands.demo:run_demo",
    "load": "scorecard.commands.store:run_load",
    "import-nhse": "scorecard.commands.import_nhse:run_import",
    "export": "scorecard.commands.store:run_export",
    "scorecard": "scorecard.commands.scorecard:run_scorecard",
    "pack": "scorecard.commands.pack:run_pack",
    "history": "scorecard.commands.store:run_history",
    "benefits": "scorecard.commands.benefits:run_benefits",
    "summary": "scorecard.commands.summary:run_summary",
    "verify": "scorecard.commands.verify:run_verify",
    "published": "scorecard.commands.published:run_published",
}


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors exit with status 2 and no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def _month(text: str) -> str:
    """Argparse type for YYYY-MM."""
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        msg = f"{text!r} is not a month in the form YYYY-MM"
        raise argparse.ArgumentTypeError(msg)
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every command of CONTRACT §3."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--db",
        type=Path,
        default=Path(os.environ.get("SCORECARD_DB", str(DEFAULT_DB))),
        help="the DuckDB store (default data/scorecard.duckdb, or $SCORECARD_DB)",
    )
    common.add_argument(
        "--framework", type=Path, default=DEFAULT_FRAMEWORK, help="the framework folder"
    )
    common.add_argument("--json", action="store_true", help="machine-readable output on stdout")

    parser = _Parser(prog="scorecard", description="The iCAN outcomes-framework scorecard.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("framework", parents=[common], help="validate the framework; print coverage")
    sub.add_parser("init", parents=[common], help="create an empty store for the framework")

    demo = sub.add_parser("demo", parents=[common], help="build the synthetic demo store")
    demo.add_argument("--months", type=int, default=36, help="months of data (default 36)")
    demo.add_argument("--seed", type=int, default=20221, help="random seed")

    load = sub.add_parser("load", parents=[common], help="validate and load KPI extracts")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    load.add_argument("--user", default=os.environ.get("USER", "cli"), help="who is loading")

    nhse = sub.add_parser("import-nhse", parents=[common], help="import NHS England publications")
    nhse.add_argument("publication", choices=["discharge-delays", "virtual-wards"])
    nhse.add_argument("files", nargs="+", type=Path, metavar="FILE")
    nhse.add_argument("--dry-run", action="store_true", help="read and validate only")
    nhse.add_argument("--user", default=os.environ.get("USER", "cli"), help="who is loading")

    export = sub.add_parser("export", parents=[common], help="every current observation")
    export.add_argument("--format", choices=["csv", "json"], default="csv")
    export.add_argument("--out", type=Path, default=None, help="file to write (default stdout)")

    history = sub.add_parser("history", parents=[common], help="the load log and revisions")
    history.add_argument("--kpi", default=None, help="only this KPI code")
    history.add_argument("--area", default=None, help="only this area code")

    card = sub.add_parser("scorecard", parents=[common], help="the computed scorecard")
    card.add_argument("--month", type=_month, required=True)
    card.add_argument("--area", default=None)

    pack = sub.add_parser("pack", parents=[common], help="the monthly Board pack as PDF")
    pack.add_argument("--month", type=_month, required=True)
    pack.add_argument("--area", default="QPM")
    pack.add_argument("--out", type=Path, required=True)

    benefits = sub.add_parser(
        "benefits", parents=[common], help="benefits realised against the business case"
    )
    benefits.add_argument("--month", type=_month, required=True)

    sub.add_parser("summary", parents=[common], help="what the store holds, in one sentence")
    sub.add_parser(
        "verify", parents=[common], help="check that no record of people's words was altered"
    )
    published = sub.add_parser(
        "published", parents=[common], help="build a store of published figures only"
    )
    published.add_argument("--user", default=os.environ.get("USER", "cli"), help="who is loading")
    published.set_defaults(db=DEFAULT_PUBLISHED_DB)
    return parser


def _handler(command: str) -> Callable[[argparse.Namespace], CommandResult]:
    module_name, func_name = HANDLERS[command].split(":")
    module = importlib.import_module(module_name)
    handler: Callable[[argparse.Namespace], CommandResult] = getattr(module, func_name)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return its exit status (0 done, 1 rejected, 2 usage)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0)
    try:
        result = _handler(args.command)(args)
    except UserError as err:
        result = CommandResult(exit_code=EXIT_REJECTED, problems=err.problems)
    for problem in result.problems:
        sys.stderr.write(printable(problem.sentence()) + "\n")
    if args.json and result.data is not None:
        sys.stdout.write(json.dumps(result.data, indent=2, default=str) + "\n")
    elif result.text:
        sys.stdout.write(printable(result.text.rstrip("\n")) + "\n")
    return result.exit_code
