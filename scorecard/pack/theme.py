"""The Board pack's page, colours, fonts and text styles, and how it writes periods."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph

from scorecard import icons, spc
from scorecard.periods import month_long, month_short

PAGE_SIZE = landscape(A4)
MARGIN = 13 * mm
HEADER_HEIGHT = 9 * mm
FOOTER_HEIGHT = 7 * mm

# NHS identity colours (as the app's theme) and the Making Data Count palette (scorecard.icons).
NHS_BLUE = colors.HexColor("#005EB8")
NHS_DARK_BLUE = colors.HexColor("#003087")
NHS_GREY = colors.HexColor("#425563")
NHS_MID_GREY = colors.HexColor(icons.NHS_MID_GREY)
NHS_PALE_GREY = colors.HexColor("#E8EDEE")
NHS_TEXT = colors.HexColor("#212B32")
NHS_WARM_YELLOW = colors.HexColor("#FFB81C")
NHS_ORANGE = colors.HexColor("#ED8B00")
GRID = colors.HexColor("#E8EDEE")
TARGET = colors.HexColor(icons.MDC_TARGET)
WHITE = colors.white

# Point states as the app's chart draws them (scorecard.charts): a colour and a shape each, so
# colour is never the only cue; provisional points are drawn open.
STATE_SHAPES: Mapping[str, str] = {
    spc.COMMON_CAUSE: "circle",
    spc.IMPROVEMENT: "diamond",
    spc.CONCERN: "square",
    spc.NEITHER: "triangle-up",
    spc.EXCLUDED: "x",
}
STATE_NAMES: Mapping[str, str] = {
    spc.COMMON_CAUSE: "Common cause",
    spc.IMPROVEMENT: "Special cause – improvement",
    spc.CONCERN: "Special cause – concern",
    spc.NEITHER: "Special cause – neither improvement nor concern",
    spc.EXCLUDED: "Excluded from calculation",
}

SYNTHETIC_LABEL = "SYNTHETIC DATA – not real NHS or council figures"
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "iCAN",
        "Integrated Care Across Northamptonshire: the NHS and councils' programme for "
        "frail and older people.",
    ),
    ("ICS / ICB / ICP", "Integrated Care System / Board / Partnership."),
    (
        "Golden thread",
        "The chain from ICS population outcome and ICP ambition, through the "
        "iCAN outcome and its lead KPI, to the activity KPI of a brick and the I-statements "
        "residents co-produced.",
    ),
    ("Lead KPI", "The measure that shows whether an iCAN outcome is being delivered."),
    (
        "Activity KPI",
        "A brick's measure of real change on the ground: how much, how well, or "
        "is anyone better off.",
    ),
    ("Brick", "A unit of delivery under a pillar, e.g. Rapid Response or Discharge to Assess."),
    ("I-statement", "What good care means in a resident's own words."),
    (
        "SPC, XmR chart",
        "Statistical process control: an individuals chart with limits from the "
        "average moving range (NHS England 'Making Data Count').",
    ),
    (
        "Mean, process limits",
        "The centre line, and mean ± 2.66 × the average moving range: "
        "nearly every point falls between the limits while nothing changes.",
    ),
    (
        "Special cause",
        "A signal that something has changed: a point beyond a limit, a run of "
        "7 points on one side of the mean, a trend of 7 rising or falling points, or 2 of 3 "
        "points near a limit.",
    ),
    ("Common cause", "The routine variation of a stable process."),
    ("Variation icon", "Is something changing, and is it improvement or concern?"),
    (
        "Assurance icon",
        "Will the process reliably hit the target (pass), miss it (fail), or "
        "sometimes (hit or miss)?",
    ),
    ("Run chart", "Fewer than 15 points: no limits and no icons yet."),
    ("Change point", "A recorded change (e.g. in recording) after which limits are recalculated."),
    ("Provisional", "A value the data owner may still revise."),
    (
        "Suppressed (*)",
        "A count of 1–7 people in an area smaller than the ICB, or a rate built "
        "on one, is not published so that no one can be identified.",
    ),
    (
        "Seed / illustrative",
        "Seed facts are stated in the iCAN documents; illustrative ones "
        "were proposed by the scorecard team where the documents are silent.",
    ),
    ("NCTR", "Patients who no longer meet the criteria to reside in hospital."),
    (
        "P0–P3",
        "Discharge pathways: 0 home without new support, 1 home with support, 2 "
        "bed-based, 3 long-term care.",
    ),
    ("UCR", "Urgent community response (two-hour standard)."),
    ("BRG", "Benefits Realisation Group."),
)

# Characters the standard PDF fonts cannot draw, and what to write instead.
_SUBSTITUTES: Mapping[str, str] = {
    "−": "-",
    "≥": ">=",
    "≤": "<=",
    "σ": "sigma",
    "→": "->",
    "✓": "yes",
    "\u0304": "",
    "\u00a0": " ",
}


@dataclass(frozen=True)
class PackFonts:
    """The font names the pack registered (a TrueType Arial-like family, or Helvetica)."""

    regular: str
    bold: str
    italic: str
    glyphs: frozenset[int] | None  # code points the font draws; None = the standard encoding


# Liberation Sans has Arial's metrics (Debian's fonts-liberation); Helvetica is the fallback.
_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/liberation"),
    Path("/usr/share/fonts/liberation"),
    Path("/usr/share/fonts/truetype/liberation2"),
)


@functools.cache
def pack_fonts() -> PackFonts:
    """Register the pack's fonts once and return their names."""
    for folder in _FONT_DIRS:
        files = {
            style: folder / f"LiberationSans-{style}.ttf"
            for style in ("Regular", "Bold", "Italic", "BoldItalic")
        }
        if not all(path.is_file() for path in files.values()):
            continue
        try:
            faces = {style: TTFont(f"PackSans-{style}", str(p)) for style, p in files.items()}
        except Exception:  # noqa: S112 - a broken font file falls back to Helvetica
            continue
        for face in faces.values():
            pdfmetrics.registerFont(face)
        pdfmetrics.registerFontFamily(
            "PackSans-Regular",
            normal="PackSans-Regular",
            bold="PackSans-Bold",
            italic="PackSans-Italic",
            boldItalic="PackSans-BoldItalic",
        )
        glyphs = frozenset(faces["Regular"].face.charToGlyph.keys())
        return PackFonts("PackSans-Regular", "PackSans-Bold", "PackSans-Italic", glyphs)
    return PackFonts("Helvetica", "Helvetica-Bold", "Helvetica-Oblique", None)


