"""Every page on the demo store, an empty store and no store: renders, round-trips, falls back."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from cli_process import run_scorecard
from streamlit.testing.v1 import AppTest

from scorecard.data.reviews import Reviews
from scorecard.data.store import Store, store_events
from scorecard.reports.derived import WithDerived, benefit_rows
from scorecard.reports.scoring import compute_scorecard
from scorecard.thread.domain import with_events
from scorecard.thread.framework import load_framework
from scorecard.thread.periods import month_long

PAGES = (
    "app.py",
    "pages/1_golden_thread.py",
    "pages/2_kpi.py",
    "pages/3_bricks.py",
    "pages/4_i_statements.py",
    "pages/5_assurance.py",
)
SPARSE_MONTH = "2024-03"  # the sparse store's latest month (see conftest)


def texts(at: AppTest) -> str:
    """Every piece of visible text on the page, joined (markdown, captions, alerts, headings)."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def markdown_table_frame(at: AppTest) -> pd.DataFrame:
    """The home page's lead-KPI table (one Markdown table) read back into a frame."""
    source = next(str(m.value) for m in at.markdown if str(m.value).startswith("| Outcome |"))
    lines = source.splitlines()
    assert set(lines[1]) <= set("|-")

    def cells(line: str) -> list[str]:
        return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]

    return pd.DataFrame([cells(x) for x in lines[2:]], columns=cells(lines[0]))


def latest_months(db: Path) -> list[str]:
    return Store(db).periods()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_store(open_page, page):
    at = open_page(page)
    assert_clean(at)
    assert "**Synthetic demo data.** Every value on this page is made up" in texts(at)
    assert at.query_params["area"] == "QPM"
    assert at.query_params["month"]


def test_home_lists_the_ten_outcomes_by_pillar_with_icons_and_table(open_page, framework):
    at = open_page("app.py")
    assert_clean(at)
    text = texts(at)
    for outcome in framework.outcomes:
        assert outcome.wording in text
    for name in ("Community Resilience", "Frailty, Escalation & Front Door", "Flow & Grip"):
        assert name in text
    assert "data:image/svg+xml;base64," in text  # the lead KPIs' icons
    assert "Variation:" in text  # icons carry text labels
    table = markdown_table_frame(at)
    assert len(table) == len(table.drop_duplicates("KPI"))
    first_outcome = [int(o.split(",")[0]) for o in table["Outcome"] if o != "–"]
    assert first_outcome == sorted(first_outcome)  # in outcome order, as the cards above
    lead = {k.code for k in framework.kpis if k.tier == "lead"}
    assert {c.split("(")[-1].rstrip(")").replace("\\", "") for c in table["KPI"]} == lead
    columns = ("Outcome", "KPI", "Period", "Value", "Target", "Variation", "Assurance", "Trend")
    assert set(columns) <= set(table.columns)
    assert {"Data quality", "Owner"} <= set(table.columns)
    assert table["KPI"].str.contains(r"\]\(kpi\?month=").all()  # each KPI links to its detail
    assert table["Variation"].str.contains("data:image/svg").all()
    assert "What changed since last month" in text


def test_home_defaults_to_the_latest_complete_month(open_page, demo_db):
    at = open_page("app.py")
    months = latest_months(demo_db)
    assert at.query_params["month"] == months[-1]
    assert at.selectbox(key="url_month").value == months[-1]


@pytest.mark.parametrize(
    ("page", "extra"),
    [
        ("app.py", {}),
        ("pages/1_golden_thread.py", {"node": "outcome:O7"}),
        ("pages/2_kpi.py", {"kpi": "LEAD-ED"}),
        ("pages/3_bricks.py", {"pillar": "CR", "brick": "CR-RR"}),
        ("pages/4_i_statements.py", {"kpi": "LEAD-ESC"}),
        ("pages/5_assurance.py", {}),
    ],
)
def test_url_parameters_round_trip(open_page, demo_db, page, extra):
    month = latest_months(demo_db)[-6]
    params = {"month": month, "area": "E06000062", **extra}
    at = open_page(page, **params)
    assert_clean(at)
    assert at.query_params == params
    assert at.selectbox(key="url_month").value == month
    assert at.selectbox(key="url_area").value == "E06000062"
    widgets = {el.key for el in at.selectbox}
    for name, value in extra.items():
        if f"url_{name}" in widgets:
            assert at.selectbox(key=f"url_{name}").value == value
        else:  # a filter given by a link only (the I-statements of a KPI)
            assert f"**{value}**" in texts(at)


