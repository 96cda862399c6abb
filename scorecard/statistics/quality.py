"""Data quality per KPI and area as a kite mark (timeliness, completeness, sign-off, audit …)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from scorecard.thread.domain import Framework, Frequency, Kpi, Unit
from scorecard.thread.periods import month_index, month_long, period_of_index

RATINGS: tuple[str, ...] = ("good", "attention", "poor")
DIMENSIONS: tuple[str, ...] = (
    "timeliness",
    "completeness",
    "validation",
    "sign_off",
    "audit",
    "source",
)
# The data-quality kite mark proper; "source" (synthetic or real) is reported beside it.
KITE_DIMENSIONS: tuple[str, ...] = DIMENSIONS[:-1]
DIMENSION_LABELS: Mapping[str, str] = {
    "timeliness": "Timeliness",
    "completeness": "Completeness",
    "validation": "Validation",
    "sign_off": "Sign-off",
    "audit": "Audit (revisions)",
    "source": "Source",
}

# How many months old a KPI's latest value may be and still be on time, by frequency:
# a monthly KPI shown for May is on time with April's data, late with March's.
ALLOWED_LAG: Mapping[Frequency, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.ANNUAL: 12,
}
STEP_MONTHS: Mapping[Frequency, int] = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.ANNUAL: 12,
}
WINDOW_MONTHS = 12  # completeness looks at the last year of expected periods
SIGN_OFF_GRACE = 3  # provisional values in the latest 3 periods are normal; older ones are not
REVISION_GOOD = 0.05  # up to 5% of values revised after first load reads as stable
REVISION_POOR = 0.20
INVALID_ATTENTION = 0.05
POOR_SHARE = 0.25  # across many series: "poor" when more than a quarter are poor
PERCENT_MAX = 100.0
PERCENT_TOLERANCE = 0.05  # percentage points allowed between value and 100 × num / den


@dataclass(frozen=True)
class Mark:
    """One dimension of a kite mark: a rating and the sentence that explains it."""

    dimension: str
    rating: str  # "good", "attention" or "poor"
    sentence: str

    @property
    def label(self) -> str:
        """The dimension's name as people read it."""
        return DIMENSION_LABELS.get(self.dimension, self.dimension)


@dataclass(frozen=True)
class KiteMark:
    """A data-quality kite mark: one mark per dimension (see ``DIMENSIONS``)."""

    marks: tuple[Mark, ...]

    def mark(self, dimension: str) -> Mark:
        """The mark of one dimension (KeyError when absent)."""
        for item in self.marks:
            if item.dimension == dimension:
                return item
        raise KeyError(dimension)

    @property
    def overall(self) -> str:
        """The worst rating over the kite-mark dimensions, never "good" over a "poor".

        Rule: the worst rating of the kite-mark dimensions, and never more than one step better
        than the worst of every dimension shown. ``source`` (synthetic or real) weighs in only
        through that second clause: synthetic data is labelled as such wherever it appears, and
        counting it in full would make every demo value "poor" and hide the rest; but a
        dimension rated "poor" beside an overall "good" would contradict itself, so a poor
        source caps the overall rating at "attention".
        """
        kite = [RATINGS.index(m.rating) for m in self.marks if m.dimension in KITE_DIMENSIONS]
        every = [RATINGS.index(m.rating) for m in self.marks]
        if not kite:
            return "attention"
        return RATINGS[max(max(kite), max(every) - 1)]

    @property
    def summary(self) -> str:
        """A one-line summary, e.g. "timeliness good, completeness attention, …"."""
        return ", ".join(f"{m.label.lower()} {m.rating}" for m in self.marks)


@dataclass(frozen=True)
class SeriesQuality:
    """Data quality of one KPI × area up to the month shown."""

    kpi_code: str
    area_code: str
    frequency: str
    month: str
    latest_period: str | None
    lag_months: int | None
    allowed_lag: int
    expected_periods: int
    present_periods: int
    n_values: int
    invalid: int
    revised: int | None  # None when no load history was given
    provisional: int
    provisional_old: int
    synthetic: int
    kite_mark: KiteMark

    @property
    def on_time(self) -> bool:
        """True when the latest value is no older than the KPI's frequency allows."""
        return self.lag_months is not None and self.lag_months <= self.allowed_lag


