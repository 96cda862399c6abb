"""Re-tabulated published figures (one row per organisation and month) into KPI extracts.

The files in ``data/published/retabulated/`` are tidy re-tabulations of published statistics,
not a publication's own layout. Each has a ``Spec`` here naming its publication, the columns it
must have, the months it covers and how its rows become:

- KPI-extract rows (CONTRACT §2.2) for the framework's areas of each KPI whose ``source_key``
  the file measures, loaded through the same validation as ``python -m scorecard load``; and
- comparison rows (``schemas.comparisons.Comparisons``) for every organisation in the file.

``python -m scorecard.data.retabulated SOURCE_DIR OUT_DIR`` writes both as CSV files, so the
extracts can be checked and loaded with ``load`` by hand; ``python -m scorecard published`` converts
and loads them with their provenance.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np
import pandas as pd

from scorecard.thread.errors import Problem, UserError

if TYPE_CHECKING:
    from scorecard.data.store_writes import Source
    from scorecard.thread.domain import Framework

RULE: Final = "retabulated"
MAX_PROBLEMS: Final = 20
RETABULATED: Final = "re-tabulated"
# The ICB's ONS code, used by some files, and its NHS (ODS) code, used by the framework.
AREA_ALIASES: Final = {"E54000059": "QPM"}
EXTRACT_COLUMNS: Final = [
    "kpi_code",
    "area_code",
    "period",
    "value",
    "numerator",
    "denominator",
    "status",
    "note",
]
_MONTH_DAY: Final = re.compile(r"^(\d{4})-(\d{2})(?:-01)?$")
_FINANCIAL_YEAR: Final = re.compile(r"^(\d{4})-(\d{2})$")

# source_keys measured by the re-tabulated files
DRD_AVERAGE_DELAY: Final = "nhse.drd.average_delay_days"
DRD_DELAYED_SHARE: Final = "nhse.drd.delayed_share"
UCR_TWO_HOUR: Final = "nhse.ucr.two_hour_performance"
UCR_REFERRALS: Final = "nhse.ucr.referrals"
AE_ATTENDANCES: Final = "nhse.ae.attendances"
AE_EMERGENCY_ADMISSIONS: Final = "nhse.ae.emergency_admissions"
BEDS_GA_OCCUPANCY: Final = "nhse.beds.general_acute_occupancy"
ASC_SEQUEL: Final = "oflog.asc.sequel_to_short_term_services"


@dataclass(frozen=True)
class Measure:
    """One figure per organisation and month, as the file gives it."""

    source_key: str
    value: pd.Series
    numerator: pd.Series | None = None
    denominator: pd.Series | None = None


@dataclass(frozen=True)
class Table:
    """A file's rows after its checks: who, when, and the measures."""

    org_code: pd.Series
    org_name: pd.Series
    org_level: pd.Series
    period: pd.Series
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class Spec:
    """How one re-tabulated file is read: its publication, columns, months and measures."""

    file: str
    publication: str
    edition: str
    columns: tuple[str, ...]
    first: str  # first month the file covers, YYYY-MM
    last: str  # last month it covers
    read: Callable[[_Checked], Table]


@dataclass(frozen=True)
class Conversion:
    """One file converted: its KPI-extract rows (with their source_keys), comparisons, source."""

    file: Path
    extract: pd.DataFrame
    keys: list[str]
    comparisons: pd.DataFrame
    source: Source


