"""Data-quality kite marks: timeliness, completeness, validation, sign-off, audit and source."""

from __future__ import annotations

import itertools
import math

import pandas as pd
import pytest

from scorecard.statistics.quality import (
    DIMENSIONS,
    RATINGS,
    KiteMark,
    Mark,
    combine,
    kpi_quality,
    quality_frame,
    series_quality,
)
from scorecard.thread.domain import (
    Area,
    AreaType,
    Direction,
    Framework,
    Frequency,
    Kpi,
    Provenance,
    Tier,
    Unit,
)


def kpi(code, frequency=Frequency.MONTHLY, unit=Unit.COUNT):
    return Kpi(
        code=code,
        name=f"KPI {code}",
        definition="d",
        numerator="n",
        denominator="d",
        unit=unit,
        direction=Direction.INCREASE,
        frequency=frequency,
        tier=Tier.LEAD,
        owner_role="o",
        data_source="s",
        area_types=(AreaType.SYSTEM, AreaType.PLACE),
        provenance=Provenance.SEED,
        source="t",
    )


FW = Framework(
    population_outcomes=(),
    ambitions=(),
    pillars=(),
    outcomes=(),
    bricks=(),
    kpis=(kpi("M"), kpi("Q", Frequency.QUARTERLY), kpi("P", unit=Unit.PERCENT)),
    i_statements=(),
    areas=(
        Area("QPM", "ICB", AreaType.SYSTEM),
        Area("N", "North", AreaType.PLACE, "QPM"),
        Area("W", "West", AreaType.PLACE, "QPM"),
    ),
    links=(),
)


def months_back(end: str, n: int, step: int = 1) -> list[str]:
    year, month = int(end[:4]), int(end[5:7])
    index = year * 12 + month - 1
    return sorted(
        f"{(index - k * step) // 12:04d}-{(index - k * step) % 12 + 1:02d}" for k in range(n)
    )


def obs(
    kpi_code, area, periods, values=None, *, status="final", num=None, den=None, synthetic=False
):
    n = len(periods)
    values = [10.0] * n if values is None else values
    return pd.DataFrame(
        {
            "kpi_code": [kpi_code] * n,
            "area_code": [area] * n,
            "period": periods,
            "value": [float(v) for v in values],
            "numerator": [math.nan] * n if num is None else num,
            "denominator": [math.nan] * n if den is None else den,
            "status": [status] * n if isinstance(status, str) else status,
            "note": [""] * n,
            "load_id": [1] * n,
            "synthetic": [synthetic] * n if isinstance(synthetic, bool) else synthetic,
        }
    )


def one(frame, kpi_code="M", area="QPM", month="2024-06", history=None):
    items = series_quality(FW, frame, month, history=history, area=area)
    (item,) = [i for i in items if i.kpi_code == kpi_code]
    return item


@pytest.mark.parametrize(
    ("kpi_code", "latest", "step", "lag", "rating"),
    [
        pytest.param("M", "2024-06", 1, 0, "good", id="monthly-current"),
        pytest.param("M", "2024-05", 1, 1, "good", id="monthly-one-behind-on-time"),
        pytest.param("M", "2024-04", 1, 2, "attention", id="monthly-two-behind-late"),
        pytest.param("M", "2024-02", 1, 4, "poor", id="monthly-four-behind"),
        pytest.param("Q", "2024-03", 3, 3, "good", id="quarterly-on-time"),
        pytest.param("Q", "2023-12", 3, 6, "attention", id="quarterly-late"),
        pytest.param("Q", "2023-06", 3, 12, "poor", id="quarterly-very-late"),
    ],
)
def test_timeliness_against_frequency(kpi_code, latest, step, lag, rating):
    item = one(obs(kpi_code, "QPM", months_back(latest, 8, step)), kpi_code)
    assert item.lag_months == lag
    assert item.on_time is (rating == "good")
    mark = item.kite_mark.mark("timeliness")
    assert mark.rating == rating
    assert ("late" in mark.sentence) is (rating != "good")


def test_no_data_is_poor_everywhere_it_matters():
    item = one(obs("M", "N", months_back("2024-06", 3)), "M", "QPM")
    assert item.latest_period is None
    assert item.kite_mark.mark("timeliness").rating == "poor"
    assert item.kite_mark.mark("completeness").rating == "poor"
    assert item.kite_mark.mark("timeliness").sentence == "No data at or before June 2024."


