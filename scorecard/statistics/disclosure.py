"""Disclosure control: small numbers of people at sub-ICB areas are published as "*"."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from scorecard.statistics.spc import SpcResult
from scorecard.thread.domain import Area, AreaType, Framework, Kpi, Unit
from scorecard.thread.numbers import SUPPRESSED_MARK

# Counts of 1-7 people are not published below ICB level (NHS statistical disclosure practice
# for health data about small groups; zero is safe to publish, it identifies no one).
SMALL_NUMBER_MIN = 1
SMALL_NUMBER_MAX = 7
SUB_ICB_AREA_TYPES: frozenset[AreaType] = frozenset(
    {AreaType.PLACE, AreaType.PROVIDER, AreaType.PCN, AreaType.LAP}
)
SUPPRESSION_NOTE = (
    f'"{SUPPRESSED_MARK}" = suppressed: a count of {SMALL_NUMBER_MIN}-{SMALL_NUMBER_MAX} people '
    f"(or a rate or percentage built on one) in an area smaller than the ICB is not published, "
    f"so that no one can be identified. The value is kept in the store."
)


def _is_small(number: float | None) -> bool:
    """Whether a count rounds to 1-7 people (None and NaN are not counts)."""
    if number is None or not math.isfinite(number):
        return False
    return SMALL_NUMBER_MIN <= round(number) <= SMALL_NUMBER_MAX


def is_suppressed(
    kpi: Kpi,
    area: Area,
    value: float | None,
    numerator: float | None,
    denominator: float | None,
) -> bool:
    """Whether a published figure must be shown as "*" instead of its value.

    Applies only to KPIs marked ``suppress_small_numbers`` at sub-ICB areas (place, provider,
    PCN, LAP). A count KPI is suppressed when its value (or numerator) is 1-7 people; a rate,
    percentage or other derived KPI when its numerator is 1-7 people.

    Args:
        kpi: The KPI the figure belongs to.
        area: The area the figure is for.
        value: The KPI's value in its unit (None when missing).
        numerator: The numerator count, if known.
        denominator: The denominator count, if known (kept for the signature's symmetry: a
            denominator of 1-7 with a numerator of 1-7 is caught by the numerator rule).

    Returns:
        True when the figure must not be published.
    """
    del denominator  # every small denominator with a non-zero numerator has a small numerator
    if not kpi.suppress_small_numbers or area.type not in SUB_ICB_AREA_TYPES:
        return False
    if _is_small(numerator):
        return True
    return kpi.unit == Unit.COUNT and _is_small(value)


def _optional(number: object) -> float | None:
    """A frame cell as a float, or None when missing."""
    if number is None:
        return None
    try:
        result = float(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(result) else result


def apply_suppression(fw: Framework, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of an observations-shaped frame with small numbers hidden.

    The frame needs ``kpi_code``, ``area_code`` and ``value`` columns; ``numerator`` and
    ``denominator`` are used when present. Suppressed rows get ``value`` (and numerator and
    denominator) set to missing and ``suppressed`` True; rows for codes the framework does not
    know are left as they are.

    Args:
        fw: The framework (for each KPI's setting and each area's type).
        frame: Rows with at least kpi_code, area_code and value.

    Returns:
        A new frame with a boolean ``suppressed`` column added (or updated).
    """
    out = frame.copy()
    kpis = {k.code: k for k in fw.kpis}
    areas = {a.code: a for a in fw.areas}
    has_num = "numerator" in out.columns
    has_den = "denominator" in out.columns
    flags: list[bool] = []
    for record in out.to_dict("records"):
        kpi = kpis.get(str(record.get("kpi_code")))
        area = areas.get(str(record.get("area_code")))
        flags.append(
            kpi is not None
            and area is not None
            and is_suppressed(
                kpi,
                area,
                _optional(record.get("value")),
                _optional(record.get("numerator")) if has_num else None,
                _optional(record.get("denominator")) if has_den else None,
            )
        )
    mask = pd.Series(flags, index=out.index, dtype=bool)
    if "suppressed" in out.columns:
        mask_all = mask | out["suppressed"].fillna(False).astype(bool)
    else:
        mask_all = mask
    out["suppressed"] = mask_all
    hidden = [c for c in ("value", "numerator", "denominator") if c in out.columns]
    if hidden and bool(mask.any()):
        out[hidden] = out[hidden].astype("float64")
        out.loc[mask, hidden] = math.nan
    return out


def shown(value: float | None, suppressed: bool, digits: int = 1) -> str:
    """A value as published: "*" when suppressed, "–" when missing, else rounded."""
    if suppressed:
        return SUPPRESSED_MARK
    if value is None or not math.isfinite(value):
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


# Secondary (complementary) suppression. A total published beside its parts gives a suppressed
# part away by subtraction (ICB 305 - West 300 = North 5). Where one part of a total is
# suppressed and the total is published, the smallest other published part is suppressed too;
# where no other part can be, or the suppressed parts together are themselves a small number,
# the total is suppressed instead (the ONS and NHS England practice of complementary
# suppression).
SECONDARY_NOTE = (
    "A second figure is suppressed where a total and its other parts would let a suppressed "
    "one be worked out by subtraction; the mean and process limits of a series with a "
    "suppressed point are withheld below ICB level, because the mean times the number of "
    "points, less the published values, would give the suppressed value back."
)


