"""The Bricks page and KPI detail's other views on the demo store, read as a brick owner would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from scorecard.data.reviews import Reviews
from scorecard.data.store import Store
from scorecard.reports.bricks import STATES, brick_cards
from scorecard.reports.derived import WithDerived, benefit_rows
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_short

BRICKS = "pages/3_bricks.py"
KPI = "pages/2_kpi.py"
APP = Path(__file__).resolve().parents[2] / "app.py"


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.fixture
def bricks_page(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    """The Bricks page with some cards opened (their expanders' state set as a click sets it)."""

    def run(opened=(), **params: str) -> AppTest:
        monkeypatch.setenv("SCORECARD_DB", str(demo_db))
        at = AppTest.from_file(str(APP), default_timeout=60)
        at.switch_page(BRICKS)
        for name, value in params.items():
            at.query_params[name] = value
        for code in opened:
            at.session_state[f"ican-brick-{code}"] = True
        return at.run()

    return run


def card_rows(at: AppTest) -> list[dict[str, str]]:
    """Every KPI row of every open card's table, as {column: Markdown cell}."""
    rows: list[dict[str, str]] = []
    for el in at.markdown:
        source = str(el.value)
        if not source.startswith("| KPI | Latest |"):
            continue
        lines = source.splitlines()
        head = [c.strip() for c in lines[0].strip("|").split("|")]
        for line in lines[2:]:
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip())[1:-1]]
            rows.append(dict(zip(head, cells, strict=True)))
    return rows


def code_of(cell: str) -> str:
    return re.findall(r"\(([A-Z]+\\?-[A-Z0-9]+)\)", cell)[0].replace("\\", "")


@pytest.mark.parametrize("area", ["QPM", "RNS", "E06000061"])
def test_each_cards_latest_value_is_the_stores_value(bricks_page, framework, demo_db, area):
    store = Store(demo_db)
    month = store.periods()[-1]
    at = bricks_page([b.code for b in framework.bricks], area=area, month=month)
    assert_clean(at)
    rows = card_rows(at)
    # the values the app reads: ACT-BENEFIT derived from the BRG's sign-offs beside the store
    derived = benefit_rows(framework, Reviews.beside(demo_db).benefit_signoffs(), month)
    current = WithDerived(store, derived).current(area_codes=[area], up_to=month)
    checked = 0
    for row in rows:
        code = code_of(row["KPI"])
        latest = row["Latest"]
        mine = current.loc[current["kpi_code"] == code]
        if mine.empty:
            assert latest.startswith("Not reported for") or latest == "No data", (code, latest)
            continue
        newest = mine.sort_values("period").iloc[-1]
        value = format_value(float(newest["value"]), str(framework.kpi(code).unit))
        expected = f"**{value}** ({month_short(str(newest['period']))}"
        assert latest.replace("\\", "").startswith(expected), (code, latest, expected)
        checked += 1
    assert checked >= 20
    # each KPI once per card: a card's rows name distinct KPIs
    assert len(rows) == sum(
        len({k.kpi.code for k in c.kpis}) for c in brick_cards(framework, {}) if c.kpis
    )


def test_the_page_is_one_line_per_brick_until_a_card_is_opened(open_page, framework):
    at = open_page(BRICKS)
    assert_clean(at)
    assert len(at.expander) == len(framework.bricks)
    assert not [m for m in at.markdown if str(m.value).startswith("| KPI |")]
    label = next(e.label for e in at.expander if "Rapid Response" in e.label)
    assert any(words in label.replace("\\", "") for words in STATES.values())
    assert "activity KPIs" in label
    assert "lead KPI" in label
    assert at.get("download_button"), "the bricks table downloads as CSV and XLSX"


def test_a_shared_activity_kpi_says_so_and_a_lead_is_listed_once(bricks_page):
    at = bricks_page(["CR-MDT", "CR-RR"])
    text = texts(at)
    assert "shared: also in Support Community & VCS resources" in text
    rapid = [r for r in card_rows(at) if "LEAD-ED" in r["KPI"].replace("\\", "")]
    assert len(rapid) == 1
    assert "fed by ACT-RRPKG, ACT-UCR2H" in rapid[0]["KPI"].replace("\\", "")


def test_filters_by_owner_state_and_pillar_are_in_the_url(open_page, framework):
    owner = framework.kpi("ACT-RRPKG").owner_role
    at = open_page(BRICKS, owner=owner)
    assert_clean(at)
    assert at.query_params["owner"] == owner
    assert [e.label for e in at.expander if "Rapid Response" in e.label]
    assert len(at.expander) == 1
    at.selectbox(key="url_owner").set_value("").run()
    assert "owner" not in at.query_params
    at.selectbox(key="url_state").set_value("improvement").run()
    assert at.query_params["state"] == "improvement"
    labels = [e.label.replace("\\", "") for e in at.expander]
    assert labels
    assert all(STATES["improvement"] in label for label in labels)
    at.selectbox(key="url_pillar").set_value("FG").run()
    assert at.query_params["pillar"] == "FG"


