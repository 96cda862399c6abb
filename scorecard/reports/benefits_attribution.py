"""The attribution rule: a system-wide improvement split between the programme and the rest."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scorecard.thread.domain import Direction


class Case(StrEnum):
    """How a month's system-wide change and operational improvement were reconciled."""

    EXPLAINED = "explained"  # operational ≤ system: operational credited, the rest is other
    CAPPED = "capped"  # operational > system: credit capped at the system improvement
    OPPOSITE = "opposite"  # system got worse while the operational KPI improved: no credit
    NO_OPERATIONAL_IMPROVEMENT = "no_operational_improvement"  # nothing to credit
    NOT_RECONCILED = "not_reconciled"  # no system-wide figure: credited bottom up
    NO_OPERATIONAL_DATA = "no_operational_data"  # the driving KPI has no value


@dataclass(frozen=True)
class Attribution:
    """A month's split of the system-wide improvement (positive numbers are improvements).

    ``programme`` is credited to the programme, ``other`` to other impacts (i.e. Covid);
    ``offset`` is operational improvement the system-wide measure does not show (capped or
    opposite cases): improvement offset by pressures elsewhere, not credited.
    """

    case: Case
    system: float | None
    operational: float | None
    programme: float
    other: float | None
    offset: float
    sentence: str


def short_number(x: float) -> str:
    """A number as the sentences write it: at most one decimal below 1,000, none from 1,000."""
    return f"{x:,.1f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:,.0f}"


def attribute_improvements(system: float | None, operational: float | None) -> Attribution:
    """Split a system-wide improvement by the operational improvement (same units, better > 0).

    The documents' rule (§4.2): "if our LoS has dropped by 3 days and our operational indicators
    show a process improvement of 2 days, 2 days of impact will be reported against the
    programme and 1 to other impacts". The cases they leave open:

    - operational larger than the system improvement (``CAPPED``): the programme is credited
      with the system improvement only; the excess is ``offset`` (other pressures hid it);
    - the system measure not improving while the operational KPI improves (``OPPOSITE``): no
      credit, the discrepancy is for the BRG to explain (the documents: "any discrepancies
      should be explainable");
    - no system-wide figure (``NOT_RECONCILED``): the operational improvement is credited bottom
      up (method 4) and said to be unreconciled;
    - no operational improvement, or no operational data: nothing is credited.
    """
    if operational is None or not math.isfinite(operational):
        return Attribution(
            Case.NO_OPERATIONAL_DATA,
            system,
            None,
            0.0,
            system,
            0.0,
            "The operational KPI has no value: nothing is credited.",
        )
    if system is None or not math.isfinite(system):
        credit = max(operational, 0.0)
        return Attribution(
            Case.NOT_RECONCILED,
            None,
            operational,
            credit,
            None,
            0.0,
            f"No system-wide figure: the operational improvement of {short_number(credit)} is "
            "credited bottom up, not reconciled with a system-wide measure.",
        )
    if operational <= 0:
        return Attribution(
            Case.NO_OPERATIONAL_IMPROVEMENT,
            system,
            operational,
            0.0,
            system,
            0.0,
            f"The operational KPI shows no improvement: all of the system-wide change "
            f"({short_number(system)}) is other impacts.",
        )
    if system <= 0:
        return Attribution(
            Case.OPPOSITE,
            system,
            operational,
            0.0,
            system,
            operational,
            f"The system-wide measure did not improve ({short_number(system)}) while the "
            f"operational KPI improved by {short_number(operational)}: nothing is credited until "
            "the BRG explains the discrepancy.",
        )
    if operational <= system:
        return Attribution(
            Case.EXPLAINED,
            system,
            operational,
            operational,
            system - operational,
            0.0,
            f"Of a system-wide improvement of {short_number(system)}, the operational KPI explains "
            f"{short_number(operational)} (credited to the programme); "
            f"{short_number(system - operational)} is other impacts.",
        )
    return Attribution(
        Case.CAPPED,
        system,
        operational,
        system,
        0.0,
        operational - system,
        f"The operational improvement ({short_number(operational)}) is larger than the "
        f"system-wide improvement ({short_number(system)}): the programme is credited with "
        f"{short_number(system)}; {short_number(operational - system)} is offset by pressures "
        "elsewhere.",
    )


def attribute(
    system_change: float | None, operational_change: float | None, direction: Direction
) -> Attribution:
    """``attribute_improvements`` for signed changes of a measure with this direction.

    E.g. the documents' example: ``attribute(-3, -2, Direction.DECREASE)`` credits 2 days to
    the programme and 1 day to other impacts.
    """
    sign = -1.0 if direction == Direction.DECREASE else 1.0
    return attribute_improvements(
        None if system_change is None else sign * system_change,
        None if operational_change is None else sign * operational_change,
    )


__all__ = [
    "Attribution",
    "Case",
    "attribute",
    "attribute_improvements",
    "short_number",
]
