"""Fixtures for the load pipeline and store tests: temp stores built by the real pipeline."""

from __future__ import annotations

import csv
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from scorecard import cli
from scorecard.data import pipeline, pipeline_validation, store, store_writes
from scorecard.thread.domain import DERIVED_KPIS, Framework, Unit
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[2]
BAD = Path(__file__).resolve().parent / "bad"
HEADER = "kpi_code,area_code,period,value,numerator,denominator,status,note"

# What the corpus files revise if anything leaks through: the same keys, other values.
BASELINE_ROWS = (
    "SYS-ATT,QPM,2024-03,4400,,,final,baseline",
    "SYS-ATT,RNS,2024-03,1900,,,final,",
    "SYS-ATT,RNQ,2024-03,1700,,,provisional,",
    "LEAD-P0,RNS,2024-03,,400,1000,final,",
    "LEAD-P0,RNQ,2024-02,41.5,415,1000,final,",
)


@dataclass
class CliRun:
    """One in-process run of ``python -m scorecard``."""

    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsysbinary: pytest.CaptureFixture[bytes]) -> Callable[..., CliRun]:
    """Run the CLI in this process (as `python -m scorecard ARGS`), capturing its output."""

    def run(*args: object) -> CliRun:
        capsysbinary.readouterr()
        code = cli.main([str(a) for a in args])
        sys.stdout.flush()
        captured = capsysbinary.readouterr()
        return CliRun(code, captured.out.decode("utf-8"), captured.err.decode("utf-8"))

    return run


def write_csv(path: Path, *rows: str, header: str = HEADER) -> Path:
    """A CSV extract with the given data lines."""
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def write_extract() -> Callable[..., Path]:
    """``write_extract(path, *data_lines, header=HEADER)``: a CSV extract file."""
    return write_csv


@pytest.fixture
def export_of() -> Callable[[Path], bytes]:
    """``export_of(db)``: the CSV export of a store, as bytes."""
    return export_bytes


@pytest.fixture
def db(tmp_path: Path, framework: Framework) -> Path:
    """An empty store of the iCAN framework."""
    path = tmp_path / "scorecard.duckdb"
    store_writes.init_store(path, framework)
    return path


@pytest.fixture
def loaded_db(db: Path, tmp_path: Path, framework: Framework) -> Path:
    """A store holding the baseline rows (load 1)."""
    baseline = write_csv(tmp_path / "baseline.csv", *BASELINE_ROWS)
    (report,) = pipeline.load_files([baseline], db, framework, "tester")
    assert report.status == "loaded", report.errors
    return db


def export_bytes(path: Path) -> bytes:
    """The CSV export of a store, as bytes."""
    return pipeline.export_csv(store.Store(path).current())


def scale_framework(target: Path, pcns: int) -> Path:
    """The iCAN framework plus ``pcns`` PCN areas, with every KPI reported for PCNs."""
    shutil.copytree(REPO / "data" / "framework", target)
    with (target / "areas.csv").open("a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for i in range(pcns):
            writer.writerow([f"U{i:05d}", f"Test PCN {i}", "pcn", "E06000061"])
    kpis = target / "kpis.csv"
    with kpis.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        row["area_types"] += "" if "pcn" in row["area_types"] else ";pcn"
    with kpis.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return target


def months(end: str, count: int) -> list[str]:
    """``count`` months ending with ``end`` (YYYY-MM), oldest first."""
    index = int(end[:4]) * 12 + int(end[5:7]) - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def big_extract(path: Path, fw: Framework, periods: list[str], seed: int = 1) -> int:
    """A valid extract of every loadable KPI x area x period (vectorised); returns its row count.

    KPIs derived from people's records (ACT-BENEFIT) cannot be loaded and are left out.
    """
    rng = np.random.default_rng(seed)
    loadable = [k for k in fw.kpis if k.code not in DERIVED_KPIS]
    pairs = [(k.code, a.code, k.unit) for k in loadable for a in fw.kpi_areas(k.code)]
    n = len(pairs) * len(periods)
    percent = np.repeat([unit == Unit.PERCENT for _, _, unit in pairs], len(periods))
    denominator = rng.integers(50, 5000, n).astype(np.float64)
    numerator = np.floor(denominator * rng.random(n))
    value = np.where(percent, numerator / denominator * 100, rng.uniform(0, 5000, n).round(1))
    table = pa.table(
        {
            "kpi_code": np.repeat([k for k, _, _ in pairs], len(periods)),
            "area_code": np.repeat([a for _, a, _ in pairs], len(periods)),
            "period": np.tile(periods, len(pairs)),
            "value": value,
            "numerator": pa.array(np.where(percent, numerator, np.nan), from_pandas=True),
            "denominator": pa.array(np.where(percent, denominator, np.nan), from_pandas=True),
            "status": np.full(n, "final"),
            "note": pa.nulls(n, pa.string()),
        }
    )
    pacsv.write_csv(table, path)
    return n


@dataclass(frozen=True)
class BigLoad:
    """A scale framework, a store holding a small first load, and a big valid extract."""

    framework_dir: Path
    framework: Framework
    db: Path
    extract: Path
    rows: int


@pytest.fixture(scope="module")
def big_load(tmp_path_factory: pytest.TempPathFactory) -> BigLoad:
    """About 600,000 rows for a scale framework, and a store holding one earlier month."""
    root = tmp_path_factory.mktemp("big")
    framework_dir = scale_framework(root / "framework", pcns=300)
    fw = load_framework(framework_dir)
    periods = months(pipeline_validation.current_period(), 41)
    db = root / "scorecard.duckdb"
    store_writes.init_store(db, fw)
    first = root / "first.csv"
    big_extract(first, fw, periods[:1], seed=2)
    (report,) = pipeline.load_files([first], db, fw, "tester")
    assert report.status == "loaded", report.errors
    extract = root / "big.csv"
    rows = big_extract(extract, fw, periods[1:])
    return BigLoad(framework_dir, fw, db, extract, rows)


@pytest.fixture
def make_extract() -> Callable[[Path, Framework, list[str]], int]:
    """``make_extract(path, fw, periods)``: a big valid extract; returns its row count."""
    return big_extract
