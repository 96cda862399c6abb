"""Shared pieces of the pages: our icons as Markdown with their words, tables, kite marks."""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from scorecard.reports.scoring import ScorecardRow
from scorecard.statistics.quality import KiteMark, SeriesQuality
from scorecard.thread.domain import Kpi, Provenance
from scorecard.ui import data, views
from scorecard.ui.frame import Context
from scorecard.ui.views import md


def svg_data_uri(svg: str) -> str:
    """An SVG document as a data: URI (for image columns and Markdown images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def image_md(svg: str, alt: str) -> str:
    """A Markdown image of one of our own SVGs, with its text alternative."""
    return f"![{md(alt)}]({svg_data_uri(svg)})"


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame of already-escaped Markdown cells as one GitHub-flavoured Markdown table.

    Cells must come through ``md`` (which escapes ``|``); line breaks become spaces so a cell
    cannot end its row.
    """

    def cell(value: object) -> str:
        return " ".join(str(value).split())

    lines = [
        "| " + " | ".join(cell(c) for c in frame.columns) + " |",
        "|" + "---|" * len(frame.columns),
    ]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(False)]
    return "\n".join(lines)


def bullet_list(items: Sequence[str]) -> None:
    """Already-escaped Markdown lines as a bulleted list."""
    if items:
        st.markdown("\n".join(f"- {item}" for item in items))


# Icons: our own static SVG (scorecard.statistics.icons) with a text label beside or as alt text.


def variation_label(variation: str) -> str:
    """What a variation icon means, in words."""
    from scorecard.statistics import icons

    return icons.variation_label(variation)


def assurance_label(assurance: str) -> str:
    """What an assurance icon means, in words."""
    from scorecard.statistics import icons

    return icons.assurance_label(assurance)


def variation_svg(variation: str) -> str:
    """The variation icon (our static SVG)."""
    from scorecard.statistics import icons

    return icons.variation_icon_svg(variation)


def assurance_svg(assurance: str) -> str:
    """The assurance icon (our static SVG)."""
    from scorecard.statistics import icons

    return icons.assurance_icon_svg(assurance)


def icons_md(variation: str, assurance: str) -> str:
    """Both icons as Markdown images whose alt text says what they mean."""
    return (
        image_md(variation_svg(variation), f"Variation: {variation_label(variation)}")
        + " "
        + image_md(assurance_svg(assurance), f"Assurance: {assurance_label(assurance)}")
    )


def kpi_states(ctx: Context) -> dict[str, ScorecardRow]:
    """Each KPI's scorecard row for the selected month and area (empty without data)."""
    if ctx.store is None or not ctx.month:
        return {}
    rows = data.scorecard_rows(ctx.store.path, ctx.store.identity, ctx.month, ctx.area)
    return {r.kpi_code: r for r in rows}


def state_text(row: ScorecardRow | None) -> str:
    """A KPI's state in words (variation; assurance), or why there is none."""
    if row is None:
        return "not reported for this area"
    if row.period is None:
        return "no data"
    return f"{variation_label(row.variation)}; {assurance_label(row.assurance)}"


RATING_FILL = {"good": "#007F3B", "attention": "#FFB81C", "poor": "#DA291C"}
RATING_LETTER = {"good": "G", "attention": "A", "poor": "P"}


