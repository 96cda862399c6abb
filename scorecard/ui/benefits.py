"""The Benefits page: plan, delivered, signed off and cashed by line; the BRG's sign-off panel."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

from scorecard.data import exports
from scorecard.data.access import can_sign_off_benefits
from scorecard.data.reviews_benefit_signoffs import BenefitSignOff
from scorecard.data.reviews_core import MAX_NOTE_CHARS
from scorecard.reports import charts_benefits
from scorecard.reports.benefits import SPLIT_NOTE, BenefitsPosition, LinePosition, system_area
from scorecard.thread.domain import LinkKind, Tier
from scorecard.thread.errors import UserError
from scorecard.ui import data, review
from scorecard.ui.frame import Context, empty_state, page_link
from scorecard.ui.views import area_name, md, month_label

KPI_PAGE = "pages/2_kpi.py"
CHANGED = "changed since sign-off"
UNCHANGED = "unchanged since sign-off"


def money(value: float | None) -> str:
    """£ thousands as shown on the page, e.g. "£1,234k" ("–" for none)."""
    if value is None:
        return "–"
    return f"−£{-value:,.0f}k" if value < -0.5 else f"£{abs(value):,.0f}k"


def delivered_shown(line: LinePosition) -> str:
    """The delivered value, or the status words when the line shows no number."""
    if line.delivered_to_date_k is None:
        return f"not shown: {line.status_words}"
    return money(line.delivered_to_date_k)


def lines_frame(position: BenefitsPosition) -> pd.DataFrame:
    """One row per benefit line: the four amounts to the month, status, how it was measured."""
    return pd.DataFrame.from_records(
        [
            {
                "Line": line.code,
                "Benefit": line.name,
                "Organisations": ", ".join(line.organisations),
                "Status": line.status_words,
                "Planned to date (£k)": round(line.planned_to_date_k, 1),
                "Delivered to date (£k)": (
                    None if line.delivered_to_date_k is None else round(line.delivered_to_date_k, 1)
                ),
                "Signed off by the BRG (£k)": round(line.signed_off_k, 1),
                "Cashed (£k)": round(line.cashed_k, 1),
                "Why": line.status_sentence,
                "Attribution": line.attribution.sentence if line.attribution else "",
                "Method": line.method_label,
                "Synthetic data": "synthetic" if line.synthetic else "real",
                "Illustrative": line.illustrative,
            }
            for line in position.lines
        ]
    )


def organisations_frame(position: BenefitsPosition) -> pd.DataFrame:
    """One row per organisation: its equal share of each line's amounts."""
    return pd.DataFrame.from_records(
        [
            {
                "Organisation": org.organisation,
                "Lines": ", ".join(org.lines),
                "Planned to date (£k)": round(org.planned_to_date_k, 1),
                "Delivered to date (£k)": round(org.delivered_to_date_k, 1),
                "Signed off by the BRG (£k)": round(org.signed_off_k, 1),
                "Cashed (£k)": round(org.cashed_k, 1),
            }
            for org in position.organisations
        ],
        columns=[
            "Organisation",
            "Lines",
            "Planned to date (£k)",
            "Delivered to date (£k)",
            "Signed off by the BRG (£k)",
            "Cashed (£k)",
        ],
    )


def _shown_organisations(frame: pd.DataFrame) -> pd.DataFrame:
    """The organisations table as the page shows it: amounts as money, like the lines table."""
    shown = frame.copy()
    for column in (
        "Planned to date (£k)",
        "Delivered to date (£k)",
        "Signed off by the BRG (£k)",
        "Cashed (£k)",
    ):
        shown[column] = [money(float(v)) for v in frame[column]]
    shown.columns = pd.Index(
        [
            "Organisation",
            "Lines",
            "Planned",
            "Delivered (calculated)",
            "Signed off by the BRG",
            "Cashed",
        ]
    )
    return shown


