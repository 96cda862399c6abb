"""Scorecard rows, roll-ups and month-on-month changes on a small in-memory framework."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from scorecard.domain import (
    Ambition,
    Area,
    AreaTarget,
    AreaType,
    Brick,
    Direction,
    Framework,
    Frequency,
    IStatement,
    Kpi,
    Link,
    LinkKind,
    Outcome,
    Pillar,
    PopulationOutcome,
    Provenance,
    ResultType,
    SpcEvent,
    SpcEventKind,
    Tier,
    Trajectory,
    Unit,
)
from scorecard.scoring import (
    ASSURANCES,
    JSON_FIELDS,
    VARIATIONS,
    ScorecardRow,
    changes_since,
    compute_scorecard,
    kpi_series,
    previous_month,
    rollup,
    summary_sentence,
)

SEED = Provenance.SEED
ILL = Provenance.ILLUSTRATIVE


def kpi(code, name, tier, *, unit=Unit.COUNT, direction=Direction.DECREASE, area_types=None, **kw):
    return Kpi(
        code=code,
        name=name,
        definition=f"definition of {name}",
        numerator="people",
        denominator="",
        unit=unit,
        direction=direction,
        frequency=Frequency.MONTHLY,
        tier=tier,
        owner_role="owner",
        data_source="source",
        area_types=area_types or (AreaType.SYSTEM, AreaType.PLACE),
        provenance=kw.pop("provenance", SEED),
        source="test",
        result_type=ResultType.HOW_MUCH if tier == Tier.ACTIVITY else None,
        **kw,
    )


def link(kind, a, b):
    return Link(kind, a, b, SEED, "test")


def small_framework(spc_events=(), trajectories=(), area_targets=()) -> Framework:
    return Framework(
        population_outcomes=(
            PopulationOutcome("P1", "Stay Well", SEED, "t"),
            PopulationOutcome("P2", "Age Well", SEED, "t"),
        ),
        ambitions=(
            Ambition("A1", "Opportunity to be fit, well and independent", SEED, "t"),
            Ambition("A2", "Access to health and social care when they need it", SEED, "t"),
        ),
        pillars=(
            Pillar("CR", 1, "Community Resilience", "foundation", "m", SEED, "t"),
            Pillar("FEFD", 2, "Frailty, Escalation and Front Door", "foundation", "m", SEED, "t"),
        ),
        outcomes=(
            Outcome(3, "Reduced avoidable escalations", "CR", SEED, "t"),
            Outcome(5, "People with frailty access the services they need", "FEFD", SEED, "t"),
            Outcome(7, "Prevented avoidable admissions into the acute setting", "FEFD", SEED, "t"),
        ),
        bricks=(
            Brick("RR", "Rapid Response", "CR", "H", SEED, "t"),
            Brick("PCNF", "PCN frailty Clinics", "CR", "M", SEED, "t"),
        ),
        kpis=(
            kpi("L1", "Reduced escalations to Acute Hospitals", Tier.LEAD, target_value=90.0),
            kpi("L2", "Reduced ED attendances", Tier.LEAD),
            kpi(
                "ACT1",
                "Avoided attendances due to Community Resilience Intervention",
                Tier.ACTIVITY,
                direction=Direction.INCREASE,
            ),
            kpi(
                "ACT2",
                "Projected additional packages per day to Rapid Response",
                Tier.ACTIVITY,
                direction=Direction.INCREASE,
            ),
            kpi(
                "ACT3",
                "Number of people discussed in GP Reviews",
                Tier.ACTIVITY,
                direction=Direction.INCREASE,
                suppress_small_numbers=True,
            ),
            kpi("SYS1", "Bed days", Tier.SYSTEM, area_types=(AreaType.SYSTEM,)),
            kpi(
                "PCT1",
                "Share discharged home",
                Tier.ACTIVITY,
                unit=Unit.PERCENT,
                direction=Direction.INCREASE,
                area_types=(AreaType.PROVIDER,),
                suppress_small_numbers=True,
            ),
        ),
        i_statements=(
            IStatement(
                "I1",
                "I understand and can access alternative options to the Emergency Department",
                "scorecard",
                "d",
                SEED,
                "t",
            ),
            IStatement(
                "I2", "I am involved in my care and understand my condition.", "p", "d", SEED, "t"
            ),
        ),
        areas=(
            Area("QPM", "NHS Northamptonshire ICB", AreaType.SYSTEM),
            Area("E06000061", "North Northamptonshire", AreaType.PLACE, "QPM"),
            Area("E06000062", "West Northamptonshire", AreaType.PLACE, "QPM"),
            Area("RNS", "Northampton General Hospital", AreaType.PROVIDER, "QPM"),
        ),
        links=(
            link(LinkKind.POPULATION_OUTCOME_AMBITION, "P1", "A1"),
            link(LinkKind.POPULATION_OUTCOME_AMBITION, "P1", "A2"),
            link(LinkKind.POPULATION_OUTCOME_AMBITION, "P2", "A1"),
            link(LinkKind.AMBITION_OUTCOME, "A1", "O7"),
            link(LinkKind.AMBITION_OUTCOME, "A2", "O3"),
            link(LinkKind.AMBITION_OUTCOME, "A1", "O5"),
            link(LinkKind.OUTCOME_LEAD_KPI, "O7", "L1"),
            link(LinkKind.OUTCOME_LEAD_KPI, "O3", "L2"),
            link(LinkKind.OUTCOME_LEAD_KPI, "O5", "L1"),
            link(LinkKind.LEAD_ACTIVITY_KPI, "L1", "ACT1"),
            link(LinkKind.LEAD_ACTIVITY_KPI, "L2", "ACT2"),
            link(LinkKind.LEAD_ACTIVITY_KPI, "L1", "ACT3"),
            link(LinkKind.KPI_I_STATEMENT, "ACT1", "I1"),
            link(LinkKind.KPI_I_STATEMENT, "ACT2", "I1"),
            link(LinkKind.KPI_I_STATEMENT, "ACT3", "I2"),
            link(LinkKind.BRICK_ACTIVITY_KPI, "RR", "ACT2"),
            link(LinkKind.BRICK_ACTIVITY_KPI, "PCNF", "ACT3"),
        ),
        spc_events=tuple(spc_events),
        trajectories=tuple(trajectories),
        area_targets=tuple(area_targets),
    )


def months(start: str, n: int) -> list[str]:
    year, month = int(start[:4]), int(start[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def obs(kpi_code, area_code, periods, values, *, status="final", numerators=None, synthetic=True):
    n = len(periods)
    return pd.DataFrame(
        {
            "kpi_code": [kpi_code] * n,
            "area_code": [area_code] * n,
            "period": periods,
            "value": [float(v) for v in values],
            "numerator": [math.nan] * n if numerators is None else [float(x) for x in numerators],
            "denominator": [math.nan] * n,
            "status": [status] * n if isinstance(status, str) else status,
            "note": [""] * n,
            "load_id": [1] * n,
            "synthetic": [synthetic] * n,
        }
    )


# A steady series of 24 months ending 2024-06 for every KPI × area, so most rows are common cause.
STEADY = [100, 102, 98, 101, 99, 100, 103, 97, 100, 101, 99, 100] * 2
PERIODS = months("2022-07", 24)  # 2022-07 .. 2024-06


@pytest.fixture
def fw() -> Framework:
    return small_framework()


@pytest.fixture
def frame(fw: Framework) -> pd.DataFrame:
    parts = []
    for k in fw.kpis:
        for a in fw.kpi_areas(k.code):
            if k.code == "ACT3":
                continue
            parts.append(obs(k.code, a.code, PERIODS, STEADY))
    parts.append(obs("ACT3", "QPM", PERIODS, [5] * 24))
    parts.append(obs("ACT3", "E06000061", PERIODS, [5] * 24))
    parts.append(obs("ACT3", "E06000062", PERIODS[:20], [8] * 20))  # stops in 2024-02
    return pd.concat(parts, ignore_index=True)


def row_of(rows, kpi_code, area_code) -> ScorecardRow:
    (found,) = [r for r in rows if r.kpi_code == kpi_code and r.area_code == area_code]
    return found


@pytest.mark.parametrize(
    ("month", "kpi_code", "area", "period", "value"),
    [
        pytest.param("2024-06", "L1", "QPM", "2024-06", 100.0, id="month-with-data"),
        pytest.param("2024-04", "L1", "QPM", "2024-04", 101.0, id="earlier-month-ignores-later"),
        pytest.param("2024-12", "L1", "QPM", "2024-06", 100.0, id="after-data-uses-latest"),
        pytest.param("2024-06", "ACT3", "E06000062", "2024-02", 8.0, id="area-stopped-early"),
        pytest.param("2022-06", "L1", "QPM", None, None, id="before-any-data"),
    ],
)
def test_period_is_latest_with_data_at_or_before_month(
    fw, frame, month, kpi_code, area, period, value
):
    rows = compute_scorecard(fw, frame, month)
    row = row_of(rows, kpi_code, area)
    assert row.period == period
    assert row.value == value
    if period is None:
        assert (row.n_points, row.variation, row.assurance) == (0, "none", "none")


def test_one_row_per_kpi_and_each_of_its_areas_in_framework_order(fw, frame):
    rows = compute_scorecard(fw, frame, "2024-06")
    expected = [(k.code, a.code) for k in fw.kpis for a in fw.kpi_areas(k.code)]
    assert [(r.kpi_code, r.area_code) for r in rows] == expected


@pytest.mark.parametrize(
    ("area", "kpis"),
    [
        pytest.param("QPM", ["L1", "L2", "ACT1", "ACT2", "ACT3", "SYS1"], id="system"),
        pytest.param(
            "E06000061", ["L1", "L2", "ACT1", "ACT2", "ACT3"], id="place-omits-system-kpi"
        ),
        pytest.param("RNS", ["PCT1"], id="provider-only-its-kpi"),
    ],
)
def test_area_filter_omits_kpis_not_reported_there(fw, frame, area, kpis):
    rows = compute_scorecard(fw, frame, "2024-06", area=area)
    assert [r.kpi_code for r in rows] == kpis
    assert {r.area_code for r in rows} == {area}


@pytest.mark.parametrize(
    ("kpi_code", "numbers"),
    [
        pytest.param("L1", (5, 7), id="lead-serves-two-outcomes"),
        pytest.param("L2", (3,), id="lead-one-outcome"),
        pytest.param("ACT1", (5, 7), id="activity-via-its-lead"),
        pytest.param("ACT2", (3,), id="activity-other-lead"),
        pytest.param("SYS1", (), id="system-none"),
        pytest.param("PCT1", (), id="unlinked-activity-none"),
    ],
)
def test_outcome_numbers(fw, frame, kpi_code, numbers):
    rows = compute_scorecard(fw, frame, "2024-06", area=None)
    assert {r.outcome_numbers for r in rows if r.kpi_code == kpi_code} == {numbers}


@pytest.mark.parametrize(
    ("kpi_code", "area", "value", "numerator", "suppressed"),
    [
        pytest.param("ACT3", "E06000061", 5, None, True, id="count-5-at-place"),
        pytest.param("ACT3", "E06000061", 7, None, True, id="count-7-at-place"),
        pytest.param("ACT3", "E06000061", 8, None, False, id="count-8-shown"),
        pytest.param("ACT3", "E06000061", 0, None, False, id="zero-shown"),
        pytest.param("ACT3", "QPM", 5, None, False, id="count-5-at-icb-shown"),
        pytest.param("PCT1", "RNS", 50, 3, True, id="percent-numerator-3"),
        pytest.param("PCT1", "RNS", 50, 30, False, id="percent-numerator-30"),
        pytest.param("L1", "E06000061", 5, None, False, id="kpi-not-flagged"),
    ],
)
def test_small_numbers_are_suppressed(fw, kpi_code, area, value, numerator, suppressed):
    nums = None if numerator is None else [numerator] * 3
    frame = obs(kpi_code, area, PERIODS[-3:], [value] * 3, numerators=nums)
    row = row_of(compute_scorecard(fw, frame, "2024-06", area=area), kpi_code, area)
    assert row.suppressed is suppressed
    assert row.value == (None if suppressed else float(value))
    assert row.period == "2024-06"


def test_special_cause_and_assurance_from_spc(fw):
    # L1 decreases is better; a jump far above the limits at the latest point is a concern.
    values = [*STEADY[:-1], 160]
    frame = obs("L1", "QPM", PERIODS, values)
    row = row_of(compute_scorecard(fw, frame, "2024-06", area="QPM"), "L1", "QPM")
    assert row.variation == "concern_high"
    assert row.n_points == 24
    assert row.target == 90.0
    assert row.mean is not None
    assert row.upl is not None
    assert row.lpl is not None
    assert row.lpl < row.mean < row.upl
    assert row.mean == pytest.approx(102.5)
    assert (row.lpl, row.upl) == (pytest.approx(89.084, abs=1e-3), pytest.approx(115.916, abs=1e-3))
    # target 90 for "decrease" lies between the limits: the process hits or misses it
    assert row.assurance == "hit_or_miss"
    assert row.is_run_chart is False


@pytest.mark.parametrize(
    ("target", "assurance"),
    [pytest.param(120.0, "pass", id="above-upl"), pytest.param(80.0, "fail", id="below-lpl")],
)
def test_assurance_uses_the_kpis_target(target, assurance):
    fw = small_framework(trajectories=(Trajectory("L1", "QPM", "2024-06", target),))
    frame = obs("L1", "QPM", PERIODS, [*STEADY[:-1], 160])
    row = row_of(compute_scorecard(fw, frame, "2024-06", area="QPM"), "L1", "QPM")
    assert (row.target, row.assurance) == (target, assurance)


def test_a_system_target_is_never_an_areas_target():
    own = AreaTarget("L1", "E06000061", 120.0, ILL, "the place's own target")
    fw = small_framework(area_targets=(own,))
    frame = pd.concat(
        [obs("L1", a, PERIODS, [*STEADY[:-1], 160]) for a in ("QPM", "E06000061", "E06000062")]
    )
    rows = compute_scorecard(fw, frame, "2024-06")
    assert (row_of(rows, "L1", "QPM").target, row_of(rows, "L1", "QPM").assurance) == (
        90.0,
        "hit_or_miss",
    )
    # the place with its own target is judged against it
    assert (row_of(rows, "L1", "E06000061").target, row_of(rows, "L1", "E06000061").assurance) == (
        120.0,
        "pass",
    )
    # the place without one has no target and no assurance icon, not the system's 90
    west = row_of(rows, "L1", "E06000062")
    assert (west.target, west.assurance) == (None, "none")
    assert west.variation == "concern_high"
    # with no data either, the row carries no other area's target
    empty = row_of(compute_scorecard(fw, frame, "2022-01"), "L1", "E06000062")
    assert (empty.target, empty.assurance) == (None, "none")
    assert row_of(compute_scorecard(fw, frame, "2022-01"), "L1", "E06000061").target == 120.0


def test_a_sustained_shift_proposes_a_change_point_until_one_is_recorded():
    values = [*STEADY, *([120] * 8)]
    periods = months("2022-07", len(values))
    frame = obs("L1", "QPM", periods, values)
    row = row_of(compute_scorecard(small_framework(), frame, periods[-1], "QPM"), "L1", "QPM")
    assert row.suggested_change_point == periods[24]
    assert row.as_contract_dict()["suggested_change_point"] == periods[24]
    recorded = SpcEvent("L1", periods[24], SpcEventKind.CHANGE_POINT, "new service")
    fw = small_framework(spc_events=(recorded,))
    row = row_of(compute_scorecard(fw, frame, periods[-1], "QPM"), "L1", "QPM")
    assert row.suggested_change_point is None
    assert row.as_contract_dict()["suggested_change_point"] is None


def test_fewer_than_15_points_is_a_run_chart_without_icons(fw):
    frame = obs("L1", "QPM", PERIODS[-14:], STEADY[-14:])
    row = row_of(compute_scorecard(fw, frame, "2024-06", area="QPM"), "L1", "QPM")
    assert (row.n_points, row.variation, row.assurance, row.is_run_chart) == (
        14,
        "none",
        "none",
        True,
    )


def test_series_has_change_points_exclusions_and_trajectory_targets():
    events = (
        SpcEvent("L1", "2023-07", SpcEventKind.CHANGE_POINT, "recording change"),
        SpcEvent("L1", "2023-09", SpcEventKind.EXCLUDE, "system outage", area_code="QPM"),
        SpcEvent("L1", "2023-10", SpcEventKind.EXCLUDE, "other area only", area_code="E06000061"),
        SpcEvent("L1", "2024-01", SpcEventKind.CHANGE_POINT, "new trust", area_code="E06000061"),
    )
    trajectories = (
        Trajectory("L1", "QPM", "2024-05", 95.0),
        Trajectory("L1", "QPM", "2024-06", 94.0),
    )
    fw = small_framework(events, trajectories)
    frame = obs("L1", "QPM", PERIODS, STEADY)
    series = kpi_series(fw, frame, "L1", "QPM", "2024-06")
    assert series.periods == tuple(PERIODS)
    assert series.change_points == (PERIODS.index("2023-07"),)
    assert series.change_reasons == ("recording change",)
    assert np.flatnonzero(series.excluded).tolist() == [PERIODS.index("2023-09")]
    assert series.targets[-1] == 94.0
    assert series.targets[-2] == 95.0
    assert series.targets[0] == 90.0  # the KPI's single target elsewhere
    assert series.latest_target == 94.0
    row = row_of(compute_scorecard(fw, frame, "2024-06", area="QPM"), "L1", "QPM")
    assert row.target == 94.0
    assert row.n_points == 24 - PERIODS.index("2023-07") - 1  # latest partition minus excluded


def test_change_point_between_stored_periods_starts_at_the_next_point():
    fw = small_framework((SpcEvent("L1", "2023-07", SpcEventKind.CHANGE_POINT, "gap"),))
    periods = [p for p in PERIODS if p != "2023-07"]
    series = kpi_series(fw, obs("L1", "QPM", periods, [1] * len(periods)), "L1", "QPM", "2024-06")
    assert series.change_points == (periods.index("2023-08"),)


def test_provisional_latest_point_is_flagged(fw):
    statuses = ["final"] * 23 + ["provisional"]
    frame = obs("L1", "QPM", PERIODS, STEADY, status=statuses)
    row = row_of(compute_scorecard(fw, frame, "2024-06", area="QPM"), "L1", "QPM")
    assert row.status == "provisional"
    assert row.provisional is True
    assert row.synthetic is True


class CountingStore:
    """A fake Store: answers ``current`` from a frame and counts the queries."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.calls: list[tuple[object, object, object]] = []

    def current(self, kpi_codes=None, area_codes=None, up_to=None):
        self.calls.append((kpi_codes, area_codes, up_to))
        out = self.frame
        if area_codes is not None:
            out = out[out["area_code"].isin(area_codes)]
        if up_to is not None:
            out = out[out["period"] <= up_to]
        return out.reset_index(drop=True)