@pytest.mark.parametrize(
    ("drop", "start_len", "expected", "present", "rating"),
    [
        pytest.param(0, 24, 12, 12, "good", id="full-year"),
        pytest.param(1, 24, 12, 11, "attention", id="one-gap"),
        pytest.param(4, 24, 12, 8, "poor", id="four-gaps"),
        pytest.param(0, 5, 5, 5, "good", id="new-kpi-not-penalised"),
    ],
)
def test_completeness_over_the_last_year(drop, start_len, expected, present, rating):
    periods = months_back("2024-06", start_len)
    gone = set(periods[-2 - drop : -2]) if drop else set()
    item = one(obs("M", "QPM", [p for p in periods if p not in gone]))
    assert (item.expected_periods, item.present_periods) == (expected, present)
    assert item.kite_mark.mark("completeness").rating == rating


def test_a_late_month_counts_as_missing():
    # shown for June: April and May are due, June itself is not yet (one month's grace)
    item = one(obs("M", "QPM", months_back("2024-03", 24)))
    assert item.expected_periods == 11
    assert item.present_periods == 9
    assert "2024-04, 2024-05" in item.kite_mark.mark("completeness").sentence


def test_completeness_across_areas():
    frame = pd.concat(
        [
            obs("M", "QPM", months_back("2024-06", 12)),
            obs("M", "N", months_back("2024-06", 12)),
            obs("M", "W", months_back("2024-05", 12)),
        ]
    )
    (m,) = [q for q in kpi_quality(FW, frame, "2024-06") if q.kpi_code == "M"]
    assert (m.reference_period, m.areas_expected, m.areas_reporting) == ("2024-06", 3, 2)
    mark = m.kite_mark.mark("completeness")
    assert mark.sentence.startswith("2 of 3 areas have data for June 2024")
    assert mark.rating == "poor"  # 2 of 3 is under 80%
    assert m.kite_mark.mark("timeliness").rating == "good"  # May is on time for June


@pytest.mark.parametrize(
    ("kpi_code", "values", "num", "den", "invalid"),
    [
        pytest.param("P", [50.0, 60.0], [5.0, 6.0], [10.0, 10.0], 0, id="consistent-percent"),
        pytest.param("P", [120.0, 60.0], None, None, 1, id="percent-over-100"),
        pytest.param(
            "P", [50.0, 60.0], [5.0, 12.0], [10.0, 10.0], 1, id="numerator-over-denominator"
        ),
        pytest.param("P", [50.0, 61.0], [5.0, 6.0], [10.0, 10.0], 1, id="value-disagrees"),
        pytest.param("M", [-1.0, 3.0], None, None, 1, id="negative-count"),
    ],
)
def test_validation_rechecks_load_rules(kpi_code, values, num, den, invalid):
    item = one(obs(kpi_code, "QPM", ["2024-05", "2024-06"], values, num=num, den=den), kpi_code)
    assert item.invalid == invalid
    assert item.kite_mark.mark("validation").rating == ("good" if invalid == 0 else "poor")


@pytest.mark.parametrize(
    ("statuses", "rating", "old"),
    [
        pytest.param(["final"] * 12, "good", 0, id="all-final"),
        pytest.param(["final"] * 10 + ["provisional"] * 2, "attention", 0, id="latest-provisional"),
        pytest.param(["final"] * 9 + ["provisional"] * 3, "attention", 0, id="three-latest"),
        pytest.param(["provisional"] + ["final"] * 11, "poor", 1, id="old-provisional"),
    ],
)
def test_sign_off(statuses, rating, old):
    item = one(obs("M", "QPM", months_back("2024-06", 12), status=statuses))
    assert item.provisional == statuses.count("provisional")
    assert item.provisional_old == old
    assert item.kite_mark.mark("sign_off").rating == rating


def history_with_revisions(periods, revised):
    base = obs("M", "QPM", periods)
    again = obs("M", "QPM", revised, [11.0] * len(revised))
    return pd.concat([base, again], ignore_index=True)


@pytest.mark.parametrize(
    ("revised", "rating"),
    [
        pytest.param([], "good", id="none"),
        pytest.param(["2024-01"], "good", id="1-of-24"),
        pytest.param(["2024-01", "2024-02", "2024-03"], "attention", id="3-of-24"),
        pytest.param(months_back("2024-06", 6), "poor", id="6-of-24"),
    ],
)
def test_audit_counts_values_revised_after_first_load(revised, rating):
    periods = months_back("2024-06", 24)
    item = one(obs("M", "QPM", periods), history=history_with_revisions(periods, revised))
    assert item.revised == len(revised)
    assert item.kite_mark.mark("audit").rating == rating


