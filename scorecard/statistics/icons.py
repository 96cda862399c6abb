"""Making Data Count variation and assurance icons as small SVGs of our own, with text labels."""

from __future__ import annotations

import math
from typing import Final

# The Making Data Count palette (ENGINEERING §5) and the NHS identity colours used with it.
MDC_COMMON_CAUSE: Final = "#a6a6a6"
MDC_IMPROVEMENT: Final = "#00b0f0"
MDC_CONCERN: Final = "#e46c0a"
MDC_NEITHER: Final = "#490092"
MDC_TARGET: Final = "#de1b1b"
NHS_TEXT: Final = "#212b32"
NHS_MID_GREY: Final = "#768692"
NHS_DARK_GREY: Final = "#425563"
NHS_BLUE: Final = "#005eb8"

# Colour of each point state of scorecard.statistics.spc_icons (excluded and missing points are
# greyed out).
STATE_COLOURS: Final = {
    "common_cause": MDC_COMMON_CAUSE,
    "improvement": MDC_IMPROVEMENT,
    "concern": MDC_CONCERN,
    "neither": MDC_NEITHER,
    "excluded": NHS_MID_GREY,
    "missing": NHS_MID_GREY,
}

_VARIATION_LABELS: Final = {
    "common_cause": "Common cause – no significant change",
    "improvement_high": "Special cause – improving (high)",
    "improvement_low": "Special cause – improving (low)",
    "concern_high": "Special cause – concerning (high)",
    "concern_low": "Special cause – concerning (low)",
    "neither_high": "Special cause – neither improving nor concerning (high)",
    "neither_low": "Special cause – neither improving nor concerning (low)",
    "none": "No variation icon – not enough data for SPC",
}
_ASSURANCE_LABELS: Final = {
    "pass": "Consistently passing the target",
    "fail": "Consistently failing the target",
    "hit_or_miss": "Hit and miss the target, subject to random variation",
    "none": "No assurance icon – no target, no better direction or too few points",
}
_VARIATION_COLOURS: Final = {
    "common_cause": MDC_COMMON_CAUSE,
    "improvement": MDC_IMPROVEMENT,
    "concern": MDC_CONCERN,
    "neither": MDC_NEITHER,
}
_ASSURANCE_COLOURS: Final = {
    "pass": MDC_IMPROVEMENT,
    "fail": MDC_CONCERN,
    "hit_or_miss": MDC_COMMON_CAUSE,
}
_ASSURANCE_LETTERS: Final = {"pass": "P", "fail": "F", "hit_or_miss": "?"}

# Dot positions (in a 100 × 100 box) of the little process drawn inside a variation icon.
_DOTS_X: Final = (20, 32, 44, 56, 68, 80)
_COMMON_DOTS_Y: Final = (58, 50, 60, 52, 58, 52)
_HIGH_DOTS_Y: Final = (64, 58, 64, 52, 42, 32)
_LOW_DOTS_Y: Final = (36, 42, 36, 48, 58, 68)


def variation_label(variation: str) -> str:
    """The text label of a variation code (CONTRACT §3), e.g. "Special cause – improving (high)".

    Raises:
        ValueError: the code is not one of the contract's variation codes.
    """
    try:
        return _VARIATION_LABELS[variation]
    except KeyError:
        msg = f"unknown variation code {variation!r}"
        raise ValueError(msg) from None


def assurance_label(assurance: str) -> str:
    """The text label of an assurance code (CONTRACT §3), e.g. "Consistently passing the target".

    Raises:
        ValueError: the code is not one of the contract's assurance codes.
    """
    try:
        return _ASSURANCE_LABELS[assurance]
    except KeyError:
        msg = f"unknown assurance code {assurance!r}"
        raise ValueError(msg) from None


