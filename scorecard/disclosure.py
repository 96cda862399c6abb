"""Disclosure control: small numbers of people at sub-ICB areas are published as "*"."""

from __future__ import annotations

import math

import pandas as pd

from scorecard.domain import Area, AreaType, Framework, Kpi, Unit
from scorecard.numbers import SUPPRESSED_MARK

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
