"""The computed scorecard: one row per KPI × area for a month, its JSON fields and its icons.

Its neighbours hold the rest: ``scoring_series`` (each KPI × area's series from the
observations), ``scoring_rollup`` (counts of states through the golden thread),
``scoring_changes`` (what changed since last month) and ``scoring_text`` (the terminal table).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.reports.scoring_series import (
    BoolArray,
    CurrentReader,
    KpiSeries,
    compute_series,
    month_frame,
)
from scorecard.statistics import spc, spc_settings, sustain
from scorecard.statistics.disclosure import hidden_cells
from scorecard.statistics.disclosure import is_suppressed as disclosure_rule
from scorecard.statistics.spc import SpcResult
from scorecard.thread.domain import Area, Framework, Kpi, LinkKind, Tier

# The keys of one ``scorecard --json`` object, in the order of CONTRACT §3.
CONTRACT_FIELDS: tuple[str, ...] = (
    "kpi_code",
    "kpi_name",
    "tier",
    "outcome_numbers",
    "area_code",
    "period",
    "value",
    "status",
    "target",
    "direction",
    "n_points",
    "mean",
    "upl",
    "lpl",
    "variation",
    "assurance",
    "suppressed",
)
# The keys of ``scorecard --json``: the contract's, plus ``sustainability`` beside the icons and
# ``suggested_change_point`` (CONTRACT §3.1) and ``reconciliation`` at the end.
JSON_FIELDS: tuple[str, ...] = (
    *CONTRACT_FIELDS[: CONTRACT_FIELDS.index("assurance") + 1],
    "sustainability",
    *CONTRACT_FIELDS[CONTRACT_FIELDS.index("assurance") + 1 :],
    "suggested_change_point",
    "synthetic",
    "source",
    "reconciliation",
    "benchmark",
)
SUSTAINABILITY = sustain.SUSTAINABILITY
SuppressionRule = Callable[[Kpi, Area, float | None, float | None, float | None], bool]


@dataclass(frozen=True)
class ScorecardRow:
    """One KPI × area on the scorecard for a month: the CONTRACT §3 fields plus a few extras.

    ``as_contract_dict`` gives the contract's keys plus ``sustainability``,
    ``suggested_change_point`` (the first month of a sustained shift that reaches the latest point
    against limits no recorded change point has reset, else None), ``synthetic`` and ``source``
    (``scorecard.data.provenance.add_sources`` fills these two per value), and ``reconciliation``,
    set on the row of a whole area (e.g. the ICB) of a KPI the framework declares additive: its
    parts' sum for the row's period against its value
    (``scorecard.statistics.reconciliation.Reconciled.as_dict``); None elsewhere. The extras (unit,
    area name, provenance, synthetic, provisional, run chart, the sustainability verdict's sentence)
    serve the app and the pack.
    """

    kpi_code: str
    kpi_name: str
    tier: str
    outcome_numbers: tuple[int, ...]
    area_code: str
    period: str | None
    value: float | None
    status: str | None
    target: float | None
    direction: str
    n_points: int
    mean: float | None
    upl: float | None
    lpl: float | None
    variation: str
    assurance: str
    suppressed: bool
    unit: str = ""
    area_name: str = ""
    provenance: str = ""
    synthetic: bool = False
    provisional: bool = False
    is_run_chart: bool = True
    sustainability: str = "none"
    sustainability_text: str = ""
    suggested_change_point: str | None = None
    source: str | None = None
    reconciliation: Mapping[str, object] | None = None
    benchmark: Mapping[str, object] | None = None

    def as_contract_dict(self) -> dict[str, object]:
        """The row as one ``scorecard --json`` object: the keys of ``JSON_FIELDS``."""
        return {
            "kpi_code": self.kpi_code,
            "kpi_name": self.kpi_name,
            "tier": self.tier,
            "outcome_numbers": list(self.outcome_numbers),
            "area_code": self.area_code,
            "period": self.period,
            "value": self.value,
            "status": self.status,
            "target": self.target,
            "direction": self.direction,
            "n_points": self.n_points,
            "mean": self.mean,
            "upl": self.upl,
            "lpl": self.lpl,
            "variation": self.variation,
            "assurance": self.assurance,
            "sustainability": self.sustainability,
            "suppressed": self.suppressed,
            "suggested_change_point": self.suggested_change_point,
            "synthetic": self.synthetic,
            "source": self.source,
            "reconciliation": None if self.reconciliation is None else dict(self.reconciliation),
            "benchmark": None if self.benchmark is None else dict(self.benchmark),
        }


def outcome_number(code: str) -> int:
    """The number of an outcome code as links carry it ("O7" or "7")."""
    return int(code[1:]) if code[:1].upper() == "O" else int(code)


def _float_or_none(value: object) -> float | None:
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


@dataclass(frozen=True)
class _Thread:
    """Outcome numbers served by each KPI (lead: directly; activity: via its lead KPIs)."""

    outcomes_of: Mapping[str, tuple[int, ...]]

    @classmethod
    def of(cls, fw: Framework) -> _Thread:
        lead_outcomes: dict[str, set[int]] = {}
        lead_of_activity: dict[str, set[str]] = {}
        for link in fw.links:
            if link.kind == LinkKind.OUTCOME_LEAD_KPI:
                try:
                    number = outcome_number(link.from_code)
                except ValueError:
                    continue
                lead_outcomes.setdefault(link.to_code, set()).add(number)
            elif link.kind == LinkKind.LEAD_ACTIVITY_KPI:
                lead_of_activity.setdefault(link.to_code, set()).add(link.from_code)
        outcomes_of: dict[str, tuple[int, ...]] = {}
        for kpi in fw.kpis:
            numbers: set[int] = set()
            if kpi.tier == Tier.LEAD:
                numbers = lead_outcomes.get(kpi.code, set())
            elif kpi.tier == Tier.ACTIVITY:
                for lead in lead_of_activity.get(kpi.code, set()):
                    numbers |= lead_outcomes.get(lead, set())
            outcomes_of[kpi.code] = tuple(sorted(numbers))
        return cls(outcomes_of=outcomes_of)


def analyse_series(kpi: Kpi, series: KpiSeries) -> SpcResult:
    """The SPC reading of a KPI × area series with the KPI's own settings.

    The one place the scorecard, the app's charts and the Board pack analyse a series, so their
    icons and limits always agree.
    """
    settings = spc_settings.SpcSettings(
        baseline_points=kpi.spc_baseline_points, conflict_rule=kpi.conflict_rule
    )
    return spc.analyse(
        series.values,
        kpi.direction,
        target=series.latest_target,
        settings=settings,
        change_points=series.change_points,
        excluded=series.excluded,
        provisional=series.provisional,
    )


def hidden_points(
    kpi: Kpi, area: Area, series: KpiSeries, is_suppressed: SuppressionRule | None = None
) -> BoolArray:
    """Which points of a series disclosure control hides (small numbers at sub-ICB areas).

    The app's chart and the pack's chart both leave these points out (the SPC reading still
    uses them) and say why.
    """
    rule = is_suppressed or disclosure_rule
    out = np.zeros(len(series), dtype=bool)
    for i in range(len(series)):
        out[i] = bool(
            rule(
                kpi,
                area,
                _float_or_none(series.values[i]),  # noqa: PD011 (a numpy array, not pandas)
                _float_or_none(series.numerators[i]),
                _float_or_none(series.denominators[i]),
            )
        )
    return out


def score_series(
    fw: Framework,
    kpi: Kpi,
    area: Area,
    series: KpiSeries,
    outcome_numbers: tuple[int, ...] = (),
    is_suppressed: SuppressionRule | None = None,
    hidden: frozenset[str] = frozenset(),
) -> ScorecardRow:
    """The scorecard row of one KPI × area from its series (SPC with the KPI's settings).

    Args:
        fw: the framework (for the area's own target when the series has no data).
        kpi: the KPI.
        area: the area.
        series: its series up to the month shown.
        outcome_numbers: the outcomes the KPI serves.
        is_suppressed: the disclosure rule (by default
            ``scorecard.statistics.disclosure.is_suppressed``).
        hidden: periods disclosure control hides beyond the rule (secondary suppression).

    Returns:
        The row; with no data, period and value are None and both icons ``none``. Where the
        series has a hidden point, its mean and process limits are withheld (None): with them
        and the published values the hidden one could be worked out.
    """
    rule = is_suppressed or disclosure_rule
    base = {
        "kpi_code": kpi.code,
        "kpi_name": kpi.name,
        "tier": str(kpi.tier),
        "outcome_numbers": outcome_numbers,
        "area_code": area.code,
        "direction": str(kpi.direction),
        "unit": str(kpi.unit),
        "area_name": area.name,
        "provenance": str(kpi.provenance),
    }
    if len(series) == 0:
        return ScorecardRow(
            **base,  # type: ignore[arg-type]
            period=None,
            value=None,
            status=None,
            target=fw.target_of(kpi.code, area.code),
            n_points=0,
            mean=None,
            upl=None,
            lpl=None,
            variation="none",
            assurance="none",
            suppressed=False,
        )
    target = series.latest_target
    result = analyse_series(kpi, series)
    value = _float_or_none(series.values[-1])  # noqa: PD011 (a numpy array, not pandas)
    numerator = _float_or_none(series.numerators[-1])
    denominator = _float_or_none(series.denominators[-1])
    suppressed = bool(rule(kpi, area, value, numerator, denominator)) or (
        series.periods[-1] in hidden
    )
    withheld = kpi.suppress_small_numbers and (
        suppressed or bool(hidden) or bool(hidden_points(kpi, area, series, rule).any())
    )
    verdict = sustain.verdict_for(kpi, series) if series.improvement_index is not None else None
    return ScorecardRow(
        **base,  # type: ignore[arg-type]
        period=series.periods[-1],
        value=None if suppressed else value,
        status=series.statuses[-1],
        target=target,
        n_points=int(result.n_points),
        mean=None if withheld else _float_or_none(result.mean),
        upl=None if withheld else _float_or_none(result.upl),
        lpl=None if withheld else _float_or_none(result.lpl),
        variation=str(result.variation),
        assurance=str(result.assurance),
        suppressed=suppressed,
        synthetic=bool(series.synthetic.any()),
        provisional=series.statuses[-1] == "provisional",
        is_run_chart=bool(result.is_run_chart),
        sustainability=verdict.status if verdict else "none",
        sustainability_text=verdict.sentence if verdict else "",
        suggested_change_point=(
            None if result.shift_index is None else series.periods[result.shift_index]
        ),
    )


def compute_scorecard(
    fw: Framework,
    store_or_frame: CurrentReader | pd.DataFrame,
    month: str,
    area: str | None = None,
) -> list[ScorecardRow]:
    """The scorecard for ``month``: one row per KPI × area, in framework order.

    Args:
        fw: the framework.
        store_or_frame: a Store (read once, for every KPI) or a frame of current observations.
        month: ``YYYY-MM``; each row's period is its latest period with data at or before it.
        area: only this area's rows (KPIs not reported for it are omitted); all areas if None.

    Returns:
        Rows; a KPI × area without data up to ``month`` has period and value None.
    """
    source = store_or_frame
    if not isinstance(source, pd.DataFrame) and any(k.suppress_small_numbers for k in fw.kpis):
        # one read of every area: a total and its parts are suppressed alike on every page
        source = month_frame(source, month, None)
    series = compute_series(fw, source, month, area)
    thread = _Thread.of(fw)
    rule: SuppressionRule = disclosure_rule
    areas = {a.code: a for a in fw.areas}
    hidden = _hidden_periods(fw, source, month)
    rows: list[ScorecardRow] = []
    for (kpi_code, area_code), one in series.items():
        kpi = fw.kpi(kpi_code)
        rows.append(
            score_series(
                fw,
                kpi,
                areas[area_code],
                one,
                outcome_numbers=thread.outcomes_of.get(kpi_code, ()),
                is_suppressed=rule,
                hidden=hidden.get((kpi_code, area_code), frozenset()),
            )
        )
    return _with_reconciliations(fw, store_or_frame, month, rows)


def _with_reconciliations(
    fw: Framework,
    store_or_frame: CurrentReader | pd.DataFrame,
    month: str,
    rows: list[ScorecardRow],
) -> list[ScorecardRow]:
    """The rows with each declared KPI's whole area carrying its parts' sum for its period."""
    from scorecard.statistics.reconciliation import reconcile, wholes_and_parts

    wholes = {
        (rec.kpi_code, whole.code)
        for rec in fw.reconciliations
        for whole, _ in wholes_and_parts(fw, rec.kpi_code)
    }
    if not any((r.kpi_code, r.area_code) in wholes and r.period for r in rows):
        return rows
    codes = sorted({kpi for kpi, _ in wholes})
    if isinstance(store_or_frame, pd.DataFrame):
        frame = store_or_frame[store_or_frame["kpi_code"].isin(codes)]
    else:
        frame = store_or_frame.current(kpi_codes=codes, area_codes=None, up_to=month)
    periods = {r.period for r in rows if r.period}
    found = {
        (r.kpi_code, r.whole_code, r.period): r.as_dict()
        for r in reconcile(fw, frame, month, sorted(periods))
    }
    return [
        dataclasses.replace(row, reconciliation=found[key])
        if (key := (row.kpi_code, row.area_code, row.period or "")) in found
        else row
        for row in rows
    ]


def _hidden_periods(
    fw: Framework, store_or_frame: CurrentReader | pd.DataFrame, month: str
) -> dict[tuple[str, str], frozenset[str]]:
    """Periods hidden by disclosure control (small numbers and secondary), per KPI × area.

    Read for every area of the KPIs that suppress small numbers, whatever area is shown, so
    that a total and its parts are suppressed alike on every page.
    """
    codes = [k.code for k in fw.kpis if k.suppress_small_numbers]
    if not codes:
        return {}
    if isinstance(store_or_frame, pd.DataFrame):
        frame = month_frame(store_or_frame, month, None)
        frame = frame.loc[frame["kpi_code"].isin(codes)] if len(frame) else frame
    else:
        frame = store_or_frame.current(kpi_codes=codes, area_codes=None, up_to=month)
    if frame.empty:
        return {}
    cells = hidden_cells(fw, frame)
    mask = cells["primary"] | cells["secondary"]
    found: dict[tuple[str, str], set[str]] = {}
    for kpi_code, area_code, period in frame.loc[
        mask, ["kpi_code", "area_code", "period"]
    ].itertuples(index=False):
        found.setdefault((str(kpi_code), str(area_code)), set()).add(str(period))
    return {key: frozenset(periods) for key, periods in found.items()}


__all__ = [
    "CONTRACT_FIELDS",
    "JSON_FIELDS",
    "SUSTAINABILITY",
    "ScorecardRow",
    "analyse_series",
    "compute_scorecard",
    "hidden_points",
    "outcome_number",
    "score_series",
]
