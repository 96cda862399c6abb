"""``scorecard import-nhse PUBLICATION FILE…``: load NHS England publications as published."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from pathlib import Path

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.connectors.loading import PublicationLoad
from scorecard.connectors.nhse_discharge_delays import discharge_delay_loads
from scorecard.connectors.nhse_virtual_wards import virtual_ward_loads
from scorecard.domain import Framework
from scorecard.errors import Problem, UserError


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
    from scorecard.framework import load_framework

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
