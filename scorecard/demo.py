"""The synthetic demo store: every KPI × area × month, calibrated to the documents and real data.

Nothing here reads a data file: the real-data figures are literals below, each saying where it
came from (``scorecard.calibration`` derives them; ``tests/data/test_demo.py`` checks they still
match). Every value, and every SPC event it plants, is synthetic and is stored and labelled
as such.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import os
import secrets
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scorecard.domain import (
    EXTRACT_COLUMNS,
    Area,
    AreaType,
    Direction,
    Framework,
    Kpi,
    SpcEvent,
    SpcEventKind,
    Unit,
)
from scorecard.errors import Problem, UserError

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

DEFAULT_MONTHS: Final = 36
DEFAULT_SEED: Final = 20221
DEMO_NOTE: Final = "synthetic demo value"
DEMO_USER: Final = "demo"
DEMO_KIND: Final = "demo"
# KPIs that a connector fills with real figures: the demo still invents them, and says so.
CONNECTOR_NOTE: Final = (
    DEMO_NOTE + " (real values come from `import-nhse discharge-delays`; none are used here)"
)

# Anchors from the iCAN documents (domain ICAN_FRAMEWORK.md §3.4-3.5; over-65s, June 2022
# snapshot, "latest ONS data" for the population). They set a KPI's level only when its
# framework row has no baseline_value.
OVER_65_POPULATION: Final = 138_200
ED_ATTENDANCES_PER_DAY: Final = 149.0
EMERGENCY_ADMISSIONS_PER_DAY: Final = 93.0
IN_A_BED: Final = 711.0
URGENT_COMMUNITY_PER_DAY: Final = 26.5
PATIENTS_PER_MONTH: Final = 660.0  # "* Against a baseline of 660 patients per month" (§3.4)
MEAN_DAYS_PER_MONTH: Final = 365.25 / 12

# North and West Northamptonshire's shares of the county's over-65s (illustrative, rounded from
# ONS mid-year population estimates): places split flows by population.
PLACE_SHARE: Final[dict[str, float]] = {"E06000061": 0.47, "E06000062": 0.53}

# The rest is derived from tests/fixtures/realdata by
# `python -m scorecard.commands.calibration` (see scorecard.calibration for the method);
# values are all-ages figures for the two acute trusts.
# Trust shares of the two trusts' activity. Attendances: Apr 2021 - Feb 2024 only, because from
# Mar 2024 RNQ's reported attendances double without any change in its admissions (a counting
# change); admissions: Apr 2021 - Jul 2025 less Feb-Mar 2025, which the file repeats from 2024.
ATTENDANCE_SHARE: Final[dict[str, float]] = {"RNS": 0.56, "RNQ": 0.44}
ADMISSION_SHARE: Final[dict[str, float]] = {"RNS": 0.592, "RNQ": 0.408}
# Occupied general & acute beds, Apr 2022 - Aug 2025 (NHS England KH03 via healthyr).
BED_SHARE: Final[dict[str, float]] = {"RNS": 0.546, "RNQ": 0.454}
OCCUPANCY_PCT: Final[dict[str, float]] = {"RNS": 95.6, "RNQ": 97.7, "QPM": 96.6}
# Discharge delays (acute), the four published workbooks (Apr 2022, Oct 2022, Mar 2023,
# Jun 2023): monthly mean of patients remaining who no longer meet the criteria to reside
# (Table 2, over submitted days), NCTR discharges a day, and % of discharges to pathway 0
# (Table 4, suppressed '-' counted as 0); each the mean of the four months.
NCTR_REMAINING: Final[dict[str, float]] = {"QPM": 178.1, "RNS": 124.3, "RNQ": 54.1}
NCTR_SHARE: Final[dict[str, float]] = {"RNS": 0.697, "RNQ": 0.303}
DISCHARGES_PER_DAY: Final[dict[str, float]] = {"QPM": 122.0, "RNS": 57.9, "RNQ": 64.6}
P0_PCT: Final[dict[str, float]] = {"QPM": 90.5, "RNS": 83.0, "RNQ": 97.2}
# ASCOF 2D "outcome of short-term services: sequel to service" (OFLOG), mean of 2021-22 and
# 2022-23, a reablement proxy that separates the two places.
REABLEMENT_PCT: Final[dict[str, float]] = {"E06000061": 69.4, "E06000062": 45.3}
# Per-day seasonal index, January..December (ratio to a centred 2x12 moving average of the
# trusts' monthly totals divided by days in month), and the residual coefficient of variation.
# fmt: off
SEASON_ATTENDANCES: Final = (0.907, 0.985, 1.031, 0.970, 1.037, 1.056,
                             1.015, 0.932, 0.942, 1.084, 1.031, 1.010)
SEASON_ADMISSIONS: Final = (0.965, 1.005, 0.994, 0.954, 0.981, 1.014,
                            1.016, 0.959, 0.985, 1.028, 1.052, 1.047)
SEASON_BEDS: Final = (1.021, 1.014, 1.017, 1.005, 0.996, 0.993,
                      0.975, 0.962, 0.981, 1.004, 1.017, 1.015)
# fmt: on
NOISE_ATTENDANCES: Final = 0.026
NOISE_ADMISSIONS: Final = 0.028
NOISE_BEDS: Final = 0.007
FLAT_SEASON: Final = (1.0,) * 12

# Programme go-live: the iCAN collaborative started on 1 April 2023 (ICAN_FRAMEWORK.md §3.10
# item 8). From then an improving KPI moves towards its target over RAMP_MONTHS and then holds:
# it covers a fixed fraction of the way (IMPROVING KPIs: IMPROVING_PROGRESS; others one of
# PROGRESS_STEPS by name, so some stand still and some overshoot). Without a target on its
# good side, the whole way is IMPROVEMENT_CAP (relative; 4× that in log-odds for a %).
GO_LIVE: Final = "2023-04"
RAMP_MONTHS: Final = 24
PROGRESS_STEPS: Final = (0.0, 0.4, 0.7, 1.0, 1.3)
IMPROVING_PROGRESS: Final = 0.6
IMPROVEMENT_CAP: Final = 0.03
# Last month's figures of these KPIs arrive provisional (bed days are coded late; CHC spend is
# accrued and later restated).
PROVISIONAL_KPIS: Final = ("SYS-BEDDAYS", "SYS-CHC")
ICB: Final = "QPM"  # the calibration tables' whole-area entry


class Activity(StrEnum):
    """What a KPI counts, which sets its seasonality, noise and how providers share it."""

    ED = "ed"
    ADMISSION = "admission"
    BEDS = "beds"
    NCTR = "nctr"
    DISCHARGE = "discharge"
    COMMUNITY = "community"
    SOCIAL_CARE = "social_care"
    FINANCE = "finance"
    OTHER = "other"


ACUTE: Final = frozenset(
    {Activity.ED, Activity.ADMISSION, Activity.BEDS, Activity.NCTR, Activity.DISCHARGE}
)
# A provider without a calibrated share of acute activity (the community trust RP1 runs
# community hospitals and urgent care, not an ED) gets this share of the ICB's acute activity;
# the acute trusts share the rest in their calibrated proportions. Illustrative.
MINOR_PROVIDER_SHARE: Final = 0.05


@dataclass(frozen=True)
class _Profile:
    season: tuple[float, ...]
    noise: float  # relative sd of the monthly value at ICB level beyond season and trend
    provider_share: dict[str, float]
    per_day: float  # a count's level per day when the KPI has no baseline_value


PROFILES: Final[dict[Activity, _Profile]] = {
    Activity.ED: _Profile(
        SEASON_ATTENDANCES, NOISE_ATTENDANCES, ATTENDANCE_SHARE, ED_ATTENDANCES_PER_DAY
    ),
    Activity.ADMISSION: _Profile(
        SEASON_ADMISSIONS, NOISE_ADMISSIONS, ADMISSION_SHARE, EMERGENCY_ADMISSIONS_PER_DAY
    ),
    # Beds are full all year (96.6% occupancy): little noise, a mild winter swell. Over-65 stays
    # vary more than all-ages occupancy, so twice the occupied-bed noise.
    Activity.BEDS: _Profile(SEASON_BEDS, 2 * NOISE_BEDS, BED_SHARE, IN_A_BED),
    # Four published months cannot give NCTR's month-to-month noise: 6% is illustrative.
    Activity.NCTR: _Profile(SEASON_BEDS, 0.06, NCTR_SHARE, NCTR_REMAINING["QPM"]),
    Activity.DISCHARGE: _Profile(
        SEASON_ADMISSIONS, NOISE_ADMISSIONS, ADMISSION_SHARE, DISCHARGES_PER_DAY["QPM"]
    ),
    # Community and social care: no real monthly series here, so illustrative noise; urgent
    # community demand follows the admissions season.
    Activity.COMMUNITY: _Profile(SEASON_ADMISSIONS, 0.05, {}, URGENT_COMMUNITY_PER_DAY),
    Activity.SOCIAL_CARE: _Profile(FLAT_SEASON, 0.04, {}, PATIENTS_PER_MONTH / MEAN_DAYS_PER_MONTH),
    Activity.FINANCE: _Profile(FLAT_SEASON, 0.02, {}, PATIENTS_PER_MONTH / MEAN_DAYS_PER_MONTH),
    Activity.OTHER: _Profile(FLAT_SEASON, 0.05, {}, PATIENTS_PER_MONTH / MEAN_DAYS_PER_MONTH),
}

KNOWN_ACTIVITY: Final[dict[str, Activity]] = {
    "SYS-ATT": Activity.ED,
    "SYS-ADM": Activity.ADMISSION,
    "SYS-LOS": Activity.BEDS,
    "SYS-BEDDAYS": Activity.BEDS,
    "SYS-CHC": Activity.FINANCE,
    "LEAD-ESC": Activity.ED,
    "LEAD-ED": Activity.ED,
    "LEAD-EMADM": Activity.ADMISSION,
    "LEAD-NCTR": Activity.NCTR,
    "LEAD-P0": Activity.DISCHARGE,
    "LEAD-LONGSTAY": Activity.BEDS,
    "LEAD-HOME91": Activity.SOCIAL_CARE,
    "LEAD-CHADM": Activity.SOCIAL_CARE,
    "ACT-UCR2H": Activity.COMMUNITY,
    "ACT-P1DISCH": Activity.DISCHARGE,
    "ACT-WEBINAR": Activity.OTHER,
}
# For other KPIs, the first match wins on the KPI's name and definition, lower-cased.
_KEYWORDS: Final = (
    (("reablement", "care home", "social care", "still at home"), Activity.SOCIAL_CARE),
    (("no longer meet", "criteria to reside", "nctr"), Activity.NCTR),
    (("pathway", "discharg"), Activity.DISCHARGE),
    (("length of stay", "bed day", "occupied bed", "inpatient"), Activity.BEDS),
    (("admission", "admitted"), Activity.ADMISSION),
    (("ed attendance", "emergency department", "a&e", "escalation"), Activity.ED),
    (("spend", "cost", "£"), Activity.FINANCE),
    (("community", "urgent", "rapid response", "virtual ward", "referr"), Activity.COMMUNITY),
)
# A count that is a mean number of people at any time, not a flow through the month: it does
# not grow with the days in the month and keeps one decimal (e.g. the NCTR monthly mean).
_SNAPSHOT_WORDS: Final = (
    "mean over the month",
    "mean daily",
    "per day",
    "monthly average",
    "at any time",
    "snapshot",
)

# Denominators of percentage KPIs at ICB level, per month: (size, how it moves). "flow" grows
# with the days in the month and the KPI's season; "stock" barely moves; "days" is the days in
# the month. Anchored on the documents where they say (ED 149/day, admissions 93/day, urgent
# community 26.5/day, 138,200 over-65s) and on the discharge-delays workbooks (122
# discharges/day); the others are illustrative sizes.
PERCENT_DENOMINATORS: Final[dict[str, tuple[float, str]]] = {
    "LEAD-P0": (DISCHARGES_PER_DAY["QPM"] * MEAN_DAYS_PER_MONTH, "flow"),
    "LEAD-HOME91": (180.0, "flow"),
    "LEAD-CAREPLAN": (0.10 * OVER_65_POPULATION, "stock"),  # moderate/severe frailty ≈ 10%
    "LEAD-INVOLVED": (160.0, "flow"),
    "LEAD-EXPERIENCE": (140.0, "flow"),
    "ACT-UCR2H": (URGENT_COMMUNITY_PER_DAY * MEAN_DAYS_PER_MONTH, "flow"),
    "ACT-DNUNPL": (24_000.0, "flow"),
    "ACT-PROACTIVE": (0.10 * OVER_65_POPULATION, "stock"),
    "ACT-CFS": (ED_ATTENDANCES_PER_DAY * MEAN_DAYS_PER_MONTH, "flow"),
    "ACT-SDEC": (900.0, "flow"),
    "ACT-DISCHNOON": (EMERGENCY_ADMISSIONS_PER_DAY * MEAN_DAYS_PER_MONTH, "flow"),
    "ACT-REABLE": (PATIENTS_PER_MONTH / 3, "flow"),
    "ACT-DASH": (0.0, "days"),
    "ACT-FFD": (600.0, "flow"),
    "ACT-DEMENTIA": (0.6 * EMERGENCY_ADMISSIONS_PER_DAY * MEAN_DAYS_PER_MONTH, "flow"),
    "ACT-VWOCC": (120.0 * MEAN_DAYS_PER_MONTH, "flow"),  # 120 virtual ward beds × days
    "ACT-EOL": (260.0, "flow"),
    "ACT-EDD": (EMERGENCY_ADMISSIONS_PER_DAY * MEAN_DAYS_PER_MONTH, "flow"),
    "ACT-DSA": (24.0, "stock"),  # partner organisations
    "ACT-VACANCY": (1_200.0, "stock"),  # funded posts
    "ACT-ONTIME": (50.0, "stock"),  # KPIs due
}
DEFAULT_DENOMINATOR: Final = (PATIENTS_PER_MONTH, "flow")

# The default level of a KPI without a baseline_value, by unit.
DEFAULT_PERCENT: Final = 60.0
DEFAULT_RATE: Final = 100.0
DEFAULT_DAYS: Final = IN_A_BED / EMERGENCY_ADMISSIONS_PER_DAY  # ≈ 7.6 days: beds ÷ admissions
DEFAULT_GBP: Final = 1_000_000.0

# KPIs that improve gently after go-live, whatever _progress() would draw for them.
IMPROVING: Final = frozenset({"SYS-ATT", "SYS-ADM", "SYS-BEDDAYS", "LEAD-ESC", "LEAD-ED"})

CauseKind = Literal[
    "shift",
    "outlier",
    "trend",
    "assurance_fail",
    "assurance_pass",
    "change_point",
    "holding",
    "slipping",
    "lost",
]
SUSTAIN_KINDS: Final = ("holding", "slipping", "lost")
# Where the sustainability plants put their events, counted from the end of the window: the
# improvement 24 months before the end (12 points of the old process in a 36-month demo), the
# end of support 12 months before the end (12 points fix the improved limits, 12 follow).
SUSTAIN_IMPROVEMENT_FROM_END: Final = 24
SUSTAIN_SUPPORT_FROM_END: Final = 12
SUSTAIN_MIN_MONTHS: Final = 36


@dataclass(frozen=True)
class Plant:
    """A special cause the demo plants, positioned from the end of the window.

    ``from_end`` = how many months before the end the cause starts (1 = the last month);
    a change point takes its month from the framework's spc_events instead.
    """

    kpi_code: str
    kind: CauseKind
    from_end: int
    length: int
    story: str


# The special causes planted in every demo store (at the ICB, carried into the KPI's other
# areas). Each is sized against its own series' noise, so the SPC engine sees it whatever the
# seed; tests/data/test_demo.py checks that it does.
PLANTS: Final = (
    Plant(
        "LEAD-NCTR",
        "shift",
        9,
        9,
        "a discharge-to-assess hub opens: patients no longer meeting the criteria to reside "
        "fall by about a fifth and stay down (9 points below the mean)",
    ),
    Plant(
        "SYS-CHC",
        "outlier",
        11,
        1,
        "a backlog of retrospective CHC claims is paid in one month (one point above the UPL)",
    ),
    Plant(
        "LEAD-P0",
        "trend",
        8,
        8,
        "home-first discharge is rolled out ward by ward: the pathway 0 share rises every month "
        "(8 rising points)",
    ),
    Plant(
        "SYS-LOS",
        "assurance_fail",
        0,
        0,
        "length of stay has not moved: the 7% reduction lies beyond the process limits (fail)",
    ),
    Plant(
        "ACT-REABLE",
        "assurance_pass",
        0,
        0,
        "the new reablement offer keeps people independent: the target is met every month (pass)",
    ),
    Plant(
        "ACT-UCR2H",
        "change_point",
        0,
        0,
        "a recording change (the 2-hour clock now runs from referral to first contact) steps "
        "the % up at the change point recorded in spc_events",
    ),
    Plant(
        "LEAD-LONGSTAY",
        "holding",
        SUSTAIN_IMPROVEMENT_FROM_END,
        SUSTAIN_IMPROVEMENT_FROM_END,
        "a long-stay review panel cuts 21-day stays; after the partner's support ends the "
        "trusts keep the panel going and the improvement holds",
    ),
    Plant(
        "ACT-FFD",
        "slipping",
        SUSTAIN_IMPROVEMENT_FROM_END,
        SUSTAIN_IMPROVEMENT_FROM_END,
        "frailty front door assessments without admission rise; after support ends the rota "
        "thins and the share slips back part of the way (a run below the improved mean)",
    ),
    Plant(
        "ACT-DISCHNOON",
        "lost",
        SUSTAIN_IMPROVEMENT_FROM_END,
        SUSTAIN_IMPROVEMENT_FROM_END,
        "discharges before noon rise with board rounds; after support ends the rounds lapse "
        "and the share falls back to where it started (the improvement is lost)",
    ),
)
_NO_DRIFT: Final = frozenset(p.kpi_code for p in PLANTS)


@dataclass(frozen=True)
class PlantedCause:
    """A planted special cause resolved to the demo's window, for tests and the demo summary."""

    kpi_code: str
    area_code: str
    kind: CauseKind
    period: str  # the first month of the signal ("" for the assurance plants: the whole series)
    index: int  # position of that month in the window (-1 for the assurance plants)
    length: int
    story: str


