"""The app on a store of published figures: the banner, each value's source, real-data coverage."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_process import run_scorecard
from test_pages import assert_clean, texts

REPO = Path(__file__).resolve().parents[2]
WARDS = REPO / "data" / "published" / "nhse_virtual_wards"
MONTH = "2023-12"


@pytest.fixture(scope="module")
def published_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two virtual ward workbooks imported as published: every value names its publication."""
    path = tmp_path_factory.mktemp("published") / "published.duckdb"
    assert run_scorecard("init", "--db", str(path)).returncode == 0
    files = [str(WARDS / f"2023_{m}_Monthly_Virtual_Ward.xlsx") for m in ("11", "12")]
    done = run_scorecard("import-nhse", "virtual-wards", *files, "--db", str(path))
    assert done.returncode == 0, done.stderr
    return path


def test_home_says_published_data_not_synthetic(open_page, published_db):
    at = open_page(db=published_db, month=MONTH, area="QPM")
    assert_clean(at)
    shown = texts(at)
    assert "Published data." in shown
    assert "Synthetic demo data" not in shown
    # a lead KPI no publication measures says why it has no value
    assert "not published nationally: needs the programme's own extract" in shown


def test_kpi_detail_names_the_publication_file_and_edition(open_page, published_db):
    at = open_page("pages/2_kpi.py", db=published_db, month=MONTH, area="QPM", kpi="ACT-VWOCC")
    assert_clean(at)
    shown = texts(at)
    assert "Source of the latest value (2023-12):" in shown
    assert "Virtual Ward Capacity and Occupancy" in shown
    assert "2023_12_Monthly_Virtual_Ward.xlsx, published 11 January 2024" in shown


def test_a_kpi_no_publication_measures_says_so(open_page, published_db):
    at = open_page("pages/2_kpi.py", db=published_db, month=MONTH, area="QPM", kpi="LEAD-HOME91")
    assert_clean(at)
    assert "Not published nationally: needs the programme's own extract" in texts(at)


def test_assurance_shows_the_share_real_data_covers(open_page, published_db, demo_db):
    at = open_page("pages/5_assurance.py", db=published_db, month=MONTH, area="QPM")
    assert_clean(at)
    shown = texts(at)
    assert "Real data covers **1 of 57 KPIs (2%)**" in shown
    assert "not published nationally: needs the programme's own extract" in shown
    demo = open_page("pages/5_assurance.py", db=demo_db)
    assert "Real data covers **0 of 57 KPIs (0%)**" in texts(demo)
