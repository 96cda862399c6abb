"""The monthly review in the app: who is signed in, commentary beside the chart, sign-off, pack."""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from scorecard.data.access import (
    ANONYMOUS,
    ROLE_LABELS,
    Principal,
    RoleMap,
    Source,
    can_reopen,
    can_sign_off,
    can_write_commentary,
    load_role_map,
    local_mode,
    local_principal,
    principal_for,
    roles_file,
    subject_of,
)
from scorecard.data.ledger import ChainState
from scorecard.data.reviews import Reviews
from scorecard.data.reviews_annotations import (
    ANNOTATION_LABELS,
    MAX_ANNOTATION_CHARS,
    AnnotationKind,
)
from scorecard.data.reviews_commentary import (
    MAX_ACTION_CHARS,
    MAX_ACTIONS,
    MAX_DECISION_CHARS,
    MAX_FIELD_CHARS,
    MAX_OWNER_CHARS,
    Action,
    Commentary,
)
from scorecard.data.reviews_core import MAX_NOTE_CHARS
from scorecard.data.reviews_signoffs import SignOff
from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.disclosure import SUPPRESSION_NOTE
from scorecard.thread.domain import Framework, Kpi, Tier
from scorecard.thread.errors import UserError
from scorecard.ui import data
from scorecard.ui.views import md

if TYPE_CHECKING:
    from scorecard.ui.context import Context

ACTION_ROWS = 3  # action rows offered in the form (MAX_ACTIONS are accepted)
FORM_FIELDS: tuple[tuple[str, str], ...] = (
    ("chart_says", "What the chart tells us"),
    ("issues", "Issues"),
    ("mitigations", "Mitigations and risks"),
)


class Mode(StrEnum):
    """How the app knows who is using it."""

    LOGIN = "login"  # [auth] configured; signed in or not
    LOGIN_UNAVAILABLE = "login_unavailable"  # [auth] configured but Authlib is not installed
    LOCAL = "local"  # explicit single-user local mode
    READ_ONLY = "read_only"  # no sign-in configured


@dataclass(frozen=True)
class Who:
    """The current user and how they were identified."""

    principal: Principal
    mode: Mode
    problem: str = ""  # why the roles mapping or local mode could not be used


