"""How each KPI behaves in the synthetic demo: calibration figures, activities and profiles.

Nothing here reads a data file: the real-data figures are literals below, each saying where it
came from (``scorecard.data.calibration`` derives them; ``tests/data/test_demo.py`` checks
they still match).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from scorecard.thread.domain import Kpi, Unit

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
# `python -m scorecard.commands.calibration` (see scorecard.data.calibration for the method);
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
