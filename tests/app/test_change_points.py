"""Declared change points and chart notes: the app's scorecard agrees with the Board pack."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from scorecard.data.access import Principal, Role, Source
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_annotations import AnnotationKind
from scorecard.data.store import Store
from scorecard.reports import pack
from scorecard.reports.scoring import ScorecardRow
from scorecard.thread.framework import load_framework
from scorecard.ui import data

REPO = Path(__file__).resolve().parents[2]
KPI, AREA = "LEAD-ED", "QPM"
ADMIN = Principal(
    "admin@example.nhs.uk",
    "Example admin",
    frozenset({Role.ADMINISTRATOR}),
    source=Source.LOCAL,
)


@pytest.fixture
def own_db(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo store, so the annotations written beside it stay in this test."""
    db = tmp_path / "store.duckdb"
    shutil.copy(demo_db, db)
    monkeypatch.setenv("SCORECARD_DB", str(db))
    return db


def spc_fields(row: ScorecardRow | dict[str, object]) -> tuple[object, ...]:
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return tuple(get(name) for name in ("n_points", "mean", "upl", "lpl", "variation", "assurance"))


def numbers(values: object) -> list[object]:
    """A trace's x or y as a list (Plotly may send numbers as a base64 typed array)."""
    if isinstance(values, dict) and "bdata" in values:
        raw = np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
        return [None if v != v else float(v) for v in raw]
    return list(values) if isinstance(values, list) else []


def app_row(db: Path, month: str) -> ScorecardRow:
    """The row the app's scorecard pages show (the same cached call they make)."""
    identity = Store(db).identity()
    rows = data.scorecard_rows(str(db.resolve()), identity, month, AREA)
    return next(r for r in rows if r.kpi_code == KPI)


def pack_row(db: Path, month: str) -> ScorecardRow:
    fw = load_framework(REPO / "data" / "framework")
    read = pack.read_pack_data(fw, Store(db), Reviews.beside(db), month, AREA)
    return next(r for r in read.rows if r.kpi_code == KPI)


def test_a_declared_change_point_moves_the_apps_limits_as_it_moves_the_packs(own_db):
    month = Store(own_db).periods()[-1]
    before = app_row(own_db, month)
    assert spc_fields(before) == spc_fields(pack_row(own_db, month))
    periods = Store(own_db).periods()
    fw = load_framework(REPO / "data" / "framework")
    Reviews.beside(own_db).add_annotation(
        fw,
        ADMIN,
        KPI,
        AREA,
        periods[-20],
        kind=AnnotationKind.GO_LIVE,
        text="New streaming model",
        change_point=True,
    )
    after = app_row(own_db, month)
    assert spc_fields(after) != spc_fields(before), "the app ignored the declared change point"
    assert spc_fields(after) == spc_fields(pack_row(own_db, month))
    assert after.n_points == 20


def test_the_kpi_chart_shows_peoples_annotations_and_the_change_point(own_db):
    periods = Store(own_db).periods()
    fw = load_framework(REPO / "data" / "framework")
    words = Reviews.beside(own_db)
    words.add_annotation(
        fw, ADMIN, KPI, AREA, periods[-5], kind=AnnotationKind.INTERVENTION, text="Extra triage"
    )
    words.add_annotation(
        fw,
        ADMIN,
        KPI,
        "",
        periods[-20],
        kind=AnnotationKind.GO_LIVE,
        text="New streaming model",
        change_point=True,
    )
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/2_kpi.py")
    at.query_params["kpi"] = KPI
    at.query_params["area"] = AREA
    at.query_params["month"] = periods[-1]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    notes = " ".join(str(a.get("text", "")) for a in spec["layout"].get("annotations", []))
    assert "Extra triage" in notes
    assert notes.count("New streaming model") == 1  # labels the change point, not repeated
    shapes = [s for s in spec["layout"].get("shapes", []) if s.get("name") == "change-point"]
    assert shapes, "the declared change point is not drawn"


def test_a_suppressed_point_is_left_out_of_the_chart_not_the_whole_chart(own_db, tmp_path):
    month = Store(own_db).periods()[-1]
    extract = tmp_path / "small.csv"
    extract.write_text(
        f"kpi_code,area_code,period,value\nACT-CIV,E06000061,{month},4\n", encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "scorecard", "load", str(extract), "--db", str(own_db)],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "SCORECARD_DB"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    at.switch_page("pages/2_kpi.py")
    at.query_params.update({"kpi": "ACT-CIV", "area": "E06000061", "month": month})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("plotly_chart")
    assert charts, "the chart was hidden because one point is suppressed"
    spec = json.loads(charts[0].proto.spec)
    drawn = {
        (x, y)
        for trace in spec["data"]
        if trace.get("name") == "Values" or "markers" in str(trace.get("mode", ""))
        for x, y in zip(numbers(trace.get("x")), numbers(trace.get("y")), strict=False)
        if y is not None
    }
    assert drawn, "no point drawn"
    assert not any(str(x).startswith(month) and y == 4 for x, y in drawn)
    captions = " ".join(c.value for c in at.caption)
    assert "1 point(s) not drawn" in captions
    assert "1-7 people" in captions.replace("\\", "")
