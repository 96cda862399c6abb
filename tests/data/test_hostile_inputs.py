"""Hostile and careless inputs: each gets a one-line sentence, no traceback, and the store is
byte-identical afterwards (no temporary file left behind)."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from cli_process import run_scorecard

from scorecard.data import intake, pipeline, store_writes
from scorecard.thread.errors import UserError

GOOD = "kpi_code,area_code,period,value\nLEAD-ESC,QPM,2024-01,5\n"


def workbook_bytes(rows: list[list[object]], sheets: int = 1) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"extra{n}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewritten(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with one part's XML changed (everything else copied as it is)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            dst.writestr(item.filename, change(body) if item.filename == part else body)
    return out.getvalue()


EXTRACT = [["kpi_code", "area_code", "period", "value"], ["LEAD-ESC", "QPM", "2024-01", 5]]
SHEET = "xl/worksheets/sheet1.xml"


def zip_bomb() -> bytes:
    """A small workbook whose first sheet inflates to about 20 MB of whitespace."""
    pad = b" " * (20 << 20)
    return rewritten(
        workbook_bytes(EXTRACT),
        SHEET,
        lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + pad, 1),
    )


def too_many_rows() -> bytes:
    rows = b"".join(b'<row r="%d"/>' % n for n in range(2, intake.MAX_ROWS + 3))
    return rewritten(
        workbook_bytes(EXTRACT),
        SHEET,
        lambda xml: xml.replace(b"</sheetData>", rows + b"</sheetData>", 1),
    )


def with_dtd(declaration: bytes, reference: bytes) -> bytes:
    def change(xml: bytes) -> bytes:
        body = xml.replace(b"<v>5</v>", b"<v>" + reference + b"</v>", 1)
        return b'<?xml version="1.0" encoding="UTF-8"?>' + declaration + body

    return rewritten(workbook_bytes(EXTRACT), SHEET, change)


LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
)
EXTERNAL = b'<!DOCTYPE worksheet [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def nul_beyond_the_head() -> bytes:
    """A CSV whose NUL byte sits in a note far past the first 64 KB the sniffer reads."""
    lines = ["kpi_code,area_code,period,value,note"]
    for n in range(180):
        year, month = divmod(n, 12)
        lines.append(f"LEAD-ESC,QPM,{2010 + year}-{month + 1:02d},5,{'n' * 400}")
    lines.append("LEAD-ESC,QPM,2025-06,5,before\x00after")
    return ("\n".join(lines) + "\n").encode()


# name -> (bytes, words the one sentence must contain)
FILES: dict[str, tuple[Callable[[], bytes], str]] = {
    "bomb.xlsx": (zip_bomb, "inflates"),
    "rows.xlsx": (too_many_rows, f"more than {intake.MAX_ROWS:,} rows"),
    "sheets.xlsx": (lambda: workbook_bytes(EXTRACT, intake.MAX_SHEETS + 1), "sheets; at most"),
    "laughs.xlsx": (lambda: with_dtd(LAUGHS, b"&d;"), "declares a DTD or entities"),
    "external.xlsx": (lambda: with_dtd(EXTERNAL, b"&x;"), "declares a DTD or entities"),
    "lone_cr.csv": (lambda: GOOD.replace("\n", "\r").encode(), "carriage return only"),
    "year_zero.csv": (lambda: GOOD.replace("2024-01", "0000-01").encode(), "before 2000"),
    "huge.csv": (lambda: GOOD.replace(",5\n", ",1e300\n").encode(), "larger than any value"),
    "nul_note.csv": (nul_beyond_the_head, "NUL"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "store.duckdb"
    assert run_scorecard("init", "--db", str(db)).returncode == 0
    extract = folder / "good.csv"
    extract.write_text(GOOD, encoding="utf-8")
    done = run_scorecard("load", str(extract), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db


def fingerprint(db: Path) -> dict[str, str]:
    """Every file in the store's folder but the inputs: name -> SHA-256."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(db.parent.iterdir())
        if p.is_file() and not p.is_symlink() and p.suffix not in (".csv", ".xlsx", ".pdf")
    }


def one_sentence(stderr: str, *words: str) -> str:
    assert "Traceback" not in stderr
    lines = [
        line for line in stderr.splitlines() if not line.endswith("nothing written (1 problem)")
    ]
    assert len(lines) == 1, stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert "\x1b" not in stderr
    return lines[0]


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_hostile_file_gets_one_sentence_and_changes_nothing(db, tmp_path, name):
    make, words = FILES[name]
    path = tmp_path / name
    path.write_bytes(make())
    before = fingerprint(db)
    done = run_scorecard("load", str(path), "--db", str(db), timeout=120)
    assert done.returncode == 1, done.stdout
    one_sentence(done.stderr, str(path), words)
    assert fingerprint(db) == before
    assert not store_writes.tmp_path(db).exists()


