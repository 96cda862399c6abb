"""The Board pack on the demo store: a short tagged PDF/UA, page 1 the exceptions, words as text."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cli_process import run_scorecard as cli
from pypdf import PdfReader

from scorecard.data.access import Source, parse_role_map, principal_for
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_commentary import Action
from scorecard.data.store import Store, store_events
from scorecard.reports.pack import (
    SCORECARD_TABLE_COLUMNS,
    build_pack,
    read_pack_data,
    render_html,
    scorecard_csv,
    scorecard_frame,
    scorecard_xlsx,
)
from scorecard.reports.pack.theme import period_label
from scorecard.reports.scoring import compute_scorecard
from scorecard.statistics.icons import assurance_label, variation_label
from scorecard.statistics.reconciliation import reconcile
from scorecard.thread.domain import with_events
from scorecard.thread.numbers import SUPPRESSED_MARK, format_value

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "pack"
MAPPING = parse_role_map(
    {
        "people": [
            {
                "id": "owner@example.nhs.uk",
                "roles": ["kpi_owner", "executive_board"],
                "owner_roles": ["FEFD pillar lead", "Brick lead: Community IV solutions"],
            },
        ]
    }
)
OWNER = principal_for("owner@example.nhs.uk", "Example owner", MAPPING, Source.LOGIN)
HOSTILE = "<script>alert('pack')</script> & <b>not bold</b> =SUM(A1:A2)"
SMALL_KPI = "ACT-CIV"  # a count with suppress_small_numbers, reported for places
PLACE = "E06000061"


def pdf_text(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [page.extract_text() or "" for page in reader.pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def structure(pdf: bytes) -> list[dict]:
    """Every element of the PDF's structure tree (its tags), depth first."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[dict] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, dict):
            if "/S" in node:
                found.append(node)
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                if hasattr(kid, "get_object") and not isinstance(kid.get_object(), int):
                    walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A demo store with commentary, and a small number loaded for a place."""
    folder = tmp_path_factory.mktemp("pack")
    db = folder / "demo.duckdb"
    done = cli("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    month = Store(db).periods()[-1]
    extract = folder / "small.csv"
    pd.DataFrame([{"kpi_code": SMALL_KPI, "area_code": PLACE, "period": month, "value": 3}]).to_csv(
        extract, index=False
    )
    done = cli("load", str(extract), "--db", str(db))
    assert done.returncode == 0, done.stderr
    return db, month


@pytest.fixture(scope="module")
def framework_with_words(demo, framework):
    db, month = demo
    words = Reviews.beside(db)
    words.add_commentary(
        framework,
        OWNER,
        "LEAD-ESC",
        "QPM",
        month,
        chart_says=HOSTILE,
        issues="Escalations rose in the winter.",
        actions=[Action("Review the frailty hub rota", "Hub manager", "2030-01-31")],
        mitigations="Extra rapid response capacity.",
        decision_required=True,
        decision="approve the winter escalation plan",
    )
    return framework


@pytest.fixture(scope="module")
def cli_pack(demo, framework_with_words) -> bytes:
    db, month = demo
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / f"board_pack_{month}_QPM.pdf"
    done = cli("pack", "--month", month, "--out", str(out), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    assert '"synthetic": true' in done.stdout
    if shutil.which("pdftoppm"):  # page images for people to look at (kept as artifacts)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(out), str(ARTIFACTS / "page")],
            check=False,
            timeout=120,
        )
    return out.read_bytes()


def test_the_pack_is_ten_to_fifteen_tagged_pages_with_title_language_and_embedded_fonts(cli_pack):
    reader = PdfReader(io.BytesIO(cli_pack))
    assert 10 <= len(reader.pages) <= 15
    root = reader.trailer["/Root"]
    assert str(root["/MarkInfo"]["/Marked"]).lower() == "true"
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en-GB"
    assert reader.metadata.title.startswith("iCAN Executive Board pack")
    assert str(root["/ViewerPreferences"]["/DisplayDocTitle"]).lower() == "true"
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                fonts[str(descriptor["/FontName"])] = any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
    assert fonts
    assert all(fonts.values()), fonts  # every font embedded
    if shutil.which("pdfinfo"):  # poppler's own reading, where it is installed
        info = subprocess.run(
            ["pdfinfo", "-"], input=cli_pack, capture_output=True, timeout=60, check=True
        ).stdout.decode()
        assert re.search(r"Tagged:\s+yes", info)
        assert re.search(r"Pages:\s+1[0-5]\b", info)


def test_the_structure_has_headings_table_headers_and_alt_text_for_every_figure(
    cli_pack, demo, framework
):
    tags = structure(cli_pack)
    kinds = [str(t["/S"]) for t in tags]
    for kind in ("/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure", "/Caption", "/Link"):
        assert kind in kinds, kind
    figures = [t for t in tags if str(t["/S"]) == "/Figure"]
    assert all(str(t.get("/Alt", "")).strip() for t in figures)
    alts = [str(t["/Alt"]) for t in figures]
    charts = [a for a in alts if a.startswith(("SPC chart of", "Run chart of"))]
    db, month = demo
    lead = [r for r in compute_scorecard(framework, Store(db), month, "QPM") if r.tier == "lead"]
    assert len(charts) >= len(lead)
    directions = ("Higher is better.", "Lower is better.", "Neither direction is better.")
    assert all(a.endswith(directions) for a in charts)
    assert any(a.startswith("Variation: ") for a in alts)  # the icons have their words too


def test_page_one_is_the_exceptions_and_decisions_and_names_the_lost_improvement(cli_pack):
    first = flat(pdf_text(cli_pack)[0])
    assert "Exceptions and decisions" in first
    assert "ACT-DISCHNOON" in first
    assert "Discharges before noon" in first
    assert "lead and activity KPIs" in first
    # The cover shares the first page: month, area, date of the data, synthetic; no hashes.
    assert "November" in first or re.search(r"[A-Z][a-z]+ \d{4}", first)
    assert "NHS Northamptonshire ICB" in first
    assert "Date of the data" in first
    assert "Synthetic demo data" in first
    assert "store state" not in first
    assert "hash" not in first.lower()


def test_a_decision_request_written_before_the_build_leads_page_one_and_sits_by_its_chart(
    cli_pack,
):
    pages = [flat(p) for p in pdf_text(cli_pack)]
    first = pages[0]
    assert "Decisions for the Board" in first
    asked = "Decision required: The Board is asked to approve the winter escalation plan."
    assert asked in first
    assert first.index("Decisions for the Board") < first.index(asked)
    assert first.index(asked) < first.index("Continuing")
    assert "LEAD-ESC" in first[: first.index("Continuing")]
    # The demo's own decision requests are there too, and the chart's side repeats the request.
    assert first.count("Decision required:") >= 2
    charts = " ".join(pages[2:])
    assert asked in charts


def test_page_two_is_the_summary_grid_and_the_lead_kpi_table(cli_pack, demo):
    db, month = demo
    pages = [flat(p) for p in pdf_text(cli_pack)]
    # Straight after the exceptions: one page, or two when every item carries commentary.
    assert "Why it is here" not in pages[2]
    second = pages[2] if "Why it is here" in pages[1] else pages[1]
    assert "Summary: how the lead and activity KPIs are doing" in second
    assert "Lead KPIs of the iCAN outcomes" in second
    done = cli("scorecard", "--month", month, "--area", "QPM", "--json", "--db", str(db))
    rows = json.loads(done.stdout)
    lead = sum(1 for r in rows if r["tier"] == "lead")
    activity = sum(1 for r in rows if r["tier"] == "activity")
    assert f"Lead KPIs ({lead}): variation by assurance" in second
    assert f"Activity KPIs ({activity}): variation by assurance" in second
    for r in rows:
        if r["tier"] == "lead":
            assert r["kpi_code"] in second


def test_the_outcome_pages_chart_every_lead_kpi_with_a_key_axes_and_direction(
    cli_pack, demo, framework
):
    db, month = demo
    text = flat("\n".join(pdf_text(cli_pack)))
    for outcome in framework.outcomes:
        assert f"Outcome {outcome.number}: {outcome.wording}" in text
    rows = compute_scorecard(framework, Store(db), month, "QPM")
    for row in (r for r in rows if r.tier == "lead"):
        assert f"({row.kpi_code}" in text
        assert variation_label(row.variation) in text
        assert assurance_label(row.assurance) in text
    for words in (
        "Key:",
        "Process limits",
        "Target",
        "Month",
        "Higher is better",
        "Lower is better",
    ):
        assert words in text
    assert "No commentary has been written for" in text


def test_every_page_says_synthetic(cli_pack):
    for number, page in enumerate(pdf_text(cli_pack), start=1):
        assert "Synthetic data" in page or "SYNTHETIC DATA" in page, f"page {number}"


def test_commentary_in_the_pack_is_text_not_markup(cli_pack):
    text = flat("\n".join(pdf_text(cli_pack)))
    assert HOSTILE in text
    assert "Review the frailty hub rota (Hub manager, due 2030-01-31)" in text
    assert "Review the frailty hub rota (Hub manager, by 2030-01-31)" in text  # page 1
    assert "Commentary by Example owner" in text


def test_methods_definitions_and_a_labelled_fingerprint_close_the_pack(cli_pack, demo, framework):
    db, _ = demo
    pages = [flat(p) for p in pdf_text(cli_pack)]
    methods = next(i for i, p in enumerate(pages) if "Methods and KPI definitions" in p)
    assert methods >= len(pages) - 4
    rest = " ".join(pages[methods:])
    for kpi in framework.kpis:
        assert f"({kpi.code})" in rest, kpi.code
    last = pages[-1]
    assert "Data fingerprint" in last
    assert Store(db).identity() in last.replace(" ", "")


def test_the_pack_html_escapes_what_people_wrote(demo, framework_with_words):
    db, month = demo
    data = read_pack_data(framework_with_words, Store(db), Reviews.beside(db), month, "QPM")
    html = render_html(data)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(" in html


def test_small_numbers_are_starred_in_csv_and_xlsx(demo, framework):
    db, month = demo
    store = Store(db)
    assert (
        store.current(kpi_codes=[SMALL_KPI], area_codes=[PLACE], up_to=month)["value"].iloc[-1] == 3
    )
    pdf = build_pack(framework, store, Reviews.beside(db), month, PLACE)
    assert 10 <= len(PdfReader(io.BytesIO(pdf)).pages) <= 15
    rows = compute_scorecard(framework, store, month, PLACE)
    frame = scorecard_frame(rows)
    starred = frame.loc[frame["kpi_code"] == SMALL_KPI].iloc[0]
    assert starred["value"] == SUPPRESSED_MARK
    assert bool(starred["suppressed"])
    assert "1-7 people" in starred["note"]
    csv_text = scorecard_csv(frame).decode("utf-8-sig")
    line = next(x for x in csv_text.splitlines() if x.startswith(SMALL_KPI + ","))
    assert ",*," in line
    book = openpyxl.load_workbook(io.BytesIO(scorecard_xlsx(frame, month, PLACE)))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header == list(SCORECARD_TABLE_COLUMNS)
    value_col = header.index("value")
    found = [r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == SMALL_KPI]
    assert found[0][value_col] == SUPPRESSED_MARK
    # The store keeps the value.
    assert store.current(kpi_codes=[SMALL_KPI], area_codes=[PLACE])["value"].iloc[-1] == 3


def test_people_words_are_neutralised_in_csv_and_xlsx(demo, framework_with_words):
    db, month = demo
    words = Reviews.beside(db).month_commentary(month, "QPM")
    rows = compute_scorecard(framework_with_words, Store(db), month, "QPM")
    frame = scorecard_frame(rows, {(c.kpi_code, c.area_code): c for c in words})
    said = frame.loc[frame["kpi_code"] == "LEAD-ESC", "commentary_chart_says"].iloc[0]
    assert said == HOSTILE
    formula = frame.copy()
    formula.loc[formula["kpi_code"] == "LEAD-ESC", "commentary_issues"] = "=1+1"
    csv_text = scorecard_csv(formula).decode("utf-8-sig")
    assert "'=1+1" in csv_text
    book = openpyxl.load_workbook(io.BytesIO(scorecard_xlsx(formula, month, "QPM")))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    column = header.index("commentary_issues") + 1
    cells = [sheet.cell(row=r, column=column) for r in range(2, sheet.max_row + 1)]
    hit = [c for c in cells if c.value and "1+1" in str(c.value)]
    assert hit
    assert all(c.data_type == "s" for c in hit)


def test_a_signed_off_pack_says_so_and_flags_changes(tmp_path, demo, framework):
    source, month = demo
    db = tmp_path / "signed.duckdb"
    db.write_bytes(source.read_bytes())
    shutil.copy(Reviews.beside(source).path, Reviews.beside(db).path)
    store = Store(db)
    words = Reviews.beside(db)
    rows = compute_scorecard(framework, store, month, "QPM")
    words.sign_off(OWNER, month, "QPM", rows, store.identity(), note="Board minute 7")
    value = store.current(kpi_codes=["LEAD-ED"], area_codes=["QPM"], up_to=month)["value"].iloc[-1]
    extract = tmp_path / "revision.csv"
    pd.DataFrame(
        [{"kpi_code": "LEAD-ED", "area_code": "QPM", "period": month, "value": value * 2}]
    ).to_csv(extract, index=False)
    assert cli("load", str(extract), "--db", str(db)).returncode == 0
    text = flat("\n".join(pdf_text(build_pack(framework, Store(db), words, month, "QPM"))))
    assert "Signed off by Example owner" in text
    assert "Board minute 7" in text
    assert "Changed since sign-off" in text
    assert "LEAD-ED QPM: value changed since sign-off" in text


def test_pack_command_refuses_bad_input_with_a_sentence(demo, tmp_path):
    db, month = demo
    done = cli(
        "pack",
        "--month",
        month,
        "--area",
        "NOWHERE",
        "--out",
        str(tmp_path / "x.pdf"),
        "--db",
        str(db),
    )
    assert done.returncode == 1
    assert "NOWHERE" in done.stderr
    assert "Traceback" not in done.stderr
    done = cli("pack", "--month", "1999-01", "--out", str(tmp_path / "x.pdf"), "--db", str(db))
    assert done.returncode == 1
    assert "no data" in done.stderr
    done = cli("pack", "--month", month, "--out", str(tmp_path / "no" / "x.pdf"), "--db", str(db))
    assert done.returncode == 1
    assert "folder does not exist" in done.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_the_pack_has_a_benefits_page_with_the_four_amounts(cli_pack: bytes, demo) -> None:  # type: ignore[no-untyped-def]
    db, month = demo
    pages = [flat(p.extract_text()) for p in PdfReader(io.BytesIO(cli_pack)).pages]
    found = [p for p in pages if "Benefits realisation NHS Northamptonshire ICB, April 2021" in p]
    assert len(found) == 1, "one benefits page"
    page = found[0]
    for words in ("Planned", "Delivered", "Signed off", "Cashed", "Costs to date", "net position"):
        assert words in page
    for name in ("Reduce bed days", "Reduction in cost of CHC packages", "Reduce admissions"):
        assert name in page
    assert "synthetic" in page
    assert "illustrative" in page
    # The same figures as the command line's.
    done = cli("benefits", "--month", month, "--json", "--db", str(db))
    data = json.loads(done.stdout)
    for key in ("planned_to_date_k", "net_to_date_k"):
        shown = abs(data["totals"][key])  # the JSON keeps one decimal: allow its rounding
        assert any(f"{shown + d:,.0f}" in page for d in (-0.1, 0, 0.1)), key


def test_the_pack_lists_improvements_holding_slipping_lost(tmp_path, framework):
    db = tmp_path / "demo.duckdb"
    done = cli("demo", "--db", str(db))
    assert done.returncode == 0, done.stderr
    month = Store(db).periods()[-1]
    pdf = build_pack(framework, Store(db), Reviews.beside(db), month, "QPM")
    text = flat("\n".join(pdf_text(pdf)))
    assert "Is it holding? Improvements after support ended" in text
    assert "1 holding, 1 slipping, 1 lost" in text
    assert "Holding: Over-65 acute patients staying 21 days or more (LEAD-LONGSTAY)" in text
    assert "Slipping: Frailty front door assessments without admission (ACT-FFD)" in text
    assert "Lost: Discharges before noon (ACT-DISCHNOON). Lost: the latest 7 points" in text
    sustain = next(p for p in pdf_text(pdf) if "Is it holding?" in p)
    assert "Support ended" in sustain  # each chart marks where support ended


def test_the_pack_names_sustained_shifts_and_the_rows_to_record(cli_pack, demo, framework):
    db, month = demo
    live = with_events(framework, store_events(db))
    rows = [r for r in compute_scorecard(live, Store(db), month, "QPM") if r.suggested_change_point]
    assert rows
    text = flat("\n".join(pdf_text(cli_pack)))
    assert "Assurance not reliable: sustained shifts to record" in text
    assert "the assurance icon is not reliable until an analyst records a change point" in text
    joined = text.replace(" ", "")
    for row in rows:
        assert f"{row.kpi_code},QPM,{row.suggested_change_point},change_point," in joined


def test_the_pack_says_whether_the_areas_add_up(cli_pack, demo, framework):
    db, month = demo
    text = flat("\n".join(pdf_text(cli_pack)))
    assert "Do the areas add up?" in text
    # the fixture loaded a small value for one place: that KPI's places no longer add up
    (found,) = [
        r
        for r in reconcile(framework, Store(db).current(kpi_codes=[SMALL_KPI]), month)
        if r.period == month
    ]
    assert found.status == "differs"
    assert f"({SMALL_KPI}), {period_label(month)}: the 2 of 2 place areas add up to" in text
    assert f"a difference of {format_value(found.difference, 'count')}" in text
    declared = len(framework.reconciliations)
    assert f"{declared - 1} of {declared} KPIs the framework declares additive add up" in text
