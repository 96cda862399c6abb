"""Every benchmark at once: the method of ``benchmark`` over all (measure, month, level) groups.

The comparison rows are sorted once by measure, month, level and organisation code; ``funnels``
then computes every funnel, band and rank in one numpy pass, and each asked organisation's
``Benchmark`` is read from those arrays, equal to the one-table method's to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from scorecard.statistics import funnels
from scorecard.statistics.benchmark import (
    LEVEL_OF_AREA_TYPE,
    MIN_PEERS,
    WINSOR_LOWER,
    WINSOR_UPPER,
    Z_95,
    Z_998,
    Band,
    Benchmark,
    ComparisonRows,
    FloatArray,
)
from scorecard.thread.domain import Direction, Kpi

METHOD: Final = funnels.Method(Z_95, Z_998, WINSOR_LOWER, WINSOR_UPPER, MIN_PEERS)
BAND_OF_CODE: Final = tuple(Band(b) for b in funnels.BAND_ORDER)
DIRECTION_CODE: Final[dict[Direction, int]] = {
    Direction.INCREASE: funnels.INCREASE,
    Direction.DECREASE: funnels.DECREASE,
    Direction.NEUTRAL: funnels.NEUTRAL,
}
NO_DENOMINATOR_REASON: Final = (
    "The measure has no denominator, so it is ranked, not tested against England."
)
LEFT_OUT_REASON: Final = "This organisation's own figures were left out of the funnel."
EXCLUDED_KEYS: Final = ("missing", "zero_denominator", "numerator_above_denominator_or_negative")


@dataclass(frozen=True)
class SortedComparisons:
    """Comparison rows sorted by measure, month, level and organisation code.

    Each text column is held as the index of its value in a sorted tuple of the values, so the
    rows of one (measure, month, level) are consecutive and ordered by organisation code, as in
    ``split_comparisons``.
    """

    source_keys: tuple[str, ...]
    periods: tuple[str, ...]
    levels: tuple[str, ...]
    codes: tuple[str, ...]
    key_ids: NDArray[np.int64]
    period_ids: NDArray[np.int64]
    level_ids: NDArray[np.int64]
    code_ids: NDArray[np.int64]
    figures: FloatArray
    numerators: FloatArray
    denominators: FloatArray


def sorted_comparisons(frame: pd.DataFrame) -> SortedComparisons:
    """The store's comparison rows as ``SortedComparisons`` (one sort of plain arrays)."""
    columns = ("source_key", "period", "org_level", "org_code")
    if frame.empty:
        none = np.zeros(0, dtype=np.int64)
        empty = np.zeros(0, dtype=np.float64)
        return SortedComparisons((), (), (), (), none, none, none, none, empty, empty, empty)
    ids: list[NDArray[np.int64]] = []
    texts: list[tuple[str, ...]] = []
    for c in columns:
        column = frame[c]
        codes, uniques = pd.factorize(
            column if isinstance(column.dtype, pd.StringDtype) else column.astype(str),
            use_na_sentinel=False,
        )
        # Sorting the few distinct values and renumbering is cheaper than sort=True.
        words = [str(v) for v in uniques.tolist()]
        by_word = sorted(range(len(words)), key=words.__getitem__)
        rank = np.empty(len(words), dtype=np.int64)
        rank[by_word] = np.arange(len(words))
        ids.append(rank[np.asarray(codes, dtype=np.int64)])
        texts.append(tuple(words[i] for i in by_word))
    # One integer key in (measure, month, level, code) order; a stable sort of it is the
    # lexicographic sort, and nearly free when the store hands the rows over already sorted.
    combined = ids[0]
    for part, text in zip(ids[1:], texts[1:], strict=True):
        combined = combined * len(text) + part
    order = np.argsort(combined, kind="stable")
    figures, numerators, denominators = (
        frame[c].to_numpy(dtype=np.float64, na_value=np.nan)[order]
        for c in ("value", "numerator", "denominator")
    )
    return SortedComparisons(
        texts[0],
        texts[1],
        texts[2],
        texts[3],
        ids[0][order],
        ids[1][order],
        ids[2][order],
        ids[3][order],
        figures,
        numerators,
        denominators,
    )


