"""Benchmarks from the store's comparison rows: for scorecard rows, KPI detail and the pack."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from scorecard.benchmark import (
    LEVEL_OF_AREA_TYPE,
    Benchmark,
    ComparisonRows,
    PeerTable,
    benchmarks_for,
    level_table,
    split_comparisons,
)
from scorecard.domain import Framework, Kpi, PeerGroup
from scorecard.store import Store


def area_types(fw: Framework) -> dict[str, str]:
    """Each framework area's type as text (system, place, provider, ...)."""
    return {a.code: str(a.type.value) for a in fw.areas}


def kpis_by_code(fw: Framework) -> dict[str, Kpi]:
    """The framework's KPIs by code."""
    return {k.code: k for k in fw.kpis}


def benchmarks_of_frame(
    frame: pd.DataFrame, fw: Framework, wanted: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str, str], Benchmark]:
    """Each wanted (KPI, area, period) against England's whole level, from comparison rows."""
    return benchmarks_for(wanted, kpis_by_code(fw), area_types(fw), split_comparisons(frame))


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
