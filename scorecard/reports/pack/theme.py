"""The Board pack's colours, point shapes, glossary and how it writes periods and values."""

from __future__ import annotations

import math
from collections.abc import Mapping

from scorecard.statistics import icons, spc_icons
from scorecard.thread.periods import month_long, month_short

# NHS identity colours (as the app's theme) and the Making Data Count palette
# (scorecard.statistics.icons).
NHS_BLUE = icons.NHS_BLUE
NHS_DARK_BLUE = "#003087"
NHS_GREY = icons.NHS_DARK_GREY
NHS_MID_GREY = icons.NHS_MID_GREY
NHS_PALE_GREY = "#e8edee"
NHS_TEXT = icons.NHS_TEXT
TARGET = icons.MDC_TARGET
WHITE = "#ffffff"

# Point states as the app's charts draw them (scorecard.reports.charts_layout): a colour and a shape
# each, so colour is never the only cue; provisional points are drawn open.
STATE_SHAPES: Mapping[str, str] = {
    spc_icons.COMMON_CAUSE: "circle",
    spc_icons.IMPROVEMENT: "diamond",
    spc_icons.CONCERN: "square",
    spc_icons.NEITHER: "triangle-up",
    spc_icons.EXCLUDED: "x",
}
STATE_NAMES: Mapping[str, str] = {
    spc_icons.COMMON_CAUSE: "Common cause",
    spc_icons.IMPROVEMENT: "Improvement",
    spc_icons.CONCERN: "Concern",
    spc_icons.NEITHER: "Neither improvement nor concern",
    spc_icons.EXCLUDED: "Excluded from calculation",
}

SYNTHETIC_LABEL = "SYNTHETIC DATA – not real NHS or council figures"
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "iCAN",
        "Integrated Care Across Northamptonshire: the NHS and councils' programme for "
        "frail and older people.",
    ),
    ("ICS / ICB / ICP", "Integrated Care System / Board / Partnership."),
    (
        "Golden thread",
        "The chain from ICS population outcome and ICP ambition, through the "
        "iCAN outcome and its lead KPI, to the activity KPI of a brick and the I-statements "
        "residents co-produced.",
    ),
    ("Lead KPI", "The measure that shows whether an iCAN outcome is being delivered."),
    (
        "Activity KPI",
        "A brick's measure of real change on the ground: how much, how well, or "
        "is anyone better off.",
    ),
    ("Brick", "A unit of delivery under a pillar, e.g. Rapid Response or Discharge to Assess."),
    ("I-statement", "What good care means in a resident's own words."),
    (
        "SPC, XmR chart",
        "Statistical process control: an individuals chart with limits from the "
        "average moving range (NHS England 'Making Data Count').",
    ),
    (
        "Mean, process limits",
        "The centre line, and mean ± 2.66 × the average moving range: "
        "nearly every point falls between the limits while nothing changes.",
    ),
    (
        "Special cause",
        "A signal that something has changed: a point beyond a limit, a run of "
        "7 points on one side of the mean, a trend of 7 rising or falling points, or 2 of 3 "
        "points near a limit.",
    ),
    ("Common cause", "The routine variation of a stable process."),
    ("Variation icon", "Is something changing, and is it improvement or concern?"),
    (
        "Assurance icon",
        "Will the process reliably hit the target (pass), miss it (fail), or "
        "sometimes (hit or miss)?",
    ),
    ("Run chart", "Fewer than 15 points: no limits and no icons yet."),
    ("Change point", "A recorded change (e.g. in recording) after which limits are recalculated."),
    ("Provisional", "A value the data owner may still revise."),
    (
        "Suppressed (*)",
        "A count of 1–7 people in an area smaller than the ICB, or a rate built "
        "on one, is not published so that no one can be identified.",
    ),
    (
        "Seed / illustrative",
        "Seed facts are stated in the iCAN documents; illustrative ones "
        "were proposed by the scorecard team where the documents are silent.",
    ),
    ("NCTR", "Patients who no longer meet the criteria to reside in hospital."),
    (
        "P0–P3",
        "Discharge pathways: 0 home without new support, 1 home with support, 2 "
        "bed-based, 3 long-term care.",
    ),
    ("UCR", "Urgent community response (two-hour standard)."),
    ("BRG", "Benefits Realisation Group."),
)


def period_label(period: str | None) -> str:
    """A ``YYYY-MM`` period as "Mar 2025" ("no data" for None)."""
    return month_short(period) if period else "no data"


month_words = month_long


def as_float(value: object) -> float | None:
    """A stored value as a finite float, or None (missing, NaN, or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
