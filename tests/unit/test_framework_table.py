"""The documents' six-column framework table, its "not yet linked" list and its downloads."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_scoring import PERIODS, STEADY, obs, small_framework
from test_threads import EXAMPLE_ROWS  # the documents' three rows, verbatim

from scorecard.data.exports import neutralise, to_csv_bytes, to_xlsx_bytes
from scorecard.reports.framework_table import (
    ALL_COLUMNS,
    NOT_LINKED_COLUMNS,
    SHOWN_COLUMNS,
    SIX_COLUMNS,
    display_table,
    framework_table,
    grouped,
    not_yet_linked,
)
from scorecard.reports.scoring import compute_scorecard
from scorecard.thread.domain import Ambition, Provenance
from scorecard.thread.framework import load_framework
from scorecard.thread.framework_coverage import threads

REPO = Path(__file__).resolve().parents[2]
SEED_ROWS = REPO / "tests" / "fixtures" / "documents" / "golden_thread_seed_rows.csv"
DOCUMENT_HEADINGS = (
    "ICS Population Outcome",
    "ICP Ambition",
    "iCAN Outcome",
    "iCAN Lead KPI",
    "iCAN Operational or activity KPI",
    "iCAN I-statements",
)


def six(table: pd.DataFrame) -> list[tuple[str, ...]]:
    return list(table[list(SIX_COLUMNS)].itertuples(index=False, name=None))


@pytest.fixture
def fw():
    return small_framework()


@pytest.fixture
def rows(fw):
    frame = pd.concat(
        [
            obs("L1", "QPM", PERIODS, [*STEADY[:-1], 160]),
            obs("ACT1", "QPM", PERIODS, STEADY),
            obs("ACT3", "QPM", PERIODS[-3:], [4, 5, 6], status="provisional"),
        ]
    )
    return compute_scorecard(fw, frame, "2024-06", area="QPM")


def test_the_six_columns_come_first_with_the_documents_headings(fw, rows):
    table = framework_table(fw, rows, "2024-06", "QPM")
    assert tuple(table.columns[:6]) == DOCUMENT_HEADINGS
    assert tuple(table.columns) == ALL_COLUMNS
    assert table.attrs == {"month": "2024-06", "area": "QPM"}


def test_one_row_per_thread_and_the_example_rows_word_for_word(fw, rows):
    table = framework_table(fw, rows, "2024-06", "QPM")
    assert len(table) == len(threads(fw))
    for example in EXAMPLE_ROWS:
        assert example in six(table)


def test_kpi_cells_carry_the_months_figures(fw, rows):
    table = framework_table(fw, rows, "2024-06", "QPM")
    first = table[(table["Lead KPI code"] == "L1") & (table["Activity KPI code"] == "ACT1")].iloc[0]
    assert first["Lead KPI period"] == "2024-06"
    assert first["Lead KPI value"] == 160.0
    assert first["Lead KPI target"] == 90.0
    assert first["Lead KPI variation"] == "Special cause – concerning (high)"
    assert first["Lead KPI assurance"] == "Hit and miss the target, subject to random variation"
    assert first["Lead KPI data"] == "synthetic"
    assert first["Activity KPI variation"] == "Common cause – no significant change"
    act3 = table[table["Activity KPI code"] == "ACT3"].iloc[0]
    assert act3["Activity KPI data"] == "synthetic; provisional"
    assert act3["Activity KPI variation"] == "No variation icon – not enough data for SPC"
    l2 = table[table["Lead KPI code"] == "L2"].iloc[0]
    assert l2["Lead KPI variation"] == "no data"


def test_kpi_not_reported_for_the_area_says_so(fw):
    table = framework_table(
        fw, compute_scorecard(fw, obs("L1", "RNS", [], []), "2024-06", area="RNS"), "2024-06", "RNS"
    )
    assert set(table["Lead KPI variation"]) == {"not reported for this area"}
    assert table["Lead KPI value"].isna().all()


def test_suppressed_values_are_blank_and_labelled():
    fw = small_framework()
    frame = obs("ACT3", "E06000061", PERIODS[-2:], [3, 4])
    rows = compute_scorecard(fw, frame, "2024-06", area="E06000061")
    table = framework_table(fw, rows, "2024-06", "E06000061")
    act3 = table[table["Activity KPI code"] == "ACT3"].iloc[0]
    assert pd.isna(act3["Activity KPI value"])
    assert "suppressed" in act3["Activity KPI data"]


def test_placeholder_and_illustrative_marks_sit_beside_the_names():
    fw = small_framework()
    fw = replace(
        fw,
        ambitions=(
            Ambition("A1", "Opportunity to be fit, well and independent", Provenance.SEED, "t"),
            Ambition(
                "A2", "ICP ambition 2 (not named)", Provenance.ILLUSTRATIVE, "t", placeholder=True
            ),
        ),
        kpis=tuple(
            replace(k, provenance=Provenance.ILLUSTRATIVE) if k.code == "ACT2" else k
            for k in fw.kpis
        ),
    )
    table = framework_table(fw, [], "2024-06", "QPM")
    a2 = table[table["Ambition code"] == "A2"].iloc[0]
    assert a2["ICP Ambition"] == "ICP ambition 2 (not named)"  # the name itself untouched
    assert a2["Ambition provenance"] == "placeholder"
    assert a2["Activity KPI provenance"] == "illustrative"
    a1 = table[table["Ambition code"] == "A1"].iloc[0]
    assert a1["Ambition provenance"] == "seed"


@pytest.mark.parametrize(
    ("pillar", "outcome", "outcomes"),
    [
        pytest.param(None, None, {3, 5, 7}, id="all"),
        pytest.param("FEFD", None, {5, 7}, id="pillar"),
        pytest.param(None, 3, {3}, id="outcome"),
        pytest.param("CR", 7, set(), id="outcome-of-another-pillar"),
    ],
)
def test_filters(fw, rows, pillar, outcome, outcomes):
    table = framework_table(fw, rows, "2024-06", "QPM", pillar=pillar, outcome=outcome)
    assert set(table["Outcome number"]) == outcomes
    assert tuple(table.columns) == ALL_COLUMNS


def test_grouped_blanks_repeats_left_to_right(fw, rows):
    table = framework_table(fw, rows, "2024-06", "QPM")
    shown = grouped(table)
    assert len(shown) == len(table)
    assert shown.iloc[0][list(SIX_COLUMNS)].tolist() == table.iloc[0][list(SIX_COLUMNS)].tolist()
    for i in range(1, len(table)):
        for j, column in enumerate(SIX_COLUMNS):
            same_left = all(table.iloc[i][c] == table.iloc[i - 1][c] for c in SIX_COLUMNS[: j + 1])
            assert (shown.iloc[i][column] == "") == (same_left and table.iloc[i][column] != "")
    # the figure and code columns are never blanked
    assert shown["Lead KPI code"].tolist() == table["Lead KPI code"].tolist()
    assert (shown["ICS Population Outcome"] != "").sum() < len(table)


def test_every_kpi_and_i_statement_is_in_a_row_or_not_yet_linked(fw):
    table = framework_table(fw, [], "2024-06", "QPM")
    listed = not_yet_linked(fw)
    assert tuple(listed.columns) == NOT_LINKED_COLUMNS
    in_rows = set(table["Lead KPI code"]) | set(table["Activity KPI code"])
    open_kpis = set(listed.loc[listed["Kind"] == "KPI", "Code"])
    assert {k.code for k in fw.kpis} == (in_rows - {""}) | open_kpis
    assert not (in_rows & open_kpis)
    statements = set(table["I-statement code"]) - {""}
    open_statements = set(listed.loc[listed["Kind"] == "I-statement", "Code"])
    assert {s.code for s in fw.i_statements} <= statements | open_statements
    reasons = dict(zip(listed["Code"], listed["Why"], strict=True))
    assert reasons == {
        "SYS1": "system-wide KPI: measured for the whole system, outside the six-column thread",
        "PCT1": "activity KPI linked to no lead KPI",
    }


# The real framework in data/framework


@pytest.fixture(scope="module")
def real_fw():
    return load_framework(REPO / "data" / "framework")


def test_real_framework_shows_the_three_documents_rows_word_for_word(real_fw):
    table = framework_table(real_fw, [], "2024-06", "QPM")
    rows = set(six(table))
    with SEED_ROWS.open(encoding="utf-8") as handle:
        seeds = [
            tuple(
                r[c]
                for c in (
                    "ics_population_outcome",
                    "icp_ambition",
                    "ican_outcome",
                    "lead_kpi",
                    "activity_kpi",
                    "i_statement",
                )
            )
            for r in csv.DictReader(handle)
        ]
    assert seeds == EXAMPLE_ROWS
    for example in EXAMPLE_ROWS:
        assert example in rows


def test_real_framework_every_kpi_and_i_statement_accounted_for(real_fw):
    table = framework_table(real_fw, [], "2024-06", "QPM")
    listed = not_yet_linked(real_fw)
    kpis = (set(table["Lead KPI code"]) | set(table["Activity KPI code"])) - {""}
    kpis |= set(listed.loc[listed["Kind"] == "KPI", "Code"])
    assert kpis == {k.code for k in real_fw.kpis}
    statements = set(table["I-statement code"]) - {""}
    statements |= set(listed.loc[listed["Kind"] == "I-statement", "Code"])
    assert statements == {s.code for s in real_fw.i_statements}
    assert (listed["Why"] != "").all()


# Downloads


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Stay Well", "Stay Well"),
        ("", ""),
    ],
)
def test_neutralise(text, shown):
    assert neutralise(text) == shown


def test_csv_neutralises_formula_text_and_keeps_numbers():
    frame = pd.DataFrame({"Name": ["=1+1", "ok", "-x"], "Value": [-3.5, 2.0, None]})
    data = to_csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert back == [["Name", "Value"], ["'=1+1", "-3.5"], ["ok", "2.0"], ["'-x", ""]]


def test_xlsx_opens_with_the_six_headers_and_text_never_becomes_a_formula(fw, rows):
    table = framework_table(fw, rows, "2024-06", "QPM")
    table.loc[0, "iCAN I-statements"] = "=cmd|' /C calc'!A0"
    data = to_xlsx_bytes(table, "Framework table", "iCAN outcomes framework, June 2024")
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet.title == "Framework table"
    assert book.properties.title == "iCAN outcomes framework, June 2024"
    header = [c.value for c in sheet[1]]
    assert tuple(header[:6]) == DOCUMENT_HEADINGS
    assert header == list(ALL_COLUMNS)
    assert sheet.max_row == len(table) + 1
    hostile = sheet.cell(row=2, column=6)
    assert hostile.value == "=cmd|' /C calc'!A0"
    assert hostile.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml
    values = {c.value for row in sheet.iter_rows(min_row=2) for c in row}
    assert 160.0 in values  # numbers stay numbers


def test_xlsx_sheet_name_is_made_valid():
    data = to_xlsx_bytes(pd.DataFrame({"a": [1]}), "a/b:c*d?[e]f that is far too long for excel")
    name = openpyxl.load_workbook(io.BytesIO(data)).active.title
    assert len(name) <= 31
    assert not set(name) & set("/:*?[]\\")


def test_display_table_marks_gaps_and_groups_kpi_state_with_its_kpi():
    fw = small_framework()
    fw = replace(
        fw,
        ambitions=(
            Ambition("A1", "Opportunity to be fit, well and independent", Provenance.SEED, "t"),
            Ambition("A2", "ICP ambition 2", Provenance.ILLUSTRATIVE, "t", placeholder=True),
        ),
    )
    frame = pd.concat(
        [
            obs("L1", "QPM", PERIODS, [*STEADY[:-1], 160]),
            obs("ACT3", "E06000061", PERIODS[-1:], [3]),
        ]
    )
    rows = compute_scorecard(fw, frame, "2024-06", area="QPM")
    table = framework_table(fw, rows, "2024-06", "QPM")
    shown = display_table(table)
    assert tuple(shown.columns[: len(SHOWN_COLUMNS)]) == SHOWN_COLUMNS
    assert len(shown) == len(table)
    assert "ICP ambition 2 [placeholder]" in set(shown["ICP Ambition"])
    assert "Opportunity to be fit, well and independent" in set(shown["ICP Ambition"])
    l1 = shown[shown["Lead KPI code"] == "L1"].iloc[0]
    assert l1["Lead KPI state"] == (
        "160 (2024-06); target 90; synthetic · Special cause – concerning (high)"
        " · Hit and miss the target, subject to random variation"
    )
    # a lead KPI cell blanked as a repeat takes its state and code with it
    repeats = shown[(shown["iCAN Lead KPI"] == "") & (table["iCAN Lead KPI"] != "")]
    assert len(repeats) > 0
    assert set(repeats["Lead KPI state"]) == {""}
    assert set(repeats["Lead KPI code"]) == {""}
    l2 = shown[shown["Lead KPI code"] == "L2"].iloc[0]
    assert l2["Lead KPI state"] == "no data"


def test_display_table_of_an_area_without_the_kpi():
    fw = small_framework()
    shown = display_table(framework_table(fw, [], "2024-06", "RNS"))
    assert set(shown["Lead KPI state"]) <= {"not reported for this area", ""}
