"""The "Using the scorecard" guide: the monthly cycle step by step and the icons' key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from scorecard.statistics import icons
from scorecard.ui.display import image_md
from scorecard.ui.frame import Context, page_link
from scorecard.ui.views import md

MONTH_PLACEHOLDER = "YYYY-MM"


@dataclass(frozen=True)
class PageStep:
    """A page of the app where a step is done, and what to look at there."""

    path: str  # relative to app.py, as in scorecard.ui.frame.PAGES
    label: str
    what: str


@dataclass(frozen=True)
class Step:
    """One step of the monthly cycle: who does it, what it is, where and with which command."""

    title: str
    who: str
    what: str
    pages: tuple[PageStep, ...] = ()
    commands: tuple[str, ...] = ()


def monthly_cycle(month: str = "") -> tuple[Step, ...]:
    """The month's cycle, from the data arriving to the Board pack (commands for ``month``)."""
    m = month or MONTH_PLACEHOLDER
    return (
        Step(
            "Load the month's extracts and publications",
            "A data steward (on the command line).",
            "Data owners send the month's figures as extracts: one row per KPI, area and month, "
            "as a CSV or Excel file. NHS England publications are read as they are published. "
            "Each file is checked in full first and loaded whole or not at all: a problem is "
            "named by file, row, column and value, and nothing is written.",
            (
                PageStep(
                    "pages/5_assurance.py",
                    "Assurance",
                    "check the load log, the revised values and the data-quality marks",
                ),
            ),
            (
                "python -m scorecard load FILE.csv --dry-run",
                "python -m scorecard load FILE.csv",
                "python -m scorecard import-nhse discharge-delays FILE.xlsx",
            ),
        ),
        Step(
            "Review the exceptions",
            "KPI owners and whoever prepares the Board's papers.",
            'Choose the month and area at the top of the page. "Exceptions and decisions" '
            "lists the KPIs that need the Board first: decisions asked for, special cause "
            "variation of concern, targets consistently failed, improvements slipping after "
            "their support ended, late or missing data. Open a KPI to see its chart, its facts "
            "and its golden thread.",
            (
                PageStep("app.py", "Scorecard", "exceptions and decisions, then what changed"),
                PageStep("pages/2_kpi.py", "KPI detail", "one KPI's chart and facts"),
            ),
            (f"python -m scorecard scorecard --month {m} --json",),
        ),
        Step(
            "Write commentary and decisions",
            "Each KPI's owner, signed in (or in local mode on their own computer).",
            "On the KPI's page, in the month's commentary: what the chart tells us, the issues, "
            'the actions with an owner and a due date, mitigations and risks; tick "Decision '
            'required from the Board" and say what the Board is asked to decide. Every save '
            "keeps the earlier versions.",
            (
                PageStep("pages/2_kpi.py", "KPI detail", "write the month's commentary"),
                PageStep("pages/7_review.py", "Review", "see which KPIs have commentary"),
            ),
            (),
        ),
        Step(
            "Board sign-off",
            "The iCAN Executive Board (a person with the Executive Board role).",
            "After the meeting, confirm that the Board has reviewed the month, note the meeting "
            "and minute, and sign it off. The month's commentary is then frozen; a figure "
            "revised later is shown as changed since sign-off.",
            (PageStep("pages/7_review.py", "Review", "the sign-off"),),
            (),
        ),
        Step(
            "The Board pack",
            "Whoever prepares the Board's papers.",
            "The month's pack as a PDF, for the meeting's papers and, once signed off, for the "
            "record. The scorecard table is also there as CSV and Excel.",
            (PageStep("pages/7_review.py", "Review", "Board pack (PDF) and downloads"),),
            (f"python -m scorecard pack --month {m} --out board_pack_{m}.pdf",),
        ),
    )


BENEFITS_NOTE = (
    "Alongside the cycle, the Benefits Realisation Group reviews the savings the business case "
    "promised, line by line, and signs off a line's delivered value when its workstream is at a "
    "sustainable target."
)
BENEFITS_PAGE = PageStep("pages/8_benefits.py", "Benefits", "plan, delivered, signed off, cashed")
BENEFITS_COMMAND = "python -m scorecard benefits --month {month}"


@dataclass(frozen=True)
class IconMeaning:
    """One icon of the Making Data Count key: its code, its label and what it means."""

    kind: str  # "variation" or "assurance"
    code: str
    meaning: str

    @property
    def label(self) -> str:
        """The icon's own label, as the app writes it beside the icon."""
        if self.kind == "variation":
            return icons.variation_label(self.code)
        return icons.assurance_label(self.code)

    @property
    def svg(self) -> str:
        """The icon as the app draws it (scorecard.statistics.icons)."""
        if self.kind == "variation":
            return icons.variation_icon_svg(self.code)
        return icons.assurance_icon_svg(self.code)

    @property
    def file_name(self) -> str:
        """The name of its picture in docs/icons/ (used by the README)."""
        return f"{self.kind}_{self.code}.svg"


