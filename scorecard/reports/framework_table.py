"""The outcomes-framework scorecard as the documents draw it: six columns, one row per thread."""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

import pandas as pd

from scorecard.reports.derived import DERIVED_SOURCE
from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.icons import assurance_label, variation_label
from scorecard.thread.domain import DERIVED_KPIS, Framework, Kpi, LinkKind, Provenance, Tier
from scorecard.thread.framework_coverage import Thread, threads, unthreaded

# The column headings of the documents' "iCAN outcomes framework example scorecard", verbatim
# (004_76ce9cc29bd9e152.txt:1104; 003_3170e59ef2e0f1c1.txt:2366).
POPULATION_OUTCOME = "ICS Population Outcome"
AMBITION = "ICP Ambition"
OUTCOME = "iCAN Outcome"
LEAD_KPI = "iCAN Lead KPI"
ACTIVITY_KPI = "iCAN Operational or activity KPI"
I_STATEMENT = "iCAN I-statements"
SIX_COLUMNS: tuple[str, ...] = (
    POPULATION_OUTCOME,
    AMBITION,
    OUTCOME,
    LEAD_KPI,
    ACTIVITY_KPI,
    I_STATEMENT,
)

# Marks kept beside the six name cells (never inside them, so names stay word for word).
PROVENANCE_COLUMNS: Mapping[str, str] = {
    POPULATION_OUTCOME: "Population outcome provenance",
    AMBITION: "Ambition provenance",
    OUTCOME: "Outcome provenance",
    LEAD_KPI: "Lead KPI provenance",
    ACTIVITY_KPI: "Activity KPI provenance",
    I_STATEMENT: "I-statement provenance",
}
THREAD_PROVENANCE = "Thread provenance"
PLACEHOLDER = "placeholder"

CODE_COLUMNS: tuple[str, ...] = (
    "Population outcome code",
    "Ambition code",
    "Outcome number",
    "Pillar",
    "Lead KPI code",
    "Activity KPI code",
    "I-statement code",
)
FIGURES: tuple[str, ...] = ("period", "value", "unit", "target", "variation", "assurance", "data")


def figure_columns(prefix: str) -> tuple[str, ...]:
    """The KPI figure columns for "Lead KPI" or "Activity KPI"."""
    return tuple(f"{prefix} {name}" for name in FIGURES)


LEAD_FIGURES = figure_columns("Lead KPI")
ACTIVITY_FIGURES = figure_columns("Activity KPI")
ALL_COLUMNS: tuple[str, ...] = (
    *SIX_COLUMNS,
    *LEAD_FIGURES,
    *ACTIVITY_FIGURES,
    THREAD_PROVENANCE,
    *PROVENANCE_COLUMNS.values(),
    *CODE_COLUMNS,
)
NOT_LINKED_COLUMNS: tuple[str, ...] = ("Kind", "Code", "Name", "Tier", "Provenance", "Why")


def _mark(provenance: Provenance | str, placeholder: bool = False) -> str:
    return PLACEHOLDER if placeholder else str(provenance)


NOT_REPORTED = "not reported for this area"
NO_DATA = "no data"


def _figures(
    kpi: Kpi, rows: Mapping[str, ScorecardRow], reported: bool
) -> tuple[object, object, object, object, object, object, object]:
    """(period, value, unit, target, variation, assurance, data) of one KPI on the table."""
    unit = str(kpi.unit)
    row = rows.get(kpi.code)
    if not reported:
        return ("", None, unit, None, NOT_REPORTED, "", "")
    if row is None or row.period is None:
        return ("", None, unit, kpi.target_value if row is None else row.target, NO_DATA, "", "")
    value: object = None if row.suppressed else row.value
    data = "synthetic" if row.synthetic else "real"
    if row.suppressed:
        data += "; suppressed (small number)"
    if row.provisional:
        data += "; provisional"
    if kpi.code in DERIVED_KPIS:
        data += f"; {DERIVED_SOURCE}"
    return (
        row.period,
        value,
        unit,
        row.target,
        variation_label(row.variation),
        assurance_label(row.assurance),
        data,
    )


def _keep(fw: Framework, thread: Thread, pillar: str | None, outcome: int | None) -> bool:
    if outcome is not None and thread.outcome != outcome:
        return False
    return pillar is None or fw.outcome(thread.outcome).pillar_code == pillar


