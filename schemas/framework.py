"""Pandera models of the framework files under data/framework/ (one class per CSV file)."""

from __future__ import annotations

from typing import TypedDict, cast

import pandera.pandas as pa
from pandera.typing import Series

from scorecard.thread.domain import (
    AreaType,
    ConflictRule,
    Direction,
    Frequency,
    LinkKind,
    Provenance,
    ResultType,
    SpcEventKind,
    Tier,
    Unit,
)

CODE = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
PERIOD = r"\d{4}-(0[1-9]|1[0-2])"
NUMBER = r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?"
WHOLE = r"\d+"
BOOLEANS = ("true", "false", "")
CONFIDENCES = ("H", "M", "L")
PILLAR_KINDS = ("foundation", "stream", "enabling")


def _values(enum: type[object]) -> list[str]:
    return [str(member) for member in enum]  # type: ignore[attr-defined]


def _matches(series: Series[str], pattern: str, *, blank_ok: bool) -> Series[bool]:
    ok = series.str.fullmatch(pattern).fillna(value=False)
    if blank_ok:
        ok = ok | (series == "")
    return cast("Series[bool]", ok)


RULES: dict[str, str] = {}  # each custom check's error message -> its short rule name


class _Named(TypedDict):
    name: str
    error: str


def _rule(name: str, error: str) -> _Named:
    """The name and error of a custom check, remembered so failures can name their rule."""
    RULES[error] = name
    return {"name": name, "error": error}


def _filled(series: Series[str]) -> Series[bool]:
    return cast("Series[bool]", series.str.strip() != "")


class _Base(pa.DataFrameModel):
    """Shared configuration: every column is text, no extra columns, coerced."""

    class Config:
        """Strict: a column the model does not name is an error."""

        strict = True
        coerce = True


