"""What got worse and what the Board must decide: exceptions, decisions, the summary grid. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from scorecard.reports.scoring import ScorecardRow
from scorecard.thread.numbers import format_value
from scorecard.thread.periods import month_long

TIERS = ("lead", "activity")  # the tiers the exceptions and the grid cover (not system KPIs)
ONE_LINE_CHARS = 160  # the latest commentary in one line, at most this long
DECISION_PREFIX = "The Board is asked to"

# Reasons, most serious first: the order of reasons within an item and a tie-break between items.
REASON_KINDS = (
    "concern",
    "lost",
    "failing",
    "worse_than_england",
    "slipping",
    "change_point",
    "missing",
    "late",
)
# "new" compares these
NEW_KINDS = ("concern", "lost", "failing", "worse_than_england", "slipping", "change_point")

# Priority groups: what needs the Board first.
DECISION = "decision"
NEW = "new"
CONTINUING = "continuing"
GROUPS = (DECISION, NEW, CONTINUING)

# The Making Data Count summary grid: variation classes × assurance, in reading order.
VARIATION_CLASSES = ("improvement", "common_cause", "concern", "neutral", "no_reading")
ASSURANCE_CLASSES = ("pass", "hit_or_miss", "fail", "none")
VARIATION_CLASS_LABELS = {
    "improvement": "Improvement",
    "common_cause": "Common cause",
    "concern": "Concern",
    "neutral": "Special cause, neutral",
    "no_reading": "No SPC reading (too few points or no data)",
}
ASSURANCE_CLASS_LABELS = {
    "pass": "Consistently passing",
    "hit_or_miss": "Hit or miss",
    "fail": "Consistently failing",
    "none": "No target assurance",
}

_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class Reason:
    """Why a KPI × area is an exception: a kind (one of ``REASON_KINDS``) and the words."""

    kind: str
    text: str


@dataclass(frozen=True)
class NextAction:
    """The next action of the latest commentary: what, who, by when (``YYYY-MM-DD``)."""

    text: str
    owner: str
    due: str

    @property
    def sentence(self) -> str:
        """The action in words, e.g. "Audit the ward rounds (Discharge lead, by 2026-12-15)"."""
        who = ", ".join(p for p in (self.owner, f"by {self.due}" if self.due else "") if p)
        return f"{self.text} ({who})" if who else self.text


@dataclass(frozen=True)
class ExceptionItem:
    """One KPI × area that needs the Board's eye this month."""

    kpi_code: str
    kpi_name: str
    tier: str
    area_code: str
    area_name: str
    month: str  # the month shown
    period: str | None  # the latest period with data at or before it
    owner: str
    reasons: tuple[Reason, ...]
    commentary: str  # the latest commentary in one line ("" when none is written)
    commentary_period: str  # the month that commentary was written for ("" when none)
    next_action: NextAction | None
    decision_required: bool
    decision: str  # "The Board is asked to …" ("" when no decision is required)
    group: str  # one of GROUPS
    priority: int  # 1 = first for the Board

    @property
    def reason_text(self) -> str:
        """The reasons in one sentence."""
        return "; ".join(r.text for r in self.reasons)

    @property
    def reason_kinds(self) -> tuple[str, ...]:
        """The kinds of the reasons, most serious first."""
        return tuple(r.kind for r in self.reasons)


@dataclass(frozen=True)
class GridCell:
    """One cell of the summary grid: the KPI × area pairs with this variation and assurance."""

    variation: str  # one of VARIATION_CLASSES
    assurance: str  # one of ASSURANCE_CLASSES
    kpis: tuple[tuple[str, str], ...]  # (kpi_code, area_code), in framework order

    @property
    def count(self) -> int:
        """How many KPI × area pairs the cell holds."""
        return len(self.kpis)


