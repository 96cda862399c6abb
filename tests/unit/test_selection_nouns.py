"""Every URL parameter a shared link may carry has words for the sentence that says it changed."""

from __future__ import annotations

from scorecard.ui.frame import _LINK_NOUNS
from scorecard.ui.selection import PARAM_NAMES


def test_every_parameter_has_a_noun() -> None:
    assert set(PARAM_NAMES) <= set(_LINK_NOUNS)
