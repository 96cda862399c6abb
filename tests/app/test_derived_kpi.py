"""AppTest: KPI detail of ACT-BENEFIT on the demo store: derived from the BRG's sign-offs."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from scorecard.data.reviews import Reviews
from scorecard.data.store import Store
from scorecard.reports.derived import ACT_BENEFIT, DERIVED_SOURCE, benefit_rows
from scorecard.thread.framework import load_framework

REPO = Path(__file__).resolve().parents[2]


def texts(at: AppTest) -> str:
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(el.value) for el in getattr(at, kind)]
    return "\n".join(parts).replace("\\", "")


def test_kpi_detail_shows_the_series_derived_from_the_sign_offs(open_page, demo_db):
    month = Store(demo_db).periods()[-1]
    at = open_page("pages/2_kpi.py", kpi=ACT_BENEFIT, month=month, area="QPM")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    shown = texts(at)
    assert "**Data source:** Derived from the BRG's sign-offs" in shown
    assert f"Source of the latest value ({month}):** {DERIVED_SOURCE}" in shown
    # the values table holds the derived values, each naming where it comes from
    fw = load_framework(REPO / "data" / "framework")
    derived = benefit_rows(fw, Reviews.beside(demo_db).benefit_signoffs(), month)
    values = next(d.value for d in at.dataframe if "Version" in d.value.columns)
    assert len(values) == len(derived) > 0
    assert set(values["Source"]) == {DERIVED_SOURCE}
    assert set(values["Version"]) == {"current"}
    shown_total = sum(float(v) for v in values["Value"])
    assert shown_total == float(derived["value"].sum()) > 0