@dataclass(frozen=True)
class DemoSummary:
    """What ``build_demo_store`` built."""

    path: Path
    kpis: int
    areas: int
    months: int
    rows: int
    seconds: float
    first_period: str
    last_period: str
    seed: int
    planted: tuple[PlantedCause, ...]


# Months


def last_month(now: datetime | None = None) -> str:
    """The month before ``now`` (UTC today by default) as ``YYYY-MM``."""
    now = now or datetime.now(tz=UTC)
    year, month = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def month_range(end_month: str, months: int) -> list[str]:
    """``months`` consecutive ``YYYY-MM`` months ending with ``end_month``."""
    end = pd.Period(end_month, freq="M")
    return [str(end - k) for k in range(months - 1, -1, -1)]


# Choosing how a KPI behaves


def activity_of(kpi: Kpi) -> Activity:
    """What the KPI counts: known codes first, else keywords in its name and definition."""
    if kpi.code in KNOWN_ACTIVITY:
        return KNOWN_ACTIVITY[kpi.code]
    if kpi.unit == Unit.GBP:
        return Activity.FINANCE
    text = f" {kpi.name} {kpi.definition} ".lower()
    for words, activity in _KEYWORDS:
        if any(w in text for w in words):
            return activity
    return Activity.OTHER


def is_snapshot(kpi: Kpi) -> bool:
    """Whether a count KPI is a mean number at any time rather than a flow in the month."""
    text = f" {kpi.name} {kpi.definition} ".lower()
    return kpi.unit == Unit.COUNT and any(w in text for w in _SNAPSHOT_WORDS)


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
    if kpi.direction == Direction.NEUTRAL or kpi.code in _NO_DRIFT:
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


