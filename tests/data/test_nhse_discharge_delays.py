"""The NHS England "Discharge delays (acute)" connector on the real workbooks and on bad input."""

from __future__ import annotations

import hashlib
import json
import math
import random
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from scorecard.data.connectors.nhse_discharge_delays import (
    COLUMNS,
    RULE,
    SOURCE_KEY_NCTR,
    SOURCE_KEY_P0,
    read_discharge_delays,
)
from scorecard.thread.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[2]
REALDATA = REPO_ROOT / "tests" / "fixtures" / "realdata"
WORKBOOKS = REALDATA / "nhse_discharge_delays_acute"
MONTHS = ("april2022", "october2022", "march2023", "june2023")

# Figures computed by hand from the published workbooks (openpyxl cell by cell, rows found by
# eye in each sheet, not by the connector):
# - nctr_remaining_mean: sheet "Table 2", the row whose "ICB Code" (QPM) or "Org Code" (RNQ,
#   RNS) column holds the code (april2022 rows 36/100/101, the other months 37/101/102); the
#   third column of each day's triplet ("Number of patients remaining in hospital who no longer
#   meet the criteria to reside"), summed over the days with a number and divided by that count.
#   Only RNQ in April 2022 has a '-' (3 April), so it is 1203 over 29 days; all others submitted
#   every day of the month (30 or 31).
# - p0_share: sheet "Table 4", the same codes (april2022 rows 37/101/102, else 38/102/103);
#   P0 = "P0 - Domestic home" + "P0 - Other"; P1 = the three "P1 - …"; P2 = the four "P2 - …"
#   with the hospice cell '-' (suppressed) as 0; P3 = "P3 - Care Home" + "P3b - Care Home" +
#   "P3 - Designated Setting"; share = 100 × P0 / (P0 + P1 + P2 + P3).
#   april2022 QPM 3020+54 | 194+4+0 | 50+11+0+37 | 33+19+0  = 3074 of 3422
#             RNQ 1700+54 | 45+3+0  | 9+11+0+0   | 10+17+0  = 1754 of 1849
#             RNS 1320+0  | 149+1+0 | 41+0+0+37  | 23+2+0   = 1320 of 1573
#   october2022 QPM 3169+93 | 161 | 92+4+0+35 | 40+3 = 3262 of 3597
#             RNQ 1723+93 | 0   | 22+4+0+8  | 0    = 1816 of 1850
#             RNS 1446+0  | 161 | 70+0+0+27 | 40+3 = 1446 of 1747
#   march2023 QPM 3266+102 | 239 | 68+4+0+33 | 27+1 = 3368 of 3740
#             RNQ 1888+102 | 0   | 25+4+0+5  | 0    = 1990 of 2024
#             RNS 1378+0   | 239 | 43+0+0+28 | 27+1 = 1378 of 1716
#   june2023  QPM 3671+97 | 196   | 59+6+0+45 | 45+3 = 3768 of 4122
#             RNQ 1946+97 | 0+1+0 | 34+6+0+9  | 0    = 2043 of 2093
#             RNS 1725+0  | 195   | 25+0+0+36 | 45+3 = 1725 of 2029
# Columns: file, org code, level, period, sum of remaining, days submitted, P0, P0+P1+P2+P3.
HAND_COMPUTED = [
    ("april2022", "QPM", "icb", "2022-04", 4357, 30, 3074, 3422),
    ("april2022", "RNQ", "trust", "2022-04", 1203, 29, 1754, 1849),
    ("april2022", "RNS", "trust", "2022-04", 3154, 30, 1320, 1573),
    ("october2022", "QPM", "icb", "2022-10", 6609, 31, 3262, 3597),
    ("october2022", "RNQ", "trust", "2022-10", 2058, 31, 1816, 1850),
    ("october2022", "RNS", "trust", "2022-10", 4551, 31, 1446, 1747),
    ("march2023", "QPM", "icb", "2023-03", 5284, 31, 3368, 3740),
    ("march2023", "RNQ", "trust", "2023-03", 1677, 31, 1990, 2024),
    ("march2023", "RNS", "trust", "2023-03", 3607, 31, 1378, 1716),
    ("june2023", "QPM", "icb", "2023-06", 5501, 30, 3768, 4122),
    ("june2023", "RNQ", "trust", "2023-06", 1637, 30, 2043, 2093),
    ("june2023", "RNS", "trust", "2023-06", 3864, 30, 1725, 2029),
]
TIGHT = 1e-9