def sorted_from_split(split: Mapping[tuple[str, str, str], ComparisonRows]) -> SortedComparisons:
    """``SortedComparisons`` of rows already split by ``split_comparisons``."""
    keys = sorted(split)
    parts = [split[k] for k in keys]
    sizes = [len(p.codes) for p in parts]
    frame = pd.DataFrame(
        {
            "source_key": np.repeat([k[0] for k in keys], sizes),
            "period": np.repeat([k[1] for k in keys], sizes),
            "org_level": np.repeat([k[2] for k in keys], sizes),
            "org_code": [c for p in parts for c in p.codes],
            "value": np.concatenate([p.figures for p in parts]) if parts else [],
            "numerator": np.concatenate([p.numerators for p in parts]) if parts else [],
            "denominator": np.concatenate([p.denominators for p in parts]) if parts else [],
        }
    )
    return sorted_comparisons(frame)


def benchmarks_for(
    wanted: Iterable[tuple[str, str, str]],
    kpis: Mapping[str, Kpi],
    area_types: Mapping[str, str],
    split: Mapping[tuple[str, str, str], ComparisonRows],
) -> dict[tuple[str, str, str], Benchmark]:
    """Each (KPI, area, period) that has comparison data, against England's whole level.

    A KPI is compared through its ``source_key``; an area through its type's level (the system
    as an ICB, a provider as a trust, a place as a council) and its code as the publication's
    organisation code. Keys without comparison data are left out.
    """
    return benchmarks_of_sorted(wanted, kpis, area_types, sorted_from_split(split))


def benchmarks_of_sorted(
    wanted: Iterable[tuple[str, str, str]],
    kpis: Mapping[str, Kpi],
    area_types: Mapping[str, str],
    rows: SortedComparisons,
) -> dict[tuple[str, str, str], Benchmark]:
    """``benchmarks_for`` on sorted rows: every group's funnel in one pass, then a look-up.

    Each result equals ``benchmark_of(level_table(...), area)`` for the same KPI, area and
    period: the same numbers to the last bit, the same bands, ranks and sentences.
    """
    key_index = {k: i for i, k in enumerate(rows.source_keys)}
    period_index = {p: i for i, p in enumerate(rows.periods)}
    level_index = {lv: i for i, lv in enumerate(rows.levels)}
    code_index = {c: i for i, c in enumerate(rows.codes)}
    # Each measure is read through the first wanted KPI compared through it.
    profile: dict[int, tuple[bool, int]] = {}
    asked: list[tuple[tuple[str, str, str], int, int, int, int]] = []
    for item in wanted:
        kpi_code, area_code, period = item
        kpi = kpis.get(kpi_code)
        level = LEVEL_OF_AREA_TYPE.get(area_types.get(area_code, ""))
        if kpi is None or not kpi.source_key or level is None:
            continue
        key = key_index.get(kpi.source_key)
        p, lv, c = period_index.get(period), level_index.get(level), code_index.get(area_code)
        if key is None or p is None or lv is None or c is None:
            continue
        profile.setdefault(key, (str(kpi.unit) == "%", DIRECTION_CODE[kpi.direction]))
        asked.append((item, key, p, lv, c))
    if not asked:
        return {}
    england_level = level_index.get("england", -1)
    wanted_levels = np.array(sorted({a[3] for a in asked} | {england_level}), dtype=np.int64)
    wanted_keys = np.array(sorted(profile), dtype=np.int64)
    used = np.isin(rows.key_ids, wanted_keys) & np.isin(rows.level_ids, wanted_levels)
    keys, periods, levels, codes = (
        a[used] for a in (rows.key_ids, rows.period_ids, rows.level_ids, rows.code_ids)
    )
    figures, numerators, denominators = (
        a[used] for a in (rows.figures, rows.numerators, rows.denominators)
    )
    if keys.size == 0:
        return {}
    n_periods, n_levels, n_codes = len(rows.periods), len(rows.levels), len(rows.codes)
    group_code = (keys * n_periods + periods) * n_levels + levels
    new = np.ones(keys.size, dtype=bool)
    new[1:] = group_code[1:] != group_code[:-1]
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    group_codes = group_code[starts]
    group_keys = keys[starts]
    # England's row of each group: the first row of the same measure and month at England level.
    england_code = (group_keys * n_periods + periods[starts]) * n_levels + england_level
    at = np.minimum(np.searchsorted(group_codes, england_code), group_codes.size - 1)
    has_england = (england_level >= 0) & (group_codes[at] == england_code)
    first = starts[at]
    england = (
        np.where(has_england, figures[first], np.nan),
        np.where(has_england, numerators[first], np.nan),
        np.where(has_england, denominators[first], np.nan),
    )
    percent = np.array([profile[int(k)][0] for k in group_keys], dtype=bool)
    direction = np.array([profile[int(k)][1] for k in group_keys], dtype=np.int8)
    result = funnels.group_results(
        group, figures, numerators, denominators, england, percent, direction, METHOD
    )
    # Each asked key's row: rows are sorted by (group code, organisation code).
    row_code = group_code * n_codes + codes
    asked_code = np.array(
        [((k * n_periods + p) * n_levels + lv) * n_codes + c for _, k, p, lv, c in asked],
        dtype=np.int64,
    )
    hit = np.minimum(np.searchsorted(row_code, asked_code), row_code.size - 1)
    found = row_code[hit] == asked_code
    rows_found = hit[found]
    return _benchmarks_at(
        [a[0] for a, f in zip(asked, found.tolist(), strict=True) if f],
        rows_found,
        group,
        result,
        funnels.ranks_at(result.rank_values, group, direction, rows_found),
    )


