"""Cached reads for the app: the parsed framework and store frames keyed on the store's identity."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from scorecard.statistics import benchmark
from scorecard.thread.domain import Framework
from scorecard.thread.framework import load_framework

if TYPE_CHECKING:
    from scorecard.reports.benefits import BenefitsPosition
    from scorecard.reports.scoring import ScorecardRow
    from scorecard.statistics.quality import KpiQuality, SeriesQuality

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DB = REPO_ROOT / "data" / "scorecard.duckdb"
DEFAULT_FRAMEWORK = REPO_ROOT / "data" / "framework"


def store_path() -> Path:
    """The DuckDB store the app reads: ``$SCORECARD_DB`` or data/scorecard.duckdb."""
    env = os.environ.get("SCORECARD_DB", "").strip()
    return Path(env) if env else DEFAULT_DB


def framework_dir() -> Path:
    """The framework folder the app reads: ``$SCORECARD_FRAMEWORK`` or data/framework."""
    env = os.environ.get("SCORECARD_FRAMEWORK", "").strip()
    return Path(env) if env else DEFAULT_FRAMEWORK


def _folder_signature(folder: Path) -> str:
    """Names, sizes and modification times of a folder's files: changes when a file changes."""
    if not folder.is_dir():
        return "missing"
    parts = [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}"
        for p in sorted(folder.iterdir())
        if p.is_file()
    ]
    return "|".join(parts)


@st.cache_resource(show_spinner=False, max_entries=4)
def _framework(folder: str, signature: str) -> Framework:
    del signature  # part of the cache key only: an edited file gives a new signature
    return load_framework(Path(folder))


def framework() -> Framework:
    """The parsed framework (cached until one of its files changes; raises UserError)."""
    folder = framework_dir()
    return _framework(str(folder.resolve()), _folder_signature(folder))


def words_signature(store: str | Path) -> str:
    """Changes whenever people's words beside the store change (the SQLite file and its log)."""
    from scorecard.data.reviews_core import reviews_path

    path = reviews_path(Path(store))
    parts = []
    for file in (path, path.with_name(path.name + "-wal")):
        stat = file.stat() if file.exists() else None
        parts.append(f"{stat.st_mtime_ns}:{stat.st_size}" if stat else "-")
    return "|".join(parts)


@st.cache_resource(show_spinner=False, max_entries=8)
def _live_framework(
    folder: str, signature: str, store: str, words: str, identity: str = ""
) -> Framework:
    del words, identity  # cache keys only: new annotations or a rebuilt store give new ones
    from scorecard.data.reviews import Reviews
    from scorecard.data.reviews_annotations import with_declared_change_points
    from scorecard.data.reviews_core import reviews_path
    from scorecard.data.store import store_events
    from scorecard.thread.domain import with_events

    fw = with_events(_framework(folder, signature), store_events(Path(store)))
    if not reviews_path(Path(store)).is_file():
        return fw
    return with_declared_change_points(fw, Reviews.beside(Path(store)))


def live_framework(store: str | Path) -> Framework:
    """The framework with the change points people declared beside the store (as the pack).

    A store's own SPC events (the synthetic demo's improvements and ends of support) are added.

    Every SPC reading the app shows goes through this, so the app's limits and icons are the
    ones the Board pack and the sign-off use.
    """
    folder = framework_dir()
    from scorecard.data.store import Store

    return _live_framework(
        str(folder.resolve()),
        _folder_signature(folder),
        str(store),
        words_signature(store),
        Store(Path(store)).identity(),
    )


@dataclass(frozen=True)
class StoreRef:
    """Where the store is and which state of it we are reading (the cache key)."""

    path: str
    identity: str


def store_ref() -> StoreRef | None:
    """The store and its identity, or None when no store has been built yet."""
    path = store_path()
    if not path.is_file():
        return None
    from scorecard.data.store import Store

    store = Store(path)
    if not store.exists():
        return None
    return StoreRef(str(path.resolve()), store.identity())