def _expected(file: str, code: str) -> tuple[str, str, float, int, float, int]:
    for f, c, level, period, remaining, days, p0, total in HAND_COMPUTED:
        if (f, c) == (file, code):
            return level, period, remaining / days, days, 100 * p0 / total, total
    raise KeyError((file, code))


@pytest.fixture(scope="module")
def real_workbooks() -> Path:
    # The workbooks are part of the repository (tests/fixtures/realdata): never skipped.
    assert WORKBOOKS.is_dir(), f"the published workbooks are missing from {WORKBOOKS}"
    return WORKBOOKS


def _check_figures(frame, file: str) -> None:
    rows = frame.set_index("org_code")
    for code in ("QPM", "RNQ", "RNS"):
        level, period, mean, days, share, total = _expected(file, code)
        got = rows.loc[code]
        assert got["org_level"] == level
        assert got["period"] == period
        assert got["nctr_remaining_mean"] == pytest.approx(mean, rel=TIGHT)
        assert got["days_submitted"] == days
        assert got["p0_share"] == pytest.approx(share, rel=TIGHT)
        assert got["discharges_total"] == total


@pytest.mark.parametrize("file", MONTHS)
def test_real_workbook_matches_hand_computed_figures(real_workbooks: Path, file: str) -> None:
    frame = read_discharge_delays(real_workbooks / f"{file}.xlsx")
    assert list(frame.columns) == COLUMNS
    _check_figures(frame, file)
    assert frame["org_code"].is_unique
    assert frame["period"].nunique() == 1
    assert set(frame["org_level"]) == {"region", "icb", "trust"}
    # the published layout: England + 7 regions, 42 ICBs, about 120 type 1 acute trusts
    counts = frame["org_level"].value_counts()
    assert counts["region"] == 8
    assert counts["icb"] == 42
    assert counts["trust"] >= 100
    shares = frame["p0_share"].dropna()
    assert ((shares >= 0) & (shares <= 100)).all()


def test_qpm_name_is_read_from_the_name_column(real_workbooks: Path) -> None:
    frame = read_discharge_delays(real_workbooks / "june2023.xlsx").set_index("org_code")
    assert frame.at["QPM", "org_name"] == "NHS NORTHAMPTONSHIRE INTEGRATED CARE BOARD"
    assert frame.at["RNS", "org_name"] == "NORTHAMPTON GENERAL HOSPITAL NHS TRUST"


def _shifted_variant(source: Path, target: Path, *, down: bool) -> Path:
    """A later month's layout: tables moved by one row, a lookup sheet before the cover sheet."""
    workbook = openpyxl.load_workbook(source)
    for name in ("Table 2", "Table 4"):
        sheet = workbook[name]
        if down:
            sheet.insert_rows(1)
        else:
            assert all(cell.value is None for cell in sheet[1])  # row 1 is empty in this month
            sheet.delete_rows(1)
    lookup = workbook.create_sheet("Lkp - Orgs", index=0)
    # a decoy table with the same code heading: the connector must not read it
    lookup.append(["Org Code", "Org Name", "ICB Code"])
    lookup.append(["RNS", "NORTHAMPTON GENERAL HOSPITAL NHS TRUST", "QPM"])
    workbook.move_sheet("Contents", offset=-1)  # the cover sheet no longer comes first either
    workbook.save(target)
    return target