def _auth_configured() -> bool:
    """Whether an OpenID Connect sign-in is configured ([auth] in secrets); never raises."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file, or one that does not parse: no sign-in
        return False
    return bool(section)


@st.cache_resource(show_spinner=False, max_entries=4)
def _role_map(path: str, signature: str) -> RoleMap:
    del signature  # cache key only: an edited file gives a new signature
    return load_role_map(Path(path))


def role_map() -> RoleMap:
    """The roles mapping (cached until the file changes; raises UserError when invalid)."""
    path = roles_file(os.environ)
    if not path.is_absolute():
        path = data.REPO_ROOT / path
    signature = f"{path.stat().st_mtime_ns}:{path.stat().st_size}" if path.exists() else "none"
    return _role_map(str(path), signature)


def _claim(name: str) -> str:
    value = st.user.get(name)
    return str(value).strip() if value else ""


def who() -> Who:
    """Who is using the app: a signed-in user, the local-mode user, or anonymous (read-only)."""
    try:
        mapping = role_map()
    except UserError as err:
        return Who(ANONYMOUS, Mode.READ_ONLY, "; ".join(p.sentence() for p in err.problems))
    if _auth_configured():
        refused = ""
        if local_mode(os.environ):
            try:
                local_principal(os.environ, mapping, sign_in_configured=True)
            except UserError as err:
                refused = "; ".join(p.sentence() for p in err.problems)
        if importlib.util.find_spec("authlib") is None:
            return Who(ANONYMOUS, Mode.LOGIN_UNAVAILABLE, "Authlib is not installed")
        if not st.user.is_logged_in:
            return Who(ANONYMOUS, Mode.LOGIN, refused)
        claims = {name: _claim(name) for name in ("sub", "oid", "tid")}
        identity = subject_of(claims)
        email = _claim("email") or _claim("preferred_username")
        if not identity:
            why = "the sign-in gave no subject (sub) claim, so no role can be granted"
            return Who(ANONYMOUS, Mode.LOGIN, why)
        principal = principal_for(identity, _claim("name"), mapping, Source.LOGIN, email)
        return Who(principal, Mode.LOGIN, refused)
    if local_mode(os.environ):
        try:
            return Who(local_principal(os.environ, mapping), Mode.LOCAL)
        except UserError as err:
            problem = "; ".join(p.sentence() for p in err.problems)
            return Who(ANONYMOUS, Mode.READ_ONLY, problem)
    return Who(ANONYMOUS, Mode.READ_ONLY)


def _roles_text(principal: Principal) -> str:
    if not principal.roles:
        return "no role"
    return ", ".join(sorted(ROLE_LABELS[r] for r in principal.roles))


def identity_banner(current: Who) -> None:
    """Who is using the app and what they may do; the local-mode banner when it is on."""
    p = current.principal
    if current.mode == Mode.LOCAL:
        with st.container(key="ican-local-mode"):
            st.warning(
                f"**Local mode.** This app is running for one person on this computer: "
                f"everything written here is recorded as **{md(p.label)}** "
                f"({md(_roles_text(p))}). Do not use local mode on a shared server; "
                "configure the sign-in instead.",
                icon=":material/person_alert:",
            )
    elif current.mode == Mode.LOGIN:
        if p.source == Source.LOGIN:
            cols = st.columns([5, 1])
            email = f" ({md(p.email)})" if p.email and p.email != p.label else ""
            cols[0].caption(f"Signed in as {md(p.label)}{email}: {md(_roles_text(p))}.")
            if cols[1].button("Sign out", key="ican-logout"):
                st.logout()
        else:
            cols = st.columns([5, 1])
            cols[0].caption("You are not signed in: the scorecard is read-only.")
            if cols[1].button("Sign in", key="ican-login"):
                st.login()
    elif current.mode == Mode.LOGIN_UNAVAILABLE:
        st.caption("Sign-in is configured but its library (Authlib) is not installed: read-only.")
    else:
        st.caption(
            "Read-only: no sign-in is configured. Commentary and sign-off need the sign-in "
            "(or, for one person on their own computer, SCORECARD_LOCAL_MODE=1)."
        )
    if current.problem:
        st.error(f"Access settings could not be used: {md(current.problem)}")
    record_banner()


@st.cache_data(show_spinner=False, max_entries=8)
def _chain_state(path: str, signature: str) -> ChainState:
    del signature  # cache key only: any write changes the files' sizes or times
    return Reviews(Path(path)).verify()


def chain_state() -> ChainState:
    """The verified state of the record of people's words (cached until a file changes)."""
    path = reviews().path
    parts = []
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            info = file.stat()
            parts.append(f"{info.st_mtime_ns}:{info.st_size}")
    return _chain_state(str(path), "|".join(parts))


def record_banner() -> None:
    """Every page says so, naming the records, when the record of people's words is broken."""
    state = chain_state()
    if state.intact:
        return
    with st.container(key="ican-record-broken"):
        st.error(
            "**The record of people's words has been altered outside the scorecard.** "
            "Nothing more can be signed off until an administrator acknowledges it on the "
            "Monthly review page.",
            icon=":material/gpp_bad:",
        )
        for found in state.breaks:
            st.markdown(f"- {md(found.sentence)}.")


def _acknowledge_section(current: Who) -> None:
    state = chain_state()
    if state.intact or not can_reopen(current.principal):
        return
    with st.form("ican-acknowledge"):
        st.markdown("**Acknowledge the broken record (administrators)**")
        reason = st.text_input(
            "What happened, and what was done about it?", max_chars=MAX_NOTE_CHARS
        )
        if st.form_submit_button("Acknowledge"):
            try:
                reviews().acknowledge_breaks(current.principal, reason)
            except UserError as err:
                _show_problems(err)
            else:
                st.rerun()


def reviews() -> Reviews:
    """People's words for the store the app reads."""
    return Reviews.beside(data.store_path())


def chart_annotations(kpi_code: str, area_code: str) -> list[tuple[str, str]]:
    """Annotations of a KPI for ``charts.spc_chart(annotations=...)``: (period, text) pairs."""
    return [(a.period, a.label) for a in reviews().annotations(kpi_code, area_code)]


def _show_problems(err: UserError) -> None:
    for problem in err.problems:
        st.error(problem.message if problem.rule == "permission" else problem.sentence())


def _labelled_text(label: str, text: str) -> None:
    """A field of people's words: a fixed label, then the text as plain text (never markup)."""
    st.markdown(f"**{label}**")
    st.text(text or "–")


def show_commentary(words: Commentary) -> None:
    """One version of a commentary, every word shown as text."""
    _labelled_text("What the chart tells us", words.chart_says)
    _labelled_text("Issues", words.issues)
    st.markdown("**Actions**")
    if words.actions:
        for action in words.actions:
            st.text(
                f"• {action.text} — {action.owner or 'no owner'}"
                + (f", due {action.due}" if action.due else "")
            )
    else:
        st.text("–")
    _labelled_text("Mitigations and risks", words.mitigations)
    if words.decision_required:
        _labelled_text("Decision required: the Board is asked to", words.decision)
    st.caption(
        f"Version {words.version}, written by {md(words.author)} at "
        f"{md(words.written_at[:16].replace('T', ' '))} UTC."
    )


