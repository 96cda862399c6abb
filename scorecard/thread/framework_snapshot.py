"""The validated framework kept as a JSON snapshot, keyed by every input of a validation.

What a validation decides depends on nothing but the bytes of the framework files and the rules
that judge them (the framework modules that read and check, ``schemas/framework.py``,
``schemas/benefits.py``, ``scorecard/thread/formulas.py``, ``scorecard/thread/domain.py``, the
package version, and the versions of Python, numpy, pandas, pyarrow and Pandera). So after a full
validation passes, the validated cells are kept as a JSON snapshot named by a sha256 over all of
those inputs; a later load whose inputs hash the same would reach the same verdict on the same
cells, and is rebuilt from the snapshot through the same build as a validated load, without
importing Pandera or pandas. Any change to a file or a rule changes the key and the framework is
validated in full again. Nothing that failed is ever kept; the key is computed from the very
bytes that are then validated, so a file edited while it is read cannot be paired with another
file's verdict. A snapshot that cannot be read or does not match its own digest is ignored
(validated again), and a cache that cannot be written only costs the speed. The snapshot folder
is trusted like the code beside it (as ``__pycache__`` is).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from importlib.util import find_spec
from pathlib import Path
from typing import Final

from scorecard import __version__
from scorecard.thread.framework_tables import COLUMNS, TABLES, Source

_SNAPSHOT_FORMAT = 1
_SNAPSHOTS_KEPT = 16  # per cache folder; older snapshots are removed when one is written
CACHE_ENV = "SCORECARD_CACHE_DIR"


# The modules whose source decides a validation's verdict: every module that reads, checks or
# accepts the cells (a rule moved into a new module must be listed here, or editing it would not
# invalidate the snapshots), the Pandera schemas, the formulas' grammar and the domain's values.
RULE_MODULES: Final = (
    "scorecard.thread.framework",
    "scorecard.thread.framework_tables",
    "scorecard.thread.framework_checks",
    "scorecard.thread.framework_snapshot",
    "schemas.framework",
    "schemas.benefits",
    "scorecard.thread.formulas",
    "scorecard.thread.domain",
)


def _rule_files() -> list[Path]:
    """The source files of RULE_MODULES, found without importing them."""
    files: list[Path] = []
    for name in RULE_MODULES:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise OSError("the rules' source files cannot be found")
        files.append(Path(spec.origin))
    return files


# The libraries a validation runs on: pandas and Pandera, and the numpy and pyarrow under them
# (pandas 3 matches strings with pyarrow's regular expressions).
_LIBRARIES = ("numpy", "pandas", "pandera", "pyarrow")


def _library_versions() -> str:
    """The installed versions of _LIBRARIES, from their dist-info folders' names (no import)."""
    marks: list[str] = []
    listed: dict[Path, list[str]] = {}
    for name in _LIBRARIES:
        spec = find_spec(name)
        if spec is None or spec.origin is None:
            raise OSError(f"{name} is not installed")
        site = Path(spec.origin).parent.parent
        if site not in listed:
            listed[site] = sorted(p.name for p in site.iterdir())
        found = [n for n in listed[site] if n.startswith(f"{name}-") and n.endswith(".dist-info")]
        # Without a dist-info (an unusual install) the package's own file stands in for it.
        marks.extend(found or [f"{spec.origin}:{Path(spec.origin).stat().st_mtime_ns}"])
    return ";".join(marks)


def _cache_key(sources: Sequence[Source]) -> str | None:
    """sha256 over every input of a validation's verdict; None when one cannot be read."""
    if any(source.error for source in sources):
        return None
    digest = hashlib.sha256()

    def part(name: str, data: bytes | None) -> None:
        digest.update(name.encode() + b"\0")
        if data is None:
            digest.update(b"-")
        else:
            digest.update(b"+" + len(data).to_bytes(8, "big") + data)

    try:
        part("format", str(_SNAPSHOT_FORMAT).encode())
        part("scorecard", __version__.encode())
        part("python", sys.version.encode())
        part("libraries", _library_versions().encode())
        for n, path in enumerate(_rule_files()):
            part(f"rules {n}", path.read_bytes())
    except OSError:
        return None
    for source in sources:
        part(f"{source.stem}.csv", source.data)
    return digest.hexdigest()


