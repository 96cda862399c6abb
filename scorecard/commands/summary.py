"""``scorecard summary``: what a store holds: synthetic or real, which months, how many KPIs."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from scorecard.command import EXIT_OK, CommandResult
from scorecard.data.store import Store
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.periods import month_index, month_long


@dataclass(frozen=True)
class StoreSummary:
    """The current values of a store, counted: what ``make run`` says before it opens the app."""

    db: str
    synthetic: bool  # at least one current value is synthetic
    all_synthetic: bool  # every current value is synthetic (the demo store)
    first_month: str | None
    last_month: str | None
    months: int  # months from the first to the last with data, gaps included
    months_with_data: int
    kpis: int
    areas: int
    values: int
    loads: int

    def sentence(self) -> str:
        """The summary as one sentence a newcomer can read."""
        if not self.values:
            return (
                f"The store {self.db} holds no KPI values yet: load extracts with "
                "`python -m scorecard load FILE`, or build the synthetic demo with "
                "`python -m scorecard demo`."
            )
        if self.all_synthetic:
            kind = "synthetic demo data (made-up figures, not real ones)"
        elif self.synthetic:
            kind = "real figures mixed with synthetic demo data"
        else:
            kind = "real figures (none synthetic)"
        first = month_long(self.first_month or "")
        last = month_long(self.last_month or "")
        span = f"{first} to {last}" if self.months > 1 else first
        gaps = (
            ""
            if self.months_with_data == self.months
            else f", {self.months_with_data} of them with data"
        )
        kpis = "1 KPI" if self.kpis == 1 else f"{self.kpis} KPIs"
        areas = "1 area" if self.areas == 1 else f"{self.areas} areas"
        months = "1 month" if self.months == 1 else f"{self.months} months"
        return f"The store {self.db} holds {kind}: {months}, {span}{gaps}; {kpis} in {areas}."

    def as_json(self) -> dict[str, object]:
        """The summary as plain JSON values."""
        return {
            "db": self.db,
            "synthetic": self.synthetic,
            "all_synthetic": self.all_synthetic,
            "first_month": self.first_month,
            "last_month": self.last_month,
            "months": self.months,
            "months_with_data": self.months_with_data,
            "kpis": self.kpis,
            "areas": self.areas,
            "values": self.values,
            "loads": self.loads,
        }


def summarise(db: str, current: pd.DataFrame, loads: int) -> StoreSummary:
    """Count a store's current values (columns kpi_code, area_code, period, synthetic)."""
    if current.empty:
        return StoreSummary(db, False, False, None, None, 0, 0, 0, 0, 0, loads)
    flags = current["synthetic"].fillna(False).astype(bool)
    periods = sorted({str(p) for p in current["period"]})
    first, last = periods[0], periods[-1]
    return StoreSummary(
        db=db,
        synthetic=bool(flags.any()),
        all_synthetic=bool(flags.all()),
        first_month=first,
        last_month=last,
        months=month_index(last) - month_index(first) + 1,
        months_with_data=len(periods),
        kpis=int(current["kpi_code"].nunique()),
        areas=int(current["area_code"].nunique()),
        values=len(current),
        loads=loads,
    )


def run_summary(args: argparse.Namespace) -> CommandResult:
    """``scorecard summary [--db PATH]``: what the store holds, in one sentence or as JSON."""
    store = Store(Path(args.db))
    if not store.exists():
        message = (
            f"there is no store at {args.db}; build the synthetic demo with "
            "`python -m scorecard demo` or an empty store with `python -m scorecard init`"
        )
        raise UserError(Problem(str(args.db), None, "--db", str(args.db), "store exists", message))
    _, loads = store.counts()
    summary = summarise(str(args.db), store.current(), loads)
    return CommandResult(exit_code=EXIT_OK, data=summary.as_json(), text=summary.sentence())
