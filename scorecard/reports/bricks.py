"""Bricks for their owners: each brick's KPIs with their state, events and what moved when. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.spc import SpcResult
from scorecard.statistics.spc_icons import CONCERN, IMPROVEMENT, NEITHER
from scorecard.thread.domain import Brick, Framework, Kpi, LinkKind, SpcEvent, SpcEventKind
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_index, month_long

# A KPI's state on a brick card, worst first: a brick's state is the worst of its card's KPIs.
STATES: Mapping[str, str] = {
    "concern": "Special-cause concern",
    "failing": "Consistently failing its target",
    "no_data": "No data for the month",
    "too_few": "Too few points for SPC",
    "common": "No special cause",
    "improvement": "Special-cause improvement",
    "not_reported": "Not reported for this area",
}
# The KPI detail views beside the SPC chart: activity beside lead, and every area and month.
VIEWS: tuple[str, ...] = ("lead", "areas")
# The events a brick declares for its activity KPIs, drawn on its activity and lead charts.
EVENT_KINDS: Mapping[SpcEventKind, str] = {
    SpcEventKind.CHANGE_POINT: "Change point",
    SpcEventKind.IMPROVEMENT_STARTED: "Improvement started",
    SpcEventKind.SUPPORT_ENDED: "Support ended",
}
NO_LEAD = "feeds no lead KPI in the framework"


def kpi_state(row: ScorecardRow | None) -> str:
    """A KPI's state on a card (a key of ``STATES``) from its scorecard row."""
    if row is None:
        return "not_reported"
    if row.period is None:
        return "no_data"
    if row.variation.startswith(CONCERN):
        return "concern"
    if row.assurance == "fail":
        return "failing"
    if row.variation == "none":
        return "too_few"
    if row.variation.startswith(IMPROVEMENT):
        return "improvement"
    return "common"


def worst_state(states: Iterable[str]) -> str:
    """The worst of some states (``not_reported`` when there are none)."""
    order = list(STATES)
    ranked = sorted(states, key=order.index)
    return ranked[0] if ranked else "not_reported"


@dataclass(frozen=True)
class CardKpi:
    """One KPI on a brick's card: its scorecard row for the area and month, and its links.

    ``leads`` are the lead KPIs an activity KPI feeds; ``fed_by`` the card's activity KPIs that
    feed a lead KPI; ``shared_with`` the other bricks an activity KPI also belongs to.
    """

    kpi: Kpi
    role: str  # "activity" or "lead"
    row: ScorecardRow | None
    leads: tuple[str, ...] = ()
    fed_by: tuple[str, ...] = ()
    shared_with: tuple[str, ...] = ()

    @property
    def state(self) -> str:
        """The KPI's state (a key of ``STATES``)."""
        return kpi_state(self.row)


@dataclass(frozen=True)
class BrickCard:
    """A brick with its activity KPIs and, once each, the lead KPIs they feed."""

    brick: Brick
    activity: tuple[CardKpi, ...]
    leads: tuple[CardKpi, ...]

    @property
    def kpis(self) -> tuple[CardKpi, ...]:
        """Every KPI on the card: activity first, then lead."""
        return self.activity + self.leads

    @property
    def state(self) -> str:
        """The worst state of the card's KPIs."""
        return worst_state(k.state for k in self.kpis)

    @property
    def worst(self) -> tuple[CardKpi, ...]:
        """The card's KPIs in the worst state."""
        state = self.state
        return tuple(k for k in self.kpis if k.state == state)

    @property
    def owners(self) -> tuple[str, ...]:
        """The owners of the brick's activity KPIs."""
        return tuple(dict.fromkeys(k.kpi.owner_role for k in self.activity if k.kpi.owner_role))


