"""Golden-thread paths: the documents' three example rows, order, gaps and the unthreaded list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scorecard.thread.domain import Framework, Provenance
from scorecard.thread.framework import load_framework
from scorecard.thread.framework_coverage import Thread, threads, unthreaded

# The "iCAN outcomes framework example scorecard", verbatim
# (004_76ce9cc29bd9e152.txt:1105-1107; 003_3170e59ef2e0f1c1.txt:2367-2369).
EXAMPLE_ROWS = [
    (
        "Stay Well",
        "Opportunity to be fit, well and independent",
        "Prevented avoidable admissions into the acute setting",
        "Reduced escalations to Acute Hospitals",
        "Avoided attendances due to Community Resilience Intervention",
        "I understand and can access alternative options to the Emergency Department",
    ),
    (
        "Stay Well",
        "Access to health and social care when they need it",
        "Reduced avoidable escalations",
        "Reduced ED attendances",
        "Projected additional packages per day to Rapid Response",
        "I understand and can access alternative options to the Emergency Department",
    ),
    (
        "Age Well",
        "Opportunity to be fit, well and independent",
        "People with frailty access the services they need",
        "Reduced escalations to Acute Hospitals",
        "Number of people discussed in GP Reviews",
        "I am involved in my care and understand my condition.",
    ),
]


@pytest.mark.parametrize(
    "row", EXAMPLE_ROWS, ids=["row-1-stay-well", "row-2-stay-well", "row-3-age-well"]
)
def test_example_row_is_reproduced_word_for_word(
    framework: Framework, row: tuple[str, ...]
) -> None:
    matching = [t for t in threads(framework) if t.cells(framework) == row]
    assert len(matching) == 1
    assert matching[0].provenance == Provenance.SEED


def test_seed_threads_use_only_links_the_documents_state(framework: Framework) -> None:
    seed_links = {
        (str(ln.kind), ln.from_code, ln.to_code)
        for ln in framework.links
        if ln.provenance == Provenance.SEED
    }
    seed = [t for t in threads(framework) if t.provenance == Provenance.SEED]
    assert set(EXAMPLE_ROWS) <= {t.cells(framework) for t in seed}
    for t in seed:
        assert ("population_outcome_ambition", t.population_outcome, t.ambition) in seed_links
        assert ("ambition_outcome", t.ambition, f"O{t.outcome}") in seed_links
        assert ("outcome_lead_kpi", f"O{t.outcome}", t.lead_kpi) in seed_links
        assert ("lead_activity_kpi", t.lead_kpi, t.activity_kpi) in seed_links
        assert ("kpi_i_statement", t.activity_kpi, t.i_statement) in seed_links


def test_threads_are_deterministic_and_in_file_order(framework: Framework) -> None:
    first = threads(framework)
    assert first == threads(framework)
    order = [p.code for p in framework.population_outcomes]
    positions = [order.index(t.population_outcome) for t in first]
    assert positions == sorted(positions)


def test_every_kpi_and_i_statement_is_threaded_or_listed(framework: Framework) -> None:
    paths = threads(framework)
    open_ = unthreaded(framework, paths)
    threaded_kpis = {t.lead_kpi for t in paths} | {t.activity_kpi for t in paths}
    assert {k.code for k in framework.kpis} == threaded_kpis - {""} | set(open_.kpis)
    assert not threaded_kpis & set(open_.kpis)
    statements = {t.i_statement for t in paths} - {""}
    assert {s.code for s in framework.i_statements} == statements | set(open_.i_statements)
    assert {"SYS-ATT", "SYS-ADM", "SYS-LOS", "SYS-BEDDAYS", "SYS-CHC"} <= set(open_.kpis)


def test_small_framework_threads(small_framework_dir: Path) -> None:
    fw = load_framework(small_framework_dir)
    ill = Provenance.ILLUSTRATIVE
    # I-statements come from the activity KPI's links, in i_statements.csv order.
    assert threads(fw) == [
        Thread("LIVE_WELL", "H1", 1, "L-CHECK", "A-PHARM", "HS-1", ill),
        Thread("LIVE_WELL", "H1", 2, "L-BP", "A-CLINIC", "HS-2", ill),
        Thread("LIVE_WELL", "H1", 2, "L-BP", "A-CLINIC", "HS-2b", ill),
        Thread("LIVE_WELL", "H1", 3, "L-BP", "A-CLINIC", "HS-2", ill),
        Thread("LIVE_WELL", "H1", 3, "L-BP", "A-CLINIC", "HS-2b", ill),
    ]
    assert unthreaded(fw).kpis == ("K-ADM",)
    assert unthreaded(fw).i_statements == ()


def test_a_lead_kpi_without_activity_kpi_gives_a_short_row(
    small_framework_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "fw"
    shutil.copytree(small_framework_dir, folder)
    links = folder / "links.csv"
    lines = links.read_text(encoding="utf-8").splitlines(keepends=True)
    links.write_text(
        "".join(ln for ln in lines if not ln.startswith("lead_activity_kpi,L-CHECK,")),
        encoding="utf-8",
    )
    fw = load_framework(folder)
    first = threads(fw)[0]
    assert first == Thread("LIVE_WELL", "H1", 1, "L-CHECK", "", "", Provenance.ILLUSTRATIVE)
    assert first.cells(fw)[4:] == ("", "")
    assert "A-PHARM" in unthreaded(fw).kpis
