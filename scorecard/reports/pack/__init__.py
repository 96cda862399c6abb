"""The monthly Board pack as a tagged PDF (HTML templates, WeasyPrint), and the scorecard table.

inputs (what the pack reads) → pages (what each page shows) with drawings (SVG icons and SPC
charts) → render (Jinja2 templates per kind of page, then PDF/UA with WeasyPrint); this module
builds it for the app and the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scorecard.data.output import check_out, write_out
from scorecard.data.reviews import Reviews
from scorecard.reports.pack.inputs import (
    SCORECARD_TABLE_COLUMNS,
    PackData,
    StoreReader,
    read_pack_data,
    scorecard_csv,
    scorecard_frame,
    scorecard_xlsx,
)
from scorecard.reports.pack.pages_front import lead_sentence
from scorecard.reports.pack.render import PackPdf, pack_pdf, render_html, render_pack
from scorecard.reports.pack.theme import month_words
from scorecard.thread.domain import Framework
from scorecard.thread.errors import Problem, UserError


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


@dataclass(frozen=True)
class WrittenPack:
    """What ``write_pack`` wrote: the file and the facts the command reports."""

    file: Path
    month: str
    area: str
    area_name: str
    size: int
    pages: int
    signed_off: bool
    synthetic: bool

    def summary(self) -> dict[str, object]:
        """The command's ``--json`` object."""
        return {
            "file": str(self.file),
            "month": self.month,
            "area": self.area,
            "bytes": self.size,
            "pages": self.pages,
            "signed_off": self.signed_off,
            "synthetic": self.synthetic,
        }

    def sentence(self) -> str:
        """The command's one line for people."""
        return (
            f"Board pack for {month_words(self.month)}, {self.area_name}: {self.pages} pages, "
            f"{self.size:,} bytes written to {self.file}"
            + (" (SYNTHETIC demo data)" if self.synthetic else "")
            + ("; signed off" if self.signed_off else "; not signed off")
        )


def write_pack(
    fw: Framework, store: StoreReader, reviews: Reviews, month: str, area: str, out: Path
) -> WrittenPack:
    """Build the pack and write it to ``out`` whole (a partial file is renamed into place).

    Raises:
        UserError: For a missing folder, an unknown area or a month without data.
    """
    if not out.parent.is_dir():
        raise UserError(
            Problem("--out", None, "", str(out), "an existing folder", "the folder does not exist")
        )
    check_out(out)
    data = read_pack_data(fw, store, reviews, month, area)
    laid_out = pack_pdf(data)
    write_out(out, laid_out.pdf)
    return WrittenPack(
        file=out,
        month=month,
        area=data.area.code,
        area_name=data.area.name,
        size=len(laid_out.pdf),
        pages=laid_out.pages,
        signed_off=data.signoff is not None,
        synthetic=data.synthetic,
    )


__all__ = [
    "SCORECARD_TABLE_COLUMNS",
    "PackData",
    "PackPdf",
    "StoreReader",
    "WrittenPack",
    "build_pack",
    "lead_sentence",
    "pack_pdf",
    "read_pack_data",
    "render_html",
    "render_pack",
    "scorecard_csv",
    "scorecard_frame",
    "scorecard_xlsx",
    "write_pack",
]
