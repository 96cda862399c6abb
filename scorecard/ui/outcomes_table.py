"""The outcomes framework table page: the golden thread in the documents' six columns."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from scorecard.data import exports
from scorecard.reports import framework_table as ft
from scorecard.reports.scoring import ScorecardRow
from scorecard.ui import data
from scorecard.ui import display as ui
from scorecard.ui.frame import Context, empty_state, page_link, url_selectbox
from scorecard.ui.views import md


def icons_uri(variation: str, assurance: str) -> str:
    """Both Making Data Count icons side by side as one image (our own static SVG)."""
    if not variation:
        return ""
    pair = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="84" height="40" viewBox="0 0 84 40">'
        f'{ui.variation_svg(variation)}<g transform="translate(44,0)">'
        f"{ui.assurance_svg(assurance)}</g></svg>"
    )
    return ui.svg_data_uri(pair)


def kpi_link(ctx: Context, code: str) -> str:
    """A relative link to the KPI's detail page for the selected month and area."""
    if not code:
        return ""
    params = ctx.selection.only().with_(kpi=code).to_query_params()
    return "kpi?" + urlencode(params)


def kpi_cell(ctx: Context, name: object, code: str, row: ScorecardRow | None, state: object) -> str:
    """A KPI's cell of the Board table (Markdown): name, icons, their meaning, detail link."""
    text = md(name or "")
    if not code:
        return text
    parts = [f"**{text}**"]
    if row is not None and row.variation:
        parts.append(ui.icons_md(row.variation, row.assurance))
    if state:
        parts.append(md(state))
    parts.append(f"[Open KPI]({kpi_link(ctx, code)})")
    return " ".join(parts)


def board_table(
    ctx: Context, shown: pd.DataFrame, states: Mapping[str, ScorecardRow]
) -> pd.DataFrame:
    """The six columns as wrapped text (Markdown cells): each KPI with its icons, words, link."""
    out = pd.DataFrame(index=shown.index)
    for column in ft.SIX_COLUMNS:
        out[column] = [md(v or "") for v in shown[column]]
    for prefix, column in (("Lead KPI", ft.LEAD_KPI), ("Activity KPI", ft.ACTIVITY_KPI)):
        codes = [str(c or "") for c in shown[f"{prefix} code"]]
        out[column] = [
            kpi_cell(ctx, name, code, states.get(code), state) if name else ""
            for name, code, state in zip(
                shown[column], codes, shown[f"{prefix} state"], strict=True
            )
        ]
    return out.reset_index(drop=True)


def filters(ctx: Context) -> tuple[str, int | None]:
    """The pillar and outcome filters (kept in the URL): the pillar code and outcome number."""
    fw = ctx.fw
    pillars = [p for p in fw.pillars if any(o.pillar_code == p.code for o in fw.outcomes)]
    with ctx.slot or st.container():
        pillar_box, outcome_box = st.columns(2)
    with pillar_box:
        pillar = url_selectbox(
            "Pillar",
            "pillar",
            [p.code for p in pillars],
            ctx.selection.pillar,
            {p.code: f"{p.number}. {p.name}" for p in pillars},
            allow_none="All pillars",
            help_text="Only the threads through outcomes this pillar owns.",
        )
    with outcome_box:
        outcomes = sorted(
            (o for o in fw.outcomes if not pillar or o.pillar_code == pillar),
            key=lambda o: o.number,
        )
        node = url_selectbox(
            "iCAN outcome",
            "node",
            [f"outcome:{o.code}" for o in outcomes],
            ctx.selection.node,
            {f"outcome:{o.code}": f"{o.number}. {o.wording}" for o in outcomes},
            allow_none="All outcomes",
            help_text="Only the threads through this outcome.",
        )
    outcome = int(node.removeprefix("outcome:O")) if node.startswith("outcome:O") else None
    return pillar, outcome