@dataclass(frozen=True)
class SummaryGrid:
    """The Making Data Count summary grid of one tier: variation × assurance counts."""

    tier: str
    cells: tuple[GridCell, ...]  # every variation × assurance pair, variation-major

    def cell(self, variation: str, assurance: str) -> GridCell:
        """The cell of a variation class and an assurance."""
        for c in self.cells:
            if c.variation == variation and c.assurance == assurance:
                return c
        raise KeyError((variation, assurance))

    @property
    def total(self) -> int:
        """How many KPI × area pairs the grid counts."""
        return sum(c.count for c in self.cells)

    def variation_total(self, variation: str) -> int:
        """How many pairs fall in a variation class."""
        return sum(c.count for c in self.cells if c.variation == variation)

    def assurance_total(self, assurance: str) -> int:
        """How many pairs fall in an assurance class."""
        return sum(c.count for c in self.cells if c.assurance == assurance)

    def used_variations(self) -> tuple[str, ...]:
        """The three Making Data Count classes, and the other two only when any pair is in them."""
        return tuple(
            v
            for v in VARIATION_CLASSES
            if v in ("improvement", "common_cause", "concern") or self.variation_total(v)
        )


def variation_class(variation: str) -> str:
    """The grid's variation class of a variation icon code."""
    if variation.startswith("improvement"):
        return "improvement"
    if variation.startswith("concern"):
        return "concern"
    if variation.startswith("neither"):
        return "neutral"
    if variation == "common_cause":
        return "common_cause"
    return "no_reading"


def assurance_class(assurance: str) -> str:
    """The grid's assurance class of an assurance icon code."""
    return assurance if assurance in ASSURANCE_CLASSES else "none"


def summary_grid(rows: Iterable[ScorecardRow], tier: str) -> SummaryGrid:
    """The summary grid of one tier's rows (every row of the tier counts once)."""
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for row in rows:
        if row.tier != tier:
            continue
        key = (variation_class(row.variation), assurance_class(row.assurance))
        found.setdefault(key, []).append((row.kpi_code, row.area_code))
    cells = tuple(
        GridCell(v, a, tuple(found.get((v, a), ())))
        for v in VARIATION_CLASSES
        for a in ASSURANCE_CLASSES
    )
    return SummaryGrid(tier, cells)


def summary_grids(rows: Sequence[ScorecardRow]) -> tuple[SummaryGrid, SummaryGrid]:
    """The lead and the activity KPIs' summary grids."""
    return summary_grid(rows, "lead"), summary_grid(rows, "activity")


def one_line(text: str, limit: int = ONE_LINE_CHARS) -> str:
    """Text as one line: whitespace collapsed, cut at a word with "…" when longer than ``limit``."""
    flat = _SPACES.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def decision_sentence(text: str) -> str:
    """A decision request as the Board reads it: "The Board is asked to …"."""
    flat = _SPACES.sub(" ", text).strip().rstrip(".")
    if not flat:
        return ""
    if flat.lower().startswith(DECISION_PREFIX.lower()):
        return flat + "."
    if flat.lower().startswith("to "):
        flat = flat[3:]
    return f"{DECISION_PREFIX} {flat[0].lower()}{flat[1:]}."


def commentary_line(commentary: object, limit: int = ONE_LINE_CHARS) -> str:
    """The latest commentary in one line: what the chart says, else the issues, else mitigations."""
    for name in ("chart_says", "issues", "mitigations"):
        text = str(getattr(commentary, name, "") or "")
        if text.strip():
            return one_line(text, limit)
    return ""


def next_action(commentary: object) -> NextAction | None:
    """The commentary's action due soonest (undated actions after dated ones, in their order)."""
    actions = tuple(getattr(commentary, "actions", ()) or ())
    found: list[tuple[int, str, int, NextAction]] = []
    for order, action in enumerate(actions):
        item = NextAction(
            str(getattr(action, "text", "")),
            str(getattr(action, "owner", "")),
            str(getattr(action, "due", "")),
        )
        if item.text:
            found.append((0 if item.due else 1, item.due, order, item))
    return min(found, key=lambda f: f[:3])[3] if found else None


