"""Annotations: dated notes on a KPI's chart, some declared change points, withdrawn not deleted."""

from __future__ import annotations

import dataclasses
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from scorecard.data.access import Principal, require_commentary
from scorecard.data.reviews_core import (
    MAX_NOTE_CHARS,
    ReviewsDatabase,
    check_area,
    check_period,
    clean_text,
    kpi_of,
    problem,
)
from scorecard.thread.domain import Framework, SpcEvent, SpcEventKind
from scorecard.thread.errors import Problem, UserError

MAX_ANNOTATION_CHARS = 500


class AnnotationKind(StrEnum):
    """What an annotation on a KPI's chart marks."""

    INTERVENTION = "intervention"
    GO_LIVE = "go_live"
    RECORDING_CHANGE = "recording_change"
    OTHER = "other"


ANNOTATION_LABELS: dict[AnnotationKind, str] = {
    AnnotationKind.INTERVENTION: "Intervention",
    AnnotationKind.GO_LIVE: "Brick go-live",
    AnnotationKind.RECORDING_CHANGE: "Recording change",
    AnnotationKind.OTHER: "Other",
}


@dataclass(frozen=True)
class Annotation:
    """A dated note on a KPI's chart; may be declared a change point (new SPC partition)."""

    id: int
    kpi_code: str
    area_code: str  # "" = every area of the KPI
    period: str
    kind: AnnotationKind
    text: str
    change_point: bool
    author_id: str
    author_name: str
    written_at: str
    withdrawn: bool = False

    @property
    def label(self) -> str:
        """Short text for a chart marker, e.g. "Brick go-live: Rapid Response"."""
        return f"{ANNOTATION_LABELS[self.kind]}: {self.text}"

    def as_chart_dict(self) -> dict[str, object]:
        """The annotation as a chart marker: period, text, kind, change point."""
        return {
            "period": self.period,
            "text": self.label,
            "kind": str(self.kind),
            "change_point": self.change_point,
        }


