"""The Board pack's pages, in order: cover, summary, outcomes, bricks, quality, key, appendix."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pandas as pd
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from scorecard import spc
from scorecard.disclosure import SUPPRESSION_NOTE
from scorecard.domain import Framework, Kpi, LinkKind, Provenance, Tier
from scorecard.numbers import format_value
from scorecard.pack.drawings import (
    assurance_icon,
    assurance_words,
    chart_key,
    spc_drawing,
    variation_icon,
    variation_words,
)
from scorecard.pack.inputs import (
    PackData,
)
from scorecard.pack.theme import (
    FOOTER_HEIGHT,
    GLOSSARY,
    HEADER_HEIGHT,
    MARGIN,
    NHS_BLUE,
    NHS_GREY,
    NHS_ORANGE,
    NHS_PALE_GREY,
    NHS_TEXT,
    NHS_WARM_YELLOW,
    PAGE_SIZE,
    SYNTHETIC_LABEL,
    WHITE,
    as_float,
    esc,
    fit_text,
    month_words,
    pack_fonts,
    pack_styles,
    para,
    para_markup,
    period_label,
)
from scorecard.periods import previous_month
from scorecard.reviews import row_record
from scorecard.scoring import analyse_series, changes_since, hidden_points, rollup
from scorecard.shifts import change_point_advice


def _table(
    data: list[list[Any]],
    widths: Sequence[float],
    *,
    header: bool = True,
    zebra: bool = True,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    table = Table(data, colWidths=list(widths), repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, NHS_PALE_GREY),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), NHS_BLUE), ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
    if zebra:
        start = 1 if header else 0
        for i in range(start, len(data)):
            if (i - start) % 2 == 1:
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#F6F8F8")))
    table.setStyle(TableStyle([*style, *extra]))
    return table


def _icon_cell(drawing: Drawing, words: str, width: float) -> Table:
    s = pack_styles()
    cell = Table(
        [[drawing, para(words, s.cell)]],
        colWidths=[drawing.width + 3, width - drawing.width - 3],
    )
    cell.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return cell


def _lead_codes(fw: Framework, number: int) -> list[str]:
    codes = [*fw.linked(LinkKind.OUTCOME_LEAD_KPI, f"O{number}")]
    codes += fw.linked(LinkKind.OUTCOME_LEAD_KPI, str(number))
    known = {k.code for k in fw.kpis}
    return [c for c in dict.fromkeys(codes) if c in known]


def _marks(kpi: Kpi) -> str:
    return " [illustrative]" if kpi.provenance == Provenance.ILLUSTRATIVE else ""


class _PackBuilder:
    """Lays the pack out as platypus flowables."""

    def __init__(self, data: PackData) -> None:
        self.d = data
        self.s = pack_styles()
        self.width = PAGE_SIZE[0] - 2 * MARGIN
        self.shown = {str(r.get("kpi_code")): r for r in data.shown}
        self.changed = {c.kpi_code for c in data.signoff_changes}
        # Outcome pages draw the data as they are now; the summary shows them as signed off.
        self.now = {r.kpi_code: row_record(r) for r in data.rows}

    # -------------------------------------------------------------- helpers

    def row(self, kpi_code: str) -> dict[str, object] | None:
        return self.shown.get(kpi_code)

    def value_text(self, kpi: Kpi, row: Mapping[str, object] | None) -> str:
        if row is None:
            return "not reported"
        if row.get("period") is None:
            return "no data"
        text = format_value(as_float(row.get("value")), str(kpi.unit), bool(row.get("suppressed")))
        return text + (" (p)" if row.get("provisional") else "")

    def target_text(self, kpi: Kpi, row: Mapping[str, object] | None) -> str:
        if row is None:
            return "–"
        target = as_float(row.get("target"))
        return format_value(target, str(kpi.unit)) if target is not None else "none"

    def icon_cells(
        self, row: Mapping[str, object] | None, size: float, width_v: float, width_a: float
    ) -> list[Flowable | str]:
        """The variation and assurance cells: icon and words, or why there is none."""
        if row is None:
            return [para("Not reported for this area", self.s.small), ""]
        variation = str(row.get("variation", "none"))
        assurance = str(row.get("assurance", "none"))
        return [
            _icon_cell(variation_icon(variation, size), variation_words(variation), width_v),
            _icon_cell(assurance_icon(assurance, size), assurance_words(assurance), width_a),
        ]

    # -------------------------------------------------------------- cover

    def cover(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            Spacer(1, 6 * mm),
            para("iCAN Executive Board pack", s.title),
            para(
                "Integrated Care Across Northamptonshire – the outcomes-framework scorecard",
                s.subtitle,
            ),
            Spacer(1, 6 * mm),
        ]
        if d.signoff is not None:
            state = (
                f"Signed off by {d.signoff.author} on {d.signoff.written_at[:16].replace('T', ' ')}"
                f" UTC (data version {d.signoff.store_identity[:16]} and fingerprint of the "
                f"signed-off figures {d.signoff.rows_hash[:12]}: codes that change whenever the "
                "data or the figures do)."
            )
            if d.signoff.note:
                state += f" Note: {d.signoff.note.rstrip('.')}."
            if d.signoff_changes:
                state += (
                    f" {len(d.signoff_changes)} figure(s) have changed since sign-off: "
                    "see the summary."
                )
            else:
                state += " Nothing has changed since sign-off."
        else:
            state = "Not signed off: a draft for the Executive Board."
        lead_rows = [r for r in d.shown if r.get("tier") == Tier.LEAD.value]
        with_words = sum(1 for r in lead_rows if str(r.get("kpi_code")) in d.commentary)
        facts = [
            ("Month", month_words(d.month)),
            ("Area", f"{d.area.name} ({d.area.code})"),
            (
                "Data as of",
                f"{d.data_as_of} (the latest load). Data version {d.store_identity[:16]}: a code "
                "that changes with every load, to match this pack to the data it was made from.",
            ),
            ("Sign-off", state),
            (
                "Commentary",
                f"{with_words} of {len(lead_rows)} lead KPIs have commentary for this month.",
            ),
            ("Prepared", d.prepared_at),
        ]
        table = _table(
            [[para(k, s.cell_bold), para(v, s.cell)] for k, v in facts],
            [40 * mm, self.width - 40 * mm],
            header=False,
            zebra=False,
            extra=[("BACKGROUND", (0, 0), (0, -1), NHS_PALE_GREY)],
        )
        out += [table, Spacer(1, 5 * mm)]
        if d.synthetic:
            out += [self.synthetic_box(), Spacer(1, 4 * mm)]
        out.append(para("This month at a glance", s.h3))
        out.append(para(lead_sentence(d.shown), s.body))
        changes = changes_since(d.fw, list(d.rows), list(d.previous_rows))
        if changes:
            out.append(para(f"What changed since {month_words(previous_month(d.month))}", s.h3))
            for change in changes[:8]:
                out.append(para_markup("• " + esc(change.sentence), s.body))
            if len(changes) > 8:
                out.append(para(f"… and {len(changes) - 8} more changes.", s.small))
        out.append(para("In this pack", s.h3))
        contents = [
            "Summary: the lead KPIs of the ten iCAN outcomes with their icons",
            "One page per outcome: its lead KPIs' SPC charts and commentary",
            "Activity KPIs by brick",
            "Benefits realisation: the business case's £ line by line",
            "Data quality and coverage",
            "How to read the SPC icons and charts; glossary",
            "Appendix: the outcomes framework scorecard (the golden thread in six columns)",
        ]
        out.append(para_markup("<br/>".join("• " + esc(c) for c in contents), s.body))
        return out

    def synthetic_box(self) -> Table:
        box = Table(
            [
                [
                    para(
                        "Synthetic data. The values in this pack come from the demo store: they "
                        "are made up to show how the scorecard works and are not real NHS or "
                        "council figures.",
                        self.s.banner,
                    )
                ]
            ],
            colWidths=[self.width],
        )
        box.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#FFF4D6")),
                    ("BOX", (0, 0), (-1, -1), 1.2, NHS_ORANGE),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
        return box

    # -------------------------------------------------------------- summary

    def summary(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            PageBreak(),
            para("Summary: lead KPIs of the iCAN outcomes", s.h2),
            para(
                f"{d.area.name}, {month_words(d.month)}. Each lead KPI's latest value at or before "
                "the month, its target, and its Making Data Count icons with their words. "
                + (
                    "Figures as signed off by the Executive Board."
                    if d.signoff is not None
                    else "Not yet signed off."
                ),
                s.note,
            ),
            Spacer(1, 2 * mm),
        ]
        widths = [52 * mm, 54 * mm, 16 * mm, 20 * mm, 16 * mm, 42 * mm, 44 * mm]
        widths.append(self.width - sum(widths))
        head = ["iCAN outcome", "Lead KPI", "Period", "Value", "Target", "Variation", "Assurance"]
        data: list[list[Any]] = [[para(h, s.head) for h in [*head, "Notes"]]]
        for outcome in d.fw.outcomes:
            codes = _lead_codes(d.fw, outcome.number)
            if not codes:
                data.append(
                    [
                        para(f"{outcome.number}. {outcome.wording}", s.cell),
                        para("No lead KPI linked yet", s.cell),
                        *[""] * 6,
                    ]
                )
                continue
            for n, code in enumerate(codes):
                kpi = d.fw.kpi(code)
                row = self.row(code)
                notes: list[str] = []
                if kpi.provenance == Provenance.ILLUSTRATIVE:
                    notes.append("illustrative KPI")
                if row is not None and row.get("suppressed"):
                    notes.append("* small number")
                if code in self.changed:
                    notes.append("changed since sign-off")
                if code in d.commentary:
                    notes.append("commentary")
                data.append(
                    [
                        para(f"{outcome.number}. {outcome.wording}", s.cell) if n == 0 else "",
                        para(kpi.name, s.cell_bold),
                        para(period_label(str(row.get("period") or "")) if row else "–", s.cell),
                        para(self.value_text(kpi, row), s.cell_right),
                        para(self.target_text(kpi, row), s.cell_right),
                        *self.icon_cells(row, 16, widths[5] - 7, widths[6] - 7),
                        para(", ".join(notes), s.cell),
                    ]
                )
        out.append(_table(data, widths))
        out.append(
            para(
                "(p) provisional value. " + SUPPRESSION_NOTE + " Words beside each icon say "
                "what it shows; see 'How to read the SPC icons' at the end of the pack.",
                s.note,
            )
        )
        if d.signoff is not None and d.signoff_changes:
            out.append(CondPageBreak(40 * mm))
            out.append(para("Changed since sign-off", s.h3))
            out.append(
                para(
                    "The figures above are as signed off. These have changed since, after later "
                    "loads or revisions:",
                    s.note,
                )
            )
            for change in d.signoff_changes[:40]:
                out.append(para_markup("• " + esc(change.sentence), s.small))
        return out

    # -------------------------------------------------------------- outcome pages

    def outcome_pages(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = []
        pillars = {p.code: p for p in d.fw.pillars}
        counts = rollup(d.fw, list(d.rows))
        for outcome in d.fw.outcomes:
            out.append(PageBreak())
            out.append(para(f"Outcome {outcome.number}: {outcome.wording}", s.h2))
            pillar = pillars.get(outcome.pillar_code)
            node = counts.node("outcome", outcome.code)
            line = f"Owned by {pillar.name if pillar else outcome.pillar_code}. {node.summary}"
            out.append(para(line, s.note))
            codes = _lead_codes(d.fw, outcome.number)
            if not codes:
                out.append(para("No lead KPI is linked to this outcome yet.", s.body))
            for code in codes:
                out += self.kpi_block(d.fw.kpi(code))
        return out

    def kpi_block(self, kpi: Kpi) -> list[Flowable]:
        d, s = self.d, self.s
        row = self.now.get(kpi.code)
        title = para_markup(
            f"{esc(kpi.name)} <font size=8 color='#425563'>({esc(kpi.code)}"
            f"{esc(_marks(kpi))})</font>",
            s.h3,
        )
        series = d.series.get((kpi.code, d.area.code))
        if series is None or row is None:
            return [title, para(f"{kpi.name} is not reported for {d.area.name}.", s.body)]
        result = analyse_series(kpi, series)
        notes = [a for a in d.annotations.get(kpi.code, ()) if not a.change_point]
        index_of = {p: i for i, p in enumerate(series.periods)}
        markers = [
            (index_of[a.period], str(n))
            for n, a in enumerate(notes, start=1)
            if a.period in index_of
        ]
        reasons = dict(zip(series.change_points, series.change_reasons, strict=False))
        hidden = hidden_points(kpi, d.area, series)
        chart = spc_drawing(
            series.periods,
            result,
            unit=str(kpi.unit),
            targets=series.targets,
            hidden=hidden,
            change_reasons=reasons,
            notes=markers,
        )
        variation = str(row.get("variation", "none"))
        assurance = str(row.get("assurance", "none"))
        side_width = self.width - chart.width - 4 * mm
        facts: list[list[Any]] = [
            [para("Latest", s.cell_bold), para(self.value_text(kpi, row), s.cell)],
            [para("Period", s.cell_bold), para(period_label(str(row.get("period") or "")), s.cell)],
            [para("Target", s.cell_bold), para(self.target_text(kpi, row), s.cell)],
            [para("Points", s.cell_bold), para(str(row.get("n_points", 0)), s.cell)],
        ]
        side: list[list[Any]] = [
            [_table(facts, [16 * mm, side_width - 16 * mm], header=False, zebra=False)],
            [_icon_cell(variation_icon(variation, 22), variation_words(variation), side_width)],
            [para(result.variation_text(), s.small)],
            [_icon_cell(assurance_icon(assurance, 22), assurance_words(assurance), side_width)],
            [para(result.assurance_text(), s.small)],
            [para(f"Owner: {kpi.owner_role}. Source: {kpi.data_source}.", s.small)],
        ]
        if int(hidden.sum()):
            side.append(
                [para(f"{int(hidden.sum())} point(s) not drawn: {SUPPRESSION_NOTE}", s.small)]
            )
        signed = self.row(kpi.code)
        if kpi.code in self.changed and signed is not None:
            was = (
                f"Changed since sign-off. As signed off: {self.value_text(kpi, signed)}; "
                f"{variation_words(str(signed.get('variation')))}; "
                f"{assurance_words(str(signed.get('assurance')))}."
            )
            side.append([para(was, s.cell_bold)])
        side_table = Table(side, colWidths=[side_width])
        side_table.setStyle(
            TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        body = Table([[chart, side_table]], colWidths=[chart.width + 4 * mm, side_width])
        body.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        block: list[Flowable] = [title, body]
        if notes:
            listed = "   ".join(
                f"<b>{n}</b> {esc(period_label(a.period))}: {esc(a.label)}"
                for n, a in enumerate(notes, start=1)
            )
            block.append(para_markup(listed, s.small))
        out: list[Flowable] = [KeepTogether(block)]
        out.append(self.commentary_table(kpi))
        out.append(Spacer(1, 3 * mm))
        return out

    def commentary_table(self, kpi: Kpi) -> Flowable:
        s = self.s
        words = self.d.commentary.get(kpi.code)
        if words is None:
            return para(f"No commentary has been written for {month_words(self.d.month)}.", s.note)
        actions = [
            "• "
            + esc(a.text)
            + (
                f" <font color='#425563'>({esc(a.owner or 'no owner')}"
                + (f", due {esc(a.due)}" if a.due else "")
                + ")</font>"
            )
            for a in words.actions
        ]
        rows = [
            ("What the chart tells us", para(words.chart_says or "–", s.cell)),
            ("Issues", para(words.issues or "–", s.cell)),
            ("Actions", para_markup("<br/>".join(actions) or "–", s.cell)),
            ("Mitigations and risks", para(words.mitigations or "–", s.cell)),
        ]
        frozen = " (as signed off)" if self.d.signoff is not None else ""
        by = (
            f"Commentary by {words.author}, {words.written_at[:16].replace('T', ' ')} UTC, "
            f"version {words.version}{frozen}"
        )
        data = [[para(by, s.head), ""]] + [[para(k, s.cell_bold), v] for k, v in rows]
        return _table(
            data,
            [42 * mm, self.width - 42 * mm],
            zebra=False,
            extra=[
                ("SPAN", (0, 0), (-1, 0)),
                ("BACKGROUND", (0, 0), (-1, 0), NHS_GREY),
                ("BACKGROUND", (0, 1), (0, -1), NHS_PALE_GREY),
                ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ],
        )

    # -------------------------------------------------------------- activity KPIs

    def activity(self) -> list[Flowable]:
        d, s = self.d, self.s
        out: list[Flowable] = [
            PageBreak(),
            para("Activity KPIs by brick", s.h2),
            para(
                f"{d.area.name}, {month_words(d.month)}. Each brick's activity KPIs: how much was "
                "done, how well, and is anyone better off. Bricks are grouped by pillar; the "
                "brick slide is garbled, so each brick carries how sure its name is (H/M/L).",
                s.note,
            ),
        ]
        widths = [46 * mm, 60 * mm, 17 * mm, 16 * mm, 19 * mm, 16 * mm, 43 * mm]
        widths.append(self.width - sum(widths))
        head = ["Brick", "Activity KPI", "Measures", "Period", "Value", "Target", "Variation"]
        results = {"how_much": "how much", "how_well": "how well", "better_off": "better off"}
        for pillar in d.fw.pillars:
            bricks = [b for b in d.fw.bricks if b.pillar_code == pillar.code]
            if not bricks:
                continue
            data: list[list[Any]] = [[para(h, s.head) for h in [*head, "Assurance"]]]
            for brick in bricks:
                codes = list(d.fw.linked(LinkKind.BRICK_ACTIVITY_KPI, brick.code))
                label = f"{brick.name} ({brick.confidence})"
                if not codes:
                    data.append(
                        [para(label, s.cell), para("No activity KPI yet", s.cell), *[""] * 6]
                    )
                    continue
                for n, code in enumerate(codes):
                    try:
                        kpi = d.fw.kpi(code)
                    except KeyError:
                        continue
                    row = self.row(code)
                    data.append(
                        [
                            para(label, s.cell) if n == 0 else "",
                            para(kpi.name + _marks(kpi), s.cell),
                            para(results.get(str(kpi.result_type or ""), "–"), s.cell),
                            para(
                                period_label(str(row.get("period") or "")) if row else "–", s.cell
                            ),
                            para(self.value_text(kpi, row), s.cell_right),
                            para(self.target_text(kpi, row), s.cell_right),
                            *self.icon_cells(row, 13, widths[6] - 7, widths[7] - 7),
                        ]
                    )
            out.append(CondPageBreak(35 * mm))
            out.append(para(f"{pillar.name}", s.h3))
            out.append(_table(data, widths))
        return out

    # -------------------------------------------------------------- benefits realisation

    def benefits(self) -> list[Flowable]:
        from scorecard.benefits import CARRY_ON_NOTE, TOLERANCE

        d, s = self.d, self.s
        position = d.benefits
        if position is None:
            return []
        marks = " Values are synthetic (demo store)." if position.synthetic else ""
        out: list[Flowable] = [
            PageBreak(),
            para("Benefits realisation", s.h2),
            para(
                f"NHS Northamptonshire ICB, April 2021 to {month_words(d.month)}, £'000. Four "
                "amounts are kept apart: planned (the business case's benefits table spread "
                "over months), delivered (calculated from the operational KPIs by the "
                "attribution rule), signed off by the Benefits Realisation Group, and cashed. "
                f"On plan means within ±{TOLERANCE:.0%} of the plan for the months measured "
                f"(illustrative).{marks}",
                s.note,
            ),
        ]
        widths = [70 * mm, 20 * mm, 20 * mm, 20 * mm, 17 * mm, 25 * mm]
        widths.append(self.width - sum(widths))
        head = ["Benefit line", "Planned", "Delivered", "Signed off", "Cashed", "Status"]
        data: list[list[Any]] = [[para(h, s.head) for h in [*head, "Driving KPIs"]]]

        def k(x: float | None) -> str:
            return "–" if x is None else f"{x:,.0f}"

        for line in position.lines:
            data.append(
                [
                    para(line.name, s.cell),
                    para(k(line.planned_to_date_k), s.cell_right),
                    para(k(line.delivered_to_date_k), s.cell_right),
                    para(k(line.signed_off_k), s.cell_right),
                    para(k(line.cashed_k), s.cell_right),
                    para(line.status_words, s.cell),
                    para(", ".join(line.kpi_codes + line.system_kpi_codes), s.cell),
                ]
            )
        t = position.totals
        data.append(
            [
                para("Total", s.cell_bold),
                para(k(t.planned_to_date_k), s.cell_right),
                para(k(t.delivered_to_date_k), s.cell_right),
                para(k(t.signed_off_k), s.cell_right),
                para(k(t.cashed_k), s.cell_right),
                "",
                "",
            ]
        )
        out.append(_table(data, widths))
        out.append(Spacer(1, 3 * mm))
        net = "ahead of" if t.net_to_date_k >= 0 else "behind"
        sign = "" if t.net_to_date_k >= 0 else "−"
        out.append(
            para(
                f"Costs to date £{t.cost_to_date_k:,.0f}k (the business case's costs table); "
                f"net position {sign}£{abs(t.net_to_date_k):,.0f}k: delivered benefits are "
                f"{net} costs.",
                s.body,
            )
        )
        if t.lines_not_shown:
            out.append(
                para(
                    "Not in the delivered total (no number shown): " + ", ".join(t.lines_not_shown),
                    s.body,
                )
            )
        out.append(para("Each line this month", s.h3))
        for line in position.lines:
            said = line.attribution.sentence if line.attribution is not None else ""
            out.append(para(f"{line.name}: {line.status_sentence} {said}", s.small))
            if line.illustrative:
                out.append(para(f"   {line.illustrative}", s.small))
        out.append(para(CARRY_ON_NOTE[:1].upper() + CARRY_ON_NOTE[1:] + ".", s.small))
        return out

    # -------------------------------------------------------------- quality and coverage

    def quality(self) -> list[Flowable]:
        from scorecard.framework import coverage
        from scorecard.quality import DIMENSION_LABELS, DIMENSIONS

        d, s = self.d, self.s
        out: list[Flowable] = [
            PageBreak(),
            para("Data quality and coverage", s.h2),
            para(
                f"A kite mark per KPI for {d.area.name} up to {month_words(d.month)}: good, "
                "attention or poor on each dimension.",
                s.note,
            ),
        ]
        first = 70 * mm
        rest = (self.width - first - 22 * mm - 20 * mm) / len(DIMENSIONS)
        widths = [first, 22 * mm, 20 * mm, *([rest] * len(DIMENSIONS))]
        head = ["KPI", "Latest period", "Overall", *[DIMENSION_LABELS[x] for x in DIMENSIONS]]
        data: list[list[Any]] = [[para(h, s.head) for h in head]]
        shade = {"good": "#E6F4EA", "attention": "#FFF4D6", "poor": "#FBE3D6"}
        extra: list[tuple[Any, ...]] = []
        for r, item in enumerate(d.quality, start=1):
            ratings = [item.kite_mark.mark(x).rating for x in DIMENSIONS]
            data.append(
                [
                    para(f"{item.kpi_name} ({item.kpi_code})", s.cell),
                    para(period_label(item.reference_period), s.cell),
                    para(item.kite_mark.overall, s.cell_bold),
                    *[para(x, s.cell) for x in ratings],
                ]
            )
            for c, rating in enumerate([item.kite_mark.overall, *ratings], start=2):
                extra.append(
                    ("BACKGROUND", (c, r), (c, r), colors.HexColor(shade.get(rating, "#FFFFFF")))
                )
        out.append(_table(data, widths, zebra=False, extra=extra))
        out += self.reconciliation()
        cov = coverage(d.fw)
        suppressed = sum(1 for r in d.shown if r.get("suppressed"))
        provisional = sum(1 for r in d.shown if r.get("provisional"))
        lines = [
            f"Outcomes without a lead KPI: {_listed(cov.outcomes_without_lead_kpi)}.",
            f"Bricks without an activity KPI: {_listed(cov.bricks_without_activity_kpi)}.",
            f"KPIs without an I-statement: {_listed(cov.kpis_without_i_statement)}.",
            f"I-statements no KPI evidences yet: {_listed(cov.i_statements_without_kpi)}.",
            f"Placeholders the programme still has to name: {_listed(cov.placeholders)}.",
            "Proposed by the team (illustrative), not stated in the iCAN documents: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in cov.illustrative.items() if v)
            + ".",
            f"Provisional values this month: {provisional}. Suppressed values this month: "
            f"{suppressed}.",
            SUPPRESSION_NOTE,
        ]
        out.append(CondPageBreak(50 * mm))
        out.append(para("Coverage of the golden thread", s.h3))
        out.append(para_markup("<br/>".join("• " + esc(x) for x in lines), s.body))
        return out

    def reconciliation(self) -> list[Flowable]:
        """Do the areas add up? Each declared KPI's parts against this area's value."""
        d, s = self.d, self.s
        found = [r for r in d.rows if r.reconciliation is not None]
        if not found:
            return []
        lines: list[str] = []
        for row in found:
            rec = row.reconciliation or {}
            status = rec.get("status")
            diff = rec.get("difference")
            parts = (
                f"{rec.get('parts_reporting')} of {rec.get('parts_expected')} {rec.get('parts')}"
            )
            if status == "agrees":
                said = f"the {parts} areas add up ({format_value(row.value, row.unit)})"
            elif status == "differs" and isinstance(diff, float | int):
                total = format_value(_num(rec.get("parts_sum")), row.unit)
                whole = format_value(_num(rec.get("whole")), row.unit)
                said = (
                    f"the {parts} areas add up to {total}, a difference of "
                    f"{format_value(float(diff), row.unit)} from {whole}"
                )
            else:
                said = f"cannot be checked: only {parts} areas have a value"
            lines.append(f"{row.kpi_name} ({row.kpi_code}), {period_label(row.period)}: {said}.")
        agree = sum(1 for r in found if (r.reconciliation or {}).get("status") == "agrees")
        return [
            CondPageBreak(40 * mm),
            para("Do the areas add up?", s.h3),
            para(
                f"{agree} of {len(found)} KPIs the framework declares additive add up for "
                f"{d.area.name}: the sum of its parts against its own value.",
                s.note,
            ),
            para_markup("<br/>".join("• " + esc(x) for x in lines), s.small),
        ]

    # -------------------------------------------------------------- key and glossary

    def key(self) -> list[Flowable]:
        s = self.s
        out: list[Flowable] = [PageBreak(), para("How to read the SPC icons", s.h2)]
        out.append(
            para(
                "Each KPI is drawn as an XmR chart (NHS England 'Making Data Count'). Two icons "
                "summarise it: variation (is something changing, and is it good or bad?) and "
                "assurance (will the process hit its target?). Every icon comes with words; "
                "the letters H and L say whether the latest point is higher or lower than "
                "expected.",
                s.note,
            )
        )
        half = (self.width - 6 * mm) / 2
        meaning = {
            "common_cause": "No significant change: the latest point is routine variation.",
            "improvement_high": "Special cause: higher values, and higher is better.",
            "improvement_low": "Special cause: lower values, and lower is better.",
            "concern_high": "Special cause: higher values, and lower is better.",
            "concern_low": "Special cause: lower values, and higher is better.",
            "neither_high": "Special cause upwards in a KPI with no better direction.",
            "neither_low": "Special cause downwards in a KPI with no better direction.",
            "none": "Fewer than 15 points: a run chart, no icon yet.",
        }
        left: list[list[Any]] = [[para("Variation icon", s.head), "", para("Meaning", s.head)]]
        for code in spc.VARIATIONS:
            left.append(
                [
                    variation_icon(code, 20),
                    para(variation_words(code), s.cell_bold),
                    para(meaning[code], s.cell),
                ]
            )
        mean_a = {
            "pass": "The target lies outside the process limits on the good side: it will be met "
            "consistently.",
            "fail": "The target lies outside the process limits on the bad side: it will be "
            "missed unless something changes.",
            "hit_or_miss": "The target lies between the process limits: it will sometimes be met.",
            "none": "No target, no better direction, or too few points.",
        }
        right: list[list[Any]] = [[para("Assurance icon", s.head), "", para("Meaning", s.head)]]
        for code in spc.ASSURANCES:
            right.append(
                [
                    assurance_icon(code, 20),
                    para(assurance_words(code), s.cell_bold),
                    para(mean_a[code], s.cell),
                ]
            )
        span = [("SPAN", (0, 0), (1, 0))]
        both = Table(
            [
                [
                    _table(left, [10 * mm, 48 * mm, half - 58 * mm], zebra=False, extra=span),
                    _table(right, [10 * mm, 48 * mm, half - 58 * mm], zebra=False, extra=span),
                ]
            ],
            colWidths=[half + 3 * mm, half + 3 * mm],
        )
        both.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        out += [both, Spacer(1, 5 * mm), para("The charts", s.h3), chart_key()]
        out.append(
            para(
                "Limits are mean ± 2.66 × the average moving range of the points since the "
                "last change point. Special cause: a point beyond a limit; 7 points in a row "
                "on one side of the mean; 7 points in a row rising or falling; 2 of 3 points "
                "beyond two-thirds of the way to a limit. Suppressed small numbers are not "
                "drawn.",
                s.note,
            )
        )
        return out

    def glossary(self) -> list[Flowable]:
        s = self.s
        data: list[list[Any]] = [[para("Term", s.head), para("Meaning", s.head)]]
        data += [[para(term, s.cell_bold), para(text, s.cell)] for term, text in GLOSSARY]
        return [
            CondPageBreak(80 * mm),
            para("Glossary", s.h2),
            _table(data, [45 * mm, self.width - 45 * mm]),
        ]

    # -------------------------------------------------------------- appendix

    def appendix(self) -> list[Flowable]:
        from scorecard.framework_table import (
            ACTIVITY_KPI,
            LEAD_KPI,
            PROVENANCE_COLUMNS,
            SIX_COLUMNS,
            framework_table,
            grouped,
            not_yet_linked,
        )

        d, s = self.d, self.s
        table = framework_table(d.fw, list(d.rows), d.month, d.area.code)
        shown = grouped(table)
        out: list[Flowable] = [
            PageBreak(),
            para("Appendix: the iCAN outcomes framework scorecard", s.h2),
            para(
                "The golden thread in the six columns of the iCAN documents' example scorecard, "
                f"one row per path, with {d.area.name}'s latest figures for {month_words(d.month)} "
                "under each KPI. [illustrative] marks entries the team proposed where the "
                "documents are silent; [placeholder] marks names the programme has still to give.",
                s.note,
            ),
        ]
        widths = [30 * mm, 40 * mm, 42 * mm, 52 * mm, 56 * mm]
        widths.append(self.width - sum(widths))
        data: list[list[Any]] = [[para(h, s.head) for h in SIX_COLUMNS]]
        repeated = ParagraphStyle("repeated", parent=s.cell, textColor=colors.HexColor("#AEB7BD"))
        for i in range(len(table)):
            cells: list[Any] = []
            for column in SIX_COLUMNS:
                text = str(table.iloc[i][column] or "")
                if not text:
                    cells.append("")
                    continue
                # A cell repeating the one above (as the documents' slide groups them) is
                # greyed rather than blanked, so a row carried onto a new page still reads.
                if not str(shown.iloc[i][column] or ""):
                    cells.append(Paragraph(esc(text), repeated))
                    continue
                mark = str(table.iloc[i][PROVENANCE_COLUMNS[column]] or "")
                markup = esc(text)
                if mark in ("illustrative", "placeholder"):
                    markup += f" <font size=6.5 color='#425563'>[{esc(mark)}]</font>"
                if column in (LEAD_KPI, ACTIVITY_KPI):
                    prefix = "Lead KPI" if column == LEAD_KPI else "Activity KPI"
                    markup += "<br/>" + self.figure_markup(table.iloc[i], prefix)
                cells.append(Paragraph(markup, s.cell))
            data.append(cells)
        out.append(_table(data, widths, extra=[("VALIGN", (0, 1), (-1, -1), "TOP")]))
        missing = not_yet_linked(d.fw)
        if not missing.empty:
            out.append(CondPageBreak(40 * mm))
            out.append(para("Not yet linked", s.h3))
            out.append(
                para(
                    "KPIs and I-statements that no six-column path passes through yet, and why.",
                    s.note,
                )
            )
            rows: list[list[Any]] = [[para(h, s.head) for h in ("Kind", "Code", "Name", "Why")]]
            for rec in missing.to_dict("records"):
                rows.append(
                    [
                        para(rec["Kind"], s.cell),
                        para(rec["Code"], s.cell),
                        para(rec["Name"], s.cell),
                        para(rec["Why"], s.cell),
                    ]
                )
            out.append(_table(rows, [24 * mm, 32 * mm, 110 * mm, self.width - 166 * mm]))
        return out

    def figure_markup(self, record: pd.Series, prefix: str) -> str:
        period = str(record.get(f"{prefix} period") or "")
        if not period:
            status = str(record.get(f"{prefix} variation") or "")
            return f"<font size=7 color='#425563'>{esc(status)}</font>" if status else ""
        code = str(record.get(f"{prefix} code") or "")
        kpi = self.d.fw.kpi(code) if code else None
        row = self.row(code) if code else None
        value = self.value_text(kpi, row) if kpi is not None else str(record.get(f"{prefix} value"))
        variation = str(row.get("variation", "none")) if row else "none"
        assurance = str(row.get("assurance", "none")) if row else "none"
        text = (
            f"{value} ({period_label(period)}) · {variation_words(variation)} · "
            f"{assurance_words(assurance)}"
        )
        return f"<font size=7 color='#425563'>{esc(text)}</font>"

    # -------------------------------------------------------------- all

    def sustainability(self) -> list[Flowable]:
        """Is it holding? Declared improvements whose support has ended, by verdict."""
        d, s = self.d, self.s
        headings = (("holding", "Holding"), ("slipping", "Slipping"), ("lost", "Lost"))
        by_status = {
            status: [r for r in d.rows if r.sustainability == status] for status, _ in headings
        }
        if not any(by_status.values()):
            return []
        counts = ", ".join(f"{len(by_status[k])} {k}" for k, _ in headings)
        out: list[Flowable] = [
            Spacer(1, 4 * mm),
            para("Is it holding? Improvements after support ended", s.h2),
            para(
                f"{d.area.name}, {month_words(d.month)}: {counts}. For each improvement declared "
                "in the framework's SPC events whose support has ended, judged against the "
                "improved process's limits (fixed on its first 12 points) and the mean before "
                "the improvement.",
                s.note,
            ),
        ]
        for status, heading in headings:
            for row in by_status[status]:
                out.append(
                    para(f"{heading}: {row.kpi_name} ({row.kpi_code}). {row.sustainability_text}")
                )
        return out

    def shifts(self) -> list[Flowable]:
        """Sustained shifts the limits do not describe yet: the change points to record."""
        d, s = self.d, self.s
        found = [r for r in d.rows if r.suggested_change_point]
        if not found:
            return []
        out: list[Flowable] = [
            Spacer(1, 4 * mm),
            para("Assurance not reliable: sustained shifts to record", s.h2),
            para(
                f"{d.area.name}, {month_words(d.month)}: {len(found)} KPI(s) show a run or trend "
                "that reaches the latest month against limits worked out before it began. "
                "Making Data Count recalculates the limits at a sustained, understood shift, "
                "by an analyst's decision; the scorecard never does it by itself.",
                s.note,
            ),
        ]
        for row in found:
            period = str(row.suggested_change_point)
            out.append(
                para(
                    f"{row.kpi_name} ({row.kpi_code}): "
                    + change_point_advice(row.kpi_code, row.area_code, period)
                )
            )
        return out

    def story(self) -> list[Flowable]:
        return [
            *self.cover(),
            *self.summary(),
            *self.sustainability(),
            *self.shifts(),
            *self.outcome_pages(),
            *self.activity(),
            *self.benefits(),
            *self.quality(),
            *self.key(),
            *self.glossary(),
            *self.appendix(),
        ]


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, float | int) else None


def _listed(items: Iterable[object]) -> str:
    values = [str(x) for x in items]
    return ", ".join(values) if values else "none"


def lead_sentence(rows: Sequence[Mapping[str, object]]) -> str:
    """One line on the lead KPIs' variation and assurance icons (counts, never averages)."""
    lead = [r for r in rows if r.get("tier") == Tier.LEAD.value]
    variation = [str(r.get("variation", "none")) for r in lead]
    assurance = [str(r.get("assurance", "none")) for r in lead]

    def count(prefix: str) -> int:
        return sum(1 for v in variation if v.startswith(prefix))

    parts = [
        f"Of {len(lead)} lead KPIs, {count('improvement')} show special cause improvement",
        f"{count('concern')} show special cause concern",
        f"{count('common_cause')} show common cause variation only",
    ]
    if count("neither"):
        parts.append(f"{count('neither')} show special causes in measures with no better side")
    if count("none"):
        parts.append(f"{count('none')} have too few points or no data for SPC")
    parts.append(
        f"against their targets, {assurance.count('pass')} will consistently pass, "
        f"{assurance.count('fail')} will consistently fail and "
        f"{assurance.count('hit_or_miss')} will hit or miss"
    )
    return "; ".join(parts) + "."