class _Provenanced(_Base):
    """Tables whose rows say where each fact comes from."""

    provenance: Series[str] = pa.Field(isin=_values(Provenance))
    source: Series[str]

    @pa.check("source", **_rule("required", "must not be blank: say where it comes from"))
    @classmethod
    def _source_given(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class PopulationOutcomes(_Provenanced):
    """population_outcomes.csv: ICS population outcomes ("Stay Well", "Age Well")."""

    code: Series[str]
    name: Series[str]
    placeholder: Series[str] = pa.Field(isin=list(BOOLEANS))

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '_', '-', '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("name", **_rule("required", "must not be blank"))
    @classmethod
    def _name(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class Ambitions(PopulationOutcomes):
    """ambitions.csv: ICP ambitions, named or clearly marked placeholders."""


class Pillars(_Provenanced):
    """pillars.csv: foundation pillars, streams and the enabling bricks."""

    code: Series[str]
    number: Series[str]
    name: Series[str]
    kind: Series[str] = pa.Field(isin=list(PILLAR_KINDS))
    mission: Series[str]

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '_', '-', '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("number", **_rule("whole number", "must be a whole number"))
    @classmethod
    def _number(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, WHOLE, blank_ok=False)

    @pa.check("name", **_rule("required", "must not be blank"))
    @classmethod
    def _name(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class Outcomes(_Provenanced):
    """outcomes.csv: the programme's numbered outcomes, each owned by a pillar."""

    number: Series[str]
    wording: Series[str]
    pillar_code: Series[str]

    @pa.check("number", **_rule("whole number", "must be a whole number from 1"))
    @classmethod
    def _number(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, r"[1-9]\d*", blank_ok=False)

    @pa.check("wording", "pillar_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class Bricks(_Provenanced):
    """bricks.csv: units of delivery under a pillar, with reconstruction confidence."""

    code: Series[str]
    name: Series[str]
    pillar_code: Series[str]
    confidence: Series[str] = pa.Field(isin=list(CONFIDENCES))

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '_', '-', '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("name", "pillar_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class IStatements(_Provenanced):
    """i_statements.csv: co-produced "I" statements and the scorecard's own wordings."""

    code: Series[str]
    text: Series[str]
    collection: Series[str]
    domain: Series[str]
    variant_of: Series[str]

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '_', '-', '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("text", "collection", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class Areas(_Base):
    """areas.csv: the system, places, providers (and PCNs, LAPs) a KPI is reported for."""

    code: Series[str]
    name: Series[str]
    type: Series[str] = pa.Field(isin=_values(AreaType))
    parent_code: Series[str]

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '_', '-', '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("name", **_rule("required", "must not be blank"))
    @classmethod
    def _name(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class Kpis(_Provenanced):
    """kpis.csv: every KPI with the metadata of CONTRACT §2.1."""

    code: Series[str]
    name: Series[str]
    tier: Series[str] = pa.Field(isin=_values(Tier))
    definition: Series[str]
    numerator: Series[str]
    denominator: Series[str]
    unit: Series[str] = pa.Field(isin=_values(Unit))
    direction: Series[str] = pa.Field(isin=_values(Direction))
    frequency: Series[str] = pa.Field(isin=_values(Frequency))
    owner_role: Series[str]
    data_source: Series[str]
    area_types: Series[str]
    baseline_value: Series[str]
    baseline_period: Series[str]
    target_value: Series[str]
    target_note: Series[str]
    source_key: Series[str]
    result_type: Series[str] = pa.Field(isin=[*_values(ResultType), ""])
    journey_stage: Series[str]
    spc_baseline_points: Series[str]
    conflict_rule: Series[str] = pa.Field(isin=[*_values(ConflictRule), ""])
    suppress_small_numbers: Series[str] = pa.Field(isin=list(BOOLEANS))

    @pa.check("code", **_rule("code", "must be a code: letters, digits, '_', '-', '.'"))
    @classmethod
    def _code(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check("name", "definition", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check(
        "area_types",
        **_rule(
            "area types", f"must be one or more of {', '.join(_values(AreaType))}, separated by ';'"
        ),
    )
    @classmethod
    def _area_types(cls, series: Series[str]) -> Series[bool]:
        names = "|".join(_values(AreaType))
        return _matches(series, rf"({names})(\s*;\s*({names}))*", blank_ok=False)

    @pa.check("baseline_value", "target_value", **_rule("number", "must be a number or blank"))
    @classmethod
    def _number(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, NUMBER, blank_ok=True)

    @pa.check("baseline_period", **_rule("period", "must be a month YYYY-MM or blank"))
    @classmethod
    def _period(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, PERIOD, blank_ok=True)

    @pa.check(
        "spc_baseline_points",
        **_rule("baseline points", "must be blank or a whole number of at least 12"),
    )
    @classmethod
    def _baseline_points(cls, series: Series[str]) -> Series[bool]:
        whole = _matches(series, WHOLE, blank_ok=False)
        # Making Data Count fixes a baseline on at least 12 points.
        big_enough = series.where(whole, "0").astype(int) >= 12
        return cast("Series[bool]", (whole & big_enough) | (series == ""))


class Links(_Provenanced):
    """links.csv: the many-to-many edges of the golden thread."""

    kind: Series[str] = pa.Field(isin=_values(LinkKind))
    from_code: Series[str]
    to_code: Series[str]

    @pa.check("from_code", "to_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


class SpcEvents(_Base):
    """spc_events.csv: recorded change points and excluded months of a KPI's SPC chart."""

    kpi_code: Series[str]
    area_code: Series[str]
    period: Series[str]
    kind: Series[str] = pa.Field(isin=_values(SpcEventKind))
    reason: Series[str]

    @pa.check("kpi_code", "reason", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("period", **_rule("period", "must be a month YYYY-MM"))
    @classmethod
    def _period(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, PERIOD, blank_ok=False)


class Trajectories(_Base):
    """trajectories.csv: monthly targets of a KPI for an area."""

    kpi_code: Series[str]
    area_code: Series[str]
    period: Series[str]
    target: Series[str]

    @pa.check("kpi_code", "area_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("period", **_rule("period", "must be a month YYYY-MM"))
    @classmethod
    def _period(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, PERIOD, blank_ok=False)

    @pa.check("target", **_rule("number", "must be a number"))
    @classmethod
    def _target(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, NUMBER, blank_ok=False)


class AreaTargets(_Provenanced):
    """area_targets.csv: a KPI's single target for one area of its own (a place or a trust)."""

    kpi_code: Series[str]
    area_code: Series[str]
    target: Series[str]

    @pa.check("kpi_code", "area_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("target", **_rule("number", "must be a number"))
    @classmethod
    def _target(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, NUMBER, blank_ok=False)


class Reconciliations(_Provenanced):
    """reconciliations.csv: KPIs whose values add up across areas (parts sum to their parent)."""

    kpi_code: Series[str]
    parts: Series[str] = pa.Field(isin=[t for t in _values(AreaType) if t != AreaType.SYSTEM])

    @pa.check("kpi_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)


PEER_LEVELS = ("icb", "trust", "council")
EVERY_ORGANISATION = "*"


class PeerGroups(_Provenanced):
    """peer_groups.csv: one row per peer group and member organisation (``*``: all of the level)."""

    group_code: Series[str]
    group_name: Series[str]
    level: Series[str] = pa.Field(isin=list(PEER_LEVELS))
    org_code: Series[str]

    @pa.check("group_code", "group_name", "org_code", **_rule("required", "must not be blank"))
    @classmethod
    def _required(cls, series: Series[str]) -> Series[bool]:
        return _filled(series)

    @pa.check("group_code", **_rule("code", "must be a code (letters, digits, _ . -)"))
    @classmethod
    def _group(cls, series: Series[str]) -> Series[bool]:
        return _matches(series, CODE, blank_ok=False)

    @pa.check(
        "org_code",
        **_rule("organisation code", "must be an organisation code, or * for all of the level"),
    )
    @classmethod
    def _org(cls, series: Series[str]) -> Series[bool]:
        return cast(
            "Series[bool]", _matches(series, CODE, blank_ok=False) | (series == EVERY_ORGANISATION)
        )
