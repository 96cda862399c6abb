"""The synthetic demo's values: each KPI's ICB series with its plant, then its areas' series.

Every value is synthetic and says so in its note; the benefits plant and the parts that add up
to their whole are applied last.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scorecard.synthetic.demo_plants import (
    DEFAULT_MONTHS,
    NO_DRIFT,
    SUSTAIN_KINDS,
    SUSTAIN_SUPPORT_FROM_END,
    PlantedCause,
    last_month,
    month_range,
    planted_causes,
    system_area,
    target_for,
)
from scorecard.synthetic.demo_profiles import (
    ACUTE,
    ADMISSION_SHARE,
    BED_SHARE,
    DEFAULT_DAYS,
    DEFAULT_DENOMINATOR,
    DEFAULT_GBP,
    DEFAULT_PERCENT,
    DEFAULT_RATE,
    GO_LIVE,
    ICB,
    IMPROVEMENT_CAP,
    IMPROVING,
    IMPROVING_PROGRESS,
    MEAN_DAYS_PER_MONTH,
    MINOR_PROVIDER_SHARE,
    P0_PCT,
    PERCENT_DENOMINATORS,
    PLACE_SHARE,
    PROFILES,
    PROGRESS_STEPS,
    PROVISIONAL_KPIS,
    RAMP_MONTHS,
    REABLEMENT_PCT,
    Activity,
    activity_of,
    is_snapshot,
)
from scorecard.thread.domain import (
    DERIVED_KPIS,
    EXTRACT_COLUMNS,
    Area,
    AreaType,
    Direction,
    Framework,
    Kpi,
    Unit,
)

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

DEFAULT_SEED: Final = 20221
DEMO_NOTE: Final = "synthetic demo value"
# KPIs that a connector fills with real figures: the demo still invents them, and says so.
CONNECTOR_NOTE: Final = (
    DEMO_NOTE + " (real values come from `import-nhse discharge-delays`; none are used here)"
)


# How a KPI moves


def _stable(*parts: str) -> int:
    """A seed-independent integer for names (Python's hash() is salted per process)."""
    return zlib.crc32("|".join(parts).encode())


def _default_level(kpi: Kpi, activity: Activity) -> float:
    profile = PROFILES[activity]
    if kpi.unit == Unit.PERCENT:
        return P0_PCT["QPM"] if activity == Activity.DISCHARGE else DEFAULT_PERCENT
    if kpi.unit == Unit.RATE:
        return DEFAULT_RATE
    if kpi.unit == Unit.DAYS:
        return DEFAULT_DAYS
    if kpi.unit == Unit.GBP:
        return DEFAULT_GBP
    return profile.per_day if is_snapshot(kpi) else profile.per_day * MEAN_DAYS_PER_MONTH


def _progress(kpi: Kpi) -> float:
    """How far towards its target the KPI moves after go-live (0 = not at all)."""
    if kpi.direction == Direction.NEUTRAL or kpi.code in NO_DRIFT:
        return 0.0
    if kpi.code in IMPROVING:
        return IMPROVING_PROGRESS
    return PROGRESS_STEPS[_stable("progress", kpi.code) % len(PROGRESS_STEPS)]


def _distance(kpi: Kpi, level: float) -> float:
    """From baseline to target on the series' scale (log-odds for %, log otherwise)."""
    sign = _sign(kpi)
    target = kpi.target_value
    if kpi.unit == Unit.PERCENT:
        if target is not None and 0 < target < 100 and (target - level) * sign > 0:
            return float(_logit(target / 100) - _logit(level / 100))
        return sign * 4 * IMPROVEMENT_CAP
    if target is not None and target > 0 and level > 0 and (target - level) * sign > 0:
        return math.log(target / level)
    return sign * IMPROVEMENT_CAP


def _sign(kpi: Kpi) -> float:
    """+1 where higher is better, -1 where lower is better (neutral: treated as lower)."""
    return 1.0 if kpi.direction == Direction.INCREASE else -1.0


# The series


def _xmr(x: FloatArray) -> tuple[float, float]:
    """Mean and XmR half-width (2.66 × mean moving range): used only to size the plants."""
    return float(np.mean(x)), 2.66 * float(np.mean(np.abs(np.diff(x))))


def _logit(p: float | FloatArray) -> FloatArray:
    q = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def _expit(z: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)


def _floats(x: object) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass
class _Series:
    """One KPI's series for one area (numerator and denominator for percentages)."""

    value: FloatArray
    numerator: FloatArray | None = None
    denominator: FloatArray | None = None


@functools.cache
def _calendar(periods: tuple[str, ...]) -> tuple[NDArray[np.int64], FloatArray, FloatArray]:
    """Per month: calendar month 1-12, days in the month, months since go-live (0 before)."""
    index = pd.PeriodIndex(periods, freq="M")
    go_live = pd.Period(GO_LIVE, freq="M").ordinal
    since = np.maximum(index.asi8 - go_live, 0)
    arrays = (np.asarray(index.month, dtype=np.int64), _floats(index.days_in_month), _floats(since))
    for a in arrays:
        a.setflags(write=False)  # shared by every KPI of the window through the cache
    return arrays


class _Kpi:
    """Everything the generator needs about one KPI over one window.

    The ICB series is a deterministic function of a plant's size (the random draws are made
    once), so a plant can be grown until its series shows it.
    """

    def __init__(self, fw: Framework, kpi: Kpi, periods: Sequence[str], seed: int) -> None:
        self.fw, self.kpi, self.periods, self.seed = fw, kpi, list(periods), seed
        self.n = len(periods)
        self.activity = activity_of(kpi)
        self.profile = PROFILES[self.activity]
        self.percent = kpi.unit == Unit.PERCENT
        self.additive = kpi.unit in (Unit.COUNT, Unit.GBP)
        self.snapshot = is_snapshot(kpi)
        rng = np.random.default_rng([seed, _stable("kpi", kpi.code)])
        self.z = rng.standard_normal(self.n)  # the KPI's own variation
        self.z_count = rng.standard_normal(self.n)  # Poisson-like counting noise
        self.z_den = rng.standard_normal(self.n)  # wobble of a % KPI's denominator
        month, self.days, since = _calendar(tuple(self.periods))
        self.season = _floats(np.array(self.profile.season)[month - 1])
        flow = self.additive and not self.snapshot
        # A flow counts every day of the month; a snapshot, %, rate or mean does not.
        self.calendar = self.season * (self.days / MEAN_DAYS_PER_MONTH) if flow else self.season
        if kpi.unit in (Unit.RATE, Unit.DAYS, Unit.PERCENT):
            self.calendar = _floats(1.0 + 0.5 * (self.season - 1.0))  # half the swing
        self.flow = flow
        self.level = (
            kpi.baseline_value
            if kpi.baseline_value is not None
            else _default_level(kpi, self.activity)
        )
        ramp = np.minimum(since / RAMP_MONTHS, 1.0)
        self.drift = _floats(ramp * _progress(kpi) * _distance(kpi, self.level))
        self.den = self._denominator() if self.percent else None

    def _denominator(self) -> FloatArray:
        size, how = PERCENT_DENOMINATORS.get(self.kpi.code, DEFAULT_DENOMINATOR)
        if how == "days":
            return self.days.copy()
        if how == "stock":
            return _floats(np.rint(size * (1 + 0.005 * self.z_den)))
        moved = size * self.season * (self.days / MEAN_DAYS_PER_MONTH)
        return _floats(np.maximum(np.rint(moved * (1 + 0.03 * self.z_den)), 10.0))

    def system(self, effect: FloatArray, level: float) -> _Series:
        """The ICB series for a planted effect (multiplier; log-odds shift for a %) and level."""
        if self.den is not None:
            noise = 0.04 * self.z
            p = _expit(_logit(level / 100.0) + self.drift + effect + noise)
            num = _floats(np.clip(np.rint(self.den * p), 0, self.den))
            return _Series(100.0 * num / self.den, num, self.den)
        mu = level * self.calendar * np.exp(self.drift) * effect
        x = mu * (1 + self.profile.noise * self.z)
        if self.flow and self.kpi.unit == Unit.COUNT:
            x = x + np.sqrt(np.maximum(mu, 0.0)) * self.z_count
        return _Series(self.rounded(np.maximum(x, 0.0)))

    def rounded(self, x: FloatArray) -> FloatArray:
        """Values as they would be reported in the KPI's unit."""
        unit = self.kpi.unit
        if unit == Unit.COUNT:
            return _floats(np.round(x, 1) if self.snapshot else np.rint(x))
        if unit == Unit.GBP:
            return _floats(np.rint(x))
        return _floats(np.round(x, 2 if unit == Unit.DAYS else 1))

    def neutral(self) -> FloatArray:
        """The effect that changes nothing."""
        return np.zeros(self.n) if self.percent else np.ones(self.n)


def _grow(
    k: _Kpi,
    make: Callable[[float], tuple[FloatArray, float]],
    ok: Callable[[_Series], bool],
    start: float,
    step: float,
) -> _Series:
    """Grow a plant's size from ``start`` by ``step`` until ``ok`` holds (at most 80 steps)."""
    size = start
    series = k.system(*make(size))
    for _ in range(80):
        if ok(series):
            break
        size += step
        series = k.system(*make(size))
    return series


def _sustained(k: _Kpi, cause: PlantedCause) -> _Series:
    """An improvement, then after support ends: held, slipped part of the way, or lost.

    Sized in units of the series' own noise (σ̂ from the unplanted series): the improvement is
    a step of 6σ̂ on the good side; after support the level stays (holding), falls back 1.5σ̂
    (slipping) or returns to a little below where it started (lost). Each is grown until the
    sustainability verdict reads as planned.
    """
    from scorecard.statistics import sustain

    plain = k.system(k.neutral(), k.level).value
    mr = float(np.mean(np.abs(np.diff(plain)))) / 1.128
    mean = float(np.mean(plain))
    if k.percent:
        p = min(max(mean / 100.0, 0.01), 0.99)
        sigma = mr / 100.0 / (p * (1 - p))
    else:
        sigma = mr / max(mean, 1e-9)
    sign = _sign(k.kpi)
    start = cause.index
    support = k.n - SUSTAIN_SUPPORT_FROM_END
    improved = np.zeros(k.n, dtype=bool)
    improved[start:] = True
    after = np.zeros(k.n, dtype=bool)
    after[support:] = True

    def make(size: float) -> tuple[FloatArray, float]:
        step = 6.0 * sigma
        later = {"holding": step + size, "slipping": step - size, "lost": -size}[cause.kind]
        effect = np.where(after, later, np.where(improved, step, 0.0)) * sign
        return (_floats(effect) if k.percent else _floats(np.exp(effect))), k.level

    def reads(s: _Series) -> bool:
        v = sustain.assess(s.value, k.kpi.direction, start, support)
        return v.status == cause.kind

    first = {"holding": 0.0, "slipping": 1.5 * sigma, "lost": 0.3 * sigma}[cause.kind]
    return _grow(k, make, reads, first, 0.25 * sigma)


def _planted(k: _Kpi, cause: PlantedCause | None) -> _Series:
    """The ICB series with its planted cause, if any, sized against the series' own noise."""
    if cause is None:
        return k.system(k.neutral(), k.level)
    if cause.kind in SUSTAIN_KINDS:
        return _sustained(k, cause)
    sign = _sign(k.kpi)
    window = np.zeros(k.n, dtype=bool)
    if cause.index >= 0:
        window[cause.index : cause.index + cause.length] = True

    def moved(size: float, up: float) -> tuple[FloatArray, float]:
        effect = np.where(window, size * up, 0.0)
        return (_floats(effect) if k.percent else _floats(np.exp(effect))), k.level

    if cause.kind in ("shift", "change_point"):
        # Every moved point clearly on the far side of the whole series' mean: a run.
        up = sign if cause.kind == "shift" else 1.0

        def beyond_mean(s: _Series) -> bool:
            mean, _ = _xmr(s.value)
            spread = float(np.std(s.value[~window]))
            return bool(np.all((s.value[window] - mean) * up > 0.5 * spread))

        return _grow(k, lambda size: moved(size, up), beyond_mean, 0.5 if k.percent else 0.2, 0.05)

    if cause.kind == "outlier":

        def above_upl(s: _Series) -> bool:
            mean, half = _xmr(s.value)
            return bool(s.value[cause.index] > mean + 1.15 * half)

        return _grow(k, lambda size: moved(size, 1.0), above_upl, 0.25, 0.05)

    if cause.kind == "trend":
        step = 0.08 if k.percent else 0.02
        ramp = _floats(np.cumsum(window) * window * step * sign)
        return _monotonic(k.system(ramp if k.percent else np.exp(ramp), k.level), window, sign)

    # Assurance: a flat series whose limits sit clear of the target on one side.
    target = target_for(k.fw, k.kpi, system_area(k.fw), k.periods[-1])
    if target is None:  # planted_causes leaves such KPIs out
        return k.system(k.neutral(), k.level)
    passing = cause.kind == "assurance_pass"
    good = 1.0 if passing else -1.0  # pass: the process sits on the good side of the target

    def levelled(size: float) -> tuple[FloatArray, float]:
        shift = sign * good * size
        if k.percent:
            return k.neutral(), float(100 * _expit(_logit(target / 100) + shift)[()])
        return k.neutral(), target * math.exp(shift)

    def clear(s: _Series) -> bool:
        mean, half = _xmr(s.value)
        # pass: target beyond the limit on the bad side; fail: beyond it on the good side.
        return bool((target - mean) * sign * -good > 1.3 * half)

    start = 0.02
    if not passing and k.level > 0 and target > 0 and k.level * sign < target * sign:
        start = max(start, abs(math.log(k.level / target)))  # fail from the baseline
    return _grow(k, levelled, clear, start, 0.01)


def _monotonic(series: _Series, window: BoolArray, sign: float) -> _Series:
    """Sort a trend's points so each is strictly beyond the one before (ties broken by 1)."""
    where = np.flatnonzero(window)
    order = where[np.argsort(series.value[where] * sign, kind="stable")]
    value = series.value.copy()
    value[where] = series.value[order]
    if series.numerator is None or series.denominator is None:
        for a, b in itertools.pairwise(where):
            if value[b] * sign <= value[a] * sign:
                value[b] = value[a] + sign * max(abs(value[a]) * 1e-3, 1.0)
        return _Series(value)
    num, den = series.numerator.copy(), series.denominator.copy()
    num[where], den[where] = series.numerator[order], series.denominator[order]
    for a, b in itertools.pairwise(where):
        while value[b] * sign <= value[a] * sign and 0 <= num[b] + sign <= den[b]:
            num[b] += sign
            value[b] = 100.0 * num[b] / den[b]
    return _Series(value, num, den)


# Areas


def _jitter(what: str, area: Area, sd: float) -> float:
    """A fixed, seed-independent normal draw per (what, area): areas keep their character."""
    rng = np.random.default_rng(_stable("area", what, area.code))
    return float(sd * rng.standard_normal())


def area_share(fw: Framework, area: Area, activity: Activity, areas: Sequence[Area]) -> float:
    """The area's share of the ICB total of an additive KPI reported for ``areas``.

    Places split the county by over-65 population; providers by the calibrated trust shares of
    the KPI's activity (a provider without one: MINOR_PROVIDER_SHARE of acute activity, an
    even split otherwise); PCNs and LAPs split their parent's share unevenly (list sizes).
    """
    if area.type == AreaType.SYSTEM:
        return 1.0
    if area.type == AreaType.PROVIDER:
        providers = [a.code for a in areas if a.type == AreaType.PROVIDER]
        known = {c: v for c, v in PROFILES[activity].provider_share.items() if c in providers}
        if not known:
            return 1.0 / len(providers)
        others = [c for c in providers if c not in known]
        minor = MINOR_PROVIDER_SHARE if activity in ACUTE else 1.0 / len(providers)
        if area.code in others:
            return minor
        return (1.0 - minor * len(others)) * known[area.code] / sum(known.values())
    same = [a for a in fw.areas if a.type == area.type and a.parent_code == area.parent_code]
    if area.type == AreaType.PLACE:
        known = {a.code: PLACE_SHARE[a.code] for a in same if a.code in PLACE_SHARE}
        others = [a.code for a in same if a.code not in known]
        left = max(0.0, 1.0 - sum(known.values()))
        shares = {**known, **{c: left / len(others) for c in others}}
        return shares[area.code] / sum(shares.values())
    parent = next((a for a in fw.areas if a.code == area.parent_code), None)
    parent_share = (
        area_share(fw, parent, activity, areas)
        if parent is not None and parent.type in (AreaType.PLACE, AreaType.PCN)
        else 1.0
    )
    weights = {a.code: math.exp(_jitter("list size", a, 0.3)) for a in same}
    return parent_share * weights[area.code] / sum(weights.values())


def _offset(kpi: Kpi, area: Area, activity: Activity) -> float:
    """How the area's level differs from the ICB's for a non-additive KPI.

    A log-odds shift for a percentage, else a log-ratio; calibrated where the real data tells
    the areas apart, otherwise a small fixed jitter per area.
    """
    if area.type == AreaType.SYSTEM:
        return 0.0
    if kpi.unit == Unit.PERCENT:
        table: dict[str, float] = {}
        if kpi.code == "LEAD-P0" or (activity == Activity.DISCHARGE and "pathway 0" in kpi.name):
            table = P0_PCT
        elif activity == Activity.SOCIAL_CARE:
            mean = sum(REABLEMENT_PCT[c] * PLACE_SHARE[c] for c in PLACE_SHARE)
            table = {ICB: mean, **REABLEMENT_PCT}
        if area.code in table and ICB in table:
            return float(_logit(table[area.code] / 100) - _logit(table[ICB] / 100))
        return _jitter(kpi.code, area, 0.15)
    if activity == Activity.BEDS and kpi.unit == Unit.DAYS and area.code in BED_SHARE:
        # Length of stay ∝ bed days ÷ admissions.
        return math.log(BED_SHARE[area.code] / ADMISSION_SHARE[area.code])
    return _jitter(kpi.code, area, 0.06)


def _area_series(k: _Kpi, area: Area, system: _Series, areas: Sequence[Area]) -> _Series:
    """An area's series, derived from the ICB's so that planted causes show there too."""
    if area.type == AreaType.SYSTEM:
        return system
    rng = np.random.default_rng([k.seed, _stable("kpi", k.kpi.code), _stable("area", area.code)])
    z = rng.standard_normal(k.n)
    z_count = rng.standard_normal(k.n)
    if system.denominator is not None:
        share = area_share(k.fw, area, k.activity, areas)
        den = _floats(np.maximum(np.rint(system.denominator * share * (1 + 0.03 * z)), 1.0))
        p = _expit(_logit(system.value / 100.0) + _offset(k.kpi, area, k.activity))
        sd = np.sqrt(den * p * (1 - p))
        num = _floats(np.clip(np.rint(den * p + sd * z_count), 0, den))
        return _Series(100.0 * num / den, num, den)
    if k.additive:
        mean = system.value * area_share(k.fw, area, k.activity, areas)
        x = mean * (1 + 0.02 * z)
        if k.flow and k.kpi.unit == Unit.COUNT:
            x = x + np.sqrt(np.maximum(mean, 0.0)) * z_count  # smaller areas are noisier
        return _Series(k.rounded(_floats(np.maximum(x, 0.0))))
    x = system.value * math.exp(_offset(k.kpi, area, k.activity)) * (1 + k.profile.noise * z)
    return _Series(k.rounded(_floats(np.maximum(x, 0.0))))


# The whole demo


def generate_demo(
    fw: Framework,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    end_month: str | None = None,
) -> pd.DataFrame:
    """The demo's rows in the KPI-extract shape (CONTRACT §2.2), all synthetic.

    Args:
        fw: the framework: every KPI × each of its areas (``fw.kpi_areas``) gets a series.
        months: how many months, ending with ``end_month``.
        seed: the random seed; the same seed, framework and window give the same rows.
        end_month: the last month (``YYYY-MM``); default the month before today.

    Returns:
        Columns kpi_code, area_code, period, value, numerator, denominator (for percentages;
        empty otherwise), status (``final``, ``provisional`` for the last month of
        PROVISIONAL_KPIS) and note (``synthetic demo value``, saying so too for KPIs that a
        connector could fill with real figures).
    """
    if months < 1:
        msg = "months must be at least 1"
        raise ValueError(msg)
    end = end_month or last_month()
    periods = month_range(end, months)
    causes = {c.kpi_code: c for c in planted_causes(fw, months, end)}
    columns: dict[str, list[object]] = {c: [] for c in EXTRACT_COLUMNS}
    final = np.full(months, "final", dtype=object)
    last_provisional = final.copy()
    last_provisional[-1] = "provisional"
    for kpi in fw.kpis:
        areas = fw.kpi_areas(kpi.code)
        if not areas or kpi.code in DERIVED_KPIS:
            continue  # a derived KPI comes from the BRG's (synthetic) sign-offs, not from here
        k = _Kpi(fw, kpi, periods, seed)
        system = _planted(k, causes.get(kpi.code))
        status = last_provisional if kpi.code in PROVISIONAL_KPIS else final
        note = CONNECTOR_NOTE if kpi.source_key else DEMO_NOTE
        for area in areas:
            one = _area_series(k, area, system, areas)
            columns["kpi_code"].append(np.full(months, kpi.code, dtype=object))
            columns["area_code"].append(np.full(months, area.code, dtype=object))
            columns["period"].append(np.asarray(periods, dtype=object))
            columns["value"].append(one.value)
            columns["numerator"].append(_optional(one.numerator, months))
            columns["denominator"].append(_optional(one.denominator, months))
            columns["status"].append(status)
            columns["note"].append(np.full(months, note, dtype=object))
    if not columns["value"]:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in EXTRACT_COLUMNS})
    frame = pd.DataFrame({c: np.concatenate(v) for c, v in columns.items()})  # type: ignore[arg-type]
    return add_up_parts(fw, plant_benefits(fw, frame, end))