def _commentary_form(
    fw: Framework,
    principal: Principal,
    kpi: Kpi,
    area_code: str,
    month: str,
    latest: Commentary | None,
) -> None:
    key = f"ican-commentary-{kpi.code}-{area_code}-{month}"
    with st.form(key=key, clear_on_submit=False):
        st.markdown(
            "**Write this month's commentary**"
            if latest is None
            else "**Edit (saves a new version)**"
        )
        values: dict[str, str] = {}
        for name, label in FORM_FIELDS:
            values[name] = st.text_area(
                label,
                value=getattr(latest, name) if latest else "",
                max_chars=MAX_FIELD_CHARS,
                key=f"{key}-{name}",
                height=90,
            )
        st.markdown("Actions (owner and due date)")
        previous = list(latest.actions) if latest else []
        actions: list[Action] = []
        for n in range(max(ACTION_ROWS, len(previous))):
            if n >= MAX_ACTIONS:
                break
            old = previous[n] if n < len(previous) else Action("")
            cols = st.columns([5, 2, 2])
            text = cols[0].text_input(
                f"Action {n + 1}", value=old.text, max_chars=MAX_ACTION_CHARS, key=f"{key}-a{n}"
            )
            owner = cols[1].text_input(
                f"Owner {n + 1}", value=old.owner, max_chars=MAX_OWNER_CHARS, key=f"{key}-o{n}"
            )
            due_value = dt.date.fromisoformat(old.due) if old.due else None
            due = cols[2].date_input(
                f"Due {n + 1}", value=due_value, key=f"{key}-d{n}", format="YYYY-MM-DD"
            )
            due_text = due.isoformat() if isinstance(due, dt.date) else ""
            if text.strip() or owner.strip() or due_text:
                actions.append(Action(text, owner, due_text))
        decision_required = st.checkbox(
            "Decision required from the Board",
            value=latest.decision_required if latest else False,
            key=f"{key}-decision-required",
            help="Puts this KPI at the top of the exceptions and decisions on the home page "
            "and in the Board pack.",
        )
        decision = st.text_area(
            "The Board is asked to …",
            value=latest.decision if latest else "",
            max_chars=MAX_DECISION_CHARS,
            key=f"{key}-decision",
            height=68,
        )
        submitted = st.form_submit_button("Save commentary", type="primary")
    if not submitted:
        return
    try:
        saved = reviews().add_commentary(
            fw,
            principal,
            kpi.code,
            area_code,
            month,
            chart_says=values["chart_says"],
            issues=values["issues"],
            actions=actions,
            mitigations=values["mitigations"],
            expected_version=latest.version if latest else 0,
            decision_required=decision_required,
            decision=decision,
        )
    except UserError as err:
        _show_problems(err)
        return
    st.success(f"Saved as version {saved.version}.")
    st.rerun()


def _annotations(fw: Framework, principal: Principal, kpi: Kpi, area_code: str, month: str) -> None:
    store = reviews()
    notes = store.annotations(kpi.code, area_code)
    st.markdown("**Annotations on the chart**")
    if not notes:
        st.caption("No annotations yet.")
    for note in notes:
        where = "every area" if not note.area_code else note.area_code
        flag = " Declared a change point: the limits restart here." if note.change_point else ""
        st.text(f"{note.period} · {note.label} ({where}).{flag}")
        st.caption(f"By {md(note.author_name or note.author_id)}, {md(note.written_at[:10])}.")
    if not can_write_commentary(principal, kpi):
        return
    key = f"ican-annotation-{kpi.code}-{area_code}"
    with st.expander("Add an annotation"), st.form(key=key, clear_on_submit=True):
        kinds = list(AnnotationKind)
        kind = st.selectbox(
            "Kind", kinds, format_func=lambda k: ANNOTATION_LABELS[k], key=f"{key}-kind"
        )
        period = st.text_input("Month (YYYY-MM)", value=month, max_chars=7, key=f"{key}-period")
        text = st.text_input("What happened", max_chars=MAX_ANNOTATION_CHARS, key=f"{key}-text")
        every = st.checkbox("Applies to every area of this KPI", key=f"{key}-every")
        change = st.checkbox(
            "Declare a change point (the SPC limits are recalculated from this month)",
            key=f"{key}-change",
        )
        if st.form_submit_button("Add annotation"):
            try:
                store.add_annotation(
                    fw,
                    principal,
                    kpi.code,
                    "" if every else area_code,
                    period.strip(),
                    kind=kind,
                    text=text,
                    change_point=change,
                )
            except UserError as err:
                _show_problems(err)
            else:
                st.success("Annotation added.")
                st.rerun()