def _shown_table(frame: pd.DataFrame, position: BenefitsPosition) -> pd.DataFrame:
    """The lines table as the page shows it: amounts as money, no number where none is shown."""
    shown = frame[
        [
            "Line",
            "Benefit",
            "Status",
            "Planned to date (£k)",
            "Delivered to date (£k)",
            "Signed off by the BRG (£k)",
            "Cashed (£k)",
            "Synthetic data",
        ]
    ].copy()
    shown["Delivered to date (£k)"] = [delivered_shown(line) for line in position.lines]
    shown["Planned to date (£k)"] = [money(line.planned_to_date_k) for line in position.lines]
    shown["Signed off by the BRG (£k)"] = [money(line.signed_off_k) for line in position.lines]
    shown["Cashed (£k)"] = [money(line.cashed_k) for line in position.lines]
    shown.columns = pd.Index(
        [
            "Line",
            "Benefit",
            "Status",
            "Planned",
            "Delivered (calculated)",
            "Signed off by the BRG",
            "Cashed",
            "Data",
        ]
    )
    return shown


def _totals(position: BenefitsPosition) -> None:
    totals = position.totals
    cols = st.columns(4)
    cols[0].metric("Planned to date", money(totals.planned_to_date_k))
    cols[1].metric("Delivered to date (calculated)", money(totals.delivered_to_date_k))
    cols[2].metric("Signed off by the BRG", money(totals.signed_off_k))
    cols[3].metric("Cashed", money(totals.cashed_k))
    if totals.lines_not_shown:
        st.caption(
            "Delivered leaves out "
            + md(", ".join(totals.lines_not_shown))
            + ": their status says why no number is shown."
        )


def _chart(position: BenefitsPosition) -> None:
    points = position.months
    if not points:
        empty_state("The benefits plan starts after this month: there is nothing to chart yet.")
        return
    fig = charts_benefits.benefits_cumulative_chart(
        [p.period for p in points],
        [p.planned_k for p in points],
        [p.delivered_k for p in points],
        [p.signed_off_k for p in points],
        cost_k=[p.cost_k for p in points],
        synthetic=position.synthetic,
    )
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="ican-benefits")
    st.caption(f"Chart description: {md(fig.layout.meta['alt_text'])}")


def _net_position(position: BenefitsPosition) -> None:
    totals = position.totals
    st.subheader("Net position against the programme's costs", anchor=False)
    cols = st.columns(3)
    cols[0].metric("Delivered to date (calculated)", money(totals.delivered_to_date_k))
    cols[1].metric("Cost to date", money(totals.cost_to_date_k))
    cols[2].metric("Net to date", money(totals.net_to_date_k))
    word = "ahead of" if totals.net_to_date_k >= 0 else "behind"
    st.markdown(
        f"Delivered value is {md(money(abs(totals.net_to_date_k)))} {word} the programme's "
        f"cost to {md(month_label(position.month))}."
    )


def _thread(ctx: Context, line: LinePosition, area: str) -> None:
    """Benefit line → operational KPI → lead KPI → outcome, with links to KPI detail."""
    fw = ctx.fw
    known = {k.code: k for k in fw.kpis}
    st.markdown(f"**{md(line.code)}: {md(line.name)}**")
    for code in line.kpi_codes:
        kpi = known.get(code)
        if kpi is None:
            st.markdown(f"- Operational KPI {md(code)} is not in the framework.")
            continue
        st.markdown(f"- Operational KPI: {md(kpi.name)} ({md(kpi.code)})")
        page_link(ctx, KPI_PAGE, f"Open {kpi.code}", kpi=kpi.code, area=area)
        leads = fw.linked_to(LinkKind.LEAD_ACTIVITY_KPI, code)
        if kpi.tier == Tier.LEAD:
            leads = (code, *leads)
        if not leads:
            st.markdown("  - No lead KPI is linked to it yet.")
        for lead_code in leads:
            lead = known.get(lead_code)
            if lead is None:
                continue
            if lead_code != code:
                st.markdown(f"  - Lead KPI: {md(lead.name)} ({md(lead.code)})")
                page_link(ctx, KPI_PAGE, f"Open {lead.code}", kpi=lead.code, area=area)
            for outcome_code in fw.linked_to(LinkKind.OUTCOME_LEAD_KPI, lead_code):
                number = int(outcome_code[1:]) if outcome_code[1:].isdigit() else 0
                try:
                    outcome = fw.outcome(number)
                except KeyError:
                    continue
                st.markdown(f"    - Outcome {outcome.number}: {md(outcome.wording)}")
    for code in line.system_kpi_codes:
        kpi = known.get(code)
        if kpi is not None:
            st.markdown(f"- Netted into the system-wide KPI {md(kpi.name)} ({md(kpi.code)})")
            page_link(ctx, KPI_PAGE, f"Open {kpi.code}", kpi=kpi.code, area=area)


