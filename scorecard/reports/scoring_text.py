"""The scorecard as a plain-text table for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from scorecard.reports.scoring import ScorecardRow
from scorecard.thread.numbers import format_value


def scorecard_text(rows: Sequence[ScorecardRow], month: str, area: str | None) -> str:
    """The scorecard as a plain-text table for the terminal."""
    header = (
        "KPI",
        "name",
        "area",
        "period",
        "value",
        "target",
        "points",
        "variation",
        "assurance",
    )
    table: list[tuple[str, ...]] = [header]
    for row in rows:
        value = "suppressed" if row.suppressed else format_value(row.value, row.unit)
        if row.provisional and not row.suppressed:
            value += " (p)"
        name = row.kpi_name if len(row.kpi_name) <= 48 else row.kpi_name[:47] + "…"
        table.append(
            (
                row.kpi_code,
                name,
                row.area_code,
                row.period or "no data",
                value,
                format_value(row.target, row.unit),
                str(row.n_points),
                row.variation,
                row.assurance,
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in table
    ]
    scope = f"area {area}" if area else "all areas"
    synthetic = any(row.synthetic for row in rows)
    title = f"iCAN scorecard for {month}, {scope}: {len(rows)} KPI × area rows"
    notes = ["(p) provisional value."]
    if synthetic:
        notes.append("SYNTHETIC demo data: these values are not real.")
    return "\n".join([title, "", *lines, "", *notes])


__all__ = ["scorecard_text"]
