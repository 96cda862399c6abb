"""Where each stored value came from: its publication, file, edition and load, in words."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import pandas as pd
import pandera.errors
import pyarrow as pa

from schemas.comparisons import Comparisons
from scorecard.thread.errors import Problem, UserError

if TYPE_CHECKING:
    from scorecard.data.store import Store

NOT_PUBLISHED: Final = "not published nationally: needs the programme's own extract"
_ARROW_TYPES: Final = {
    "org_code": pa.string(),
    "org_name": pa.string(),
    "org_level": pa.string(),
    "source_key": pa.string(),
    "period": pa.string(),
    "value": pa.float64(),
    "numerator": pa.float64(),
    "denominator": pa.float64(),
    "publication": pa.string(),
    "file": pa.string(),
    "edition": pa.string(),
}


def comparison_table(frame: pd.DataFrame, file: str) -> pa.Table:
    """Every organisation's figures as the store's comparisons batch, checked by its schema.

    Args:
        frame: the columns of ``schemas.comparisons.Comparisons``.
        file: the file the figures were read from (named in a problem).

    Returns:
        An Arrow table with the comparisons table's column types.

    Raises:
        UserError: a row breaks the schema (file, row, column, value and rule named).
    """
    try:
        checked = Comparisons.validate(frame.reset_index(drop=True), lazy=True)
    except pandera.errors.SchemaErrors as err:
        problems = []
        for case in err.failure_cases.head(20).to_dict("records"):
            index = case.get("index")
            row = int(index) + 2 if isinstance(index, int | float) and not pd.isna(index) else None
            problems.append(
                Problem(
                    file,
                    row,
                    str(case.get("column") or ""),
                    str(case.get("failure_case")),
                    f"comparisons.{case.get('check')}",
                    "the figure cannot be kept for comparisons: it breaks the rule named.",
                )
            )
        raise UserError(problems) from None
    columns = {
        name: pa.array(checked[name].tolist(), type=kind) for name, kind in _ARROW_TYPES.items()
    }
    return pa.table(columns)


def label(row: Mapping[Any, Any]) -> str:
    """A load's provenance in words, e.g. ``NHS England "…", 2024_01_….xlsx, published …``.

    Args:
        row: one row of ``Store.sources()``.
    """
    load = f"load {int(row['load_id'])}"
    if bool(row.get("synthetic")):
        return f"synthetic demo data, not real ({load})"
    publication = row.get("publication")
    if isinstance(publication, str) and publication:
        return f"{publication}, {row['file']}, {row['edition']} ({load})"
    return f"extract {row['file_name']} ({load})"


def labels(store: Store) -> dict[int, str]:
    """Each load's provenance in words, by load id."""
    return {int(r["load_id"]): label(r) for r in store.sources().to_dict("records")}


def add_sources(
    rows: Sequence[dict[str, object]], store: Store, month: str
) -> list[dict[str, object]]:
    """Scorecard JSON rows with ``synthetic`` and ``source`` for the value each row shows.

    Args:
        rows: ``ScorecardRow.as_contract_dict()`` objects (kpi_code, area_code, period).
        store: the store they were computed from.
        month: the month shown; values after it are not looked at.

    Returns:
        New dicts: ``synthetic`` (the value's flag; false without a value) and ``source`` (its
        publication or extract, with edition and load; null without a value).
    """
    current = store.current(up_to=month)
    named = labels(store) if len(current) else {}
    found: dict[tuple[str, str, str], tuple[int, bool]] = {}
    for kpi, area, period, load_id, synthetic in zip(
        current["kpi_code"],
        current["area_code"],
        current["period"],
        current["load_id"],
        current["synthetic"],
        strict=True,
    ):
        found[(str(kpi), str(area), str(period))] = (int(load_id), bool(synthetic))
    out: list[dict[str, object]] = []
    for row in rows:
        key = (str(row["kpi_code"]), str(row["area_code"]), str(row["period"]))
        hit = found.get(key) if row.get("period") is not None else None
        value = row.get("value")
        shown = hit is not None and not (isinstance(value, float) and math.isnan(value))
        out.append(
            {
                **row,
                "synthetic": bool(hit[1]) if hit is not None else False,
                "source": named.get(hit[0]) if hit is not None and shown else None,
            }
        )
    return out