@dataclass(frozen=True)
class KpiQuality:
    """Data quality of one KPI across its areas, with the kite mark of the whole KPI."""

    kpi_code: str
    kpi_name: str
    reference_period: str | None
    areas_expected: int
    areas_reporting: int
    series: tuple[SeriesQuality, ...]
    kite_mark: KiteMark


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"


def invalid_mask(kpi: Kpi, rows: pd.DataFrame) -> np.ndarray:
    """True for values that break a load rule after the fact (normally none: see below).

    Rejected files never reach the store, so this re-checks what loading enforces: a finite
    value, a percentage within 0-100, no negative counts or days, a numerator not above its
    denominator, and a percentage that agrees with 100 × numerator / denominator.
    """
    values, num, den = _numbers(rows)
    return _invalid(values, num, den, kpi.unit == Unit.PERCENT, kpi.unit in (Unit.COUNT, Unit.DAYS))


def _numbers(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """value, numerator and denominator as float arrays (NaN where not a number)."""
    return cast(
        tuple[np.ndarray, np.ndarray, np.ndarray],
        tuple(
            pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=np.float64)
            for column in ("value", "numerator", "denominator")
        ),
    )


def _invalid(
    values: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    percent: bool | np.ndarray,
    count_or_days: bool | np.ndarray,
) -> np.ndarray:
    """The load-rule re-check of ``invalid_mask``; the unit flags may be per row (arrays)."""
    bad = ~np.isfinite(values)
    bad |= percent & ((values < 0) | (values > PERCENT_MAX))
    bad |= count_or_days & (values < 0)
    both = np.isfinite(num) & np.isfinite(den)
    bad |= both & (num > den) & percent
    with np.errstate(divide="ignore", invalid="ignore"):
        implied = 100.0 * num / den
    bad |= percent & both & (den > 0) & (np.abs(implied - values) > PERCENT_TOLERANCE)
    result: np.ndarray = bad
    return result


def _revised_counts(
    history: pd.DataFrame, month: str, keys: Mapping[tuple[str, str], int], kpis: Sequence[Kpi]
) -> np.ndarray:
    """Per series: how many periods ≤ month were stored more than once (revised)."""
    size = len(keys)
    if history.empty or not size:
        return np.zeros(size, dtype=np.int64)
    rank, periods = _period_ranks(history["period"])
    due = np.array([p <= month for p in periods] + [False], dtype=bool)
    series = _series_of(history, keys, kpis)
    keep = (series >= 0) & due[rank]
    width = len(periods) + 1
    versions = np.bincount(series[keep] * width + rank[keep], minlength=size * width)
    result: np.ndarray = (versions.reshape(size, width) > 1).sum(axis=1)
    return result


def _timeliness(kpi: Kpi, latest: str | None, lag: int | None, allowed: int, month: str) -> Mark:
    if latest is None or lag is None:
        return Mark("timeliness", "poor", f"No data at or before {month_long(month)}.")
    frequency = str(kpi.frequency)
    when = f"Latest data {month_long(latest)}"
    if lag <= 0:
        return Mark("timeliness", "good", f"{when}: up to date for {month_long(month)}.")
    behind = f"{_plural(lag, 'month')} before {month_long(month)}"
    if lag <= allowed:
        return Mark("timeliness", "good", f"{when}, {behind}: on time for a {frequency} KPI.")
    rating = "attention" if lag <= 2 * allowed else "poor"
    return Mark(
        "timeliness",
        rating,
        f"{when}, {behind}: late for a {frequency} KPI (allowed {_plural(allowed, 'month')}).",
    )


