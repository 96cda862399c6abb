"""What a connector hands the loader: one file's KPI rows, its source and its comparisons."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa

    from scorecard.data.store_writes import Source


@dataclass(frozen=True)
class PublicationLoad:
    """One file's KPI-extract rows (with each row's source_key), its source and comparisons."""

    path: Path
    rows: pd.DataFrame
    keys: list[str]
    source: Source
    comparisons: pa.Table
