"""Benefits realisation: from the operational KPIs to the £ the business case promised.

Pure functions over the framework's benefits register (``Framework.benefits``) and a frame of
current observations (``Store.current`` columns). The method follows the iCAN documents
(ICAN_FRAMEWORK §3.6, §4.1-§4.5); where they are silent the choice is documented here and in
the README, and is illustrative.

For each benefit line and month (April-March financial years, from YR1 2021/22):

1. *Operational improvement*: each operational KPI's value at the system area against its
   2019/20 baseline, signed so that better is positive, turned into the system-wide measure's
   units by the line's ``impact_formula`` (names: ``improvement`` for the first operational
   KPI, ``improvement_<code>`` for each, and the line's fixed variables).
2. *System-wide change*: the system-wide KPI's value against its baseline, which is static or
   trend-adjusted (grown by ``growth_pct_a_year`` for each financial year since 2019/20).
3. *Attribution* (``benefits_attribution.attribute``): the system-wide improvement is split
   into the part the operational improvement explains, credited to the programme, and the rest,
   "other impacts, i.e. Covid". The cases the documents leave open are designed in its ``Case``.
4. *Delivered*: the line's ``value_formula`` turns the programme's share (``impact``) into £'000.

The plan of a year is spread evenly over its twelve months; after YR5 (2025/26) the YR5 amount
carries on (the documents call it recurrent; illustrative). Four amounts are kept apart:
planned, delivered (calculated here), signed off by the BRG (``Reviews``), cashed (the
register's ``benefit_cashed.csv``).

This module keeps the ledger: each line's months and amounts, the organisations' shares, the
totals. Its neighbours hold the rest: ``benefits_attribution`` (the attribution rule),
``benefits_plan`` (financial years, the plan and costs in a month, baselines) and
``benefits_report`` (the ``benefits --json`` object and the terminal text).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Protocol

from scorecard.reports.benefits_attribution import Attribution, attribute_improvements, short_number
from scorecard.reports.benefits_plan import (
    PLAN_START,
    baseline_in,
    cost_in_month,
    months_between,
    planned_in_month,
)
from scorecard.thread.domain import (
    BENEFIT_METHOD_LABELS,
    AreaType,
    BenefitKpiRole,
    BenefitLine,
    Direction,
    Framework,
    Provenance,
)
from scorecard.thread.formulas import improvement_name, parse

if TYPE_CHECKING:
    import pandas as pd

TOLERANCE: Final = 0.05  # within ±5% of the plan over the months measured: on plan (illustrative)
CARRY_ON_NOTE: Final = (
    "after 2025/26 the 2025/26 amount carries on each year (illustrative: the plan ends at YR5)"
)
SPLIT_NOTE: Final = (
    "a line's amounts are split equally between its organisations (illustrative: the documents "
    "say benefits were split by organisation but not how)"
)


class Status(StrEnum):
    """A line's delivery against plan, or why no number is shown."""

    AHEAD = "ahead_of_plan"
    ON_PLAN = "on_plan"
    BEHIND = "behind_plan"
    SPECIAL_CAUSE_CONCERN = "special_cause_concern"
    NO_DATA = "no_data"


UNSUSTAINED: Final = ("lost", "slipping")  # sustainability verdicts that flag a line, worst first

STATUS_WORDS: Final = {
    Status.AHEAD: "ahead of plan",
    Status.ON_PLAN: "on plan",
    Status.BEHIND: "behind plan",
    Status.SPECIAL_CAUSE_CONCERN: "special-cause concern",
    Status.NO_DATA: "no data",
}


# Positions


class SignedOff(Protocol):
    """A BRG sign-off as ``Reviews.benefit_signoffs`` returns it."""

    @property
    def line_code(self) -> str:
        """The benefit line signed off."""
        ...

    @property
    def period(self) -> str:
        """The month signed off."""
        ...

    @property
    def amount_k(self) -> float:
        """The £'000 signed off."""
        ...


class SignOffRecord(Protocol):
    """Where the BRG's sign-offs are kept (``Reviews``, beside the store)."""

    def benefit_signoffs(self, up_to: str | None = None) -> Sequence[SignedOff]:
        """The current sign-off of each line × month, months up to ``up_to``."""
        ...


@dataclass(frozen=True)
class MonthPoint:
    """One month of a line: plan, and delivery where the operational KPI has a value."""

    period: str
    planned_k: float
    delivered_k: float | None
    attribution: Attribution | None