def system_area(fw: Framework) -> str:
    """The code of the framework's whole-system area (the ICB), or "" if it has none."""
    return next((a.code for a in fw.areas if a.type == AreaType.SYSTEM), "")


def target_for(fw: Framework, kpi: Kpi, area_code: str, period: str) -> float | None:
    """The KPI's target for an area and month: a trajectory's, else the area's own."""
    for t in fw.trajectories:
        if t.kpi_code == kpi.code and t.area_code == area_code and t.period == period:
            return t.target
    return fw.target_of(kpi.code, area_code)


def _change_point(fw: Framework, kpi_code: str, periods: Sequence[str]) -> int | None:
    for event in fw.spc_events:
        if (
            event.kpi_code == kpi_code
            and event.kind == SpcEventKind.CHANGE_POINT
            and event.area_code in ("", system_area(fw))
            and event.period in periods[1:]
        ):
            return list(periods).index(event.period)
    return None


def _declares_sustain_events(fw: Framework, kpi_code: str) -> bool:
    timed = (SpcEventKind.IMPROVEMENT_STARTED, SpcEventKind.SUPPORT_ENDED)
    return any(e.kpi_code == kpi_code and e.kind in timed for e in fw.spc_events)


DEMO_EVENT_NOTE: Final = "synthetic demo"