def _downloads(ctx: Context, lines: pd.DataFrame, orgs: pd.DataFrame) -> None:
    stem = f"ican_benefits_{ctx.month}"
    cols = st.columns(3)
    cols[0].download_button(
        "Benefits by line (CSV)",
        exports.to_csv_bytes(lines),
        file_name=f"{stem}_lines.csv",
        mime="text/csv",
        key="ican-benefits-csv",
    )
    cols[1].download_button(
        "Benefits by line (XLSX)",
        exports.to_xlsx_bytes(lines, "Benefits by line", f"iCAN benefits to {ctx.month}"),
        file_name=f"{stem}_lines.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="ican-benefits-xlsx",
    )
    cols[2].download_button(
        "Benefits by organisation (CSV)",
        exports.to_csv_bytes(orgs),
        file_name=f"{stem}_organisations.csv",
        mime="text/csv",
        key="ican-benefits-orgs-csv",
    )


def signoff_states(
    ctx: Context, signoffs: Sequence[BenefitSignOff]
) -> list[tuple[BenefitSignOff, bool]]:
    """Each sign-off with whether the data under it has changed since (hash compared)."""
    if ctx.store is None or not signoffs:
        return [(s, False) for s in signoffs]
    keys = tuple(sorted({(s.line_code, s.period) for s in signoffs}))
    now = data.benefit_evidence_hashes(ctx.store.path, ctx.store.identity, keys)
    return [
        (s, (s.line_code, s.period) in now and now[(s.line_code, s.period)] != s.evidence_hash)
        for s in signoffs
    ]


def _signoff_history(ctx: Context) -> None:
    store = review.reviews()
    current = store.benefit_signoffs(up_to=ctx.month)
    log = store.benefit_signoff_log()
    if not current:
        st.markdown(f"Nothing has been signed off by the BRG up to {md(ctx.month_label)}.")
    else:
        states = signoff_states(ctx, current)
        changed = sum(1 for _, c in states if c)
        if changed:
            st.warning(
                f"{changed} sign-off(s) {CHANGED}: the data or the register under them has "
                "been revised; the signed-off amounts stay as the BRG recorded them."
            )
        st.dataframe(
            pd.DataFrame(
                {
                    "Line": [s.line_code for s, _ in states],
                    "Month": [s.period for s, _ in states],
                    "Signed off (£k)": [money(s.amount_k) for s, _ in states],
                    "State": [CHANGED if c else UNCHANGED for _, c in states],
                    "By": [s.author for s, _ in states],
                    "When (UTC)": [s.written_at[:16].replace("T", " ") for s, _ in states],
                    "Note": [s.note for s, _ in states],
                }
            ),
            hide_index=True,
            key="ican-benefit-signoffs",
        )
    if len(log) > len(current):
        with st.expander("Benefit sign-off log (every sign-off, superseded ones too)"):
            st.dataframe(
                pd.DataFrame(
                    {
                        "When (UTC)": [s.written_at[:19].replace("T", " ") for s in log],
                        "Line": [s.line_code for s in log],
                        "Month": [s.period for s in log],
                        "Signed off (£k)": [money(s.amount_k) for s in log],
                        "By": [s.author for s in log],
                        "Note": [s.note for s in log],
                        "Evidence hash": [s.evidence_hash[:16] for s in log],
                    }
                ),
                hide_index=True,
                key="ican-benefit-signoff-log",
            )