def test_reads_the_store_once_for_every_kpi(fw, frame):
    store = CountingStore(frame)
    rows = compute_scorecard(fw, store, "2024-05", area="QPM")
    assert store.calls == [(None, ["QPM"], "2024-05")]
    assert {r.period for r in rows} == {"2024-05"}
    assert rows == compute_scorecard(fw, frame, "2024-05", area="QPM")


def test_contract_dict_has_exactly_the_contract_fields_and_is_json(fw, frame):
    rows = compute_scorecard(fw, frame, "2024-06")
    rows += compute_scorecard(fw, frame, "2020-01")  # no data: nulls, never NaN
    for row in rows:
        data = row.as_contract_dict()
        assert tuple(data) == JSON_FIELDS
        assert data["sustainability"] == "none"
        assert data["variation"] in VARIATIONS
        assert data["assurance"] in ASSURANCES
        assert isinstance(data["outcome_numbers"], list)
        json.loads(json.dumps(data, allow_nan=False))


# Roll-up


def srow(
    kpi_code, variation="common_cause", assurance="none", *, tier="lead", n_points=24, area="QPM"
):
    return ScorecardRow(
        kpi_code=kpi_code,
        kpi_name=f"KPI {kpi_code}",
        tier=tier,
        outcome_numbers=(),
        area_code=area,
        period="2024-06" if n_points else None,
        value=1.0 if n_points else None,
        status="final" if n_points else None,
        target=None,
        direction="decrease",
        n_points=n_points,
        mean=None,
        upl=None,
        lpl=None,
        variation=variation,
        assurance=assurance,
        suppressed=False,
        area_name=area,
    )