@dataclass(frozen=True)
class LinePosition:
    """A benefit line's four amounts to a month, its status and how it was measured."""

    code: str
    name: str
    organisations: tuple[str, ...]
    kpi_codes: tuple[str, ...]  # the operational KPIs that drive it
    system_kpi_codes: tuple[str, ...]  # the system-wide KPI it is netted into (if any)
    method: str
    method_label: str
    status: Status
    status_sentence: str
    planned_to_date_k: float
    planned_measured_k: float  # the plan over the months with a delivered value
    delivered_to_date_k: float | None  # None when the status says why no number is shown
    signed_off_k: float
    cashed_k: float
    months_measured: int
    months: tuple[MonthPoint, ...]
    attribution: Attribution | None  # the month's
    synthetic: bool
    illustrative: str
    # The sustainability verdict of a driving KPI that is slipping or lost after support ended
    # ("" when none is): the BRG signs off value "when workstream at sustainable target".
    sustainability: str = ""
    sustainability_kpi: str = ""

    @property
    def status_words(self) -> str:
        """The status as words."""
        return STATUS_WORDS[self.status]


@dataclass(frozen=True)
class OrganisationPosition:
    """An organisation's share of the four amounts (equal split of each line)."""

    organisation: str
    planned_to_date_k: float
    delivered_to_date_k: float
    signed_off_k: float
    cashed_k: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Totals:
    """All lines together; delivered sums only the lines that show a number."""

    planned_to_date_k: float
    delivered_to_date_k: float
    signed_off_k: float
    cashed_k: float
    cost_to_date_k: float
    net_to_date_k: float
    lines_not_shown: tuple[str, ...]


@dataclass(frozen=True)
class CumulativePoint:
    """The programme's cumulative plan, delivery and sign-off at the end of a month."""

    period: str
    planned_k: float
    delivered_k: float | None
    signed_off_k: float
    cost_k: float


@dataclass(frozen=True)
class BenefitsPosition:
    """The benefits realised to a month: every line, every organisation, the totals."""

    month: str
    lines: tuple[LinePosition, ...]
    organisations: tuple[OrganisationPosition, ...]
    totals: Totals
    months: tuple[CumulativePoint, ...]
    synthetic: bool


def system_area(fw: Framework) -> str:
    """The area the benefits are measured at: the system (ICB) area."""
    for area in fw.areas:
        if area.type == AreaType.SYSTEM:
            return area.code
    return fw.areas[0].code if fw.areas else ""


@dataclass(frozen=True)
class _Values:
    """The system area's current values of the register's KPIs, by (kpi, period)."""

    value: Mapping[tuple[str, str], float]
    synthetic: Mapping[tuple[str, str], bool]

    @classmethod
    def of(cls, frame: pd.DataFrame, area: str, codes: Iterable[str]) -> _Values:
        wanted = set(codes)
        value: dict[tuple[str, str], float] = {}
        synthetic: dict[tuple[str, str], bool] = {}
        if not frame.empty:
            rows = frame[(frame["area_code"] == area) & frame["kpi_code"].isin(wanted)]
            for kpi, period, v, syn in zip(
                rows["kpi_code"],
                rows["period"].astype(str),
                rows["value"],
                rows["synthetic"] if "synthetic" in rows else [False] * len(rows),
                strict=True,
            ):
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    value[(str(kpi), period)] = float(v)
                    synthetic[(str(kpi), period)] = bool(syn)
        return cls(value, synthetic)


def _sign(direction: Direction) -> float:
    return -1.0 if direction == Direction.DECREASE else 1.0


def operational_impact(
    fw: Framework, line: BenefitLine, values: Mapping[str, float]
) -> float | None:
    """A line's operational improvement in the system-wide measure's units (better > 0).

    ``values`` holds each operational KPI's value for the month by KPI code; None when one is
    missing.
    """
    register = fw.benefits
    inputs = dict(register.line_variables(line.code))
    for i, op in enumerate(register.line_kpis(line.code, BenefitKpiRole.OPERATIONAL)):
        if op.kpi_code not in values:
            return None
        improvement = _sign(fw.kpi(op.kpi_code).direction) * (values[op.kpi_code] - op.baseline)
        inputs[improvement_name(op.kpi_code)] = improvement
        if i == 0:
            inputs["improvement"] = improvement
    return parse(line.impact_formula).evaluate(inputs)


