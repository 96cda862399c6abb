"""Which target applies to a KPI in an area, in words: the system's, an area's own, or none."""

from __future__ import annotations

from scorecard.thread.citations import readable
from scorecard.thread.domain import AreaType, Framework, Kpi, Provenance
from scorecard.thread.numbers import format_value

NO_AREA_TARGET = "no target set for this area"


def target_sentence(fw: Framework, kpi: Kpi, area_code: str) -> str:
    """The KPI's target in an area as a phrase for its facts (never another area's target).

    A KPI's ``target_value`` is the system area's; a place or trust has a target only through
    its own row of ``area_targets.csv``; monthly trajectories are named where they exist.
    """
    unit = str(kpi.unit)
    area = fw.area(area_code)
    own = next(
        (t for t in fw.area_targets if t.kpi_code == kpi.code and t.area_code == area_code), None
    )
    paths = sorted({t.area_code for t in fw.trajectories if t.kpi_code == kpi.code})
    trajectory = f"; monthly trajectory for {', '.join(paths)}" if paths else ""
    if own is not None:
        mark = "from the iCAN documents" if own.provenance == Provenance.SEED else "illustrative"
        value = format_value(own.target, unit)
        return f"{value} for {area.name} ({mark}: {readable(own.source)}){trajectory}"
    target = fw.target_of(kpi.code, area_code)
    if target is not None:
        note = f" — {readable(kpi.target_note)}" if kpi.target_note else ""
        return f"{format_value(target, unit)} for {area.name}{note}{trajectory}"
    system = next((a for a in fw.areas if a.type == AreaType.SYSTEM), None)
    if system is not None and kpi.target_value is not None:
        return (
            f"{NO_AREA_TARGET[0].upper()}{NO_AREA_TARGET[1:]} ({area.name}); the system's "
            f"target is {format_value(kpi.target_value, unit)} for {system.name}{trajectory}"
        )
    return f"{NO_AREA_TARGET[0].upper()}{NO_AREA_TARGET[1:]}{trajectory}"