def _numbered_canvas(decorate: Callable[[pdfcanvas.Canvas, int, int], None]) -> type:
    """A canvas class that draws each page's header and footer once the page count is known."""

    class NumberedCanvas(pdfcanvas.Canvas):  # type: ignore[misc]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                decorate(self, number, total)
                super().showPage()
            super().save()

    return NumberedCanvas


def _decorator(data: PackData) -> Callable[[pdfcanvas.Canvas, int, int], None]:
    fonts = pack_fonts()
    width, height = PAGE_SIZE
    left_text = fit_text(
        f"iCAN Scorecard · Executive Board pack · {month_words(data.month)} · {data.area.name}"
    )
    state = "signed off" if data.signoff is not None else "draft, not signed off"

    def decorate(c: pdfcanvas.Canvas, number: int, total: int) -> None:
        c.saveState()
        c.setFillColor(NHS_BLUE)
        c.rect(0, height - HEADER_HEIGHT - 3 * mm, width, HEADER_HEIGHT + 3 * mm, stroke=0, fill=1)
        c.setFillColor(WHITE)
        c.setFont(fonts.bold, 9.5)
        c.drawString(MARGIN, height - HEADER_HEIGHT + 0.5 * mm, left_text)
        if data.synthetic:
            label = SYNTHETIC_LABEL
            c.setFont(fonts.bold, 8.5)
            text_width = c.stringWidth(label, fonts.bold, 8.5)
            c.setFillColor(NHS_WARM_YELLOW)
            c.roundRect(
                width - MARGIN - text_width - 6 * mm,
                height - HEADER_HEIGHT - 1 * mm,
                text_width + 6 * mm,
                6.2 * mm,
                3,
                stroke=0,
                fill=1,
            )
            c.setFillColor(NHS_TEXT)
            c.drawRightString(width - MARGIN - 3 * mm, height - HEADER_HEIGHT + 0.8 * mm, label)
        c.setStrokeColor(NHS_PALE_GREY)
        c.line(MARGIN, FOOTER_HEIGHT + 4 * mm, width - MARGIN, FOOTER_HEIGHT + 4 * mm)
        c.setFillColor(NHS_GREY)
        c.setFont(fonts.regular, 7.5)
        footer = f"{month_words(data.month)} · {data.area.name} · {state}"
        if data.synthetic:
            footer = "Synthetic data: not real figures · " + footer
        c.drawString(MARGIN, FOOTER_HEIGHT, fit_text(footer))
        c.drawRightString(width - MARGIN, FOOTER_HEIGHT, f"Page {number} of {total}")
        c.restoreState()

    return decorate


def render_pack(data: PackData) -> bytes:
    """Lay the pack out and return the PDF's bytes."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=f"iCAN Executive Board pack – {month_words(data.month)} – {data.area.name}",
        author="iCAN Scorecard",
        subject="Monthly outcomes-framework scorecard"
        + (" (synthetic demo data)" if data.synthetic else ""),
        creator="iCAN Scorecard (reportlab)",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(_PackBuilder(data).story(), canvasmaker=_numbered_canvas(_decorator(data)))
    return buffer.getvalue()