def snapshot_path(folder: Path, sources: Sequence[Source]) -> Path | None:
    """The snapshot file for these sources (named by the cache key), or None: no cache."""
    key = _cache_key(sources)
    where = _cache_dir(folder) if key is not None else None
    return None if where is None else where / f"{key}.json"


def _writable(folder: Path) -> bool:
    """Whether ``folder`` exists and is writable, or could be created (nothing is created)."""
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            return candidate.is_dir() and os.access(candidate, os.W_OK | os.X_OK)
    return False


def _cache_dir(folder: Path) -> Path | None:
    """Where snapshots live: $SCORECARD_CACHE_DIR, beside the framework, the user's cache."""
    chosen = os.environ.get(CACHE_ENV, "")
    if chosen:
        return Path(chosen)
    beside = folder.resolve().parent / ".cache" / "framework"
    if _writable(beside):
        return beside
    try:
        home = Path(os.environ.get("XDG_CACHE_HOME", "") or Path.home() / ".cache")
    except RuntimeError:  # no home folder
        return None
    user = home / "ican-scorecard" / "framework"
    return user if _writable(user) else None


def read_snapshot(path: Path) -> dict[str, list[dict[str, str]]] | None:
    """The validated cells kept in ``path``; None when absent, unreadable or damaged."""
    key = path.stem
    try:
        document = json.loads(path.read_bytes())
        if not isinstance(document, dict):
            return None
        if document.get("format") != _SNAPSHOT_FORMAT or document.get("key") != key:
            return None
        payload = document.get("payload")
        if not isinstance(payload, str):
            return None
        if hashlib.sha256(payload.encode()).hexdigest() != document.get("digest"):
            return None
        return _snapshot_records(json.loads(payload))
    except (OSError, ValueError, RecursionError):
        return None


def _snapshot_records(tables: object) -> dict[str, list[dict[str, str]]] | None:
    """The snapshot's tables as cells, if they have the shape a validation leaves."""
    if not isinstance(tables, dict) or set(tables) != set(TABLES):
        return None
    records: dict[str, list[dict[str, str]]] = {}
    for stem, table in tables.items():
        if not isinstance(table, dict):
            return None
        columns, rows = table.get("columns"), table.get("rows")
        if not isinstance(columns, list) or sorted(columns) != sorted(COLUMNS[stem]):
            return None
        if not isinstance(rows, list):
            return None
        cells: list[dict[str, str]] = []
        for row in rows:
            if not (
                isinstance(row, list)
                and len(row) == len(columns)
                and all(isinstance(v, str) for v in row)
            ):
                return None
            cells.append(dict(zip(columns, row, strict=True)))
        records[stem] = cells
    return records


def write_snapshot(path: Path, records: Mapping[str, list[dict[str, str]]]) -> None:
    """Keep the validated cells in ``path``, atomically; a failure to write is not an error."""
    tables = {
        stem: {
            "columns": list(COLUMNS[stem]),
            "rows": [[cells[c] for c in COLUMNS[stem]] for cells in records.get(stem, [])],
        }
        for stem in TABLES
    }
    payload = json.dumps(tables, ensure_ascii=False, separators=(",", ":"))
    document = {
        "format": _SNAPSHOT_FORMAT,
        "key": path.stem,
        "digest": hashlib.sha256(payload.encode()).hexdigest(),
        "payload": payload,
    }
    import tempfile  # only a validation that passed writes; a hit needs none of it

    temporary: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".snapshot-", suffix=".tmp", dir=path.parent)
        temporary = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, ensure_ascii=False)
        temporary.replace(path)  # readers see the old file or the whole new one
        temporary = None
        _prune(path.parent)
    except OSError:
        pass  # no cache is slower, never wrong
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()


_SNAPSHOT_NAME = re.compile(r"[0-9a-f]{64}\.json")


def _prune(folder: Path) -> None:
    """Remove all but the newest snapshots of a cache folder (and nothing else in it)."""
    aged = []
    for path in folder.iterdir():
        if not _SNAPSHOT_NAME.fullmatch(path.name):
            continue
        with contextlib.suppress(OSError):
            aged.append((path.stat().st_mtime_ns, path))
    for _, path in sorted(aged, reverse=True)[_SNAPSHOTS_KEPT:]:
        with contextlib.suppress(OSError):
            path.unlink()