@st.cache_data(show_spinner=False, max_entries=8)
def periods(path: str, identity: str) -> list[str]:
    """Every period with a current value, oldest first."""
    del identity
    from scorecard.data.store import Store

    return list(Store(Path(path)).periods())


@st.cache_data(show_spinner=False, max_entries=8)
def _current(path: str, identity: str, words: str) -> pd.DataFrame:
    del identity, words  # cache keys only: a new BRG sign-off gives a new words signature
    from scorecard.data.reviews import Reviews
    from scorecard.data.store import Store
    from scorecard.reports.derived import benefit_rows, joined

    stored = Store(Path(path)).current()
    signoffs = Reviews.beside(Path(path)).benefit_signoffs()
    months = [*stored["period"].astype(str), *(s.period for s in signoffs)]
    if not months:
        return stored
    return joined(stored, benefit_rows(framework(), signoffs, max(months)))


def current(path: str, identity: str) -> pd.DataFrame:
    """Every current observation (all KPIs, all areas, all periods).

    ACT-BENEFIT's values are derived from the BRG's sign-offs beside the store
    (``scorecard.reports.derived``), as in the Board pack and ``scorecard --json``.
    """
    return _current(path, identity, words_signature(path))


@st.cache_data(show_spinner=False, max_entries=32)
def history(path: str, identity: str, kpi_code: str | None, area_code: str | None) -> pd.DataFrame:
    """Every version of the values (superseded ones too) of a KPI and/or area, with loads."""
    del identity
    from scorecard.data.store import Store

    return Store(Path(path)).history(kpi_code=kpi_code, area_code=area_code)


@st.cache_data(show_spinner=False, max_entries=8)
def loads(path: str, identity: str) -> pd.DataFrame:
    """The load log."""
    del identity
    from scorecard.data.store import Store

    return Store(Path(path)).loads()


@dataclass(frozen=True)
class PeriodSummary:
    """The months in the store, how many current values each has, and whether any is synthetic."""

    periods: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]
    synthetic: bool
    synthetic_values: int = 0  # current values marked synthetic
    total_values: int = 0  # all current values


def period_summary(path: str, identity: str) -> PeriodSummary:
    """Months with data, values per month (to find the latest complete one), synthetic or not."""
    return _period_summary(path, identity, words_signature(path))


