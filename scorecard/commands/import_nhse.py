"""``scorecard import-nhse discharge-delays FILE…``: load NHS England publications as published."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pandas as pd

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.connectors.nhse_discharge_delays import (
    RULE,
    SOURCE_KEY_NCTR,
    SOURCE_KEY_P0,
    kpi_rows,
    read_discharge_delays,
)
from scorecard.domain import Framework
from scorecard.errors import Problem, UserError


def run_import(args: argparse.Namespace) -> CommandResult:
    """``import-nhse discharge-delays FILE… [--dry-run]``: load NCTR and P0 KPIs from workbooks.

    Every workbook is read first; if any is not this publication nothing is written and the
    command exits 1 with the problems. Then each workbook's rows are loaded as one file, for the
    framework's areas (of each KPI's area types) whose code appears in it.

    Args:
        args: the parsed command line (``files``, ``dry_run``, ``user``, ``db``, ``framework``).

    Returns:
        The command's result; ``data`` lists the loaded (or, with --dry-run, loadable) rows as
        ``{"kpi_code", "source_key", "area_code", "period", "value"}``.
    """
    problems: list[Problem] = []
    frames: list[tuple[Path, pd.DataFrame]] = []
    for given in args.files:
        path = Path(given)
        try:
            frames.append((path, read_discharge_delays(path)))
        except UserError as err:
            problems.extend(err.problems)
    if problems:
        return CommandResult(exit_code=EXIT_REJECTED, problems=problems)

    from scorecard.framework import load_framework

    fw = load_framework(args.framework)
    if not {kpi.source_key for kpi in fw.kpis} & {SOURCE_KEY_NCTR, SOURCE_KEY_P0}:
        message = (
            f"the framework has no KPI whose source_key is {SOURCE_KEY_NCTR} or {SOURCE_KEY_P0}, "
            "so there is nothing to import."
        )
        problem = Problem(str(args.framework), None, "source_key", "", RULE, message)
        return CommandResult(exit_code=EXIT_REJECTED, problems=[problem])
    extracts: list[tuple[Path, pd.DataFrame, list[str]]] = []
    for path, frame in frames:
        rows, keys = kpi_rows(fw, frame, path.name)
        if rows.empty:
            message = (
                "none of the framework's areas for the discharge-delay KPIs appears in this "
                "workbook, so there is nothing to import."
            )
            problems.append(Problem(path.name, None, "", "", RULE, message))
        extracts.append((path, rows, keys))
    if problems:
        return CommandResult(exit_code=EXIT_REJECTED, problems=problems)
    return _load(args, fw, extracts)


def _load(
    args: argparse.Namespace, fw: Framework, extracts: list[tuple[Path, pd.DataFrame, list[str]]]
) -> CommandResult:
    """Load each workbook's KPI rows through the pipeline, as one file each.

    Every workbook is validated (a dry run) before any is written, so a rejected one leaves
    the store as it was for all of them.
    """
    from scorecard.pipeline import REJECTED, load_frame

    digests = [hashlib.sha256(path.read_bytes()).hexdigest() for path, _, _ in extracts]
    for dry_run in (True,) if args.dry_run else (True, False):
        reports = [
            load_frame(
                args.db,
                fw,
                rows,
                path.name,
                kind="nhse",
                user=args.user,
                synthetic=False,
                dry_run=dry_run,
                sha256=digest,
            )
            for (path, rows, _), digest in zip(extracts, digests, strict=True)
        ]
        text = "\n".join(report.summary() for report in reports)
        problems = [p for report in reports if report.status == REJECTED for p in report.errors]
        if problems:
            return CommandResult(exit_code=EXIT_REJECTED, text=text, problems=problems)
    data: list[dict[str, object]] = []
    for _, rows, keys in extracts:
        for record, key in zip(rows.to_dict("records"), keys, strict=True):
            data.append(
                {
                    "kpi_code": record["kpi_code"],
                    "source_key": key,
                    "area_code": record["area_code"],
                    "period": record["period"],
                    "value": record["value"],
                }
            )
    return CommandResult(exit_code=EXIT_OK, data=data, text=text)