def _benchmarks_at(
    items: Sequence[tuple[str, str, str]],
    hits: NDArray[np.int64],
    group: NDArray[np.int64],
    r: funnels.GroupResults,
    hit_ranks: NDArray[np.int64],
) -> dict[tuple[str, str, str], Benchmark]:
    """The ``Benchmark`` of each item from its row of the group results."""
    g = group[hits]
    figures = r.figures[hits].tolist()
    ranks_ = hit_ranks.tolist()
    bands = r.bands[hits].tolist()
    low95, high95, low998, high998 = (
        a[hits].tolist() for a in (r.lower_95, r.upper_95, r.lower_998, r.upper_998)
    )
    groups = g.tolist()
    reasons = r.reason[g].tolist()
    england = r.england[g].tolist()
    peers, tau2, phi = r.peers[g].tolist(), r.tau2[g].tolist(), r.phi[g].tolist()
    out: dict[tuple[str, str, str], Benchmark] = {}
    # Each group's excluded counts and reason sentence, made once and shared by its rows.
    shared: dict[int, tuple[dict[str, int], str]] = {}
    for j, item in enumerate(items):
        k = groups[j]
        if k not in shared:
            counts = (int(r.missing[k]), int(r.zero_denominator[k]), int(r.impossible[k]))
            excluded = {name: c for name, c in zip(EXCLUDED_KEYS, counts, strict=True) if c}
            shared[k] = (excluded, _reason(reasons[j], r, k))
        excluded, why = shared[k]
        own = figures[j]
        value = None if own != own else own
        rank = ranks_[j] or None
        reason = reasons[j]
        if reason == funnels.FUNNEL:
            has = low95[j] == low95[j]
            out[item] = Benchmark(
                value,
                england[j],
                peers[j],
                rank,
                BAND_OF_CODE[bands[j]],
                "funnel",
                tau2[j],
                phi[j],
                (low95[j], high95[j]) if has else None,
                (low998[j], high998[j]) if has else None,
                "" if has else LEFT_OUT_REASON,
                excluded,
            )
            continue
        out[item] = Benchmark(
            value,
            None if england[j] != england[j] else england[j],
            peers[j],
            rank,
            Band.NOT_COMPARABLE,
            "rank",
            None,
            None,
            None,
            None,
            why,
            excluded if reason != funnels.NO_DENOMINATOR else {},
        )
    return out


def _reason(code: int, r: funnels.GroupResults, k: int) -> str:
    """The sentence of ``funnel``'s ``NoFunnel`` for a group's reason code ("" for a funnel)."""
    if code == funnels.FUNNEL:
        return ""
    if code == funnels.NO_DENOMINATOR:
        return NO_DENOMINATOR_REASON
    if code == funnels.NO_ENGLAND:
        return "England's value for the month is not in the comparison data."
    if code == funnels.NO_WIDTH:
        return f"England's proportion is {float(r.target[k]):.3g}, so the funnel has no width."
    count = int(r.organisations[k])
    return (
        f"Only {count} organisation{'s' if count != 1 else ''} reported; "
        f"a funnel needs at least {MIN_PEERS}."
    )
