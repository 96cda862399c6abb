"""Do the areas add up? For KPIs the framework declares additive, parts against their whole."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from scorecard.thread.domain import Area, Framework
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_long

# Stored values are rounded as reported (whole numbers, or one decimal for a mean number at any
# time): a difference smaller than this is rounding in the sum, not a disagreement.
TOLERANCE = 1e-6
STATUSES = ("agrees", "differs", "incomplete")
PLURALS = {"place": "places", "provider": "providers", "pcn": "PCNs", "lap": "local areas"}


@dataclass(frozen=True)
class Reconciled:
    """One declared KPI, one whole area and one month: the whole against the sum of its parts.

    ``difference`` is the sum of the parts minus the whole (None unless every part and the
    whole have a value); ``status`` is ``agrees``, ``differs`` or ``incomplete``.
    """

    kpi_code: str
    whole_code: str
    parts: str  # the area type of the parts
    period: str
    whole: float | None
    parts_sum: float | None
    parts_reporting: int
    parts_expected: int
    missing: tuple[str, ...]
    unit: str

    @property
    def difference(self) -> float | None:
        """The parts' sum minus the whole, when both are complete."""
        if self.whole is None or self.parts_sum is None or self.missing:
            return None
        return self.parts_sum - self.whole

    @property
    def status(self) -> str:
        """``agrees``, ``differs`` or ``incomplete`` (a part or the whole has no value)."""
        diff = self.difference
        if diff is None:
            return "incomplete"
        return "agrees" if abs(diff) <= TOLERANCE else "differs"

    def as_dict(self) -> dict[str, object]:
        """The reconciliation as a JSON-ready object."""
        diff = self.difference
        return {
            "parts": self.parts,
            "period": self.period,
            "whole": self.whole,
            "parts_sum": self.parts_sum,
            "difference": None if diff is None else round(diff, 6),
            "status": self.status,
            "parts_reporting": self.parts_reporting,
            "parts_expected": self.parts_expected,
            "missing": list(self.missing),
        }

    def sentence(self, fw: Framework) -> str:
        """The reconciliation in words, e.g. "the 2 places add up to 4,211, as the ICB (4,211)"."""
        whole_name = fw.area(self.whole_code).name
        when = month_long(self.period)
        parts = f"{self.parts_expected} {PLURALS.get(self.parts, self.parts)}"
        if self.status == "incomplete":
            absent = [*self.missing] + ([] if self.whole is not None else [self.whole_code])
            return (
                f"{when}: cannot be checked, no value for {', '.join(absent)} "
                f"({self.parts_reporting} of the {parts} reporting)."
            )
        total = format_value(self.parts_sum, self.unit)
        whole = format_value(self.whole, self.unit)
        if self.status == "agrees":
            return f"{when}: the {parts} add up to {total}, as {whole_name} ({whole})."
        diff = self.difference or 0.0
        gap = format_value(abs(diff), self.unit)
        more = "more" if diff > 0 else "less"
        return f"{when}: the {parts} add up to {total}, {gap} {more} than {whole_name} ({whole})."


def wholes_and_parts(fw: Framework, kpi_code: str) -> list[tuple[Area, tuple[Area, ...]]]:
    """For a declared KPI: each area reported for it with its parts (children of the type)."""
    declared = fw.reconciliation_of(kpi_code)
    if declared is None or all(k.code != kpi_code for k in fw.kpis):
        return []
    reported = {a.code for a in fw.kpi_areas(kpi_code)}
    out: list[tuple[Area, tuple[Area, ...]]] = []
    for whole in fw.areas:
        if whole.code not in reported:
            continue
        parts = tuple(
            a
            for a in fw.areas
            if a.parent_code == whole.code and a.type == declared.parts and a.code in reported
        )
        if parts:
            out.append((whole, parts))
    return out


def reconcile(
    fw: Framework,
    current: pd.DataFrame,
    month: str | None = None,
    periods: Sequence[str] | None = None,
) -> list[Reconciled]:
    """Every declared KPI × whole area × month with data, the whole against its parts' sum.

    Args:
        fw: the framework (``reconciliations.csv`` declares which KPIs add up).
        current: current observations (``Store.current`` columns).
        month: only months at or before this one (None: all).
        periods: only these months (None: every month any of the areas has).

    Returns:
        In framework order of KPIs, then whole areas, then months.
    """
    out: list[Reconciled] = []
    if current.empty or not fw.reconciliations:
        return out
    frame = current[["kpi_code", "area_code", "period", "value"]]
    if month is not None:
        frame = frame[frame["period"].astype(str) <= month]
    wanted = None if periods is None else set(periods)
    for kpi in fw.kpis:
        pairs = wholes_and_parts(fw, kpi.code)
        if not pairs:
            continue
        declared = fw.reconciliation_of(kpi.code)
        assert declared is not None  # noqa: S101 (pairs are only found for declared KPIs)
        mine = frame[frame["kpi_code"] == kpi.code]
        values: dict[tuple[str, str], float] = {}
        for area, period, value in zip(
            mine["area_code"], mine["period"], mine["value"], strict=True
        ):
            number = float(value) if value is not None and not pd.isna(value) else math.nan
            if not math.isnan(number):
                values[(str(area), str(period))] = number
        for whole, parts in pairs:
            codes = [whole.code, *(p.code for p in parts)]
            months = sorted({p for (a, p) in values if a in codes})
            for period in months:
                if wanted is not None and period not in wanted:
                    continue
                present = [values[(p.code, period)] for p in parts if (p.code, period) in values]
                missing = tuple(p.code for p in parts if (p.code, period) not in values)
                out.append(
                    Reconciled(
                        kpi_code=kpi.code,
                        whole_code=whole.code,
                        parts=str(declared.parts),
                        period=period,
                        whole=values.get((whole.code, period)),
                        parts_sum=float(sum(present)) if present else None,
                        parts_reporting=len(present),
                        parts_expected=len(parts),
                        missing=missing,
                        unit=str(kpi.unit),
                    )
                )
    return out