def test_revisions_after_the_month_shown_are_ignored():
    periods = months_back("2024-06", 24)
    item = one(
        obs("M", "QPM", periods),
        month="2024-03",
        history=history_with_revisions(periods, ["2024-05"]),
    )
    assert item.revised == 0


def test_audit_without_history_says_unknown():
    item = one(obs("M", "QPM", months_back("2024-06", 12)))
    assert item.revised is None
    assert item.kite_mark.mark("audit").rating == "attention"


@pytest.mark.parametrize(
    ("synthetic", "rating"),
    [
        pytest.param([False] * 4, "good", id="real"),
        pytest.param([True] * 4, "poor", id="all-synthetic"),
        pytest.param([True, False, False, False], "attention", id="mixed"),
    ],
)
def test_source_labels_synthetic_data(synthetic, rating):
    item = one(obs("M", "QPM", months_back("2024-06", 4), synthetic=synthetic))
    mark = item.kite_mark.mark("source")
    assert mark.rating == rating
    assert ("SYNTHETIC" in mark.sentence) is any(synthetic)


def test_every_series_has_every_dimension_in_order():
    frame = obs("M", "QPM", months_back("2024-06", 12))
    items = series_quality(FW, frame, "2024-06")
    assert [(i.kpi_code, i.area_code) for i in items] == [
        (k, a) for k in ("M", "Q", "P") for a in ("QPM", "N", "W")
    ]
    for item in items:
        assert tuple(m.dimension for m in item.kite_mark.marks) == DIMENSIONS
        assert all(m.rating in ("good", "attention", "poor") for m in item.kite_mark.marks)


def mark_with(rating):
    return KiteMark(tuple(Mark(d, rating, "") for d in DIMENSIONS))


@pytest.mark.parametrize(
    ("ratings", "combined"),
    [
        pytest.param(["good"] * 4, "good", id="all-good"),
        pytest.param(["good"] * 3 + ["poor"], "attention", id="one-poor-in-four"),
        pytest.param(["good"] * 2 + ["poor"] * 2, "poor", id="half-poor"),
        pytest.param(["attention"] * 4, "attention", id="all-attention"),
    ],
)
def test_combine_counts_never_averages(ratings, combined):
    frame = obs("M", "QPM", months_back("2024-06", 12))
    base = one(frame)
    items = [
        type(base)(**{**base.__dict__, "kite_mark": mark_with(r)})  # same numbers, set ratings
        for r in ratings
    ]
    result = combine(items)
    assert {m.rating for m in result.marks} == {combined}
    assert (
        result.mark("timeliness").sentence
        == "4 of 4 KPI × area series on time; 0 late or without data."
    )


def test_overall_is_the_worst_dimension():
    marks = KiteMark((Mark("timeliness", "good", ""), Mark("audit", "attention", "")))
    assert marks.overall == "attention"
    assert marks.summary == "timeliness good, audit (revisions) attention"


@pytest.mark.parametrize(
    ("kite", "source", "overall"),
    [
        pytest.param("good", "good", "good", id="all-good"),
        pytest.param("good", "attention", "good", id="some-synthetic-source-not-counted"),
        pytest.param("good", "poor", "attention", id="never-good-over-a-poor-source"),
        pytest.param("attention", "poor", "attention", id="attention-stays"),
        pytest.param("poor", "good", "poor", id="a-poor-kite-dimension-is-poor"),
        pytest.param("poor", "poor", "poor", id="poor-and-poor"),
    ],
)
def test_overall_is_never_better_than_one_step_above_any_dimension(kite, source, overall):
    marks = KiteMark(
        (
            Mark("timeliness", "good", ""),
            Mark("audit", kite, ""),
            Mark("source", source, "SYNTHETIC"),
        )
    )
    assert marks.overall == overall
    worst = max(RATINGS.index(m.rating) for m in marks.marks)
    assert RATINGS.index(marks.overall) >= worst - 1


def test_no_overall_good_beside_a_poor_dimension_in_any_combination():
    for ratings in itertools.product(RATINGS, repeat=len(DIMENSIONS)):
        marks = KiteMark(tuple(Mark(d, r, "") for d, r in zip(DIMENSIONS, ratings, strict=True)))
        if "poor" in ratings:
            assert marks.overall != "good", ratings


def test_quality_frame_has_rating_and_note_per_dimension():
    frame = obs("M", "QPM", months_back("2024-06", 12))
    table = quality_frame(kpi_quality(FW, frame, "2024-06"))
    assert list(table["kpi_code"]) == ["M", "Q", "P"]
    for dimension in DIMENSIONS:
        assert dimension in table.columns
        assert f"{dimension}_note" in table.columns
    assert table.loc[0, "areas"] == "1 of 3"


