"""``scorecard benefits --month YYYY-MM [--json]``: benefits realised against the business case."""

from __future__ import annotations

import argparse

from scorecard.command import EXIT_OK, CommandResult
from scorecard.data.reviews_benefit_signoffs import BenefitSignOffRecords
from scorecard.data.store import Store, store_events
from scorecard.reports.benefits import benefits_position, read_signoffs, system_area
from scorecard.reports.benefits_report import as_contract_dict, benefits_text
from scorecard.thread.domain import with_events
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework import load_framework


def run_benefits(args: argparse.Namespace) -> CommandResult:
    """``python -m scorecard benefits --month YYYY-MM [--json]``."""
    fw = with_events(load_framework(args.framework), store_events(args.db))
    if not fw.benefits.lines:
        raise UserError(
            Problem(
                str(args.framework),
                None,
                "",
                "",
                "a benefits register",
                "the framework has no benefit_lines.csv: there is no benefits register to report",
            )
        )
    store = Store(args.db)
    if not store.exists():
        raise UserError(
            Problem(
                "--db",
                None,
                "",
                "",
                "the store must exist",
                f"no store at {args.db}; run `python -m scorecard demo` or `init`",
            )
        )
    if args.month not in store.periods():
        raise UserError(
            Problem(
                "--month",
                None,
                "",
                args.month,
                "a month with data",
                f"the store has no data for {args.month}; it holds "
                + (f"{store.periods()[0]} to {store.periods()[-1]}" if store.periods() else "none"),
            )
        )
    frame = store.current(list(fw.benefits.kpi_codes()), [system_area(fw)], up_to=args.month)
    signoffs = read_signoffs(BenefitSignOffRecords.beside(args.db), args.month)
    position = benefits_position(fw, frame, args.month, signoffs)
    return CommandResult(
        exit_code=EXIT_OK, data=as_contract_dict(fw, position), text=benefits_text(position)
    )
