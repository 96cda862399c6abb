"""Citations of the iCAN documents for people: the document's name and a passage to find."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from scorecard.data.documents import cited_lines, module_source, places
from scorecard.thread.citations import DOCUMENTS, readable
from scorecard.thread.citations_places import PLACES
from scorecard.thread.framework_checks import CITATION


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        pytest.param(
            "004_76ce9cc29bd9e152.txt:1117-1124",
            "iCAN Case for Change and Story Board, version 3.2 (2022), section “Financial benefits "
            "– the ICAN Programme”, at “YR1 (2021/22) £'000 YR2 (2022/23) £'000 YR3 (2023/34)…”",
            id="a-range-in-a-section",
        ),
        pytest.param(
            "004_76ce9cc29bd9e152.txt:2-3",
            "iCAN Case for Change and Story Board, version 3.2 (2022), lines 2–3 of its text",
            id="a-range-whose-place-is-not-known",
        ),
        pytest.param(
            "004_76ce9cc29bd9e152.txt:1098-1107",
            "iCAN Case for Change and Story Board, version 3.2 (2022), section “iCAN outcomes "
            "framework example scorecard”",
            id="a-heading",
        ),
        pytest.param(
            "target (003_3170e59ef2e0f1c1.txt:1682).",
            "target (North Northamptonshire Health and Wellbeing Board papers (6 September 2022), "
            f"at “{PLACES['003_3170e59ef2e0f1c1.txt:1682'][1]}”).",
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


def test_every_line_the_framework_cites_is_shown_as_a_passage_not_a_line_number():
    root = Path(__file__).resolve().parents[2]
    cited = cited_lines(root / "data" / "framework", root / "pages")
    assert len(cited) > 50
    assert {f"{name}:{line}" for name, line in cited} <= set(PLACES)
    for name, line in cited:
        shown = readable(f"{name}:{line}")
        assert "of its text" not in shown
        assert shown.startswith(DOCUMENTS[name])


def test_a_place_is_its_nearest_heading_above_and_the_words_the_line_begins_with():
    texts = {
        "d.txt": [
            "# Title",
            "## **Financial benefits** – the plan",
            "",
            "\t<b>Total</b> Benefits\t2,668\t6,670",
            "",
            "• one two three four five six seven eight nine ten",
        ],
        "n.txt": ["no headings here", "", "second paragraph"],
    }
    found = places(texts, [("d.txt", 4), ("d.txt", 5), ("n.txt", 2), ("n.txt", 9), ("x.txt", 1)])
    assert found == {
        "d.txt:4": ("Financial benefits – the plan", "Total Benefits 2,668 6,670"),
        # a blank cited line is read from the next line with words
        "d.txt:5": ("Financial benefits – the plan", "one two three four five six seven eight…"),
        "n.txt:2": ("", "second paragraph"),
    }


def test_the_places_module_is_the_literal_of_what_was_found(tmp_path):
    cell = '"d.txt:4 and 004_76ce9cc29bd9e152.txt:7-9"'
    (tmp_path / "kpis.csv").write_text(f"code,source\nK,{cell}\n")
    assert cited_lines(tmp_path) == [("004_76ce9cc29bd9e152.txt", 7)]
    found = {"a.txt:1": ('Say "I"', "it’s “quoted”"), "b.txt:2": ("", "plain")}
    tree = ast.parse(module_source(found))
    assign = next(node for node in tree.body if isinstance(node, ast.AnnAssign))
    assert ast.literal_eval(assign.value) == found
