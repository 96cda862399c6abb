"""Where the values on a page come from: the published-data banner, sources, real-data coverage."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from scorecard.data.provenance import NOT_PUBLISHED, label
from scorecard.reports.derived import DERIVED_LOAD_ID, DERIVED_SOURCE
from scorecard.thread.domain import DERIVED_KPIS, Framework, Kpi
from scorecard.ui import data
from scorecard.ui.views import md


@st.cache_data(show_spinner=False, max_entries=8)
def source_labels(path: str, identity: str) -> dict[int, str]:
    """Each load's provenance in words (publication, file, edition, load), by load id."""
    from pathlib import Path

    from scorecard.data.store import Store

    named = {int(r["load_id"]): label(r) for r in Store(Path(path)).sources().to_dict("records")}
    return {**named, DERIVED_LOAD_ID: DERIVED_SOURCE}  # ACT-BENEFIT: no load wrote it


@st.cache_data(show_spinner=False, max_entries=8)
def is_published_store(path: str, identity: str) -> bool:
    """Whether every current value is real and comes from a load that names its publication."""
    from pathlib import Path

    from scorecard.data.store import Store

    frame = data.current(path, identity)
    if frame.empty or bool(frame["synthetic"].fillna(False).astype(bool).any()):
        return False
    sources = Store(Path(path)).sources().set_index("load_id")["publication"]
    loaded = frame.loc[~frame["kpi_code"].isin(DERIVED_KPIS)]  # derived: not a publication's
    used = loaded["load_id"].astype(int).unique()
    return bool(sources.reindex(used).notna().all())


def published_banner(path: str, identity: str) -> None:
    """Say "published data" where every value on the store is a published figure."""
    if not is_published_store(path, identity):
        return
    with st.container(key="ican-published"):
        st.info(
            "**Published data.** Every value here is a figure NHS England or the Office for "
            "Local Government publishes, read as published; each KPI names its publication, "
            "file and edition. KPIs no publication measures have no value.",
            icon=":material/verified:",
        )


def kpi_sources(path: str, identity: str, kpi: Kpi, area: str, month: str) -> None:
    """The publication, file and edition behind the KPI's values in the area, latest first."""
    frame = data.current(path, identity)
    mine = frame[
        (frame["kpi_code"] == kpi.code) & (frame["area_code"] == area) & (frame["period"] <= month)
    ]
    if mine.empty:
        if not kpi.source_key and is_published_store(path, identity):
            st.markdown(f"**Source:** {md(NOT_PUBLISHED[0].upper() + NOT_PUBLISHED[1:])}.")
        else:
            st.markdown("**Source:** no value for this area up to this month.")
        return
    labels = source_labels(path, identity)
    latest = mine.sort_values("period").iloc[-1]
    named = labels.get(int(latest["load_id"]), f"load {int(latest['load_id'])}")
    st.markdown(f"**Source of the latest value ({md(latest['period'])}):** {md(named)}")
    others = pd.Series(mine["load_id"].astype(int).unique()).map(labels).dropna()
    if len(others) > 1:
        st.caption(
            f"The {len(mine)} values shown come from {len(others)} loads; the values table "
            "below names the source of each."
        )


@dataclass(frozen=True)
class Coverage:
    """How much of the framework real data covers up to a month."""

    kpis: int
    kpis_real: int
    pairs: int
    pairs_real: int
    not_published: tuple[str, ...]  # KPIs no publication measures (no source_key, no value)


def real_coverage(fw: Framework, frame: pd.DataFrame, month: str) -> Coverage:
    """KPIs and KPI × area pairs of the framework with at least one real value up to ``month``."""
    real = frame[~frame["synthetic"].fillna(False).astype(bool) & (frame["period"] <= month)]
    pairs = {(str(k), str(a)) for k, a in zip(real["kpi_code"], real["area_code"], strict=True)}
    expected = [(k.code, a.code) for k in fw.kpis for a in fw.kpi_areas(k.code)]
    with_real = {k for k, _ in pairs}
    return Coverage(
        kpis=len(fw.kpis),
        kpis_real=sum(1 for k in fw.kpis if k.code in with_real),
        pairs=len(expected),
        pairs_real=sum(1 for pair in expected if pair in pairs),
        not_published=tuple(
            k.code for k in fw.kpis if not k.source_key and k.code not in with_real
        ),
    )


def coverage_share(ctx_fw: Framework, path: str, identity: str, month: str) -> None:
    """The share of the framework that real data covers, and what is not published nationally."""
    share = real_coverage(ctx_fw, data.current(path, identity), month)
    if share.kpis == 0:
        return
    st.markdown(
        f"Real data covers **{share.kpis_real} of {share.kpis} KPIs "
        f"({share.kpis_real / share.kpis:.0%})** and **{share.pairs_real} of {share.pairs} "
        f"KPI × area pairs ({share.pairs_real / share.pairs:.0%})** of the framework up to "
        f"{md(month)}."
    )
    if share.not_published and is_published_store(path, identity):
        codes = ", ".join(share.not_published)
        st.markdown(f"{len(share.not_published)} KPIs are {md(NOT_PUBLISHED)}: {md(codes)}.")