def commentary_panel(*, ctx: Context, kpi_code: str, area_code: str, month: str) -> None:
    """The KPI owner's commentary beside the chart: latest version, history, edit form.

    Everyone may read it; the form shows only to those the roles allow, and the writing
    function checks again (``Reviews.add_commentary`` raises PermissionDenied).
    """
    fw = ctx.fw
    try:
        kpi = fw.kpi(kpi_code)
    except KeyError:
        return
    st.subheader(f"Commentary for {ctx.month_label}", anchor=False)
    if not month:
        st.caption("No month selected: there is no data yet.")
        return
    current = who()  # the frame has shown who is using the app
    store = reviews()
    history = store.commentary_history(kpi.code, area_code, month)
    latest = history[-1] if history else None
    frozen = store.frozen_by(month, area_code)
    if frozen is not None:
        st.info(
            f"{md(month)} was signed off by {md(frozen.author)} on "
            f"{md(frozen.written_at[:10])}: its commentary is frozen as signed off."
        )
    if latest is None:
        st.caption("No commentary has been written for this month.")
    else:
        with st.container(border=True, key=f"ican-commentary-{kpi.code}"):
            show_commentary(latest)
        if len(history) > 1:
            with st.expander(f"Earlier versions ({len(history) - 1})"):
                for old in reversed(history[:-1]):
                    show_commentary(old)
                    st.divider()
    principal = current.principal
    if frozen is None and can_write_commentary(principal, kpi):
        _commentary_form(fw, principal, kpi, area_code, month, latest)
    elif frozen is None and principal.can_write:
        st.caption(
            f"Only the KPI's owner ({md(kpi.owner_role)}) or an administrator can write here."
        )
    _annotations(fw, principal, kpi, area_code, month)


# ------------------------------------------------------------------------------------ review page


def month_rows(ctx: Context) -> list[ScorecardRow]:
    """The month's scorecard rows for the area, with declared change points (as signed off).

    The same cached rows the scorecard pages show (``data.scorecard_rows``), so what is signed
    off is what the Board saw.
    """
    if ctx.store is None:
        return []
    return data.scorecard_rows(ctx.store.path, ctx.store.identity, ctx.month, ctx.area)


def _signoff_section(ctx: Context, current: Who, rows: list[ScorecardRow]) -> None:
    store = reviews()
    signed = store.signoff(ctx.month, ctx.area)
    st.subheader("Sign-off", anchor=False)
    if signed is None:
        st.markdown(f"**{md(ctx.month_label)}** for **{md(ctx.area_name)}** is **not signed off**.")
    else:
        _signed_state(signed)
        changes = store.changed_since_signoff(ctx.month, ctx.area, rows)
        if changes:
            st.warning(f"{len(changes)} figure(s) changed since sign-off.")
            st.dataframe(
                pd.DataFrame(
                    {
                        "KPI": [c.kpi_code for c in changes],
                        "Area": [c.area_code for c in changes],
                        "What": [c.field for c in changes],
                        "Signed off": [_plain(c.signed_off) for c in changes],
                        "Now": [_plain(c.now) for c in changes],
                    }
                ),
                hide_index=True,
                key="ican-changed-since",
            )
        else:
            st.success("Nothing has changed since sign-off.")
    principal = current.principal
    identity = ctx.store.identity if ctx.store else ""
    if signed is None and can_sign_off(principal):
        with st.form("ican-signoff"):
            note = st.text_input(
                "Note (e.g. the Board meeting and minute)", max_chars=MAX_NOTE_CHARS
            )
            sure = st.checkbox(
                f"The Executive Board has reviewed {ctx.month_label} for {ctx.area_name}"
            )
            if st.form_submit_button("Sign off the month", type="primary"):
                if not sure:
                    st.error("Tick the box to confirm the Board has reviewed the month.")
                else:
                    try:
                        store.sign_off(principal, ctx.month, ctx.area, rows, identity, note)
                    except UserError as err:
                        _show_problems(err)
                    else:
                        st.success("Signed off.")
                        st.rerun()
    elif signed is not None and can_reopen(principal):
        with st.expander("Re-open the month (administrators)"), st.form("ican-reopen"):
            reason = st.text_input("Why is it re-opened?", max_chars=MAX_NOTE_CHARS)
            if st.form_submit_button("Re-open"):
                try:
                    store.reopen(principal, ctx.month, ctx.area, reason)
                except UserError as err:
                    _show_problems(err)
                else:
                    st.rerun()
    log = store.signoff_log(ctx.month)
    if log:
        with st.expander("Sign-off log"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "When (UTC)": [s.written_at[:19].replace("T", " ") for s in log],
                        "Area": [s.scope for s in log],
                        "Action": [str(s.action).replace("_", " ") for s in log],
                        "By": [s.author for s in log],
                        "Note": [s.note for s in log],
                        "Rows hash": [s.rows_hash[:16] for s in log],
                    }
                ),
                hide_index=True,
                key="ican-signoff-log",
            )