def test_filters_write_the_url(open_page, demo_db):
    at = open_page("app.py")
    month = latest_months(demo_db)[-3]
    at.selectbox(key="url_area").set_value("RNS").run()
    at.selectbox(key="url_month").set_value(month).run()
    assert_clean(at)
    assert at.query_params["area"] == "RNS"
    assert at.query_params["month"] == month
    assert "Northampton General Hospital" in texts(at)


def test_kpi_filter_and_brick_filters_write_the_url(open_page):
    at = open_page("pages/2_kpi.py")
    at.selectbox(key="url_kpi").set_value("LEAD-ESC").run()
    assert at.query_params["kpi"] == "LEAD-ESC"
    assert "Reduced escalations to Acute Hospitals" in texts(at)
    at = open_page("pages/3_bricks.py")
    at.selectbox(key="url_pillar").set_value("CR").run()
    at.selectbox(key="url_brick").set_value("CR-RR").run()
    assert at.query_params["brick"] == "CR-RR"
    assert "ACT-RRPKG" in texts(at)


HOSTILE = {
    "month": "<script>alert(1)</script>",
    "area": "../../etc/passwd",
    "kpi": "' OR 1=1 --",
    "node": "__import__('os').system('id')",
    "pillar": "%00",
    "brick": "{{7*7}}",
    "owner": "x" * 500,
}


@pytest.mark.parametrize("page", PAGES)
def test_hostile_parameters_fall_back_to_defaults(open_page, demo_db, page):
    at = open_page(page, **HOSTILE)
    assert_clean(at)
    assert at.query_params == {"month": latest_months(demo_db)[-1], "area": "QPM"}
    assert "<script>" not in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_an_empty_store_shows_a_message(open_page, empty_db, page):
    at = open_page(page, db=empty_db)
    assert_clean(at)
    assert "holds no KPI values yet" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_no_store_shows_how_to_build_one(open_page, tmp_path, page):
    at = open_page(page, db=tmp_path / "missing.duckdb")
    assert_clean(at)
    assert "make run" in texts(at)


def test_home_without_a_store_still_lists_the_outcomes(open_page, tmp_path, framework):
    at = open_page("app.py", db=tmp_path / "missing.duckdb")
    text = texts(at)
    assert all(o.wording in text for o in framework.outcomes)
    assert "Synthetic demo data" not in text


def test_no_data_for_an_area_says_so(open_page, sparse_db):
    at = open_page("app.py", db=sparse_db, month=SPARSE_MONTH, area="E06000062")
    assert_clean(at)
    assert "No data for West Northamptonshire in March 2024" in texts(at)
    at = open_page("app.py", db=sparse_db, month=SPARSE_MONTH, area="QPM")
    assert "No data for" not in texts(at)
    assert "Synthetic demo data" not in texts(at)  # real values are not labelled synthetic


def test_kpi_page_shows_chart_facts_thread_and_values(open_page):
    at = open_page("pages/2_kpi.py", kpi="LEAD-ESC")
    assert_clean(at)
    text = texts(at)
    for fact in (
        "Definition",
        "Numerator",
        "Unit",
        "Direction",
        "Data source",
        "Owner",
        "Frequency",
        "Baseline",
        "Target or trajectory",
        "Provenance",
    ):
        assert f"**{fact}:**" in text
    assert "Chart description:" in text  # alt text for the SPC chart
    assert "Why this matters" in text
    assert "Who it is for" in text
    assert "I understand alternative options to the Emergency Department and am given" in text
    assert len(at.get("plotly_chart")) == 1
    assert len(at.get("download_button")) == 2


def test_kpi_page_values_table_shows_load_and_revision_columns(open_page):
    at = open_page("pages/2_kpi.py", kpi="LEAD-ED")
    frames = [d.value for d in at.dataframe]
    values = next(f for f in frames if "Version" in f.columns)
    assert {"Period", "Value", "Status", "Load", "File", "Loaded at (UTC)"} <= set(values.columns)
    assert len(values) > 12


def test_golden_thread_overview_shows_the_three_document_rows(open_page):
    at = open_page("pages/1_golden_thread.py")
    assert_clean(at)
    rows = at.table[0].value
    assert list(rows.index) == ["Example row 1", "Example row 2", "Example row 3"]
    assert list(rows["Lead KPI"]) == [
        "Reduced escalations to Acute Hospitals",
        "Reduced ED attendances",
        "Reduced escalations to Acute Hospitals",
    ]
    assert "Gaps in the golden thread" in texts(at)
    assert "Placeholders" in texts(at)


