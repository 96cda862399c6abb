"""Read, validate and load KPI extracts: all-or-nothing per file, revisions kept, loads logged.

Reading a file is ``pipeline_reading``; preparing and validating a frame is
``pipeline_validation``; this module loads validated frames atomically and exports them back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as arrow
import pyarrow.compute as pc

from schemas.extract import NUMBER_COLUMNS, FrameworkFacts, row_units
from scorecard.data import store, store_writes
from scorecard.data.pipeline_reading import plural, read_extract
from scorecard.data.pipeline_validation import (
    Prepared,
    neutralise_notes,
    prepare,
    shown_value,
    validate_prepared,
)
from scorecard.thread.domain import EXTRACT_COLUMNS, Framework
from scorecard.thread.errors import Problem, UserError

LOADED: Final = "loaded"
UNCHANGED: Final = "unchanged"
REJECTED: Final = "rejected"


@dataclass
class FileReport:
    """What happened to one file (or frame) given to ``load``."""

    file: str
    sha256: str | None
    status: str  # loaded | unchanged | rejected
    rows: int
    new: int = 0
    revisions: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    load_id: int | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, object]:
        """The file as CONTRACT §3's ``load --json`` object."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "rows": self.rows,
            "revisions": self.revisions,
            "errors": [
                {
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "rule": p.rule,
                    "message": p.message,
                }
                for p in self.errors
            ],
        }

    def summary(self) -> str:
        """One line for people."""
        if self.status == REJECTED:
            count = len(self.errors)
            line = f"{self.file}: rejected, nothing written ({plural(count, 'problem')})"
        elif self.status == UNCHANGED:
            line = f"{self.file}: unchanged ({plural(self.rows, 'row')} already stored as sent)"
        else:
            line = (
                f"{self.file}: {plural(self.rows, 'row')}: {self.new} new, "
                f"{plural(self.revisions, 'revision')}, {self.unchanged} unchanged"
            )
            line += "" if self.load_id is None else f" (load {self.load_id})"
        return line + (" [dry run: nothing written]" if self.dry_run else "")


def _batch(frame: pd.DataFrame, fw: Framework) -> arrow.Table:
    """The validated frame as the store's batch: value filled in from numerator/denominator."""
    units = row_units(frame, FrameworkFacts.of(fw))
    value = frame["value"].to_numpy(dtype=np.float64, copy=True)
    missing = np.isnan(value)
    if missing.any():
        numerator = frame["numerator"].to_numpy(dtype=np.float64)
        denominator = frame["denominator"].to_numpy(dtype=np.float64)
        value[missing] = numerator[missing] / denominator[missing] * units.factor[missing]
    columns: dict[str, Any] = {"source_row": frame.index.to_numpy(dtype=np.int64) + 2}
    for name in EXTRACT_COLUMNS:
        columns[name] = value if name == "value" else frame[name]
    return arrow.Table.from_pandas(pd.DataFrame(columns), preserve_index=False)