# --- the loop implementation before vectorising, kept only as a reference for equivalence ---


def _reference_revised_keys(history, month):
    if history is None or history.empty:
        return {}
    frame = history.loc[history["period"].astype(str) <= month, ["kpi_code", "area_code", "period"]]
    counts = frame.groupby(["kpi_code", "area_code", "period"], sort=False).size()
    revised = {}
    for key, count in counts.items():
        if int(count) > 1:
            kpi_code, area_code, period = key
            revised.setdefault((str(kpi_code), str(area_code)), set()).add(str(period))
    return revised


def _reference_one_series(kpi, area_code, rows, month, revised_periods):
    from scorecard.statistics import quality as q
    from scorecard.thread.periods import month_index, period_of_index

    periods = sorted(str(p) for p in rows["period"].tolist())
    n = len(periods)
    latest = periods[-1] if periods else None
    month_no = month_index(month)
    lag = None if latest is None else month_no - month_index(latest)
    allowed = q.ALLOWED_LAG.get(kpi.frequency, 1)
    step = q.STEP_MONTHS.get(kpi.frequency, 1)
    expected_list = []
    if latest is not None:
        start = max(month_no - q.WINDOW_MONTHS + 1, month_index(periods[0]))
        due = month_index(latest)
        while due + step <= month_no - allowed:
            due += step
        index = due
        while index >= start:
            expected_list.append(period_of_index(index))
            index -= step
    present_set = set(periods)
    present = sum(1 for p in expected_list if p in present_set)
    missing = sorted(p for p in expected_list if p not in present_set)
    statuses = [str(s) for s in rows["status"].tolist()]
    by_period = dict(zip([str(p) for p in rows["period"].tolist()], statuses, strict=True))
    provisional_periods = [p for p in periods if by_period.get(p) == "provisional"]
    recent = set(periods[-q.SIGN_OFF_GRACE :])
    old = sum(1 for p in provisional_periods if p not in recent)
    invalid = int(q.invalid_mask(kpi, rows).sum()) if n else 0
    synthetic = int(rows["synthetic"].fillna(False).astype(bool).sum()) if n else 0
    revised = None if revised_periods is None else len(revised_periods)
    marks = (
        q._timeliness(kpi, latest, lag, allowed, month),
        q._completeness(present, len(expected_list), missing),
        q._validation(invalid, n),
        q._sign_off(len(provisional_periods), old, n),
        q._audit(revised, n),
        q._source(synthetic, n),
    )
    return q.SeriesQuality(
        kpi_code=kpi.code,
        area_code=area_code,
        frequency=str(kpi.frequency),
        month=month,
        latest_period=latest,
        lag_months=lag,
        allowed_lag=allowed,
        expected_periods=len(expected_list),
        present_periods=present,
        n_values=n,
        invalid=invalid,
        revised=revised,
        provisional=len(provisional_periods),
        provisional_old=old,
        synthetic=synthetic,
        kite_mark=q.KiteMark(marks),
    )


def reference_series_quality(fw, current, month, history=None, area=None):
    """``series_quality`` as it was before vectorising: one pandas slice per KPI × area."""
    columns = ("kpi_code", "area_code", "period", "value", "numerator", "denominator")
    columns += ("status", "synthetic")
    if current.empty:
        frame = pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    else:
        frame = current.loc[current["period"].astype(str) <= month]
    groups = {}
    for key, rows in frame.groupby(["kpi_code", "area_code"], sort=False):
        kpi_code, area_code = key
        groups[(str(kpi_code), str(area_code))] = rows
    revised = _reference_revised_keys(history, month)
    empty = frame.iloc[0:0]
    out = []
    for k in fw.kpis:
        for item in fw.kpi_areas(k.code):
            if area is not None and item.code != area:
                continue
            rows = groups.get((k.code, item.code), empty)
            periods = None if history is None else revised.get((k.code, item.code), set())
            out.append(_reference_one_series(k, item.code, rows, month, periods))
    return out


