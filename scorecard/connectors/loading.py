"""Loading a publication's KPI rows, its source and its comparisons through the pipeline."""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult

if TYPE_CHECKING:
    import pyarrow as pa

    from scorecard.domain import Framework
    from scorecard.store import Source


@dataclass(frozen=True)
class PublicationLoad:
    """One file's KPI-extract rows (with each row's source_key), its source and comparisons."""

    path: Path
    rows: pd.DataFrame
    keys: list[str]
    source: Source
    comparisons: pa.Table


def load_publications(
    args: argparse.Namespace, fw: Framework, loads: list[PublicationLoad], kind: str = "nhse"
) -> CommandResult:
    """Load each file's rows as one load, with its source and comparisons; all or nothing.

    Every file is validated before anything is written, and the loads are written together in
    one swap of the store, so a rejected file leaves the store as it was for all of them. A file
    whose framework areas have no value (e.g. not submitted) still records its source and
    comparisons.

    Args:
        args: the parsed command line (``db``, ``user``, ``dry_run``).
        fw: the framework.
        loads: the files' rows, sources and comparisons.
        kind: the load log's kind.

    Returns:
        The command's result; ``data`` lists the loaded (or loadable) rows as
        ``{"kpi_code", "source_key", "area_code", "period", "value"}``.
    """
    from scorecard.pipeline import FrameToLoad, load_frames

    frames = [
        FrameToLoad(
            item.rows,
            item.path.name,
            hashlib.sha256(item.path.read_bytes()).hexdigest(),
            item.source,
            item.comparisons,
        )
        for item in loads
    ]
    reports = load_frames(args.db, fw, frames, kind=kind, user=args.user, dry_run=args.dry_run)
    lines = []
    for item, report in zip(loads, reports, strict=True):
        if item.rows.empty:
            lines.append(
                f"{item.path.name}: no KPI value for the framework's areas; "
                f"{item.comparisons.num_rows} comparison figures kept"
                + (" [dry run: nothing written]" if args.dry_run else "")
            )
        else:
            lines.append(report.summary())
    text = "\n".join(lines)
    problems = [p for report in reports for p in report.errors]
    if problems:
        return CommandResult(exit_code=EXIT_REJECTED, text=text, problems=problems)
    data: list[dict[str, object]] = []
    for item in loads:
        for row, key in zip(item.rows.to_dict("records"), item.keys, strict=True):
            data.append(
                {
                    "kpi_code": row["kpi_code"],
                    "source_key": key,
                    "area_code": row["area_code"],
                    "period": row["period"],
                    "value": row["value"],
                }
            )
    return CommandResult(exit_code=EXIT_OK, data=data, text=text)