@st.cache_data(show_spinner=False, max_entries=8)
def _period_summary(path: str, identity: str, words: str) -> PeriodSummary:
    del words  # cache key only: a new BRG sign-off changes the derived values counted
    frame = current(path, identity)
    if frame.empty:
        return PeriodSummary((), (), False)
    sizes = frame.groupby("period", sort=True).size()
    flags = frame["synthetic"].fillna(False).astype(bool)
    return PeriodSummary(
        periods=tuple(str(p) for p in sizes.index),
        counts=tuple((str(p), int(n)) for p, n in sizes.items()),
        synthetic=bool(flags.any()),
        synthetic_values=int(flags.sum()),
        total_values=len(frame),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _scorecard_rows(
    path: str, identity: str, words: str, month: str, area: str | None
) -> list[ScorecardRow]:
    del words  # cache key only
    from scorecard.reports.scoring import compute_scorecard

    return compute_scorecard(live_framework(path), current(path, identity), month, area)


def scorecard_rows(path: str, identity: str, month: str, area: str | None) -> list[ScorecardRow]:
    """The scorecard rows for a month and area (every KPI reported there), SPC included.

    Declared change points are applied, so the rows are the ones the pack and sign-off use.
    """
    return _scorecard_rows(path, identity, words_signature(path), month, area)


@st.cache_data(show_spinner=False, max_entries=64)
def _sparklines(
    path: str, identity: str, words: str, month: str, area: str, tier: str, points: int
) -> dict[str, str]:
    del words  # cache key only
    from scorecard.reports.charts_sparklines import sparkline_svg
    from scorecard.reports.scoring import analyse_series
    from scorecard.reports.scoring_series import compute_series

    fw = live_framework(path)
    codes = {k.code for k in fw.kpis if k.tier == tier}
    out: dict[str, str] = {}
    for (kpi_code, _), series in compute_series(fw, current(path, identity), month, area).items():
        if kpi_code not in codes or len(series) < 2:
            continue
        result = analyse_series(fw.kpi(kpi_code), series)
        states = list(result.points.point_state)[-points:]
        recent = series.values[-points:]  # noqa: PD011 -- numpy array of a KpiSeries
        values = [float(v) for v in recent]
        out[kpi_code] = sparkline_svg(values, states)
    return out


def sparklines(
    path: str, identity: str, month: str, area: str, tier: str = "lead", points: int = 24
) -> dict[str, str]:
    """Sparkline SVGs (last ``points`` months, SPC states marked) of one tier's KPIs in an area."""
    return _sparklines(path, identity, words_signature(path), month, area, tier, points)


@st.cache_data(show_spinner=False, max_entries=8)
def history_all(path: str, identity: str) -> pd.DataFrame:
    """Every stored version of every value (for revisions)."""
    del identity
    from scorecard.data.store import Store

    return Store(Path(path)).history()


# Quality results are many small frozen objects: kept as shared resources (read-only), since
# st.cache_data would unpickle tens of thousands of them on every page view of a large store.
def series_quality(path: str, identity: str, month: str, area: str | None) -> list[SeriesQuality]:
    """Data quality (kite marks) of every KPI × area up to ``month`` (one area: its rows only)."""
    return _series_quality(path, identity, words_signature(path), month, area)


@st.cache_resource(show_spinner=False, max_entries=32)
def _series_quality(
    path: str, identity: str, words: str, month: str, area: str | None
) -> list[SeriesQuality]:
    from scorecard.statistics import quality

    del words  # cache key only: a new BRG sign-off changes the derived values judged

    frame = current(path, identity)
    if area is None:
        versions = history_all(path, identity)
    else:
        frame = frame.loc[frame["area_code"] == area]
        versions = history(path, identity, None, area)
    return quality.series_quality(framework(), frame, month, history=versions, area=area)


def kpi_quality(path: str, identity: str, month: str) -> list[KpiQuality]:
    """Data quality of every KPI across its areas up to ``month``."""
    return _kpi_quality(path, identity, words_signature(path), month)


@st.cache_resource(show_spinner=False, max_entries=32)
def _kpi_quality(path: str, identity: str, words: str, month: str) -> list[KpiQuality]:
    from scorecard.statistics import quality

    del words  # cache key only: a new BRG sign-off changes the derived values judged

    return quality.kpi_quality(
        framework(), current(path, identity), month, history=history_all(path, identity)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _kpi_area_rows(
    path: str, identity: str, words: str, month: str, kpi_code: str
) -> list[ScorecardRow]:
    del words  # cache key only
    from scorecard.reports.scoring import compute_scorecard

    frame = current(path, identity)
    if not frame.empty:
        frame = frame.loc[frame["kpi_code"] == kpi_code]
    rows = compute_scorecard(live_framework(path), frame, month, None)
    return [r for r in rows if r.kpi_code == kpi_code]


def kpi_area_rows(path: str, identity: str, month: str, kpi_code: str) -> list[ScorecardRow]:
    """One KPI's scorecard row in each of its areas (for the comparison across areas)."""
    return _kpi_area_rows(path, identity, words_signature(path), month, kpi_code)


@st.cache_data(show_spinner=False, max_entries=8)
def synthetic_counts(path: str, identity: str) -> pd.DataFrame:
    """Current values by KPI tier: how many are real and how many synthetic."""
    frame = current(path, identity)
    if frame.empty:
        return pd.DataFrame(columns=["Tier", "Real", "Synthetic", "Total"])
    tiers = {k.code: str(k.tier) for k in framework().kpis}
    work = pd.DataFrame(
        {
            "Tier": frame["kpi_code"].map(tiers).fillna("unknown"),
            "Synthetic": frame["synthetic"].fillna(False).astype(bool),
        }
    )
    table = work.groupby("Tier")["Synthetic"].agg(Synthetic="sum", Total="count").reset_index()
    table["Real"] = table["Total"] - table["Synthetic"]
    return table[["Tier", "Real", "Synthetic", "Total"]]


@st.cache_data(show_spinner=False, max_entries=8)
def revised_values(path: str, identity: str) -> pd.DataFrame:
    """Stored values a later load replaced (the old versions, with their loads)."""
    versions = history_all(path, identity)
    if versions.empty or "superseded_by" not in versions.columns:
        return versions.iloc[0:0]
    return versions.loc[versions["superseded_by"].notna()].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=128)
def _kpi_area_frame(
    path: str, identity: str, words: str, kpi_code: str, area_code: str
) -> pd.DataFrame:
    del words  # cache key only
    frame = current(path, identity)
    if frame.empty:
        return frame
    mask = (frame["kpi_code"] == kpi_code) & (frame["area_code"] == area_code)
    return frame.loc[mask].reset_index(drop=True)


def kpi_area_frame(path: str, identity: str, kpi_code: str, area_code: str) -> pd.DataFrame:
    """The current values of one KPI in one area (all periods)."""
    return _kpi_area_frame(path, identity, words_signature(path), kpi_code, area_code)


@st.cache_data(show_spinner=False, max_entries=16)
def benefit_values(path: str, identity: str, month: str) -> pd.DataFrame:
    """The benefits register's KPIs at the system area, months up to ``month`` (current values)."""
    from scorecard.reports.benefits import system_area

    fw = framework()
    frame = current(path, identity)
    if frame.empty:
        return frame
    codes = list(fw.benefits.kpi_codes())
    mask = (
        frame["kpi_code"].isin(codes)
        & (frame["area_code"] == system_area(fw))
        & (frame["period"] <= month)
    )
    return frame.loc[mask].reset_index(drop=True)


@st.cache_data(show_spinner=False, max_entries=32)
def _benefits_position(path: str, identity: str, words: str, month: str) -> BenefitsPosition:
    del words  # cache key only: a new BRG sign-off gives a new signature
    from scorecard.data.reviews import Reviews
    from scorecard.reports.benefits import benefits_position, read_signoffs

    signoffs = read_signoffs(Reviews.beside(Path(path)), month)
    # The live framework: declared change points and events, so the special-cause and
    # sustainability readings agree with KPI detail.
    live = live_framework(path)
    return benefits_position(live, benefit_values(path, identity, month), month, signoffs)


def benefits_position(path: str, identity: str, month: str) -> BenefitsPosition:
    """The benefits realised to ``month`` (system level), with the BRG's sign-offs to then."""
    return _benefits_position(path, identity, words_signature(path), month)


@st.cache_data(show_spinner=False, max_entries=64)
def benefit_evidence_hashes(
    path: str, identity: str, keys: tuple[tuple[str, str], ...]
) -> dict[tuple[str, str], str]:
    """The current evidence hash of each (benefit line, month): compared with a sign-off's."""
    from scorecard.reports.benefits import line_evidence_hash

    fw = framework()
    known = {line.code for line in fw.benefits.lines}
    out: dict[tuple[str, str], str] = {}
    for line_code, period in keys:
        if line_code in known:
            frame = benefit_values(path, identity, period)
            out[(line_code, period)] = line_evidence_hash(fw, frame, line_code, period)
    return out


@st.cache_resource(show_spinner=False, max_entries=4)
def comparison_split(
    path: str, identity: str
) -> dict[tuple[str, str, str], benchmark.ComparisonRows]:
    """Every organisation's published figures, split by (measure, month, level): read-only."""
    del identity
    from scorecard.data.store import Store

    return benchmark.split_comparisons(Store(Path(path)).comparisons())
