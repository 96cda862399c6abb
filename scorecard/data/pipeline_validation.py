"""Validating an extract frame: names, types and blanks prepared, then Pandera rules explained."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandera.pandas as pa
import pyarrow as arrow
import pyarrow.compute as pc

from schemas.extract import (
    DEFAULT_STATUS,
    KEY_COLUMNS,
    MAGNITUDE_LIMITS,
    MAX_COUNT,
    MIN_YEAR,
    NOTE_MAX_CHARS,
    NUMBER_COLUMNS,
    RULES,
    SIGNED_UNITS,
    FrameworkFacts,
    extract_schema,
    key_codes,
    tolerance,
)
from scorecard.data.pipeline_reading import (
    BLANK_HEADING,
    MAX_PROBLEMS_PER_RULE,
    column_names,
    file_problem,
)
from scorecard.thread.domain import EXTRACT_COLUMNS, Framework, Unit
from scorecard.thread.errors import Problem

FRAME_RULE_CAP: Final = 1_000  # failing rows a multi-column rule hands back (Pandera builds them)

# Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection"). A note
# is stored exactly as sent; on CSV export a note that starts with any number of apostrophes
# followed by one of these gets one more apostrophe in front, and on load exactly one leading
# apostrophe is removed from such a note. The two maps are inverse, so export -> load is
# "unchanged", and a spreadsheet shows an exported formula-like note as text.
FORMULA_TRIGGERS: Final = "=+-@\t\r"
_ESCAPED_NOTE: Final = f"'+[{re.escape(FORMULA_TRIGGERS)}]"
_NOTE_TO_ESCAPE: Final = f"'*[{re.escape(FORMULA_TRIGGERS)}]"


# Preparing and validating frames


def _categorical(series: pd.Series, lower: bool = False) -> pd.Series:
    """Trimmed text as a categorical; blank cells missing. One string operation per category."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("category")
    categories = pd.Series(series.cat.categories.astype(str)).str.strip()
    if lower:
        categories = categories.str.lower()
    categories = categories.where(categories != "")
    mapping, uniques = pd.factorize(categories, use_na_sentinel=True)
    codes = series.cat.codes.to_numpy()
    new_codes = np.where(codes >= 0, np.append(mapping, -1)[codes], -1)
    return pd.Series(
        pd.Categorical.from_codes(new_codes, categories=pd.Index(uniques, dtype="str")),
        index=series.index,
    )


@dataclass(frozen=True)
class _Numbers:
    numbers: pd.Series  # float64, NaN where blank or unreadable
    unreadable: npt.NDArray[np.bool_]


def _numbers(series: pd.Series) -> _Numbers:
    """Cells as floats; non-blank cells that are not a finite number are flagged unreadable."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.astype("float64")
        return _Numbers(values, np.zeros(len(series), dtype=bool))
    text = pc.utf8_trim_whitespace(arrow.array(series.astype("str"), type=arrow.large_string()))
    text = pc.if_else(pc.equal(text, ""), arrow.scalar(None, arrow.large_string()), text)
    try:
        floats = pc.cast(text, arrow.float64())
        values = pd.Series(floats.to_numpy(zero_copy_only=False), index=series.index)
    except arrow.ArrowInvalid:  # some cell is not a number: find which, the slow way
        values = pd.to_numeric(pd.Series(text.to_pandas(), index=series.index), errors="coerce")
        values = values.astype("float64")
    given = np.asarray(pc.is_valid(text), dtype=bool)
    unreadable = given & ~np.isfinite(values.to_numpy())
    return _Numbers(values.where(~unreadable), unreadable)


def _notes(series: pd.Series) -> pd.Series:
    """Notes as text, blank ones missing; the export's apostrophe before a formula sign undone."""
    notes = series.astype("str")
    notes = notes.where(notes.str.strip() != "")
    escaped = notes.str.match(_ESCAPED_NOTE).fillna(value=False).astype(bool)
    if escaped.any():
        notes = notes.where(~escaped, notes.str.slice(1))
    return notes