# The benefits plant (synthetic): in the latest month the system-wide measure of this line shows
# only this share of the line's operational improvement, so the attribution's "capped" case
# (operational improvement larger than the system-wide change) is always on show.
BENEFIT_CAPPED_LINE: Final = "BEN-BED"
BENEFIT_CAPPED_SHARE: Final = 0.5


def plant_benefits(fw: Framework, frame: pd.DataFrame, end: str) -> pd.DataFrame:
    """The demo rows with the benefits plant applied to the system-wide KPI's latest month.

    Every area's value of that KPI in the month is scaled by the same factor, so the areas
    still add up to the ICB. A framework without the line (or its KPIs) is left as it is.
    """
    from scorecard.reports import benefits
    from scorecard.thread.domain import BenefitKpiRole

    try:
        line = fw.benefits.line(BENEFIT_CAPPED_LINE)
    except KeyError:
        return frame
    systems = fw.benefits.line_kpis(line.code, BenefitKpiRole.SYSTEM_WIDE)
    if len(systems) != 1:
        return frame
    last = frame[(frame["area_code"] == system_area(fw)) & (frame["period"] == end)]
    values = {str(k): float(v) for k, v in zip(last["kpi_code"], last["value"], strict=True)}
    impact = benefits.operational_impact(fw, line, values)
    code = systems[0].kpi_code
    if impact is None or impact <= 0 or not values.get(code):
        return frame
    factor = benefits.system_value_for(fw, line, impact * BENEFIT_CAPPED_SHARE, end) / values[code]
    planted = frame.copy()
    mask = (planted["kpi_code"] == code) & (planted["period"] == end)
    planted.loc[mask, "value"] = np.rint(planted.loc[mask, "value"].astype(float) * factor)
    return planted


