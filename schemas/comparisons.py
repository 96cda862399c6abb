"""Pandera model of the comparisons table: every organisation's published figure, typed."""

from __future__ import annotations

from typing import Final

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

PERIOD: Final = r"\d{4}-(0[1-9]|1[0-2])"
# England, NHS regions, integrated care boards, NHS trusts and councils (upper-tier authorities).
ORG_LEVELS: Final = ("england", "region", "icb", "trust", "council")


class Comparisons(pa.DataFrameModel):
    """comparisons: one published figure per organisation, measure and month.

    ``source_key`` names the measure (a framework KPI's ``source_key`` where one uses it);
    ``value`` is in the measure's unit, null where the publication prints '-' (not submitted or
    suppressed); ``numerator`` and ``denominator`` are the counts behind it where printed.
    ``publication``, ``file`` and ``edition`` say where it was read.
    """

    org_code: Series[str] = pa.Field(str_length={"min_value": 1})
    org_name: Series[str]
    org_level: Series[str] = pa.Field(isin=list(ORG_LEVELS))
    source_key: Series[str] = pa.Field(str_matches=r"[a-z0-9_.]+")
    period: Series[str] = pa.Field(str_matches=PERIOD)
    value: Series[float] = pa.Field(nullable=True)
    numerator: Series[float] = pa.Field(nullable=True, ge=0)
    denominator: Series[float] = pa.Field(nullable=True, ge=0)
    publication: Series[str]
    file: Series[str]
    edition: Series[str]

    class Config:
        """Exactly these columns, coerced to their types."""

        name = "comparisons"
        strict = True
        coerce = True

    @pa.dataframe_check(name="one_row_per_organisation_measure_and_month")
    @classmethod
    def _unique(cls, frame: pd.DataFrame) -> bool:
        return not bool(frame.duplicated(["source_key", "org_code", "period"]).any())
