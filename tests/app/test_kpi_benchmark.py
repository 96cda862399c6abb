"""KPI detail's "Compared with England" on a store built from published workbooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, scorecard

PUBLISHED = REPO / "data" / "published"


@pytest.fixture(scope="module")
def nhse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store from January 2024's discharge workbook and two virtual ward workbooks."""
    path = tmp_path_factory.mktemp("nhse") / "nhse.duckdb"
    scorecard("init", "--db", str(path))
    scorecard(
        "import-nhse",
        "discharge-delays",
        str(PUBLISHED / "nhse_discharge_delays_acute" / "december2023.xlsx"),
        str(PUBLISHED / "nhse_discharge_delays_acute" / "january2024.xlsx"),
        "--db",
        str(path),
    )
    scorecard(
        "import-nhse",
        "virtual-wards",
        *(
            str(PUBLISHED / "nhse_virtual_wards" / f"{m}_Monthly_Virtual_Ward.xlsx")
            for m in ("2023_12", "2024_01")
        ),
        "--db",
        str(path),
    )
    return path


def _texts(at) -> list[str]:
    return [e.value for e in (*at.markdown, *at.caption, *at.warning)]


def test_p0_shows_the_funnel_the_sentence_and_the_value_against_england(open_page, nhse_db):
    at = open_page("pages/2_kpi.py", db=nhse_db, kpi="LEAD-P0", month="2024-01", area="QPM")
    assert not at.exception
    assert "Compared with England" in [h.value for h in at.subheader]
    texts = _texts(at)
    assert any(t.startswith("NHS Northamptonshire ICB\\: ") and "of 42 ICBs" in t for t in texts)
    assert any("Chart description: Funnel plot of Discharges to pathway 0" in t for t in texts)
    assert any("over\\-dispersion" in t.lower() and "τ²" in t for t in texts)
    assert any("England over the months" not in t and "and England's, monthly" in t for t in texts)
    labels = [b.label for b in at.get("download_button")]
    assert "Download the peer table (CSV)" in labels
    assert "Download the peer table (XLSX)" in labels


def test_virtual_wards_use_the_last_month_the_icb_submitted(open_page, nhse_db):
    at = open_page("pages/2_kpi.py", db=nhse_db, kpi="ACT-VWOCC", month="2024-01", area="QPM")
    assert not at.exception
    texts = _texts(at)
    assert any("are for December 2023" in t for t in texts)
    assert any("Funnel plot of Virtual ward occupancy" in t for t in texts)
    assert any("numerator above the denominator" in t for t in texts)


def test_the_peer_group_is_in_the_url_and_labelled(open_page, nhse_db):
    at = open_page(
        "pages/2_kpi.py", db=nhse_db, kpi="LEAD-P0", month="2024-01", area="QPM", peers="similar"
    )
    assert not at.exception
    assert at.query_params["peers"] == "similar"
    texts = _texts(at)
    assert any(t.startswith("Illustrative peer group: Similar systems") for t in texts)
    assert any("of 10 ICBs" in t for t in texts)


def test_a_kpi_not_published_nationally_gets_one_line(open_page, nhse_db):
    at = open_page("pages/2_kpi.py", db=nhse_db, kpi="LEAD-ESC", month="2024-01", area="QPM")
    assert not at.exception
    assert "This KPI is not published nationally, so it is not compared with England." in [
        c.value for c in at.caption
    ]


def test_the_lead_kpi_table_says_vs_england_in_words(open_page, nhse_db):
    at = open_page("app.py", db=nhse_db, month="2024-01", area="QPM")
    assert not at.exception
    table = next(m.value for m in at.markdown if "| vs England |" in m.value)
    p0 = next(line for line in table.splitlines() if "LEAD\\-P0" in line)
    assert "● similar" in p0
    assert "– not compared" in table