def test_golden_thread_node_shows_above_and_below(open_page):
    at = open_page("pages/1_golden_thread.py", node="kpi:LEAD-ESC")
    assert_clean(at)
    text = texts(at)
    assert "Stay Well" in text  # above
    assert "Age Well" in text
    assert "Number of people discussed in GP Reviews" in text  # below
    assert len(at.get("plotly_chart")) == 1
    assert "Chart description:" in text


def test_i_statements_page_lists_unevidenced_and_filters_by_kpi(open_page, framework):
    at = open_page("pages/4_i_statements.py")
    assert "Statements with no evidence yet" in texts(at)
    at = open_page("pages/4_i_statements.py", kpi="ACT-GPREV")
    text = texts(at)
    assert "evidenced by **ACT-GPREV**" in text
    assert "I am involved in my care and understand my condition." in text


def test_assurance_page_has_kite_marks_loads_and_gaps(open_page, framework):
    at = open_page("pages/5_assurance.py")
    assert_clean(at)
    text = texts(at)
    for heading in (
        "Data quality per KPI",
        "Load log",
        "Revisions",
        "Golden-thread coverage",
        "KPIs without a baseline or target",
        "Synthetic and real data",
    ):
        assert heading in text
    assert text.count("Outcomes without a lead KPI") == 1
    parts = next(d.value for d in at.dataframe if "Part of the framework" in d.value.columns)
    assert "ICS population outcomes" in set(parts["Part of the framework"])
    quality = at.dataframe[0].value
    assert "Kite mark" in quality.columns
    assert quality["Kite mark"].str.startswith("data:image/svg+xml").all()
    dimensions = ["Timeliness", "Completeness", "Validation", "Sign-off", "Audit", "Source"]
    assert set(dimensions) <= set(quality.columns)
    for _, row in quality.iterrows():
        if any(str(row[d]).endswith("Poor") for d in dimensions):
            assert not str(row["Overall"]).endswith("Good"), row["KPI"]
    assert "Do the areas add up?" in text
    adds_up = next(d.value for d in at.dataframe if "Adds up" in d.value.columns)
    assert len(adds_up) == len(framework.reconciliations)
    assert set(adds_up["Adds up"]) == {"● Yes"}
    assert set(adds_up["Difference"]) == {"0"}
    # the demo is synthetic: a poor source caps every overall rating at attention
    assert set(quality["Source"]) == {"✖ Poor"}
    assert not quality["Overall"].str.endswith("Good").any()


def test_revisions_show_on_the_kpi_page_and_in_assurance(open_page, revised_db):
    at = open_page("pages/2_kpi.py", db=revised_db, kpi="LEAD-ED", month="2024-02")
    assert_clean(at)
    values = next(d.value for d in at.dataframe if "Version" in d.value.columns)
    feb = values.loc[values["Period"] == "2024-02"]
    assert sorted(feb["Version"]) == ["current", "revised by load 2"]
    assert set(feb["Status"]) == {"final", "provisional"}
    assert "1 of them revised" in texts(at)
    assert "Synthetic demo data" not in texts(at)
    at = open_page("pages/5_assurance.py", db=revised_db, month="2024-02")
    assert_clean(at)
    assert "1 value has been revised by a later load" in texts(at)
    frames = [d.value for d in at.dataframe]
    log = next(f for f in frames if "SHA-256" in f.columns)
    assert {"Load", "File", "Rows", "New", "Revised", "Loaded at (UTC)"} <= set(log.columns)
    old = next(f for f in frames if "Replaced by load" in f.columns)
    assert list(old["Replaced by load"]) == [2]
    assert "**0 of 2** current values are synthetic demo data" in texts(at)


def test_golden_thread_says_what_is_above_a_node_level_by_level(open_page):
    at = open_page("pages/1_golden_thread.py", node="kpi:ACT-RRPKG")
    assert_clean(at)
    above = next(str(c.value) for c in at.caption if str(c.value).startswith("Above it:"))
    levels = [level.strip() for level in above.removeprefix("Above it:").split("›")]
    assert levels[0] == "Stay Well"
    assert levels[-1] == "Reduced ED attendances, Rapid Response (brick)"