def _drawable(char: str, glyphs: frozenset[int] | None) -> bool:
    if char in "\n\t":
        return True
    if glyphs is not None:
        return ord(char) in glyphs
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def fit_text(text: str) -> str:
    """Text the pack's font can draw: known symbols spelled out, other missing glyphs as "?"."""
    glyphs = pack_fonts().glyphs
    if all(_drawable(c, glyphs) for c in text):
        return text
    out: list[str] = []
    for char in text:
        if _drawable(char, glyphs):
            out.append(char)
        else:
            substitute = _SUBSTITUTES.get(char, "?")
            out.append(substitute if all(_drawable(c, glyphs) for c in substitute) else "?")
    return "".join(out)


def esc(text: object) -> str:
    """People's or the framework's words as Paragraph text: escaped, so markup never runs."""
    return escape(fit_text(str(text))).replace("\n", "<br/>")


@dataclass(frozen=True)
class PackStyles:
    """The pack's paragraph styles, one per kind of text."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    head: ParagraphStyle
    note: ParagraphStyle
    banner: ParagraphStyle


@functools.cache
def pack_styles() -> PackStyles:
    """The pack's paragraph styles (built once)."""
    f = pack_fonts()
    base = ParagraphStyle(
        "base", fontName=f.regular, fontSize=9.5, leading=12.5, textColor=NHS_TEXT
    )
    cell = ParagraphStyle("cell", parent=base, fontSize=8.2, leading=10.2)
    return PackStyles(
        title=ParagraphStyle(
            "title", parent=base, fontName=f.bold, fontSize=26, leading=31, textColor=NHS_DARK_BLUE
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=base, fontSize=14, leading=18, textColor=NHS_GREY
        ),
        h2=ParagraphStyle(
            "h2",
            parent=base,
            fontName=f.bold,
            fontSize=15,
            leading=19,
            textColor=NHS_DARK_BLUE,
            spaceBefore=2,
            spaceAfter=5,
        ),
        h3=ParagraphStyle(
            "h3",
            parent=base,
            fontName=f.bold,
            fontSize=11.5,
            leading=14.5,
            textColor=NHS_DARK_BLUE,
            spaceBefore=6,
            spaceAfter=3,
        ),
        body=base,
        small=ParagraphStyle("small", parent=base, fontSize=8, leading=10, textColor=NHS_GREY),
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=f.bold),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        head=ParagraphStyle(
            "head", parent=cell, fontName=f.bold, textColor=WHITE, fontSize=8.2, leading=10
        ),
        note=ParagraphStyle(
            "note", parent=base, fontSize=8.5, leading=11, textColor=NHS_GREY, spaceBefore=3
        ),
        banner=ParagraphStyle(
            "banner", parent=base, fontName=f.bold, fontSize=10, leading=13, alignment=TA_CENTER
        ),
    )


def para(text: object, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of plain text (escaped)."""
    return Paragraph(esc(text), style or pack_styles().body)


def para_markup(markup: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of markup the pack wrote itself (every inserted value already escaped)."""
    return Paragraph(markup, style or pack_styles().body)


def period_label(period: str | None) -> str:
    """A ``YYYY-MM`` period as "Mar 2025" ("no data" for None)."""
    return month_short(period) if period else "no data"


month_words = month_long


def as_float(value: object) -> float | None:
    """A stored value as a finite float, or None (missing, NaN, or not a number)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None
