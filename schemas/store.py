"""Pandera models of the store's tables as the read API returns them (one class per table)."""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.extract import NOTE_MAX_CHARS, STATUSES

PERIOD: Final = r"\d{4}-(0[1-9]|1[0-2])"


class Observations(pa.DataFrameModel):
    """observations: every stored version of a KPI x area x month value (``Store.history``)."""

    kpi_code: Series[str]
    area_code: Series[str]
    period: Series[str] = pa.Field(str_matches=PERIOD)
    value: Series[float]
    numerator: Series[float] = pa.Field(nullable=True, ge=0)
    denominator: Series[float] = pa.Field(nullable=True, ge=0)
    status: Series[str] = pa.Field(isin=list(STATUSES))
    note: Series[str] = pa.Field(nullable=True, str_length={"max_value": NOTE_MAX_CHARS})
    load_id: Series[int] = pa.Field(ge=1)
    synthetic: Series[bool]
    superseded_by: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)

    class Config:
        """Extra columns (file_name, loaded_at, ...) may come along from joins."""

        name = "observations"
        strict = False
        coerce = True

    @pa.check("value", name="finite")
    @classmethod
    def _finite(cls, series: Series[float]) -> Series[bool]:
        return Series[bool](np.isfinite(series.to_numpy(dtype=np.float64)), index=series.index)

    @pa.dataframe_check(name="one_current_row_per_key")
    @classmethod
    def _one_current(cls, frame: pd.DataFrame) -> bool:
        current = frame[frame["superseded_by"].isna()]
        return not bool(current.duplicated(["kpi_code", "area_code", "period"]).any())

    @pa.dataframe_check(name="superseded_by_a_later_load")
    @classmethod
    def _later(cls, frame: pd.DataFrame) -> Series[bool]:
        later = frame["superseded_by"].isna() | (frame["superseded_by"] > frame["load_id"])
        return Series[bool](later.to_numpy(dtype=bool), index=frame.index)


class Current(pa.DataFrameModel):
    """``Store.current``: one row per key, the latest version."""

    kpi_code: Series[str]
    area_code: Series[str]
    period: Series[str] = pa.Field(str_matches=PERIOD)
    value: Series[float]
    numerator: Series[float] = pa.Field(nullable=True, ge=0)
    denominator: Series[float] = pa.Field(nullable=True, ge=0)
    status: Series[str] = pa.Field(isin=list(STATUSES))
    note: Series[str] = pa.Field(nullable=True)
    load_id: Series[int] = pa.Field(ge=1)
    synthetic: Series[bool]

    class Config:
        """Exactly the read API's columns."""

        name = "current"
        strict = True
        coerce = True
        unique = ["kpi_code", "area_code", "period"]  # noqa: RUF012 -- Pandera's config style


class Loads(pa.DataFrameModel):
    """loads: the load log, one row per load that changed the store."""

    load_id: Series[int] = pa.Field(ge=1, unique=True)
    file_name: Series[str]
    sha256: Series[str] = pa.Field(nullable=True, str_matches=r"[0-9a-f]{64}")
    kind: Series[str] = pa.Field(str_length={"min_value": 1})
    rows: Series[int] = pa.Field(ge=0)
    new_rows: Series[int] = pa.Field(ge=0)
    revisions: Series[int] = pa.Field(ge=0)
    unchanged: Series[int] = pa.Field(ge=0)
    loaded_by: Series[str]
    loaded_at: Series[pd.Timestamp]
    synthetic: Series[bool]

    class Config:
        """Exactly the table's columns."""

        name = "loads"
        strict = True
        coerce = True

    @pa.dataframe_check(name="counts_add_up")
    @classmethod
    def _counts_add_up(cls, frame: pd.DataFrame) -> Series[bool]:
        total = frame["new_rows"] + frame["revisions"] + frame["unchanged"]
        return Series[bool]((total == frame["rows"]).to_numpy(dtype=bool), index=frame.index)

    @pa.dataframe_check(name="changed_something")
    @classmethod
    def _changed(cls, frame: pd.DataFrame) -> Series[bool]:
        changed = (frame["new_rows"] + frame["revisions"]) > 0
        return Series[bool](changed.to_numpy(dtype=bool), index=frame.index)
