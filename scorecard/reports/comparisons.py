"""Benchmarks from the store's comparison rows: for scorecard rows, KPI detail and the pack."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

import pandas as pd

from scorecard.data.store import Store
from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.benchmark import (
    LEVEL_OF_AREA_TYPE,
    Benchmark,
    ComparisonRows,
    PeerTable,
    benchmark_of,
    level_table,
)
from scorecard.statistics.benchmark_many import (
    benchmarks_for,
    benchmarks_of_sorted,
    sorted_comparisons,
)
from scorecard.thread.domain import Framework, Kpi, PeerGroup
from scorecard.thread.errors import Problem
from scorecard.thread.framework import display_path


def area_types(fw: Framework) -> dict[str, str]:
    """Each framework area's type as text (system, place, provider, ...)."""
    return {a.code: str(a.type.value) for a in fw.areas}


def kpis_by_code(fw: Framework) -> dict[str, Kpi]:
    """The framework's KPIs by code."""
    return {k.code: k for k in fw.kpis}


def benchmarks_of_frame(
    frame: pd.DataFrame, fw: Framework, wanted: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], Benchmark]:
    """Each wanted (KPI, area, period) against England's whole level, from comparison rows.

    The rows are sorted once and every (measure, month, level) funnel is computed in one pass.
    """
    if frame.empty:
        return {}
    return benchmarks_of_sorted(wanted, kpis_by_code(fw), area_types(fw), sorted_comparisons(frame))


def with_benchmarks(
    rows: Sequence[ScorecardRow],
    fw: Framework,
    split: Mapping[tuple[str, str, str], ComparisonRows],
) -> list[ScorecardRow]:
    """Scorecard rows carrying their ``benchmark`` (the JSON object) where there is one."""
    wanted = [(r.kpi_code, r.area_code, r.period) for r in rows if r.period is not None]
    if not wanted or not split:
        return list(rows)
    found = benchmarks_for(wanted, kpis_by_code(fw), area_types(fw), split)
    out: list[ScorecardRow] = []
    for row in rows:
        hit = found.get((row.kpi_code, row.area_code, row.period or ""))
        out.append(row if hit is None else replace(row, benchmark=hit.as_json()))
    return out


def add_benchmarks(
    rows: Sequence[dict[str, object]], store: Store, fw: Framework
) -> list[dict[str, object]]:
    """Scorecard JSON rows with ``benchmark`` for the row's own period (null without data).

    The object is ``Benchmark.as_json()``: England's value, peers, rank, band, method, τ² and
    the organisation's 95% and 99.8% limits, in the KPI's unit (percentages for a %).
    """
    wanted = [
        (str(r["kpi_code"]), str(r["area_code"]), str(r["period"]))
        for r in rows
        if r.get("period") is not None
    ]
    found = benchmarks_of_frame(store.comparisons(), fw, wanted) if wanted else {}
    out: list[dict[str, object]] = []
    for row in rows:
        key = (str(row["kpi_code"]), str(row["area_code"]), str(row["period"]))
        hit = found.get(key) if row.get("period") is not None else None
        out.append({**row, "benchmark": hit.as_json() if hit is not None else None})
    return out


@dataclass(frozen=True)
class GroupTable:
    """A peer group's table for one KPI, level and month, with what the data did not hold."""

    table: PeerTable | None
    missing_members: tuple[str, ...]


def group_table(
    split: Mapping[tuple[str, str, str], ComparisonRows],
    kpi: Kpi,
    period: str,
    level: str,
    group: PeerGroup | None,
) -> GroupTable:
    """The peer table of a KPI and month for a peer group (every organisation without one).

    Members the comparison data does not hold for the month are named in ``missing_members``.
    """
    members = tuple(m for m in (group.members if group is not None else ()) if m != "*")
    missing: tuple[str, ...] = ()
    if members:
        rows = split.get((kpi.source_key, period, level))
        held = set(rows.codes) if rows is not None else set()
        missing = tuple(m for m in members if m not in held)
    table = level_table(split, kpi.source_key, period, level, str(kpi.unit), kpi.direction, members)
    return GroupTable(table, missing)


def level_of(fw: Framework, area_code: str) -> str | None:
    """The comparison level of a framework area (icb, trust, council), None when it has none."""
    return LEVEL_OF_AREA_TYPE.get(area_types(fw).get(area_code, ""))


def missing_members_sentence(group: PeerGroup, missing: Sequence[str], period: str) -> str:
    """One sentence naming peer-group members the comparison data does not hold."""
    names = ", ".join(missing)
    plural = "s" if len(missing) != 1 else ""
    return (
        f"Peer group '{group.code}' (data/framework/peer_groups.csv, column org_code) names "
        f"organisation{plural} {names}, which the comparison data does not hold for {period}; "
        f"{'they are' if len(missing) != 1 else 'it is'} left out."
    )


PEER_GROUPS_FILE: Final = "peer_groups.csv"
PEER_MEMBER_RULE: Final = "a peer-group member is an organisation of the comparison data"


