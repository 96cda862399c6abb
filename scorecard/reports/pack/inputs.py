"""What the Board pack reads (the store, people's words) and its scorecard table (CSV, XLSX)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd

from scorecard.data.reviews import Reviews
from scorecard.data.reviews_annotations import Annotation, with_declared_change_points
from scorecard.data.reviews_commentary import Commentary
from scorecard.data.reviews_signoffs import SignOff, SignOffChange, row_record
from scorecard.reports.comparisons import level_of, with_benchmarks
from scorecard.reports.derived import WithDerived, benefit_rows
from scorecard.reports.pack.drawings import assurance_words, variation_words
from scorecard.reports.scoring import ScorecardRow, compute_scorecard
from scorecard.reports.scoring_series import KpiSeries, compute_series
from scorecard.statistics.benchmark import PeerTable, level_table, split_comparisons
from scorecard.statistics.disclosure import SUPPRESSION_NOTE, hidden_periods
from scorecard.thread.domain import Area, Framework, SpcEvent, Tier, with_events
from scorecard.thread.errors import Problem, UserError
from scorecard.thread.numbers import SUPPRESSED_MARK
from scorecard.thread.periods import previous_month

if TYPE_CHECKING:
    from scorecard.reports.benefits import BenefitsPosition


class StoreReader(Protocol):
    """What the pack reads from the store (``scorecard.data.store.Store``)."""

    def exists(self) -> bool:
        """Whether the store file exists."""
        ...

    def identity(self) -> str:
        """A key that changes whenever the data change."""
        ...

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        """Current observations."""
        ...

    def loads(self) -> pd.DataFrame:
        """The load log."""
        ...

    def events(self) -> tuple[SpcEvent, ...]:
        """The SPC events the store holds (the demo's planted ones)."""
        ...

    def history(self, kpi_code: str | None = None, area_code: str | None = None) -> pd.DataFrame:
        """Every version of the values."""
        ...


class _WithDerived:
    """The store as the pack reads it: derived KPIs (ACT-BENEFIT) from people's records."""

    def __init__(self, store: StoreReader, derived: pd.DataFrame) -> None:
        self.store = store
        self.joined = WithDerived(store, derived)

    def exists(self) -> bool:
        return self.store.exists()

    def identity(self) -> str:
        return self.store.identity()

    def current(
        self,
        kpi_codes: list[str] | None = None,
        area_codes: list[str] | None = None,
        up_to: str | None = None,
    ) -> pd.DataFrame:
        return self.joined.current(kpi_codes, area_codes, up_to)

    def loads(self) -> pd.DataFrame:
        return self.store.loads()

    def events(self) -> tuple[SpcEvent, ...]:
        return self.store.events()

    def history(self, kpi_code: str | None = None, area_code: str | None = None) -> pd.DataFrame:
        return self.store.history(kpi_code=kpi_code, area_code=area_code)


@dataclass(frozen=True)
class PackData:
    """Everything the pack shows, read once from the framework, the store and the reviews."""

    fw: Framework
    month: str
    area: Area
    rows: tuple[ScorecardRow, ...]  # computed now (with declared change points)
    shown: tuple[dict[str, object], ...]  # the rows as shown: signed-off snapshot, else now
    previous_rows: tuple[ScorecardRow, ...]
    series: Mapping[tuple[str, str], KpiSeries]
    commentary: Mapping[str, Commentary]  # by KPI code (this area)
    annotations: Mapping[str, tuple[Annotation, ...]]  # by KPI code
    signoff: SignOff | None
    signoff_changes: tuple[SignOffChange, ...]
    data_as_of: str
    store_identity: str
    synthetic: bool
    quality: tuple[Any, ...]
    prepared_at: str
    benefits: BenefitsPosition | None = None  # when the framework has a benefits register
    # By KPI code (this area): the latest commentary written for the month or an earlier one.
    latest_commentary: Mapping[str, Commentary] = field(default_factory=dict)
    # By KPI code (this area): periods disclosure control hides beyond the small-number rule
    # itself (secondary suppression, decided over every area so totals and parts agree).
    hidden_periods: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # By lead KPI code: every organisation of the area's level in the row's month, with the
    # funnel's limits (only KPIs with a funnel; scorecard.reports.pack.funnel draws them).
    peer_tables: Mapping[str, PeerTable] = field(default_factory=dict)


def _data_as_of(loads: pd.DataFrame) -> str:
    if loads.empty or "loaded_at" not in loads.columns:
        return "no loads recorded"
    latest = pd.to_datetime(loads["loaded_at"], errors="coerce").max()
    if pd.isna(latest):
        return "unknown"
    return f"{latest:%d %b %Y %H:%M} UTC"


def _with_benchmarks(
    store: StoreReader,
    fw: Framework,
    rows: tuple[ScorecardRow, ...],
    previous: tuple[ScorecardRow, ...],
) -> tuple[tuple[ScorecardRow, ...], tuple[ScorecardRow, ...], dict[str, PeerTable]]:
    """The rows with their benchmarks, when the store holds comparison figures.

    Also each lead KPI's peer table (every organisation of the area's level, the row's month)
    where it has a funnel, for the pack's funnel plot.
    """
    read = getattr(store, "comparisons", None)
    if not callable(read):
        return rows, previous, {}
    split = split_comparisons(read())
    rows = tuple(with_benchmarks(rows, fw, split))
    tables: dict[str, PeerTable] = {}
    for row in rows:
        kpi = fw.kpi(row.kpi_code)
        level = level_of(fw, row.area_code)
        if kpi.tier != Tier.LEAD or not kpi.source_key or level is None or not row.period:
            continue
        table = level_table(split, kpi.source_key, row.period, level, str(kpi.unit), kpi.direction)
        if table is not None and table.method == "funnel":
            tables[kpi.code] = table
    return rows, tuple(with_benchmarks(previous, fw, split)), tables


def read_pack_data(
    fw: Framework,
    store: StoreReader,
    reviews: Reviews,
    month: str,
    area_code: str,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> PackData:
    """Read what the pack needs (one store read for the area, one for the load log).

    Raises:
        UserError: For an unknown area or a month without any data.
    """
    try:
        area = fw.area(area_code)
    except KeyError:
        known = ", ".join(a.code for a in fw.areas)
        raise UserError(
            Problem("--area", None, "", area_code, "a known area code", f"known areas: {known}")
        ) from None
    live = with_declared_change_points(with_events(fw, store.events()), reviews)
    stored = store  # comparison figures are read from the store itself
    store = _WithDerived(store, benefit_rows(live, reviews.benefit_signoffs(), month))
    frame = store.current(area_codes=[area.code], up_to=month)
    if frame.empty:
        raise UserError(
            Problem(
                "--month",
                None,
                "",
                month,
                "data at or before the month",
                f"the store holds no data for {area.name} at or before {month}",
            )
        )
    # from the store, not the area's frame: a whole's row reads its parts to check they add up
    rows = tuple(compute_scorecard(live, store, month, area.code))
    previous = tuple(compute_scorecard(live, frame, previous_month(month), area.code))
    rows, previous, peer_tables = _with_benchmarks(stored, live, rows, previous)
    series = compute_series(live, frame, month, area.code)
    signoff = reviews.signoff(month, area.code)
    if signoff is not None:
        shown = tuple(dict(r) for r in signoff.rows)
        words = {c.kpi_code: c for c in signoff.commentary if c.area_code == area.code}
        changes = tuple(reviews.changed_since_signoff(month, area.code, rows))
    else:
        shown = tuple(row_record(r) for r in rows)
        words = {c.kpi_code: c for c in reviews.month_commentary(month, area.code)}
        changes = ()
    notes: dict[str, list[Annotation]] = {}
    for note in reviews.annotations(area_code=area.code):
        notes.setdefault(note.kpi_code, []).append(note)
    from scorecard.statistics.quality import kpi_quality

    history = store.history(area_code=area.code)
    quality = tuple(kpi_quality(fw, frame, month, history=history, area=area.code))
    synthetic = bool(frame["synthetic"].fillna(False).astype(bool).any())
    return PackData(
        fw=live,
        month=month,
        area=area,
        rows=rows,
        shown=shown,
        previous_rows=previous,
        series=series,
        commentary=words,
        annotations={k: tuple(v) for k, v in notes.items()},
        signoff=signoff,
        signoff_changes=changes,
        data_as_of=_data_as_of(store.loads()),
        store_identity=store.identity(),
        synthetic=synthetic,
        quality=quality,
        prepared_at=f"{now():%d %b %Y %H:%M} UTC",
        benefits=_benefits(live, store, reviews, month),
        latest_commentary={c.kpi_code: c for c in reviews.latest_commentary(month, area.code)},
        hidden_periods=_hidden_periods(live, store, month, area.code),
        peer_tables=peer_tables,
    )


def _hidden_periods(
    fw: Framework, store: StoreReader, month: str, area_code: str
) -> dict[str, frozenset[str]]:
    """The periods disclosure control hides for this area, per KPI that suppresses small numbers."""
    codes = [k.code for k in fw.kpis if k.suppress_small_numbers]
    if not codes:
        return {}
    everyone = store.current(kpi_codes=codes, area_codes=None, up_to=month)
    return {code: frozenset(hidden_periods(fw, everyone, code, area_code)) for code in codes}


def _benefits(
    fw: Framework, store: StoreReader, reviews: Reviews, month: str
) -> BenefitsPosition | None:
    """The benefits realised to the month (None without a register); system level always."""
    from scorecard.reports import benefits

    if not fw.benefits.lines:
        return None
    frame = store.current(list(fw.benefits.kpi_codes()), [benefits.system_area(fw)], up_to=month)
    return benefits.benefits_position(fw, frame, month, benefits.read_signoffs(reviews, month))


SCORECARD_TABLE_COLUMNS: tuple[str, ...] = (
    "kpi_code",
    "kpi_name",
    "tier",
    "outcome_numbers",
    "area_code",
    "area_name",
    "period",
    "value",
    "unit",
    "status",
    "target",
    "direction",
    "n_points",
    "mean",
    "upl",
    "lpl",
    "variation",
    "variation_words",
    "assurance",
    "assurance_words",
    "suppressed",
    "data",
    "provenance",
    "commentary_chart_says",
    "commentary_issues",
    "commentary_actions",
    "commentary_mitigations",
    "commentary_by",
    "commentary_version",
    "note",
)


def _actions_text(words: Commentary) -> str:
    parts = []
    for action in words.actions:
        who = f" ({action.owner}" + (f", due {action.due}" if action.due else "") + ")"
        parts.append(action.text + (who if action.owner or action.due else ""))
    return "; ".join(parts)


def scorecard_frame(
    rows: Sequence[ScorecardRow | Mapping[str, object]],
    commentary: Mapping[tuple[str, str], Commentary] | None = None,
) -> pd.DataFrame:
    """The scorecard table for CSV and XLSX downloads: contract fields, words and commentary.

    A suppressed value is published as "*" with the reason in ``note``; the store keeps it.
    """
    words = commentary or {}
    records: list[dict[str, object]] = []
    for row in rows:
        r = row_record(row)
        suppressed = bool(r.get("suppressed"))
        said = words.get((str(r.get("kpi_code")), str(r.get("area_code"))))
        notes = []
        if suppressed:
            notes.append(SUPPRESSION_NOTE)
        if r.get("provisional"):
            notes.append("Provisional value.")
        outcomes = r.get("outcome_numbers") or []
        records.append(
            {
                "kpi_code": r.get("kpi_code"),
                "kpi_name": r.get("kpi_name"),
                "tier": r.get("tier"),
                "outcome_numbers": ";".join(str(o) for o in outcomes)
                if isinstance(outcomes, list | tuple)
                else str(outcomes),
                "area_code": r.get("area_code"),
                "area_name": r.get("area_name", ""),
                "period": r.get("period"),
                "value": SUPPRESSED_MARK if suppressed else r.get("value"),
                "unit": r.get("unit", ""),
                "status": r.get("status"),
                "target": r.get("target"),
                "direction": r.get("direction"),
                "n_points": r.get("n_points"),
                "mean": r.get("mean"),
                "upl": r.get("upl"),
                "lpl": r.get("lpl"),
                "variation": r.get("variation"),
                "variation_words": variation_words(str(r.get("variation"))),
                "assurance": r.get("assurance"),
                "assurance_words": assurance_words(str(r.get("assurance"))),
                "suppressed": suppressed,
                "data": "synthetic" if r.get("synthetic") else "real",
                "provenance": r.get("provenance", ""),
                "commentary_chart_says": said.chart_says if said else "",
                "commentary_issues": said.issues if said else "",
                "commentary_actions": _actions_text(said) if said else "",
                "commentary_mitigations": said.mitigations if said else "",
                "commentary_by": f"{said.author}, {said.written_at}" if said else "",
                "commentary_version": said.version if said else None,
                "note": " ".join(notes),
            }
        )
    return pd.DataFrame.from_records(records, columns=list(SCORECARD_TABLE_COLUMNS))


def scorecard_csv(frame: pd.DataFrame) -> bytes:
    """The scorecard table as CSV (formula-like text neutralised)."""
    from scorecard.data import exports

    return exports.to_csv_bytes(frame)


def scorecard_xlsx(frame: pd.DataFrame, month: str, area: str) -> bytes:
    """The scorecard table as XLSX (formula-like text neutralised)."""
    from scorecard.data import exports  # openpyxl: only when a workbook is asked for

    return exports.to_xlsx_bytes(
        frame, sheet_name=f"Scorecard {month}", title=f"iCAN scorecard {month} {area}"
    )
