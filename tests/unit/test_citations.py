"""Citations of the iCAN documents written for people: the document's name and its lines."""

from __future__ import annotations

import re

import pytest

from scorecard.citations import DOCUMENTS, readable
from scorecard.framework_checks import CITATION


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param(
            "004_76ce9cc29bd9e152.txt:1098-1107",
            "iCAN Case for Change and Story Board, version 3.2 (2022), lines 1098–1107 of its text",
            id="a-range",
        ),
        pytest.param(
            "target (003_3170e59ef2e0f1c1.txt:1682).",
            "target (North Northamptonshire Health and Wellbeing Board papers (6 September 2022), "
            "line 1682 of its text).",
            id="one-line-in-a-sentence",
        ),
        pytest.param("999_unknown.txt:5", "999_unknown.txt, line 5 of its text", id="unknown-file"),
        pytest.param("no citation here", "no citation here", id="plain-text"),
    ],
)
def test_citations_read_as_documents(text, shown):
    assert readable(text) == shown


def test_every_document_the_framework_cites_has_a_name(framework):
    cited: set[str] = set()
    for kpi in framework.kpis:
        for text in (kpi.source, kpi.target_note):
            cited |= {m.group(0).split(":")[0] for m in CITATION.finditer(text)}
    assert cited
    assert cited <= set(DOCUMENTS)
    for kpi in framework.kpis:
        assert not re.search(r"\.txt:\d", readable(kpi.source)), kpi.code