def absent_peer_members(framework_dir: Path, frame: pd.DataFrame) -> list[Problem]:
    """Each peer_groups.csv row naming an organisation the comparison rows never hold.

    A member counts as held when the rows hold its code at the group's level for any measure
    and month. One problem per row, with its file, row (the header is row 1), column
    ``org_code``, value and rule; the row ``*`` (every organisation) is never absent.
    """
    path = framework_dir / PEER_GROUPS_FILE
    if not path.is_file():
        return []
    held: set[tuple[str, str]] = set()
    if not frame.empty:
        held = set(zip(frame["org_level"].astype(str), frame["org_code"].astype(str), strict=True))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out: list[Problem] = []
    for row, cells in enumerate(rows, start=2):
        code = (cells.get("org_code") or "").strip()
        level = (cells.get("level") or "").strip()
        if not code or code == "*" or (level, code) in held:
            continue
        group = (cells.get("group_code") or "").strip()
        out.append(
            Problem(
                display_path(path),
                row,
                "org_code",
                code,
                PEER_MEMBER_RULE,
                f"peer group '{group}' names {code}, which the comparison data does not hold "
                f"at level {level} for any measure or month; it is left out of the group's "
                "tables",
            )
        )
    return out


def _has_own(
    split: Mapping[tuple[str, str, str], ComparisonRows],
    kpi: Kpi,
    period: str,
    level: str,
    area: str,
) -> bool:
    rows = split.get((kpi.source_key, period, level))
    if rows is None or area not in rows.codes:
        return False
    i = rows.codes.index(area)
    return bool(rows.figures[i] == rows.figures[i])


def periods_of(
    split: Mapping[tuple[str, str, str], ComparisonRows], source_key: str, level: str
) -> list[str]:
    """The months with comparison rows for a measure at a level, oldest first."""
    return sorted(p for k, p, lv in split if k == source_key and lv == level)


@dataclass(frozen=True)
class BenchmarkView:
    """What KPI detail shows for one KPI, area, month and peer group."""

    kpi: Kpi
    area: str
    level: str
    period: str
    group: PeerGroup | None
    table: PeerTable
    benchmark: Benchmark | None
    missing_members: tuple[str, ...]
    history: tuple[tuple[str, float | None, float | None], ...]  # (period, own, England)


def benchmark_view(
    fw: Framework,
    split: Mapping[tuple[str, str, str], ComparisonRows],
    kpi: Kpi,
    area: str,
    month: str,
    group_code: str = "",
) -> BenchmarkView | str:
    """The comparison of a KPI for an area in the latest month up to ``month`` with its figure.

    Returns one sentence instead when there is nothing to compare: no national publication,
    an area type the publications do not cover, or no figures up to the month.
    """
    if not kpi.source_key:
        return "This KPI is not published nationally, so it is not compared with England."
    level = level_of(fw, area)
    if level is None:
        return "The publications do not report this kind of area, so it is not compared."
    periods = [p for p in periods_of(split, kpi.source_key, level) if p <= month]
    if not periods:
        return (
            "The store holds no national figures for this KPI at this level up to this month, "
            "so it is not compared with England."
        )
    groups = [g for g in fw.peer_groups if g.level == level]
    group = next((g for g in groups if g.code == group_code), None)
    if group is None:
        group = next((g for g in groups if not g.members), None)
    period = next((p for p in reversed(periods) if _has_own(split, kpi, p, level, area)), "")
    found = group_table(split, kpi, period or periods[-1], level, group)
    period = period or periods[-1]
    if found.table is None:
        return "The store holds no national figures for this KPI and month."
    history: list[tuple[str, float | None, float | None]] = []
    for p in periods:
        whole = level_table(split, kpi.source_key, p, level, str(kpi.unit), kpi.direction)
        if whole is None:
            continue
        own = benchmark_of(whole, area)
        history.append((p, own.value if own is not None else None, whole.england))
    return BenchmarkView(
        kpi,
        area,
        level,
        period,
        group,
        found.table,
        benchmark_of(found.table, area),
        found.missing_members,
        tuple(history),
    )


def peer_frame(view: BenchmarkView, own_codes: Iterable[str]) -> pd.DataFrame:
    """The peer table as a download: one row per organisation, best first."""
    t = view.table
    ours = set(own_codes)
    frame = pd.DataFrame(
        {
            "Organisation code": list(t.codes),
            "Organisation": list(t.names),
            "Northamptonshire": ["yes" if c in ours else "" for c in t.codes],
            "Month": view.period,
            f"Value ({view.kpi.unit})": t.figures,
            "Numerator": t.numerators,
            "Denominator": t.denominators,
            "Rank": pd.array([int(r) or None for r in t.ranks], dtype="Int64"),
            "Band": [str(b.value) for b in t.bands],
            "95% lower": t.lower_95,
            "95% upper": t.upper_95,
            "99.8% lower": t.lower_998,
            "99.8% upper": t.upper_998,
            "England": t.england,
            "Method": t.method,
        }
    )
    return frame.sort_values(["Rank", "Organisation code"], na_position="last", kind="stable")