def brick_cards(fw: Framework, rows: Mapping[str, ScorecardRow]) -> list[BrickCard]:
    """Every brick's card in framework order, from the scorecard rows of one area and month.

    Args:
        fw: the framework.
        rows: the scorecard row of each KPI reported in the area (the row's target is the one
            the scorecard uses for that KPI and area).

    Returns:
        One card per brick; a brick without an activity KPI has an empty card.
    """
    kpis = {k.code: k for k in fw.kpis}
    cards: list[BrickCard] = []
    for brick in fw.bricks:
        codes = [c for c in fw.linked(LinkKind.BRICK_ACTIVITY_KPI, brick.code) if c in kpis]
        activity: list[CardKpi] = []
        fed_by: dict[str, list[str]] = {}
        for code in dict.fromkeys(codes):
            fed = tuple(c for c in fw.linked_to(LinkKind.LEAD_ACTIVITY_KPI, code) if c in kpis)
            for lead in fed:
                fed_by.setdefault(lead, []).append(code)
            others = tuple(
                b for b in fw.linked_to(LinkKind.BRICK_ACTIVITY_KPI, code) if b != brick.code
            )
            activity.append(CardKpi(kpis[code], "activity", rows.get(code), fed, (), others))
        leads = tuple(
            CardKpi(kpis[code], "lead", rows.get(code), (), tuple(feeders))
            for code, feeders in fed_by.items()
        )
        cards.append(BrickCard(brick, tuple(activity), leads))
    return cards


def select_cards(
    cards: Sequence[BrickCard],
    *,
    pillar: str = "",
    brick: str = "",
    owner: str = "",
    state: str = "",
) -> list[BrickCard]:
    """The cards a filter keeps ("" keeps all): pillar, brick, activity KPI owner, worst state."""
    return [
        c
        for c in cards
        if (not pillar or c.brick.pillar_code == pillar)
        and (not brick or c.brick.code == brick)
        and (not owner or owner in c.owners)
        and (not state or c.state == state)
    ]


def _value_text(row: ScorecardRow | None) -> str:
    if row is None:
        return ""
    if row.period is None:
        return "no data"
    if row.suppressed:
        return "* (suppressed small number)"
    return format_value(row.value, row.unit)


def cards_frame(cards: Sequence[BrickCard], area_name: str) -> pd.DataFrame:
    """The cards as one table, a row per brick and KPI (what the page offers as CSV and XLSX)."""
    records: list[dict[str, object]] = []
    for card in cards:
        for item in card.kpis:
            row = item.row
            records.append(
                {
                    "Brick": card.brick.name,
                    "Brick code": card.brick.code,
                    "Pillar": card.brick.pillar_code,
                    "Brick state": STATES[card.state],
                    "Role": "Activity KPI" if item.role == "activity" else "Lead KPI",
                    "KPI code": item.kpi.code,
                    "KPI": item.kpi.name,
                    "Owner": item.kpi.owner_role,
                    "Area": area_name,
                    "Period": row.period if row is not None else None,
                    "Value": None if row is None or row.suppressed else row.value,
                    "Value shown": _value_text(row),
                    "Unit": str(item.kpi.unit),
                    "Target": row.target if row is not None else None,
                    "Variation": row.variation if row is not None else None,
                    "Assurance": row.assurance if row is not None else None,
                    "State": STATES[item.state],
                    "Feeds lead KPIs": "; ".join(item.leads) if item.role == "activity" else "",
                    "Fed by": "; ".join(item.fed_by),
                    "Also in bricks": "; ".join(item.shared_with),
                    "Synthetic": bool(row.synthetic) if row is not None else None,
                }
            )
    return pd.DataFrame.from_records(records)


@dataclass(frozen=True)
class BrickEvent:
    """A declared event drawn on a brick's charts: when, what kind, which KPI, why."""

    period: str
    kind: str  # a label of ``EVENT_KINDS``
    kpi_code: str
    reason: str

    @property
    def label(self) -> str:
        """A short label for a chart: kind and KPI."""
        return f"{self.kind} ({self.kpi_code})"


