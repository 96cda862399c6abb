"""The special causes and SPC events the synthetic demo plants, placed in the demo's window."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

import pandas as pd

from scorecard.thread.domain import AreaType, Direction, Framework, Kpi, SpcEvent, SpcEventKind

DEFAULT_MONTHS: Final = 36

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
NO_DRIFT: Final = frozenset(p.kpi_code for p in PLANTS)


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


# Where the plants go


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