def _conflict_problems(conflicts: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for record in conflicts.to_dict("records"):
        stored = shown_value(record["stored_value"])
        message = (
            f"{record['kpi_code']}, {record['area_code']}, {record['period']} is final with value "
            f"{stored} (load {record['load_id']}, {record['stored_file']}); "
            "a provisional value cannot replace a final one: send it with status final to revise it"
        )
        problems.append(
            Problem(
                file,
                int(record["source_row"]),
                "status",
                "provisional",
                "final_not_replaced",
                message,
            )
        )
    return problems


def load_frame(
    store_path: Path,
    fw: Framework,
    frame: pd.DataFrame,
    file_name: str,
    kind: str,
    user: str,
    synthetic: bool = False,
    dry_run: bool = False,
    sha256: str | None = None,
    today: dt.date | None = None,
    source: store_writes.Source | None = None,
    comparisons: arrow.Table | None = None,
) -> FileReport:
    """Validate one extract-shaped frame and load it atomically; all-or-nothing.

    A key not stored yet is new; stored with the same figures it is unchanged; with different
    ones it is a revision (the old row stays, superseded by this load). A provisional row never
    replaces a final one. A frame whose rows are all unchanged writes nothing at all.

    Args:
        store_path: the store (created by ``scorecard.data.store_writes.init_store``).
        fw: the framework the rows must fit.
        frame: columns of the extract format (any case); optional ones may be absent.
        file_name: the name shown in problems and kept in the load log.
        kind: what sent it: 'extract', 'demo', 'nhse', ...
        user: who is loading (kept in the load log).
        synthetic: whether every value is synthetic (kept on each row and in the log).
        dry_run: validate and classify only; write nothing.
        sha256: the source file's SHA-256, kept in the load log.
        today: the date whose month is the latest allowed period (default: today, UTC).
        source: the publication, file and edition every value comes from (kept per load).
        comparisons: every organisation the publication prints, written with the rows
            (``scorecard.data.provenance.comparison_table``).

    Returns:
        A FileReport; status 'rejected' with errors when anything is wrong (nothing written).

    Raises:
        UserError: when the store does not exist or cannot be used (not the frame's fault).
    """
    return _load_prepared(
        prepare(frame, file_name),
        Path(store_path),
        fw,
        store_writes.LoadRecord(file_name, sha256, kind, user, synthetic, 0, source, comparisons),
        dry_run,
        today,
    )


def _load_prepared(
    prepared: Prepared,
    store_path: Path,
    fw: Framework,
    record: store_writes.LoadRecord,
    dry_run: bool,
    today: dt.date | None,
) -> FileReport:
    """Validate a prepared frame and hand it to the store (frees each stage as it goes)."""
    file, rows = record.file_name, len(prepared.frame)
    report = FileReport(file, record.sha256, REJECTED, rows, dry_run=dry_run)
    if prepared.structural:
        report.errors = prepared.problems
        return report
    validated, problems = validate_prepared(prepared, fw, file, today)
    del prepared  # the file's cells are no longer needed: keep peak memory down
    if problems:
        report.errors = problems
        return report
    batch = _batch(validated, fw)
    del validated
    record = dataclasses.replace(record, rows=rows)
    outcome = store_writes.apply_load(store_path, batch, record, dry_run)
    report.new, report.revisions = outcome.new, outcome.revisions
    report.unchanged, report.load_id = outcome.unchanged, outcome.load_id
    if not outcome.conflicts.empty:
        report.errors = _conflict_problems(outcome.conflicts, file)
        return report
    report.status = LOADED if outcome.changes else UNCHANGED
    return report


@dataclass(frozen=True)
class FrameToLoad:
    """One extract-shaped frame for ``load_frames``, with the facts its load log keeps."""

    frame: pd.DataFrame
    file_name: str
    sha256: str | None = None
    source: store_writes.Source | None = None
    comparisons: arrow.Table | None = None


def load_frames(
    store_path: Path,
    fw: Framework,
    frames: Sequence[FrameToLoad],
    kind: str,
    user: str,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> list[FileReport]:
    """Validate several frames and load them as successive loads in one swap: all or nothing.

    Every frame is validated as ``load_frame`` does; if any is rejected nothing is written.
    Then each becomes its own load (its own load id, source and comparisons) in one atomic
    write of the store. A frame with no rows records only its source and comparisons.

    Returns:
        One FileReport per frame, in order.

    Raises:
        UserError: when the store does not exist or cannot be used.
    """
    reports: list[FileReport] = []
    batches: list[tuple[arrow.Table, store_writes.LoadRecord]] = []
    for item in frames:
        record = store_writes.LoadRecord(
            item.file_name,
            item.sha256,
            kind,
            user,
            False,
            len(item.frame),
            item.source,
            item.comparisons,
        )
        report = FileReport(item.file_name, item.sha256, REJECTED, len(item.frame), dry_run=dry_run)
        reports.append(report)
        if item.frame.empty:
            batches.append((store_writes.empty_batch(), record))
            continue
        prepared = prepare(item.frame, item.file_name)
        if prepared.structural:
            report.errors = prepared.problems
            continue
        validated, problems = validate_prepared(prepared, fw, item.file_name, today)
        if problems:
            report.errors = problems
            continue
        batches.append((_batch(validated, fw), record))
    if any(r.errors for r in reports):
        return reports
    if dry_run:
        outcomes = [store_writes.apply_load(store_path, b, r, dry_run=True) for b, r in batches]
    else:
        outcomes = store_writes.apply_loads(Path(store_path), batches)
    conflicted = any(not o.conflicts.empty for o in outcomes)
    for report, outcome in zip(reports, outcomes, strict=False):
        report.new, report.revisions = outcome.new, outcome.revisions
        report.unchanged = outcome.unchanged
        report.load_id = None if conflicted else outcome.load_id
        if not outcome.conflicts.empty:
            report.errors = _conflict_problems(outcome.conflicts, report.file)
        elif not conflicted:
            report.status = LOADED if outcome.changes else UNCHANGED
    return reports


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_files(
    paths: Sequence[Path],
    store_path: Path,
    fw: Framework,
    user: str,
    dry_run: bool = False,
    kind: str = "extract",
    today: dt.date | None = None,
) -> list[FileReport]:
    """Read, validate and load each file in turn, each all-or-nothing and swapped in on its own.

    A rejected file does not stop the others; a later file may revise an earlier one.

    Raises:
        UserError: when the store does not exist or cannot be used.
    """
    if not store.Store(Path(store_path)).exists():
        raise UserError(
            Problem(
                str(store_path),
                None,
                "",
                "",
                "store",
                f"there is no store at {store_path}; create one with `python -m scorecard init`",
            )
        )
    reports = []
    for path in paths:
        file = str(path)
        try:
            prepared = prepare(read_extract(Path(path)), file)
            record = store_writes.LoadRecord(file, file_sha256(Path(path)), kind, user, False, 0)
        except UserError as err:
            reports.append(
                FileReport(file, None, REJECTED, 0, errors=err.problems, dry_run=dry_run)
            )
            continue
        reports.append(_load_prepared(prepared, Path(store_path), fw, record, dry_run, today))
        del prepared
    return reports


def export_frame(current: pd.DataFrame) -> pd.DataFrame:
    """Current observations in the extract format (notes as stored, not yet neutralised)."""
    return current.loc[:, list(EXTRACT_COLUMNS)].reset_index(drop=True)


def _number_text(numbers: pd.Series) -> pd.Series:
    """Numbers as the shortest text that reads back to the same float (4567, 45.67, 1e-07)."""
    values = arrow.array(numbers.to_numpy(dtype=np.float64), from_pandas=True)
    text = pc.cast(values, arrow.string()).to_pandas()
    return pd.Series(text, index=numbers.index, dtype="str")


def export_csv(current: pd.DataFrame) -> bytes:
    """Current observations as an extract CSV (UTF-8, no BOM, CRLF) that loads back unchanged."""
    frame = export_frame(current)
    for name in NUMBER_COLUMNS:
        frame[name] = _number_text(frame[name])
    frame["note"] = neutralise_notes(frame["note"]).where(frame["note"].notna())
    # CRLF as RFC 4180 (and Excel): a note holding a lone "\r" is then quoted like one with "\n"
    return frame.to_csv(index=False, lineterminator="\r\n", na_rep="").encode("utf-8")


def export_json(current: pd.DataFrame, sources: dict[int, str] | None = None) -> bytes:
    """Current observations as a JSON list (extract fields, the synthetic flag and the source)."""
    frame = export_frame(current)
    frame["synthetic"] = current["synthetic"].astype(bool).to_numpy()
    if sources is not None:
        frame["source"] = [sources.get(int(x)) for x in current["load_id"]]
    records = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
