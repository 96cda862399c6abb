"""Loading a publication's KPI rows, its source and its comparisons through the pipeline."""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.errors import Problem

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

    Every file is validated (a dry run) before any is written, so a rejected one leaves the
    store as it was for all of them. A file whose framework areas have no value this month
    (e.g. not submitted) still records its source and comparisons.

    Args:
        args: the parsed command line (``db``, ``user``, ``dry_run``).
        fw: the framework.
        loads: the files' rows, sources and comparisons.
        kind: the load log's kind.

    Returns:
        The command's result; ``data`` lists the loaded (or loadable) rows as
        ``{"kpi_code", "source_key", "area_code", "period", "value"}``.
    """
    from scorecard import store
    from scorecard.pipeline import REJECTED, load_frame

    digests = [hashlib.sha256(item.path.read_bytes()).hexdigest() for item in loads]
    text = ""
    for dry_run in (True,) if args.dry_run else (True, False):
        lines: list[str] = []
        problems: list[Problem] = []
        for item, digest in zip(loads, digests, strict=True):
            if item.rows.empty:
                record = store.LoadRecord(
                    item.path.name, digest, kind, args.user, False, 0, item.source, item.comparisons
                )
                store.record_publication(Path(args.db), record, dry_run)
                lines.append(
                    f"{item.path.name}: no KPI value for the framework's areas; "
                    f"{item.comparisons.num_rows} comparison figures kept"
                    + (" [dry run: nothing written]" if dry_run else "")
                )
                continue
            report = load_frame(
                args.db,
                fw,
                item.rows,
                item.path.name,
                kind=kind,
                user=args.user,
                synthetic=False,
                dry_run=dry_run,
                sha256=digest,
                source=item.source,
                comparisons=item.comparisons,
            )
            lines.append(report.summary())
            if report.status == REJECTED:
                problems.extend(report.errors)
        text = "\n".join(lines)
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
