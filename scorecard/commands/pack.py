"""``scorecard pack --month YYYY-MM [--area CODE] --out FILE.pdf``: the monthly Board pack."""

from __future__ import annotations

import argparse
from pathlib import Path

from scorecard.command import EXIT_OK, CommandResult
from scorecard.errors import Problem, UserError
from scorecard.framework import load_framework
from scorecard.pack import read_pack_data, render_pack
from scorecard.pack.theme import month_words
from scorecard.reviews import Reviews
from scorecard.store import Store


def run_pack(args: argparse.Namespace) -> CommandResult:
    """``python -m scorecard pack --month YYYY-MM [--area CODE] --out FILE.pdf``."""
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
    area = args.area or "QPM"
    data = read_pack_data(fw, store, Reviews.beside(Path(args.db)), args.month, area)
    pdf = render_pack(data)
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(pdf)
    partial.replace(out)
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