def test_rollup_counts_lead_kpis_without_double_counting(fw):
    rows = [
        srow("L1", "improvement_low", "fail"),
        srow("L2", "concern_high", "hit_or_miss"),
        srow("ACT1", "improvement_high", tier="activity"),
        srow("ACT2", "common_cause", tier="activity"),
        srow("ACT3", "none", tier="activity", n_points=10),
    ]
    result = rollup(fw, rows)
    o7 = result.node("outcome", "O7")
    assert o7.lead.kpi_codes == ("L1",)
    assert o7.lead.improvement == 1
    assert o7.activity.kpi_codes == ("ACT1", "ACT3")
    assert o7.activity.too_few_points == 1
    fefd = result.node("pillar", "FEFD")  # owns O5 and O7, both led by L1: counted once
    assert fefd.lead.kpi_codes == ("L1",)
    assert fefd.lead.total == 1
    cr = result.node("pillar", "CR")
    assert cr.lead.kpi_codes == ("L2",)
    assert cr.activity.kpi_codes == ("ACT2", "ACT3")  # its bricks' activity KPIs
    a1 = result.node("ambition", "A1")  # O7 and O5 → L1 once
    assert a1.lead.total == 1
    p1 = result.node("population_outcome", "P1")  # A1 (O7, O5) and A2 (O3) → L1, L2
    assert p1.lead.kpi_codes == ("L1", "L2")
    assert p1.lead.variation["improvement_low"] == 1
    assert p1.lead.variation["concern_high"] == 1
    assert p1.summary == (
        "1 of 2 lead KPIs shows improvement; 1 shows concern; "
        "1 is not capable of hitting its target; 1 will hit or miss its target by chance."
    )


