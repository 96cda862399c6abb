"""Who may do what: roles, the reviewable roles mapping, principals and permission checks."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from scorecard.thread.domain import Kpi
from scorecard.thread.errors import Problem, UserError

DEFAULT_ROLES_FILE = Path("data/roles.toml")
LOCAL_MODE_ENV = "SCORECARD_LOCAL_MODE"
LOCAL_USER_ENV = "SCORECARD_LOCAL_USER"
LOCAL_ROLE_ENV = "SCORECARD_LOCAL_ROLE"
ROLES_FILE_ENV = "SCORECARD_ROLES"


class Role(StrEnum):
    """The roles of the monthly review."""

    BOARD_VIEWER = "board_viewer"  # reads the scorecard and the pack
    ASSURANCE_REVIEWER = "assurance_reviewer"  # reads everything, incl. histories and load log
    KPI_OWNER = "kpi_owner"  # writes commentary and annotations for their own KPIs
    EXECUTIVE_BOARD = "executive_board"  # records the Executive Board's monthly sign-off
    BRG = "brg"  # the Benefits Realisation Group: signs off a benefit line's delivered value
    DATA_STEWARD = "data_steward"  # loads data
    ADMINISTRATOR = "administrator"  # everything, incl. re-opening a signed-off month


ROLE_LABELS: dict[Role, str] = {
    Role.BOARD_VIEWER: "Board viewer",
    Role.ASSURANCE_REVIEWER: "Assurance reviewer",
    Role.KPI_OWNER: "KPI owner",
    Role.EXECUTIVE_BOARD: "Executive Board (sign-off)",
    Role.BRG: "Benefits Realisation Group (sign-off)",
    Role.DATA_STEWARD: "Data steward",
    Role.ADMINISTRATOR: "Administrator",
}


class Source(StrEnum):
    """How the app knows who someone is."""

    ANONYMOUS = "anonymous"  # no login configured: read-only
    LOGIN = "login"  # Streamlit OpenID Connect login (st.login / st.user)
    LOCAL = "local"  # explicit single-user local mode (SCORECARD_LOCAL_MODE=1)
    CLI = "cli"  # the command line (reads only)


@dataclass(frozen=True)
class Principal:
    """Someone using the scorecard, with what the roles mapping grants them."""

    user_id: str
    name: str
    roles: frozenset[Role] = frozenset()
    owner_roles: frozenset[str] = frozenset()  # KPI owner_role values of the framework they hold
    kpi_codes: frozenset[str] = frozenset()  # extra KPI codes they own
    source: Source = Source.ANONYMOUS
    email: str = ""  # shown to people; never used to decide what someone may do

    @property
    def label(self) -> str:
        """The principal as shown beside what they wrote."""
        return self.name or self.email or self.user_id

    @property
    def can_write(self) -> bool:
        """Whether this principal may write anything at all (never anonymous)."""
        return self.source in (Source.LOGIN, Source.LOCAL) and bool(self.roles)


ANONYMOUS = Principal(user_id="anonymous", name="Anonymous (read-only)")


class PermissionDenied(UserError):  # noqa: N818 - the name users and callers expect
    """Someone tried to do what their roles do not allow; nothing was written."""

    def __init__(self, principal: Principal, action: str, why: str) -> None:
        """Describe the refused action as one sentence."""
        self.principal = principal
        self.action = action
        super().__init__(
            Problem(
                file="",
                row=None,
                column="",
                value=principal.user_id,
                rule="permission",
                message=f"{principal.label} may not {action}: {why}",
            )
        )


@dataclass(frozen=True)
class Person:
    """One entry of the roles mapping."""

    user_id: str  # the identity provider's immutable subject (see subject_of)
    name: str
    roles: frozenset[Role]
    owner_roles: frozenset[str] = frozenset()
    kpi_codes: frozenset[str] = frozenset()
    email: str = ""  # shown to people only


@dataclass(frozen=True)
class RoleMap:
    """The reviewable mapping of identities to roles (data/roles.toml)."""

    people: tuple[Person, ...] = ()
    default_roles: frozenset[Role] = frozenset()
    _by_id: dict[str, Person] = field(default_factory=dict, compare=False, repr=False)

    def person(self, user_id: str) -> Person | None:
        """The entry for an identity (e-mail or id, case-insensitive), or None."""
        if not self._by_id:
            self._by_id.update({p.user_id.casefold(): p for p in self.people})
        return self._by_id.get(user_id.strip().casefold())


def _problem(path: Path, column: str, value: object, message: str) -> Problem:
    return Problem(str(path), None, column, str(value), "roles", message)


def _roles(path: Path, where: str, raw: object, problems: list[Problem]) -> frozenset[Role]:
    if not isinstance(raw, list):
        problems.append(_problem(path, where, raw, "roles must be a list of role names"))
        return frozenset()
    allowed = {r.value for r in Role}
    out: set[Role] = set()
    for item in raw:
        if str(item) not in allowed:
            problems.append(
                _problem(path, where, item, f"unknown role; allowed: {', '.join(sorted(allowed))}")
            )
        else:
            out.add(Role(str(item)))
    return frozenset(out)


def _strings(path: Path, where: str, raw: object, problems: list[Problem]) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        problems.append(_problem(path, where, raw, "must be a list of text values"))
        return frozenset()
    return frozenset(x.strip() for x in raw if x.strip())


def parse_role_map(data: Mapping[str, object], path: Path = DEFAULT_ROLES_FILE) -> RoleMap:
    """Turn the parsed TOML of a roles file into a RoleMap.

    Args:
        data: The parsed TOML document.
        path: Where it came from (for messages).

    Returns:
        The mapping.

    Raises:
        UserError: Listing every problem of the file.
    """
    problems: list[Problem] = []
    default = data.get("default", {})
    default_roles: frozenset[Role] = frozenset()
    if isinstance(default, dict):
        default_roles = _roles(path, "default.roles", default.get("roles", []), problems)
    people: list[Person] = []
    seen: set[str] = set()
    raw_people = data.get("people", [])
    if not isinstance(raw_people, list):
        raw_people = []
        problems.append(_problem(path, "people", "", "people must be an array of tables"))
    for number, entry in enumerate(raw_people, start=1):
        where = f"people[{number}]"
        if not isinstance(entry, dict):
            problems.append(_problem(path, where, entry, "each person must be a table"))
            continue
        user_id = str(entry.get("id", "")).strip()
        if not user_id:
            problems.append(_problem(path, f"{where}.id", "", "every person needs an id"))
            continue
        if user_id.casefold() in seen:
            problems.append(_problem(path, f"{where}.id", user_id, "listed twice"))
        seen.add(user_id.casefold())
        people.append(
            Person(
                user_id=user_id,
                name=str(entry.get("name", "")).strip(),
                roles=_roles(path, f"{where}.roles", entry.get("roles", []), problems),
                owner_roles=_strings(
                    path, f"{where}.owner_roles", entry.get("owner_roles", []), problems
                ),
                kpi_codes=_strings(path, f"{where}.kpis", entry.get("kpis", []), problems),
                email=str(entry.get("email", "")).strip(),
            )
        )
    if problems:
        raise UserError(problems)
    return RoleMap(people=tuple(people), default_roles=default_roles)


def load_role_map(path: Path = DEFAULT_ROLES_FILE) -> RoleMap:
    """Read the roles mapping; a missing file grants no one anything (read-only for all).

    Raises:
        UserError: When the file is not valid TOML or names unknown roles.
    """
    if not path.exists():
        return RoleMap()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise UserError(_problem(path, "", "", f"not valid TOML: {err}")) from err
    return parse_role_map(data, path)


def roles_file(env: Mapping[str, str]) -> Path:
    """The roles mapping file to use ($SCORECARD_ROLES, else data/roles.toml)."""
    return Path(env.get(ROLES_FILE_ENV) or DEFAULT_ROLES_FILE)


def local_mode(env: Mapping[str, str]) -> bool:
    """Whether the explicit single-user local mode is switched on."""
    return env.get(LOCAL_MODE_ENV, "").strip() == "1"


def subject_of(claims: Mapping[str, object]) -> str:
    """The immutable identity in a sign-in's claims: Entra ID's ``tid/oid``, else ``sub``.

    The e-mail claim is never used: Microsoft advises against it for authorisation (it can be
    changed, and is not verified in every tenant). Entra ID's object id (``oid``) is the same
    for a person across applications in their tenant (``tid``); ``sub`` is the OpenID Connect
    subject, unique and never reassigned within one provider. Returns "" when neither is there.
    """

    def claim(name: str) -> str:
        value = claims.get(name)
        return str(value).strip() if value else ""

    oid, tid = claim("oid"), claim("tid")
    if oid and tid:
        return f"{tid.lower()}/{oid.lower()}"
    return claim("sub")


def principal_for(
    user_id: str, name: str, role_map: RoleMap, source: Source = Source.LOGIN, email: str = ""
) -> Principal:
    """The principal for a signed-in identity, with the roles the mapping grants it."""
    person = role_map.person(user_id) if user_id else None
    if person is None:
        return Principal(
            user_id=user_id,
            name=name,
            roles=role_map.default_roles,
            source=source,
            email=email,
        )
    return Principal(
        user_id=person.user_id,
        name=name or person.name,
        roles=person.roles,
        owner_roles=person.owner_roles,
        kpi_codes=person.kpi_codes,
        source=source,
        email=email or person.email,
    )


def local_principal(
    env: Mapping[str, str], role_map: RoleMap, sign_in_configured: bool = False
) -> Principal:
    """The single local user of local mode (SCORECARD_LOCAL_USER, SCORECARD_LOCAL_ROLE).

    The user's entry in the roles mapping (if any) supplies their KPIs; SCORECARD_LOCAL_ROLE
    (comma-separated role names), when set, replaces the mapping's roles. Local mode is a
    convenience for one person on their own computer: whoever sets the variables grants
    themselves the roles, so it is refused when a sign-in is configured.

    Raises:
        UserError: When a sign-in is configured, or local mode is on without a user, or names
            an unknown role.
    """
    if sign_in_configured:
        raise UserError(
            Problem(
                "",
                None,
                LOCAL_MODE_ENV,
                "",
                "local mode",
                "local mode (and SCORECARD_LOCAL_ROLE) is refused while a sign-in is configured; "
                "roles come from the sign-in and data/roles.toml",
            )
        )
    user_id = env.get(LOCAL_USER_ENV, "").strip()
    if not user_id:
        raise UserError(
            Problem(
                "", None, LOCAL_USER_ENV, "", "local mode", "local mode needs SCORECARD_LOCAL_USER"
            )
        )
    base = principal_for(user_id, "", role_map, Source.LOCAL)
    role_text = env.get(LOCAL_ROLE_ENV, "").strip()
    if not role_text:
        return base
    names = [r.strip() for r in role_text.split(",") if r.strip()]
    problems: list[Problem] = []
    roles = _roles(Path(LOCAL_ROLE_ENV), LOCAL_ROLE_ENV, names, problems)
    if problems:
        raise UserError(problems)
    return Principal(
        user_id=base.user_id,
        name=base.name,
        roles=roles,
        owner_roles=base.owner_roles,
        kpi_codes=base.kpi_codes,
        source=Source.LOCAL,
    )


def owns(principal: Principal, kpi: Kpi) -> bool:
    """Whether the principal is a KPI owner of this KPI (by owner role or by KPI code)."""
    if Role.KPI_OWNER not in principal.roles:
        return False
    return kpi.code in principal.kpi_codes or kpi.owner_role.strip() in principal.owner_roles


def can_write_commentary(principal: Principal, kpi: Kpi) -> bool:
    """Whether the principal may write commentary and annotations for this KPI."""
    if not principal.can_write:
        return False
    return Role.ADMINISTRATOR in principal.roles or owns(principal, kpi)


def can_sign_off(principal: Principal) -> bool:
    """Whether the principal may record the Executive Board's sign-off of a month."""
    return principal.can_write and bool(
        principal.roles & {Role.EXECUTIVE_BOARD, Role.ADMINISTRATOR}
    )


