"""What each page of the Board pack shows, as plain values for its template (no layout here).

The pages are built in ``pages_front`` (cover, page one, summary), ``pages_progress``
(outcomes, benefits, sustainability, shifts) and ``pages_appendix`` (quality,
reconciliation, methods, back), from the KPI views of ``pages_kpi``.
"""

from __future__ import annotations

from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.pages_appendix import back, methods, quality, reconciliation
from scorecard.reports.pack.pages_front import cover, page_one, summary
from scorecard.reports.pack.pages_progress import benefits, outcomes, shifts, sustainability
from scorecard.reports.pack.theme import month_words


def pack_context(d: PackData) -> dict[str, object]:
    """Everything the templates show, page by page."""
    return {
        "title": f"iCAN Executive Board pack – {month_words(d.month)} – {d.area.name}",
        "subject": "Monthly outcomes-framework scorecard"
        + (" (synthetic demo data)" if d.synthetic else ""),
        "synthetic": d.synthetic,
        "month": month_words(d.month),
        "area": d.area.name,
        "cover": cover(d),
        "page_one": page_one(d),
        "summary": summary(d),
        "outcomes": outcomes(d),
        "benefits": benefits(d),
        "sustainability": sustainability(d),
        "shifts": shifts(d),
        "quality": quality(d),
        "reconciliation": reconciliation(d),
        "methods": methods(d),
        "back": back(d),
    }
