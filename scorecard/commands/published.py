"""``published``: a store of published figures only, built from the files kept in the repository."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from scorecard.command import EXIT_OK, EXIT_REJECTED, CommandResult
from scorecard.thread.errors import Problem, UserError

# data/published/ beside the package: the repository's copies of the published files.
PUBLISHED_DIR: Final = Path(__file__).resolve().parents[2] / "data" / "published"
DISCHARGE_DELAYS: Final = "nhse_discharge_delays_acute"
VIRTUAL_WARDS: Final = "nhse_virtual_wards"
RETABULATED: Final = "retabulated"
RULE: Final = "published"


@dataclass
class Built:
    """What a build loaded: files, values, comparison figures and how long it took."""

    files: int = 0
    values: int = 0
    comparisons: int = 0
    seconds: float = 0.0
    lines: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


def published_files(root: Path = PUBLISHED_DIR) -> dict[str, list[Path]]:
    """The published files a build reads, by kind: workbooks of each publication, CSVs.

    Raises:
        UserError: a folder is missing or empty (the repository is incomplete).
    """
    from scorecard.data.retabulated import SPECS

    found = {
        DISCHARGE_DELAYS: sorted((root / DISCHARGE_DELAYS).glob("*.xlsx")),
        VIRTUAL_WARDS: sorted((root / VIRTUAL_WARDS).glob("*.xlsx")),
        RETABULATED: [root / RETABULATED / spec.file for spec in SPECS],
    }
    for kind, paths in found.items():
        missing = [p for p in paths if not p.is_file()]
        if not paths or missing:
            where = root / kind
            message = (
                f"the published files are missing from {where}; the repository is incomplete "
                "(see data/published/*/README.md for the files and their SHA-256)."
            )
            raise UserError(Problem(str(where), None, "", "", RULE, message))
    return found


def _args(db: Path, user: str) -> argparse.Namespace:
    return argparse.Namespace(db=db, user=user, dry_run=False)


def build_published(db: Path, framework: Path, user: str, root: Path = PUBLISHED_DIR) -> Built:
    """Build the published store at ``db``: every connector and conversion, all or nothing.

    The store is built in a temporary folder beside ``db`` through the same connectors and
    loads a user runs (``import-nhse discharge-delays``, ``import-nhse virtual-wards``, and the
    re-tabulated files converted to extracts and loaded with their provenance), then moved into
    place. Any rejected file leaves nothing at ``db``.

    Args:
        db: where the store goes; nothing may be there yet.
        framework: the framework folder.
        user: who is building (kept in the load log).
        root: the folder of published files (default: the repository's data/published).

    Returns:
        What was loaded.

    Raises:
        UserError: a store (or other file) is already at ``db``, a published file is missing,
            or any file is rejected (every problem, each naming file, row, column and rule).
    """
    from scorecard.commands.import_nhse import load_publications
    from scorecard.data.connectors.loading import PublicationLoad
    from scorecard.data.connectors.nhse_discharge_delays import discharge_delay_loads
    from scorecard.data.connectors.nhse_virtual_wards import virtual_ward_loads
    from scorecard.data.provenance import comparison_table
    from scorecard.data.retabulated import convert
    from scorecard.data.store import Store
    from scorecard.data.store_writes import init_store
    from scorecard.reports.comparisons import absent_peer_members
    from scorecard.thread.framework import load_framework

    started = time.perf_counter()
    db = Path(db)
    if db.exists():
        message = (
            f"{db} already exists; the published store is built afresh: give another --db or "
            "remove the file first. Nothing was written."
        )
        raise UserError(Problem(str(db), None, "", "", RULE, message))
    files = published_files(root)
    fw = load_framework(framework)
    db.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{db.name}.", dir=db.parent))
    try:
        building = folder / db.name
        init_store(building, fw)
        args = _args(building, user)
        built = Built()
        workbooks = discharge_delay_loads(fw, files[DISCHARGE_DELAYS])
        wards, skipped = virtual_ward_loads(fw, files[VIRTUAL_WARDS])
        tables: list[PublicationLoad] = []
        for path in files[RETABULATED]:
            done = convert(path, fw)
            table = comparison_table(done.comparisons, path.name)
            tables.append(PublicationLoad(path, done.extract, done.keys, done.source, table))
        for kind, group in (("nhse", workbooks + wards), ("retabulated", tables)):
            result = load_publications(args, fw, group, kind=kind)
            if result.exit_code != EXIT_OK:
                raise UserError(result.problems)
            built.lines.append(result.text)
        built.lines.extend(skipped)
        store = Store(building)
        built.files = len(workbooks) + len(wards) + len(tables)
        built.values = len(store.current())
        comparisons = store.comparisons()
        built.comparisons = len(comparisons)
        built.warnings = absent_peer_members(Path(framework), comparisons)
        synthetic = int(store.current()["synthetic"].sum())
        if synthetic:  # the loads above never mark values synthetic; a check, not a hope
            message = f"{synthetic} values came out synthetic; nothing was written."
            raise UserError(Problem(str(db), None, "", "", RULE, message))
        building.replace(db)
        built.seconds = time.perf_counter() - started
        return built
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_published(args: argparse.Namespace) -> CommandResult:
    """``published --db PATH``: build the store of published figures (exit 1: nothing written)."""
    try:
        built = build_published(Path(args.db), Path(args.framework), args.user)
    except UserError as err:
        return CommandResult(exit_code=EXIT_REJECTED, problems=err.problems)
    text = (
        f"Built the published store {args.db}: {built.values:,} KPI values from {built.files} "
        f"published files, {built.comparisons:,} comparison figures, in {built.seconds:.1f} s. "
        "No value is synthetic."
    )
    # A peer-group member the publications do not hold is a warning, not a rejection: the
    # store is sound and the member is left out of the group's tables (exit 0).
    for problem in built.warnings:
        text += f"\nWarning: {problem.sentence()}"
    data = {
        "db": str(args.db),
        "files": built.files,
        "values": built.values,
        "comparisons": built.comparisons,
        "synthetic": 0,
        "warnings": [p.as_dict() for p in built.warnings],
    }
    return CommandResult(exit_code=EXIT_OK, data=data, text=text)
