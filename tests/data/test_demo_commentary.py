"""The demo's synthetic commentary: for the exceptions of its last month, labelled synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.data.reviews import Reviews
from scorecard.data.store import Store, store_events
from scorecard.reports.exceptions import exceptions
from scorecard.reports.scoring import compute_scorecard
from scorecard.synthetic import demo, demo_series
from scorecard.synthetic.demo_commentary import AUTHOR_ID, LABEL
from scorecard.thread.domain import Framework, with_events

END = "2026-11"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, framework: Framework) -> Path:
    db = tmp_path_factory.mktemp("demo_words") / "demo.duckdb"
    demo.build_demo_store(db, framework, 36, demo_series.DEFAULT_SEED, END)
    return db


def test_the_demo_writes_labelled_commentary_for_each_exception(built, framework):
    words = Reviews.beside(built).month_commentary(END)
    assert words
    assert all(c.chart_says.startswith(LABEL) for c in words)
    assert all(c.author_id == AUTHOR_ID and "Synthetic demo" in c.author_name for c in words)
    live = with_events(framework, store_events(built))
    rows = compute_scorecard(live, Store(built), END)
    items = exceptions(rows, END, commentary=words)
    assert {(c.kpi_code, c.area_code) for c in words} <= {(i.kpi_code, i.area_code) for i in items}
    for c in words:
        assert c.actions
        assert all(a.owner and a.due > END for a in c.actions)


def test_discharges_before_noon_asks_the_board_for_a_decision(built):
    said = Reviews.beside(built).commentary("ACT-DISCHNOON", "QPM", END)
    assert said is not None
    assert said.decision_required
    assert said.decision.startswith("agree to fund")
    decisions = [c for c in Reviews.beside(built).month_commentary(END) if c.decision_required]
    assert len(decisions) >= 1


def test_a_rebuild_adds_no_second_version(built, framework):
    before = Reviews.beside(built).month_commentary(END)
    demo.build_demo_store(built, framework, 36, demo_series.DEFAULT_SEED, END)
    after = Reviews.beside(built).month_commentary(END)
    assert [(c.kpi_code, c.area_code, c.version) for c in after] == [
        (c.kpi_code, c.area_code, c.version) for c in before
    ]
    assert all(c.version == 1 for c in after)
