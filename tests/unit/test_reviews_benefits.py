"""The BRG's benefit sign-offs: who may record them, append-only history, bad input sentences."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

import pytest

from scorecard.data.access import (
    ANONYMOUS,
    PermissionDenied,
    Principal,
    Role,
    Source,
    can_sign_off_benefits,
    load_role_map,
    parse_role_map,
    principal_for,
    require_benefit_sign_off,
)
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_benefit_signoffs import BenefitSignOff
from scorecard.data.reviews_core import MAX_NOTE_CHARS
from scorecard.thread.errors import UserError

REPO = Path(__file__).resolve().parents[2]
MAPPING = parse_role_map(
    {
        "people": [
            {"id": "brg@example.nhs.uk", "name": "BRG chair", "roles": ["brg", "board_viewer"]},
            {"id": "admin@example.nhs.uk", "name": "Admin", "roles": ["administrator"]},
            {"id": "chair@example.nhs.uk", "roles": ["executive_board"]},
            {"id": "viewer@example.nhs.uk", "roles": ["board_viewer", "assurance_reviewer"]},
            {"id": "steward@example.nhs.uk", "roles": ["data_steward"]},
        ]
    }
)
BRG = principal_for("brg@example.nhs.uk", "", MAPPING, Source.LOGIN)
ADMIN = principal_for("admin@example.nhs.uk", "", MAPPING, Source.LOGIN)
BOARD = principal_for("chair@example.nhs.uk", "", MAPPING, Source.LOGIN)
VIEWER = principal_for("viewer@example.nhs.uk", "", MAPPING, Source.LOGIN)
STEWARD = principal_for("steward@example.nhs.uk", "", MAPPING, Source.LOGIN)
CLI_BRG = Principal("brg@example.nhs.uk", "BRG chair", frozenset({Role.BRG}), source=Source.CLI)
HASH_A = "a" * 64  # stands in for benefits.line_evidence_hash of one state of the data
HASH_B = "b" * 64


class Clock:
    """A clock that ticks one second a call, so the order of writes is visible."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"2026-01-01T00:00:{self.n:02d}.000000+00:00"


@pytest.fixture
def reviews(tmp_path: Path) -> Reviews:
    return Reviews(tmp_path / "words.reviews.sqlite", clock=Clock())


def rows_in_table(reviews: Reviews) -> int:
    if not reviews.path.exists():
        return 0
    con = sqlite3.connect(reviews.path)
    try:
        found = con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'benefit_signoffs'"
        ).fetchone()
        if found is None:
            return 0
        return int(con.execute("SELECT COUNT(*) FROM benefit_signoffs").fetchone()[0])
    finally:
        con.close()


def sign(reviews: Reviews, principal: Principal, **kw: object) -> BenefitSignOff:
    args: dict[str, object] = {
        "line_code": "BEN-BED",
        "period": "2025-03",
        "amount_k": 120.5,
        "evidence_hash": HASH_A,
        "note": "BRG minute 12",
    }
    args.update(kw)
    return reviews.sign_off_benefit(principal, **args)  # type: ignore[arg-type]


def test_the_brg_role_is_granted_by_the_mapping_and_described():
    assert BRG.roles == {Role.BRG, Role.BOARD_VIEWER}
    assert can_sign_off_benefits(BRG)
    assert can_sign_off_benefits(ADMIN)
    for other in (BOARD, VIEWER, STEWARD, ANONYMOUS, CLI_BRG):
        assert not can_sign_off_benefits(other)
    shipped = load_role_map(REPO / "data" / "roles.toml").person("brg.chair@example.nhs.uk")
    assert shipped is not None
    assert shipped.name == "Example Benefits Realisation Group chair"
    assert shipped.roles == {Role.BRG, Role.BOARD_VIEWER}


def test_the_brg_signs_off_and_the_row_says_who_and_when(reviews):
    signed = sign(reviews, BRG)
    assert signed == BenefitSignOff(
        line_code="BEN-BED",
        period="2025-03",
        amount_k=120.5,
        evidence_hash=HASH_A,
        note="BRG minute 12",
        author_id="brg@example.nhs.uk",
        author_name="BRG chair",
        written_at="2026-01-01T00:00:01.000000+00:00",
    )
    assert reviews.benefit_signoffs() == [signed]
    assert reviews.benefit_signoff_log() == [signed]


def test_an_administrator_may_sign_off_too(reviews):
    signed = sign(reviews, ADMIN, line_code="BEN-CHC", amount_k=0)
    assert signed.author_id == "admin@example.nhs.uk"
    assert signed.amount_k == 0.0
    assert rows_in_table(reviews) == 1


@pytest.mark.parametrize(
    ("principal", "why"),
    [
        (BOARD, "roles held: Executive Board"),
        (VIEWER, "roles held: Assurance reviewer, Board viewer"),
        (STEWARD, "roles held: Data steward"),
        (ANONYMOUS, "read-only without a sign-in"),
        (CLI_BRG, "the command line only reads"),
    ],
    ids=["board", "viewer", "steward", "anonymous", "cli"],
)
def test_others_are_refused_and_nothing_is_written(reviews, principal, why):
    sign(reviews, BRG)
    before = rows_in_table(reviews)
    with pytest.raises(PermissionDenied) as info:
        sign(reviews, principal, amount_k=999.0)
    assert "may not sign off a benefit line's delivered value" in str(info.value)
    assert why in str(info.value)
    assert rows_in_table(reviews) == before == 1
    assert [s.amount_k for s in reviews.benefit_signoffs()] == [120.5]