def system_improvement(fw: Framework, line: BenefitLine, value: float, period: str) -> float:
    """The improvement a system-wide value shows against the line's baseline (better > 0)."""
    (kpi,) = fw.benefits.line_kpis(line.code, BenefitKpiRole.SYSTEM_WIDE)
    base = baseline_in(line, kpi, fw.benefits.line_variables(line.code), period)
    return _sign(fw.kpi(kpi.kpi_code).direction) * (value - base)


def system_value_for(fw: Framework, line: BenefitLine, improvement: float, period: str) -> float:
    """The system-wide value that shows ``improvement`` against the line's baseline."""
    (kpi,) = fw.benefits.line_kpis(line.code, BenefitKpiRole.SYSTEM_WIDE)
    base = baseline_in(line, kpi, fw.benefits.line_variables(line.code), period)
    return base + _sign(fw.kpi(kpi.kpi_code).direction) * improvement


def _line_month(
    fw: Framework, line: BenefitLine, values: _Values, period: str
) -> tuple[float | None, Attribution | None, bool]:
    """(delivered £'000, attribution, synthetic) of a line in a month."""
    register = fw.benefits
    operational = register.line_kpis(line.code, BenefitKpiRole.OPERATIONAL)
    month_values = {
        k.kpi_code: values.value[(k.kpi_code, period)]
        for k in operational
        if (k.kpi_code, period) in values.value
    }
    impact = operational_impact(fw, line, month_values)
    if impact is None:
        return None, attribute_improvements(None, None), False
    synthetic = any(values.synthetic[(k, period)] for k in month_values)
    system: float | None = None
    for sys in register.line_kpis(line.code, BenefitKpiRole.SYSTEM_WIDE):
        key = (sys.kpi_code, period)
        if key in values.value:
            synthetic |= values.synthetic[key]
            system = system_improvement(fw, line, values.value[key], period)
    attribution = attribute_improvements(system, impact)
    variables = register.line_variables(line.code)
    delivered = parse(line.value_formula).evaluate({**variables, "impact": attribution.programme})
    return delivered, attribution, synthetic


@dataclass(frozen=True)
class KpiReading:
    """A driving KPI's SPC variation and sustainability verdict in the month, at the ICB."""

    variation: str
    sustainability: str


def kpi_readings(
    fw: Framework, frame: pd.DataFrame, month: str, codes: Iterable[str]
) -> dict[str, KpiReading]:
    """Each KPI's reading from one series: the same analysis as KPI detail shows."""
    from scorecard.reports.scoring import analyse_series
    from scorecard.reports.scoring_series import kpi_series
    from scorecard.statistics.sustain import verdict_for

    area = system_area(fw)
    out: dict[str, KpiReading] = {}
    for code in dict.fromkeys(codes):
        kpi = fw.kpi(code)
        series = kpi_series(fw, frame, code, area, month)
        out[code] = KpiReading(
            str(analyse_series(kpi, series).variation), verdict_for(kpi, series).status
        )
    return out


def _illustrative(fw: Framework, line: BenefitLine) -> str:
    register = fw.benefits
    parts = [
        f"{v.name}={short_number(v.value)}"
        for v in register.variables
        if v.line_code == line.code and v.provenance == Provenance.ILLUSTRATIVE
    ]
    parts += [
        f"baseline of {k.kpi_code}={short_number(k.baseline)}"
        for k in register.kpis
        if k.line_code == line.code and k.provenance == Provenance.ILLUSTRATIVE
    ]
    return "illustrative: " + ", ".join(parts) if parts else ""