def test_openpyxl_parses_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML  # entities are refused even past the byte scan


def test_the_zip_bomb_is_small_on_disk_and_refused_before_parsing(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb())
    assert path.stat().st_size < 1 << 20
    with pytest.raises(UserError, match="zip bomb"):
        intake.check_workbook(path)


def test_a_named_pipe_is_refused_without_hanging(db, tmp_path):
    fifo = tmp_path / "x.csv"
    os.mkfifo(fifo)
    before = fingerprint(db)
    done = run_scorecard("load", str(fifo), "--db", str(db), timeout=60)
    assert done.returncode == 1
    one_sentence(done.stderr, "named pipe, not a regular file")
    assert fingerprint(db) == before


def test_a_device_and_a_link_to_a_system_file_are_not_echoed(db, tmp_path):
    device = tmp_path / "dev.csv"
    device.symlink_to("/dev/zero")
    done = run_scorecard("load", str(device), "--db", str(db), timeout=60)
    one_sentence(done.stderr, "character device")
    system = tmp_path / "passwd.csv"
    system.symlink_to("/etc/passwd")
    first_line = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    done = run_scorecard("load", str(system), "--db", str(db), timeout=60)
    sentence = one_sentence(done.stderr, "not the header of a KPI extract")
    assert first_line not in sentence
    assert first_line.split(":")[0] + ":" not in sentence


def test_control_characters_in_a_name_are_not_sent_to_the_terminal(db, tmp_path):
    path = tmp_path / "report\x1b[2J\x07.csv"
    path.write_text(GOOD.replace("LEAD-ESC", "LEAD-XXX"), encoding="utf-8")
    done = run_scorecard("load", str(path), "--db", str(db))
    assert done.returncode == 1
    assert "\x1b" not in done.stderr
    assert "\x07" not in done.stderr
    assert "report[2J.csv" in done.stderr


def test_a_full_disk_during_a_load_leaves_no_temporary_file(db, tmp_path, framework, monkeypatch):
    path = tmp_path / "more.csv"
    path.write_text(GOOD.replace(",5\n", ",6\n"), encoding="utf-8")
    before = fingerprint(db)
    real_copy = shutil.copyfile

    def full_disk(src: Path, dst: Path) -> None:
        real_copy(src, dst)  # the copy is written, then the disk fills up
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_writes.shutil, "copyfile", full_disk)
    with pytest.raises(UserError) as refused:
        pipeline.load_files([path], db, framework, user="test")
    (problem,) = refused.value.problems
    assert "no space left on device" in problem.sentence()
    assert "\n" not in problem.sentence()
    assert not store_writes.tmp_path(db).exists()
    assert fingerprint(db) == before


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("folder", "this is a folder"),
        ("/proc/version.pdf", "cannot write"),
        ("/dev/full", "character device"),
        ("link", "symbolic link"),
        ("missing/out.pdf", "does not exist"),
    ],
)
@pytest.mark.parametrize("command", ["pack", "export"])
def test_out_writes_only_to_a_regular_file(db, tmp_path, command, target, words):
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere.pdf")
    out = target if target.startswith("/") else str(tmp_path / target)
    args = ["--month", "2024-01"] if command == "pack" else []
    before = fingerprint(db)
    done = run_scorecard(command, *args, "--db", str(db), "--out", out, timeout=120)
    assert done.returncode == 1, done.stdout
    one_sentence(done.stderr, words)
    assert not list(tmp_path.rglob("*.partial"))
    assert not (tmp_path / "elsewhere.pdf").exists()
    assert Path("/dev/full").is_char_device()
    assert fingerprint(db) == before


def test_the_connectors_refuse_a_zip_bomb_and_a_pipe_too(tmp_path):
    from scorecard.data.connectors.nhse_virtual_wards import read_virtual_wards
    from scorecard.thread.errors import UserError

    bomb = tmp_path / "2024_03_Monthly_Virtual_Ward.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<a>" + "0" * 20_000_000 + "</a>")
    with pytest.raises(UserError) as caught:
        read_virtual_wards(bomb)
    assert "zip bomb" in caught.value.problems[0].sentence()
    pipe = tmp_path / "2024_04_Monthly_Virtual_Ward.xlsx"
    os.mkfifo(pipe)
    with pytest.raises(UserError):
        read_virtual_wards(pipe)
