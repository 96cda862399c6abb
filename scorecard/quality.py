"""Data quality per KPI and area as a kite mark (timeliness, completeness, sign-off, audit …)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd

from scorecard.domain import Framework, Frequency, Kpi, Unit
from scorecard.periods import month_index, month_long, period_of_index

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
        """The worst rating over the kite-mark dimensions.

        ``source`` (synthetic or real) is left out: synthetic data is labelled as such wherever
        it appears, and folding it in would make every demo value "poor" and hide the rest.
        """
        ratings = [m.rating for m in self.marks if m.dimension in KITE_DIMENSIONS]
        return max(ratings, key=RATINGS.index) if ratings else "attention"

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
    values = pd.to_numeric(rows["value"], errors="coerce").to_numpy(dtype=np.float64)
    num = pd.to_numeric(rows["numerator"], errors="coerce").to_numpy(dtype=np.float64)
    den = pd.to_numeric(rows["denominator"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if kpi.unit == Unit.PERCENT:
        bad |= (values < 0) | (values > PERCENT_MAX)
    if kpi.unit in (Unit.COUNT, Unit.DAYS):
        bad |= values < 0
    both = np.isfinite(num) & np.isfinite(den)
    bad |= both & (num > den) & (kpi.unit == Unit.PERCENT)
    if kpi.unit == Unit.PERCENT:
        with np.errstate(divide="ignore", invalid="ignore"):
            implied = 100.0 * num / den
        check = both & (den > 0)
        bad |= check & (np.abs(implied - values) > PERCENT_TOLERANCE)
    result: np.ndarray = bad
    return result


def _revised_keys(history: pd.DataFrame | None, month: str) -> dict[tuple[str, str], set[str]]:
    """(kpi, area) -> periods ≤ month stored more than once (revised after the first load)."""
    if history is None or history.empty:
        return {}
    frame = history.loc[history["period"].astype(str) <= month, ["kpi_code", "area_code", "period"]]
    counts = frame.groupby(["kpi_code", "area_code", "period"], sort=False).size()
    revised: dict[tuple[str, str], set[str]] = {}
    for key, count in counts.items():
        if int(count) > 1:
            kpi_code, area_code, period = cast(tuple[str, str, str], key)
            revised.setdefault((str(kpi_code), str(area_code)), set()).add(str(period))
    return revised


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


def _series_quality(
    kpi: Kpi,
    area_code: str,
    rows: pd.DataFrame,
    month: str,
    revised_periods: set[str] | None,
) -> SeriesQuality:
    periods = sorted(str(p) for p in rows["period"].tolist())
    n = len(periods)
    latest = periods[-1] if periods else None
    month_no = month_index(month)
    lag = None if latest is None else month_no - month_index(latest)
    allowed = ALLOWED_LAG.get(kpi.frequency, 1)
    step = STEP_MONTHS.get(kpi.frequency, 1)

    expected_list: list[str] = []
    if latest is not None:
        start = max(month_no - WINDOW_MONTHS + 1, month_index(periods[0]))
        # the newest period that should exist by now: step on from the latest one while the
        # next period is already past its allowed lag; then count back through the window
        due = month_index(latest)
        while due + step <= month_no - allowed:
            due += step
        index = due
        while index >= start:
            expected_list.append(period_of_index(index))
            index -= step
    present_set = set(periods)
    present = sum(1 for p in expected_list if p in present_set)
    missing = sorted(p for p in expected_list if p not in present_set)

    statuses = [str(s) for s in rows["status"].tolist()]
    by_period = dict(zip([str(p) for p in rows["period"].tolist()], statuses, strict=True))
    provisional_periods = [p for p in periods if by_period.get(p) == "provisional"]
    recent = set(periods[-SIGN_OFF_GRACE:])
    old = sum(1 for p in provisional_periods if p not in recent)
    invalid = int(invalid_mask(kpi, rows).sum()) if n else 0
    synthetic = int(rows["synthetic"].fillna(False).astype(bool).sum()) if n else 0
    revised = None if revised_periods is None else len(revised_periods)
    marks = (
        _timeliness(kpi, latest, lag, allowed, month),
        _completeness(present, len(expected_list), missing),
        _validation(invalid, n),
        _sign_off(len(provisional_periods), old, n),
        _audit(revised, n),
        _source(synthetic, n),
    )
    return SeriesQuality(
        kpi_code=kpi.code,
        area_code=area_code,
        frequency=str(kpi.frequency),
        month=month,
        latest_period=latest,
        lag_months=lag,
        allowed_lag=allowed,
        expected_periods=len(expected_list),
        present_periods=present,
        n_values=n,
        invalid=invalid,
        revised=revised,
        provisional=len(provisional_periods),
        provisional_old=old,
        synthetic=synthetic,
        kite_mark=KiteMark(marks),
    )


_COLUMNS = (
    "kpi_code",
    "area_code",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "synthetic",
)


def series_quality(
    fw: Framework,
    current: pd.DataFrame,
    month: str,
    history: pd.DataFrame | None = None,
    area: str | None = None,
) -> list[SeriesQuality]:
    """Data quality of every KPI × area (its areas, or only ``area``) up to ``month``.

    Args:
        fw: the framework (frequency, unit and areas of each KPI).
        current: current observations (``Store.current`` columns), any periods.
        month: ``YYYY-MM``; later periods are ignored.
        history: every stored version (``Store.history()``), for revisions; None if unknown.
        area: only this area; all of each KPI's areas when None.

    Returns:
        One SeriesQuality per KPI × area, in framework order.
    """
    if current.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in _COLUMNS})
    else:
        frame = current.loc[current["period"].astype(str) <= month]
    groups: dict[tuple[str, str], pd.DataFrame] = {}
    for key, rows in frame.groupby(["kpi_code", "area_code"], sort=False):
        kpi_code, area_code = cast(tuple[str, str], key)
        groups[(str(kpi_code), str(area_code))] = rows
    revised = _revised_keys(history, month)
    empty = frame.iloc[0:0]
    out: list[SeriesQuality] = []
    for kpi in fw.kpis:
        for item in fw.kpi_areas(kpi.code):
            if area is not None and item.code != area:
                continue
            rows = groups.get((kpi.code, item.code), empty)
            periods = None if history is None else revised.get((kpi.code, item.code), set())
            out.append(_series_quality(kpi, item.code, rows, month, periods))
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