@pytest.mark.parametrize(
    ("file", "down"),
    [("april2022", True), ("october2022", False), ("june2023", True)],
    ids=["april2022-down", "october2022-up", "june2023-down"],
)
def test_moved_tables_and_lookup_sheet_give_the_same_figures(
    real_workbooks: Path, tmp_path: Path, file: str, down: bool
) -> None:
    variant = _shifted_variant(
        real_workbooks / f"{file}.xlsx", tmp_path / "variant.xlsx", down=down
    )
    sheets = openpyxl.load_workbook(variant, read_only=True).sheetnames
    assert sheets[0] == "Lkp - Orgs"
    assert sheets.index("Cover Sheet") > 1
    original = read_discharge_delays(real_workbooks / f"{file}.xlsx")
    moved = read_discharge_delays(variant)
    _check_figures(moved, file)
    assert moved.equals(original)


def _assert_rejected(path: Path, *words: str) -> None:
    with pytest.raises(UserError) as caught:
        read_discharge_delays(path)
    (problem,) = caught.value.problems
    assert problem.file == path.name
    assert problem.row is None
    assert problem.column == ""
    assert problem.value == ""
    assert problem.rule == RULE
    for word in words:
        assert word in problem.message
    sentence = problem.sentence()
    assert sentence.startswith(path.name)
    assert "Traceback" not in sentence


def test_csv_renamed_xlsx_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "extract.xlsx"
    path.write_text("kpi_code,area_code,period,value\nLEAD-NCTR,RNS,2023-06,120\n")
    _assert_rejected(path, "not an Excel workbook", "renamed")


def test_random_binary_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(random.Random(3).randbytes(4096))
    _assert_rejected(path, "not an Excel workbook")


def test_zip_that_is_not_a_workbook_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a spreadsheet")
    _assert_rejected(path, "not a readable Excel workbook")


def test_unrelated_xlsx_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "beds.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Beds"
    sheet.append(["Org Code", "Org Name", "Beds"])
    sheet.append(["RNS", "NORTHAMPTON GENERAL HOSPITAL NHS TRUST", 700])
    workbook.save(path)
    _assert_rejected(path, "no sheet 'Table 2'", "Discharge delays (acute)")


