"""The monthly Board pack as a PDF drawn with reportlab, and the scorecard table (CSV, XLSX).

inputs (what the pack reads) → pages (its pages, laid out) with drawings (icons, SPC charts)
and theme (page, colours, fonts, styles); this module builds it (``scorecard.commands.pack``
writes it for the command line).
"""

from __future__ import annotations

from scorecard.domain import Framework
from scorecard.pack.inputs import (
    SCORECARD_TABLE_COLUMNS,
    PackData,
    StoreReader,
    read_pack_data,
    scorecard_csv,
    scorecard_frame,
    scorecard_xlsx,
)
from scorecard.pack.pages import lead_sentence, render_pack
from scorecard.reviews import Reviews


def build_pack(fw: Framework, store: StoreReader, reviews: Reviews, month: str, area: str) -> bytes:
    """The Board pack PDF for a month and area (for the app's download and the command).

    Args:
        fw: the framework.
        store: the store (read only).
        reviews: people's words (commentary, annotations, sign-off).
        month: ``YYYY-MM``.
        area: an area code, e.g. "QPM".

    Returns:
        The PDF's bytes.

    Raises:
        UserError: For an unknown area or a month without data.
    """
    return render_pack(read_pack_data(fw, store, reviews, month, area))


__all__ = [
    "SCORECARD_TABLE_COLUMNS",
    "PackData",
    "StoreReader",
    "build_pack",
    "lead_sentence",
    "read_pack_data",
    "render_pack",
    "scorecard_csv",
    "scorecard_frame",
    "scorecard_xlsx",
]
