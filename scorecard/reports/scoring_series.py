"""A KPI × area's monthly series from current observations: targets, change points, exclusions."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from scorecard.thread.domain import (
    OBSERVATION_COLUMNS,
    Area,
    AreaType,
    Framework,
    Kpi,
    SpcEventKind,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class CurrentReader(Protocol):
    """What scoring needs from the store: current observations (``scorecard.data.store.Store``)."""

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        """Current observations, sorted by kpi_code, area_code, period."""
        ...


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


def month_frame(
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


def compute_series(
    fw: Framework,
    store_or_frame: CurrentReader | pd.DataFrame,
    month: str,
    area: str | None = None,
) -> dict[tuple[str, str], KpiSeries]:
    """Every KPI × area series up to ``month`` (one store query), keyed by (kpi, area)."""
    columns = _Columns.of(month_frame(store_or_frame, month, area))
    events = _Events.of(fw)
    series: dict[tuple[str, str], KpiSeries] = {}
    for kpi in fw.kpis:
        for item in _areas_in_scope(fw, kpi, area):
            series[(kpi.code, item.code)] = _series_from_columns(kpi, item.code, columns, events)
    return series


__all__ = [
    "BoolArray",
    "CurrentReader",
    "FloatArray",
    "KpiSeries",
    "compute_series",
    "kpi_series",
    "month_frame",
]