def can_sign_off_benefits(principal: Principal) -> bool:
    """Whether the principal may record the BRG's sign-off of a benefit line's delivered value."""
    return principal.can_write and bool(principal.roles & {Role.BRG, Role.ADMINISTRATOR})


def can_reopen(principal: Principal) -> bool:
    """Whether the principal may re-open a signed-off month (administrators only)."""
    return principal.can_write and Role.ADMINISTRATOR in principal.roles


def can_load(principal: Principal) -> bool:
    """Whether the principal may load data."""
    return principal.can_write and bool(principal.roles & {Role.DATA_STEWARD, Role.ADMINISTRATOR})


def _why_not(principal: Principal) -> str:
    if principal.source == Source.ANONYMOUS:
        return "the app is read-only without a sign-in (or the explicit local mode)"
    if principal.source == Source.CLI:
        return "the command line only reads people's words"
    if not principal.roles:
        return "no role is granted to this identity in the roles mapping"
    return "roles held: " + ", ".join(sorted(ROLE_LABELS[r] for r in principal.roles))


def require_commentary(principal: Principal, kpi: Kpi) -> None:
    """Raise PermissionDenied unless the principal may write about this KPI."""
    if not can_write_commentary(principal, kpi):
        why = _why_not(principal)
        if principal.can_write and Role.KPI_OWNER in principal.roles:
            why = f"{kpi.code} is owned by {kpi.owner_role or 'no owner role'}"
        raise PermissionDenied(principal, f"write commentary or annotations for {kpi.code}", why)


def require_sign_off(principal: Principal) -> None:
    """Raise PermissionDenied unless the principal may sign a month off."""
    if not can_sign_off(principal):
        raise PermissionDenied(principal, "sign off a month", _why_not(principal))


def require_benefit_sign_off(principal: Principal) -> None:
    """Raise PermissionDenied unless the principal may sign off a benefit line's value."""
    if not can_sign_off_benefits(principal):
        raise PermissionDenied(
            principal, "sign off a benefit line's delivered value", _why_not(principal)
        )


def require_reopen(principal: Principal) -> None:
    """Raise PermissionDenied unless the principal may re-open a signed-off month."""
    if not can_reopen(principal):
        raise PermissionDenied(principal, "re-open a signed-off month", _why_not(principal))


def require_administrator(principal: Principal, action: str) -> None:
    """Raise PermissionDenied unless the principal is an administrator."""
    if not can_reopen(principal):
        raise PermissionDenied(principal, action, _why_not(principal))
