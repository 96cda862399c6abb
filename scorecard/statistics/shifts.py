"""A sustained shift the limits do not yet describe: the sentence and the change point to record."""

from __future__ import annotations

import csv
import io

from scorecard.thread.domain import SpcEventKind
from scorecard.thread.periods import month_long

SPC_EVENTS_FILE = "data/framework/spc_events.csv"
REASON_PROMPT = "say what changed"


def shift_sentence(period: str) -> str:
    """What a suggested change point means for the icons, in one sentence."""
    return (
        f"A sustained shift since {month_long(period)}: the limits describe the process before "
        "it; the assurance icon is not reliable until an analyst records a change point."
    )


def change_point_row(kpi_code: str, area_code: str, period: str) -> str:
    """The exact ``spc_events.csv`` row that records the change point (the reason to fill in)."""
    out = io.StringIO()
    reason = f"Sustained shift from {month_long(period)}: {REASON_PROMPT}"
    csv.writer(out, lineterminator="").writerow(
        [kpi_code, area_code, period, str(SpcEventKind.CHANGE_POINT), reason]
    )
    return out.getvalue()


def change_point_advice(kpi_code: str, area_code: str, period: str) -> str:
    """The sentence plus where to add the row, for the pack and other plain-text places."""
    return (
        f"{shift_sentence(period)} To record it, add this row to {SPC_EVENTS_FILE} (with the "
        f"reason in words): {change_point_row(kpi_code, area_code, period)}"
    )
