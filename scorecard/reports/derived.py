"""KPIs computed from people's records instead of loaded: ACT-BENEFIT from the BRG's sign-offs.

``ACT-BENEFIT`` ("Benefits signed off by the Benefits Realisation Group") is the £ value the
BRG signed off in a month. A BRG sign-off is of a benefit line's delivered value *to* its month
(cumulative, in £'000; ``scorecard.reports.benefits``), so the value signed off in a month is the
increase in the sum, over the register's lines, of each line's latest sign-off at or before
the month. Summed over the months it is exactly the Benefits page's "signed off" total (× 1000).

Months without a sign-off: the series starts in the first month the BRG signed off (the
month of its earliest sign-off); from then to the last month shown every month has a value,
0 where nothing was signed off. Before it there is no value: the BRG's record of sign-offs
starts then, and a month before it is "not recorded", not "£0 signed off" (the benefits plan
starts years before any store's data). Beside a store where the BRG has signed off nothing
there is no ACT-BENEFIT value at all.

The series is synthetic when any sign-off it rests on is synthetic (the demo's, written by
``SYNTHETIC_SIGNER`` with notes starting ``SYNTHETIC_LABEL``). Stored ACT-BENEFIT values (an
older store's) are ignored by every reader, and an extract cannot load them (the extract
schema's ``not_derived`` rule).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Final, Protocol

import numpy as np
import pandas as pd

from scorecard.reports.benefits import SignedOff
from scorecard.reports.benefits_plan import months_between
from scorecard.reports.scoring_series import CurrentReader
from scorecard.thread.domain import DERIVED_KPIS, OBSERVATION_COLUMNS, AreaType, Framework

ACT_BENEFIT: Final = "ACT-BENEFIT"
DERIVED_SOURCE: Final = "derived from the BRG's sign-offs"
DERIVED_LOAD_ID: Final = 0  # no load wrote these values (loads are numbered from 1)
SYNTHETIC_SIGNER: Final = "synthetic-demo"  # the demo's BRG member (user id)
SYNTHETIC_LABEL: Final = "[Synthetic demo]"  # every text the demo writes starts with this
_ORDER: Final = ["kpi_code", "area_code", "period"]


class BenefitSignOffEntry(SignedOff, Protocol):
    """A BRG sign-off as ``Reviews.benefit_signoffs`` returns it, with who recorded it and why."""

    @property
    def author_id(self) -> str:
        """Who recorded it."""
        ...

    @property
    def note(self) -> str:
        """The BRG's note."""
        ...


def is_synthetic(signoff: BenefitSignOffEntry) -> bool:
    """Whether a sign-off is the demo's (its synthetic signer, or its note says synthetic)."""
    return signoff.author_id == SYNTHETIC_SIGNER or signoff.note.startswith(SYNTHETIC_LABEL)


def empty_observations() -> pd.DataFrame:
    """No observations, in the columns and types ``Store.current`` returns."""
    return pd.DataFrame(
        {
            "kpi_code": pd.Series(dtype=object),
            "area_code": pd.Series(dtype=object),
            "period": pd.Series(dtype=object),
            "value": pd.Series(dtype="float64"),
            "numerator": pd.Series(dtype="float64"),
            "denominator": pd.Series(dtype="float64"),
            "status": pd.Series(dtype=object),
            "note": pd.Series(dtype=object),
            "load_id": pd.Series(dtype="int64"),
            "synthetic": pd.Series(dtype=bool),
        }
    )


def signed_off_by_month(
    signoffs: Sequence[BenefitSignOffEntry], lines: Sequence[str], months: Sequence[str]
) -> list[float]:
    """The £'000 signed off in each month: the rise in the lines' latest sign-offs' sum.

    Args:
        signoffs: the current sign-off of each line × month (``Reviews.benefit_signoffs``).
        lines: the register's line codes (a sign-off of any other code is not counted, as on
            the Benefits page).
        months: consecutive months, oldest first; a sign-off before the first counts in it.
    """
    known = set(lines)
    by_month: dict[str, list[BenefitSignOffEntry]] = {}
    for s in sorted(signoffs, key=lambda s: s.period):
        if s.line_code in known:
            by_month.setdefault(max(s.period, months[0]) if months else s.period, []).append(s)
    latest: dict[str, tuple[str, float]] = {}
    out: list[float] = []
    before = 0.0
    for month in months:
        for s in by_month.get(month, ()):
            if s.line_code not in latest or s.period >= latest[s.line_code][0]:
                latest[s.line_code] = (s.period, float(s.amount_k))
        total = sum(amount for _, amount in latest.values())
        out.append(total - before)
        before = total
    return out