# What each improvement the demo plants is, in the words of its events' reasons.
DEMO_EVENT_WORDS: Final[dict[str, str]] = {
    "LEAD-NCTR": "a discharge-to-assess hub opened",
    "LEAD-P0": "home-first discharge rolled out ward by ward",
    "LEAD-LONGSTAY": "a long-stay review panel started",
    "ACT-FFD": "frailty front door assessments started",
    "ACT-DISCHNOON": "board rounds for discharges before noon started",
}
# The improvements an analyst would have recorded a change point for: a sustained shift or
# trend whose cause is understood (Making Data Count recalculates the limits from there).
CHANGE_POINT_KINDS: Final = ("shift", "trend")


def demo_events(fw: Framework, periods: Sequence[str]) -> tuple[SpcEvent, ...]:
    """The SPC events of the improvements the demo plants, as an analyst would record them.

    A change point at the start of each planted shift and trend, and the improvement and
    end-of-support events of the sustainability plants. They belong to the synthetic demo,
    not to the framework: they are derived from the demo's window (the same for any seed);
    every reason says "synthetic demo", and ``build_demo_store`` writes them into the demo
    store, marked synthetic, where the product reads them.
    """
    if not periods:
        return ()
    found: list[SpcEvent] = []
    for cause in planted_causes(fw, len(periods), periods[-1]):
        words = DEMO_EVENT_WORDS.get(cause.kpi_code, "an improvement")
        if cause.kind in CHANGE_POINT_KINDS:
            found.append(
                SpcEvent(
                    cause.kpi_code,
                    cause.period,
                    SpcEventKind.CHANGE_POINT,
                    f"{DEMO_EVENT_NOTE}: {words}; the limits are recalculated from here",
                )
            )
        if cause.kind not in SUSTAIN_KINDS:
            continue
        support = periods[len(periods) - SUSTAIN_SUPPORT_FROM_END]
        found += [
            SpcEvent(
                cause.kpi_code,
                cause.period,
                SpcEventKind.IMPROVEMENT_STARTED,
                f"{DEMO_EVENT_NOTE}: improvement started ({words})",
            ),
            SpcEvent(
                cause.kpi_code,
                support,
                SpcEventKind.SUPPORT_ENDED,
                f"{DEMO_EVENT_NOTE}: external support ended",
            ),
        ]
    return tuple(found)


