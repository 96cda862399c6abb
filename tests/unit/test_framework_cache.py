"""The validated-framework snapshot: a hit equals a full validation, and anything else validates."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import scorecard.thread.framework as fwmod
import scorecard.thread.framework_snapshot as snapmod
from scorecard.cli import main
from scorecard.thread import framework_checks, framework_coverage
from scorecard.thread.domain import Framework
from scorecard.thread.errors import UserError
from scorecard.thread.framework import load_framework
from scorecard.thread.framework_coverage import framework_as_dict
from scorecard.thread.framework_snapshot import CACHE_ENV
from scorecard.thread.framework_tables import TABLES

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache folder of this test's own ($SCORECARD_CACHE_DIR)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture(params=["small", "ican"])
def folder(
    request: pytest.FixtureRequest, small_framework_dir: Path, framework_dir: Path, tmp_path: Path
) -> Path:
    """A copy of a framework folder (the small fixture, or the real iCAN one)."""
    source = small_framework_dir if request.param == "small" else framework_dir
    target = tmp_path / "fw"
    shutil.copytree(source, target)
    return target


class Spy:
    """Counts full validations (``_validated`` calls) while passing them through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = fwmod._validated

        def counted(*args: object, **kwargs: object) -> object:
            self.calls += 1
            return real(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(fwmod, "_validated", counted)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Spy:
    return Spy(monkeypatch)


def snapshots(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json"))


def test_a_hit_equals_a_full_validation(folder: Path, cache: Path, spy: Spy) -> None:
    full = load_framework(folder, use_cache=False)
    assert spy.calls == 1
    assert len(snapshots(cache)) == 1
    hit = load_framework(folder)
    assert spy.calls == 1  # served from the snapshot
    assert hit == full
    assert hit is not full
    assert framework_as_dict(hit) == framework_as_dict(full)
    assert [type(k.direction) for k in hit.kpis] == [type(k.direction) for k in full.kpis]
    assert hit.kpi(full.kpis[0].code) == full.kpis[0]


def test_a_first_load_validates_and_keeps_a_snapshot(folder: Path, cache: Path, spy: Spy) -> None:
    first = load_framework(folder)
    second = load_framework(folder)
    assert spy.calls == 1
    assert first == second
    assert len(snapshots(cache)) == 1
    assert not list(cache.glob(".snapshot-*"))  # no temporary file left behind


def test_use_cache_false_always_validates(folder: Path, cache: Path, spy: Spy) -> None:
    load_framework(folder)
    load_framework(folder, use_cache=False)
    load_framework(folder, use_cache=False)
    assert spy.calls == 3


def test_the_framework_command_always_validates(
    folder: Path, cache: Path, spy: Spy, capsys: pytest.CaptureFixture[str]
) -> None:
    load_framework(folder)
    assert spy.calls == 1
    assert main(["framework", "--framework", str(folder)]) == 0
    assert spy.calls == 2
    assert ": valid." in capsys.readouterr().out


def _flip_one_byte(path: Path, old: bytes, new: bytes) -> None:
    """Replace one byte of the first ``old`` in the file, keeping its size and mtime."""
    assert len(old) == len(new)
    assert sum(a != b for a, b in zip(old, new, strict=True)) == 1
    stat = path.stat()
    data = path.read_bytes()
    assert old in data
    path.write_bytes(data.replace(old, new, 1))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_one_byte_edited_validates_again_and_reports_it(
    small_framework_dir: Path, tmp_path: Path, cache: Path, spy: Spy
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    load_framework(folder)
    _flip_one_byte(folder / "areas.csv", b",place,", b",placE,")
    with pytest.raises(UserError) as caught:
        load_framework(folder)
    assert spy.calls == 2
    [problem] = caught.value.problems
    assert (problem.file.endswith("areas.csv"), problem.column, problem.value, problem.rule) == (
        True,
        "type",
        "placE",
        "allowed values",
    )
    assert len(snapshots(cache)) == 1  # the failed one was not kept


def test_an_edit_that_still_passes_is_a_new_snapshot(
    small_framework_dir: Path, tmp_path: Path, cache: Path, spy: Spy
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    before = load_framework(folder)
    _flip_one_byte(folder / "areas.csv", b"Heartshire North", b"Heartshire Nor_h")
    after = load_framework(folder)
    assert spy.calls == 2
    assert after != before
    assert "Heartshire Nor_h" in {a.name for a in after.areas}
    assert len(snapshots(cache)) == 2
    assert load_framework(folder) == after
    assert spy.calls == 2


def test_a_broken_framework_is_never_cached(
    small_framework_dir: Path, tmp_path: Path, cache: Path, spy: Spy
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    (folder / "bricks.csv").write_text("", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(UserError) as caught:
            load_framework(folder)
        assert caught.value.problems[0].rule == "header row"
    assert spy.calls == 2
    assert snapshots(cache) == []
    shutil.copy(small_framework_dir / "bricks.csv", folder / "bricks.csv")
    load_framework(folder)
    assert len(snapshots(cache)) == 1


def _resealed(document: dict[str, object], tables: dict[str, object]) -> dict[str, object]:
    """The snapshot with other tables and a digest that matches them."""
    payload = json.dumps(tables)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    return {**document, "payload": payload, "digest": digest}


def _bad_enum(document: dict[str, object]) -> dict[str, object]:
    tables = json.loads(str(document["payload"]))
    tables["areas"]["rows"][0][tables["areas"]["columns"].index("type")] = "planet"
    return _resealed(document, tables)


def _short_row(document: dict[str, object]) -> dict[str, object]:
    tables = json.loads(str(document["payload"]))
    tables["kpis"]["rows"][0].pop()
    return _resealed(document, tables)


def _missing_table(document: dict[str, object]) -> dict[str, object]:
    tables = json.loads(str(document["payload"]))
    del tables["links"]
    return _resealed(document, tables)


def _tampered_payload(document: dict[str, object]) -> dict[str, object]:
    return {**document, "payload": str(document["payload"]).replace("Heartshire", "Elsewhere")}


def _other_key(document: dict[str, object]) -> dict[str, object]:
    return {**document, "key": "0" * 64}


def _other_format(document: dict[str, object]) -> dict[str, object]:
    return {**document, "format": 999}


CORRUPTIONS: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("empty", lambda data: b""),
    ("truncated", lambda data: data[: len(data) // 2]),
    ("not-json", lambda data: b"\x00\xff not a snapshot"),
    ("a-list", lambda data: b"[1, 2, 3]"),
    ("deep", lambda data: b"[" * 100_000),
    *(
        (name, lambda data, edit=edit: json.dumps(edit(json.loads(data))).encode())
        for name, edit in [
            ("tampered-payload", _tampered_payload),
            ("other-key", _other_key),
            ("other-format", _other_format),
            ("bad-enum", _bad_enum),
            ("short-row", _short_row),
            ("missing-table", _missing_table),
        ]
    ),
]


@pytest.mark.parametrize(
    "corrupt", [c for _, c in CORRUPTIONS], ids=[name for name, _ in CORRUPTIONS]
)
def test_a_damaged_snapshot_is_a_miss(
    small_framework_dir: Path,
    tmp_path: Path,
    cache: Path,
    spy: Spy,
    corrupt: Callable[[bytes], bytes],
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    expected = load_framework(folder)
    [snapshot] = snapshots(cache)
    snapshot.write_bytes(corrupt(snapshot.read_bytes()))
    assert load_framework(folder) == expected
    assert spy.calls == 2  # validated again
    assert load_framework(folder) == expected
    assert spy.calls == 2  # and the snapshot was rewritten whole


def test_an_unreadable_snapshot_is_a_miss(
    small_framework_dir: Path, tmp_path: Path, cache: Path, spy: Spy
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    expected = load_framework(folder)
    [snapshot] = snapshots(cache)
    snapshot.unlink()
    snapshot.mkdir()  # reading it fails (IsADirectoryError), even for root
    assert load_framework(folder) == expected
    assert spy.calls == 2


def test_a_cache_that_cannot_be_written_still_loads(
    small_framework_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spy: Spy
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))  # mkdir fails, even for root
    full = load_framework(small_framework_dir, use_cache=False)
    assert load_framework(small_framework_dir) == full
    assert load_framework(small_framework_dir) == full
    assert spy.calls == 3  # nothing could be kept, so every load validated


def test_no_cache_folder_at_all_still_loads(
    small_framework_dir: Path, monkeypatch: pytest.MonkeyPatch, spy: Spy
) -> None:
    monkeypatch.setattr(snapmod, "_cache_dir", lambda folder: None)
    first = load_framework(small_framework_dir)
    assert load_framework(small_framework_dir) == first
    assert spy.calls == 2


def test_where_snapshots_live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "project"
    folder = project / "data" / "framework"
    folder.mkdir(parents=True)
    user = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(user))
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "chosen"))
    assert snapmod._cache_dir(folder) == tmp_path / "chosen"
    monkeypatch.delenv(CACHE_ENV)
    assert snapmod._cache_dir(folder) == project / "data" / ".cache" / "framework"
    (project / "data" / ".cache").write_text("a file where the folder would go", encoding="utf-8")
    assert snapmod._cache_dir(folder) == user / "ican-scorecard" / "framework"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file" / "below"))
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    assert snapmod._cache_dir(folder) is None


def test_the_key_covers_files_rules_and_versions(
    small_framework_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)

    def key() -> str | None:
        return snapmod._cache_key(fwmod._sources(folder))

    first = key()
    assert first is not None
    assert key() == first

    seen = {first}
    (folder / "trajectories.csv").unlink()  # an absent optional file ...
    seen.add(str(key()))
    (folder / "trajectories.csv").write_bytes(b"")  # ... is not an empty one
    seen.add(str(key()))
    shutil.copy(small_framework_dir / "trajectories.csv", folder / "trajectories.csv")
    assert key() == first

    names = (
        "framework.py",
        "framework_tables.py",
        "framework_checks.py",
        "framework_snapshot.py",
        "schemas.py",
        "benefit_schemas.py",
        "formulas.py",
        "domain.py",
    )
    rules = [tmp_path / name for name in names]
    for path, real in zip(rules, snapmod._rule_files(), strict=True):
        shutil.copy(real, path)
    monkeypatch.setattr(snapmod, "_rule_files", lambda: rules)
    assert key() == first  # the same rules, read from elsewhere
    with rules[names.index("schemas.py")].open("a", encoding="utf-8") as handle:
        handle.write("\n# a rule changed\n")
    seen.add(str(key()))
    monkeypatch.setattr(snapmod, "__version__", "999.0")
    seen.add(str(key()))
    monkeypatch.setattr(snapmod, "_library_versions", lambda: "pandera-9.9.9.dist-info")
    seen.add(str(key()))
    assert len(seen) == 6


def _framework_modules_read_by_the_loader() -> set[str]:
    """The framework_* modules that scorecard.thread.framework imports, and theirs, in turn."""
    found: set[str] = set()
    todo = ["scorecard.thread.framework"]
    while todo:
        name = todo.pop()
        source = REPO / (name.replace(".", "/") + ".py")
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                imported = node.module
                if imported.startswith("scorecard.thread.framework_") and imported not in found:
                    found.add(imported)
                    todo.append(imported)
    return found


def test_every_module_that_decides_a_validation_is_a_rule_file() -> None:
    rule_files = {path.resolve() for path in snapmod._rule_files()}
    checks = Path(framework_checks.__file__).resolve()
    assert checks in rule_files  # the cross-table checks decide what is valid
    read = _framework_modules_read_by_the_loader()
    assert "scorecard.thread.framework_checks" in read  # the walk below can fail: it finds modules
    for name in sorted(read | {"scorecard.thread.framework"}):
        assert (REPO / (name.replace(".", "/") + ".py")).resolve() in rule_files, name
    assert Path(framework_coverage.__file__).resolve() not in rule_files  # reports, never judges


def test_a_changed_check_invalidates_the_snapshot(
    small_framework_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = snapmod._cache_key(fwmod._sources(small_framework_dir))
    rules = []
    for n, real in enumerate(snapmod._rule_files()):
        rules.append(tmp_path / f"{n}-{real.name}")
        shutil.copy(real, rules[-1])
    monkeypatch.setattr(snapmod, "_rule_files", lambda: rules)
    assert snapmod._cache_key(fwmod._sources(small_framework_dir)) == first
    [checks] = [path for path in rules if path.name.endswith("-framework_checks.py")]
    with checks.open("a", encoding="utf-8") as handle:
        handle.write("\n# a cross-table rule changed\n")
    assert snapmod._cache_key(fwmod._sources(small_framework_dir)) not in {first, None}


def test_an_unreadable_rule_file_means_no_cache(
    small_framework_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    monkeypatch.setattr(snapmod, "_rule_files", lambda: [tmp_path / "gone.py"])
    assert snapmod._cache_key(fwmod._sources(small_framework_dir)) is None
    load_framework(small_framework_dir)
    assert snapshots(cache) == []


def test_old_snapshots_are_pruned(
    small_framework_dir: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.mkdir()
    for n in range(snapmod._SNAPSHOTS_KEPT + 5):
        old = cache / f"{n:064x}.json"
        old.write_text("{}", encoding="utf-8")
        os.utime(old, ns=(n * 10**9, n * 10**9))
    other = cache / "not-a-snapshot.json"  # someone else's file in a shared cache folder
    other.write_text("{}", encoding="utf-8")
    os.utime(other, ns=(0, 0))
    load_framework(small_framework_dir)
    kept = snapshots(cache)
    assert other in kept
    kept.remove(other)
    assert len(kept) == snapmod._SNAPSHOTS_KEPT
    assert cache / f"{0:064x}.json" not in kept
    assert any(len(p.read_text(encoding="utf-8")) > 2 for p in kept)  # the new one stayed


HIT_CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from scorecard.thread.framework import load_framework
    fw = load_framework(Path(sys.argv[1]))
    sys.stdout.write(json.dumps({
        "pandera": "pandera" in sys.modules,
        "pandas": "pandas" in sys.modules,
        "kpis": len(fw.kpis),
    }))
    """
)


def _child(folder: Path, cache: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", HIT_CHILD, str(folder)],
        cwd=REPO,
        env={**os.environ, CACHE_ENV: str(cache)},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_hit_imports_neither_pandera_nor_pandas(framework_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _child(framework_dir, cache)
    assert cold["pandera"] is True  # the check below can fail: a miss does import it
    warm = _child(framework_dir, cache)
    assert warm == {"pandera": False, "pandas": False, "kpis": cold["kpis"]}


def test_the_snapshot_is_json_not_pickle(small_framework_dir: Path, cache: Path) -> None:
    fw: Framework = load_framework(small_framework_dir)
    [snapshot] = snapshots(cache)
    document = json.loads(snapshot.read_text(encoding="utf-8"))
    assert document["key"] == snapshot.stem
    tables = json.loads(document["payload"])
    assert set(tables) == set(TABLES)
    assert len(tables["kpis"]["rows"]) == len(fw.kpis)


def test_a_file_that_cannot_be_read_is_a_problem_and_nothing_is_kept(
    small_framework_dir: Path, tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    real = Path.read_bytes

    def denied(path: Path) -> bytes:
        if path.name == "kpis.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(UserError) as caught:
        load_framework(folder)
    [problem] = caught.value.problems
    assert problem.file.endswith("kpis.csv")
    assert (problem.rule, problem.message) == (
        "file readable",
        "the file cannot be read (Permission denied)",
    )
    assert snapshots(cache) == []