def benefit_rows(fw: Framework, signoffs: Sequence[BenefitSignOffEntry], end: str) -> pd.DataFrame:
    """ACT-BENEFIT's rows derived from the BRG's sign-offs, months up to ``end``.

    Args:
        fw: the framework (ACT-BENEFIT's areas of type ``system``; the register's lines).
        signoffs: the BRG's current sign-offs (``Reviews.benefit_signoffs()``).
        end: the last month (``YYYY-MM``); sign-offs of later months are left out.

    Returns:
        ``Store.current`` columns, one row per month and system area: the value in £ signed
        off in the month (see the module's docstring for which months have one), status
        final, the note saying where it comes from, load id ``DERIVED_LOAD_ID``, synthetic when
        any sign-off is. No rows without the KPI, a system area or a sign-off up to ``end``.
    """
    if ACT_BENEFIT not in {k.code for k in fw.kpis}:
        return empty_observations()
    areas = [a.code for a in fw.kpi_areas(ACT_BENEFIT) if a.type == AreaType.SYSTEM]
    lines = [line.code for line in fw.benefits.lines]
    shown = [s for s in signoffs if s.period <= end and s.line_code in set(lines)]
    if not areas or not shown:
        return empty_observations()
    months = months_between(min(s.period for s in shown), end)
    values = np.round(np.array(signed_off_by_month(shown, lines, months)) * 1000, 2)
    synthetic = any(is_synthetic(s) for s in shown)
    n = len(months)
    frames = [
        pd.DataFrame(
            {
                "kpi_code": [ACT_BENEFIT] * n,
                "area_code": [area] * n,
                "period": list(months),
                "value": values.astype("float64"),
                "numerator": np.full(n, np.nan),
                "denominator": np.full(n, np.nan),
                "status": ["final"] * n,
                "note": [DERIVED_SOURCE] * n,
                "load_id": np.full(n, DERIVED_LOAD_ID, dtype="int64"),
                "synthetic": np.full(n, synthetic, dtype=bool),
            }
        )
        for area in areas
    ]
    return pd.concat(frames, ignore_index=True)


def joined(
    stored: pd.DataFrame,
    derived: pd.DataFrame,
    kpi_codes: list[str] | None = None,
    area_codes: list[str] | None = None,
    up_to: str | None = None,
) -> pd.DataFrame:
    """Stored observations with every derived KPI's stored values replaced by derived ones.

    Args:
        stored: ``Store.current`` rows (read with the same filters).
        derived: the derived rows (``benefit_rows``).
        kpi_codes: the KPI filter the stored rows were read with (None: all).
        area_codes: the area filter (None: all).
        up_to: the last month read (None: all).
    """
    kept = stored.loc[~stored["kpi_code"].isin(DERIVED_KPIS)] if len(stored) else stored
    add = derived
    if kpi_codes is not None:
        add = add.loc[add["kpi_code"].isin(kpi_codes)]
    if area_codes is not None:
        add = add.loc[add["area_code"].isin(area_codes)]
    if up_to is not None:
        add = add.loc[add["period"] <= up_to]
    if add.empty:
        return kept.reset_index(drop=True) if len(kept) != len(stored) else stored
    if kept.empty:
        columns = list(stored.columns) if len(stored.columns) else list(OBSERVATION_COLUMNS)
        return add.reindex(columns=columns).reset_index(drop=True)
    out = pd.concat([kept, add.reindex(columns=kept.columns)], ignore_index=True)
    return out.sort_values(_ORDER, kind="stable").reset_index(drop=True)


class WithDerived:
    """A reader of current observations whose derived KPIs come from people's records."""

    def __init__(self, store: CurrentReader, derived: pd.DataFrame) -> None:
        """Wrap ``store``; ``derived`` holds the derived rows (``benefit_rows``)."""
        self.store = store
        self.derived = derived

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        """The store's current observations, derived KPIs replaced (``joined``)."""
        stored = self.store.current(kpi_codes, area_codes, up_to)
        return joined(stored, self.derived, kpi_codes, area_codes, up_to)


def with_derived_sources(
    rows: Sequence[Mapping[str, object]], derived: pd.DataFrame
) -> list[dict[str, object]]:
    """Scorecard JSON rows whose derived KPIs say where their value comes from.

    A derived KPI's row gets ``synthetic`` from its derived value and ``source`` "derived from
    the BRG's sign-offs" where it shows a value (null without one), whatever a store held.
    """
    flags = {
        (str(k), str(a), str(p)): bool(s)
        for k, a, p, s in zip(
            derived["kpi_code"],
            derived["area_code"],
            derived["period"],
            derived["synthetic"],
            strict=True,
        )
    }
    out: list[dict[str, object]] = []
    for row in rows:
        one = dict(row)
        if str(one.get("kpi_code")) in DERIVED_KPIS:
            key = (str(one["kpi_code"]), str(one["area_code"]), str(one.get("period")))
            value = one.get("value")
            shown = key in flags and isinstance(value, int | float) and not math.isnan(value)
            one["synthetic"] = flags.get(key, False)
            one["source"] = DERIVED_SOURCE if shown else None
        out.append(one)
    return out