def planted_causes(
    fw: Framework, months: int = DEFAULT_MONTHS, end_month: str | None = None
) -> tuple[PlantedCause, ...]:
    """The special causes a demo of this framework and window carries (the same for any seed).

    A plant is left out when its KPI is not in the framework or not reported for the ICB, when
    the window is too short for it, when an assurance plant's KPI has no target or no
    direction, or when the change point recorded in spc_events falls outside the window.
    """
    periods = month_range(end_month or last_month(), months)
    codes = {k.code for k in fw.kpis}
    found: list[PlantedCause] = []
    for plant in PLANTS:
        if plant.kpi_code not in codes:
            continue
        kpi = fw.kpi(plant.kpi_code)
        system = system_area(fw)
        if system not in {a.code for a in fw.kpi_areas(kpi.code)}:
            continue
        if plant.kind in ("assurance_fail", "assurance_pass"):
            target = target_for(fw, kpi, system, periods[-1])
            if kpi.direction != Direction.NEUTRAL and target is not None and months >= 15:
                found.append(PlantedCause(kpi.code, system, plant.kind, "", -1, 0, plant.story))
            continue
        if plant.kind in SUSTAIN_KINDS:
            # Real improvement or support events for the KPI take precedence over a plant.
            if months < SUSTAIN_MIN_MONTHS or _declares_sustain_events(fw, kpi.code):
                continue
            start = months - plant.from_end
            found.append(
                PlantedCause(
                    kpi.code, system, plant.kind, periods[start], start, plant.length, plant.story
                )
            )
            continue
        if plant.kind == "change_point":
            index = _change_point(fw, kpi.code, periods)
            if index is None:
                continue
            length = months - index
        else:
            # Leave 15 points before the signal so the limits come from common cause.
            if months < plant.from_end + 15:
                continue
            index, length = months - plant.from_end, plant.length
        found.append(
            PlantedCause(kpi.code, system, plant.kind, periods[index], index, length, plant.story)
        )
    return tuple(found)


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
    from scorecard import sustain

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
        if not areas:
            continue
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
    from scorecard import benefits
    from scorecard.domain import BenefitKpiRole

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
    from scorecard.reconciliation import wholes_and_parts

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