def line_position(
    fw: Framework,
    frame: pd.DataFrame,
    line: BenefitLine,
    month: str,
    signed_off_k: float = 0.0,
    *,
    values: _Values | None = None,
    readings: Mapping[str, KpiReading] | None = None,
) -> LinePosition:
    """One line's position to ``month`` (see the module docstring for the method)."""
    register = fw.benefits
    area = system_area(fw)
    operational = tuple(
        k.kpi_code for k in register.line_kpis(line.code, BenefitKpiRole.OPERATIONAL)
    )
    system = tuple(k.kpi_code for k in register.line_kpis(line.code, BenefitKpiRole.SYSTEM_WIDE))
    if values is None:
        values = _Values.of(frame, area, (*operational, *system))
    if readings is None:
        readings = kpi_readings(fw, frame, month, operational)
    concern = next((c for c in operational if readings[c].variation.startswith("concern")), "")
    points: list[MonthPoint] = []
    synthetic = False
    for period in months_between(PLAN_START, month):
        month_k, attribution, syn = _line_month(fw, line, values, period)
        synthetic |= syn
        points.append(
            MonthPoint(period, planned_in_month(register, line.code, period), month_k, attribution)
        )
    measured = [p for p in points if p.delivered_k is not None]
    planned = sum(p.planned_k for p in points)
    planned_measured = sum(p.planned_k for p in measured)
    delivered_sum = sum(p.delivered_k for p in measured if p.delivered_k is not None)
    latest = points[-1] if points else None
    cashed = sum(
        c.cashed_k for c in register.cashed if c.line_code == line.code and c.period <= month
    )
    delivered: float | None = delivered_sum
    if latest is None or latest.delivered_k is None:
        status = Status.NO_DATA
        delivered = None
        sentence = (
            f"The driving KPI ({', '.join(operational)}) has no value for {month} at {area}: "
            "no delivered value is shown."
        )
    elif concern:
        status = Status.SPECIAL_CAUSE_CONCERN
        delivered = None
        sentence = (
            f"The driving KPI {concern} shows special-cause variation of concern in {month}: "
            "no delivered value is shown until it is understood."
        )
    else:
        ratio = delivered_sum / planned_measured if planned_measured > 0 else math.inf
        if ratio < 1 - TOLERANCE:
            status = Status.BEHIND
        elif ratio > 1 + TOLERANCE:
            status = Status.AHEAD
        else:
            status = Status.ON_PLAN
        share = f"{ratio:.0%}" if math.isfinite(ratio) else "more than"
        sentence = (
            f"£{delivered_sum:,.0f}k delivered over the {len(measured)} months measured, "
            f"{share} of the £{planned_measured:,.0f}k planned for those months: "
            f"{STATUS_WORDS[status]}."
        )
    flagged = [
        (verdict, code)
        for code in operational
        if (verdict := readings[code].sustainability) in UNSUSTAINED
    ]
    flagged.sort(key=lambda pair: UNSUSTAINED.index(pair[0]))
    verdict, verdict_kpi = flagged[0] if flagged else ("", "")
    if verdict:
        sentence += (
            f" The driving KPI {verdict_kpi} is {verdict} since its improvement's support "
            "ended: the value is not at a sustainable level for sign-off."
        )
    return LinePosition(
        code=line.code,
        name=line.name,
        organisations=line.organisations,
        kpi_codes=operational,
        system_kpi_codes=system,
        method=str(line.method),
        method_label=BENEFIT_METHOD_LABELS[line.method],
        status=status,
        status_sentence=sentence,
        planned_to_date_k=planned,
        planned_measured_k=planned_measured,
        delivered_to_date_k=delivered,
        signed_off_k=signed_off_k,
        cashed_k=cashed,
        months_measured=len(measured),
        months=tuple(points),
        attribution=latest.attribution if latest is not None else None,
        synthetic=synthetic,
        illustrative=_illustrative(fw, line),
        sustainability=verdict,
        sustainability_kpi=verdict_kpi,
    )