@pytest.mark.parametrize(
    ("rows", "sentence"),
    [
        pytest.param(
            [
                srow("L1", "improvement_low", "fail"),
                srow("L2", "improvement_high"),
                srow("L3", "none", n_points=9),
            ],
            "2 of 3 lead KPIs show improvement; 1 is not capable of hitting its target; "
            "1 has too few points for SPC.",
            id="documents-example",
        ),
        pytest.param(
            [srow("L1"), srow("L2", assurance="pass")],
            "2 of 2 lead KPIs show common cause variation only; "
            "1 will consistently hit its target.",
            id="all-common-cause",
        ),
        pytest.param(
            [srow("L1", "none", n_points=0), srow("L2", "none", n_points=5)],
            "2 lead KPIs: 1 has too few points for SPC; 1 has no data yet.",
            id="no-icons",
        ),
        pytest.param(
            [srow("L1", "neither_high")],
            "1 of 1 lead KPI shows a special cause in a neutral measure.",
            id="neutral",
        ),
        pytest.param([], "No lead KPI is linked yet.", id="nothing-linked"),
    ],
)
def test_summary_sentences(rows, sentence):
    from scorecard.scoring import _counts

    by_kpi = {}
    for r in rows:
        by_kpi.setdefault(r.kpi_code, []).append(r)
    counts = _counts([r.kpi_code for r in rows], by_kpi)
    assert summary_sentence(counts) == sentence