def variation_icon_svg(variation: str, size: float = 40) -> str:
    """The variation icon: a ring in the MDC colour, a little process, H or L for the side.

    Common cause is a grey ring with a level run of grey dots; special cause ends the dots
    rising (high) or falling (low) in the state's colour, with the letter H or L; ``none`` is a
    dashed grey ring with a dash. The SVG holds only fixed text (no user input).

    Raises:
        ValueError: unknown code or a size that is not a positive number.
    """
    label = "Variation: " + variation_label(variation)
    if variation == "none":
        return _svg(size, label, _empty_body())
    kind, _, side = variation.rpartition("_") if variation != "common_cause" else ("", "", "")
    colour = _VARIATION_COLOURS[kind or "common_cause"]
    ys = {"high": _HIGH_DOTS_Y, "low": _LOW_DOTS_Y}.get(side, _COMMON_DOTS_Y)
    dot_colours = [MDC_COMMON_CAUSE] * 3 + [colour] * 3 if side else [MDC_COMMON_CAUSE] * 6
    parts = [_ring(colour)]
    path = " ".join(f"{x},{y}" for x, y in zip(_DOTS_X, ys, strict=True))
    parts.append(
        f'<polyline points="{path}" fill="none" stroke="{NHS_MID_GREY}" stroke-width="2"/>'
    )
    parts.extend(
        f'<circle cx="{x}" cy="{y}" r="5" fill="{c}"/>'
        for x, y, c in zip(_DOTS_X, ys, dot_colours, strict=True)
    )
    if side:
        # The letter sits in the corner the dots leave free: below them when they rise.
        letter_y = 38 if side == "low" else 82
        letter = "H" if side == "high" else "L"
        parts.append(_letter(letter, 66, letter_y, 26))
    return _svg(size, label, "".join(parts))


def assurance_icon_svg(assurance: str, size: float = 40) -> str:
    """The assurance icon: a ring in the MDC colour with P (pass), F (fail) or ? (hit or miss).

    A short red line under the letter stands for the target; ``none`` is a dashed grey ring.
    The SVG holds only fixed text (no user input).

    Raises:
        ValueError: unknown code or a size that is not a positive number.
    """
    label = "Assurance: " + assurance_label(assurance)
    if assurance == "none":
        return _svg(size, label, _empty_body())
    colour = _ASSURANCE_COLOURS[assurance]
    body = (
        _ring(colour)
        + _letter(_ASSURANCE_LETTERS[assurance], 50, 62, 44)
        + f'<line x1="26" y1="76" x2="74" y2="76" stroke="{MDC_TARGET}" stroke-width="4" '
        'stroke-dasharray="8 4"/>'
    )
    return _svg(size, label, body)


def _svg(size: float, label: str, body: str) -> str:
    if isinstance(size, bool) or not isinstance(size, int | float) or not math.isfinite(size):
        msg = f"icon size must be a positive number, not {size!r}"
        raise ValueError(msg)
    if size <= 0:
        msg = f"icon size must be a positive number, not {size!r}"
        raise ValueError(msg)
    px = f"{size:g}"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{px}" height="{px}" '
        f'viewBox="0 0 100 100" role="img" aria-label="{label}">'
        f"<title>{label}</title>{body}</svg>"
    )


def _ring(colour: str) -> str:
    return f'<circle cx="50" cy="50" r="45" fill="#ffffff" stroke="{colour}" stroke-width="7"/>'


def _letter(text: str, x: int, y: int, font_size: int) -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="middle" font-family="Arial, sans-serif" '
        f'font-weight="bold" font-size="{font_size}" fill="{NHS_TEXT}">{text}</text>'
    )


def _empty_body() -> str:
    return (
        f'<circle cx="50" cy="50" r="45" fill="#ffffff" stroke="{NHS_MID_GREY}" '
        'stroke-width="5" stroke-dasharray="10 6"/>'
        f'<line x1="35" y1="50" x2="65" y2="50" stroke="{NHS_MID_GREY}" stroke-width="6"/>'
    )