def benefits_position(
    fw: Framework,
    frame: pd.DataFrame,
    month: str,
    signoffs: Sequence[SignedOff] = (),
    sustainability: Mapping[str, str] | None = None,
) -> BenefitsPosition:
    """The benefits realised to ``month``.

    Args:
        fw: the framework, with its benefits register.
        frame: current observations (``Store.current`` columns); only the register's KPIs at
            the system area are used.
        month: ``YYYY-MM``.
        signoffs: the BRG's current sign-offs (``Reviews.benefit_signoffs``), each of a line's
            delivered value to its month; a line's signed-off amount is its latest sign-off at
            or before ``month`` (later ones are left out).
        sustainability: each KPI's sustainability verdict at the system area (``holding``,
            ``slipping``, ``lost``, …); a line whose driving KPI is slipping or lost is flagged.
            None: computed from the framework's declared events (``kpi_readings``).
    """
    register = fw.benefits
    operational = [k.kpi_code for k in register.kpis if k.role == BenefitKpiRole.OPERATIONAL]
    readings = kpi_readings(fw, frame, month, operational)
    if sustainability is not None:  # given by the caller: in place of the computed verdicts
        readings = {
            code: KpiReading(r.variation, sustainability.get(code, "none"))
            for code, r in readings.items()
        }
    area = system_area(fw)
    values = _Values.of(frame, area, register.kpi_codes())
    # A sign-off is of a line's delivered value *to* its month (cumulative): a line's signed-off
    # amount to a month is its latest sign-off at or before it, never a sum of sign-offs.
    signed = _signed_to(signoffs, month)
    lines = tuple(
        line_position(
            fw,
            frame,
            line,
            month,
            signed.get(line.code, 0.0),
            values=values,
            readings=readings,
        )
        for line in register.lines
    )
    periods = months_between(PLAN_START, month)
    cumulative: list[CumulativePoint] = []
    plan = delivered = signed_total = cost = 0.0
    started = False
    for i, period in enumerate(periods):
        plan += sum(line.months[i].planned_k for line in lines)
        month_delivered = [
            line.months[i].delivered_k for line in lines if line.months[i].delivered_k is not None
        ]
        started |= bool(month_delivered)
        delivered += sum(d for d in month_delivered if d is not None)
        signed_total = sum(_signed_to(signoffs, period).values())
        cost += cost_in_month(register, period)
        cumulative.append(
            CumulativePoint(period, plan, delivered if started else None, signed_total, cost)
        )
    shown = [line for line in lines if line.delivered_to_date_k is not None]
    delivered_total = sum(line.delivered_to_date_k or 0.0 for line in shown)
    totals = Totals(
        planned_to_date_k=sum(line.planned_to_date_k for line in lines),
        delivered_to_date_k=delivered_total,
        signed_off_k=sum(line.signed_off_k for line in lines),
        cashed_k=sum(line.cashed_k for line in lines),
        cost_to_date_k=cost,
        net_to_date_k=delivered_total - cost,
        lines_not_shown=tuple(line.code for line in lines if line.delivered_to_date_k is None),
    )
    return BenefitsPosition(
        month=month,
        lines=lines,
        organisations=_organisations(lines),
        totals=totals,
        months=tuple(cumulative),
        synthetic=any(line.synthetic for line in lines),
    )


def _signed_to(signoffs: Sequence[SignedOff], period: str) -> dict[str, float]:
    """Each line's signed-off amount to a month: its latest sign-off at or before it."""
    latest: dict[str, SignedOff] = {}
    for s in signoffs:
        if s.period <= period and (
            s.line_code not in latest or s.period >= latest[s.line_code].period
        ):
            latest[s.line_code] = s
    return {code: s.amount_k for code, s in latest.items()}


def _organisations(lines: Sequence[LinePosition]) -> tuple[OrganisationPosition, ...]:
    found: dict[str, list[float]] = {}
    named: dict[str, list[str]] = {}
    for line in lines:
        share = 1 / len(line.organisations) if line.organisations else 0.0
        for org in line.organisations:
            sums = found.setdefault(org, [0.0, 0.0, 0.0, 0.0])
            sums[0] += line.planned_to_date_k * share
            sums[1] += (line.delivered_to_date_k or 0.0) * share
            sums[2] += line.signed_off_k * share
            sums[3] += line.cashed_k * share
            named.setdefault(org, []).append(line.code)
    return tuple(
        OrganisationPosition(org, s[0], s[1], s[2], s[3], tuple(named[org]))
        for org, s in found.items()
    )


def line_evidence_hash(fw: Framework, frame: pd.DataFrame, line_code: str, period: str) -> str:
    """SHA-256 of what a line's delivered value to ``period`` rests on.

    The line's KPI values at the system area up to the month and the register's definition of
    the line (baselines, variables, formulas). A BRG sign-off keeps it; a later revision of the
    data or the register changes it, and the sign-off shows as changed since sign-off.
    """
    register = fw.benefits
    line = register.line(line_code)
    kpis = register.line_kpis(line_code, BenefitKpiRole.OPERATIONAL) + register.line_kpis(
        line_code, BenefitKpiRole.SYSTEM_WIDE
    )
    values = _Values.of(frame, system_area(fw), (k.kpi_code for k in kpis))
    rows = sorted([kpi, p, round(v, 9)] for (kpi, p), v in values.value.items() if p <= period)
    definition = {
        "line": asdict(line),
        "kpis": [asdict(k) for k in kpis],
        "variables": register.line_variables(line_code),
    }
    canonical = json.dumps([definition, rows], sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_signoffs(reviews: SignOffRecord, month: str) -> Sequence[SignedOff]:
    """The BRG's current sign-offs up to the month."""
    return list(reviews.benefit_signoffs(up_to=month))
