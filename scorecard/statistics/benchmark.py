"""Benchmarks: an organisation against England and its peers, by funnel limits or by rank.

For a proportion (a numerator over a denominator) the method is Spiegelhalter's funnel plot with
an additive random-effects allowance for over-dispersion ("Funnel plots for comparing
institutional performance", Stat Med 2005; "Handling over-dispersion of performance
indicators", Qual Saf Health Care 2005), as R's FunnelPlotR and the NHS SHMI use it:

- the target θ₀ is England's numerator over its denominator for the month;
- for each organisation with n > 0: y = numerator / n, s = √(θ₀(1 − θ₀) / n), z = (y − θ₀) / s;
- φ is the mean of the squared z-scores after Winsorising them at their 10th and 90th
  percentiles (numpy's linear interpolation, R's default type 7);
- with I organisations and weights w = 1 / s², τ² = max(0, (Iφ − (I − 1)) / (Σw − Σw² / Σw))
  when φ > 1, else 0;
- the limits are θ₀ ± z_p √(s² + τ²) for 95% and 99.8%; an organisation's band is where its
  value falls, read through the KPI's better direction.

A measure without a denominator (an average delay, say) gets no funnel: its rank among the
peers and its difference from England, band ``not_comparable``. Everything is pure numpy.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from scorecard.thread.domain import Direction

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

# Two-sided standard normal quantiles: Φ⁻¹(0.975) and Φ⁻¹(0.999).
Z_95: Final = 1.959964
Z_998: Final = 3.090232
# Spiegelhalter (2005) Winsorises the z-scores at the 10th and 90th percentiles before φ.
WINSOR_LOWER: Final = 0.10
WINSOR_UPPER: Final = 0.90
# Fewer peers than this give no funnel (too few to estimate over-dispersion); illustrative.
MIN_PEERS: Final = 5


class Band(StrEnum):
    """Where an organisation's value falls against England, read through the better direction."""

    BETTER_998 = "better_998"
    BETTER_95 = "better_95"
    SIMILAR = "similar"
    WORSE_95 = "worse_95"
    WORSE_998 = "worse_998"
    NOT_COMPARABLE = "not_comparable"


BAND_WORDS: Final[dict[Band, str]] = {
    Band.BETTER_998: "significantly better than England (beyond the 99.8% limit)",
    Band.BETTER_95: "better than England (beyond the 95% limit)",
    Band.SIMILAR: "similar to England (within the 95% limits)",
    Band.WORSE_95: "worse than England (beyond the 95% limit)",
    Band.WORSE_998: "significantly worse than England (beyond the 99.8% limit)",
    Band.NOT_COMPARABLE: "not compared with significance",
}


@dataclass(frozen=True)
class Funnel:
    """Funnel limits for every organisation of one level and month.

    Arrays are aligned with the organisations passed in; an organisation left out (see
    ``excluded``) has NaN in every array and band ``not_comparable``.
    """

    target: float
    phi: float
    tau2: float
    organisations: int
    y: FloatArray
    n: FloatArray
    s: FloatArray
    z: FloatArray
    lower_95: FloatArray
    upper_95: FloatArray
    lower_998: FloatArray
    upper_998: FloatArray
    bands: tuple[Band, ...]
    excluded: dict[str, int]

    def limits_at(self, n: ArrayLike) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """The 95% and 99.8% limits (lower, upper, lower, upper) for denominators ``n``."""
        return funnel_limits(self.target, self.tau2, n)


@dataclass(frozen=True)
class NoFunnel:
    """Why no funnel could be drawn, in a sentence, with what was left out."""

    reason: str
    excluded: dict[str, int]


