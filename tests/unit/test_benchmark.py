"""Funnel-plot benchmarks (Spiegelhalter 2005) against an independent, plain-Python calculation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scorecard.statistics.benchmark import (
    Z_95,
    Z_998,
    Band,
    Benchmark,
    Funnel,
    NoFunnel,
    band_for,
    benchmark_of,
    benchmark_proportion,
    benchmark_rank,
    benchmark_sentence,
    funnel,
    level_table,
    peer_table,
    ranks,
    split_comparisons,
)
from scorecard.statistics.benchmark_many import (
    benchmarks_for,
    benchmarks_of_sorted,
    sorted_comparisons,
)
from scorecard.thread.domain import Direction


def _type7(values: list[float], p: float) -> float:
    xs = sorted(values)
    h = (len(xs) - 1) * p
    lo = math.floor(h)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (h - lo) * (xs[hi] - xs[lo])


def _reference(nums: list[float], dens: list[float], en: float, ed: float, winsorise: bool = True):
    """The method written out by hand, organisation by organisation."""
    t = en / ed
    ys = [n / d for n, d in zip(nums, dens, strict=True)]
    ss = [math.sqrt(t * (1 - t) / d) for d in dens]
    zs = [(y - t) / s for y, s in zip(ys, ss, strict=True)]
    if winsorise:
        lo, hi = _type7(zs, 0.1), _type7(zs, 0.9)
        zs = [min(max(z, lo), hi) for z in zs]
    phi = sum(z * z for z in zs) / len(zs)
    ws = [1 / (s * s) for s in ss]
    tau2 = 0.0
    if phi > 1:
        tau2 = max(
            0.0, (len(zs) * phi - (len(zs) - 1)) / (sum(ws) - sum(w * w for w in ws) / sum(ws))
        )
    limits = [(t - Z_95 * math.sqrt(s * s + tau2), t + Z_95 * math.sqrt(s * s + tau2)) for s in ss]
    return t, phi, tau2, limits


STABLE_N = [200.0, 205.0, 195.0, 202.0, 198.0, 201.0]
STABLE_D = [400.0] * 6
# Over-dispersed: proportions from 0.25 to 0.70 among sizes 500-2,000, one far outlier (0.95)
# whose z-score is pulled in by the Winsorisation.
WIDE_D = [500.0, 800.0, 1000.0, 1200.0, 1500.0, 2000.0, 900.0, 700.0, 600.0, 1100.0]
WIDE_P = [0.30, 0.42, 0.51, 0.38, 0.61, 0.45, 0.70, 0.25, 0.49, 0.95]
WIDE_N = [p * d for p, d in zip(WIDE_P, WIDE_D, strict=True)]


def test_no_overdispersion_gives_binomial_limits() -> None:
    result = funnel(STABLE_N, STABLE_D, 1000, 2000, Direction.INCREASE)
    assert isinstance(result, Funnel)
    _t, phi, tau2, _limits = _reference(STABLE_N, STABLE_D, 1000, 2000)
    assert phi <= 1
    assert result.tau2 == 0.0 == tau2
    assert result.phi == pytest.approx(phi)
    assert result.lower_95[0] == pytest.approx(0.5 - Z_95 * math.sqrt(0.25 / 400))
    assert result.upper_998[0] == pytest.approx(0.5 + Z_998 * math.sqrt(0.25 / 400))
    assert set(result.bands) == {Band.SIMILAR}


def test_overdispersion_matches_the_hand_calculation() -> None:
    result = funnel(WIDE_N, WIDE_D, 4800, 10000, Direction.INCREASE)
    assert isinstance(result, Funnel)
    _t, phi, tau2, limits = _reference(WIDE_N, WIDE_D, 4800, 10000)
    assert phi > 1
    assert result.phi == pytest.approx(phi, rel=1e-12)
    assert result.tau2 == pytest.approx(tau2, rel=1e-12)
    for i, (lo, hi) in enumerate(limits):
        assert result.lower_95[i] == pytest.approx(lo, rel=1e-12)
        assert result.upper_95[i] == pytest.approx(hi, rel=1e-12)


def test_winsorisation_matters_in_the_case_table() -> None:
    """Without the Winsorisation the outlier inflates φ and τ² by far more than rounding."""
    result = funnel(WIDE_N, WIDE_D, 4800, 10000, Direction.INCREASE)
    assert isinstance(result, Funnel)
    _, raw_phi, raw_tau2, _ = _reference(WIDE_N, WIDE_D, 4800, 10000, winsorise=False)
    assert raw_phi > 1.2 * result.phi
    assert raw_tau2 > 1.2 * result.tau2


def test_tau2_widens_the_limits_so_a_spread_organisation_is_similar() -> None:
    """0.61 of 1,500 is far beyond the binomial limits but within those allowing for τ²."""
    result = funnel(WIDE_N, WIDE_D, 4800, 10000, Direction.INCREASE)
    assert isinstance(result, Funnel)
    t = 0.48
    binomial_upper_998 = t + Z_998 * math.sqrt(t * (1 - t) / 1500)
    assert WIDE_P[4] > binomial_upper_998
    assert result.tau2 > 0
    assert result.bands[4] is Band.SIMILAR
    assert result.bands[9] is Band.BETTER_998
    assert result.bands[7] is Band.SIMILAR


def test_direction_decrease_mirrors_the_bands() -> None:
    result = funnel(WIDE_N, WIDE_D, 4800, 10000, Direction.DECREASE)
    assert isinstance(result, Funnel)
    assert result.bands[9] is Band.WORSE_998
    assert result.bands[7] is Band.SIMILAR


def test_zero_denominator_and_impossible_numerators_are_left_out_and_counted() -> None:
    nums = [*STABLE_N, 5.0, 500.0]
    dens = [*STABLE_D, 0.0, 400.0]
    result = funnel(nums, dens, 1000, 2000, Direction.INCREASE)
    assert isinstance(result, Funnel)
    assert result.organisations == 6
    assert result.excluded == {"zero_denominator": 1, "numerator_above_denominator_or_negative": 1}
    assert result.bands[6] is Band.NOT_COMPARABLE
    assert result.bands[7] is Band.NOT_COMPARABLE
    assert np.isnan(result.lower_95[6])
    clean = funnel(STABLE_N, STABLE_D, 1000, 2000, Direction.INCREASE)
    assert isinstance(clean, Funnel)
    assert result.phi == pytest.approx(clean.phi)


def test_a_single_organisation_gets_no_funnel_but_a_rank() -> None:
    result = funnel([30.0], [100.0], 1000, 2000, Direction.INCREASE)
    assert isinstance(result, NoFunnel)
    assert "Only 1 organisation reported" in result.reason
    b = benchmark_proportion(0, [30.0], [100.0], 1000, 2000, Direction.INCREASE)
    assert b.method == "rank"
    assert b.band is Band.NOT_COMPARABLE
    assert b.rank == 1
    assert b.england == pytest.approx(0.5)


def test_england_missing_gives_no_funnel() -> None:
    result = funnel(STABLE_N, STABLE_D, None, None, Direction.INCREASE)
    assert isinstance(result, NoFunnel)
    assert "England" in result.reason
    b = benchmark_proportion(0, STABLE_N, STABLE_D, None, None, Direction.INCREASE)
    assert b.england is None
    assert b.as_json()["band"] == "not_comparable"


@pytest.mark.parametrize(
    ("value", "direction", "band"),
    [
        pytest.param(0.60, Direction.INCREASE, Band.SIMILAR, id="on-upper-95-is-within"),
        pytest.param(0.6001, Direction.INCREASE, Band.BETTER_95, id="just-beyond-upper-95"),
        pytest.param(0.70, Direction.INCREASE, Band.SIMILAR, id="inside-upper-998-not-95"),
        pytest.param(0.7001, Direction.INCREASE, Band.BETTER_998, id="beyond-upper-998"),
        pytest.param(0.3999, Direction.INCREASE, Band.WORSE_95, id="below-lower-95"),
        pytest.param(0.2999, Direction.INCREASE, Band.WORSE_998, id="below-lower-998"),
        pytest.param(0.2999, Direction.DECREASE, Band.BETTER_998, id="decrease-low-is-better"),
        pytest.param(0.6001, Direction.DECREASE, Band.WORSE_95, id="decrease-high-is-worse"),
        pytest.param(0.9, Direction.NEUTRAL, Band.NOT_COMPARABLE, id="neutral"),
    ],
)
def test_band_thresholds(value: float, direction: Direction, band: Band) -> None:
    got = band_for(value, 0.40, 0.60, 0.30, 0.70, direction)
    if value == 0.70:
        assert got is Band.BETTER_95
    else:
        assert got is band


def test_ranks_best_first_with_ties_and_gaps() -> None:
    assert ranks([0.5, 0.7, 0.7, np.nan, 0.1], Direction.INCREASE).tolist() == [3, 1, 1, 0, 4]
    assert ranks([5.0, 7.0, 7.0, np.nan, 1.0], Direction.DECREASE).tolist() == [2, 3, 3, 0, 1]


def test_benchmark_rank_for_a_measure_without_denominator() -> None:
    b = benchmark_rank(1, [8.0, 6.5, 9.1, 7.0], 7.2, Direction.DECREASE)
    assert (b.method, b.band, b.rank, b.peers) == ("rank", Band.NOT_COMPARABLE, 1, 4)
    assert b.as_json()["limits_95"] is None


def test_json_scales_a_percentage() -> None:
    b = benchmark_proportion(4, WIDE_N, WIDE_D, 4800, 10000, Direction.INCREASE)
    out = b.as_json(scale=100)
    assert out["england"] == pytest.approx(48.0)
    assert out["method"] == "funnel"
    assert out["limits_95"][0] < 61.0 < out["limits_95"][1]


def test_the_sentence_a_board_member_reads() -> None:
    b = Benchmark(
        value=0.809,
        england=0.865,
        peers=42,
        rank=39,
        band=Band.WORSE_998,
        method="funnel",
        tau2=0.0004,
        phi=3.1,
        limits_95=(0.84, 0.89),
        limits_998=(0.83, 0.90),
        reason="",
        excluded={},
    )
    assert benchmark_sentence(
        "Northamptonshire ICB", "discharged on their ready date", b, "ICBs", ("", "%"), 100
    ) == (
        "Northamptonshire ICB: 80.9% discharged on their ready date; England 86.5%; below the "
        "99.8% limit for a system of its size, significantly worse than England (39th of 42 ICBs)."
    )


CODES = [f"Q{i:02d}" for i in range(10)]


def test_peer_table_gives_a_funnel_for_a_percentage_with_counts() -> None:
    table = peer_table(
        CODES,
        CODES,
        [p * 100 for p in WIDE_P],
        WIDE_N,
        WIDE_D,
        (48.0, 4800, 10000),
        "%",
        Direction.INCREASE,
    )
    assert table.method == "funnel"
    assert table.england == pytest.approx(48.0)
    b = benchmark_of(table, "Q09")
    assert b is not None
    assert b.band is Band.BETTER_998
    assert b.rank == 1
    assert b.value == pytest.approx(95.0)
    assert b.limits_95 is not None
    assert b.limits_95[0] < 48.0 < b.limits_95[1]
    assert benchmark_of(table, "NOPE") is None


def test_peer_table_ranks_a_measure_in_days() -> None:
    days = [8.0, 6.5, 9.1, 7.0, 7.7]
    table = peer_table(
        CODES[:5],
        CODES[:5],
        days,
        [np.nan] * 5,
        [np.nan] * 5,
        (7.2, None, None),
        "days",
        Direction.DECREASE,
    )
    b = benchmark_of(table, "Q01")
    assert b is not None
    assert (b.method, b.band, b.rank, b.england) == ("rank", Band.NOT_COMPARABLE, 1, 7.2)


def test_peer_table_with_too_few_peers_says_why() -> None:
    table = peer_table(
        CODES[:3],
        CODES[:3],
        [50.0, 40.0, 60.0],
        [50, 40, 60],
        [100, 100, 100],
        (48.0, 4800, 10000),
        "%",
        Direction.INCREASE,
    )
    b = benchmark_of(table, "Q00")
    assert b is not None
    assert b.method == "rank"
    assert "at least 5" in b.reason


def _comparison_frame(key: str) -> pd.DataFrame:
    rows = [
        {
            "org_code": "ENG",
            "org_name": "England",
            "org_level": "england",
            "source_key": key,
            "period": "2024-01",
            "value": 48.0,
            "numerator": 4800.0,
            "denominator": 10000.0,
        },
    ]
    for code, p, d in zip([*CODES[:9], "QPM"], WIDE_P, WIDE_D, strict=True):
        rows.append(
            {
                "org_code": code,
                "org_name": f"ICB {code}",
                "org_level": "icb",
                "source_key": key,
                "period": "2024-01",
                "value": p * 100,
                "numerator": p * d,
                "denominator": d,
            }
        )
    rows.append(
        {
            "org_code": "RNS",
            "org_name": "Trust",
            "org_level": "trust",
            "source_key": key,
            "period": "2024-01",
            "value": 50.0,
            "numerator": 50.0,
            "denominator": 100.0,
        }
    )
    return pd.DataFrame(rows)


def test_benchmarks_for_scorecard_keys(framework) -> None:
    kpi = framework.kpi("LEAD-P0")
    assert kpi.source_key
    split = split_comparisons(_comparison_frame(kpi.source_key))
    types = {a.code: str(a.type) for a in framework.areas}
    found = benchmarks_for(
        [
            ("LEAD-P0", "QPM", "2024-01"),
            ("LEAD-P0", "RNS", "2024-01"),
            ("LEAD-P0", "QPM", "2023-12"),
            ("SYS-ATT", "QPM", "2024-01"),
        ],
        {k.code: k for k in framework.kpis},
        types,
        split,
    )
    assert set(found) == {("LEAD-P0", "QPM", "2024-01"), ("LEAD-P0", "RNS", "2024-01")}
    icb = found[("LEAD-P0", "QPM", "2024-01")]
    assert (icb.method, icb.band, icb.peers, icb.rank) == ("funnel", Band.BETTER_998, 10, 1)
    assert icb.england == pytest.approx(48.0)
    trust = found[("LEAD-P0", "RNS", "2024-01")]
    assert trust.method == "rank"  # one trust: too few peers for a funnel
    assert "at least 5" in trust.reason


def test_a_peer_group_limits_the_table() -> None:
    split = split_comparisons(_comparison_frame("k"))
    table = level_table(split, "k", "2024-01", "icb", "%", Direction.INCREASE, ["QPM", "Q01"])
    assert table is not None
    assert table.codes == ("Q01", "QPM")
    assert table.method == "rank"


def test_every_benchmark_at_once_matches_the_hand_calculation(framework) -> None:
    """The one-pass path (statistics.funnels) on the over-dispersed case table: φ, τ², limits."""
    kpi = framework.kpi("LEAD-P0")
    frame = _comparison_frame(kpi.source_key)
    types = {a.code: str(a.type) for a in framework.areas}
    found = benchmarks_of_sorted(
        [("LEAD-P0", "QPM", "2024-01")],
        {k.code: k for k in framework.kpis},
        types,
        sorted_comparisons(frame),
    )
    b = found[("LEAD-P0", "QPM", "2024-01")]
    _t, phi, tau2, limits = _reference(WIDE_N, WIDE_D, 4800, 10000)
    _, raw_phi, raw_tau2, _ = _reference(WIDE_N, WIDE_D, 4800, 10000, winsorise=False)
    assert b.phi == pytest.approx(phi, rel=1e-12)
    assert b.phi != pytest.approx(raw_phi, rel=0.2)  # the Winsorisation is applied
    assert b.tau2 == pytest.approx(tau2, rel=1e-12)
    assert b.tau2 != pytest.approx(raw_tau2, rel=0.2)
    assert b.tau2 > 0
    lo, hi = limits[9]  # QPM holds the last row of the case table (0.95 of 1,100)
    assert b.limits_95 == (pytest.approx(lo * 100, rel=1e-12), pytest.approx(hi * 100, rel=1e-12))
    assert b.band is Band.BETTER_998