def table_view(ctx: Context, pillar: str, outcome: int | None) -> None:
    """The six-column table with the month's figures, the same as a grid, and its downloads."""
    fw = ctx.fw
    st.markdown(
        "The golden thread as the case for change draws it, one row per thread, with each KPI's "
        "latest value, target and Making Data Count icons for the month and area chosen."
    )

    rows = []
    if ctx.store is not None and ctx.months:
        rows = data.scorecard_rows(ctx.store.path, ctx.store.identity, ctx.month, ctx.area)

    table = ft.framework_table(
        fw, rows, ctx.month, ctx.area, pillar=pillar or None, outcome=outcome
    )
    if table.empty:
        empty_state(
            "No golden thread passes through this choice of pillar and outcome.",
            hint="Choose “All pillars” or another outcome above.",
        )
    else:
        threads_from_documents = int((table[ft.THREAD_PROVENANCE] == "seed").sum())
        figures = (
            f"Figures for {md(ctx.area_name)}, {md(ctx.month_label)}."
            if rows
            else "No KPI figures: the framework alone is shown."
        )
        shown = ft.display_table(table)
        states = {r.kpi_code: r for r in rows}
        for prefix in ("Lead KPI", "Activity KPI"):
            codes = [str(c) for c in shown[f"{prefix} code"]]
            shown[f"{prefix} icons"] = [
                icons_uri(states[c].variation, states[c].assurance) if c in states else ""
                for c in codes
            ]
            shown[f"{prefix} detail"] = [kpi_link(ctx, c) for c in codes]
        # The Board reads the table like the documents' slide: a static table whose text wraps,
        # each KPI's icons, their meaning in words and a link to its detail beside it.
        st.table(
            board_table(ctx, shown, states),
            hide_index=True,
            border="horizontal",
            alt="The outcomes framework table: one row per golden thread from ICS population "
            "outcome to I-statement, with each KPI's latest value, target and icons in words.",
        )
        st.caption(
            f"{len(table)} threads, {threads_from_documents} of them stated link by link in the "
            f"documents. {figures} "
            "“\\[placeholder\\]” marks an entry the documents do not name; “\\[illustrative\\]” "
            "one the team proposed where the documents are silent. Repeated cells are left "
            "blank, as on the documents' slide. Icons: variation (left) and assurance (right); "
            "their meaning is written beside them."
        )
        order = [
            ft.POPULATION_OUTCOME,
            ft.AMBITION,
            ft.OUTCOME,
            ft.LEAD_KPI,
            "Lead KPI icons",
            ft.ACTIVITY_KPI,
            "Activity KPI icons",
            ft.I_STATEMENT,
            "Lead KPI state",
            "Lead KPI detail",
            "Activity KPI state",
            "Activity KPI detail",
        ]
        with st.expander("The same table as a grid (sort, search and scroll)"):
            st.dataframe(
                shown[order],
                hide_index=True,
                width="stretch",
                height=min(600, 38 + 40 * len(shown)),
                row_height=40,
                placeholder="",
                key="ican-framework-table",
                alt="The outcomes framework table as a grid: one row per golden thread, with each "
                "KPI's latest value, target, icons and link.",
                column_config={
                    ft.POPULATION_OUTCOME: st.column_config.TextColumn(width=105),
                    ft.AMBITION: st.column_config.TextColumn(width=170),
                    ft.OUTCOME: st.column_config.TextColumn(width=190),
                    ft.LEAD_KPI: st.column_config.TextColumn(width=190),
                    "Lead KPI icons": st.column_config.ImageColumn("Lead icons", width=90),
                    "Lead KPI state": st.column_config.TextColumn("Lead KPI state", width=320),
                    "Lead KPI detail": st.column_config.LinkColumn(
                        "Lead detail", display_text="Open KPI", width=90
                    ),
                    ft.ACTIVITY_KPI: st.column_config.TextColumn(width=200),
                    "Activity KPI icons": st.column_config.ImageColumn("Activity icons", width=90),
                    "Activity KPI state": st.column_config.TextColumn(
                        "Activity KPI state", width=320
                    ),
                    "Activity KPI detail": st.column_config.LinkColumn(
                        "Activity detail", display_text="Open KPI", width=90
                    ),
                    ft.I_STATEMENT: st.column_config.TextColumn(width=330),
                },
            )
        title = f"iCAN outcomes framework, {ctx.area_name}, {ctx.month_label or 'no data'}"
        stem = f"ican-framework-table-{ctx.area or 'all'}-{ctx.month or 'framework'}"
        left, right, _ = st.columns([1, 1, 2])
        with left:
            st.download_button(
                "Download CSV",
                exports.to_csv_bytes(table),
                file_name=f"{stem}.csv",
                mime="text/csv",
                key="ican-framework-csv",
            )
        with right:
            st.download_button(
                "Download XLSX",
                exports.to_xlsx_bytes(table, "Framework table", title),
                file_name=f"{stem}.xlsx",
                mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                key="ican-framework-xlsx",
            )
        kpi_codes = list(
            dict.fromkeys(c for c in (*table["Lead KPI code"], *table["Activity KPI code"]) if c)
        )
        with st.expander(f"Open the detail of a KPI in this table ({len(kpi_codes)})"):
            for code in kpi_codes:
                page_link(ctx, "pages/2_kpi.py", f"{fw.kpi(code).name} ({code})", kpi=code)


def not_yet_linked(ctx: Context) -> None:
    """KPIs and I-statements no golden thread passes through yet, and why."""
    fw = ctx.fw
    st.header("Not yet linked")
    open_items = ft.not_yet_linked(fw)
    if open_items.empty:
        st.success("Every KPI and every I-statement of the framework is in at least one thread.")
    else:
        st.caption(
            "KPIs and I-statements of the framework that no golden thread passes through yet, "
            "and why. They are gaps to close, not errors."
        )
        st.dataframe(open_items, hide_index=True, width="stretch", key="ican-not-yet-linked")
