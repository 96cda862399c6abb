"""The synthetic demo's people's words: owners' commentary and the BRG's sign-offs, synthetic."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from scorecard.data.access import Principal, Role, Source
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_commentary import Action
from scorecard.reports import benefits
from scorecard.reports.derived import SYNTHETIC_LABEL, SYNTHETIC_SIGNER, WithDerived, benefit_rows
from scorecard.reports.exceptions import ExceptionItem, exceptions
from scorecard.reports.scoring import ScorecardRow
from scorecard.thread.domain import Framework
from scorecard.thread.errors import UserError
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_index, period_of_index

LABEL = SYNTHETIC_LABEL  # every text the demo writes starts with this
AUTHOR_ID = SYNTHETIC_SIGNER


@dataclass(frozen=True)
class Words:
    """One commentary the demo writes."""

    chart_says: str
    issues: str
    mitigations: str
    actions: tuple[tuple[str, str, int], ...]  # text, owner, due as days after the month's end
    decision: str = ""  # what the Board is asked to decide ("" asks nothing)


# Hand-written words for the demo's planted stories, used when the KPI is in exception for the
# reason the words describe (another seed or window may not plant them).
PLANTED: dict[tuple[str, str], tuple[str, Words]] = {
    ("ACT-DISCHNOON", "QPM"): (
        "lost",
        Words(
            chart_says=(
                "Discharges before noon have fallen back to where they were before the "
                "improvement programme: the last seven months, all since the external "
                "partner's support ended, have been below the improved mean."
            ),
            issues=(
                "Board rounds on most medical wards now start after 10:00; to-take-out "
                "medicines are the commonest reason for an afternoon discharge; the discharge "
                "lounges close at weekends."
            ),
            mitigations=(
                "Site teams at both trusts are reinstating the 09:30 board round on the frailty "
                "wards. Risk: the later discharges keep the morning bed gap in ED through winter."
            ),
            actions=(
                ("Re-audit board round start times on all medical wards", "Deputy COOs", 21),
                ("Cost a seven-day discharge coordinator post at each trust", "Flow lead", 28),
            ),
            decision=(
                "agree to fund a seven-day discharge coordinator at each acute trust for six "
                "months, non-recurrently, to restore the morning discharge practice"
            ),
        ),
    ),
    ("LEAD-P0", "QPM"): (
        "failing",
        Words(
            chart_says=(
                "Discharges home without new support are improving month on month, but the "
                "process limits sit below the target, so the target will not be met this year "
                "at the current rate of change."
            ),
            issues="The target was set before pathway 1 capacity was expanded.",
            mitigations="Pathway 1 growth is being tracked alongside this KPI.",
            actions=(
                ("Propose a monthly trajectory to the target", "Flow & Grip pillar lead", 14),
            ),
            decision=(
                "agree a monthly trajectory to the pathway 0 target in place of the single "
                "year-end figure, reviewed again in six months"
            ),
        ),
    ),
    ("ACT-FFD", "QPM"): (
        "slipping",
        Words(
            chart_says=(
                "Frailty front door assessments that avoid admission are slipping since "
                "support ended: a run below the improved mean, though still above where they "
                "were before the improvement."
            ),
            issues="Frailty practitioner rotas at the front door are unfilled two days a week.",
            mitigations="Bank shifts are being offered to cover the gaps until recruitment ends.",
            actions=(("Fill the frailty practitioner rota gaps", "FEFD pillar lead", 30),),
        ),
    ),
}

# Words by the most serious reason, for any other KPI in exception.
GENERIC: dict[str, Words] = {
    "concern": Words(
        chart_says="The latest point is a special cause of concern: {name} moved the worse way.",
        issues="The team is checking whether a change in recording or in practice explains it.",
        mitigations="Weekly figures are being watched until the cause is known.",
        actions=(("Find the cause of the special-cause signal", "{owner}", 14),),
    ),
    "lost": Words(
        chart_says="{name} is back at the level before the improvement now support has ended.",
        issues="The practice that produced the improvement has not been kept up.",
        mitigations="The brick team is reviewing what stopped when support ended.",
        actions=(("Review what changed when support ended", "{owner}", 21),),
    ),
    "failing": Words(
        chart_says=(
            "{name} varies by chance around its mean of {mean}; at this level the target of "
            "{target} will not be met without a change to the process."
        ),
        issues="The target assumes a change to the process that has not happened yet.",
        mitigations="The owner is agreeing with the brick team what would shift the process.",
        actions=(("Agree the change that would move the process to target", "{owner}", 28),),
    ),
    "slipping": Words(
        chart_says="{name} is slipping since support ended, though still better than before.",
        issues="Some of the practice behind the improvement has lapsed.",
        mitigations="The brick team is refreshing the standard work.",
        actions=(("Refresh the standard work with the teams", "{owner}", 21),),
    ),
}


def _due(month: str, days: int) -> str:
    """A due date ``days`` after the month's last day (never before the month)."""
    following = period_of_index(month_index(month) + 1)
    first = dt.date(int(following[:4]), int(following[5:7]), 1)
    return (first + dt.timedelta(days=days - 1)).isoformat()


def words_for(item: ExceptionItem) -> Words | None:
    """The commentary the demo writes for an exception (None when it has nothing to say)."""
    planted = PLANTED.get((item.kpi_code, item.area_code))
    if planted is not None and planted[0] in item.reason_kinds:
        return planted[1]
    for kind in item.reason_kinds:
        if kind in GENERIC:
            return GENERIC[kind]
    return None