def _parts(fw: Framework, kpi: Kpi) -> dict[str, list[str]]:
    """Each reported area of a KPI that is a total of others: its reported child areas."""
    reported = {a.code for a in fw.kpi_areas(kpi.code)}
    parts: dict[str, list[str]] = {}
    for area in fw.kpi_areas(kpi.code):
        if area.parent_code and area.parent_code in reported:
            parts.setdefault(area.parent_code, []).append(area.code)
    return parts


def hidden_cells(fw: Framework, frame: pd.DataFrame) -> pd.DataFrame:
    """Which observations disclosure control hides, and why, across every area of a frame.

    Args:
        fw: The framework (each KPI's setting, each area's type and parent).
        frame: Observations (kpi_code, area_code, period, value; numerator and denominator
            when present) with every area of the KPIs concerned, so that totals and their
            parts are seen together.

    Returns:
        The frame's index with ``primary`` (a small number) and ``secondary`` (hidden so that
        a primary one cannot be worked out) boolean columns.
    """
    primary = apply_suppression(fw, frame.drop(columns=["suppressed"], errors="ignore"))[
        "suppressed"
    ].astype(bool)
    secondary = pd.Series(False, index=frame.index, dtype=bool)
    if not bool(primary.any()):
        return pd.DataFrame({"primary": primary, "secondary": secondary})
    values = pd.to_numeric(frame["value"], errors="coerce")
    kpis = {k.code: k for k in fw.kpis}
    flagged = frame.loc[primary, ["kpi_code", "period"]].drop_duplicates()
    for kpi_code, period in flagged.itertuples(index=False):
        kpi = kpis.get(str(kpi_code))
        if kpi is None:
            continue
        same = frame.index[(frame["kpi_code"] == kpi_code) & (frame["period"] == period)]
        where = {str(frame.loc[i, "area_code"]): i for i in same}
        for total, children in _parts(fw, kpi).items():
            if total not in where:
                continue
            rows = [where[c] for c in children if c in where]
            hidden = [i for i in rows if primary[i]]
            if not hidden or primary[where[total]]:
                continue
            shown_rows = [i for i in rows if not primary[i] and not math.isnan(values[i])]
            if len(hidden) == 1 and shown_rows:
                secondary[min(shown_rows, key=lambda i: values[i])] = True
            elif len(hidden) == 1 or _is_small(float(values[hidden].sum())):
                secondary[where[total]] = True
    return pd.DataFrame({"primary": primary, "secondary": secondary & ~primary})


def suppress_all(fw: Framework, frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame with both small numbers and the figures that would give them away hidden.

    Like ``apply_suppression`` (``suppressed`` column, values set missing), but the frame must
    hold every area of its KPIs so that totals and parts are seen together.
    """
    cells = hidden_cells(fw, frame)
    out = apply_suppression(fw, frame)
    mask = cells["primary"] | cells["secondary"]
    out["suppressed"] = mask
    hidden = [c for c in ("value", "numerator", "denominator") if c in out.columns]
    if hidden and bool(mask.any()):
        out[hidden] = out[hidden].astype("float64")
        out.loc[mask, hidden] = math.nan
    return out


def hidden_periods(fw: Framework, frame: pd.DataFrame, kpi_code: str, area_code: str) -> set[str]:
    """The periods of one KPI × area that disclosure control hides (small or secondary).

    ``frame`` holds the KPI's observations for every area (so that totals are seen).
    """
    if frame.empty:
        return set()
    mine = frame[(frame["kpi_code"] == kpi_code)]
    cells = hidden_cells(fw, mine)
    mask = (cells["primary"] | cells["secondary"]) & (mine["area_code"] == area_code)
    return {str(p) for p in mine.loc[mask, "period"]}


def published_result(result: SpcResult, hidden: npt.NDArray[np.bool_]) -> SpcResult:
    """An SPC result as it may be drawn or published when some of its points are hidden.

    The hidden points become gaps (neither drawn nor hovered), and the centre line, the process
    limits and the 2-sigma lines are withheld: with them and the published values the hidden
    ones could be worked out (the mean times the number of points, less the others). The
    variation and assurance icons are kept. Unchanged when nothing is hidden.
    """
    if not bool(np.asarray(hidden).any()):
        return result
    pts = result.points
    values = np.where(hidden, np.nan, pts.values)
    values.setflags(write=False)
    gone = np.full(len(pts.values), np.nan)
    gone.setflags(write=False)
    states = tuple(
        "missing" if hide else state for hide, state in zip(hidden, pts.point_state, strict=True)
    )
    shown_at = np.flatnonzero(~np.asarray(hidden) & np.isfinite(pts.values))
    return dataclasses.replace(
        result,
        points=dataclasses.replace(
            pts,
            values=values,
            point_state=states,
            mean=gone,
            median=gone,
            upl=gone,
            lpl=gone,
            upper_2s=gone,
            lower_2s=gone,
        ),
        latest_index=int(shown_at[-1]) if shown_at.size else None,
        mean=None,
        upl=None,
        lpl=None,
    )