def test_a_refusal_on_a_new_file_creates_nothing(tmp_path):
    reviews = Reviews(tmp_path / "new.reviews.sqlite")
    with pytest.raises(PermissionDenied):
        require_benefit_sign_off(VIEWER)
    with pytest.raises(PermissionDenied):
        sign(reviews, VIEWER)
    assert not reviews.path.exists()
    assert reviews.benefit_signoffs() == []
    assert reviews.benefit_signoff_log() == []


def test_a_later_sign_off_supersedes_and_history_is_kept(reviews):
    first = sign(reviews, BRG, amount_k=100.0, note="first reading")
    second = sign(reviews, ADMIN, amount_k=90.0, evidence_hash=HASH_B, note="after revision")
    log = reviews.benefit_signoff_log()
    assert log == [first, second]
    assert reviews.benefit_signoffs() == [second]
    assert rows_in_table(reviews) == 2


def test_current_sign_offs_are_per_line_and_month_up_to_a_month(reviews):
    sign(reviews, BRG, line_code="BEN-BED", period="2025-01", amount_k=10.0)
    sign(reviews, BRG, line_code="BEN-BED", period="2025-02", amount_k=20.0)
    sign(reviews, BRG, line_code="BEN-AE", period="2025-02", amount_k=5.0)
    sign(reviews, BRG, line_code="BEN-BED", period="2025-01", amount_k=11.0)
    sign(reviews, BRG, line_code="BEN-AE", period="2025-04", amount_k=7.0)
    current = reviews.benefit_signoffs()
    assert [(s.line_code, s.period, s.amount_k) for s in current] == [
        ("BEN-AE", "2025-02", 5.0),
        ("BEN-AE", "2025-04", 7.0),
        ("BEN-BED", "2025-01", 11.0),
        ("BEN-BED", "2025-02", 20.0),
    ]
    to_feb = reviews.benefit_signoffs(up_to="2025-02")
    assert [(s.line_code, s.period, s.amount_k) for s in to_feb] == [
        ("BEN-AE", "2025-02", 5.0),
        ("BEN-BED", "2025-01", 11.0),
        ("BEN-BED", "2025-02", 20.0),
    ]
    assert reviews.benefit_signoffs(up_to="2024-12") == []
    assert len(reviews.benefit_signoff_log()) == 5


def test_the_database_itself_refuses_to_change_a_sign_off(reviews):
    sign(reviews, BRG)
    con = sqlite3.connect(reviews.path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("UPDATE benefit_signoffs SET amount_k = 1")
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute("DELETE FROM benefit_signoffs")
    finally:
        con.close()
    assert [s.amount_k for s in reviews.benefit_signoff_log()] == [120.5]


@pytest.mark.parametrize(
    ("kw", "column", "sentence"),
    [
        ({"period": "2025-13"}, "period", "is not a month like 2025-03"),
        ({"period": "March"}, "period", "is not a month like 2025-03"),
        ({"amount_k": -0.5}, "amount_k", "is negative"),
        ({"amount_k": math.nan}, "amount_k", "is not an amount in £ thousands"),
        ({"amount_k": math.inf}, "amount_k", "is not an amount in £ thousands"),
        ({"amount_k": "lots"}, "amount_k", "is not an amount in £ thousands"),
        ({"note": "x" * (MAX_NOTE_CHARS + 1)}, "note", f"shorten it to {MAX_NOTE_CHARS:,}"),
        ({"line_code": ""}, "line_code", "is not a benefit line code"),
        ({"line_code": "BEN' OR '1'='1"}, "line_code", "is not a benefit line code"),
        ({"evidence_hash": ""}, "evidence_hash", "is not the hash of the data signed off"),
        ({"evidence_hash": "not-a-hash"}, "evidence_hash", "is not the hash"),
    ],
    ids=[
        "month13",
        "month-word",
        "negative",
        "nan",
        "inf",
        "text",
        "long-note",
        "no-line",
        "injection",
        "no-hash",
        "bad-hash",
    ],
)
def test_bad_input_is_refused_with_a_sentence(reviews, kw, column, sentence):
    with pytest.raises(UserError) as info:
        sign(reviews, BRG, **kw)
    problems = info.value.problems
    assert [p.column for p in problems] == [column]
    assert sentence in str(info.value)
    assert rows_in_table(reviews) == 0


def test_every_problem_is_named_at_once(reviews):
    with pytest.raises(UserError) as info:
        sign(reviews, BRG, period="2025-00", amount_k=-1.0, note="y" * (MAX_NOTE_CHARS + 5))
    assert [p.column for p in info.value.problems] == ["period", "amount_k", "note"]


def test_a_reviews_file_written_before_benefit_sign_offs_gains_the_table(tmp_path):
    path = tmp_path / "old.reviews.sqlite"
    con = sqlite3.connect(path)
    try:
        con.executescript(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "INSERT INTO meta VALUES ('schema_version', '1');"
        )
    finally:
        con.close()
    reviews = Reviews(path, clock=Clock())
    assert reviews.benefit_signoffs() == []
    sign(reviews, BRG)
    assert rows_in_table(reviews) == 1


def test_notes_are_stored_as_written_and_the_hash_in_lower_case(reviews):
    note = '<b>minute</b> =HYPERLINK("http://x")\r\nline two'
    signed = sign(reviews, BRG, note=note, evidence_hash=HASH_A.upper())
    assert signed.note == '<b>minute</b> =HYPERLINK("http://x")\nline two'
    assert signed.evidence_hash == HASH_A