ICON_KEY: tuple[IconMeaning, ...] = (
    IconMeaning(
        "variation",
        "common_cause",
        "Grey: the latest month is within the normal ups and downs of the process. Nothing "
        "has changed significantly; reacting to a single month would be reacting to noise.",
    ),
    IconMeaning(
        "variation",
        "improvement_high",
        "Blue, H: something has changed for the better, and the KPI is higher (a point beyond "
        "the limits, a run of 7 on one side of the average, a trend of 7, or two of three "
        "points near the limit).",
    ),
    IconMeaning(
        "variation",
        "improvement_low",
        "Blue, L: something has changed for the better, and the KPI is lower (for a KPI "
        "where lower is better).",
    ),
    IconMeaning(
        "variation",
        "concern_high",
        "Orange, H: something has changed for the worse, and the KPI is higher: find out why.",
    ),
    IconMeaning(
        "variation",
        "concern_low",
        "Orange, L: something has changed for the worse, and the KPI is lower: find out why.",
    ),
    IconMeaning(
        "variation",
        "neither_high",
        "Purple, H: a significant rise in a KPI where neither higher nor lower is better.",
    ),
    IconMeaning(
        "variation",
        "neither_low",
        "Purple, L: a significant fall in a KPI where neither higher nor lower is better.",
    ),
    IconMeaning(
        "variation",
        "none",
        "Dashed grey: fewer than 15 months of data, so the chart is a run chart without icons.",
    ),
    IconMeaning(
        "assurance",
        "pass",
        "Blue, P: the target lies outside the process limits on the good side: the process "
        "will meet it month after month unless something changes.",
    ),
    IconMeaning(
        "assurance",
        "fail",
        "Orange, F: the target lies outside the limits on the bad side: the process will miss "
        "it month after month unless it is changed.",
    ),
    IconMeaning(
        "assurance",
        "hit_or_miss",
        "Grey, ?: the target lies within the limits: it will be met in some months and missed "
        "in others by chance alone.",
    ),
    IconMeaning(
        "assurance",
        "none",
        "Dashed grey: no assurance, because the KPI has no target, no better direction or too "
        "few months of data.",
    ),
)


def write_icon_files(folder: Path | None = None) -> list[Path]:
    """Write the key's icons as SVG files for the README (default docs/icons/ in the repository).

    Returns:
        The files written.
    """
    target = folder or Path(__file__).resolve().parents[2] / "docs" / "icons"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for item in ICON_KEY:
        path = target / item.file_name
        path.write_text(item.svg + "\n", encoding="utf-8")
        written.append(path)
    return written


def _image(item: IconMeaning) -> str:
    return image_md(item.svg, item.label)


def _step(ctx: Context, number: int, step: Step) -> None:
    with st.container(border=True, key=f"ican-guide-step-{number}"):
        st.subheader(f"{number}. {step.title}", anchor=False)
        st.markdown(f"**Who:** {md(step.who)}")
        st.markdown(md(step.what))
        for where in step.pages:
            cols = st.columns([1, 3], vertical_alignment="center")
            with cols[0]:
                page_link(ctx, where.path, f"Open {where.label}")
            cols[1].caption(md(where.what))
        if step.commands:
            # Plain text: highlighted tokens fall below the contrast the public sector needs.
            st.code("\n".join(step.commands), language=None)


def _icon_table(kind: str) -> None:
    rows = [
        f"| {_image(item)} | **{md(item.label)}** | {md(item.meaning)} |"
        for item in ICON_KEY
        if item.kind == kind
    ]
    st.markdown("\n".join(["| Icon | Label | What it means |", "|---|---|---|", *rows]))


def guide_page(ctx: Context) -> None:
    """The guide: the monthly cycle with its pages and commands, then the icons' key."""
    with st.container(key="ican-guide"):
        st.markdown(
            "Each month the scorecard goes round the same cycle, from the data arriving to the "
            "Board's sign-off and pack. Each step says who does it, where in the app, and the "
            "command where there is one (commands run in a terminal, in the scorecard's folder)."
        )
        st.header("The monthly cycle", anchor=False)
        for number, step in enumerate(monthly_cycle(ctx.month), start=1):
            _step(ctx, number, step)
        st.markdown(md(BENEFITS_NOTE))
        page_link(ctx, BENEFITS_PAGE.path, f"Open {BENEFITS_PAGE.label}")
        st.code(BENEFITS_COMMAND.format(month=ctx.month or MONTH_PLACEHOLDER), language=None)
        st.header("What the icons mean", anchor=False)
        st.markdown(
            "The icons follow NHS England's Making Data Count. Each KPI's chart shows its "
            "average and process limits, worked out from its own history; the icons say what "
            "the latest month means. Shape and letter carry the meaning as well as colour, and "
            "the label is always written beside or under the icon."
        )
        st.subheader("Variation: is something changing, and is it good or bad?", anchor=False)
        _icon_table("variation")
        st.subheader("Assurance: will the target be met?", anchor=False)
        _icon_table("assurance")