def _completeness(present: int, expected: int, missing: Sequence[str]) -> Mark:
    if expected == 0:
        return Mark("completeness", "poor", "No periods with data in the last year.")
    if present >= expected:
        return Mark(
            "completeness", "good", f"All {_plural(expected, 'expected period')} of the last year."
        )
    rating = "attention" if present >= 0.8 * expected else "poor"
    shown = ", ".join(missing[:4]) + (" …" if len(missing) > 4 else "")
    return Mark(
        "completeness",
        rating,
        f"{present} of {_plural(expected, 'expected period')} of the last year; missing {shown}.",
    )


def _validation(invalid: int, n: int) -> Mark:
    if n == 0:
        return Mark("validation", "attention", "No values to check.")
    if invalid == 0:
        return Mark(
            "validation",
            "good",
            f"All {_plural(n, 'value')} passed the load checks (rejected files never reach "
            "the store).",
        )
    rating = "attention" if invalid <= INVALID_ATTENTION * n else "poor"
    return Mark(
        "validation", rating, f"{invalid} of {_plural(n, 'value')} break a load rule on re-check."
    )


def _sign_off(provisional: int, old: int, n: int) -> Mark:
    if provisional == 0:
        return Mark("sign_off", "good", "Every value is final (signed off).")
    if old == 0:
        return Mark(
            "sign_off",
            "attention",
            f"{_plural(provisional, 'value')} still provisional, all within the latest "
            f"{SIGN_OFF_GRACE} periods.",
        )
    return Mark(
        "sign_off",
        "poor",
        f"{provisional} of {_plural(n, 'value')} provisional, {old} older than the latest "
        f"{SIGN_OFF_GRACE} periods and never signed off.",
    )


def _audit(revised: int | None, n: int) -> Mark:
    if revised is None:
        return Mark("audit", "attention", "Load history not available: revisions unknown.")
    if n == 0:
        return Mark("audit", "good", "No values yet.")
    share = revised / n
    rating = "good" if share <= REVISION_GOOD else "attention" if share <= REVISION_POOR else "poor"
    if revised == 0:
        return Mark("audit", "good", f"No value revised after first load ({_plural(n, 'value')}).")
    return Mark(
        "audit",
        rating,
        f"{revised} of {_plural(n, 'value')} ({_share(revised, n)}) revised after first load; "
        "every version is kept with its load.",
    )


def _source(synthetic: int, n: int) -> Mark:
    if n == 0:
        return Mark("source", "attention", "No values yet.")
    if synthetic == 0:
        return Mark("source", "good", "Real data: no synthetic values.")
    if synthetic == n:
        return Mark("source", "poor", "SYNTHETIC: every value is made-up demo data, not real.")
    return Mark(
        "source",
        "attention",
        f"{synthetic} of {_plural(n, 'value')} are SYNTHETIC demo data, not real.",
    )


def _codes(column: pd.Series, lookup: Mapping[str, int]) -> np.ndarray:
    """Each row's position in ``lookup`` by its text (-1 when absent or missing)."""
    codes, uniques = pd.factorize(column)
    table = np.array([lookup.get(str(u), -1) for u in uniques] + [-1], dtype=np.int64)
    result: np.ndarray = table[codes]  # code -1 (missing) picks the trailing -1
    return result


def _series_of(
    frame: pd.DataFrame, keys: Mapping[tuple[str, str], int], kpis: Sequence[Kpi]
) -> np.ndarray:
    """Each row's series position in ``keys`` by its KPI and area code (-1: none)."""
    area_codes = sorted({a for _, a in keys})
    kpi_index = {k.code: i for i, k in enumerate(kpis)}
    area_index = {a: i for i, a in enumerate(area_codes)}
    table = np.full(len(kpis) * len(area_codes) + 1, -1, dtype=np.int64)
    for (kpi_code, area_code), position in keys.items():
        table[kpi_index[kpi_code] * len(area_codes) + area_index[area_code]] = position
    kpi_pos = _codes(frame["kpi_code"], kpi_index)
    area_pos = _codes(frame["area_code"], area_index)
    pair = np.where(
        (kpi_pos >= 0) & (area_pos >= 0), kpi_pos * len(area_codes) + area_pos, len(table) - 1
    )
    result: np.ndarray = table[pair]
    return result