def kite_svg(mark: KiteMark, size: int = 44) -> str:
    """A kite mark drawn as a diamond of wedges, one per dimension, coloured by rating.

    Our own static markup: only fixed colours, numbers and a one-letter overall rating (G, A,
    P), so shape and letter carry the meaning as well as colour.
    """
    marks = list(mark.marks)
    n = max(len(marks), 1)
    cx = cy = 50.0
    corners = [(50.0, 4.0), (96.0, 50.0), (50.0, 96.0), (4.0, 50.0)]
    perimeter = [*corners, corners[0]]

    def point_at(t: float) -> tuple[float, float]:
        side = min(int(t * 4), 3)
        local = t * 4 - side
        (x0, y0), (x1, y1) = perimeter[side], perimeter[side + 1]
        return x0 + (x1 - x0) * local, y0 + (y1 - y0) * local

    wedges: list[str] = []
    for i, item in enumerate(marks):
        start, end = i / n, (i + 1) / n
        pts = [(cx, cy), point_at(start)]
        pts += [c for k, c in enumerate(corners) if start < k / 4 < end]
        pts.append(point_at(end - 1e-9))
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        fill = RATING_FILL.get(item.rating, "#D8DDE0")
        wedges.append(f'<polygon points="{path}" fill="{fill}" stroke="#FFFFFF" stroke-width="2"/>')
    overall = mark.overall
    letter = RATING_LETTER.get(overall, "?")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100" role="img" aria-label="Data quality {overall}">'
        f"<title>Data quality {overall}</title>"
        + "".join(wedges)
        + '<circle cx="50" cy="50" r="17" fill="#FFFFFF" stroke="#212B32" stroke-width="2"/>'
        + f'<text x="50" y="58" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-weight="bold" font-size="22" fill="#212B32">{letter}</text></svg>'
    )


# Column headings for tables read straight from the store (unknown columns keep their name).
STORE_COLUMN_LABELS: Mapping[str, str] = {
    "load_id": "Load",
    "file_name": "File",
    "sha256": "SHA-256",
    "kind": "Kind",
    "rows": "Rows",
    "new_rows": "New",
    "revisions": "Revised",
    "unchanged": "Unchanged",
    "loaded_by": "Loaded by",
    "loaded_at": "Loaded at (UTC)",
    "synthetic": "Synthetic",
    "kpi_code": "KPI",
    "area_code": "Area",
    "period": "Period",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "status": "Status",
    "note": "Note",
    "superseded_by": "Replaced by load",
    "suppressed": "Suppressed",
}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A store table with headings people read (``load_id`` → "Load")."""
    return frame.rename(columns=lambda c: STORE_COLUMN_LABELS.get(str(c), str(c)))


def node_line(node: views.Node, states: Mapping[str, ScorecardRow]) -> str:
    """One Markdown line for a node: kind, code and name, whether it is a gap, a KPI's state."""
    parts = [f"**{md(node.kind_label)} {md(node.code)}**: {md(node.name)}"]
    if node.placeholder:
        parts.append("— _gap: a placeholder the programme has not filled in_")
    elif node.provenance == Provenance.ILLUSTRATIVE:
        parts.append("— _illustrative: proposed by the team, not in the documents_")
    if node.kind in ("lead_kpi", "activity_kpi", "system_kpi") and states:
        row = states.get(node.code)
        icons = icons_md(row.variation, row.assurance) + " " if row and row.period else ""
        parts.append(f"— {icons}{md(state_text(row))}")
    return " ".join(parts)


def show_kpi_state(kpi: Kpi, states: Mapping[str, ScorecardRow]) -> None:
    """A KPI's code and name with its icons and state in words (no states: code and name)."""
    if not states:
        st.markdown(f"**{md(kpi.code)}** {md(kpi.name)}")
        return
    row = states.get(kpi.code)
    icons = icons_md(row.variation, row.assurance) + " " if row and row.period else ""
    st.markdown(f"{icons}**{md(kpi.code)}** {md(kpi.name)} — {md(state_text(row))}")


RESULT_TYPE_LABELS = {
    "how_much": "How much did we do?",
    "how_well": "How well did we do it?",
    "better_off": "Is anyone better off?",
}


QUALITY_SYMBOLS = {"good": "● Good", "attention": "▲ Attention", "poor": "✖ Poor"}


def quality_text(quality: SeriesQuality | None) -> str:
    """A data-quality kite mark as a symbol and word (shape and text, not colour alone)."""
    if quality is None:
        return "– No data"
    return QUALITY_SYMBOLS.get(quality.kite_mark.overall, quality.kite_mark.overall)