def demo_file_name(seed: int, months: int, end_month: str) -> str:
    """The name the demo's load carries in the load log (says it is synthetic)."""
    return f"synthetic-demo seed={seed} months={months} end={end_month}"


def build_demo_store(
    path: Path,
    fw: Framework,
    months: int = DEFAULT_MONTHS,
    seed: int = DEFAULT_SEED,
    end_month: str | None = None,
) -> DemoSummary:
    """Build the demo store at ``path``, replacing any demo or empty store there atomically.

    The rows go through the same pipeline as real loads (``pipeline.load_frame``: Pandera
    schema and cross rules, load log), marked synthetic, into a new store in a temporary file
    beside ``path``; that file is then moved over ``path`` with one ``os.replace`` under the
    store's writer lock. On any failure the temporary files are removed and ``path`` is left
    as it was; readers see the old store or the new one, never a half-built one. A store
    holding real (non-synthetic) loads, or a file that is not a store, is never replaced.

    Raises:
        UserError: ``path`` is not a demo store, or the validation rejected the rows.
    """
    from scorecard import pipeline, store_writes

    started = time.perf_counter()
    end = end_month or last_month()
    _check_replaceable(path)
    frame = generate_demo(fw, months, seed, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per build: DuckDB caches instances by path within a process.
    tmp = path.with_name(f".{path.name}.demo-{os.getpid()}-{secrets.token_hex(4)}")
    leftovers = [
        tmp,
        Path(f"{tmp}.wal"),
        store_writes.lock_path(tmp),
        store_writes.tmp_path(tmp),
        Path(f"{store_writes.tmp_path(tmp)}.wal"),
    ]
    try:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        # The planted improvements' events are data of this store, kept through later loads.
        events = demo_events(fw, month_range(end, months))
        store_writes.init_store(tmp, fw, events, events_synthetic=True)
        report = pipeline.load_frame(
            tmp,
            fw,
            frame,
            demo_file_name(seed, months, end),
            kind=DEMO_KIND,
            user=DEMO_USER,
            synthetic=True,
            # The load log's fingerprint of what was generated (same seed and window, same hash).
            sha256=hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest(),
        )
        if report.status != pipeline.LOADED:
            # The framework and the generator disagree (e.g. a unit the demo cannot draw):
            # say what the validation said; the existing store is left as it was.
            raise UserError(report.errors or "the demo rows could not be loaded")
        with store_writes.writer_lock(path):
            _check_replaceable(path)  # again: a real load may have landed meanwhile
            # The old store is being discarded: a log it left behind must not replay onto
            # the new file.
            Path(f"{path}.wal").unlink(missing_ok=True)
            tmp.replace(path)
            _fsync_dir(path.parent)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    from scorecard.demo_commentary import add_demo_commentary

    add_demo_commentary(fw, path, end)  # the owners' words a newcomer sees, labelled synthetic
    return DemoSummary(
        path=path,
        kpis=int(frame["kpi_code"].nunique()),
        areas=int(frame["area_code"].nunique()),
        months=months,
        rows=len(frame),
        seconds=time.perf_counter() - started,
        first_period=month_range(end, months)[0],
        last_period=end,
        seed=seed,
        planted=planted_causes(fw, months, end),
    )


def _check_replaceable(path: Path) -> None:
    """Refuse to replace anything but an empty or all-synthetic (demo) store.

    Raises:
        UserError: ``path`` holds real loads, or is not a scorecard store at all.
    """
    from scorecard.store import Store

    if not path.exists():
        return
    try:
        loads = Store(path).loads()
    except Exception as err:  # unreadable as a store (UserError, or DuckDB's own errors)
        message = (
            f"{path} exists and is not a scorecard store; the demo only replaces a demo store, "
            "so it was left as it is (choose another --db, or remove the file)"
        )
        raise UserError(Problem(str(path), None, "--db", "", "demo_store", message)) from err
    real = int((~loads["synthetic"].astype(bool)).sum())
    if real:
        message = (
            f"{path} holds {real} load(s) of real data; the demo only replaces a synthetic demo "
            "store, so it was left as it is (use another --db for the demo)"
        )
        raise UserError(Problem(str(path), None, "--db", "", "demo_store", message))


def _fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