def funnel_limits(
    target: float, tau2: float, n: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Lower and upper 95% and 99.8% limits around ``target`` for denominators ``n``."""
    sizes = np.asarray(n, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(target * (1.0 - target) / sizes + tau2)
    return (
        target - Z_95 * spread,
        target + Z_95 * spread,
        target - Z_998 * spread,
        target + Z_998 * spread,
    )


def winsorised_phi(z: ArrayLike) -> float:
    """The over-dispersion factor φ: the mean squared z-score after Winsorising at 10%/90%."""
    scores = np.asarray(z, dtype=np.float64)
    if scores.size == 0:
        return float("nan")
    low, high = np.quantile(scores, [WINSOR_LOWER, WINSOR_UPPER])
    return float(np.mean(np.clip(scores, low, high) ** 2))


def tau_squared(phi: float, s: ArrayLike) -> float:
    """The additive between-organisation variance τ² for over-dispersion φ and errors ``s``."""
    errors = np.asarray(s, dtype=np.float64)
    count = errors.size
    if count < 2 or not phi > 1.0:
        return 0.0
    weights = 1.0 / errors**2
    total = float(weights.sum())
    denominator = total - float((weights**2).sum()) / total
    if denominator <= 0.0:
        return 0.0
    return max(0.0, (count * phi - (count - 1)) / denominator)


def funnel(
    numerators: ArrayLike,
    denominators: ArrayLike,
    england_numerator: float | None,
    england_denominator: float | None,
    direction: Direction,
    min_peers: int = MIN_PEERS,
) -> Funnel | NoFunnel:
    """Funnel limits and bands for every organisation of one level in one month."""
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    missing = np.isnan(num) | np.isnan(den)
    zero = ~missing & (den <= 0)
    impossible = ~missing & ~zero & ((num < 0) | (num > den))
    keep = ~(missing | zero | impossible)
    excluded = {
        key: int(count)
        for key, count in (
            ("missing", missing.sum()),
            ("zero_denominator", zero.sum()),
            ("numerator_above_denominator_or_negative", impossible.sum()),
        )
        if count
    }
    if england_numerator is None or england_denominator is None or not england_denominator > 0:
        return NoFunnel("England's value for the month is not in the comparison data.", excluded)
    target = england_numerator / england_denominator
    if not 0.0 < target < 1.0:
        return NoFunnel(
            f"England's proportion is {target:.3g}, so the funnel has no width.", excluded
        )
    count = int(keep.sum())
    if count < min_peers:
        return NoFunnel(
            f"Only {count} organisation{'s' if count != 1 else ''} reported; "
            f"a funnel needs at least {min_peers}.",
            excluded,
        )
    nan = np.full(num.shape, np.nan)
    n = np.where(keep, den, np.nan)
    y = np.where(keep, num / np.where(keep, den, 1.0), np.nan)
    s = np.sqrt(target * (1.0 - target) / n)
    z = (y - target) / s
    phi = winsorised_phi(z[keep])
    tau2 = tau_squared(phi, s[keep])
    lower_95, upper_95, lower_998, upper_998 = (
        np.where(keep, a, nan) for a in funnel_limits(target, tau2, n)
    )
    bands = tuple(
        band_for(float(v), float(lo95), float(hi95), float(lo998), float(hi998), direction)
        if k
        else Band.NOT_COMPARABLE
        for v, lo95, hi95, lo998, hi998, k in zip(
            y, lower_95, upper_95, lower_998, upper_998, keep, strict=True
        )
    )
    return Funnel(
        target=target,
        phi=phi,
        tau2=tau2,
        organisations=count,
        y=y,
        n=n,
        s=s,
        z=z,
        lower_95=lower_95,
        upper_95=upper_95,
        lower_998=lower_998,
        upper_998=upper_998,
        bands=bands,
        excluded=excluded,
    )


def band_for(
    value: float,
    lower_95: float,
    upper_95: float,
    lower_998: float,
    upper_998: float,
    direction: Direction,
) -> Band:
    """The band of one value against its limits (strictly beyond a limit), by direction."""
    if direction is Direction.NEUTRAL or np.isnan(value):
        return Band.NOT_COMPARABLE
    if value > upper_998:
        high, far = True, True
    elif value > upper_95:
        high, far = True, False
    elif value < lower_998:
        high, far = False, True
    elif value < lower_95:
        high, far = False, False
    else:
        return Band.SIMILAR
    better = high == (direction is Direction.INCREASE)
    if better:
        return Band.BETTER_998 if far else Band.BETTER_95
    return Band.WORSE_998 if far else Band.WORSE_95


def ranks(values: ArrayLike, direction: Direction) -> NDArray[np.int64]:
    """Competition ranks (1 = best by the direction; ties share the better rank; NaN → 0).

    For a neutral KPI, 1 is the highest value.
    """
    x = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(x)
    key = -x if direction is not Direction.DECREASE else x
    out = np.zeros(x.shape, dtype=np.int64)
    valid = key[present]
    sorted_keys = np.sort(valid)
    out[present] = np.searchsorted(sorted_keys, valid, side="left") + 1
    return out


@dataclass(frozen=True)
class Benchmark:
    """One organisation's comparison for a KPI and month (the ``benchmark`` of a JSON row)."""

    value: float | None
    england: float | None
    peers: int
    rank: int | None
    band: Band
    method: str
    tau2: float | None
    phi: float | None
    limits_95: tuple[float, float] | None
    limits_998: tuple[float, float] | None
    reason: str
    excluded: dict[str, int]

    def as_json(self, scale: float = 1.0) -> dict[str, object]:
        """The contract's ``benchmark`` object; proportions times ``scale`` (100 for a %)."""

        def scaled(v: float | None) -> float | None:
            return None if v is None else round(v * scale, 6)

        def pair(p: tuple[float, float] | None) -> list[float | None] | None:
            return None if p is None else [scaled(p[0]), scaled(p[1])]

        return {
            "england": scaled(self.england),
            "peers": self.peers,
            "rank": self.rank,
            "band": self.band.value,
            "method": self.method,
            "tau2": self.tau2,
            "limits_95": pair(self.limits_95),
            "limits_998": pair(self.limits_998),
        }


def benchmark_proportion(
    index: int,
    numerators: ArrayLike,
    denominators: ArrayLike,
    england_numerator: float | None,
    england_denominator: float | None,
    direction: Direction,
    min_peers: int = MIN_PEERS,
) -> Benchmark:
    """The funnel comparison of organisation ``index`` among the level's organisations."""
    result = funnel(
        numerators, denominators, england_numerator, england_denominator, direction, min_peers
    )
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        proportions = np.where(den > 0, num / den, np.nan)
    own = proportions[index]
    value = None if np.isnan(own) else float(own)
    if isinstance(result, NoFunnel):
        england = (
            england_numerator / england_denominator
            if england_numerator is not None and england_denominator
            else None
        )
        peers = int((~np.isnan(proportions)).sum())
        rank = int(ranks(proportions, direction)[index]) or None
        return Benchmark(
            value,
            england,
            peers,
            rank,
            Band.NOT_COMPARABLE,
            "rank",
            None,
            None,
            None,
            None,
            result.reason,
            result.excluded,
        )
    return _from_funnel(result, index, value, int(ranks(result.y, direction)[index]) or None)


def _from_funnel(
    f: Funnel, i: int, value: float | None, rank: int | None, scale: float = 1.0
) -> Benchmark:
    """Organisation ``i``'s benchmark from a funnel, limits and England times ``scale``."""
    has = not np.isnan(f.lower_95[i])
    return Benchmark(
        value=value,
        england=f.target * scale,
        peers=f.organisations,
        rank=rank,
        band=f.bands[i],
        method="funnel",
        tau2=f.tau2,
        phi=f.phi,
        limits_95=(float(f.lower_95[i] * scale), float(f.upper_95[i] * scale)) if has else None,
        limits_998=(float(f.lower_998[i] * scale), float(f.upper_998[i] * scale)) if has else None,
        reason="" if has else "This organisation's own figures were left out of the funnel.",
        excluded=f.excluded,
    )


def benchmark_rank(
    index: int, values: ArrayLike, england: float | None, direction: Direction
) -> Benchmark:
    """The rank comparison for a measure with no denominator: no funnel, no significance."""
    x = np.asarray(values, dtype=np.float64)
    own = x[index]
    rank = int(ranks(x, direction)[index]) or None
    return Benchmark(
        value=None if np.isnan(own) else float(own),
        england=england,
        peers=int((~np.isnan(x)).sum()),
        rank=rank,
        band=Band.NOT_COMPARABLE,
        method="rank",
        tau2=None,
        phi=None,
        limits_95=None,
        limits_998=None,
        reason="The measure has no denominator, so it is ranked, not tested against England.",
        excluded={},
    )


def benchmark_sentence(
    name: str,
    measure: str,
    benchmark: Benchmark,
    level_plural: str,
    unit_format: Sequence[str] = ("", ""),
    scale: float = 1.0,
    decimals: int = 1,
) -> str:
    """One sentence a Board member reads, e.g. "Northamptonshire ICB: 80.9% discharged …".

    ``unit_format`` is the prefix and suffix of a value ("", "%"); values are times ``scale``.
    """
    prefix, suffix = unit_format

    def text(v: float | None) -> str:
        return "no value" if v is None else f"{prefix}{v * scale:,.{decimals}f}{suffix}"

    head = f"{name}: {text(benchmark.value)} {measure}; England {text(benchmark.england)}"
    rank = (
        f" ({_ordinal(benchmark.rank)} of {benchmark.peers} {level_plural})"
        if benchmark.rank
        else ""
    )
    if benchmark.method == "funnel":
        side = "above" if _higher(benchmark) else "below"
        position = {
            Band.BETTER_998: f"{side} the 99.8% limit",
            Band.BETTER_95: f"{side} the 95% limit",
            Band.SIMILAR: "within the 95% limits",
            Band.WORSE_95: f"{side} the 95% limit",
            Band.WORSE_998: f"{side} the 99.8% limit",
        }.get(benchmark.band, "")
        words = BAND_WORDS[benchmark.band].split(" (")[0]
        return f"{head}; {position} for {_article(level_plural)} of its size, {words}{rank}."
    reason = benchmark.reason.rstrip(".")
    return f"{head}; {reason[:1].lower()}{reason[1:]}{rank}."


def _higher(b: Benchmark) -> bool:
    return b.value is not None and b.england is not None and b.value > b.england


def _article(level_plural: str) -> str:
    singular = {"ICBs": "a system", "trusts": "a trust", "councils": "a council"}
    return singular.get(level_plural, "an organisation")


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


# From the store's comparison rows (one per organisation, measure and month) to a benchmark

# The comparison level of a framework area type: the system is an ICB, a provider a trust and
# a place an upper-tier council (Northamptonshire's places are its two unitary councils).
LEVEL_OF_AREA_TYPE: Final[dict[str, str]] = {
    "system": "icb",
    "provider": "trust",
    "place": "council",
}
LEVEL_PLURAL: Final[dict[str, str]] = {"icb": "ICBs", "trust": "trusts", "council": "councils"}


@dataclass(frozen=True)
class PeerTable:
    """Every peer's figures for one measure, level and month, with limits and bands."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    figures: FloatArray  # in the KPI's unit (a proportion times ``scale`` for a %)
    numerators: FloatArray
    denominators: FloatArray
    ranks: NDArray[np.int64]
    bands: tuple[Band, ...]
    lower_95: FloatArray
    upper_95: FloatArray
    lower_998: FloatArray
    upper_998: FloatArray
    england: float | None
    method: str
    funnel: Funnel | NoFunnel | None
    scale: float


def is_proportion(unit: str, numerators: ArrayLike, denominators: ArrayLike) -> bool:
    """A funnel needs a % KPI whose comparison rows give counts behind every value."""
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    return unit == "%" and bool(num.size) and bool((~np.isnan(num) & ~np.isnan(den)).any())


def peer_table(
    codes: Sequence[str],
    names: Sequence[str],
    values: ArrayLike,
    numerators: ArrayLike,
    denominators: ArrayLike,
    england: tuple[float | None, float | None, float | None],
    unit: str,
    direction: Direction,
    min_peers: int = MIN_PEERS,
) -> PeerTable:
    """Limits, bands and ranks for every peer; ``england`` is (value, numerator, denominator)."""
    vals = np.asarray(values, dtype=np.float64)
    num = np.asarray(numerators, dtype=np.float64)
    den = np.asarray(denominators, dtype=np.float64)
    nan = np.full(vals.shape, np.nan)
    england_value, england_num, england_den = england
    if is_proportion(unit, num, den):
        scale = 100.0
        result = funnel(num, den, england_num, england_den, direction, min_peers)
        with np.errstate(divide="ignore", invalid="ignore"):
            proportions = np.where(den > 0, num / den, np.nan)
        target = (
            england_num / england_den
            if england_num is not None and england_den is not None and england_den > 0
            else None
        )
        if isinstance(result, Funnel):
            return PeerTable(
                tuple(codes),
                tuple(names),
                result.y * scale,
                num,
                den,
                ranks(result.y, direction),
                result.bands,
                result.lower_95 * scale,
                result.upper_95 * scale,
                result.lower_998 * scale,
                result.upper_998 * scale,
                result.target * scale,
                "funnel",
                result,
                scale,
            )
        return PeerTable(
            tuple(codes),
            tuple(names),
            proportions * scale,
            num,
            den,
            ranks(proportions, direction),
            tuple(Band.NOT_COMPARABLE for _ in vals),
            nan,
            nan,
            nan,
            nan,
            None if target is None else target * scale,
            "rank",
            result,
            scale,
        )
    return PeerTable(
        tuple(codes),
        tuple(names),
        vals,
        num,
        den,
        ranks(vals, direction),
        tuple(Band.NOT_COMPARABLE for _ in vals),
        nan,
        nan,
        nan,
        nan,
        england_value,
        "rank",
        None,
        1.0,
    )


def benchmark_of(table: PeerTable, org_code: str) -> Benchmark | None:
    """The benchmark of one organisation in a peer table (None when it is not a peer)."""
    if org_code not in table.codes:
        return None
    i = table.codes.index(org_code)
    own = table.figures[i]
    value = None if np.isnan(own) else float(own)
    rank = int(table.ranks[i]) or None
    peers = int((~np.isnan(table.figures)).sum())
    if table.method == "funnel" and isinstance(table.funnel, Funnel):
        return _from_funnel(table.funnel, i, value, rank, table.scale)
    reason = (
        table.funnel.reason
        if isinstance(table.funnel, NoFunnel)
        else "The measure has no denominator, so it is ranked, not tested against England."
    )
    excluded = table.funnel.excluded if isinstance(table.funnel, NoFunnel) else {}
    return Benchmark(
        value,
        table.england,
        peers,
        rank,
        Band.NOT_COMPARABLE,
        "rank",
        None,
        None,
        None,
        None,
        reason,
        excluded,
    )


@dataclass(frozen=True)
class ComparisonRows:
    """The store's comparison rows of one measure and month, split by level, as arrays."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    figures: FloatArray
    numerators: FloatArray
    denominators: FloatArray


def split_comparisons(
    frame: pd.DataFrame,
) -> dict[tuple[str, str, str], ComparisonRows]:
    """Comparison rows keyed by (source_key, period, org_level), in one pass over the frame.

    Each part is ordered by organisation code; the split is one sort of plain arrays.
    """
    out: dict[tuple[str, str, str], ComparisonRows] = {}
    if frame.empty:
        return out
    groups = [
        pd.factorize(frame[c].astype(str), sort=True)
        for c in ("source_key", "period", "org_level", "org_code")
    ]
    keys, periods, levels, codes = (g[0] for g in groups)
    uniques = [np.asarray(g[1], dtype=object) for g in groups]
    names = frame["org_name"].astype(str).to_numpy(dtype=object)
    figures, numerators, denominators = (
        frame[c].to_numpy(dtype=np.float64, na_value=np.nan)
        for c in ("value", "numerator", "denominator")
    )
    order = np.lexsort((codes, levels, periods, keys))
    keys, periods, levels, codes, names = (a[order] for a in (keys, periods, levels, codes, names))
    figures, numerators, denominators = (a[order] for a in (figures, numerators, denominators))
    code_text = uniques[3][codes]
    changed = (keys[1:] != keys[:-1]) | (periods[1:] != periods[:-1]) | (levels[1:] != levels[:-1])
    bounds = [0, *(np.flatnonzero(changed) + 1).tolist(), len(order)]
    for start, stop in itertools.pairwise(bounds):
        key = (
            str(uniques[0][keys[start]]),
            str(uniques[1][periods[start]]),
            str(uniques[2][levels[start]]),
        )
        out[key] = ComparisonRows(
            tuple(code_text[start:stop].tolist()),
            tuple(names[start:stop].tolist()),
            figures[start:stop],
            numerators[start:stop],
            denominators[start:stop],
        )
    return out


def level_table(
    split: Mapping[tuple[str, str, str], ComparisonRows],
    source_key: str,
    period: str,
    level: str,
    unit: str,
    direction: Direction,
    members: Sequence[str] = (),
) -> PeerTable | None:
    """The peer table of a measure, month and level (only ``members`` when given)."""
    rows = split.get((source_key, period, level))
    if rows is None:
        return None
    england = split.get((source_key, period, "england"))
    england_values: tuple[float | None, float | None, float | None] = (None, None, None)
    if england is not None and england.codes:
        england_values = tuple(  # type: ignore[assignment]
            None if np.isnan(a[0]) else float(a[0])
            for a in (england.figures, england.numerators, england.denominators)
        )
    keep = np.ones(len(rows.codes), dtype=bool)
    if members:
        wanted = set(members)
        keep = np.array([c in wanted for c in rows.codes], dtype=bool)
    return peer_table(
        [c for c, k in zip(rows.codes, keep, strict=True) if k],
        [n for n, k in zip(rows.names, keep, strict=True) if k],
        rows.figures[keep],
        rows.numerators[keep],
        rows.denominators[keep],
        england_values,
        unit,
        direction,
    )
