"""What changed on the scorecard since the previous month, each change as a sentence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scorecard.reports.scoring import ScorecardRow
from scorecard.thread.domain import Framework

VARIATION_LABELS: Mapping[str, str] = {
    "common_cause": "common cause variation",
    "improvement_high": "improvement (high)",
    "improvement_low": "improvement (low)",
    "concern_high": "concern (high)",
    "concern_low": "concern (low)",
    "neither_high": "special cause, neither better nor worse (high)",
    "neither_low": "special cause, neither better nor worse (low)",
    "none": "no SPC icon",
}
ASSURANCE_LABELS: Mapping[str, str] = {
    "pass": "consistently passes its target",
    "fail": "consistently fails its target",
    "hit_or_miss": "hits or misses its target by chance",
    "none": "no assurance icon",
}


@dataclass(frozen=True)
class Change:
    """One thing that changed on the scorecard since the previous month."""

    kind: str  # see CHANGE_KINDS
    kpi_code: str
    kpi_name: str
    tier: str
    area_code: str
    before: str
    after: str
    period: str | None
    sentence: str


CHANGE_KINDS: tuple[str, ...] = (
    "new_special_cause",
    "target_newly_at_risk",
    "special_cause_changed",
    "special_cause_cleared",
    "target_now_assured",
)


def _special(variation: str) -> bool:
    return variation not in ("common_cause", "none")


_RISK = {"pass": 0, "hit_or_miss": 1, "fail": 2}


def _change(now: ScorecardRow, kind: str, was: str, sentence: str) -> Change:
    after = (
        now.assurance if kind in ("target_newly_at_risk", "target_now_assured") else now.variation
    )
    return Change(
        kind=kind,
        kpi_code=now.kpi_code,
        kpi_name=now.kpi_name,
        tier=now.tier,
        area_code=now.area_code,
        before=was,
        after=after,
        period=now.period,
        sentence=sentence,
    )


def _changes_of(now: ScorecardRow, before: ScorecardRow | None) -> list[Change]:
    """The changes of one KPI × area between last month's row and this month's."""
    was_variation = before.variation if before else "none"
    was_assurance = before.assurance if before else "none"
    where = f"{now.kpi_name} ({now.area_name or now.area_code})"
    when = f" in {now.period}" if now.period else ""
    was_label = VARIATION_LABELS.get(was_variation, was_variation)
    now_label = VARIATION_LABELS.get(now.variation, now.variation)
    out: list[Change] = []
    if _special(now.variation) and not _special(was_variation):
        sentence = f"{where}: new special cause{when}, {now_label} (was {was_label})."
        out.append(_change(now, "new_special_cause", was_variation, sentence))
    elif _special(now.variation) and now.variation != was_variation:
        sentence = f"{where}: special cause changed{when} to {now_label} (was {was_label})."
        out.append(_change(now, "special_cause_changed", was_variation, sentence))
    elif _special(was_variation) and now.variation == "common_cause":
        sentence = f"{where}: {was_label} has cleared{when}; now common cause variation."
        out.append(_change(now, "special_cause_cleared", was_variation, sentence))
    now_risk = _RISK.get(now.assurance)
    was_risk = _RISK.get(was_assurance)
    if now_risk is None or was_risk is None:
        return out
    now_text = ASSURANCE_LABELS[now.assurance]
    was_text = ASSURANCE_LABELS[was_assurance]
    if now_risk > was_risk:
        sentence = f"{where}: target newly at risk{when}: now {now_text} (was {was_text})."
        out.append(_change(now, "target_newly_at_risk", was_assurance, sentence))
    elif now.assurance == "pass" and was_risk > 0:
        sentence = f"{where}: now {now_text}{when} (was {was_text})."
        out.append(_change(now, "target_now_assured", was_assurance, sentence))
    return out


_TIER_ORDER = {"lead": 0, "activity": 1, "system": 2}


def _change_order(change: Change) -> tuple[int, int, int, str, str]:
    concern_first = 0 if change.after.startswith("concern") or change.after == "fail" else 1
    return (
        CHANGE_KINDS.index(change.kind) if change.kind in CHANGE_KINDS else len(CHANGE_KINDS),
        concern_first,
        _TIER_ORDER.get(change.tier, 3),
        change.kpi_code,
        change.area_code,
    )


def changes_since(
    fw: Framework, rows_now: Sequence[ScorecardRow], rows_prev: Sequence[ScorecardRow]
) -> list[Change]:
    """What changed since last month: new special causes, targets newly at risk, cleared icons.

    A target is newly at risk when assurance moves from pass to hit-or-miss or fail, or from
    hit-or-miss to fail; a special cause has cleared when the latest point is common cause
    again (not when the chart falls back to a run chart, which is no evidence either way).

    Args:
        fw: the framework (kept for symmetry with ``rollup``; ordering uses the rows' tiers).
        rows_now: this month's rows.
        rows_prev: the previous month's rows (same areas).

    Returns:
        Changes in the order of ``CHANGE_KINDS``, concerns first, lead KPIs before activity.
    """
    del fw
    previous = {(r.kpi_code, r.area_code): r for r in rows_prev}
    changes: list[Change] = []
    for now in rows_now:
        changes += _changes_of(now, previous.get((now.kpi_code, now.area_code)))
    return sorted(changes, key=_change_order)


__all__ = [
    "ASSURANCE_LABELS",
    "CHANGE_KINDS",
    "VARIATION_LABELS",
    "Change",
    "changes_since",
]