def neutralise_notes(notes: pd.Series) -> pd.Series:
    """Notes made safe for spreadsheets: an apostrophe before one that could run as a formula."""
    notes = notes.astype("str")
    risky = notes.str.match(_NOTE_TO_ESCAPE).fillna(value=False).astype(bool)
    return notes.where(~risky, "'" + notes)


@dataclass
class Prepared:
    """An extract frame prepared for validation, with the problems found preparing it."""

    frame: pd.DataFrame  # EXTRACT_COLUMNS, typed; index + 2 = the row in the file
    problems: list[Problem]
    structural: bool  # the columns are wrong: nothing else can be checked
    unreadable: dict[str, npt.NDArray[np.bool_]]
    raw_numbers: dict[str, pd.Series]  # the number cells as sent, for messages


def prepare(frame: pd.DataFrame, file: str) -> Prepared:
    """Names, types and blanks of an extract frame; problems with columns or number cells."""
    frame = frame.reset_index(drop=True)
    names, problems = column_names(list(frame.columns), file)
    if problems:
        return Prepared(frame, problems, True, {}, {})
    frame = frame.set_axis(names, axis=1)
    for name in [n for n in names if n.startswith(BLANK_HEADING)]:
        filled = frame[name].notna() & (frame[name].astype("str").str.strip() != "")
        if filled.any():
            row = int(np.flatnonzero(filled.to_numpy())[0]) + 2
            message = (
                f"column {name.removeprefix(BLANK_HEADING)} has values but no heading; the "
                f"allowed columns are: {', '.join(EXTRACT_COLUMNS)}"
            )
            problems.append(file_problem(file, message, "columns_unknown", row))
        frame = frame.drop(columns=name)
    if problems:
        return Prepared(frame, problems, True, {}, {})
    columns: dict[str, pd.Series] = {}
    unreadable: dict[str, npt.NDArray[np.bool_]] = {}
    raw_numbers: dict[str, pd.Series] = {}
    for name in EXTRACT_COLUMNS:
        series = frame[name] if name in frame else pd.Series(None, index=frame.index, dtype="str")
        if name in NUMBER_COLUMNS:
            parsed = _numbers(series)
            columns[name], unreadable[name] = parsed.numbers, parsed.unreadable
            if parsed.unreadable.any():
                raw_numbers[name] = series
        elif name == "note":
            columns[name] = _notes(series)
        else:
            columns[name] = _categorical(series, lower=name == "status")
    typed = pd.DataFrame(columns, index=frame.index)
    blank = np.array(typed.isna().all(axis=1).to_numpy(), dtype=bool)
    for flags in unreadable.values():
        blank &= ~flags
    if blank.any():
        typed = typed.loc[~blank]
        unreadable = {k: v[~blank] for k, v in unreadable.items()}
    status = typed["status"]
    if status.isna().any():
        if DEFAULT_STATUS not in status.cat.categories:
            status = status.cat.add_categories([DEFAULT_STATUS])
        typed["status"] = status.fillna(DEFAULT_STATUS)
    if typed.empty:
        problems.append(file_problem(file, "there are no data rows, only a header", "no_rows", 2))
    for name, flags in unreadable.items():
        for index in typed.index[flags][:MAX_PROBLEMS_PER_RULE]:
            raw = str(raw_numbers[name].loc[index]).strip()
            problems.append(
                file_problem(
                    file, _number_message(raw), "number", int(index) + 2, column=name, value=raw
                )
            )
        _count_rest(problems, file, name, "number", int(flags.sum()), exact=True)
    return Prepared(typed, problems, False, unreadable, raw_numbers)


def _number_message(raw: str) -> str:
    hint = ""
    if raw.startswith("="):
        hint = " (formulas are not read: paste values)"
    elif raw.endswith("%"):
        hint = " (leave out the % sign)"
    elif "," in raw:
        hint = " (no thousands separators; use a full stop for decimals)"
    elif raw.lower().lstrip("+-") in {"nan", "inf", "infinity"}:
        hint = " (leave the cell blank when there is no figure)"
    return f"is not a number; give {RULES['number']}{hint}"


