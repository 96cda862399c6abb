"""``scorecard init``, ``load``, ``export`` and ``history``: the store's own commands."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from schemas.extract import KEY_COLUMNS
from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.data import store, store_writes
from scorecard.data.output import check_out, write_out
from scorecard.data.pipeline import REJECTED, export_csv, export_json, load_files
from scorecard.data.pipeline_reading import plural
from scorecard.data.pipeline_validation import shown_value
from scorecard.data.reviews_core import ReviewsDatabase
from scorecard.data.steward import export_view, history_view
from scorecard.thread.domain import DERIVED_KPIS, Framework
from scorecard.thread.framework import load_framework


def _framework(args: argparse.Namespace) -> Framework:
    return load_framework(Path(args.framework))


def run_init(args: argparse.Namespace) -> CommandResult:
    """``scorecard init``: create an empty store for the framework (nothing on a broken one)."""
    fw = _framework(args)
    store_writes.init_store(Path(args.db), fw)
    data = {"db": str(args.db), "framework": fw.name, "kpis": len(fw.kpis), "areas": len(fw.areas)}
    text = (
        f"Created an empty store at {args.db} for the {fw.name} framework "
        f"({len(fw.kpis)} KPIs, {len(fw.areas)} areas)."
    )
    return CommandResult(EXIT_OK, data, text)


def run_load(args: argparse.Namespace) -> CommandResult:
    """``scorecard load FILE… [--dry-run]``: validate and load KPI extracts, each all-or-nothing."""
    fw = _framework(args)
    reports = load_files(
        list(args.files), Path(args.db), fw, str(args.user), dry_run=bool(args.dry_run)
    )
    rejected = any(r.status == REJECTED for r in reports)
    return CommandResult(
        EXIT_REJECTED if rejected else EXIT_OK,
        {"files": [r.as_dict() for r in reports]},
        "\n".join(r.summary() for r in reports),
        [p for r in reports for p in r.errors],
    )


def run_export(args: argparse.Namespace) -> CommandResult:
    """``scorecard export [--format csv|json] [--out FILE]``: every current observation."""
    from scorecard.data.provenance import labels

    if args.out is not None:
        check_out(Path(args.out))  # a bad --out is refused before anything is read or said
    reader = store.Store(Path(args.db))
    stored = reader.current()
    # An older store's values of a derived KPI (ACT-BENEFIT) are read nowhere and cannot be
    # loaded: left out, so that the export still loads back.
    derived = stored["kpi_code"].isin(DERIVED_KPIS) if len(stored) else None
    if derived is not None and bool(derived.any()):
        stored = stored.loc[~derived].reset_index(drop=True)
    current, notice = export_view(Path(args.db), Path(args.framework), stored)
    if derived is not None and bool(derived.any()):
        notice += (
            f" {int(derived.sum()):,} stored value(s) of {', '.join(sorted(DERIVED_KPIS))} left "
            "out: it is derived from the BRG sign-offs and cannot be loaded."
        )
    if args.format == "json":
        content = export_json(current, labels(reader) if len(current) else {})
    else:
        content = export_csv(current)
    synthetic = int(current["synthetic"].sum()) if len(current) else 0
    if args.out is None:
        sys.stderr.write(notice + "\n")
        sys.stdout.flush()
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return CommandResult(EXIT_OK)
    out = Path(args.out)
    write_out(out, content)
    sys.stderr.write(notice + "\n")  # said once the file is written: a refusal is one sentence
    data = {
        "out": str(out),
        "format": args.format,
        "rows": len(current),
        "synthetic_rows": synthetic,
    }
    text = f"Exported {len(current)} current observations to {out}"
    if synthetic:
        text += f" ({synthetic} of them SYNTHETIC demo values)"
    return CommandResult(EXIT_OK, data, text + ".")


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in record.items()} for record in records]


def run_history(args: argparse.Namespace) -> CommandResult:
    """``scorecard history [--kpi K] [--area A]``: the load log and every revised value."""
    reader = store.Store(Path(args.db))
    versions = reader.history(kpi_code=args.kpi, area_code=args.area, revised_only=True)
    loads = reader.loads()
    if args.kpi or args.area:
        touched = reader.history(kpi_code=args.kpi, area_code=args.area)["load_id"].unique()
        loads = loads[loads["load_id"].isin(touched)]
    versions, notice = history_view(Path(args.db), Path(args.framework), reader.current(), versions)
    record = ReviewsDatabase.beside(Path(args.db)).verify()  # people's words, checked on every read
    data = {
        "values": notice,
        "loads": _records(loads),
        "revisions": _records(versions),
        "record": {"intact": record.intact, "breaks": [b.sentence for b in record.breaks]},
    }
    lines = [notice, record.summary(), f"Load log ({plural(len(loads), 'load')}):"]
    for load in _records(loads):
        lines.append(
            f"  load {load['load_id']}: {load['file_name']} ({load['kind']}"
            f"{', SYNTHETIC' if load['synthetic'] else ''}) by {load['loaded_by']} at "
            f"{load['loaded_at']}: {plural(int(str(load['rows'])), 'row')}, "
            f"{load['new_rows']} new, {plural(int(str(load['revisions'])), 'revision')}, "
            f"{load['unchanged']} unchanged"
        )
    keys = versions.groupby(list(KEY_COLUMNS), sort=False).ngroups if len(versions) else 0
    lines.append(f"Revised values ({plural(keys, 'key')}, every version, oldest first):")
    for version in _records(versions):
        state = (
            "current" if version["current"] else f"superseded by load {version['superseded_by']}"
        )
        lines.append(
            f"  {version['kpi_code']} {version['area_code']} {version['period']}: "
            f"{shown_value(version['value'])} ({version['status']}) from load {version['load_id']} "
            f"{version['file_name']}, {state}"
        )
    return CommandResult(EXIT_OK, data, "\n".join(lines))
