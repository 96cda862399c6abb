"""The NHS England "Virtual Ward Capacity and Occupancy" connector on the published workbooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from cli_process import run_scorecard

from scorecard.data.connectors.nhse_virtual_wards import (
    RULE,
    SOURCE_KEY_CAPACITY_RATE,
    SOURCE_KEY_OCCUPANCY,
    read_virtual_wards,
)
from scorecard.data.store import Store
from scorecard.thread.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[2]
WORKBOOKS = REPO_ROOT / "data" / "published" / "nhse_virtual_wards"
OTHER_PUBLICATION = REPO_ROOT / "data" / "published" / "nhse_discharge_delays_acute"

# Read by eye from sheet "Virtual Ward Data", row 31 (NHS Northamptonshire ICB, QPM) of each
# workbook: capacity (column F), patients (column I) and occupancy as printed (column J).
QPM_PRINTED = {
    "2023_07": ("2023-07", 357, 289, 0.8095238095238095),
    "2023_08": ("2023-08", 352, 293, 0.832),
    "2023_09": ("2023-09", 348, 47, 0.13505747126436782),
    "2023_10": ("2023-10", 338, 292, 0.864),
    "2023_11": ("2023-11", 338, 268, 0.793),
    "2023_12": ("2023-12", 338, 238, 0.704),
    "2024_02": ("2024-02", 342, 275, 0.804093567251462),
}


def _book(stem: str) -> Path:
    path = WORKBOOKS / f"{stem}_Monthly_Virtual_Ward.xlsx"
    assert path.is_file(), f"the published workbook {path} is missing from the repository"
    return path


@pytest.mark.parametrize("stem", sorted(QPM_PRINTED))
def test_occupancy_is_patients_over_capacity_as_printed(stem: str) -> None:
    period, capacity, patients, printed = QPM_PRINTED[stem]
    edition = read_virtual_wards(_book(stem))
    assert edition.period == period
    row = edition.frame.set_index("org_code").loc["QPM"]
    assert (row["capacity"], row["patients"]) == (capacity, patients)
    assert row["org_name"] == "NHS Northamptonshire Integrated Care Board"
    assert row["occupancy_printed"] == pytest.approx(printed * 100, abs=1e-9)
    assert patients / capacity * 100 == pytest.approx(printed * 100, abs=0.05)


def test_every_icb_and_england_are_kept_with_names_trimmed() -> None:
    frame = read_virtual_wards(_book("2023_07")).frame
    assert frame.iloc[0]["org_code"] == "ENGLAND"
    assert frame.iloc[0]["org_level"] == "england"
    assert (frame["org_level"] == "icb").sum() == 42
    manchester = frame.set_index("org_code").loc["QOP"]
    # printed with a trailing space: 'NHS Greater Manchester Integrated Care Board '
    assert manchester["org_name"] == "NHS Greater Manchester Integrated Care Board"
    assert not frame["org_name"].str.endswith((" ", "*")).any()


def test_flagged_occupancy_above_100_is_no_number() -> None:
    august = read_virtual_wards(_book("2023_08")).frame.set_index("org_code")
    assert bool(august.at["QGH", "occupancy_flagged"])  # printed '100%*'
    assert august.at["QGH", "patients"] == 152
    assert pd.isna(august.at["QGH", "occupancy_printed"])
    july = read_virtual_wards(_book("2023_07")).frame.set_index("org_code")
    assert bool(july.at["QGH", "occupancy_flagged"])  # July printed a bare '*'


def test_a_failed_submission_is_marked_from_the_notes() -> None:
    edition = read_virtual_wards(_book("2024_01"))
    qpm = edition.frame.set_index("org_code").loc["QPM"]
    assert bool(qpm["not_submitted"])  # printed 0 patients and 0 occupancy, and named in Notes
    assert qpm["org_name"] == "NHS Northamptonshire Integrated Care Board"
    assert edition.frame["not_submitted"].sum() == 1
    assert edition.edition == "published 8 February 2024, status Published"


def _copy(tmp_path: Path, stem: str = "2023_12") -> Path:
    target = tmp_path / f"{stem}_Monthly_Virtual_Ward.xlsx"
    shutil.copyfile(_book(stem), target)
    return target


def test_a_renamed_data_sheet_and_a_moved_header_read_the_same(tmp_path: Path) -> None:
    original = read_virtual_wards(_book("2023_12")).frame
    path = _copy(tmp_path)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Virtual Ward Data"]
    sheet.title = "Data"
    sheet.insert_rows(15, amount=3)  # the title block and the table move down three rows
    workbook.save(path)
    moved = read_virtual_wards(path).frame
    assert (moved["sheet_row"] == original["sheet_row"] + 3).all()
    columns = ["org_code", "org_name", "capacity", "patients", "occupancy_printed"]
    assert moved[columns].equals(original[columns])


def _problem(path: Path) -> str:
    with pytest.raises(UserError) as caught:
        read_virtual_wards(path)
    (problem,) = caught.value.problems
    assert problem.file == path.name
    assert problem.rule == RULE
    return problem.sentence()


def test_another_publication_is_refused() -> None:
    sentence = _problem(OTHER_PUBLICATION / "january2024.xlsx")
    assert "no sheet has the table" in sentence


def test_a_truncated_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "2023_12_Monthly_Virtual_Ward.xlsx"
    data = _book("2023_12").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "damaged or cut short" in _problem(path)


def test_a_password_protected_workbook_is_refused(tmp_path: Path) -> None:
    # Excel saves an encrypted workbook as an OLE compound document, not a zip.
    path = tmp_path / "protected.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    assert "password-protected" in _problem(path)


def test_a_header_without_its_columns_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["Virtual Ward Data"]["I16"] = "Patients"
    workbook.save(path)
    sentence = _problem(path)
    assert "sheet 'Virtual Ward Data' row 16" in sentence
    assert "patients missing" in sentence


def test_an_unflagged_occupancy_above_100_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["Virtual Ward Data"]["J31"] = 1.2
    workbook.save(path)
    with pytest.raises(UserError) as caught:
        read_virtual_wards(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column, problem.value) == (31, "J", "1.2")
    assert "above 100% that is not flagged" in problem.message
    assert "sheet 'Virtual Ward Data'" in problem.message


def test_an_occupancy_that_disagrees_with_its_counts_is_refused(tmp_path: Path) -> None:
    path = _copy(tmp_path)
    workbook = openpyxl.load_workbook(path)
    workbook["Virtual Ward Data"]["I31"] = 100  # patients; occupancy still printed 0.704
    workbook.save(path)
    with pytest.raises(UserError) as caught:
        read_virtual_wards(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (31, "J")
    assert "inconsistent" in problem.message


@pytest.fixture
def store(tmp_path: Path) -> Path:
    db = tmp_path / "store.duckdb"
    result = run_scorecard("init", "--db", str(db))
    assert result.returncode == 0, result.stderr
    return db


def _import(db: Path, *files: Path, dry_run: bool = False) -> tuple[int, str, str]:
    extra = ["--dry-run"] if dry_run else []
    result = run_scorecard(
        "import-nhse", "virtual-wards", *map(str, files), "--db", str(db), "--json", *extra
    )
    return result.returncode, result.stdout, result.stderr


def test_cli_loads_the_icb_and_keeps_every_icb_for_comparisons(store: Path) -> None:
    files = [_book(stem) for stem in ("2023_12", "2024_01", "2024_02")]
    code, out, err = _import(store, *files, dry_run=True)
    assert code == 0, err
    assert Store(store).counts() == (0, 0)  # a dry run writes nothing
    code, out, err = _import(store, *files)
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["kpi_code"], r["area_code"], r["period"]) for r in rows] == [
        ("ACT-VWOCC", "QPM", "2023-12"),
        ("ACT-VWOCC", "QPM", "2024-02"),
    ]
    current = Store(store).current(kpi_codes=["ACT-VWOCC"]).set_index("period")
    assert current.at["2023-12", "value"] == pytest.approx(238 / 338 * 100)
    assert (current.at["2023-12", "numerator"], current.at["2023-12", "denominator"]) == (238, 338)
    assert "capacity 338 (50.5 per 100,000 adults)" in current.at["2023-12", "note"]
    assert not current["synthetic"].any()
    # the ICB's failed January submission is not a value, but January's comparisons are kept
    compared = Store(store).comparisons(SOURCE_KEY_OCCUPANCY)
    assert set(compared["period"]) == {"2023-12", "2024-01", "2024-02"}
    january = compared[compared["period"] == "2024-01"].set_index("org_code")
    assert len(january) == 43  # England and 42 ICBs
    assert pd.isna(january.at["QPM", "value"])
    # an ICB not in the framework is kept for comparisons only
    assert "QYG" in set(compared["org_code"])
    assert "QYG" not in set(Store(store).current()["area_code"])
    rate = Store(store).comparisons(SOURCE_KEY_CAPACITY_RATE).set_index(["org_code", "period"])
    assert rate.at[("QPM", "2023-12"), "value"] == pytest.approx(50.5)
    assert rate.at[("QPM", "2023-12"), "denominator"] == 669366
    assert rate.at[("QPM", "2023-12"), "edition"] == "published 11 January 2024, status Published"


def test_cli_writes_nothing_when_any_workbook_is_bad(store: Path, tmp_path: Path) -> None:
    bad = _copy(tmp_path, "2024_02")
    workbook = openpyxl.load_workbook(bad)
    workbook["Virtual Ward Data"]["J31"] = 1.5
    workbook.save(bad)
    before = Store(store).identity()
    code, _, err = _import(store, _book("2023_12"), bad)
    assert code == 1
    assert "2024_02_Monthly_Virtual_Ward.xlsx, row 31, column J: value '1.5'" in err
    assert "Traceback" not in err
    assert Store(store).identity() == before


def test_a_revised_edition_records_a_revision(store: Path, tmp_path: Path) -> None:
    code, _, err = _import(store, _book("2023_12"))
    assert code == 0, err
    (tmp_path / "revised").mkdir()
    revised = _copy(tmp_path / "revised")
    workbook = openpyxl.load_workbook(revised)
    sheet = workbook["Virtual Ward Data"]
    sheet["C12"] = "8th February 2024"  # Revised:
    sheet["C13"] = "Revised"
    sheet["I31"], sheet["J31"] = 240, 240 / 338
    workbook.save(revised)
    code, _, err = _import(store, revised)
    assert code == 0, err
    history = Store(store).history(kpi_code="ACT-VWOCC", area_code="QPM", revised_only=True)
    assert list(history["value"].round(3)) == [round(238 / 338 * 100, 3), round(240 / 338 * 100, 3)]
    assert list(history["current"]) == [False, True]
    month = run_scorecard(
        "scorecard", "--month", "2023-12", "--area", "QPM", "--db", str(store), "--json"
    )
    (row,) = [r for r in json.loads(month.stdout) if r["kpi_code"] == "ACT-VWOCC"]
    assert row["synthetic"] is False
    assert "revised 8 February 2024, status Revised" in row["source"]
    compared = Store(store).comparisons(SOURCE_KEY_OCCUPANCY).set_index(["org_code", "period"])
    assert compared.at[("QPM", "2023-12"), "numerator"] == 240
