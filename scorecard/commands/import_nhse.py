"""``scorecard import-nhse PUBLICATION FILE…``: load NHS England publications as published."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from pathlib import Path

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.data.connectors.loading import PublicationLoad
from scorecard.data.connectors.nhse_discharge_delays import discharge_delay_loads
from scorecard.data.connectors.nhse_virtual_wards import virtual_ward_loads
from scorecard.thread.domain import Framework
from scorecard.thread.errors import UserError


def _discharge_delays(fw: Framework, paths: list[Path]) -> tuple[list[PublicationLoad], list[str]]:
    return discharge_delay_loads(fw, paths), []


# publication name on the command line -> its connector: (loads, notes on what was skipped)
CONNECTORS: dict[
    str, Callable[[Framework, list[Path]], tuple[list[PublicationLoad], list[str]]]
] = {
    "discharge-delays": _discharge_delays,
    "virtual-wards": virtual_ward_loads,
}


def run_import(args: argparse.Namespace) -> CommandResult:
    """``import-nhse PUBLICATION FILE… [--dry-run]``: each workbook read, then loaded whole.

    Every workbook is read first; if any is not this publication nothing is written and the
    command exits 1 with the problems. Then each workbook's KPI rows are loaded as one file for
    the framework's areas, with every organisation's figures kept for comparisons.
    """
    from scorecard.thread.framework import load_framework

    fw = load_framework(args.framework)
    try:
        loads, skipped = CONNECTORS[args.publication](fw, [Path(p) for p in args.files])
    except UserError as err:
        return CommandResult(exit_code=EXIT_REJECTED, problems=err.problems)
    result = load_publications(args, fw, loads)
    result.text = "\n".join([result.text, *skipped]).strip()
    return result


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
    from scorecard.data.pipeline import FrameToLoad, load_frames

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
