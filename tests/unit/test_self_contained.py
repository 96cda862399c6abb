"""A fresh clone tests itself: nothing refers outside the clone; fixtures are as published."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
PUBLISHED = (FIXTURES / "realdata", FIXTURES / "documents")  # kept exactly as published

# Written in pieces so that this file does not match itself.
OUTSIDE = re.compile(
    "|".join(
        (
            re.escape("../" + "shared"),
            re.escape("shared" + "/realdata"),
            re.escape("shared" + "/domain"),
            re.escape("shared" + "/seeds"),
            r"(?<![\w.])/" + "work/",
            r"(?<![\w.])/" + "home/",
        )
    )
)
# Folders that are never part of a clone's own text.
NOT_OURS = {".git", ".venv", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
SHA256 = re.compile(r"`([\w./-]+\.(?:xlsx|csv))`.*?`([0-9a-f]{64})`")


def tracked_files() -> list[Path]:
    """The files git tracks (a clone), or every file outside the tool folders (an unpacked copy)."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return [
            p
            for p in REPO.rglob("*")
            if p.is_file() and not NOT_OURS.intersection(p.relative_to(REPO).parts)
        ]
    return [REPO / name for name in out.decode().split("\0") if name]


def outside_references(path: Path) -> list[str]:
    """``line N: text`` for each line of a text file that refers to a place outside the clone."""
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []  # binary (the published workbooks)
    return [
        f"line {n}: {line.strip()}"
        for n, line in enumerate(text.splitlines(), start=1)
        if OUTSIDE.search(line)
    ]


def test_the_pattern_catches_what_it_must() -> None:
    for line in (
        "REALDATA = REPO.parent / 'shared' / 'realdata'  # " + "../" + "shared" + "/realdata",
        "python -m scorecard.data.calibration " + "../" + "shared",
        "open('/" + "work/shared" + "/domain/golden_thread_seed_rows.csv')",
        "path = '/" + "home/analyst/ican/data.csv'",
    ):
        assert OUTSIDE.search(line), line
    for line in ("tests/fixtures/realdata/april2022.xlsx", "a shared care record", "./work/x"):
        assert not OUTSIDE.search(line), line


def test_no_tracked_file_refers_outside_the_repository() -> None:
    files = tracked_files()
    assert len(files) > 100, "the listing of the repository's files found almost nothing"
    found = {
        str(path.relative_to(REPO)): refs for path in files if (refs := outside_references(path))
    }
    assert not found, (
        "these files refer to places outside the repository, which a fresh clone does not have: "
        f"{found}"
    )


def _listed_checksums() -> list[tuple[Path, str]]:
    listed = []
    for readme in (folder / "README.md" for folder in PUBLISHED):
        for line in readme.read_text(encoding="utf-8").splitlines():
            if match := SHA256.search(line):
                listed.append((readme.parent / match.group(1), match.group(2)))
    return listed


def test_every_fixture_data_file_has_a_published_checksum() -> None:
    data_files = {p for f in PUBLISHED for p in f.rglob("*") if p.suffix in {".xlsx", ".csv"}}
    listed = {path for path, _ in _listed_checksums()}
    assert len(data_files) >= 8
    assert data_files == listed, (
        f"not in a README: {sorted(map(str, data_files - listed))}; "
        f"listed but missing: {sorted(map(str, listed - data_files))}"
    )


@pytest.mark.parametrize(
    ("path", "sha256"), [pytest.param(p, h, id=p.name) for p, h in _listed_checksums()]
)
def test_fixture_is_byte_identical_to_the_publication(path: Path, sha256: str) -> None:
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256, (
        f"{path.relative_to(REPO)} differs from the published file: fixtures are never edited"
    )


def test_each_fixture_folder_names_its_source_and_licence() -> None:
    realdata = (FIXTURES / "realdata" / "README.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in realdata
    for publisher in ("NHS England", "Office for Local Government"):
        assert publisher in realdata
    documents = (FIXTURES / "documents" / "README.md").read_text(encoding="utf-8")
    assert "6 September 2022" in documents