def _count_rest(
    problems: list[Problem], file: str, column: str, rule: str, total: int, exact: bool
) -> None:
    """One line for the rows of a rule beyond the first MAX_PROBLEMS_PER_RULE shown."""
    rest = total - MAX_PROBLEMS_PER_RULE
    if rest > 0:
        more = f"{rest:,}" if exact else f"at least {rest:,}"
        message = (
            f"and {more} more rows break this rule (the first {MAX_PROBLEMS_PER_RULE} are listed)"
        )
        problems.append(file_problem(file, message, rule, column=column))


def current_period(today: dt.date | None = None) -> str:
    """The current month as YYYY-MM (UTC): the latest period an extract may hold."""
    day = today or dt.datetime.now(dt.UTC).date()
    return f"{day.year:04d}-{day.month:02d}"


_FRAME_RULE_COLUMN: Final = {
    "kpi_area": "area_code",
    "unique_key": "kpi_code, area_code, period",
    "value_required": "value",
    "percent_range": "value",
    "non_negative": "value",
    "magnitude": "value",
    "numerator_le_denominator": "numerator",
    "denominator_positive": "denominator",
    "value_agrees": "value",
}
_CASCADES: Final = {"value_required"}  # not reported on a row whose number cell was unreadable


def shown_value(value: object) -> str:
    """A cell as the user would recognise it (whole numbers without .0)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)
    return str(value)


@dataclass(frozen=True)
class _Cell:
    """A failing cell and its row, for the sentence that explains it."""

    rule: str
    column: str
    index: int
    row: pd.Series
    value: str


class _Explainer:
    """Turns a failing cell into a sentence a data owner can act on: what is wrong and valid."""

    def __init__(self, fw: Framework, frame: pd.DataFrame, latest: str) -> None:
        self.fw = fw
        self.frame = frame
        self.latest = latest
        self.facts = FrameworkFacts.of(fw)

    def message(self, rule: str, column: str, index: int) -> tuple[str, str]:
        """The (value shown, message) for ``rule`` broken in ``column`` of the row at ``index``."""
        row = self.frame.loc[index]
        assert isinstance(row, pd.Series)  # noqa: S101 -- the index is unique (RangeIndex)
        value = shown_value(row[column]) if column in row.index else ""
        explain = getattr(self, f"_{rule}", None)
        if explain is None:
            return value, f"breaks the rule {rule}: {RULES.get(rule, 'see the extract format')}"
        shown, message = explain(_Cell(rule, column, index, row, value))
        return str(shown), str(message)

    @staticmethod
    def _codes(codes: Iterable[str], limit: int = 12) -> str:
        items = sorted(codes)
        more = f" and {len(items) - limit} more" if len(items) > limit else ""
        return ", ".join(items[:limit]) + more

    def _required(self, cell: _Cell) -> tuple[str, str]:
        return "", f"{cell.column} is blank; every row needs kpi_code, area_code and period"

    @staticmethod
    def _near(value: str, codes: Iterable[str]) -> str:
        close = difflib.get_close_matches(value.upper(), list(codes), n=1, cutoff=0.6)
        return f" (did you mean {close[0]}?)" if close else ""

    def _known_kpi(self, cell: _Cell) -> tuple[str, str]:
        near = self._near(cell.value, self.facts.kpis)
        codes = self._codes(self.facts.kpis)
        message = f"is not a KPI code of the framework{near}; the codes are: {codes}"
        return cell.value, message

    def _not_derived(self, cell: _Cell) -> tuple[str, str]:
        message = (
            f"{cell.value} is derived from the BRG sign-offs and cannot be loaded; the Benefits "
            "Realisation Group records its sign-offs on the Benefits page"
        )
        return cell.value, message

    def _known_area(self, cell: _Cell) -> tuple[str, str]:
        near = self._near(cell.value, self.facts.areas)
        codes = self._codes(self.facts.areas)
        message = f"is not an area code of the framework{near}; the codes are: {codes}"
        return cell.value, message

    def _kpi_area(self, cell: _Cell) -> tuple[str, str]:
        kpi = str(cell.row["kpi_code"])
        types = ", ".join(str(t) for t in self.fw.kpi(kpi).area_types)
        areas = self._codes(self.facts.kpi_areas[kpi])
        message = f"KPI {kpi} is not reported for this area (area types {types}; areas: {areas})"
        return cell.value, message

    def _period_format(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, "is not a month written YYYY-MM; give a month such as 2024-03"

    def _real_month(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"month {cell.value[5:7]} does not exist; give a month 01 to 12"

    def _not_future(self, cell: _Cell) -> tuple[str, str]:
        message = f"is after the current month ({self.latest}); a period may not be in the future"
        return cell.value, message

    def _unique_key(self, cell: _Cell) -> tuple[str, str]:
        key, _ = key_codes(self.frame)
        same = np.flatnonzero(key == key[self.frame.index.get_loc(cell.index)])
        first = int(self.frame.index[same[0]]) + 2
        shown = ", ".join(shown_value(cell.row[c]) for c in KEY_COLUMNS)
        message = (
            f"the same kpi_code, area_code and period as row {first}; each may appear once per file"
        )
        return shown, message

    def _non_negative(self, cell: _Cell) -> tuple[str, str]:
        if cell.column in ("numerator", "denominator"):
            return cell.value, "is negative; a count must be zero or more"
        unit = self.fw.kpi(str(cell.row["kpi_code"])).unit
        return cell.value, f"is negative; a value in {unit} must be zero or more"

    def _percent_range(self, cell: _Cell) -> tuple[str, str]:
        kpi = cell.row["kpi_code"]
        return cell.value, f"KPI {kpi} is a percentage; give a value from 0 to 100"

    def _numerator_le_denominator(self, cell: _Cell) -> tuple[str, str]:
        denominator = shown_value(cell.row["denominator"])
        message = (
            f"the numerator is larger than the denominator ({denominator}); for a percentage "
            "it may be at most the denominator"
        )
        return cell.value, message

    def _denominator_positive(self, cell: _Cell) -> tuple[str, str]:
        message = (
            "the denominator is 0 but a numerator is given; leave both blank and give the "
            "value, if there is one"
        )
        return cell.value, message

    def _value_required(self, cell: _Cell) -> tuple[str, str]:
        message = (
            "there is no value, and numerator and denominator are not both given; give a "
            "value, or both"
        )
        return "", message

    def _value_agrees(self, cell: _Cell) -> tuple[str, str]:
        unit = self.fw.kpi(str(cell.row["kpi_code"])).unit
        times = 100.0 if unit == Unit.PERCENT else 1.0
        numerator, denominator = float(cell.row["numerator"]), float(cell.row["denominator"])
        expected = numerator / denominator * times
        allowed = float(tolerance(np.array([expected]))[0])
        formula = f"{shown_value(numerator)} / {shown_value(denominator)}" + (
            " x 100" if times > 1 else ""
        )
        message = (
            f"does not agree with numerator and denominator: {formula} = {expected:.6g}; give "
            f"{round(expected, 2):g} (a difference of up to {allowed:.4g} is allowed) or leave "
            "value blank"
        )
        return cell.value, message

    def _status(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, "is not a status; give final or provisional (blank means final)"

    def _note_length(self, cell: _Cell) -> tuple[str, str]:
        size = len(str(cell.row["note"]))
        return cell.value, f"the note has {size:,} characters; at most {NOTE_MAX_CHARS} are allowed"

    def _plausible_year(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"year {cell.value[:4]} is before {MIN_YEAR}; check the period"

    def _magnitude(self, cell: _Cell) -> tuple[str, str]:
        unit = self.fw.kpi(str(cell.row["kpi_code"])).unit
        limit = MAGNITUDE_LIMITS[unit]
        message = (
            f"is larger than any value in {unit} can be (at most {limit:,.0f}"
            f"{' either way' if unit in SIGNED_UNITS else ''}); "
            "check the number and its unit"
        )
        return cell.value, message

    def _count_size(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"is larger than any count can be (at most {MAX_COUNT:,.0f})"

    def _no_nul(self, cell: _Cell) -> tuple[str, str]:
        return "", "the note holds a NUL byte (character 0); remove it"

    def _finite(self, cell: _Cell) -> tuple[str, str]:
        return cell.value, f"is not a finite number; give {RULES['number']}"


def _rule_of(check: object) -> str:
    text = str(check)
    if text == "not_nullable":
        return "required"
    return text


def _failure_problems(
    cases: pd.DataFrame, prepared: Prepared, explain: _Explainer, file: str
) -> list[Problem]:
    """Pandera failure cases as Problems: one per (rule, row), capped per rule and column."""
    cases = cases.copy()
    cases["rule"] = cases["check"].map(_rule_of)
    frame_level = cases["schema_context"] == "DataFrameSchema"
    cases.loc[frame_level, "column"] = cases.loc[frame_level, "rule"].map(_FRAME_RULE_COLUMN)
    problems: list[Problem] = []
    for case in cases[cases["index"].isna()].to_dict("records"):
        # not about one row (a check that could not run): still a reason to reject the file
        message = f"the file could not be checked against this rule ({case['failure_case']})"
        problems.append(file_problem(file, message, str(case["rule"]), column=str(case["column"])))
    cases = cases[cases["index"].notna()].drop_duplicates(["rule", "column", "index"])
    unreadable_rows = np.zeros(len(prepared.frame), dtype=bool)
    for flags in prepared.unreadable.values():
        unreadable_rows |= flags
    skip = set(prepared.frame.index[unreadable_rows])
    for (rule, column), group in cases.groupby(["rule", "column"], sort=False):
        indexes = sorted(
            int(i) for i in group["index"] if not (rule in _CASCADES and int(i) in skip)
        )
        for index in indexes[:MAX_PROBLEMS_PER_RULE]:
            shown_column = str(column)
            source_column = shown_column if shown_column in prepared.frame.columns else "value"
            value, message = explain.message(str(rule), source_column, index)
            problems.append(Problem(file, index + 2, shown_column, value, str(rule), message))
        capped = bool(group["schema_context"].eq("DataFrameSchema").any())
        exact = not (capped and len(indexes) >= FRAME_RULE_CAP)
        _count_rest(problems, file, str(column), str(rule), len(indexes), exact)
    return problems


def validate_prepared(
    prepared: Prepared, fw: Framework, file: str, today: dt.date | None
) -> tuple[pd.DataFrame, list[Problem]]:
    """The prepared frame validated against the framework, and every problem found."""
    latest = current_period(today)
    schema = extract_schema(fw, latest, cap=FRAME_RULE_CAP)
    try:
        frame = schema.validate(prepared.frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        explain = _Explainer(fw, prepared.frame, latest)
        problems = _failure_problems(err.failure_cases, prepared, explain, file)
        return prepared.frame, [*prepared.problems, *problems]
    return frame, prepared.problems


def validate_extract(
    frame: pd.DataFrame, fw: Framework, file_name: str, today: dt.date | None = None
) -> list[Problem]:
    """Every problem with an extract-shaped frame, against the framework (none: it is valid).

    Args:
        frame: the extract's cells (``read_extract`` output or a frame built by a connector).
        fw: the framework the codes, units and KPI areas must fit.
        file_name: the file named in each problem.
        today: the date whose month is the latest allowed period (default: today, UTC).

    Returns:
        The problems, in rule order, rows counted as the user does (header = row 1).
    """
    prepared = prepare(frame, file_name)
    if prepared.structural:
        return prepared.problems
    return validate_prepared(prepared, fw, file_name, today)[1]
