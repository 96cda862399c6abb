"""``scorecard demo [--months N] [--seed S]``: build the synthetic demo store."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.synthetic.demo import build_demo_store
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.framework import load_framework


def run_demo(args: argparse.Namespace) -> CommandResult:
    """``scorecard demo [--months N] [--seed S] [--db PATH]``: build the synthetic demo store."""
    months = int(args.months)
    if months < 1:
        raise UserError(
            Problem(
                "", None, "--months", str(months), "at least 1", "the demo needs 1 or more months"
            )
        )
    fw = load_framework(Path(args.framework))
    db = Path(args.db)
    try:
        summary = build_demo_store(db, fw, months, int(args.seed))
    except OSError as err:
        message = f"the demo store could not be written there ({err.strerror or err})"
        raise UserError(Problem(str(db), None, "--db", str(db), "writable", message)) from err
    data = {
        "db": str(summary.path),
        "synthetic": True,
        "kpis": summary.kpis,
        "areas": summary.areas,
        "months": summary.months,
        "first_period": summary.first_period,
        "last_period": summary.last_period,
        "rows": summary.rows,
        "seed": summary.seed,
        "seconds": round(summary.seconds, 2),
        "planted_special_causes": [
            {"kpi_code": c.kpi_code, "area_code": c.area_code, "kind": c.kind, "period": c.period}
            for c in summary.planted
        ],
    }
    text = (
        f"Built the SYNTHETIC demo store {summary.path}: {summary.kpis} KPIs, {summary.areas} "
        f"areas, {summary.months} months ({summary.first_period} to {summary.last_period}), "
        f"{summary.rows} rows, seed {summary.seed}, in {summary.seconds:.1f} s. "
        "Every value is synthetic and marked so."
    )
    return CommandResult(exit_code=EXIT_OK, data=data, text=text)