def test_a_shared_link_to_a_month_and_area_that_do_not_exist_says_so(open_page):
    at = open_page("app.py", month="2031-01", area="ZZZ")
    assert_clean(at)
    (note,) = [str(w.value) for w in at.warning if "This link asked for" in str(w.value)]
    latest = at.query_params["month"]
    assert latest != "2031-01"
    assert note.replace("\\", "") == (
        "This link asked for January 2031 and area “ZZZ”, which the scorecard does not have; "
        f"it shows {month_long(str(latest))} for NHS Northamptonshire ICB instead."
    )


def test_a_shared_link_to_an_unknown_kpi_opens_the_index_and_says_so(open_page):
    at = open_page("pages/2_kpi.py", kpi="NOPE")
    assert_clean(at)
    (note,) = [str(w.value) for w in at.warning if "This link asked for" in str(w.value)]
    assert "KPI “NOPE”" in note
    assert "no KPI chosen" in note
    assert "Choose a KPI above, or open a lead KPI:" in texts(at)


def test_a_good_link_says_nothing_about_the_link(open_page):
    at = open_page("pages/2_kpi.py", kpi="LEAD-P0", area="QPM")
    assert_clean(at)
    assert not [w for w in at.warning if "This link asked for" in str(w.value)]


def test_a_real_value_in_the_demo_store_makes_the_banner_say_how_much_is_synthetic(
    open_page, tmp_path
):
    db = tmp_path / "mixed.duckdb"
    assert run_scorecard("demo", "--db", str(db)).returncode == 0
    month = Store(db).periods()[-1]
    extract = tmp_path / "one.csv"
    extract.write_text(f"kpi_code,area_code,period,value\nSYS-ATT,QPM,{month},4100\n")
    assert run_scorecard("load", str(extract), "--db", str(db)).returncode == 0
    # every value the app reads: ACT-BENEFIT's derived from the demo's (synthetic) BRG sign-offs
    fw = load_framework(Path(__file__).resolve().parents[2] / "data" / "framework")
    derived = benefit_rows(fw, Reviews.beside(db).benefit_signoffs(), month)
    assert len(derived) > 0
    total = len(WithDerived(Store(db), derived).current())
    at = open_page("app.py", db=db)
    assert_clean(at)
    text = texts(at)
    assert "Synthetic demo data." not in text
    assert (
        f"**Partly synthetic data.** {total - 1:,} of the store's {total:,} current values are "
        "made-up demo data and 1 are real" in text
    )
    # the demo's planted events are data of its store: its verdicts stay beside the real value
    assert "Improvements after support ended:** 1 holding, 1 slipping, 1 lost." in text


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("pages/1_golden_thread.py", {}),
        ("pages/2_kpi.py", {"kpi": "SYS-ATT"}),
        ("pages/2_kpi.py", {"kpi": "LEAD-LONGSTAY"}),
    ],
    ids=["golden-thread", "kpi-seed", "kpi-with-demo-events"],
)
def test_pages_speak_to_people_not_to_us(open_page, page, params):
    at = open_page(page, **params)
    assert_clean(at)
    text = texts(at)
    assert not re.search(r"\.txt:\d", text), "a file:line citation shown to people"
    assert not re.search(r"\bplant", text, re.IGNORECASE)
    assert not re.search(r"\bNone\b", text)
    if page.endswith("golden_thread.py"):
        assert (
            "iCAN Case for Change and Story Board, version 3.2 (2022), section “iCAN outcomes "
            "framework example scorecard”" in text
        )
    elif params["kpi"] == "SYS-ATT":
        assert "From the iCAN documents (system-wide KPI 'Attendances'" in text


def test_kpi_detail_says_when_a_sustained_shift_needs_a_change_point(open_page, demo_db, framework):
    month = open_page("app.py").query_params["month"]
    live = with_events(framework, store_events(demo_db))
    shifted = [
        r for r in compute_scorecard(live, Store(demo_db), month, "QPM") if r.suggested_change_point
    ]
    assert shifted
    kpi = shifted[0].kpi_code
    at = open_page("pages/2_kpi.py", kpi=kpi, area="QPM", month=month)
    assert_clean(at)
    (warning,) = [str(w.value) for w in at.warning if "sustained shift" in str(w.value)]
    assert warning.startswith("A sustained shift since ")
    assert "the assurance icon is not reliable until an analyst records a change point" in warning
    (row,) = [str(c.value) for c in at.code]
    assert row.startswith(f"{kpi},QPM,{shifted[0].suggested_change_point},change_point,")