class AnnotationRecords(ReviewsDatabase):
    """The annotations of the reviews file and their withdrawals."""

    def add_annotation(
        self,
        fw: Framework,
        principal: Principal,
        kpi_code: str,
        area_code: str,
        period: str,
        *,
        kind: AnnotationKind | str,
        text: str,
        change_point: bool = False,
    ) -> Annotation:
        """Record an annotation on a KPI's chart ("" area = every area of the KPI).

        Raises:
            PermissionDenied: When the principal may not write about this KPI.
            UserError: For over-long or empty text, a bad month, kind or area.
        """
        kpi = kpi_of(fw, kpi_code)
        require_commentary(principal, kpi)
        problems: list[Problem] = []
        check_period(period, problems)
        check_area(fw, kpi, area_code, problems)
        try:
            kind = AnnotationKind(kind)
        except ValueError:
            allowed = ", ".join(k.value for k in AnnotationKind)
            problems.append(problem("kind", str(kind), allowed, "is not a kind of annotation"))
            kind = AnnotationKind.OTHER
        cleaned = clean_text(text, "annotation", MAX_ANNOTATION_CHARS, problems)
        if not cleaned:
            problems.append(problem("annotation", "", "not empty", "say what happened"))
        if problems:
            raise UserError(problems)
        with self.connect(write=True) as con:
            self.refuse_if_shown_in_signed_off(con, period, area_code, "annotated")
            cursor = con.execute(
                "INSERT INTO annotations (kpi_code, area_code, period, kind, text, change_point,"
                " author_id, author_name, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    kpi.code,
                    area_code,
                    period,
                    str(kind),
                    cleaned,
                    int(change_point),
                    principal.user_id,
                    principal.name,
                    self.clock(),
                ),
            )
            self.seal(con, "annotations", cursor.lastrowid)
            row = con.execute(
                "SELECT *, 0 AS withdrawn FROM annotations WHERE id = ?", (cursor.lastrowid,)
            ).fetchone()
        return _annotation(row)

    def withdraw_annotation(
        self, fw: Framework, principal: Principal, annotation_id: int, reason: str
    ) -> None:
        """Withdraw an annotation (it stays in the history, marked withdrawn).

        Raises:
            PermissionDenied: When the principal may not write about the annotation's KPI.
            UserError: For an unknown annotation or an over-long reason.
        """
        with self.connect() as con:
            found = con.execute(
                "SELECT kpi_code FROM annotations WHERE id = ?", (annotation_id,)
            ).fetchone()
        if found is None:
            raise UserError(problem("annotation", str(annotation_id), "exists", "no such id"))
        require_commentary(principal, kpi_of(fw, str(found["kpi_code"])))
        problems: list[Problem] = []
        cleaned = clean_text(reason, "reason", MAX_NOTE_CHARS, problems)
        if problems:
            raise UserError(problems)
        with self.connect(write=True) as con:
            note = con.execute(
                "SELECT period, area_code FROM annotations WHERE id = ?", (annotation_id,)
            ).fetchone()
            earlier = con.execute(
                "SELECT author_name, author_id, written_at FROM annotation_withdrawals"
                " WHERE annotation_id = ? ORDER BY id LIMIT 1",
                (annotation_id,),
            ).fetchone()
            if earlier is not None:
                raise UserError(
                    problem(
                        "annotation",
                        str(annotation_id),
                        "withdraw once",
                        f"was already withdrawn by {earlier[0] or earlier[1]} at {earlier[2]}",
                    )
                )
            self.refuse_if_shown_in_signed_off(
                con, str(note["period"]), str(note["area_code"]), "withdrawn from"
            )
            cursor = con.execute(
                "INSERT INTO annotation_withdrawals (annotation_id, reason, author_id,"
                " author_name, written_at) VALUES (?, ?, ?, ?, ?)",
                (annotation_id, cleaned, principal.user_id, principal.name, self.clock()),
            )
            self.seal(con, "annotation_withdrawals", cursor.lastrowid)

    def annotations(
        self, kpi_code: str | None = None, area_code: str | None = None, *, withdrawn: bool = False
    ) -> list[Annotation]:
        """Annotations of a KPI (an area's own plus those for every area), by period.

        Args:
            kpi_code: Only this KPI (all when None).
            area_code: Only those that apply to this area (all when None).
            withdrawn: Include withdrawn annotations too (marked ``withdrawn``).
        """
        if not self.readable():
            return []
        with self.connect() as con:
            rows = con.execute(
                "SELECT a.*, EXISTS (SELECT 1 FROM annotation_withdrawals AS w"
                " WHERE w.annotation_id = a.id) AS withdrawn FROM annotations AS a"
                " WHERE (? IS NULL OR a.kpi_code = ?)"
                " AND (? IS NULL OR a.area_code = '' OR a.area_code = ?)"
                " ORDER BY a.period, a.id",
                (kpi_code, kpi_code, area_code, area_code),
            ).fetchall()
        found = [_annotation(r) for r in rows]
        return found if withdrawn else [a for a in found if not a.withdrawn]

    def declared_change_points(self, kpi_code: str, area_code: str) -> list[tuple[str, str]]:
        """(period, reason) of annotations declared change points for a KPI × area."""
        return [
            (a.period, a.label) for a in self.annotations(kpi_code, area_code) if a.change_point
        ]

    def declared_spc_events(self) -> tuple[SpcEvent, ...]:
        """Every declared change point as a framework SPC event (add to ``fw.spc_events``)."""
        return tuple(
            SpcEvent(
                kpi_code=a.kpi_code,
                period=a.period,
                kind=SpcEventKind.CHANGE_POINT,
                reason=a.label,
                area_code=a.area_code,
            )
            for a in self.annotations()
            if a.change_point
        )


def with_declared_change_points(fw: Framework, reviews: AnnotationRecords) -> Framework:
    """The framework with declared change points added to its recorded SPC events."""
    declared = reviews.declared_spc_events()
    if not declared:
        return fw
    return dataclasses.replace(fw, spc_events=fw.spc_events + declared, _index={})


def _annotation(row: sqlite3.Row) -> Annotation:
    return Annotation(
        id=int(row["id"]),
        kpi_code=str(row["kpi_code"]),
        area_code=str(row["area_code"]),
        period=str(row["period"]),
        kind=AnnotationKind(str(row["kind"])),
        text=str(row["text"]),
        change_point=bool(row["change_point"]),
        author_id=str(row["author_id"]),
        author_name=str(row["author_name"]),
        written_at=str(row["written_at"]),
        withdrawn=bool(row["withdrawn"]),
    )
