"""Scorecard rows and series on a small in-memory framework."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from scorecard.reports.scoring import JSON_FIELDS, ScorecardRow, compute_scorecard
from scorecard.reports.scoring_series import kpi_series
from scorecard.statistics.spc_icons import ASSURANCES, VARIATIONS
from scorecard.thread.domain import (
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
from scorecard.thread.periods import previous_month

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
        # West's 8 is suppressed too: North's 5 is, and the ICB's total is published
        pytest.param("2024-06", "ACT3", "E06000062", "2024-02", None, id="area-stopped-early"),
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
    # every area is read, in the one query: totals and parts are suppressed alike
    assert store.calls == [(None, None, "2024-05")]
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


@pytest.mark.parametrize(
    ("month", "prev"), [("2024-06", "2024-05"), ("2024-01", "2023-12"), ("2000-12", "2000-11")]
)
def test_previous_month(month, prev):
    assert previous_month(month) == prev