def test_rollup_reports_linked_kpis_not_reported_for_the_area(fw):
    result = rollup(fw, [srow("L2", area="E06000061")])
    o7 = result.node("outcome", "O7")
    assert o7.lead.not_reported == 1
    assert o7.summary == "No data: 1 lead KPI linked but not reported for this area."
    p1 = result.node("population_outcome", "P1")
    assert p1.summary == (
        "1 of 1 lead KPI shows common cause variation only; 1 is not reported for this area."
    )


def test_rollup_never_averages_values(fw):
    a = rollup(fw, [srow("L1"), srow("L2")])
    b = rollup(fw, [ScorecardRow(**{**srow("L1").__dict__, "value": 1e9}), srow("L2")])
    assert a == b


# Changes since last month


@pytest.mark.parametrize(
    ("before", "after", "kinds"),
    [
        pytest.param(
            ("common_cause", "pass"),
            ("concern_high", "pass"),
            ["new_special_cause"],
            id="new-concern",
        ),
        pytest.param(
            ("none", "none"),
            ("improvement_low", "none"),
            ["new_special_cause"],
            id="new-from-run-chart",
        ),
        pytest.param(
            ("improvement_low", "none"),
            ("concern_high", "none"),
            ["special_cause_changed"],
            id="flip",
        ),
        pytest.param(
            ("concern_high", "none"),
            ("common_cause", "none"),
            ["special_cause_cleared"],
            id="cleared",
        ),
        pytest.param(("concern_high", "none"), ("none", "none"), [], id="to-run-chart-not-cleared"),
        pytest.param(
            ("common_cause", "pass"),
            ("common_cause", "hit_or_miss"),
            ["target_newly_at_risk"],
            id="pass-to-hit-or-miss",
        ),
        pytest.param(
            ("common_cause", "pass"),
            ("common_cause", "fail"),
            ["target_newly_at_risk"],
            id="pass-to-fail",
        ),
        pytest.param(
            ("common_cause", "hit_or_miss"),
            ("common_cause", "fail"),
            ["target_newly_at_risk"],
            id="worse",
        ),
        pytest.param(
            ("common_cause", "fail"),
            ("common_cause", "pass"),
            ["target_now_assured"],
            id="now-assured",
        ),
        pytest.param(
            ("common_cause", "none"), ("common_cause", "fail"), [], id="new-target-not-a-change"
        ),
        pytest.param(("concern_low", "fail"), ("concern_low", "fail"), [], id="unchanged"),
        pytest.param(
            ("improvement_low", "pass"),
            ("common_cause", "fail"),
            ["target_newly_at_risk", "special_cause_cleared"],
            id="two-changes",
        ),
    ],
)
def test_changes_since(fw, before, after, kinds):
    prev = [srow("L1", *before)]
    now = [srow("L1", *after)]
    changes = changes_since(fw, now, prev)
    assert [c.kind for c in changes] == kinds
    for change in changes:
        assert change.kpi_code == "L1"
        assert "KPI L1 (QPM)" in change.sentence


def test_changes_put_new_concerns_first(fw):
    prev = [srow("L1"), srow("ACT1", tier="activity"), srow("L2")]
    now = [
        srow("L1", "improvement_low"),
        srow("ACT1", "concern_low", tier="activity"),
        srow("L2", "concern_high"),
    ]
    assert [c.kpi_code for c in changes_since(fw, now, prev)] == ["L2", "ACT1", "L1"]


def test_a_kpi_new_this_month_shows_its_special_cause(fw):
    assert [c.kind for c in changes_since(fw, [srow("L1", "concern_low")], [])] == [
        "new_special_cause"
    ]


@pytest.mark.parametrize(
    ("month", "prev"), [("2024-06", "2024-05"), ("2024-01", "2023-12"), ("2000-12", "2000-11")]
)
def test_previous_month(month, prev):
    assert previous_month(month) == prev