@pytest.mark.parametrize(
    ("name", "value", "sentence", "listed"),
    [
        ("brick", "CR-NOPE", "There is no brick “CR-NOPE” in the framework", "CR-RR (Rapid"),
        ("owner", "Nobody", "There is no owner “Nobody” in the framework", "Brick lead: Rapid"),
        ("owner", "ICB Director of Finance", "There is no owner “ICB Director", "Brick lead: R"),
        ("state", "grand", "There is no state “grand” in the framework", "concern (Special"),
    ],
)
def test_an_unknown_brick_owner_or_state_says_so_with_the_full_list(
    open_page, framework, name, value, sentence, listed
):
    at = open_page(BRICKS, **{name: value})
    assert_clean(at)
    warning = next(str(w.value) for w in at.warning if "There is no" in str(w.value))
    text = warning.replace("\\", "")
    assert text.startswith(sentence)
    assert listed in text
    if name == "brick":
        assert all(b.code in text for b in framework.bricks)
    assert name not in at.query_params  # the page falls back to all, and says so
    assert len(at.expander) == len(framework.bricks)


def test_a_bricks_own_view_has_activity_above_lead_with_its_events(open_page):
    at = open_page(BRICKS, brick="SW-FFD")
    assert_clean(at)
    text = texts(at)
    assert len(at.expander) == 1
    assert "| KPI | Latest |" in text  # its card is open
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    assert "2 SPC charts on one time axis: Activity KPI ACT-FFD" in text
    assert "Improvement started (ACT-FFD)" in text
    assert "Support ended (ACT-FFD)" in text
    assert "What moved, and when:" in text
    assert "Benefits register, Reduce Admissions" in text
    assert "Of a system-wide improvement" in text


def test_kpi_detail_shows_activity_beside_lead_and_every_area(open_page, framework):
    areas = len(framework.kpi_areas("ACT-UCR2H"))
    at = open_page(KPI, kpi="ACT-UCR2H", view="lead")
    assert_clean(at)
    text = texts(at)
    assert "3 SPC charts on one time axis: Activity KPI ACT-UCR2H" in text
    assert "Lead KPI LEAD-ED" in text
    assert "Lead KPI LEAD-EMADM" in text
    assert at.query_params["view"] == "lead"
    at = open_page(KPI, kpi="ACT-UCR2H", view="areas")
    assert_clean(at)
    assert "Heatmap of" in texts(at)
    assert f"{areas} areas by" in texts(at)
    at.toggle(key="ican-heat-table").set_value(True).run()
    assert_clean(at)
    table = at.dataframe[0].value
    assert len(table) == areas
    assert list(table["Area"])[:3] == [
        "NHS Northamptonshire ICB",
        "North Northamptonshire",
        "West Northamptonshire",
    ]
    assert table.iloc[0, -1].endswith(("Common cause", "improvement", "concern", "neither"))


def test_an_activity_kpi_without_a_lead_links_to_the_coverage(open_page):
    at = open_page(KPI, kpi="ACT-WEBINAR", view="lead")
    assert_clean(at)
    text = texts(at)
    assert "ACT-WEBINAR feeds no lead KPI in the framework" in text
    assert "[framework coverage](assurance?" in text


def test_a_lead_kpi_has_no_beside_lead_view(open_page):
    at = open_page(KPI, kpi="LEAD-ED", view="lead")
    assert_clean(at)
    assert "on one time axis" not in texts(at)
    assert "view" not in at.query_params
    assert at.get("plotly_chart"), "the SPC chart is shown instead"


def test_state_and_view_round_trip_in_the_url_and_unknown_ones_fall_back():
    from scorecard.reports.bricks import VIEWS
    from scorecard.ui.selection import Choices, Selection

    choices = Choices(
        months=("2026-11",),
        areas=("QPM",),
        states=tuple(STATES),
        views=VIEWS,
        default_month="2026-11",
        default_area="QPM",
    )
    params = {"month": "2026-11", "area": "QPM", "state": "concern", "view": "areas"}
    assert Selection.from_query_params(params, choices).to_query_params() == params
    odd = Selection.from_query_params({"state": "great", "view": "<b>"}, choices)
    assert (odd.state, odd.view) == ("", "")