def random_store(seed, n_kpis=12, n_areas=9, n_months=40, duplicates=False):
    """A randomised framework and store: every frequency and unit, gaps, late series, bad values,
    provisional and synthetic values, codes outside the framework, and a history with revisions."""
    import numpy as np

    rng = np.random.default_rng(seed)
    frequencies = (Frequency.MONTHLY, Frequency.QUARTERLY, Frequency.ANNUAL)
    units = tuple(Unit)
    kpis = tuple(
        kpi(f"K{i:02d}", frequencies[i % 3], units[(i // 3) % len(units)]) for i in range(n_kpis)
    )
    places = (Area(f"A{i}", f"Area {i}", AreaType.PLACE, "SYS") for i in range(n_areas - 1))
    areas = (Area("SYS", "System", AreaType.SYSTEM), *places)
    fw = Framework(
        population_outcomes=(),
        ambitions=(),
        pillars=(),
        outcomes=(),
        bricks=(),
        kpis=kpis,
        i_statements=(),
        areas=areas,
        links=(),
    )
    end = 2024 * 12 + 5
    records = []
    for k in (*kpis, kpi("STRAY")):
        step = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.ANNUAL: 12}[k.frequency]
        for a in (*areas, Area("GONE", "Gone", AreaType.PLACE, "SYS")):
            if rng.random() < 0.1:
                continue  # no data at all
            stop = end - int(rng.choice([0, 0, 0, 1, 2, 4, 7, 15, 30]))
            first = stop - int(rng.integers(1, n_months))
            for index in range(stop, first, -step):
                if rng.random() < 0.1:
                    continue  # a gap
                value = float(rng.uniform(0, 100))
                num, den = math.nan, math.nan
                if rng.random() < 0.5:
                    den = float(rng.integers(1, 50))
                    num = float(rng.integers(0, 60))
                    value = 100 * num / den if rng.random() < 0.8 else value
                if rng.random() < 0.05:
                    value = float(rng.choice([-3.0, 150.0, math.nan, math.inf]))
                records.append(
                    {
                        "kpi_code": k.code,
                        "area_code": a.code,
                        "period": f"{index // 12:04d}-{index % 12 + 1:02d}",
                        "value": value,
                        "numerator": num,
                        "denominator": den,
                        "status": "provisional" if rng.random() < 0.15 else "final",
                        "note": "",
                        "load_id": 1,
                        "synthetic": bool(rng.random() < 0.3),
                    }
                )
    current = pd.DataFrame.from_records(records)
    current = current.sample(frac=1.0, random_state=seed).reset_index(drop=True)  # any row order
    if duplicates:
        extra = current.sample(frac=0.05, random_state=seed + 1).copy()
        extra["status"] = "provisional"
        current = pd.concat([current, extra], ignore_index=True)
    revised = current.sample(frac=0.08, random_state=seed + 2)
    history = pd.concat([current, revised, revised.head(5)], ignore_index=True)
    return fw, current, history


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("month", ["2024-06", "2023-11", "2021-01"])
def test_series_quality_matches_the_loop_reference(seed, month):
    fw, current, history = random_store(seed)
    for hist in (history, None):
        assert series_quality(fw, current, month, hist) == reference_series_quality(
            fw, current, month, hist
        )
    for area in ("SYS", "A3", "GONE"):
        rows = current.loc[current["area_code"] == area]
        assert series_quality(fw, rows, month, history, area) == reference_series_quality(
            fw, rows, month, history, area
        )


def test_series_quality_matches_the_reference_with_duplicate_keys_and_odd_dtypes():
    fw, current, history = random_store(7, duplicates=True)
    assert series_quality(fw, current, "2024-06", history) == reference_series_quality(
        fw, current, "2024-06", history
    )
    odd = current.astype({"synthetic": "object", "status": "category"})
    odd.loc[odd.index[:7], "synthetic"] = None
    assert series_quality(fw, odd, "2024-05", history) == reference_series_quality(
        fw, odd, "2024-05", history
    )


def test_series_quality_matches_the_reference_on_empty_frames():
    fw, current, history = random_store(4)
    for frame in (current.iloc[0:0], pd.DataFrame()):
        assert series_quality(fw, frame, "2024-06", history) == reference_series_quality(
            fw, frame, "2024-06", history
        )
    assert series_quality(fw, current, "2024-06", history.iloc[0:0]) == (
        reference_series_quality(fw, current, "2024-06", history.iloc[0:0])
    )


def test_kpi_quality_matches_the_reference():
    from scorecard.statistics import quality as q

    fw, current, history = random_store(5)
    expected = reference_series_quality(fw, current, "2024-06", history)
    got = kpi_quality(fw, current, "2024-06", history)
    assert [s for item in got for s in item.series] == expected
    by_kpi = {}
    for item in expected:
        by_kpi.setdefault(item.kpi_code, []).append(item)
    for item in got:
        series = by_kpi[item.kpi_code]
        marks = q.combine(series)
        assert item.kite_mark.mark("timeliness") == marks.mark("timeliness")
        assert item.kite_mark.mark("audit") == marks.mark("audit")
