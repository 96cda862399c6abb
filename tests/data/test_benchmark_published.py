"""``scorecard --json`` benchmarks on published workbooks, against the workbooks read by hand."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import openpyxl
import pytest
from cli_process import run_scorecard

from scorecard.data.reviews import Reviews
from scorecard.data.store import Store
from scorecard.reports.pack import read_pack_data, render_html

REPO = Path(__file__).resolve().parents[2]
DISCHARGES = REPO / "data" / "published" / "nhse_discharge_delays_acute" / "january2024.xlsx"
WARDS = REPO / "data" / "published" / "nhse_virtual_wards"

Z_95, Z_998 = 1.959964, 3.090232


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("benchmark") / "published.duckdb"
    for args in (
        ("init",),
        ("import-nhse", "discharge-delays", str(DISCHARGES)),
        (
            "import-nhse",
            "virtual-wards",
            str(WARDS / "2023_12_Monthly_Virtual_Ward.xlsx"),
            str(WARDS / "2024_01_Monthly_Virtual_Ward.xlsx"),
        ),
    ):
        done = run_scorecard(*args, "--db", str(db))
        assert done.returncode == 0, done.stderr
    return db


@pytest.fixture(scope="module")
def rows(store: Path) -> dict[str, dict[str, object]]:
    done = run_scorecard(
        "scorecard", "--month", "2024-01", "--area", "QPM", "--json", "--db", str(store)
    )
    assert done.returncode == 0, done.stderr
    return {str(r["kpi_code"]): r for r in json.loads(done.stdout)}


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _p0_table() -> tuple[tuple[float, float], dict[str, tuple[float, float]]]:
    """(England's P0, all discharges) and each ICB's, from sheet 'Table 4' read cell by cell."""
    book = openpyxl.load_workbook(DISCHARGES, read_only=True, data_only=True)
    sheet = list(book["Table 4"].iter_rows(values_only=True))
    heads = sheet[4]
    columns = [
        i for i, h in enumerate(heads) if isinstance(h, str) and h[:2] in {"P0", "P1", "P2", "P3"}
    ]
    p0 = [i for i in columns if str(heads[i]).startswith("P0")]
    england = next(r for r in sheet if str(r[3] or "").startswith("ENGLAND"))
    icbs = {}
    for r in sheet:
        code = r[2]
        if isinstance(code, str) and len(code) == 3 and code.startswith("Q"):
            icbs[code] = (sum(_number(r[i]) for i in p0), sum(_number(r[i]) for i in columns))
    return (
        (sum(_number(england[i]) for i in p0), sum(_number(england[i]) for i in columns)),
        icbs,
    )


def _ward_table(stem: str) -> tuple[tuple[float, float], dict[str, tuple[float, float]]]:
    """(England's patients, capacity) and each ICB's, from sheet 'Virtual Ward Data'."""
    book = openpyxl.load_workbook(
        WARDS / f"{stem}_Monthly_Virtual_Ward.xlsx", read_only=True, data_only=True
    )
    sheet = list(book["Virtual Ward Data"].iter_rows(values_only=True))
    england = next(r for r in sheet if r[4] == "ENGLAND")
    icbs = {
        str(r[3]): (float(r[8]), float(r[5]))
        for r in sheet
        if isinstance(r[3], str)
        and r[3].startswith("Q")
        and isinstance(r[5], int | float)
        and isinstance(r[8], int | float)
    }
    return (float(england[8]), float(england[5])), icbs


def _quantile(sorted_values: list[float], p: float) -> float:
    h = (len(sorted_values) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (h - low) * (sorted_values[high] - sorted_values[low])


def _band(
    england: tuple[float, float], icbs: dict[str, tuple[float, float]], own: str
) -> tuple[str, tuple[float, float]]:
    """Spiegelhalter's additive over-dispersed funnel, written out long-hand, higher = better."""
    target = england[0] / england[1]
    kept = {c: (num, den) for c, (num, den) in icbs.items() if den > 0 and 0 <= num <= den}
    s = {c: math.sqrt(target * (1 - target) / den) for c, (_, den) in kept.items()}
    z = [(num / den - target) / s[c] for c, (num, den) in kept.items()]
    ordered = sorted(z)
    low, high = _quantile(ordered, 0.1), _quantile(ordered, 0.9)
    phi = sum(min(max(v, low), high) ** 2 for v in z) / len(z)
    w = [1 / v**2 for v in s.values()]
    tau2 = 0.0
    if phi > 1:
        tau2 = max(0.0, (len(z) * phi - (len(z) - 1)) / (sum(w) - sum(x * x for x in w) / sum(w)))
    num, den = kept[own]
    y = num / den
    spread = math.sqrt(s[own] ** 2 + tau2)
    limits = ((target - Z_95 * spread) * 100, (target + Z_95 * spread) * 100)
    if y > target + Z_998 * spread:
        return "better_998", limits
    if y > target + Z_95 * spread:
        return "better_95", limits
    if y < target - Z_998 * spread:
        return "worse_998", limits
    if y < target - Z_95 * spread:
        return "worse_95", limits
    return "similar", limits


def test_p0_share_has_englands_printed_value_and_the_band_calculated_by_hand(rows) -> None:
    england, icbs = _p0_table()
    benchmark = rows["LEAD-P0"]["benchmark"]
    assert isinstance(benchmark, dict)
    assert benchmark["method"] == "funnel"
    assert benchmark["england"] == pytest.approx(england[0] / england[1] * 100, abs=0.1)
    band, limits = _band(england, icbs, "QPM")
    assert benchmark["band"] == band
    assert benchmark["limits_95"] == pytest.approx(limits, abs=1e-4)
    assert benchmark["peers"] == len(icbs)


def test_virtual_ward_occupancy_has_englands_printed_value_and_the_band_by_hand(rows) -> None:
    row = rows["ACT-VWOCC"]
    assert row["period"] == "2023-12"  # January's ICB figure was not submitted
    england, icbs = _ward_table("2023_12")
    benchmark = row["benchmark"]
    assert isinstance(benchmark, dict)
    assert benchmark["method"] == "funnel"
    assert benchmark["england"] == pytest.approx(72.7, abs=0.1)  # printed as 0.727
    assert benchmark["england"] == pytest.approx(england[0] / england[1] * 100, abs=0.1)
    band, limits = _band(england, icbs, "QPM")
    assert benchmark["band"] == band
    assert benchmark["limits_95"] == pytest.approx(limits, abs=1e-4)
    low, high = benchmark["limits_95"]
    assert low < benchmark["england"] < high


def test_a_kpi_without_comparison_data_has_a_null_benchmark(rows) -> None:
    assert all(set(r) >= {"source", "benchmark"} for r in rows.values())
    without = [r for r in rows.values() if r["kpi_code"] not in {"LEAD-P0", "ACT-VWOCC"}]
    assert any(r["benchmark"] is None for r in without)


def test_the_board_pack_draws_the_funnel_of_each_benchmarked_lead_kpi(
    store: Path, framework
) -> None:
    data = read_pack_data(framework, Store(store), Reviews.beside(store), "2024-01", "QPM")
    assert "LEAD-P0" in data.peer_tables
    assert all(t.method == "funnel" for t in data.peer_tables.values())
    assert all(data.fw.kpi(code).tier.value == "lead" for code in data.peer_tables)
    figures = re.findall(r'<figure class="funnel">(.*?)</figure>', render_html(data), flags=re.S)
    assert len(figures) == len(data.peer_tables)
    name = framework.kpi("LEAD-P0").name
    (p0,) = [f for f in figures if f"<title>Funnel plot of {name}: " in f]
    assert f"{data.area.name} " in p0
    assert ">QPM</text>" in p0
