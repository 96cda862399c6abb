"""Derive the demo store's calibration constants from the real Northamptonshire data (dev time).

Run ``python -m scorecard.commands.calibration tests/fixtures/realdata`` while developing: it
prints the constants that ``scorecard.synthetic.demo_profiles`` carries as literals. The demo never
imports this module, so it builds on a machine without the real data;
``tests/data/test_demo.py`` checks that the literals still match what this module derives from
the files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

AE_FILE = "healthyr_ae_monthly_2021_2025.csv"
BEDS_FILE = "healthyr_beds_ga_cc_monthly_2022_2025.csv"
OFLOG_FILE = "oflog_asc_outcomes_northants_2015_2023.csv"
DISCHARGE_FOLDER = "nhse_discharge_delays_acute"

ACUTE_TRUSTS = ("RNS", "RNQ")
ICB = "QPM"
PLACES = ("E06000061", "E06000062")
# From March 2024 RNQ's "total attendances" doubles (about 9,500 to 18,500 a month) while its
# admissions do not move: a change in what the trust counts, not in activity. Attendance shares
# and seasonality use only the months before it.
RNQ_ATTENDANCE_COUNTING_CHANGE = pd.Period("2024-03", freq="M")
ASCOF_2D_MEASURE = "Outcome of short-term services: sequel to service"
ROUND = 3


@dataclass(frozen=True)
class Calibration:
    """Constants derived from the real data; every share and ratio is rounded to 3 places."""

    attendance_share: dict[str, float]  # trust share of the two trusts' A&E attendances
    admission_share: dict[str, float]  # trust share of emergency admissions via A&E
    bed_share: dict[str, float]  # trust share of occupied general & acute beds
    nctr_share: dict[str, float]  # trust share of patients remaining who no longer meet CtR
    occupancy_pct: dict[str, float]  # G&A occupancy, % (occupied / available over all months)
    beds_occupied: dict[str, float]  # mean G&A beds occupied per day
    nctr_remaining: dict[str, float]  # monthly mean of daily NCTR patients remaining (ICB, trusts)
    p0_pct: dict[str, float]  # % of discharges with intended destination pathway 0
    discharges_per_day: dict[str, float]  # mean daily discharges of NCTR patients (Table 2)
    reablement_pct: dict[str, float]  # ASCOF 2D by place, mean of 2021-22 and 2022-23
    season_attendances: tuple[float, ...]  # per-day index Jan..Dec, mean 1
    season_admissions: tuple[float, ...]
    season_beds: tuple[float, ...]
    noise_attendances: float  # residual coefficient of variation after season and trend
    noise_admissions: float
    noise_beds: float
    duplicated_months: tuple[str, ...]  # months the A&E file repeats from a year earlier


def _month_index(column: pd.Series) -> pd.PeriodIndex:
    return pd.PeriodIndex(column.astype(str).str[:7], freq="M")


def _duplicated_months(ae: pd.DataFrame) -> tuple[str, ...]:
    """Months whose counts repeat, for every organisation, those of twelve months earlier."""
    cols = ["total_attendances", "total_emergency_admissions"]
    repeats: set[pd.Period] | None = None
    for _, org in ae.groupby("org_code"):
        by_month = org.set_index("month")[cols]
        found = {
            p
            for p in by_month.index
            if (p - 12) in by_month.index and by_month.loc[p].equals(by_month.loc[p - 12])
        }
        repeats = found if repeats is None else repeats & found
    return tuple(sorted(str(p) for p in repeats or set()))


def _shares(table: pd.DataFrame) -> dict[str, float]:
    totals = table[list(ACUTE_TRUSTS)].sum()
    return {code: round(float(totals[code] / totals.sum()), ROUND) for code in ACUTE_TRUSTS}


def seasonal_index(monthly: pd.Series) -> tuple[tuple[float, ...], float]:
    """Per-day seasonal index (Jan..Dec, mean 1) and residual CV of a monthly total.

    The total is divided by the days in its month, then by a centred 2x12 moving average (the
    classical ratio-to-moving-average decomposition); the index is the mean ratio per calendar
    month, and the noise is the standard deviation of what the index leaves unexplained.
    """
    months = pd.PeriodIndex(monthly.index)
    per_day = monthly / months.days_in_month
    trend = per_day.rolling(12, center=True).mean().rolling(2).mean().shift(-1)
    ratio = (per_day / trend).dropna()
    calendar_month = pd.PeriodIndex(ratio.index).month
    by_month = ratio.groupby(calendar_month).mean()
    index = by_month / by_month.mean()
    residual = ratio / index.reindex(calendar_month).to_numpy()
    return tuple(round(float(v), ROUND) for v in index), round(float(residual.std()), ROUND)


def _cells(row: Sequence[object], columns: Iterable[int]) -> list[float]:
    return [float(row[i]) for i in columns if isinstance(row[i], int | float)]  # type: ignore[arg-type]


def _sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def _heading_row(rows: list[tuple[object, ...]], starts: str) -> tuple[object, ...]:
    for row in rows:
        if any(isinstance(c, str) and c.strip().startswith(starts) for c in row):
            return row
    msg = f"no heading starting {starts!r}"
    raise ValueError(msg)


def _org_rows(
    rows: list[tuple[object, ...]], codes: Iterable[str]
) -> dict[str, tuple[object, ...]]:
    wanted = set(codes)
    return {
        str(cell): row
        for row in rows
        for cell in row[:4]
        if isinstance(cell, str) and cell.strip() in wanted
    }


def discharge_delays(folder: Path) -> dict[str, dict[str, float]]:
    """Per organisation, means over the published months of NCTR remaining, discharges, P0 %.

    Columns are found by their headings (Table 2 triplets per day; Table 4 "P0 - …" to "P3 - …"),
    '-' is a day not submitted (Table 2) or a suppressed cell counted as 0 (Table 4).
    """
    codes = (ICB, *ACUTE_TRUSTS)
    remaining: dict[str, list[float]] = {c: [] for c in codes}
    discharged: dict[str, list[float]] = {c: [] for c in codes}
    p0: dict[str, list[float]] = {c: [] for c in codes}
    for path in sorted(folder.glob("*.xlsx")):
        rows = _sheet_rows(path, "Table 2")
        heads = _heading_row(rows, "Number of patients remaining")
        rem_cols = [i for i, h in enumerate(heads) if isinstance(h, str) and "remaining" in h]
        dis_cols = [i for i, h in enumerate(heads) if h == "Number of patients discharged"]
        for code, row in _org_rows(rows, codes).items():
            remaining[code].append(float(np.mean(_cells(row, rem_cols))))
            discharged[code].append(float(np.mean(_cells(row, dis_cols))))
        rows = _sheet_rows(path, "Table 4")
        heads = _heading_row(rows, "P0")
        path_cols = [i for i, h in enumerate(heads) if isinstance(h, str) and h[:2] in PATHWAYS]
        p0_cols = [i for i in path_cols if str(heads[i]).startswith("P0")]
        for code, row in _org_rows(rows, codes).items():
            p0[code].append(100 * sum(_cells(row, p0_cols)) / sum(_cells(row, path_cols)))
    return {
        "nctr_remaining": {c: round(float(np.mean(v)), 1) for c, v in remaining.items()},
        "discharges_per_day": {c: round(float(np.mean(v)), 1) for c, v in discharged.items()},
        "p0_pct": {c: round(float(np.mean(v)), 1) for c, v in p0.items()},
    }


PATHWAYS = ("P0", "P1", "P2", "P3")


def derive(realdata: Path) -> Calibration:
    """Every calibration constant of the demo, from the files in ``realdata``."""
    ae = pd.read_csv(realdata / AE_FILE)
    ae["month"] = _month_index(ae["period"])
    duplicated = _duplicated_months(ae)
    ae = ae[~ae["month"].astype(str).isin(duplicated)]
    trusts = ae[ae["org_level"] == "trust"]
    attendances = trusts.pivot_table(
        index="month", columns="org_code", aggfunc="mean", values="total_attendances"
    )
    attendances = attendances[attendances.index < RNQ_ATTENDANCE_COUNTING_CHANGE]
    admissions = trusts.pivot_table(
        index="month", columns="org_code", aggfunc="mean", values="total_emergency_admissions"
    )
    # Seasonality needs consecutive months: the duplicated months become gaps, so interpolate
    # them from their neighbours for the decomposition only (shares use the true months).
    admissions_full = admissions.asfreq("M").interpolate()

    beds = pd.read_csv(realdata / BEDS_FILE)
    beds["month"] = _month_index(beds["period"])
    occupied = beds.pivot_table(
        index="month", columns="org_code", aggfunc="mean", values="general_acute_beds_occupied"
    )
    available = beds.pivot_table(
        index="month", columns="org_code", aggfunc="mean", values="general_acute_beds_available"
    )
    occupancy = {
        c: round(100 * float(occupied[c].sum() / available[c].sum()), 1) for c in ACUTE_TRUSTS
    }
    occupancy[ICB] = round(100 * float(occupied.sum().sum() / available.sum().sum()), 1)
    bed_days = occupied.sum(axis=1) * pd.PeriodIndex(occupied.index).days_in_month

    oflog = pd.read_csv(realdata / OFLOG_FILE)
    ascof = oflog[oflog["measure"].str.contains(ASCOF_2D_MEASURE, regex=False)]
    reablement = {
        code: round(float(ascof[ascof["la_code"] == code]["value"].mean()), 1) for code in PLACES
    }

    delays = discharge_delays(realdata / DISCHARGE_FOLDER)
    nctr = delays["nctr_remaining"]
    nctr_share = {
        c: round(nctr[c] / sum(nctr[t] for t in ACUTE_TRUSTS), ROUND) for c in ACUTE_TRUSTS
    }

    season_att, noise_att = seasonal_index(attendances.sum(axis=1))
    season_adm, noise_adm = seasonal_index(admissions_full.sum(axis=1))
    season_beds, noise_beds = seasonal_index(bed_days)
    return Calibration(
        attendance_share=_shares(attendances),
        admission_share=_shares(admissions),
        bed_share=_shares(occupied),
        nctr_share=nctr_share,
        occupancy_pct=occupancy,
        beds_occupied={c: round(float(occupied[c].mean()), 1) for c in ACUTE_TRUSTS},
        nctr_remaining=nctr,
        p0_pct=delays["p0_pct"],
        discharges_per_day=delays["discharges_per_day"],
        reablement_pct=reablement,
        season_attendances=season_att,
        season_admissions=season_adm,
        season_beds=season_beds,
        noise_attendances=noise_att,
        noise_admissions=noise_adm,
        noise_beds=noise_beds,
        duplicated_months=duplicated,
    )
