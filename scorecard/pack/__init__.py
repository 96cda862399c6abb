"""The monthly Board pack as a PDF drawn with reportlab, and the scorecard table (CSV, XLSX).

inputs (what the pack reads) → pages (its pages, laid out) with drawings (icons, SPC charts)
and theme (page, colours, fonts, styles); this module builds it for the app and the command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.domain import Framework
from scorecard.errors import Problem, UserError
from scorecard.output import check_out, write_out
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
from scorecard.pack.theme import month_words
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


def run_pack(args: argparse.Namespace) -> CommandResult:
    """``python -m scorecard pack --month YYYY-MM [--area CODE] --out FILE.pdf``."""
    from scorecard.framework import load_framework
    from scorecard.store import Store

    fw = load_framework(args.framework)
    store = Store(args.db)
    if not store.exists():
        raise UserError(
            Problem(
                "--db",
                None,
                "",
                str(args.db),
                "the store must exist",
                "no store here; run `python -m scorecard demo` or `load` first",
            )
        )
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserError(
            Problem("--out", None, "", str(out), "an existing folder", "the folder does not exist")
        )
    check_out(out)
    area = args.area or "QPM"
    data = read_pack_data(fw, store, Reviews.beside(Path(args.db)), args.month, area)
    pdf = render_pack(data)
    write_out(out, pdf)
    pages = pdf.count(b"/Type /Page\n") or pdf.count(b"/Type /Page ")
    summary = {
        "file": str(out),
        "month": args.month,
        "area": area,
        "bytes": len(pdf),
        "pages": pages,
        "signed_off": data.signoff is not None,
        "synthetic": data.synthetic,
    }
    text = (
        f"Board pack for {month_words(args.month)}, {data.area.name}: {len(pdf):,} bytes "
        f"written to {out}"
        + (" (SYNTHETIC demo data)" if data.synthetic else "")
        + ("; signed off" if data.signoff is not None else "; not signed off")
    )
    return CommandResult(exit_code=EXIT_OK, data=summary, text=text)


__all__ = [
    "SCORECARD_TABLE_COLUMNS",
    "PackData",
    "StoreReader",
    "build_pack",
    "lead_sentence",
    "read_pack_data",
    "render_pack",
    "run_pack",
    "scorecard_csv",
    "scorecard_frame",
    "scorecard_xlsx",
]