def _fill(text: str, item: ExceptionItem, row: ScorecardRow) -> str:
    return text.format(
        name=item.kpi_name,
        owner=item.owner or "KPI owner",
        mean=format_value(row.mean, row.unit),
        target=format_value(row.target, row.unit),
    )


def write_demo_commentary(
    fw: Framework, reviews: Reviews, rows: Sequence[ScorecardRow], month: str
) -> int:
    """Write the demo's commentary for the month's exceptions; return how many were written.

    Each is written as the KPI's owner would, through ``Reviews.add_commentary`` (permissions,
    checks, append-only), by a synthetic author, every text starting with ``LABEL``. A KPI × area
    that already has commentary for the month (an earlier build) is left as it is.
    """
    by_key = {(r.kpi_code, r.area_code): r for r in rows}
    owners = {k.code: k.owner_role for k in fw.kpis}
    said = {(c.kpi_code, c.area_code) for c in reviews.month_commentary(month)}
    written = 0
    for item in exceptions(rows, month, owners=owners):
        row = by_key[(item.kpi_code, item.area_code)]
        words = words_for(item)
        if words is None or (item.kpi_code, item.area_code) in said:
            continue
        kpi = fw.kpi(item.kpi_code)
        author = Principal(
            user_id=AUTHOR_ID,
            name=f"Synthetic demo ({kpi.owner_role})",
            roles=frozenset({Role.KPI_OWNER}),
            owner_roles=frozenset({kpi.owner_role}),
            source=Source.LOCAL,
        )
        try:
            reviews.add_commentary(
                fw,
                author,
                item.kpi_code,
                item.area_code,
                month,
                chart_says=f"{LABEL} {_fill(words.chart_says, item, row)}",
                issues=_fill(words.issues, item, row),
                mitigations=_fill(words.mitigations, item, row),
                actions=[
                    Action(_fill(text, item, row), _fill(owner, item, row), _due(month, days))
                    for text, owner, days in words.actions
                ],
                decision_required=bool(words.decision),
                decision=words.decision,
            )
        except UserError:
            continue  # e.g. the month was signed off in an earlier demo: its words stay as they are
        written += 1
    return written


def add_demo_commentary(fw: Framework, store_path: Path, month: str) -> int:
    """Write the demo's commentary beside a freshly built demo store (see write_demo_commentary)."""
    from scorecard.data.store import Store, store_events
    from scorecard.reports.scoring import compute_scorecard
    from scorecard.thread.domain import with_events

    live = with_events(fw, store_events(store_path))
    reviews = Reviews.beside(store_path)
    derived = benefit_rows(live, reviews.benefit_signoffs(), month)
    rows = compute_scorecard(live, WithDerived(Store(store_path), derived), month)
    return write_demo_commentary(live, reviews, rows, month)


# The BRG's sign-offs (synthetic): at each quarter's review the Benefits Realisation Group signs
# off every line's delivered value to the quarter's last month, once the quarter has been closed
# for BRG_LAG_MONTHS. ACT-BENEFIT is derived from these (scorecard.reports.derived), so the Benefits
# page's "signed off" and the KPI agree.
BRG_QUARTER_ENDS: Final = ("03", "06", "09", "12")
BRG_LAG_MONTHS: Final = 2
BRG_AUTHOR = Principal(
    user_id=SYNTHETIC_SIGNER,
    name="Synthetic demo (Benefits Realisation Group)",
    roles=frozenset({Role.BRG}),
    source=Source.LOCAL,
)


def write_demo_signoffs(
    fw: Framework, reviews: Reviews, frame: pd.DataFrame, first: str, month: str
) -> int:
    """Record the BRG's synthetic sign-offs of the demo's quarters; return how many were written.

    Each goes through ``Reviews.sign_off_benefit`` (the BRG's role check, checks, append-only,
    sealed) by ``BRG_AUTHOR``, its note starting with ``LABEL``. The amount is the line's
    delivered value (£'000, rounded) to the quarter's last month, from the month ``first`` the
    demo has data, where that is above zero. A line × month already signed off is left as it is.

    Args:
        fw: the framework (its benefits register).
        reviews: the records beside the demo store.
        frame: the register's KPIs at the system area (current observations).
        first: the demo's first month.
        month: the demo's last month.
    """
    if not fw.benefits.lines:
        return 0
    position = benefits.benefits_position(fw, frame, month)
    periods = [p.period for p in position.lines[0].months] if position.lines else []
    close = period_of_index(month_index(month) - BRG_LAG_MONTHS)
    reviews_at = [
        i for i, p in enumerate(periods) if first <= p <= close and p[5:7] in BRG_QUARTER_ENDS
    ]
    done = {(s.line_code, s.period) for s in reviews.benefit_signoffs()}
    written = 0
    for line in position.lines:
        delivered = [m.delivered_k or 0.0 for m in line.months]
        for i in reviews_at:
            period = periods[i]
            amount = round(sum(delivered[: i + 1]))
            if amount <= 0 or (line.code, period) in done:
                continue
            reviews.sign_off_benefit(
                BRG_AUTHOR,
                line.code,
                period,
                amount,
                benefits.line_evidence_hash(fw, frame, line.code, period),
                f"{LABEL} signed off at the BRG's quarterly review of {period}",
            )
            written += 1
    return written


def add_demo_signoffs(fw: Framework, store_path: Path, first: str, month: str) -> int:
    """Record the BRG's synthetic sign-offs beside a freshly built demo store."""
    from scorecard.data.store import Store

    frame = Store(store_path).current(
        list(fw.benefits.kpi_codes()), [benefits.system_area(fw)], up_to=month
    )
    return write_demo_signoffs(fw, Reviews.beside(store_path), frame, first, month)
