"""The store: init, the read API, identity, injection safety, the writer lock, leftovers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from schemas.store import Current, Loads, Observations
from scorecard.data import pipeline, store, store_sql, store_writes
from scorecard.thread.domain import OBSERVATION_COLUMNS, Framework
from scorecard.thread.errors import UserError

REPO = Path(__file__).resolve().parents[2]


def test_init_creates_an_empty_store(run_cli, tmp_path: Path) -> None:
    db = tmp_path / "new" / "scorecard.duckdb"
    done = run_cli("init", "--db", db, "--json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["db"] == str(db)
    reader = store.Store(db)
    assert reader.counts() == (0, 0)
    assert reader.meta()["schema_version"] == store_sql.SCHEMA_VERSION
    assert reader.meta()["framework"] == "iCAN"
    assert reader.current().empty
    assert list(reader.current().columns) == list(OBSERVATION_COLUMNS)
    assert reader.periods() == []
    assert not store_writes.tmp_path(db).exists()
    assert not Path(f"{db}.wal").exists()


def test_init_refuses_to_overwrite_a_store_with_data(run_cli, loaded_db: Path) -> None:
    before = loaded_db.read_bytes()
    done = run_cli("init", "--db", loaded_db)
    assert done.code == 1
    assert "already exists" in done.err
    assert "left as it is" in done.err
    assert loaded_db.read_bytes() == before


def test_init_again_on_an_empty_store_is_allowed(run_cli, db: Path) -> None:
    assert run_cli("init", "--db", db).code == 0
    assert store.Store(db).counts() == (0, 0)


def test_init_refuses_a_file_that_is_not_a_store(run_cli, tmp_path: Path) -> None:
    other = tmp_path / "notes.duckdb"
    other.write_text("my notes", encoding="utf-8")
    done = run_cli("init", "--db", other)
    assert done.code == 1
    assert "not an empty scorecard store" in done.err
    assert other.read_text(encoding="utf-8") == "my notes"


def test_init_with_a_broken_framework_creates_nothing(run_cli, tmp_path: Path) -> None:
    broken = tmp_path / "framework"
    shutil.copytree(REPO / "data" / "framework", broken)
    (broken / "kpis.csv").write_text("code,name\nX,Y\n", encoding="utf-8")
    db = tmp_path / "scorecard.duckdb"
    done = run_cli("init", "--db", db, "--framework", broken)
    assert done.code == 1
    assert "Traceback" not in done.err
    assert list(tmp_path.glob("scorecard.duckdb*")) == []


def test_read_api_filters(loaded_db: Path) -> None:
    reader = store.Store(loaded_db)
    everything = Current.validate(reader.current())
    assert len(everything) == 5
    keys = list(
        zip(everything["kpi_code"], everything["area_code"], everything["period"], strict=True)
    )
    assert keys == sorted(keys)
    assert set(reader.current(kpi_codes=["LEAD-P0"])["area_code"]) == {"RNS", "RNQ"}
    assert list(reader.current(kpi_codes=["SYS-ATT"], area_codes=["QPM", "RNQ"])["area_code"]) == [
        "QPM",
        "RNQ",
    ]
    assert list(reader.current(up_to="2024-02")["period"]) == ["2024-02"]
    assert reader.current(kpi_codes=[]).empty
    assert reader.periods() == ["2024-02", "2024-03"]
    assert (
        reader.history(kpi_code="LEAD-P0", area_code="RNQ")["file_name"]
        .str.endswith("baseline.csv")
        .all()
    )


@pytest.mark.parametrize(
    "evil",
    ["x' OR '1'='1", "SYS-ATT' OR 1=1 --", "'; DROP TABLE observations; --", "%", "*", "SYS-ATT%"],
)
def test_injection_strings_return_nothing(loaded_db: Path, evil: str) -> None:
    reader = store.Store(loaded_db)
    assert reader.current(kpi_codes=[evil]).empty
    assert reader.current(area_codes=[evil]).empty
    assert reader.history(kpi_code=evil).empty
    assert reader.history(area_code=evil).empty
    assert reader.counts() == (5, 1), "and the tables are all still there"


def test_identity_changes_with_the_data_only(
    loaded_db: Path, framework: Framework, tmp_path, write_extract
):
    reader = store.Store(loaded_db)
    first = reader.identity()
    reader.current()
    reader.history()
    assert reader.identity() == first, "reading does not change the identity"
    path = write_extract(tmp_path / "new.csv", "SYS-ATT,QPM,2024-04,4300,,,final,")
    pipeline.load_files([path], loaded_db, framework, "tester")
    second = reader.identity()
    assert second != first
    pipeline.load_files([path], loaded_db, framework, "tester")
    assert reader.identity() == second, "an unchanged load writes nothing"
    assert store.Store(tmp_path / "absent.duckdb").identity() == "absent"


def test_a_reader_in_this_process_sees_each_new_file(
    loaded_db: Path, framework, tmp_path, write_extract
):
    reader = store.Store(loaded_db)
    assert len(reader.current()) == 5
    for i in range(3):
        path = write_extract(tmp_path / f"m{i}.csv", f"SYS-ATT,QPM,2023-0{i + 1},4300,,,final,")
        (report,) = pipeline.load_files([path], loaded_db, framework, "tester")
        assert report.status == "loaded"
        assert len(reader.current()) == 6 + i


def test_tables_pass_their_schemas_after_loads_and_revisions(
    loaded_db, framework, tmp_path, write_extract
):
    for i, value in enumerate([4410, 4420, 4400]):
        path = write_extract(tmp_path / f"r{i}.csv", f"SYS-ATT,QPM,2024-03,{value},,,final,")
        pipeline.load_files([path], loaded_db, framework, "tester")
    reader = store.Store(loaded_db)
    history = Observations.validate(reader.history())
    assert len(history) == 8
    assert list(history[history["area_code"] == "QPM"]["superseded_by"].astype("Int64")) == [
        2,
        3,
        4,
        pd.NA,
    ]
    Current.validate(reader.current())
    Loads.validate(reader.loads())


def test_missing_store_is_a_sentence(tmp_path: Path) -> None:
    reader = store.Store(tmp_path / "none.duckdb")
    assert not reader.exists()
    with pytest.raises(UserError, match="there is no store at"):
        reader.current()


def test_writer_lock_serialises_and_times_out(db: Path) -> None:
    with store_writes.writer_lock(db):
        with pytest.raises(UserError) as raised, store_writes.writer_lock(db, timeout_s=0.2):
            pytest.fail("a second writer got the lock")
        assert raised.value.problems[0].rule == "writer_lock"
    with store_writes.writer_lock(db, timeout_s=0.2):
        pass  # released on exit


def test_leftovers_of_a_killed_load_are_cleared(
    loaded_db: Path, framework, tmp_path, write_extract
):
    tmp = store_writes.tmp_path(loaded_db)
    tmp.write_bytes(b"half-written copy")
    Path(f"{tmp}.wal").write_bytes(b"a log that must never replay onto a fresh copy")
    path = write_extract(tmp_path / "next.csv", "SYS-ATT,QPM,2024-04,4300,,,final,")
    (report,) = pipeline.load_files([path], loaded_db, framework, "tester")
    assert report.status == "loaded"
    assert len(store.Store(loaded_db).current()) == 6
    assert not tmp.exists()
    assert not Path(f"{tmp}.wal").exists()


def test_a_stray_wal_beside_the_store_is_refused(
    loaded_db: Path, framework, tmp_path, write_extract
):
    Path(f"{loaded_db}.wal").write_bytes(b"someone wrote outside the scorecard")
    before = loaded_db.read_bytes()
    path = write_extract(tmp_path / "next.csv", "SYS-ATT,QPM,2024-04,4300,,,final,")
    with pytest.raises(UserError, match="opened for writing outside the scorecard"):
        pipeline.load_files([path], loaded_db, framework, "tester")
    assert loaded_db.read_bytes() == before