def add_up_parts(fw: Framework, frame: pd.DataFrame) -> pd.DataFrame:
    """The demo rows with each declared KPI's parts made to add up to their whole, month by month.

    The parts keep their shares of their own total; the last part takes what rounding leaves, so
    the sum equals the whole exactly (in the KPI's reporting precision).
    """
    from scorecard.statistics.reconciliation import wholes_and_parts

    out = frame.copy()
    for rec in fw.reconciliations:
        pairs = wholes_and_parts(fw, rec.kpi_code)
        if not pairs:
            continue  # e.g. a framework trimmed of the KPI
        kpi = fw.kpi(rec.kpi_code)
        decimals = 1 if is_snapshot(kpi) else 0
        of_kpi = out["kpi_code"] == kpi.code
        for whole, parts in pairs:
            codes = [p.code for p in parts]
            table = out[of_kpi & out["area_code"].isin([whole.code, *codes])].pivot_table(
                index="period", columns="area_code", values="value", aggfunc="first"
            )
            if table.isna().any().any() or not {whole.code, *codes} <= set(table.columns):
                continue
            shares = table[codes].astype(float)
            scaled = shares.div(shares.sum(axis=1), axis=0).mul(table[whole.code], axis=0)
            rounded = scaled.round(decimals)
            rounded[codes[-1]] = (table[whole.code] - rounded[codes[:-1]].sum(axis=1)).round(
                decimals
            )
            for code in codes:
                rows = of_kpi & (out["area_code"] == code)
                out.loc[rows, "value"] = out.loc[rows, "period"].map(rounded[code]).to_numpy()
    return out


def _optional(x: FloatArray | None, n: int) -> FloatArray:
    return np.full(n, np.nan) if x is None else x
