"""The computed scorecard: KPI × area states for a month, roll-ups and month-on-month changes."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from scorecard import spc, spc_settings, sustain
from scorecard.disclosure import hidden_cells
from scorecard.disclosure import is_suppressed as disclosure_rule
from scorecard.domain import (
    OBSERVATION_COLUMNS,
    Area,
    AreaType,
    Framework,
    Kpi,
    LinkKind,
    SpcEventKind,
    Tier,
)
from scorecard.numbers import format_value
from scorecard.periods import previous_month
from scorecard.spc import SpcResult
from scorecard.spc_icons import ASSURANCES, VARIATIONS

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


VARIATION_LABELS: Mapping[str, str] = {
    "common_cause": "common cause variation",
    "improvement_high": "improvement (high)",
    "improvement_low": "improvement (low)",
    "concern_high": "concern (high)",
    "concern_low": "concern (low)",
    "neither_high": "special cause, neither better nor worse (high)",
    "neither_low": "special cause, neither better nor worse (low)",
    "none": "no SPC icon",
}
ASSURANCE_LABELS: Mapping[str, str] = {
    "pass": "consistently passes its target",
    "fail": "consistently fails its target",
    "hit_or_miss": "hits or misses its target by chance",
    "none": "no assurance icon",
}


FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
SuppressionRule = Callable[[Kpi, Area, float | None, float | None, float | None], bool]


class CurrentReader(Protocol):
    """What scoring needs from the store: current observations (``scorecard.store.Store``)."""

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        """Current observations, sorted by kpi_code, area_code, period."""
        ...


@dataclass(frozen=True)
class ScorecardRow:
    """One KPI × area on the scorecard for a month: the CONTRACT §3 fields plus a few extras.

    ``as_contract_dict`` gives the contract's keys plus ``sustainability``,
    ``suggested_change_point`` (the first month of a sustained shift that reaches the latest
    point against limits no recorded change point has reset, else None), ``synthetic`` and
    ``source`` (``scorecard.provenance.add_sources`` fills these two per value), and
    ``reconciliation``, set on the row of a whole area (e.g. the ICB) of a KPI the framework
    declares additive: its parts' sum for the row's period against its value
    (``scorecard.reconciliation.Reconciled.as_dict``); None elsewhere. The extras (unit, area
    name, provenance, synthetic, provisional, run chart, the sustainability verdict's sentence)
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


@dataclass(frozen=True)
class KpiSeries:
    """One KPI × area's monthly series up to the month shown, ready for SPC and charts.

    ``targets`` holds the target for each point (a trajectory's monthly value where one is set,
    else the area's single target, else NaN): the KPI's ``target_value`` is the system area's,
    and any other area has a target only through its own row of ``area_targets.csv``.
    ``change_points`` are indices where a recorded change point starts a new partition;
    ``excluded`` marks points drawn but left out.
    ``improvement_index`` is where a declared improvement started (also a change point) and
    ``support_index`` where its support ended, each with its reason (None: not declared).
    """

    kpi_code: str
    area_code: str
    periods: tuple[str, ...]
    values: FloatArray
    numerators: FloatArray
    denominators: FloatArray
    statuses: tuple[str, ...]
    synthetic: BoolArray
    load_ids: tuple[int, ...]
    targets: FloatArray
    change_points: tuple[int, ...] = ()
    change_reasons: tuple[str, ...] = ()
    excluded: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    excluded_reasons: Mapping[int, str] = field(default_factory=dict)
    improvement_index: int | None = None
    improvement_reason: str = ""
    support_index: int | None = None
    support_reason: str = ""

    def __len__(self) -> int:
        return len(self.periods)

    @property
    def provisional(self) -> BoolArray:
        """True where the point's status is provisional."""
        return np.array([s == "provisional" for s in self.statuses], dtype=np.bool_)

    @property
    def latest_target(self) -> float | None:
        """The target that applies to the latest point (None when there is none)."""
        if len(self.targets) == 0 or math.isnan(float(self.targets[-1])):
            return None
        return float(self.targets[-1])


@dataclass(frozen=True)
class StateCounts:
    """How many KPIs (KPI × area rows) are in each variation and assurance state."""

    total: int
    variation: Mapping[str, int]
    assurance: Mapping[str, int]
    too_few_points: int
    no_data: int
    not_reported: int
    kpi_codes: tuple[str, ...]

    @property
    def improvement(self) -> int:
        """KPIs whose latest point shows special-cause improvement."""
        return self.variation["improvement_high"] + self.variation["improvement_low"]

    @property
    def concern(self) -> int:
        """KPIs whose latest point shows special-cause concern."""
        return self.variation["concern_high"] + self.variation["concern_low"]

    @property
    def neither(self) -> int:
        """Neutral-direction KPIs whose latest point shows special cause."""
        return self.variation["neither_high"] + self.variation["neither_low"]


@dataclass(frozen=True)
class NodeRollup:
    """The roll-up of one outcome, pillar, ICP ambition or population outcome."""

    level: str  # "outcome", "pillar", "ambition" or "population_outcome"
    code: str
    name: str
    lead: StateCounts
    activity: StateCounts
    summary: str


@dataclass(frozen=True)
class Rollup:
    """Roll-ups for every node above the KPIs, by level, in framework order."""

    outcomes: tuple[NodeRollup, ...]
    pillars: tuple[NodeRollup, ...]
    ambitions: tuple[NodeRollup, ...]
    population_outcomes: tuple[NodeRollup, ...]

    def node(self, level: str, code: str) -> NodeRollup:
        """The roll-up of one node (KeyError when there is none)."""
        levels = {
            "outcome": self.outcomes,
            "pillar": self.pillars,
            "ambition": self.ambitions,
            "population_outcome": self.population_outcomes,
        }
        for item in levels[level]:
            if item.code == code:
                return item
        raise KeyError(f"{level} {code}")


@dataclass(frozen=True)
class Change:
    """One thing that changed on the scorecard since the previous month."""

    kind: str  # see CHANGE_KINDS
    kpi_code: str
    kpi_name: str
    tier: str
    area_code: str
    before: str
    after: str
    period: str | None
    sentence: str


CHANGE_KINDS: tuple[str, ...] = (
    "new_special_cause",
    "target_newly_at_risk",
    "special_cause_changed",
    "special_cause_cleared",
    "target_now_assured",
)


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


def _empty_frame() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype="object") for name in OBSERVATION_COLUMNS})