class _Checked:
    """A file's cells with checks that collect problems as sentences (file, row, column)."""

    def __init__(self, file: str, frame: pd.DataFrame, spec: Spec) -> None:
        self.file, self.frame, self.spec = file, frame, spec
        self.problems: list[Problem] = []

    def _add(self, index: object, column: str, value: object, rule: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            row = int(index) + 2 if isinstance(index, int | np.integer) else None
            self.problems.append(
                Problem(self.file, row, column, str(value), f"{RULE}.{rule}", message)
            )

    def text(self, column: str) -> pd.Series:
        """A column's cells as stripped text ('' for blank)."""
        return self.frame[column].fillna("").astype(str).str.strip()

    def required_text(self, column: str) -> pd.Series:
        """Text that may not be blank."""
        cells = self.text(column)
        for index in cells.index[cells == ""]:
            self._add(index, column, "", "required", "must not be blank.")
        return cells

    def number(self, column: str, blank_ok: bool = True) -> pd.Series:
        """Numbers of 0 or more; blank is missing (NaN) where allowed."""
        cells = self.text(column)
        numbers = pd.to_numeric(cells.where(cells != ""), errors="coerce").astype("float64")
        for index in cells.index[(cells != "") & numbers.isna()]:
            self._add(index, column, cells[index], "number", "must be a number.")
        if not blank_ok:
            for index in cells.index[cells == ""]:
                self._add(index, column, "", "required", "must not be blank.")
        finite = numbers.notna()
        for index in numbers.index[finite & ((numbers < 0) | ~np.isfinite(numbers))]:
            self._add(index, column, cells[index], "non_negative", "must be 0 or more.")
        return numbers

    def percent(self, column: str, whole: float = 100.0) -> pd.Series:
        """A percentage (``whole`` = 100) or fraction (``whole`` = 1) that may not exceed 100%."""
        numbers = self.number(column)
        for index in numbers.index[numbers > whole]:
            shown = self.text(column)[index]
            self._add(
                index,
                column,
                shown,
                "percent_above_100",
                f"is a percentage above 100 ({float(numbers[index]) * 100 / whole:g}%) and the "
                "file does not flag it; the published figures never exceed 100%.",
            )
        return numbers

    def month(self, column: str) -> pd.Series:
        """``YYYY-MM-01`` (or ``YYYY-MM``) cells as ``YYYY-MM``, within the file's months."""
        return self._periods(column, self._as_month, "a month written YYYY-MM-01")

    def financial_year(self, column: str) -> pd.Series:
        """``2022-23`` cells as the year's last month (``2023-03``), within the file's months."""
        return self._periods(column, self._year_end, "a financial year written like 2022-23")

    @staticmethod
    def _as_month(text: str) -> str | None:
        match = _MONTH_DAY.match(text)
        if match is None or not 1 <= int(match.group(2)) <= 12:
            return None
        return f"{match.group(1)}-{match.group(2)}"

    @staticmethod
    def _year_end(text: str) -> str | None:
        match = _FINANCIAL_YEAR.match(text)
        if match is None:
            return None
        start = int(match.group(1))
        if (start + 1) % 100 != int(match.group(2)):
            return None
        return f"{start + 1:04d}-03"

    def _periods(self, column: str, parse: Callable[[str], str | None], form: str) -> pd.Series:
        cells = self.text(column)
        parsed = {text: parse(text) for text in cells.unique()}
        periods = cells.map(parsed)
        first, last = self.spec.first, self.spec.last
        for index, text, period in zip(cells.index, cells, periods, strict=True):
            if not isinstance(period, str):
                self._add(index, column, text, "period", f"must be {form}.")
            elif not first <= period <= last:
                self._add(
                    index,
                    column,
                    text,
                    "period_in_file_range",
                    f"is a month outside the file's months ({first} to {last}); "
                    f"{self.spec.file} covers only those.",
                )
        return periods.fillna("")


def _levels(checked: _Checked, column: str, names: dict[str, str]) -> pd.Series:
    """The file's organisation levels as the comparisons table's (england, icb, trust, council)."""
    cells = checked.required_text(column)
    for index in cells.index[(cells != "") & ~cells.isin(list(names))]:
        known = ", ".join(names)
        checked._add(index, column, cells[index], "org_level", f"must be one of: {known}.")
    return cells.map(names).fillna("")


def _read_drd(checked: _Checked) -> Table:
    """Discharge Ready Date: average delay among delayed discharges, and the share delayed."""
    levels = {"england": "england", "icb": "icb", "utla": "council", "provider": "trust"}
    total = checked.number("total_discharges", blank_ok=False)
    delayed = checked.number("delayed_count", blank_ok=False)
    bed_days = checked.number("bed_days_after_drd", blank_ok=False)
    checked.percent("same_day_percent")
    delayed_percent = checked.percent("delayed_percent")
    printed = checked.number("average_days_after_drd_excluding_zero")
    average = (bed_days / delayed).where(delayed > 0)
    # printed to 2 decimals: the division must round to it
    wrong = printed.notna() & average.notna() & ((average - printed).abs() > 0.00501)
    for index in printed.index[wrong]:
        checked._add(
            index,
            "average_days_after_drd_excluding_zero",
            checked.text("average_days_after_drd_excluding_zero")[index],
            "average_agrees",
            f"does not agree with bed_days_after_drd / delayed_count = "
            f"{bed_days[index]:g} / {delayed[index]:g} = {average[index]:.4f}.",
        )
    for index in delayed.index[delayed > total]:
        checked._add(
            index,
            "delayed_count",
            checked.text("delayed_count")[index],
            "count_le_total",
            "must not exceed total_discharges.",
        )
    return Table(
        org_code=checked.required_text("org_code"),
        org_name=checked.required_text("org_name"),
        org_level=_levels(checked, "org_level", levels),
        period=checked.month("period"),
        measures=(
            Measure(DRD_AVERAGE_DELAY, average, bed_days, delayed.where(delayed > 0)),
            Measure(DRD_DELAYED_SHARE, delayed_percent, delayed, total),
        ),
    )


def _read_ucr(checked: _Checked) -> Table:
    """Two-hour UCR: performance (%); referrals are kept apart (not its denominator)."""
    levels = {"england": "england", "icb": "icb", "provider": "trust"}
    return Table(
        org_code=checked.required_text("org_code"),
        org_name=checked.required_text("org_name"),
        org_level=_levels(checked, "org_level", levels),
        period=checked.month("period"),
        measures=(
            Measure(UCR_TWO_HOUR, checked.percent("two_hour_performance_percent")),
            Measure(UCR_REFERRALS, checked.number("referrals")),
        ),
    )


def _read_ae(checked: _Checked) -> Table:
    """A&E attendances and emergency admissions via A&E, all ages."""
    levels = {"icb": "icb", "trust": "trust"}
    codes = checked.required_text("org_code")
    attendances = checked.number("total_attendances", blank_ok=False)
    admissions = checked.number("total_emergency_admissions", blank_ok=False)
    checked.number("attendances_over_4hours")
    checked.percent("pct_attendance_over_4hours", whole=1.0)
    checked.percent("pct_emergency_admissions_over_4hours", whole=1.0)
    return Table(
        org_code=codes,
        org_name=codes,
        org_level=_levels(checked, "org_level", levels),
        period=checked.month("period"),
        measures=(
            Measure(AE_ATTENDANCES, attendances),
            Measure(AE_EMERGENCY_ADMISSIONS, admissions),
        ),
    )


def _read_beds(checked: _Checked) -> Table:
    """General and acute bed occupancy: occupied / available beds, in %."""
    codes = checked.required_text("org_code")
    available = checked.number("general_acute_beds_available", blank_ok=False)
    occupied = checked.number("general_acute_beds_occupied", blank_ok=False)
    checked.percent("general_acute_beds_occupancy_rate", whole=1.0)
    over = occupied > available
    for index in occupied.index[over]:
        checked._add(
            index,
            "general_acute_beds_occupied",
            checked.text("general_acute_beds_occupied")[index],
            "count_le_total",
            "must not exceed general_acute_beds_available (an occupancy above 100%).",
        )
    occupancy = (occupied / available * 100.0).where(available > 0)
    return Table(
        org_code=codes,
        org_name=codes,
        org_level=pd.Series("trust", index=codes.index),
        period=checked.month("period"),
        measures=(Measure(BEDS_GA_OCCUPANCY, occupancy, occupied, available.where(available > 0)),),
    )


_SEQUEL: Final = "outcome of short-term services: sequel to service"


def _read_ascof(checked: _Checked) -> Table:
    """ASCOF "sequel to short-term services" (%) for every council, and the England median."""
    measure = checked.text("Measure").str.casefold()
    keep = measure.str.contains(_SEQUEL, regex=False)
    part = _Checked(checked.file, checked.frame[keep], checked.spec)
    codes = part.required_text("Local authority code")
    names = part.required_text("Local authority name")
    periods = part.financial_year("Financial year")
    values = part.percent("Value")
    median = part.percent("MEDIAN")
    checked.problems.extend(part.problems)
    england = pd.DataFrame({"period": periods, "median": median}).drop_duplicates("period")
    index = pd.RangeIndex(len(england))
    return Table(
        org_code=pd.concat([codes, pd.Series("ENGLAND", index=index)], ignore_index=True),
        org_name=pd.concat(
            [names, pd.Series("England (median of councils)", index=index)], ignore_index=True
        ),
        org_level=pd.concat(
            [pd.Series("council", index=codes.index), pd.Series("england", index=index)],
            ignore_index=True,
        ),
        period=pd.concat([periods, england["period"]], ignore_index=True),
        measures=(Measure(ASC_SEQUEL, pd.concat([values, england["median"]], ignore_index=True)),),
    )


SPECS: Final = (
    Spec(
        "nhse_drd_monthly_2024_25.csv",
        'NHS England "Discharge Ready Date" monthly data',
        f"{RETABULATED} from the revised monthly files, April 2024 to March 2025",
        (
            "period",
            "org_level",
            "org_code",
            "org_name",
            "total_discharges",
            "same_day_percent",
            "delayed_count",
            "delayed_percent",
            "bed_days_after_drd",
            "average_days_after_drd_excluding_zero",
        ),
        "2024-04",
        "2025-03",
        _read_drd,
    ),
    Spec(
        "nhse_ucr_2h_monthly_2024_25.csv",
        'NHS England "2-hour Urgent Community Response Performance Metrics" (CSDS)',
        f"{RETABULATED}, April 2024 to March 2025",
        (
            "period",
            "org_level",
            "org_code",
            "org_name",
            "two_hour_performance_percent",
            "referrals",
        ),
        "2024-04",
        "2025-03",
        _read_ucr,
    ),
    Spec(
        "healthyr_ae_monthly_2021_2025.csv",
        'NHS England "A&E Attendances and Emergency Admissions" monthly statistics',
        f"{RETABULATED}, April 2021 to July 2025",
        (
            "period",
            "org_level",
            "org_code",
            "total_attendances",
            "attendances_over_4hours",
            "total_emergency_admissions",
            "pct_attendance_over_4hours",
            "pct_emergency_admissions_over_4hours",
        ),
        "2021-04",
        "2025-07",
        _read_ae,
    ),
    Spec(
        "healthyr_beds_ga_cc_monthly_2022_2025.csv",
        'NHS England "Bed Availability and Occupancy" monthly statistics',
        f"{RETABULATED}, April 2022 to August 2025",
        (
            "period",
            "org_code",
            "general_acute_beds_available",
            "general_acute_beds_occupied",
            "general_acute_beds_occupancy_rate",
        ),
        "2022-04",
        "2025-08",
        _read_beds,
    ),
    Spec(
        "oflog_asc_measures_all_councils.csv",
        'Office for Local Government "Adult social care" measures (from ASCOF)',
        "the source file, financial years 2015-16 to 2022-23",
        (
            "Financial year",
            "Local authority code",
            "Local authority name",
            "Measure",
            "Value",
            "MEDIAN",
        ),
        "2016-03",
        "2023-03",
        _read_ascof,
    ),
)


def spec_for(path: Path) -> Spec:
    """The spec of a re-tabulated file, by its name.

    Raises:
        UserError: no spec has that file name.
    """
    for spec in SPECS:
        if spec.file == path.name:
            return spec
    known = ", ".join(s.file for s in SPECS)
    message = f"is not one of the re-tabulated files this conversion knows ({known})."
    raise UserError(Problem(path.name, None, "", "", f"{RULE}.file", message))


def _read_csv(path: Path, spec: Spec) -> pd.DataFrame:
    """The file's cells as text; a missing column is named (header = row 1)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as err:
        message = f"cannot be read as a UTF-8 CSV file ({err})."
        raise UserError(Problem(path.name, None, "", "", f"{RULE}.file", message)) from None
    missing = [c for c in spec.columns if c not in frame.columns]
    if missing:
        problems = [
            Problem(
                path.name,
                1,
                column,
                "",
                f"{RULE}.columns",
                f"the header has no column '{column}'; {spec.file} needs: "
                f"{', '.join(spec.columns)}.",
            )
            for column in missing
        ]
        raise UserError(problems)
    if frame.empty:
        message = "has a header but no rows."
        raise UserError(Problem(path.name, 2, "", "", f"{RULE}.rows", message))
    return frame


def _extract(fw: Framework, table: Table, spec: Spec, file: str) -> tuple[pd.DataFrame, list[str]]:
    """KPI-extract rows for the framework's areas of each KPI the file measures."""
    codes = table.org_code.map(lambda c: AREA_ALIASES.get(c, c))
    frames: list[pd.DataFrame] = []
    keys: list[str] = []
    note = f"{spec.publication} ({RETABULATED}), {file}"
    for measure in table.measures:
        for kpi in fw.kpis:
            if kpi.source_key != measure.source_key:
                continue
            areas = [a.code for a in fw.kpi_areas(kpi.code)]
            level_ok = ~table.org_level.isin(["england", "region"])
            keep = codes.isin(areas) & level_ok & measure.value.notna()
            if not keep.any():
                continue
            part = pd.DataFrame(
                {
                    "kpi_code": kpi.code,
                    "area_code": codes[keep],
                    "period": table.period[keep],
                    "value": measure.value[keep],
                    "numerator": np.nan if measure.numerator is None else measure.numerator[keep],
                    "denominator": (
                        np.nan if measure.denominator is None else measure.denominator[keep]
                    ),
                    "status": "final",
                    "note": note,
                }
            )
            frames.append(part)
            keys.extend([measure.source_key] * len(part))
    if not frames:
        return pd.DataFrame(columns=EXTRACT_COLUMNS), keys
    return pd.concat(frames, ignore_index=True)[EXTRACT_COLUMNS], keys


def _comparisons(table: Table, spec: Spec, file: str) -> pd.DataFrame:
    """Every organisation's figures, one row per organisation, measure and month."""
    names = table.org_name
    parts = []
    for measure in table.measures:
        empty = pd.Series(np.nan, index=measure.value.index)
        parts.append(
            pd.DataFrame(
                {
                    "org_code": table.org_code,
                    "org_name": names,
                    "org_level": table.org_level,
                    "source_key": measure.source_key,
                    "period": table.period,
                    "value": measure.value,
                    "numerator": empty if measure.numerator is None else measure.numerator,
                    "denominator": empty if measure.denominator is None else measure.denominator,
                    "publication": f"{spec.publication} ({RETABULATED})",
                    "file": file,
                    "edition": spec.edition,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"value": "float64", "numerator": "float64", "denominator": "float64"})


def convert(path: Path, fw: Framework) -> Conversion:
    """Convert one re-tabulated file into KPI-extract rows and comparison rows.

    Args:
        path: one of the files of ``SPECS`` (found by name).
        fw: the framework whose areas and KPIs (by ``source_key``) receive values.

    Returns:
        The extract rows (the contract's extract columns), each row's source_key, the
        comparison rows and the source (publication, file, edition).

    Raises:
        UserError: a missing column, a month outside the file's months, a percentage above 100,
            a cell that is not a number, or a duplicated organisation and month: each a
            sentence naming file, row, column, value and rule.
    """
    from scorecard.data.store_writes import Source

    spec = spec_for(path)
    checked = _Checked(path.name, _read_csv(path, spec), spec)
    table = spec.read(checked)
    if checked.problems:
        raise UserError(checked.problems)
    comparisons = _comparisons(table, spec, path.name)
    twice = comparisons.duplicated(["source_key", "org_code", "period"], keep="first")
    if twice.any():
        first = comparisons[twice].iloc[0]
        message = (
            f"lists organisation {first['org_code']} for {first['period']} more than once; "
            "each organisation and month must appear once."
        )
        raise UserError(Problem(path.name, None, "org_code", str(first["org_code"]), RULE, message))
    extract, keys = _extract(fw, table, spec, path.name)
    source = Source(f"{spec.publication} ({RETABULATED})", path.name, spec.edition)
    return Conversion(path, extract, keys, comparisons, source)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m scorecard.data.retabulated SOURCE OUT``: write extracts and comparisons."""
    parser = argparse.ArgumentParser(
        prog="python -m scorecard.data.retabulated", description=__doc__
    )
    parser.add_argument("source", type=Path, help="folder holding the re-tabulated CSV files")
    parser.add_argument("out", type=Path, help="folder to write <file>.extract.csv and comparisons")
    parser.add_argument("--framework", type=Path, default=Path("data/framework"))
    args = parser.parse_args(argv)
    from scorecard.thread.framework import load_framework

    fw = load_framework(args.framework)
    args.out.mkdir(parents=True, exist_ok=True)
    failed = False
    for spec in SPECS:
        try:
            done = convert(args.source / spec.file, fw)
        except UserError as err:
            for problem in err.problems:
                sys.stderr.write(problem.sentence() + "\n")
            failed = True
            continue
        stem = Path(spec.file).stem
        done.extract.to_csv(args.out / f"{stem}.extract.csv", index=False)
        done.comparisons.to_csv(args.out / f"{stem}.comparisons.csv", index=False)
        sys.stdout.write(
            f"{spec.file}: {len(done.extract)} extract rows, "
            f"{len(done.comparisons)} comparison rows\n"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
