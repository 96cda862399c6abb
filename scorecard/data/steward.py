"""The data steward's outputs (``export``, ``history``): raw values only for who may see them."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pandas as pd

from scorecard.statistics.disclosure import apply_suppression, hidden_cells
from scorecard.thread.framework import load_framework

RAW_NOTICE = (
    "RAW VALUES, small numbers included: a data steward's output, not for publication "
    "(you may write the store, so you may see them)."
)
SUPPRESSED_NOTICE = (
    "Small numbers suppressed (1-7 people below ICB level, and figures that would give them "
    "away): only who may write the store (the data steward) sees raw values."
)


def may_see_raw(db: Path) -> bool:
    """Whether this user may see raw values: the data steward, who may write the store.

    The store is created owner-only and loads are made by whoever may write it, so the right
    to write the store is the data steward's role on the command line.
    """
    return os.access(db, os.W_OK) and os.access(db.parent, os.W_OK)


def _hidden_keys(framework: Path, current: pd.DataFrame) -> set[tuple[str, str, str]]:
    fw = load_framework(framework)
    cells = hidden_cells(fw, current)
    mask = cells["primary"] | cells["secondary"]
    return {
        (str(k), str(a), str(p))
        for k, a, p in current.loc[mask, ["kpi_code", "area_code", "period"]].itertuples(
            index=False
        )
    }


def export_view(db: Path, framework: Path, current: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The current observations this user may have, and the notice that says which.

    Without the right to raw values, suppressed rows are left out (the export stays loadable).
    """
    if may_see_raw(db) or current.empty:
        return current, RAW_NOTICE
    hidden = _hidden_keys(framework, current)
    keep = [
        (str(k), str(a), str(p)) not in hidden
        for k, a, p in current[["kpi_code", "area_code", "period"]].itertuples(index=False)
    ]
    kept = current.loc[keep].reset_index(drop=True)
    left_out = len(current) - len(kept)
    return kept, f"{SUPPRESSED_NOTICE} {left_out:,} suppressed row(s) left out."


def history_view(
    db: Path, framework: Path, current: pd.DataFrame, versions: pd.DataFrame
) -> tuple[pd.DataFrame, str]:
    """Every version of the revised values this user may have, and the notice that says which.

    Without the right to raw values, each version of a suppressed key, and each version that
    is itself a small number, shows no value.
    """
    if may_see_raw(db) or versions.empty:
        return versions, RAW_NOTICE
    hidden = _hidden_keys(framework, current)
    fw = load_framework(framework)
    small = apply_suppression(fw, versions)["suppressed"].astype(bool)
    keyed = pd.Series(
        [
            (str(k), str(a), str(p)) in hidden
            for k, a, p in versions[["kpi_code", "area_code", "period"]].itertuples(index=False)
        ],
        index=versions.index,
    )
    mask = small | keyed
    out = versions.copy()
    numbers = [c for c in ("value", "numerator", "denominator") if c in out.columns]
    out[numbers] = out[numbers].astype("float64")
    out.loc[mask, numbers] = math.nan
    out["suppressed"] = mask
    return out, SUPPRESSED_NOTICE