def framework_table(
    fw: Framework,
    rows: Sequence[ScorecardRow],
    month: str,
    area: str,
    pillar: str | None = None,
    outcome: int | None = None,
) -> pd.DataFrame:
    """The framework as the documents' scorecard, alive with the month's figures.

    One row per golden-thread path (``framework.threads``): the six columns hold the names
    and wordings verbatim; provenance marks (seed, illustrative, placeholder), the KPI figures
    (latest period, value, unit, target, variation and assurance labels, synthetic or real) and
    the codes for linking sit in further columns.

    Args:
        fw: the framework.
        rows: the scorecard rows for ``month`` and ``area`` (``compute_scorecard``).
        month: ``YYYY-MM`` the figures are for (kept in ``attrs``).
        area: the area code the figures are for (kept in ``attrs``).
        pillar: only threads whose outcome this pillar owns.
        outcome: only threads through this outcome number.

    Returns:
        A frame with ``ALL_COLUMNS``; the first six are the documents' headings.
    """
    by_kpi = {r.kpi_code: r for r in rows if r.area_code == area}
    populations = {p.code: p for p in fw.population_outcomes}
    ambitions = {a.code: a for a in fw.ambitions}
    statements = {s.code: s for s in fw.i_statements}
    reported = {k.code for k in fw.kpis if any(a.code == area for a in fw.kpi_areas(k.code))}
    records: list[tuple[object, ...]] = []
    for thread in threads(fw):
        if not _keep(fw, thread, pillar, outcome):
            continue
        population = populations[thread.population_outcome]
        ambition = ambitions[thread.ambition]
        the_outcome = fw.outcome(thread.outcome)
        lead = fw.kpi(thread.lead_kpi)
        activity = fw.kpi(thread.activity_kpi) if thread.activity_kpi else None
        statement = statements.get(thread.i_statement)
        cells = thread.cells(fw)
        lead_figures = _figures(lead, by_kpi, lead.code in reported)
        activity_figures: tuple[object, ...] = (
            _figures(activity, by_kpi, activity.code in reported)
            if activity is not None
            else ("", None, "", None, "", "", "")
        )
        records.append(
            (
                *cells,
                *lead_figures,
                *activity_figures,
                str(thread.provenance),
                _mark(population.provenance, population.placeholder),
                _mark(ambition.provenance, ambition.placeholder),
                _mark(the_outcome.provenance),
                _mark(lead.provenance),
                _mark(activity.provenance) if activity is not None else "",
                _mark(statement.provenance) if statement is not None else "",
                population.code,
                ambition.code,
                the_outcome.number,
                the_outcome.pillar_code,
                lead.code,
                activity.code if activity is not None else "",
                statement.code if statement is not None else "",
            )
        )
    frame = pd.DataFrame.from_records(records, columns=list(ALL_COLUMNS))
    frame.attrs["month"] = month
    frame.attrs["area"] = area
    return frame


def not_yet_linked(fw: Framework) -> pd.DataFrame:
    """KPIs and I-statements that no golden-thread path passes through, with the reason.

    Returns:
        A frame with ``NOT_LINKED_COLUMNS``, KPIs first, in framework order.
    """
    open_ = unthreaded(fw)
    lead_links = {ln.to_code for ln in fw.links if ln.kind == LinkKind.OUTCOME_LEAD_KPI}
    activity_links = {ln.to_code for ln in fw.links if ln.kind == LinkKind.LEAD_ACTIVITY_KPI}
    evidenced_by: dict[str, list[str]] = {}
    for ln in fw.links:
        if ln.kind == LinkKind.KPI_I_STATEMENT:
            evidenced_by.setdefault(ln.to_code, []).append(ln.from_code)
    records: list[tuple[str, str, str, str, str, str]] = []
    for code in open_.kpis:
        kpi = fw.kpi(code)
        if kpi.tier == Tier.SYSTEM:
            why = "system-wide KPI: measured for the whole system, outside the six-column thread"
        elif kpi.tier == Tier.LEAD and code not in lead_links:
            why = "lead KPI linked to no iCAN outcome"
        elif kpi.tier == Tier.ACTIVITY and code not in activity_links:
            why = "activity KPI linked to no lead KPI"
        else:
            why = "its links do not reach an ICS population outcome through an ICP ambition"
        records.append(("KPI", code, kpi.name, str(kpi.tier), str(kpi.provenance), why))
    statements = {s.code: s for s in fw.i_statements}
    for code in open_.i_statements:
        statement = statements[code]
        kpis = evidenced_by.get(code, [])
        why = (
            f"evidenced only by {', '.join(kpis)}, which no thread reaches as an activity KPI"
            if kpis
            else "no KPI evidences it yet"
        )
        records.append(("I-statement", code, statement.text, "", str(statement.provenance), why))
    return pd.DataFrame.from_records(records, columns=list(NOT_LINKED_COLUMNS))


