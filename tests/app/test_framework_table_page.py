"""AppTest of the framework table page: renders on the demo store, filters live in the URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scorecard.data.store import Store
from scorecard.reports.framework_table import SIX_COLUMNS
from scorecard.thread.framework import load_framework
from scorecard.thread.framework_coverage import threads

REPO = Path(__file__).resolve().parents[2]
PAGE = "pages/6_framework_table.py"
SHOWN = [
    "ICS Population Outcome",
    "ICP Ambition",
    "iCAN Outcome",
    "iCAN Lead KPI",
    "Lead KPI icons",
    "iCAN Operational or activity KPI",
    "Activity KPI icons",
    "iCAN I-statements",
    "Lead KPI state",
    "Lead KPI detail",
    "Activity KPI state",
    "Activity KPI detail",
]


@pytest.fixture(scope="session")
def fw():
    return load_framework(REPO / "data" / "framework")


@pytest.fixture
def show(open_page):
    """Open the framework table page (on the demo store unless ``db`` is given)."""

    def run(db: Path | None = None, **params: str) -> AppTest:
        at = open_page(PAGE, db=db, **params)
        assert not at.exception, [e.value for e in at.exception]
        return at

    return run


def table_of(at: AppTest):
    table = at.dataframe[0].value
    assert list(table.columns) == SHOWN
    return table


def outcomes_shown(table) -> set[str]:
    return {v for v in table["iCAN Outcome"] if v}


def test_renders_every_thread_with_the_six_headings_and_downloads(show, fw):
    at = show()
    assert at.title[0].value == "Outcomes framework table"
    table = table_of(at)
    assert [c for c in table.columns if c in SIX_COLUMNS] == list(SIX_COLUMNS)
    assert len(table) == len(threads(fw))
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download XLSX"]
    assert at.header[-1].value == "Not yet linked"
    not_linked = at.dataframe[1].value
    assert list(not_linked.columns) == ["Kind", "Code", "Name", "Tier", "Provenance", "Why"]
    assert len(not_linked) > 0


def test_kpi_cells_carry_the_months_figures_icons_and_links(show, demo_db):
    month = Store(demo_db).periods()[-1]
    at = show(month=month, area="QPM")
    assert at.query_params["month"] == month
    table = table_of(at)
    states = [s for s in table["Lead KPI state"] if s]
    assert any(f"({month})" in s and "synthetic" in s for s in states)
    icons = [i for i in table["Lead KPI icons"] if isinstance(i, str) and i]
    assert icons
    assert all(i.startswith("data:image/svg+xml;base64,") for i in icons)
    assert set(table["Lead KPI icons"]) - set(icons) <= {""}  # repeats are blank, not "None"
    links = [u for u in table["Lead KPI detail"] if isinstance(u, str) and u]
    assert links
    assert all(u.startswith(f"kpi?month={month}&area=QPM&kpi=") for u in links)
    assert any("Figures for NHS Northamptonshire ICB" in c.value for c in at.caption), [
        c.value for c in at.caption
    ]


def test_placeholders_and_illustrative_entries_are_marked(show):
    table = table_of(show())
    text = " ".join(str(v) for column in SIX_COLUMNS for v in table[column])
    assert "[illustrative]" in text
    seed = {"Stay Well", "Age Well", "Reduced escalations to Acute Hospitals"}
    assert seed <= set(table["ICS Population Outcome"]) | set(table["iCAN Lead KPI"])


def test_pillar_filter_from_the_url(show, fw):
    table = table_of(show(pillar="FG"))
    expected = {o.wording for o in fw.outcomes if o.pillar_code == "FG"}
    assert outcomes_shown(table) == expected


def test_outcome_filter_from_the_url(show, fw):
    at = show(node="outcome:O7")
    table = table_of(at)
    assert outcomes_shown(table) == {fw.outcome(7).wording}
    assert at.query_params["node"] == "outcome:O7"


def test_choosing_a_pillar_writes_the_url_and_filters(show, fw):
    at = show()
    at.selectbox(key="url_pillar").select("FEFD").run()
    assert not at.exception
    assert at.query_params["pillar"] == "FEFD"
    expected = {o.wording for o in fw.outcomes if o.pillar_code == "FEFD"}
    assert outcomes_shown(table_of(at)) == expected
    at.selectbox(key="url_node").select("outcome:O5").run()
    assert at.query_params["node"] == "outcome:O5"
    assert outcomes_shown(table_of(at)) == {fw.outcome(5).wording}


def test_an_outcome_outside_the_pillar_shows_all_of_the_pillar(show, fw):
    table = table_of(show(pillar="CR", node="outcome:O7"))
    assert outcomes_shown(table) == {o.wording for o in fw.outcomes if o.pillar_code == "CR"}


@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"pillar": "<script>alert(1)</script>"}, id="script-pillar"),
        pytest.param({"node": "outcome:O99"}, id="unknown-outcome"),
        pytest.param({"node": "kpi:LEAD-ESC"}, id="node-not-an-outcome"),
        pytest.param({"month": "2099-13", "area": "'; DROP TABLE observations; --"}, id="sql"),
        pytest.param({"pillar": "x" * 5000}, id="very-long"),
    ],
)
def test_hostile_parameters_fall_back_to_defaults(show, fw, params):
    at = show(**params)
    assert len(table_of(at)) == len(threads(fw))
    assert at.query_params["area"] == "QPM"
    assert "pillar" not in at.query_params


def test_without_a_store_the_framework_is_still_shown(show, tmp_path, fw):
    at = show(db=tmp_path / "missing.duckdb")
    assert any("There is no KPI data yet" in i.value for i in at.info)
    table = table_of(at)
    assert len(table) == len(threads(fw))
    assert {s for s in table["Lead KPI state"] if s} <= {"no data", "not reported for this area"}
    assert any("No KPI figures" in c.value for c in at.caption)


def test_an_empty_store_says_so_and_shows_the_framework(show, empty_db, fw):
    at = show(db=empty_db)
    assert any("holds no KPI values yet" in i.value for i in at.info)
    assert len(table_of(at)) == len(threads(fw))


def test_kpis_without_data_say_no_data(show, sparse_db):
    table = table_of(show(db=sparse_db, month="2024-03", area="QPM"))
    states = dict(zip(table["iCAN Lead KPI"], table["Lead KPI state"], strict=True))
    assert states["Reduced escalations to Acute Hospitals"].startswith("1,003 (2024-03)")
    others = {
        s for name, s in states.items() if name and name != "Reduced escalations to Acute Hospitals"
    }
    assert others == {"no data"}