def _field(row: object, name: str, default: object = None) -> object:
    """A row's field by name, from an object or a mapping (rows with or without newer fields)."""
    if isinstance(row, Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


def _direction_words(variation: str) -> str:
    return "unusually high" if variation.endswith("_high") else "unusually low"


def reasons_of(
    row: ScorecardRow, month: str, lag: tuple[int | None, int] | None = None
) -> tuple[Reason, ...]:
    """Why a row is an exception, most serious first (empty when it is not one).

    Args:
        row: a scorecard row for ``month``.
        month: the month shown, ``YYYY-MM``.
        lag: the data-quality reading of the series (months the latest value is behind the
            month, months its frequency allows), when known; without it only a series with no
            data at all is "missing".

    Returns:
        The reasons, in ``REASON_KINDS`` order.
    """
    found: dict[str, str] = {}
    unit = str(_field(row, "unit", "") or "")
    if row.variation.startswith("concern"):
        found["concern"] = f"special-cause concern ({_direction_words(row.variation)})"
    if row.assurance == "fail":
        target = format_value(row.target, unit) if row.target is not None else "its target"
        found["failing"] = f"consistently failing its target ({target})"
    sustain = str(_field(row, "sustainability", "none") or "none")
    if sustain == "lost":
        found["lost"] = "improvement lost after support ended"
    elif sustain == "slipping":
        found["slipping"] = "improvement slipping after support ended"
    compared = _field(row, "benchmark")
    if isinstance(compared, Mapping) and compared.get("band") == "worse_998":
        england = compared.get("england")
        words = format_value(england, unit) if isinstance(england, float | int) else "England"
        found["worse_than_england"] = (
            f"significantly worse than England ({words}), beyond the 99.8% funnel limit"
        )
    suggested = _field(row, "suggested_change_point")
    if isinstance(suggested, str) and suggested:
        found["change_point"] = (
            f"sustained shift since {month_long(suggested)}: a change point to consider"
        )
    if row.period is None:
        found["missing"] = f"no data up to {month_long(month)}"
    elif lag is not None:
        behind, allowed = lag
        if behind is not None and behind > allowed:
            found["late"] = (
                f"data late: latest for {month_long(row.period)}, "
                f"{behind} months behind ({allowed} allowed)"
            )
    return tuple(Reason(kind, found[kind]) for kind in REASON_KINDS if kind in found)


def _new_reasons(reasons: Sequence[Reason], before: Sequence[Reason] | None) -> bool:
    now = {r.kind for r in reasons if r.kind in NEW_KINDS}
    if before is None:
        return bool(now)
    was = {r.kind for r in before if r.kind in NEW_KINDS}
    return bool(now - was)


def _commentary_key(c: object) -> tuple[str, str]:
    return str(getattr(c, "kpi_code", "")), str(getattr(c, "area_code", ""))


def latest_commentary_by_key(
    commentary: Iterable[object], month: str
) -> dict[tuple[str, str], object]:
    """The latest commentary of each KPI × area written for ``month`` or an earlier month."""
    out: dict[tuple[str, str], object] = {}
    for c in commentary:
        period = str(getattr(c, "period", ""))
        if not period or period > month:
            continue
        key = _commentary_key(c)
        held = out.get(key)
        rank = (period, int(getattr(c, "version", 0) or 0))
        if held is None or rank > (
            str(getattr(held, "period", "")),
            int(getattr(held, "version", 0) or 0),
        ):
            out[key] = c
    return out


def exceptions(
    rows: Sequence[ScorecardRow],
    month: str,
    *,
    previous_rows: Sequence[ScorecardRow] | None = None,
    commentary: Iterable[object] = (),
    lags: Mapping[tuple[str, str], tuple[int | None, int]] | None = None,
    owners: Mapping[str, str] | None = None,
) -> list[ExceptionItem]:
    """The exceptions and decisions of a month, in the order the Board should take them.

    A lead or activity KPI × area is an exception when it is in special-cause concern,
    consistently failing its target, significantly worse than England (its ``benchmark`` band is
    ``worse_998``, when the row carries one), slipping or lost after support ended, has a suggested
    change point, or its data is late or missing; or when its owner's commentary for the month
    asks the Board for a decision. Decisions come first, then exceptions with a reason that was
    not there the month before, then continuing ones; within each, by the most serious reason,
    lead before activity, then framework order.

    Args:
        rows: the scorecard rows of the month (any tiers and areas; system KPIs are left out).
        month: the month shown, ``YYYY-MM``.
        previous_rows: the rows of the month before, to tell new reasons from continuing ones
            (without them every reason counts as new).
        commentary: commentary versions (``reviews.Commentary`` or alike); the latest written
            for the month or before is shown, and only the month's own can ask for a decision.
        lags: per (kpi, area), months the latest value is behind and months allowed.
        owners: the owner of each KPI (its owner role), by KPI code.

    Returns:
        The items, ``priority`` 1 first.
    """
    before: dict[tuple[str, str], tuple[Reason, ...]] | None = None
    if previous_rows is not None:
        before = {}
        for prev in previous_rows:
            if prev.tier in TIERS and prev.period is not None:
                before[(prev.kpi_code, prev.area_code)] = reasons_of(prev, prev.period)
    latest = latest_commentary_by_key(commentary, month)
    found: list[tuple[tuple[int, int, int, int], ExceptionItem]] = []
    for order, row in enumerate(rows):
        if row.tier not in TIERS:
            continue
        key = (row.kpi_code, row.area_code)
        reasons = reasons_of(row, month, (lags or {}).get(key))
        words = latest.get(key)
        decision_required = bool(
            words is not None
            and getattr(words, "period", "") == month
            and getattr(words, "decision_required", False)
        )
        decision = (
            decision_sentence(str(getattr(words, "decision", "") or ""))
            if decision_required
            else ""
        )
        if not reasons and not decision_required:
            continue
        if decision_required:
            group = DECISION
        elif _new_reasons(reasons, None if before is None else before.get(key, ())):
            group = NEW
        else:
            group = CONTINUING
        item = ExceptionItem(
            kpi_code=row.kpi_code,
            kpi_name=row.kpi_name,
            tier=row.tier,
            area_code=row.area_code,
            area_name=str(_field(row, "area_name", "") or row.area_code),
            month=month,
            period=row.period,
            owner=(owners or {}).get(row.kpi_code, ""),
            reasons=reasons,
            commentary=commentary_line(words) if words is not None else "",
            commentary_period=str(getattr(words, "period", "")) if words is not None else "",
            next_action=next_action(words) if words is not None else None,
            decision_required=decision_required,
            decision=decision,
            group=group,
            priority=0,
        )
        worst = REASON_KINDS.index(reasons[0].kind) if reasons else len(REASON_KINDS)
        rank = (GROUPS.index(group), worst, TIERS.index(row.tier), order)
        found.append((rank, item))
    found.sort(key=lambda pair: pair[0])
    return [replace(item, priority=number) for number, (_, item) in enumerate(found, start=1)]


def headline(rows: Sequence[ScorecardRow]) -> dict[str, dict[str, int]]:
    """Per tier (lead, activity): KPI × areas reported, improving, in concern, failing target."""
    out: dict[str, dict[str, int]] = {}
    for tier in TIERS:
        reported = [r for r in rows if r.tier == tier and r.period is not None]
        out[tier] = {
            "reported": len(reported),
            "improvement": sum(r.variation.startswith("improvement") for r in reported),
            "concern": sum(r.variation.startswith("concern") for r in reported),
            "fail": sum(r.assurance == "fail" for r in reported),
        }
    return out