def grouped(frame: pd.DataFrame, columns: Sequence[str] = SIX_COLUMNS) -> pd.DataFrame:
    """A copy for display where a cell repeating the row above (within its group) is blank.

    Like the documents' slide: a population outcome is written once for all its rows, an
    ambition once per population outcome, and so on left to right. A cell is blanked only
    when it and every cell to its left equal the row above.
    """
    out = frame.copy()
    if out.empty:
        return out
    present = [c for c in columns if c in out.columns]
    same_so_far = pd.Series(True, index=out.index)
    shifted = out[present].shift(1)
    first = pd.Series(False, index=out.index)
    first.iloc[0] = True
    for column in present:
        same_so_far &= (out[column] == shifted[column]) & ~first
        out[column] = out[column].where(~same_so_far, "")
    return out


# The display table: the six columns grouped like the slide, each KPI cell with its figures.
SHOWN_COLUMNS: tuple[str, ...] = (
    POPULATION_OUTCOME,
    AMBITION,
    OUTCOME,
    LEAD_KPI,
    "Lead KPI state",
    ACTIVITY_KPI,
    "Activity KPI state",
    I_STATEMENT,
)
MARK_TEXT: Mapping[str, str] = {PLACEHOLDER: " [placeholder]", "illustrative": " [illustrative]"}


def _float(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if math.isnan(value) else float(value)


def _number(value: object, unit: str) -> str:
    number = _float(value)
    if number is None:
        return "–"
    text = f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    return {"%": f"{text}%", "£": f"£{text}", "days": f"{text} days"}.get(unit, text)


def _figure_text(record: Mapping[Hashable, object], prefix: str) -> str:
    """A KPI's latest value and target in words, e.g. "4,120 (2024-05); target 4,247"."""
    period = str(record[f"{prefix} period"] or "")
    unit = str(record[f"{prefix} unit"] or "")
    data = str(record[f"{prefix} data"] or "")
    if not period:
        return str(record[f"{prefix} variation"] or "")
    value = "* suppressed" if "suppressed" in data else _number(record[f"{prefix} value"], unit)
    text = f"{value} ({period})"
    if "provisional" in data:
        text += " provisional"
    target = _float(record[f"{prefix} target"])
    if target is not None:
        text += f"; target {_number(target, unit)}"
    if data.startswith("synthetic"):
        text += "; synthetic"
    if DERIVED_SOURCE in data:
        text += f"; {DERIVED_SOURCE}"
    return text


def display_table(table: pd.DataFrame) -> pd.DataFrame:
    """The framework table as the page shows it: text only, grouped like the documents' slide.

    Names keep their wording with a visible " [placeholder]" or " [illustrative]" mark where
    the item is not stated in the documents; each KPI's state column holds its latest value,
    target, variation and assurance in words; repeated cells are blank (see ``grouped``). The
    codes columns are kept (for links and icons) and the blanking applies to the KPI columns'
    companions too.

    Args:
        table: a frame from ``framework_table``.

    Returns:
        A frame with ``SHOWN_COLUMNS`` plus ``Lead KPI code``, ``Activity KPI code``,
        ``Outcome number``, ``Lead KPI variation code`` … for the page to build icons and links.
    """
    records: list[dict[str, object]] = []
    for record in table.to_dict("records"):
        shown: dict[str, object] = {}
        for column in SIX_COLUMNS:
            text = str(record[column] or "")
            mark = MARK_TEXT.get(str(record[PROVENANCE_COLUMNS[column]]), "")
            shown[column] = text + mark if text else ""
        if not record["Activity KPI code"]:
            shown[ACTIVITY_KPI] = "Gap: no activity KPI linked yet"
        if not record["I-statement code"]:
            shown[I_STATEMENT] = "Gap: no I-statement linked yet"
        for prefix in ("Lead KPI", "Activity KPI"):
            state = _figure_text(record, prefix)
            variation = str(record[f"{prefix} variation"] or "")
            assurance = str(record[f"{prefix} assurance"] or "")
            if record[f"{prefix} period"]:
                state += f" · {variation} · {assurance}"
            shown[f"{prefix} state"] = state
        shown["Outcome number"] = record["Outcome number"]
        shown["Lead KPI code"] = record["Lead KPI code"]
        shown["Activity KPI code"] = record["Activity KPI code"]
        records.append(shown)
    columns = [*SHOWN_COLUMNS, "Outcome number", "Lead KPI code", "Activity KPI code"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    blanked = grouped(frame, SIX_COLUMNS)
    for name, companion, code in (
        (LEAD_KPI, "Lead KPI state", "Lead KPI code"),
        (ACTIVITY_KPI, "Activity KPI state", "Activity KPI code"),
    ):
        repeat = (blanked[name] == "") & (frame[name] != "")
        blanked.loc[repeat, companion] = ""
        blanked.loc[repeat, code] = ""
    return blanked