@dataclass(frozen=True)
class _Events:
    """SPC events and trajectories of a framework, indexed for fast lookup."""

    change_points: Mapping[tuple[str, str], tuple[tuple[str, str], ...]]
    exclusions: Mapping[tuple[str, str], Mapping[str, str]]
    trajectories: Mapping[tuple[str, str], Mapping[str, float]]
    improvements: Mapping[tuple[str, str], tuple[tuple[str, str], ...]] = field(
        default_factory=dict
    )
    supports: Mapping[tuple[str, str], tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # each KPI × area's single target: the KPI's at the system area, an area's own elsewhere
    targets: Mapping[tuple[str, str], float] = field(default_factory=dict)

    @classmethod
    def of(cls, fw: Framework) -> _Events:
        change: dict[tuple[str, str], list[tuple[str, str]]] = {}
        exclude: dict[tuple[str, str], dict[str, str]] = {}
        improved: dict[tuple[str, str], list[tuple[str, str]]] = {}
        supported: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for event in fw.spc_events:
            key = (event.kpi_code, event.area_code)
            if event.kind == SpcEventKind.CHANGE_POINT:
                change.setdefault(key, []).append((event.period, event.reason))
            elif event.kind == SpcEventKind.IMPROVEMENT_STARTED:
                # an improvement starts a new partition too
                change.setdefault(key, []).append((event.period, event.reason))
                improved.setdefault(key, []).append((event.period, event.reason))
            elif event.kind == SpcEventKind.SUPPORT_ENDED:
                supported.setdefault(key, []).append((event.period, event.reason))
            else:
                exclude.setdefault(key, {})[event.period] = event.reason
        paths: dict[tuple[str, str], dict[str, float]] = {}
        for tr in fw.trajectories:
            paths.setdefault((tr.kpi_code, tr.area_code), {})[tr.period] = tr.target
        targets = {
            (kpi.code, area.code): kpi.target_value
            for kpi in fw.kpis
            if kpi.target_value is not None
            for area in fw.areas
            if area.type == AreaType.SYSTEM
        }
        targets.update({(t.kpi_code, t.area_code): t.target for t in fw.area_targets})
        return cls(
            change_points={k: tuple(sorted(v)) for k, v in change.items()},
            exclusions=exclude,
            trajectories=paths,
            improvements={k: tuple(sorted(v)) for k, v in improved.items()},
            supports={k: tuple(sorted(v)) for k, v in supported.items()},
            targets=targets,
        )

    def improvement_for(
        self, kpi_code: str, area_code: str, periods: Sequence[str]
    ) -> tuple[int | None, str, int | None, str]:
        """The latest declared improvement in the series and the end of its support.

        An area's own events take the place of the all-areas ones. Returns (improvement
        index, reason, support index, reason); an index is None when not in the series.
        """
        key = (kpi_code, area_code)
        starts = self.improvements.get(key) or self.improvements.get((kpi_code, ""), ())
        ends = self.supports.get(key) or self.supports.get((kpi_code, ""), ())
        where = [(_index_on_or_after(periods, p), p, r) for p, r in starts]
        where = [(i, p, r) for i, p, r in where if 0 < i < len(periods)]
        if not where:
            return None, "", None, ""
        index, started, reason = where[-1]
        later = [(p, r) for p, r in ends if p > started]
        if not later:
            return index, reason, None, ""
        period, support_reason = later[0]
        support = _index_on_or_after(periods, period)
        if support >= len(periods):
            return index, reason, None, ""
        return index, reason, support, support_reason

    def change_points_for(self, kpi_code: str, area_code: str) -> list[tuple[str, str]]:
        both = [*self.change_points.get((kpi_code, ""), ())]
        if area_code:
            both += self.change_points.get((kpi_code, area_code), ())
        return sorted(both)

    def exclusions_for(self, kpi_code: str, area_code: str) -> dict[str, str]:
        merged = dict(self.exclusions.get((kpi_code, ""), {}))
        merged.update(self.exclusions.get((kpi_code, area_code), {}))
        return merged

    def trajectory_for(self, kpi_code: str, area_code: str) -> dict[str, float]:
        merged = dict(self.trajectories.get((kpi_code, ""), {}))
        merged.update(self.trajectories.get((kpi_code, area_code), {}))
        return merged


@dataclass(frozen=True)
class _Columns:
    """Observations as plain arrays sorted by KPI, area and period, with each series' slice.

    Built once per scorecard so that each KPI × area is a slice, not a pandas query.
    """

    periods: npt.NDArray[np.object_]
    values: FloatArray
    numerators: FloatArray
    denominators: FloatArray
    statuses: npt.NDArray[np.object_]
    synthetic: BoolArray
    load_ids: npt.NDArray[np.int64]
    slices: Mapping[tuple[str, str], tuple[int, int]]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Columns:
        if frame.empty:
            frame = _empty_frame()
        frame = frame.sort_values(["kpi_code", "area_code", "period"], kind="stable")
        kpis = frame["kpi_code"].astype(str).to_numpy(dtype=object)
        areas = frame["area_code"].astype(str).to_numpy(dtype=object)
        n = len(kpis)
        breaks = np.flatnonzero((kpis[1:] != kpis[:-1]) | (areas[1:] != areas[:-1])) + 1
        starts = np.concatenate([[0], breaks]).astype(np.int64) if n else np.zeros(0, np.int64)
        ends = np.concatenate([breaks, [n]]).astype(np.int64) if n else np.zeros(0, np.int64)
        statuses = frame["status"].to_numpy(dtype=object)
        return cls(
            periods=frame["period"].astype(str).to_numpy(dtype=object),
            values=_numbers(frame["value"]),
            numerators=_numbers(frame["numerator"]),
            denominators=_numbers(frame["denominator"]),
            statuses=np.array(
                [v if isinstance(v, str) else "final" for v in statuses], dtype=object
            ),
            synthetic=frame["synthetic"].fillna(False).astype(bool).to_numpy(dtype=np.bool_),
            load_ids=np.nan_to_num(_numbers(frame["load_id"])).astype(np.int64),
            slices={
                (str(kpis[a]), str(areas[a])): (int(a), int(b))
                for a, b in zip(starts, ends, strict=True)
            },
        )


def _index_on_or_after(periods: Sequence[str], period: str) -> int:
    """The index of the first month on or after ``period`` (len(periods) when none is)."""
    return next((i for i, p in enumerate(periods) if p >= period), len(periods))


def _numbers(column: pd.Series) -> FloatArray:
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _series_from_columns(kpi: Kpi, area_code: str, columns: _Columns, events: _Events) -> KpiSeries:
    """The KpiSeries of one KPI × area from the sorted arrays (periods already ≤ month)."""
    start, end = columns.slices.get((kpi.code, area_code), (0, 0))
    periods = tuple(str(p) for p in columns.periods[start:end])
    trajectory = events.trajectory_for(kpi.code, area_code)
    default_target = float(events.targets.get((kpi.code, area_code), math.nan))
    targets = np.array([trajectory.get(p, default_target) for p in periods], dtype=np.float64)

    change_points: list[int] = []
    change_reasons: list[str] = []
    for period, reason in events.change_points_for(kpi.code, area_code):
        # a change point starts a new partition at the first point on or after its period
        index = next((i for i, p in enumerate(periods) if p >= period), len(periods))
        if 0 < index < len(periods) and index not in change_points:
            change_points.append(index)
            change_reasons.append(reason)
    exclusions = events.exclusions_for(kpi.code, area_code)
    excluded = np.array([p in exclusions for p in periods], dtype=np.bool_)
    excluded_reasons = {i: exclusions[p] for i, p in enumerate(periods) if p in exclusions}
    improvement, improvement_reason, support, support_reason = events.improvement_for(
        kpi.code, area_code, periods
    )
    return KpiSeries(
        kpi_code=kpi.code,
        area_code=area_code,
        periods=periods,
        values=columns.values[start:end].copy(),  # noqa: PD011 (a numpy array)
        numerators=columns.numerators[start:end].copy(),
        denominators=columns.denominators[start:end].copy(),
        statuses=tuple(str(s) for s in columns.statuses[start:end]),
        synthetic=columns.synthetic[start:end].copy(),
        load_ids=tuple(int(x) for x in columns.load_ids[start:end]),
        targets=targets,
        change_points=tuple(change_points),
        change_reasons=tuple(change_reasons),
        excluded=excluded,
        excluded_reasons=excluded_reasons,
        improvement_index=improvement,
        improvement_reason=improvement_reason,
        support_index=support,
        support_reason=support_reason,
    )


def kpi_series(
    fw: Framework, frame: pd.DataFrame, kpi_code: str, area_code: str, month: str
) -> KpiSeries:
    """One KPI × area's series up to ``month`` from a frame of current observations.

    Args:
        fw: the framework (for the KPI's target, trajectories and SPC events).
        frame: current observations (``Store.current`` columns); may hold other KPIs and areas.
        kpi_code: the KPI.
        area_code: the area.
        month: ``YYYY-MM``; later periods are left out.

    Returns:
        The series with per-point targets, change points and excluded points.
    """
    kpi = fw.kpi(kpi_code)
    if frame.empty:
        rows = _empty_frame()
    else:
        mask = (
            (frame["kpi_code"] == kpi_code)
            & (frame["area_code"] == area_code)
            & (frame["period"].astype(str) <= month)
        )
        rows = frame.loc[mask]
    return _series_from_columns(kpi, area_code, _Columns.of(rows), _Events.of(fw))


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


def _month_frame(
    store_or_frame: CurrentReader | pd.DataFrame, month: str, area: str | None
) -> pd.DataFrame:
    """Every current observation up to ``month`` (one store query), optionally for one area."""
    if isinstance(store_or_frame, pd.DataFrame):
        frame = store_or_frame
        if frame.empty:
            return _empty_frame()
        mask = frame["period"].astype(str) <= month
        if area is not None:
            mask &= frame["area_code"] == area
        return frame.loc[mask]
    frame = store_or_frame.current(
        kpi_codes=None, area_codes=None if area is None else [area], up_to=month
    )
    return _empty_frame() if frame.empty else frame


def _areas_in_scope(fw: Framework, kpi: Kpi, area: str | None) -> tuple[Area, ...]:
    areas = fw.kpi_areas(kpi.code)
    if area is None:
        return areas
    return tuple(a for a in areas if a.code == area)


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
        is_suppressed: the disclosure rule (``scorecard.disclosure.is_suppressed`` by default).
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


def compute_series(
    fw: Framework,
    store_or_frame: CurrentReader | pd.DataFrame,
    month: str,
    area: str | None = None,
) -> dict[tuple[str, str], KpiSeries]:
    """Every KPI × area series up to ``month`` (one store query), keyed by (kpi, area)."""
    columns = _Columns.of(_month_frame(store_or_frame, month, area))
    events = _Events.of(fw)
    series: dict[tuple[str, str], KpiSeries] = {}
    for kpi in fw.kpis:
        for item in _areas_in_scope(fw, kpi, area):
            series[(kpi.code, item.code)] = _series_from_columns(kpi, item.code, columns, events)
    return series


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
        source = _month_frame(source, month, None)
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
    from scorecard.reconciliation import reconcile, wholes_and_parts

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
        frame = _month_frame(store_or_frame, month, None)
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


def _counts(codes: Iterable[str], rows_by_kpi: Mapping[str, list[ScorecardRow]]) -> StateCounts:
    variation = dict.fromkeys(VARIATIONS, 0)
    assurance = dict.fromkeys(ASSURANCES, 0)
    total = too_few = no_data = not_reported = 0
    ordered = tuple(dict.fromkeys(codes))
    for code in ordered:
        rows = rows_by_kpi.get(code, [])
        if not rows:
            not_reported += 1
            continue
        for row in rows:
            total += 1
            variation[row.variation if row.variation in variation else "none"] += 1
            assurance[row.assurance if row.assurance in assurance else "none"] += 1
            if row.n_points == 0:
                no_data += 1
            elif row.variation == "none":
                too_few += 1
    return StateCounts(
        total=total,
        variation=variation,
        assurance=assurance,
        too_few_points=too_few,
        no_data=no_data,
        not_reported=not_reported,
        kpi_codes=ordered,
    )


def _verb(count: int, singular: str, plural: str) -> str:
    return singular if count == 1 else plural


def summary_sentence(counts: StateCounts, noun: str = "lead KPI") -> str:
    """A plain-English line for a node's KPIs, e.g. "2 of 3 lead KPIs show improvement; …".

    Counts only: no average of unlike KPIs is ever formed.
    """
    n = counts.total
    if n == 0:
        if counts.not_reported:
            what = f"{counts.not_reported} {noun}" + ("" if counts.not_reported == 1 else "s")
            return f"No data: {what} linked but not reported for this area."
        return f"No {noun} is linked yet."
    plural = f"{noun}s" if n != 1 else noun
    parts: list[str] = []
    states = [
        (counts.improvement, "shows improvement", "show improvement"),
        (counts.concern, "shows concern", "show concern"),
        (
            counts.neither,
            "shows a special cause in a neutral measure",
            "show special causes in neutral measures",
        ),
        (
            counts.variation["common_cause"],
            "shows common cause variation only",
            "show common cause variation only",
        ),
    ]
    first = True
    for count, one, many in states:
        if count == 0:
            continue
        if first:
            parts.append(f"{count} of {n} {plural} {_verb(count, one, many)}")
            first = False
        else:
            parts.append(f"{count} {_verb(count, one, many)}")
    assurance = [
        (
            counts.assurance["fail"],
            "is not capable of hitting its target",
            "are not capable of hitting their targets",
        ),
        (
            counts.assurance["hit_or_miss"],
            "will hit or miss its target by chance",
            "will hit or miss their targets by chance",
        ),
        (
            counts.assurance["pass"],
            "will consistently hit its target",
            "will consistently hit their targets",
        ),
    ]
    for count, one, many in assurance:
        if count:
            parts.append(f"{count} {_verb(count, one, many)}")
    if counts.too_few_points:
        k = counts.too_few_points
        parts.append(f"{k} {_verb(k, 'has', 'have')} too few points for SPC")
    if counts.no_data:
        k = counts.no_data
        parts.append(f"{k} {_verb(k, 'has', 'have')} no data yet")
    if counts.not_reported:
        k = counts.not_reported
        parts.append(f"{k} {_verb(k, 'is', 'are')} not reported for this area")
    if first and parts:  # no SPC icon at all: say how many KPIs the rest refers to
        parts[0] = f"{n} {plural}: " + parts[0]
    return "; ".join(parts) + "."


def rollup(fw: Framework, rows: Sequence[ScorecardRow]) -> Rollup:
    """Counts of KPI states for every outcome, pillar, ICP ambition and population outcome.

    Outcomes count their lead KPIs; pillars, ambitions and population outcomes count the
    distinct lead KPIs of the outcomes below them (a KPI serving two outcomes counts once).
    Activity KPIs are counted alongside: an outcome's are those of its lead KPIs, a pillar's
    those of its bricks. Pass the rows of one area to read the counts as KPIs; with several
    areas each KPI × area row counts once.

    Args:
        fw: the framework.
        rows: scorecard rows (from ``compute_scorecard``).

    Returns:
        The roll-up with a one-line summary per node.
    """
    rows_by_kpi: dict[str, list[ScorecardRow]] = {}
    for row in rows:
        rows_by_kpi.setdefault(row.kpi_code, []).append(row)
    links: dict[LinkKind, dict[str, list[str]]] = {kind: {} for kind in LinkKind}
    for link in fw.links:
        links[link.kind].setdefault(link.from_code, []).append(link.to_code)

    def outcome_keys(number: int) -> list[str]:
        return [f"O{number}", str(number)]

    def leads_of_outcome(number: int) -> list[str]:
        out: list[str] = []
        for key in outcome_keys(number):
            out += links[LinkKind.OUTCOME_LEAD_KPI].get(key, [])
        return list(dict.fromkeys(out))

    def activity_of_leads(leads: Iterable[str]) -> list[str]:
        out: list[str] = []
        for lead in leads:
            out += links[LinkKind.LEAD_ACTIVITY_KPI].get(lead, [])
        return list(dict.fromkeys(out))

    def outcomes_of_ambition(code: str) -> list[int]:
        out: list[int] = []
        for target in links[LinkKind.AMBITION_OUTCOME].get(code, []):
            try:
                out.append(outcome_number(target))
            except ValueError:
                continue
        return list(dict.fromkeys(out))

    def node(level: str, code: str, name: str, leads: list[str], activity: list[str]) -> NodeRollup:
        lead_counts = _counts(leads, rows_by_kpi)
        return NodeRollup(
            level=level,
            code=code,
            name=name,
            lead=lead_counts,
            activity=_counts(activity, rows_by_kpi),
            summary=summary_sentence(lead_counts, "lead KPI"),
        )

    outcomes = tuple(
        node(
            "outcome",
            o.code,
            o.wording,
            leads_of_outcome(o.number),
            activity_of_leads(leads_of_outcome(o.number)),
        )
        for o in fw.outcomes
    )
    pillars: list[NodeRollup] = []
    for pillar in fw.pillars:
        numbers = [o.number for o in fw.outcomes if o.pillar_code == pillar.code]
        leads = list(dict.fromkeys(k for n in numbers for k in leads_of_outcome(n)))
        activity: list[str] = []
        for brick in fw.bricks:
            if brick.pillar_code == pillar.code:
                activity += links[LinkKind.BRICK_ACTIVITY_KPI].get(brick.code, [])
        pillars.append(
            node("pillar", pillar.code, pillar.name, leads, list(dict.fromkeys(activity)))
        )
    ambitions: list[NodeRollup] = []
    for ambition in fw.ambitions:
        numbers = outcomes_of_ambition(ambition.code)
        leads = list(dict.fromkeys(k for n in numbers for k in leads_of_outcome(n)))
        ambitions.append(
            node("ambition", ambition.code, ambition.name, leads, activity_of_leads(leads))
        )
    populations: list[NodeRollup] = []
    for population in fw.population_outcomes:
        numbers = [
            n
            for a in links[LinkKind.POPULATION_OUTCOME_AMBITION].get(population.code, [])
            for n in outcomes_of_ambition(a)
        ]
        leads = list(dict.fromkeys(k for n in dict.fromkeys(numbers) for k in leads_of_outcome(n)))
        populations.append(
            node(
                "population_outcome",
                population.code,
                population.name,
                leads,
                activity_of_leads(leads),
            )
        )
    return Rollup(
        outcomes=outcomes,
        pillars=tuple(pillars),
        ambitions=tuple(ambitions),
        population_outcomes=tuple(populations),
    )


def _special(variation: str) -> bool:
    return variation not in ("common_cause", "none")


_RISK = {"pass": 0, "hit_or_miss": 1, "fail": 2}


def _change(now: ScorecardRow, kind: str, was: str, sentence: str) -> Change:
    after = (
        now.assurance if kind in ("target_newly_at_risk", "target_now_assured") else now.variation
    )
    return Change(
        kind=kind,
        kpi_code=now.kpi_code,
        kpi_name=now.kpi_name,
        tier=now.tier,
        area_code=now.area_code,
        before=was,
        after=after,
        period=now.period,
        sentence=sentence,
    )


def _changes_of(now: ScorecardRow, before: ScorecardRow | None) -> list[Change]:
    """The changes of one KPI × area between last month's row and this month's."""
    was_variation = before.variation if before else "none"
    was_assurance = before.assurance if before else "none"
    where = f"{now.kpi_name} ({now.area_name or now.area_code})"
    when = f" in {now.period}" if now.period else ""
    was_label = VARIATION_LABELS.get(was_variation, was_variation)
    now_label = VARIATION_LABELS.get(now.variation, now.variation)
    out: list[Change] = []
    if _special(now.variation) and not _special(was_variation):
        sentence = f"{where}: new special cause{when}, {now_label} (was {was_label})."
        out.append(_change(now, "new_special_cause", was_variation, sentence))
    elif _special(now.variation) and now.variation != was_variation:
        sentence = f"{where}: special cause changed{when} to {now_label} (was {was_label})."
        out.append(_change(now, "special_cause_changed", was_variation, sentence))
    elif _special(was_variation) and now.variation == "common_cause":
        sentence = f"{where}: {was_label} has cleared{when}; now common cause variation."
        out.append(_change(now, "special_cause_cleared", was_variation, sentence))
    now_risk = _RISK.get(now.assurance)
    was_risk = _RISK.get(was_assurance)
    if now_risk is None or was_risk is None:
        return out
    now_text = ASSURANCE_LABELS[now.assurance]
    was_text = ASSURANCE_LABELS[was_assurance]
    if now_risk > was_risk:
        sentence = f"{where}: target newly at risk{when}: now {now_text} (was {was_text})."
        out.append(_change(now, "target_newly_at_risk", was_assurance, sentence))
    elif now.assurance == "pass" and was_risk > 0:
        sentence = f"{where}: now {now_text}{when} (was {was_text})."
        out.append(_change(now, "target_now_assured", was_assurance, sentence))
    return out


_TIER_ORDER = {"lead": 0, "activity": 1, "system": 2}


def _change_order(change: Change) -> tuple[int, int, int, str, str]:
    concern_first = 0 if change.after.startswith("concern") or change.after == "fail" else 1
    return (
        CHANGE_KINDS.index(change.kind) if change.kind in CHANGE_KINDS else len(CHANGE_KINDS),
        concern_first,
        _TIER_ORDER.get(change.tier, 3),
        change.kpi_code,
        change.area_code,
    )


def changes_since(
    fw: Framework, rows_now: Sequence[ScorecardRow], rows_prev: Sequence[ScorecardRow]
) -> list[Change]:
    """What changed since last month: new special causes, targets newly at risk, cleared icons.

    A target is newly at risk when assurance moves from pass to hit-or-miss or fail, or from
    hit-or-miss to fail; a special cause has cleared when the latest point is common cause
    again (not when the chart falls back to a run chart, which is no evidence either way).

    Args:
        fw: the framework (kept for symmetry with ``rollup``; ordering uses the rows' tiers).
        rows_now: this month's rows.
        rows_prev: the previous month's rows (same areas).

    Returns:
        Changes in the order of ``CHANGE_KINDS``, concerns first, lead KPIs before activity.
    """
    del fw
    previous = {(r.kpi_code, r.area_code): r for r in rows_prev}
    changes: list[Change] = []
    for now in rows_now:
        changes += _changes_of(now, previous.get((now.kpi_code, now.area_code)))
    return sorted(changes, key=_change_order)


def scorecard_text(rows: Sequence[ScorecardRow], month: str, area: str | None) -> str:
    """The scorecard as a plain-text table for the terminal."""
    header = (
        "KPI",
        "name",
        "area",
        "period",
        "value",
        "target",
        "points",
        "variation",
        "assurance",
    )
    table: list[tuple[str, ...]] = [header]
    for row in rows:
        value = "suppressed" if row.suppressed else format_value(row.value, row.unit)
        if row.provisional and not row.suppressed:
            value += " (p)"
        name = row.kpi_name if len(row.kpi_name) <= 48 else row.kpi_name[:47] + "…"
        table.append(
            (
                row.kpi_code,
                name,
                row.area_code,
                row.period or "no data",
                value,
                format_value(row.target, row.unit),
                str(row.n_points),
                row.variation,
                row.assurance,
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    scope = f"area {area}" if area else "all areas"
    synthetic = any(row.synthetic for row in rows)
    title = f"iCAN scorecard for {month}, {scope}: {len(rows)} KPI × area rows"
    notes = ["(p) provisional value."]
    if synthetic:
        notes.append("SYNTHETIC demo data: these values are not real.")
    return "\n".join([title, "", *lines, "", *notes])


__all__ = [
    "ASSURANCES",
    "CHANGE_KINDS",
    "CONTRACT_FIELDS",
    "JSON_FIELDS",
    "SUSTAINABILITY",
    "VARIATIONS",
    "Change",
    "KpiSeries",
    "NodeRollup",
    "Rollup",
    "ScorecardRow",
    "StateCounts",
    "changes_since",
    "compute_scorecard",
    "compute_series",
    "kpi_series",
    "previous_month",
    "rollup",
    "score_series",
    "summary_sentence",
]
