"""Who may do what: the roles mapping, local mode, and the permission checks writers call."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecard.data.access import (
    ANONYMOUS,
    PermissionDenied,
    Principal,
    Role,
    RoleMap,
    Source,
    can_load,
    can_reopen,
    can_sign_off,
    can_write_commentary,
    load_role_map,
    local_mode,
    local_principal,
    parse_role_map,
    principal_for,
    require_commentary,
    require_sign_off,
    subject_of,
)
from scorecard.thread.domain import AreaType, Direction, Frequency, Kpi, Provenance, Tier, Unit
from scorecard.thread.errors import UserError

REPO = Path(__file__).resolve().parents[2]


def kpi(code: str, owner_role: str) -> Kpi:
    return Kpi(
        code=code,
        name=code,
        definition="",
        numerator="",
        denominator="",
        unit=Unit.COUNT,
        direction=Direction.DECREASE,
        frequency=Frequency.MONTHLY,
        tier=Tier.LEAD,
        owner_role=owner_role,
        data_source="",
        area_types=(AreaType.SYSTEM,),
        provenance=Provenance.ILLUSTRATIVE,
        source="",
    )


UEC = kpi("L1", "Director of Urgent Care")
FLOW = kpi("L2", "Director of Flow")

MAPPING = parse_role_map(
    {
        "default": {"roles": ["board_viewer"]},
        "people": [
            {
                "id": "uec.lead@example.nhs.uk",
                "name": "UEC lead",
                "roles": ["kpi_owner"],
                "owner_roles": ["Director of Urgent Care"],
            },
            {"id": "flow.lead@example.nhs.uk", "roles": ["kpi_owner"], "kpis": ["L2"]},
            {"id": "chair@example.nhs.uk", "roles": ["executive_board", "board_viewer"]},
            {"id": "admin@example.nhs.uk", "roles": ["administrator"]},
            {"id": "steward@example.nhs.uk", "roles": ["data_steward"]},
            {"id": "reviewer@example.nhs.uk", "roles": ["assurance_reviewer"]},
        ],
    }
)


def login(user_id: str) -> Principal:
    return principal_for(user_id, "", MAPPING, Source.LOGIN)


def test_owner_writes_own_kpi_only():
    owner = login("UEC.Lead@example.nhs.uk")  # e-mail matching ignores case
    assert owner.roles == {Role.KPI_OWNER}
    assert can_write_commentary(owner, UEC)
    assert not can_write_commentary(owner, FLOW)
    with pytest.raises(PermissionDenied, match="L2 is owned by Director of Flow"):
        require_commentary(owner, FLOW)


def test_owner_by_kpi_code():
    assert can_write_commentary(login("flow.lead@example.nhs.uk"), FLOW)
    assert not can_write_commentary(login("flow.lead@example.nhs.uk"), UEC)


@pytest.mark.parametrize(
    "user_id",
    ["chair@example.nhs.uk", "steward@example.nhs.uk", "reviewer@example.nhs.uk", "someone@else"],
)
def test_non_owners_cannot_write_commentary(user_id):
    principal = login(user_id)
    assert not can_write_commentary(principal, UEC)
    with pytest.raises(PermissionDenied):
        require_commentary(principal, UEC)


def test_unlisted_identity_gets_default_roles_and_reads_only():
    someone = login("someone@else")
    assert someone.roles == {Role.BOARD_VIEWER}
    assert not can_sign_off(someone)
    assert not can_load(someone)


def test_administrator_can_do_everything():
    admin = login("admin@example.nhs.uk")
    assert can_write_commentary(admin, UEC)
    assert can_write_commentary(admin, FLOW)
    assert can_sign_off(admin)
    assert can_reopen(admin)
    assert can_load(admin)


def test_sign_off_is_for_the_executive_board():
    assert can_sign_off(login("chair@example.nhs.uk"))
    assert not can_reopen(login("chair@example.nhs.uk"))
    assert not can_sign_off(login("uec.lead@example.nhs.uk"))
    with pytest.raises(PermissionDenied, match="sign off"):
        require_sign_off(login("reviewer@example.nhs.uk"))


def test_anonymous_and_cli_never_write_even_with_roles():
    assert not ANONYMOUS.can_write
    with pytest.raises(PermissionDenied, match="read-only"):
        require_commentary(ANONYMOUS, UEC)
    cli = Principal("cli", "cli", frozenset({Role.ADMINISTRATOR}), source=Source.CLI)
    assert not can_write_commentary(cli, UEC)
    assert not can_sign_off(cli)


def test_permission_denied_is_a_user_error_sentence():
    with pytest.raises(UserError) as info:
        require_commentary(ANONYMOUS, UEC)
    sentence = info.value.problems[0].sentence()
    assert "may not write commentary" in sentence
    assert "Traceback" not in sentence


def test_local_mode_needs_the_switch_and_a_user():
    assert not local_mode({})
    assert not local_mode({"SCORECARD_LOCAL_MODE": "yes"})
    assert local_mode({"SCORECARD_LOCAL_MODE": "1"})
    with pytest.raises(UserError, match="SCORECARD_LOCAL_USER"):
        local_principal({"SCORECARD_LOCAL_MODE": "1"}, MAPPING)


def test_local_mode_role_overrides_mapping_but_keeps_kpis():
    env = {
        "SCORECARD_LOCAL_MODE": "1",
        "SCORECARD_LOCAL_USER": "uec.lead@example.nhs.uk",
        "SCORECARD_LOCAL_ROLE": "kpi_owner, executive_board",
    }
    local = local_principal(env, MAPPING)
    assert local.source == Source.LOCAL
    assert local.roles == {Role.KPI_OWNER, Role.EXECUTIVE_BOARD}
    assert can_write_commentary(local, UEC)
    assert not can_write_commentary(local, FLOW)
    assert can_sign_off(local)


def test_local_mode_unknown_role_is_refused():
    env = {"SCORECARD_LOCAL_USER": "me", "SCORECARD_LOCAL_ROLE": "superuser"}
    with pytest.raises(UserError, match="unknown role"):
        local_principal(env, MAPPING)


def test_bad_mapping_lists_every_problem():
    with pytest.raises(UserError) as info:
        parse_role_map(
            {
                "people": [
                    {"id": "a", "roles": ["root"]},
                    {"roles": ["board_viewer"]},
                    {"id": "A", "roles": "kpi_owner"},
                ]
            }
        )
    text = str(info.value)
    assert "unknown role" in text
    assert "needs an id" in text
    assert "listed twice" in text
    assert "must be a list" in text


def test_missing_file_grants_nothing(tmp_path):
    assert load_role_map(tmp_path / "absent.toml") == RoleMap()


def test_invalid_toml_is_a_user_error(tmp_path):
    path = tmp_path / "roles.toml"
    path.write_text("people = [", encoding="utf-8")
    with pytest.raises(UserError, match="not valid TOML"):
        load_role_map(path)


def test_the_repository_mapping_parses_and_is_illustrative():
    path = REPO / "data" / "roles.toml"
    mapping = load_role_map(path)
    assert mapping.people, "data/roles.toml lists example people"
    assert all(p.user_id.endswith("example.nhs.uk") for p in mapping.people)
    assert "ILLUSTRATIVE" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("claims", "subject"),
    [
        pytest.param({"sub": "abc", "email": "x@y"}, "abc", id="oidc-subject"),
        pytest.param(
            {"sub": "pairwise", "oid": "0A-B", "tid": "7C-D", "email": "x@y"},
            "7c-d/0a-b",
            id="entra-tenant-and-object-id",
        ),
        pytest.param({"oid": "0a-b", "sub": "s"}, "s", id="object-id-without-tenant"),
        pytest.param({"email": "chair@example.nhs.uk"}, "", id="e-mail-alone-is-no-identity"),
    ],
)
def test_identity_is_the_immutable_subject_never_the_e_mail(claims, subject):
    assert subject_of(claims) == subject


def test_the_e_mail_is_shown_not_matched():
    mapping = parse_role_map(
        {
            "people": [
                {"id": "7c-d/0a-b", "email": "chair@example.nhs.uk", "roles": ["executive_board"]}
            ]
        }
    )
    chair = principal_for(subject_of({"tid": "7C-D", "oid": "0A-B"}), "", mapping)
    assert can_sign_off(chair)
    assert chair.label == "chair@example.nhs.uk"
    impostor = principal_for(subject_of({"sub": "x"}), "", mapping, email="chair@example.nhs.uk")
    assert not can_sign_off(impostor)


def test_local_mode_is_refused_when_a_sign_in_is_configured():
    env = {
        "SCORECARD_LOCAL_MODE": "1",
        "SCORECARD_LOCAL_USER": "me",
        "SCORECARD_LOCAL_ROLE": "administrator",
    }
    assert Role.ADMINISTRATOR in local_principal(env, RoleMap()).roles
    with pytest.raises(UserError, match="refused while a sign-in is configured"):
        local_principal(env, RoleMap(), sign_in_configured=True)
