"""What a page gets from the frame: the framework, the store, the selection and its data."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from streamlit.delta_generator import DeltaGenerator

from scorecard.thread.domain import Framework
from scorecard.ui import data, views
from scorecard.ui.selection import Choices, Selection


@dataclass(frozen=True)
class Context:
    """What a page needs after the frame: framework, store, selection and the data for it."""

    fw: Framework
    selection: Selection
    choices: Choices
    store: data.StoreRef | None
    months: tuple[str, ...]
    synthetic: bool
    slot: DeltaGenerator | None = None  # room beside the month and area filters for a page's own

    @property
    def has_data(self) -> bool:
        """Whether the store exists and holds at least one value."""
        return self.store is not None and bool(self.months)

    @property
    def month(self) -> str:
        """The selected month (YYYY-MM), "" when there is no data."""
        return self.selection.month

    @property
    def area(self) -> str:
        """The selected area code."""
        return self.selection.area

    @property
    def area_name(self) -> str:
        """The selected area's name."""
        return views.area_name(self.fw, self.selection.area)

    @property
    def month_label(self) -> str:
        """The selected month as words, e.g. 'March 2024'."""
        return views.month_label(self.selection.month)

    def current(self) -> pd.DataFrame:
        """Every current observation (cached on the store's identity); empty without a store."""
        if self.store is None:
            return pd.DataFrame()
        return data.current(self.store.path, self.store.identity)