def _period_ranks(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's period as its rank among the distinct periods as text (sorted), and those.

    Missing periods get the rank ``len(periods)``.
    """
    codes, uniques = pd.factorize(column)
    texts = [str(u) for u in uniques]
    periods = sorted(set(texts))
    position = {p: i for i, p in enumerate(periods)}
    table = np.array([position[t] for t in texts] + [len(periods)], dtype=np.int64)
    result: np.ndarray = table[codes]
    return result, periods


def _canonical_index(period: str) -> int:
    """The month index of a canonical ``YYYY-MM`` period; -1 for anything else."""
    try:
        index = month_index(period)
    except ValueError:
        return -1
    return index if period_of_index(index) == period else -1


@dataclass
class _Rows:
    """The rows of every series at or before the month, sorted by series then period."""

    series: np.ndarray  # series position of each row
    rank: np.ndarray  # the period's rank among ``periods`` (text order)
    canonical: np.ndarray  # the period's month index (-1 when not a canonical period)
    provisional: np.ndarray  # bool: the period's (last) status is provisional
    invalid: np.ndarray  # bool
    synthetic: np.ndarray  # bool
    periods: list[str]  # distinct periods as text, sorted

    @classmethod
    def empty(cls) -> _Rows:
        """No rows at all."""
        none = np.zeros(0, dtype=np.int64)
        return cls(none, none, none, none.astype(bool), none.astype(bool), none.astype(bool), [])


def _rows(
    current: pd.DataFrame, month: str, keys: Mapping[tuple[str, str], int], kpis: Sequence[Kpi]
) -> _Rows:
    """The rows of ``current`` that belong to a series and are at or before ``month``."""
    rank, periods = _period_ranks(current["period"])
    due = np.array([p <= month for p in periods] + [False], dtype=bool)
    series = _series_of(current, keys, kpis)
    keep = np.flatnonzero((series >= 0) & due[rank])
    series, rank = series[keep], rank[keep]
    order_rows = np.lexsort((rank, series))  # stable: equal keys keep their row order
    keep, series, rank = keep[order_rows], series[order_rows], rank[order_rows]
    rows = current.iloc[keep]

    status_codes, statuses = pd.factorize(rows["status"])
    provisional_of = np.array([str(s) == "provisional" for s in statuses] + [False], dtype=bool)
    provisional = provisional_of[status_codes]
    same = (series[1:] == series[:-1]) & (rank[1:] == rank[:-1])
    if same.any():  # one period stored twice: its last row's status holds for both (as before)
        run = np.concatenate(([0], np.cumsum(~same)))
        last = np.flatnonzero(np.concatenate((~same, [True])))
        provisional = provisional[last][run]

    units = [k.unit for k in kpis]
    percent_kpi = np.array([u == Unit.PERCENT for u in units], dtype=bool)
    count_kpi = np.array([u in (Unit.COUNT, Unit.DAYS) for u in units], dtype=bool)
    kpi_index = {k.code: i for i, k in enumerate(kpis)}
    series_kpi = np.empty(len(keys), dtype=np.int64)
    for (kpi_code, _), position in keys.items():
        series_kpi[position] = kpi_index[kpi_code]
    row_kpi = series_kpi[series]
    values, num, den = _numbers(rows)
    invalid = _invalid(values, num, den, percent_kpi[row_kpi], count_kpi[row_kpi])
    synthetic = rows["synthetic"].fillna(False).astype(bool).to_numpy(dtype=bool)
    canonical = np.array([_canonical_index(p) for p in periods] + [-1], dtype=np.int64)
    return _Rows(series, rank, canonical[rank], provisional, invalid, synthetic, periods)


def series_quality(
    fw: Framework,
    current: pd.DataFrame,
    month: str,
    history: pd.DataFrame | None = None,
    area: str | None = None,
) -> list[SeriesQuality]:
    """Data quality of every KPI × area (its areas, or only ``area``) up to ``month``.

    Worked out for all series at once (numpy over the rows), then one object per series.

    Args:
        fw: the framework (frequency, unit and areas of each KPI).
        current: current observations (``Store.current`` columns), any periods.
        month: ``YYYY-MM``; later periods are ignored.
        history: every stored version (``Store.history()``), for revisions; None if unknown.
        area: only this area; all of each KPI's areas when None.

    Returns:
        One SeriesQuality per KPI × area, in framework order.
    """
    pairs = [
        (kpi, item.code)
        for kpi in fw.kpis
        for item in fw.kpi_areas(kpi.code)
        if area is None or item.code == area
    ]
    keys = {(kpi.code, area_code): i for i, (kpi, area_code) in enumerate(pairs)}
    size = len(pairs)
    rows = _Rows.empty() if current.empty or not size else _rows(current, month, keys, fw.kpis)

    n = np.bincount(rows.series, minlength=size)
    ends = np.cumsum(n)
    has = n > 0
    ranked = np.append(rows.rank, -1)  # position -1: the rank of a series without rows
    first_rank = ranked[np.where(has, ends - n, -1)]
    latest_rank = ranked[np.where(has, ends - 1, -1)]
    # provisional values older than the latest SIGN_OFF_GRACE periods (rows, so repeats count)
    threshold = ranked[np.where(has, ends - np.minimum(n, SIGN_OFF_GRACE), -1)]
    old_rows = rows.provisional & (rows.rank < threshold[rows.series])
    provisional = np.bincount(rows.series, weights=rows.provisional, minlength=size)
    old = np.bincount(rows.series, weights=old_rows, minlength=size)
    invalid = np.bincount(rows.series, weights=rows.invalid, minlength=size)
    synthetic = np.bincount(rows.series, weights=rows.synthetic, minlength=size)

    # completeness: the expected periods of the last year, from the newest one due back
    month_no = month_index(month)
    allowed = np.array([ALLOWED_LAG.get(k.frequency, 1) for k, _ in pairs], dtype=np.int64)
    step = np.array([STEP_MONTHS.get(k.frequency, 1) for k, _ in pairs], dtype=np.int64)
    # month numbers of the periods some series starts or ends with (-1: a series without rows)
    number = {
        r: month_index(rows.periods[r])
        for r in {*latest_rank.tolist(), *first_rank.tolist()}
        if r >= 0
    }
    number[-1] = 0
    latest_text = [rows.periods[r] if r >= 0 else None for r in latest_rank.tolist()]
    latest_no = np.array([number[r] for r in latest_rank.tolist()], dtype=np.int64)
    first_no = np.array([number[r] for r in first_rank.tolist()], dtype=np.int64)
    due = latest_no + np.maximum(0, (month_no - allowed - latest_no) // step) * step
    start = np.maximum(month_no - WINDOW_MONTHS + 1, first_no)
    candidates = due[:, None] - np.arange(WINDOW_MONTHS)[None, :] * step[:, None]
    expected_mask = has[:, None] & (candidates >= start[:, None])
    # which months of the last year each series has (a canonical period, so text matches)
    first_month = month_no - WINDOW_MONTHS + 1
    offset = rows.canonical - first_month
    window = (offset >= 0) & (offset < WINDOW_MONTHS)
    in_window = [period_of_index(first_month + k) for k in range(WINDOW_MONTHS)]
    stored = np.zeros((size, WINDOW_MONTHS), dtype=bool)
    stored[rows.series[window], offset[window]] = True
    found = expected_mask & np.take_along_axis(
        stored, np.clip(candidates - first_month, 0, WINDOW_MONTHS - 1), axis=1
    )
    expected = expected_mask.sum(axis=1)
    present = found.sum(axis=1)
    gaps = expected_mask & ~found

    revised = None if history is None else _revised_counts(history, month, keys, fw.kpis)
    # many series share a mark (same figures, same sentence): make each distinct one once
    marks_made: dict[tuple[object, ...], Mark] = {}

    def mark(make: Callable[..., Mark], key: tuple[object, ...], *args: object) -> Mark:
        made = marks_made.get(key)
        if made is None:
            made = marks_made[key] = make(*args)
        return made

    columns = zip(
        latest_text,
        latest_no.tolist(),
        allowed.tolist(),
        expected.tolist(),
        present.tolist(),
        n.tolist(),
        invalid.astype(np.int64).tolist(),
        provisional.astype(np.int64).tolist(),
        old.astype(np.int64).tolist(),
        synthetic.astype(np.int64).tolist(),
        [None] * size if revised is None else revised.tolist(),
        strict=True,
    )
    out: list[SeriesQuality] = []
    for i, (kpi, area_code) in enumerate(pairs):
        latest, latest_i, allowed_i, expected_i, present_i, count, bad, prov, late, synth, rev = (
            next(columns)
        )
        lag = None if latest is None else month_no - latest_i
        missing: tuple[str, ...] = ()
        if present_i < expected_i:
            missing = tuple(
                in_window[p] for p in (candidates[i][gaps[i]][::-1] - first_month).tolist()
            )
        frequency = kpi.frequency
        marks = (
            mark(
                _timeliness,
                ("t", frequency, latest, lag, allowed_i),
                kpi,
                latest,
                lag,
                allowed_i,
                month,
            ),
            mark(
                _completeness, ("c", present_i, expected_i, missing), present_i, expected_i, missing
            ),
            mark(_validation, ("v", bad, count), bad, count),
            mark(_sign_off, ("s", prov, late, count), prov, late, count),
            mark(_audit, ("a", rev, count), rev, count),
            mark(_source, ("o", synth, count), synth, count),
        )
        out.append(
            SeriesQuality(
                kpi_code=kpi.code,
                area_code=area_code,
                frequency=str(frequency),
                month=month,
                latest_period=latest,
                lag_months=lag,
                allowed_lag=allowed_i,
                expected_periods=expected_i,
                present_periods=present_i,
                n_values=count,
                invalid=bad,
                revised=rev,
                provisional=prov,
                provisional_old=late,
                synthetic=synth,
                kite_mark=KiteMark(marks),
            )
        )
    return out


def combine(items: Sequence[SeriesQuality]) -> KiteMark:
    """One kite mark for many KPI × area series: counts per dimension, never averages.

    A dimension is good when every series is good, poor when more than a quarter are poor,
    else attention. A single series keeps its own sentences.
    """
    if len(items) == 1:
        return items[0].kite_mark
    marks: list[Mark] = []
    n = len(items)
    for dimension in DIMENSIONS:
        ratings = [item.kite_mark.mark(dimension).rating for item in items]
        good = ratings.count("good")
        poor = ratings.count("poor")
        if n == 0:
            rating = "attention"
        elif good == n:
            rating = "good"
        elif poor > POOR_SHARE * n:
            rating = "poor"
        else:
            rating = "attention"
        marks.append(Mark(dimension, rating, _combined_sentence(dimension, items, good, n)))
    return KiteMark(tuple(marks))


def _combined_sentence(dimension: str, items: Sequence[SeriesQuality], good: int, n: int) -> str:
    series = _plural(n, "KPI × area series", "KPI × area series")
    if n == 0:
        return "No KPI × area series."
    if dimension == "timeliness":
        late = sum(1 for i in items if not i.on_time)
        return f"{n - late} of {series} on time; {late} late or without data."
    if dimension == "completeness":
        expected = sum(i.expected_periods for i in items)
        present = sum(i.present_periods for i in items)
        return f"{present} of {_plural(expected, 'expected period')} of the last year present."
    values = sum(i.n_values for i in items)
    if dimension == "validation":
        invalid = sum(i.invalid for i in items)
        return f"{invalid} of {_plural(values, 'value')} break a load rule on re-check."
    if dimension == "sign_off":
        provisional = sum(i.provisional for i in items)
        old = sum(i.provisional_old for i in items)
        return f"{provisional} of {_plural(values, 'value')} provisional ({old} overdue sign-off)."
    if dimension == "audit":
        known = [i.revised for i in items if i.revised is not None]
        if not known:
            return "Load history not available: revisions unknown."
        revised = sum(known)
        share = _share(revised, values)
        return f"{revised} of {_plural(values, 'value')} ({share}) revised after first load."
    synthetic = sum(i.synthetic for i in items)
    if synthetic == 0:
        return "Real data: no synthetic values."
    return f"{synthetic} of {_plural(values, 'value')} are SYNTHETIC demo data, not real."


def kpi_quality(
    fw: Framework,
    current: pd.DataFrame,
    month: str,
    history: pd.DataFrame | None = None,
    area: str | None = None,
) -> list[KpiQuality]:
    """Data quality of every KPI across its areas (or one area), with a kite mark each.

    Completeness across areas: of the KPI's areas, how many have a value for the KPI's latest
    period (the newest period any of its areas has at or before ``month``).

    Args:
        fw: the framework.
        current: current observations.
        month: ``YYYY-MM``.
        history: every stored version, for revisions; None if unknown.
        area: only this area.

    Returns:
        One KpiQuality per KPI that is reported for the area(s), in framework order.
    """
    items = series_quality(fw, current, month, history, area)
    by_kpi: dict[str, list[SeriesQuality]] = {}
    for item in items:
        by_kpi.setdefault(item.kpi_code, []).append(item)
    out: list[KpiQuality] = []
    for kpi in fw.kpis:
        series = by_kpi.get(kpi.code)
        if not series:
            continue
        latest = [s.latest_period for s in series if s.latest_period is not None]
        reference = max(latest) if latest else None
        reporting = sum(1 for s in series if reference is not None and s.latest_period == reference)
        mark = combine(series)
        if len(series) > 1:
            marks = [m for m in mark.marks if m.dimension != "completeness"]
            marks.insert(1, _area_completeness(series, reference, reporting))
            mark = KiteMark(tuple(marks))
        out.append(
            KpiQuality(
                kpi_code=kpi.code,
                kpi_name=kpi.name,
                reference_period=reference,
                areas_expected=len(series),
                areas_reporting=reporting,
                series=tuple(series),
                kite_mark=mark,
            )
        )
    return out


def _area_completeness(
    series: Sequence[SeriesQuality], reference: str | None, reporting: int
) -> Mark:
    n = len(series)
    if reference is None:
        return Mark("completeness", "poor", f"None of its {n} areas has data.")
    gaps = sum(s.expected_periods - s.present_periods for s in series)
    sentence = f"{reporting} of {n} areas have data for {month_long(reference)}"
    sentence += (
        f"; {_plural(gaps, 'gap')} in the last year." if gaps else "; no gaps in the last year."
    )
    if reporting == n and gaps == 0:
        rating = "good"
    elif reporting >= 0.8 * n:
        rating = "attention"
    else:
        rating = "poor"
    return Mark("completeness", rating, sentence)


def quality_frame(items: Sequence[KpiQuality] | Sequence[SeriesQuality]) -> pd.DataFrame:
    """A table of kite marks: one row per item, one column per dimension rating and sentence."""
    records: list[dict[str, object]] = []
    for item in items:
        record: dict[str, object] = {"kpi_code": item.kpi_code}
        if isinstance(item, SeriesQuality):
            record["area_code"] = item.area_code
            record["latest_period"] = item.latest_period
        else:
            record["kpi_name"] = item.kpi_name
            record["latest_period"] = item.reference_period
            record["areas"] = f"{item.areas_reporting} of {item.areas_expected}"
        record["overall"] = item.kite_mark.overall
        for mark in item.kite_mark.marks:
            record[mark.dimension] = mark.rating
            record[f"{mark.dimension}_note"] = mark.sentence
        records.append(record)
    return pd.DataFrame.from_records(records)


def is_finite(value: float | None) -> bool:
    """True for a real number (not None, NaN or infinite)."""
    return value is not None and math.isfinite(value)