def _plain(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def _signed_state(signed: SignOff) -> None:
    st.markdown(
        f"Signed off by **{md(signed.author)}** at {md(signed.written_at[:16].replace('T', ' '))}"
        f" UTC. State of the data: store `{md(signed.store_identity[:16])}`, rows hash "
        f"`{md(signed.rows_hash[:16])}`."
    )
    if signed.note:
        st.text(f"Note: {signed.note}")


def _overview(ctx: Context, rows: list[ScorecardRow], words: Mapping[str, Commentary]) -> None:
    st.subheader("Commentary this month", anchor=False)
    records = []
    for row in rows:
        if row.tier == Tier.SYSTEM.value:
            continue
        kpi = ctx.fw.kpi(row.kpi_code)
        said = words.get(row.kpi_code)
        records.append(
            {
                "KPI": f"{kpi.name} ({kpi.code})",
                "Tier": row.tier,
                "Owner": kpi.owner_role,
                "Commentary": (
                    f"v{said.version}, {said.author}, {said.written_at[:10]}" if said else "none"
                ),
                "What the chart tells us": (said.chart_says[:160] if said else ""),
            }
        )
    frame = pd.DataFrame.from_records(records)
    written = sum(1 for r in records if r["Commentary"] != "none")
    st.caption(f"{written} of {len(records)} lead and activity KPIs have commentary.")
    st.dataframe(frame, hide_index=True, key="ican-commentary-overview")


def _downloads(ctx: Context, rows: list[ScorecardRow], words: Mapping[str, Commentary]) -> None:
    from scorecard.reports import pack

    st.subheader("Board pack and downloads", anchor=False)
    table = pack.scorecard_frame(rows, {(c.kpi_code, c.area_code): c for c in words.values()})
    if bool(table["suppressed"].any()):
        st.caption(SUPPRESSION_NOTE)
    stem = f"ican_scorecard_{ctx.month}_{ctx.area}"
    fw, month, area = ctx.fw, ctx.month, ctx.area
    path = data.store_path()

    def make_pdf() -> bytes:
        from scorecard.data.store import Store

        return pack.build_pack(fw, Store(path), Reviews.beside(path), month, area)

    cols = st.columns(3)
    cols[0].download_button(
        "Board pack (PDF)",
        make_pdf,
        file_name=f"ican_board_pack_{month}_{area}.pdf",
        mime="application/pdf",
        key="ican-download-pack",
        type="primary",
    )
    cols[1].download_button(
        "Scorecard (CSV)",
        pack.scorecard_csv(table),
        file_name=f"{stem}.csv",
        mime="text/csv",
        key="ican-download-csv",
    )
    cols[2].download_button(
        "Scorecard (XLSX)",
        pack.scorecard_xlsx(table, month, area),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="ican-download-xlsx",
    )
    shown = table[["kpi_code", "kpi_name", "period", "value", "unit", "variation_words"]].copy()
    shown["value"] = shown["value"].map(_plain)
    shown.columns = pd.Index(["Code", "KPI", "Period", "Value", "Unit", "Variation"])
    with st.expander("The scorecard table"):
        st.dataframe(shown, hide_index=True, key="ican-scorecard-table")


def review_page(ctx: Context) -> None:
    """The review page: sign-off state and action, commentary overview, pack and downloads."""
    current = who()  # the frame has shown who is using the app
    if ctx.store is None or not ctx.months:
        st.info("There is no data yet: load data or build the demo store first.")
        return
    rows = month_rows(ctx)
    words = {c.kpi_code: c for c in reviews().month_commentary(ctx.month, ctx.area)}
    _acknowledge_section(current)
    _signoff_section(ctx, current, rows)
    _overview(ctx, rows, words)
    _downloads(ctx, rows, words)