def _signoff_form(ctx: Context, position: BenefitsPosition) -> None:
    principal = review.who().principal
    shown = [line for line in position.lines if line.delivered_to_date_k is not None]
    if not can_sign_off_benefits(principal):
        st.caption(
            "Only the Benefits Realisation Group (or an administrator) signs off a line's "
            "delivered value."
        )
        return
    if not shown:
        st.info("No line shows a delivered value this month, so there is nothing to sign off.")
        return
    names = {line.code: f"{line.code}: {line.name}" for line in shown}
    with st.form("ican-benefit-signoff"):
        code = st.selectbox(
            "Benefit line", list(names), format_func=lambda c: names.get(c, c), key="brg-line"
        )
        note = st.text_input("Note (e.g. the BRG meeting and minute)", max_chars=MAX_NOTE_CHARS)
        st.caption(
            f"Signs off the line's delivered value to {md(ctx.month_label)} as calculated now "
            "(the Delivered column above)."
        )
        submitted = st.form_submit_button("Sign off the delivered value", type="primary")
    if submitted:
        sign_off(ctx, position, str(code), note)


def sign_off(ctx: Context, position: BenefitsPosition, line_code: str, note: str) -> None:
    """Record the BRG's sign-off of a line's delivered value to the month (refusals shown)."""
    from scorecard.reports.benefits import line_evidence_hash

    principal = review.who().principal
    line = next((x for x in position.lines if x.code == line_code), None)
    if ctx.store is None or line is None or line.delivered_to_date_k is None:
        st.error(f"{line_code} shows no delivered value for {ctx.month_label}: nothing signed off.")
        return
    frame = data.benefit_values(ctx.store.path, ctx.store.identity, ctx.month)
    evidence = line_evidence_hash(ctx.fw, frame, line.code, ctx.month)
    try:
        review.reviews().sign_off_benefit(
            principal, line.code, ctx.month, line.delivered_to_date_k, evidence, note
        )
    except UserError as err:
        for problem in err.problems:
            st.error(problem.message if problem.rule == "permission" else problem.sentence())
        return
    st.success(f"Signed off {line.code}: {money(line.delivered_to_date_k)} to {ctx.month_label}.")
    st.rerun()


def benefits_page(ctx: Context) -> None:
    """The Benefits page body (benefits are system level, whatever area is selected)."""
    fw = ctx.fw
    if not fw.benefits.lines:
        empty_state("The framework has no benefits register (data/framework/benefit_lines.csv).")
        return
    if ctx.store is None or not ctx.months:
        empty_state("There is no KPI data yet, so no delivered value can be calculated.")
        return
    area = system_area(fw)
    st.caption(
        f"Benefits are measured at system level ({md(area_name(fw, area))}) whatever area is "
        f"selected; amounts are £ thousands to the end of {md(ctx.month_label)}. Four amounts "
        "are kept apart: planned, delivered (calculated from the KPIs), signed off by the "
        "Benefits Realisation Group (BRG), and cashed."
    )
    position = data.benefits_position(ctx.store.path, ctx.store.identity, ctx.month)
    if position.synthetic:
        st.warning(
            "**Synthetic:** delivered values are calculated from synthetic demo data.",
            icon=":material/science:",
        )
    _totals(position)
    _chart(position)
    lines = lines_frame(position)
    orgs = organisations_frame(position)
    st.subheader("By benefit line", anchor=False)
    st.dataframe(_shown_table(lines, position), hide_index=True, key="ican-benefit-lines")
    for line in position.lines:
        flag = (
            f" · {line.sustainability_kpi} {line.sustainability} after support ended"
            if line.sustainability
            else ""
        )
        with st.expander(f"{line.code}: {line.status_words}{flag}"):
            st.markdown(md(line.status_sentence))
            if line.attribution is not None:
                st.markdown(md(line.attribution.sentence))
            st.caption(f"Method: {md(line.method_label)}.")
            if line.illustrative:
                st.caption(md(line.illustrative))
    st.subheader("By organisation", anchor=False)
    st.dataframe(_shown_organisations(orgs), hide_index=True, key="ican-benefit-orgs")
    st.caption(f"{md(SPLIT_NOTE[0].upper() + SPLIT_NOTE[1:])}.")
    _net_position(position)
    st.subheader("Golden thread of each line", anchor=False)
    for line in position.lines:
        _thread(ctx, line, area)
    st.subheader("Downloads", anchor=False)
    _downloads(ctx, lines, orgs)
    st.subheader("BRG sign-off", anchor=False)
    _signoff_history(ctx)
    _signoff_form(ctx, position)