def test_workbook_without_table_2_is_rejected(real_workbooks: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(real_workbooks / "march2023.xlsx")
    del workbook["Table 2"]
    path = tmp_path / "march2023.xlsx"
    workbook.save(path)
    _assert_rejected(path, "no sheet 'Table 2'")


def test_table_2_without_its_headings_is_rejected(real_workbooks: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(real_workbooks / "march2023.xlsx")
    sheet = workbook["Table 2"]
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and "remaining in hospital" in cell.value:
                cell.value = "Number of patients"
    path = tmp_path / "march2023.xlsx"
    workbook.save(path)
    _assert_rejected(path, "Table 2", "remaining in hospital")


def test_table_4_without_p3_heading_is_rejected(real_workbooks: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(real_workbooks / "june2023.xlsx")
    for row in workbook["Table 4"].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("P3"):
                cell.value = "Other"
    path = tmp_path / "june2023.xlsx"
    workbook.save(path)
    _assert_rejected(path, "Table 4", "'P3 - …'")


# A small synthetic workbook in the publication's layout, to pin the rules exactly.
DAYS = [date(2024, 1, d) for d in (1, 2, 3)]
P_HEADINGS = [
    "P0 - Domestic home without reablement support",
    "P0 - Other without reablement support",
    "P1 - Domestic home with reablement support",
    "P2 - Hospice \n(short term 24hr support)",
    "P3 - Care Home\n(new admission, likely permanent)",
    "P3b - Care Home\n(existing resident discharged back)",
]
TRIPLET = [
    "Number of patients who no longer meet the criteria to reside",
    "Number of patients discharged",
    "Number of patients remaining in hospital who no longer meet the criteria to reside",
]


def _synthetic(path: Path, *, cover_month: int = 1) -> Path:
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Cover Sheet"
    cover["B4"], cover["C4"] = "Period:", date(2024, cover_month, 1)
    cover["D4"], cover["E4"] = "-", date(2024, cover_month, 28)

    table2 = workbook.create_sheet("Table 2")
    table2["B1"] = "Table 2: Number of patients who no longer meet criteria to reside"
    for i, day in enumerate(DAYS):
        table2.cell(3, 5 + 3 * i, day)
        for j, text in enumerate(TRIPLET):
            table2.cell(4, 5 + 3 * i + j, text)
    # (label or code, name, [remaining by day]); the other two columns of a triplet get 1 and 2
    blocks = [
        (None, [("ENGLAND (Type 1 Trusts)", "ENGLAND (Type 1 Trusts)", [30, 40, 50])]),
        ("ICB", [("QZZ", "NHS TEST ICB", [30, 40, 50])]),
        ("Org", [("RAA", "TRUST A", [10, "-", 20]), ("RBB", "TRUST B", ["-", "-", "-"])]),
    ]
    row = 5
    for kind, orgs in blocks:
        if kind is not None:
            row += 1
            table2.cell(row, 2, "Region")
            table2.cell(row, 3, f"{kind} Code")
            table2.cell(row, 4, f"{kind} Name")
            row += 1
        for code, name, remaining in orgs:
            if kind is None:
                table2.cell(row, 4, name)
            else:
                table2.cell(row, 2, "MIDLANDS")
                table2.cell(row, 3, code)
                table2.cell(row, 4, name)
            for i, value in enumerate(remaining):
                dash = value == "-"
                table2.cell(row, 5 + 3 * i, "-" if dash else 1)
                table2.cell(row, 6 + 3 * i, "-" if dash else 2)
                table2.cell(row, 7 + 3 * i, value)
            row += 1
    table2.cell(row + 1, 2, "Source: synthetic test workbook")

    table4 = workbook.create_sheet("Table 4")
    table4["B2"] = "Table 4: Month total number of patients discharged"
    table4["E4"] = "January 2024 - Total number of patients discharged"
    for j, text in enumerate(P_HEADINGS):
        table4.cell(5, 5 + j, text)
    table4.cell(6, 4, "ENGLAND (Type 1 Trusts)")
    for j, value in enumerate([80, 10, 5, 5, 0, 0]):
        table4.cell(6, 5 + j, value)
    table4.cell(8, 2, "Region")
    table4.cell(8, 3, "ICB Code")
    table4.cell(8, 4, "ICB Name")
    for j, value in enumerate([70, 5, 10, "-", 10, 5]):
        table4.cell(9, 5 + j, value)
    table4.cell(9, 3, "QZZ")
    table4.cell(9, 4, "NHS TEST ICB")
    table4.cell(11, 3, "Org Code")
    table4.cell(11, 4, "Org Name")
    for r, (code, values) in enumerate(
        [("RAA", [40, 0, 8, "-", 2, 0]), ("RBB", [0, 0, 0, "-", 0, 0])], start=12
    ):
        table4.cell(r, 3, code)
        table4.cell(r, 4, f"TRUST {code[1]}")
        for j, value in enumerate(values):
            table4.cell(r, 5 + j, value)
    workbook.save(path)
    return path


def test_synthetic_layout_rules(tmp_path: Path) -> None:
    frame = read_discharge_delays(_synthetic(tmp_path / "jan2024.xlsx")).set_index("org_code")
    assert list(frame.index) == ["ENGLAND (Type 1 Trusts)", "QZZ", "RAA", "RBB"]
    assert list(frame["org_level"]) == ["region", "icb", "trust", "trust"]
    assert set(frame["period"]) == {"2024-01"}
    # '-' days are left out of the mean, not counted as 0
    assert frame.at["RAA", "nctr_remaining_mean"] == pytest.approx(15.0)
    assert frame.at["RAA", "days_submitted"] == 2
    assert frame.at["QZZ", "nctr_remaining_mean"] == pytest.approx(40.0)
    # a trust that submitted no day has no mean (missing, never 0)
    assert math.isnan(frame.at["RBB", "nctr_remaining_mean"])
    assert frame.at["RBB", "days_submitted"] == 0
    # the suppressed hospice cell counts as 0; P3b is part of P3
    assert frame.at["QZZ", "p0_share"] == pytest.approx(100 * 75 / 100)
    assert frame.at["QZZ", "discharges_total"] == 100
    assert frame.at["RAA", "p0_share"] == pytest.approx(100 * 40 / 50)
    # no discharges at all: the share is missing, not 0
    assert math.isnan(frame.at["RBB", "p0_share"])
    assert frame.at["RBB", "discharges_total"] == 0
    assert frame.at["ENGLAND (Type 1 Trusts)", "p0_share"] == pytest.approx(90.0)


def test_period_comes_from_the_workbook_not_the_file_name(tmp_path: Path) -> None:
    frame = read_discharge_delays(_synthetic(tmp_path / "june2023.xlsx"))
    assert set(frame["period"]) == {"2024-01"}


def test_cover_sheet_disagreeing_with_table_2_is_rejected(tmp_path: Path) -> None:
    _assert_rejected(_synthetic(tmp_path / "jan2024.xlsx", cover_month=2), "2024-02", "2024-01")


def test_text_in_a_count_cell_names_the_cell(tmp_path: Path) -> None:
    path = _synthetic(tmp_path / "jan2024.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["Table 2"]["G11"] = "n/a"  # RAA's first "remaining" cell
    workbook.save(path)
    with pytest.raises(UserError) as caught:
        read_discharge_delays(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.value) == (path.name, 11, "G", "n/a")
    assert problem.rule == RULE
    assert "Table 2" in problem.message


def _scorecard(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scorecard", *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cli_rejects_a_bad_workbook_with_a_sentence(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    bad = tmp_path / "extract.xlsx"
    bad.write_text("kpi_code,area_code\n")
    result = _scorecard("import-nhse", "discharge-delays", bad, "--db", db, "--json")
    assert result.returncode == 1
    assert "extract.xlsx" in result.stderr
    assert "not an Excel workbook" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_cli_imports_the_four_real_months(real_workbooks: Path, tmp_path: Path) -> None:
    from scorecard.data.store import Store

    db = tmp_path / "store.duckdb"
    files = [real_workbooks / f"{m}.xlsx" for m in MONTHS]
    init = _scorecard("init", "--db", db)
    assert init.returncode == 0, init.stderr

    dry = _scorecard("import-nhse", "discharge-delays", *files, "--db", db, "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert Store(db).current().empty  # a dry run writes nothing

    result = _scorecard("import-nhse", "discharge-delays", *files, "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows == json.loads(dry.stdout)
    for row in rows:
        assert set(row) == {"kpi_code", "source_key", "area_code", "period", "value"}
    got = {(r["source_key"], r["area_code"], r["period"]): r for r in rows}
    for file, code, _level, period, *_ in HAND_COMPUTED:
        _level, _period, mean, _days, share, _total = _expected(file, code)
        nctr = got[(SOURCE_KEY_NCTR, code, period)]
        assert nctr["kpi_code"] == "LEAD-NCTR"
        assert nctr["value"] == pytest.approx(mean, rel=TIGHT)
        p0 = got[(SOURCE_KEY_P0, code, period)]
        assert p0["kpi_code"] == "LEAD-P0"
        assert p0["value"] == pytest.approx(share, rel=TIGHT)

    stored = Store(db).current(kpi_codes=["LEAD-NCTR", "LEAD-P0", "ACT-P1DISCH"])
    key = stored.set_index(["kpi_code", "area_code", "period"])
    for row in rows:
        line = key.loc[(row["kpi_code"], row["area_code"], row["period"])]
        assert line["value"] == pytest.approx(row["value"], rel=TIGHT)
        assert line["status"] == "final"
        assert not line["synthetic"]
        assert line["note"].startswith("NHS England Discharge delays (acute), ")
    assert len(stored) == len(rows)

    again = _scorecard("import-nhse", "discharge-delays", *files, "--db", db, "--json")
    assert again.returncode == 0, again.stderr
    assert Store(db).current(kpi_codes=["LEAD-NCTR", "LEAD-P0", "ACT-P1DISCH"]).equals(stored)


def _framework():
    from scorecard.thread.domain import (
        Area,
        AreaType,
        Direction,
        Framework,
        Frequency,
        Kpi,
        Provenance,
        Tier,
        Unit,
    )

    def kpi(code: str, key: str, unit: Unit, types: tuple[AreaType, ...]) -> Kpi:
        return Kpi(
            code=code,
            name=code,
            definition="",
            numerator="",
            denominator="",
            unit=unit,
            direction=Direction.DECREASE,
            frequency=Frequency.MONTHLY,
            tier=Tier.LEAD,
            owner_role="",
            data_source="NHS England",
            area_types=types,
            provenance=Provenance.ILLUSTRATIVE,
            source="",
            source_key=key,
        )

    return Framework(
        population_outcomes=(),
        ambitions=(),
        pillars=(),
        outcomes=(),
        bricks=(),
        kpis=(
            kpi("LEAD-NCTR", SOURCE_KEY_NCTR, Unit.COUNT, (AreaType.SYSTEM, AreaType.PROVIDER)),
            kpi("LEAD-P0", SOURCE_KEY_P0, Unit.PERCENT, (AreaType.PROVIDER,)),
            kpi("OTHER", "", Unit.COUNT, (AreaType.SYSTEM, AreaType.PROVIDER)),
        ),
        i_statements=(),
        areas=(
            Area("QZZ", "Test ICB", AreaType.SYSTEM),
            Area("E06000061", "North Northamptonshire", AreaType.PLACE),
            Area("RAA", "Trust A", AreaType.PROVIDER, "QZZ"),
            Area("RBB", "Trust B", AreaType.PROVIDER, "QZZ"),
            Area("RCC", "Trust C (not in the workbook)", AreaType.PROVIDER, "QZZ"),
        ),
        links=(),
    )


class _FakeReport:
    def __init__(self, file_name: str, status: str, errors: list) -> None:
        self.file, self.status, self.errors = file_name, status, errors

    def summary(self) -> str:
        return f"{self.file}: {self.status}"


@dataclass
class _FakePipeline:
    calls: list[dict[str, object]] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)  # file names load_frame rejects


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> _FakePipeline:
    """The framework loader and the pipeline's load_frame replaced by a recorder."""
    import types

    import scorecard.thread.framework
    from scorecard.data.pipeline import FrameToLoad
    from scorecard.thread.errors import Problem

    fake_state = _FakePipeline()

    def load_frames(store_path, fw, frames, kind, user, dry_run=False):
        # all or nothing, as the real one: written only when no frame is rejected
        written = not dry_run and not any(f.file_name in fake_state.reject for f in frames)
        reports = []
        for item in frames:
            fake_state.calls.append(
                {
                    "store_path": store_path,
                    "frame": item.frame.copy(),
                    "file_name": item.file_name,
                    "kind": kind,
                    "user": user,
                    "synthetic": False,
                    "dry_run": dry_run,
                    "sha256": item.sha256,
                    "written": written,
                }
            )
            if item.file_name in fake_state.reject:
                problem = Problem(
                    item.file_name, 2, "period", "2099-01", "period", "is in the future"
                )
                reports.append(_FakeReport(item.file_name, "rejected", [problem]))
            else:
                reports.append(_FakeReport(item.file_name, "loaded", []))
        return reports

    fake = types.ModuleType("scorecard.data.pipeline")
    fake.load_frames = load_frames
    fake.FrameToLoad = FrameToLoad
    fake.REJECTED = "rejected"
    monkeypatch.setitem(sys.modules, "scorecard.data.pipeline", fake)
    monkeypatch.setattr(scorecard.thread.framework, "load_framework", lambda folder: _framework())
    return fake_state


def _args(tmp_path: Path, files: list[Path], *, dry_run: bool = False):
    import argparse

    return argparse.Namespace(
        db=tmp_path / "store.duckdb",
        framework=tmp_path / "framework",
        json=True,
        publication="discharge-delays",
        files=files,
        dry_run=dry_run,
        user="tester",
    )


@pytest.mark.parametrize("dry_run", [False, True], ids=["load", "dry-run"])
def test_handler_builds_extract_rows_for_framework_areas(
    tmp_path: Path, fake_pipeline: _FakePipeline, dry_run: bool
) -> None:
    from scorecard.commands.import_nhse import run_import

    path = _synthetic(tmp_path / "jan2024.xlsx")
    result = run_import(_args(tmp_path, [path], dry_run=dry_run))
    assert result.exit_code == 0, result.problems
    # LEAD-NCTR: system + provider areas found (RBB submitted no day: left out, never 0);
    # LEAD-P0: provider areas only (RBB had no discharges: left out); RCC is not in the file.
    assert result.data == [
        {
            "kpi_code": "LEAD-NCTR",
            "source_key": SOURCE_KEY_NCTR,
            "area_code": "QZZ",
            "period": "2024-01",
            "value": pytest.approx(40.0),
        },
        {
            "kpi_code": "LEAD-NCTR",
            "source_key": SOURCE_KEY_NCTR,
            "area_code": "RAA",
            "period": "2024-01",
            "value": pytest.approx(15.0),
        },
        {
            "kpi_code": "LEAD-P0",
            "source_key": SOURCE_KEY_P0,
            "area_code": "RAA",
            "period": "2024-01",
            "value": pytest.approx(80.0),
        },
    ]
    # one call with every workbook: validated together, written together or not at all
    assert [(call["dry_run"], call["written"]) for call in fake_pipeline.calls] == [
        (dry_run, not dry_run)
    ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    for call in fake_pipeline.calls:
        assert call["store_path"] == tmp_path / "store.duckdb"
        assert call["file_name"] == "jan2024.xlsx"
        assert (call["kind"], call["user"], call["synthetic"]) == ("nhse", "tester", False)
        assert call["sha256"] == digest
    frame = fake_pipeline.calls[-1]["frame"]
    assert list(frame.columns) == ["kpi_code", "area_code", "period", "value", "status", "note"]
    assert set(frame["status"]) == {"final"}
    assert set(frame["note"]) == {"NHS England Discharge delays (acute), jan2024.xlsx"}
    assert "jan2024.xlsx" in result.text


def test_handler_writes_nothing_when_any_workbook_is_bad(
    tmp_path: Path, fake_pipeline: _FakePipeline
) -> None:
    from scorecard.commands.import_nhse import run_import

    good = _synthetic(tmp_path / "jan2024.xlsx")
    bad = tmp_path / "extract.xlsx"
    bad.write_text("kpi_code,area_code\n")
    result = run_import(_args(tmp_path, [good, bad]))
    assert result.exit_code == 1
    (problem,) = result.problems
    assert problem.file == "extract.xlsx"
    assert "not an Excel workbook" in problem.message
    assert fake_pipeline.calls == []


def test_handler_rejects_a_workbook_without_framework_areas(
    tmp_path: Path, fake_pipeline: _FakePipeline
) -> None:
    from scorecard.commands.import_nhse import run_import

    path = _synthetic(tmp_path / "jan2024.xlsx")
    workbook = openpyxl.load_workbook(path)
    for name in ("Table 2", "Table 4"):
        for row in workbook[name].iter_rows():
            for cell in row:
                if cell.value in {"QZZ", "RAA", "RBB"}:
                    cell.value = "X" + cell.value
    workbook.save(path)
    result = run_import(_args(tmp_path, [path]))
    assert result.exit_code == 1
    assert "none of the framework's areas" in result.problems[0].message
    assert fake_pipeline.calls == []


def test_handler_writes_nothing_when_the_pipeline_rejects_any_workbook(
    tmp_path: Path, fake_pipeline: _FakePipeline
) -> None:
    from scorecard.commands.import_nhse import run_import

    first = _synthetic(tmp_path / "jan2024.xlsx")
    second = _synthetic(tmp_path / "jan2024-copy.xlsx")
    fake_pipeline.reject.add("jan2024-copy.xlsx")
    result = run_import(_args(tmp_path, [first, second]))
    assert result.exit_code == 1
    assert [p.file for p in result.problems] == ["jan2024-copy.xlsx"]
    assert result.data is None
    # both were validated together; neither was written
    assert [(c["file_name"], c["written"]) for c in fake_pipeline.calls] == [
        ("jan2024.xlsx", False),
        ("jan2024-copy.xlsx", False),
    ]