def declared_events(fw: Framework, kpi_codes: Iterable[str], area: str) -> list[BrickEvent]:
    """The change points, improvement starts and ends of support declared for some KPIs.

    An event for all areas (blank area) or for ``area`` counts; an area's own improvement or
    end of support takes the place of the all-areas one, as in the SPC reading.
    """
    codes = set(kpi_codes)
    own = {
        (e.kpi_code, e.kind) for e in fw.spc_events if e.kpi_code in codes and e.area_code == area
    }
    out: list[BrickEvent] = []
    for event in fw.spc_events:
        if event.kpi_code not in codes or event.kind not in EVENT_KINDS:
            continue
        if event.area_code not in ("", area):
            continue
        replaced = event.kind != SpcEventKind.CHANGE_POINT and (event.kpi_code, event.kind) in own
        if event.area_code == "" and area and replaced:
            continue
        out.append(_event(event))
    return sorted(set(out), key=lambda e: (e.period, e.kpi_code, e.kind))


def _event(event: SpcEvent) -> BrickEvent:
    return BrickEvent(event.period, EVENT_KINDS[event.kind], event.kpi_code, event.reason)


@dataclass(frozen=True)
class Movement:
    """Where a series last moved: the state of its latest run of special-cause points."""

    kpi_code: str
    kpi_name: str
    state: str  # improvement, concern, neither, or "" when no special cause in the window
    start: str  # the first month of that run ("" when none)
    end: str  # its last month
    latest: str  # the latest month with a value


def movement(kpi: Kpi, periods: Sequence[str], result: SpcResult) -> Movement:
    """The latest run of consecutive special-cause points of one state in a series."""
    states = result.points.point_state
    values = result.points.values  # noqa: PD011 -- a numpy array of SpcPoints
    shown = [i for i in range(len(states)) if np.isfinite(values[i])]
    latest = periods[shown[-1]] if shown else ""
    special = [i for i in shown if states[i] in (IMPROVEMENT, CONCERN, NEITHER)]
    if not special:
        return Movement(kpi.code, kpi.name, "", "", "", latest)
    end = special[-1]
    state = states[end]
    position = shown.index(end)
    start = end
    while position > 0 and states[shown[position - 1]] == state:
        position -= 1
        start = shown[position]
    return Movement(kpi.code, kpi.name, state, periods[start], periods[end], latest)


_NATURE = {IMPROVEMENT: "improvement", CONCERN: "concern", NEITHER: "neither better nor worse"}


def _moved(m: Movement) -> str:
    if not m.state:
        return f"{m.kpi_code} shows no special cause in the months shown"
    span = (
        f"in {month_long(m.start)}"
        if m.start == m.end
        else f"from {month_long(m.start)} to {month_long(m.end)}"
    )
    return f"{m.kpi_code} showed special-cause {_NATURE[m.state]} {span}"


def movement_sentence(activity: Movement, leads: Sequence[Movement]) -> str:
    """What moved, when and in which order: no more than the data and the links support.

    E.g. "ACT-FFD showed special-cause improvement from March 2025 to June 2025; LEAD-EMADM
    showed special-cause improvement from May 2025 to June 2025, 2 months after ACT-FFD. The
    framework links them; the charts alone do not show that one caused the other."
    """
    parts = [_moved(activity)]
    for lead in leads:
        text = _moved(lead)
        if activity.state and lead.state:
            gap = month_index(lead.start) - month_index(activity.start)
            if gap > 0:
                text += f", {gap} month{'s' if gap != 1 else ''} after {activity.kpi_code}"
            elif gap < 0:
                text += f", {-gap} month{'s' if gap != -1 else ''} before {activity.kpi_code}"
            else:
                text += f", in the same month as {activity.kpi_code}"
        parts.append(text)
    tail = (
        " The framework links them; the charts alone do not show that one caused the other."
        if leads
        else ""
    )
    return "; ".join(parts) + "." + tail
