"""The Board pack's HTML from its templates (Jinja2, autoescaped) and its tagged PDF/UA file."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jinja2

from scorecard.reports.pack.inputs import PackData
from scorecard.reports.pack.pages import pack_context

# PDF/UA-1: a tagged PDF (headings, reading order, table headers, alternative text) with the
# document's title and language set and its fonts embedded.
PDF_VARIANT = "pdf/ua-1"


@functools.cache
def templates() -> jinja2.Environment:
    """The pack's templates; every inserted value is escaped, an unknown name is an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scorecard.reports.pack", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(data: PackData) -> str:
    """The pack as one HTML document (one template per kind of page)."""
    return templates().get_template("pack.html.j2").render(pack_context(data))


@dataclass(frozen=True)
class PackPdf:
    """A laid-out pack: the PDF's bytes and how many pages it has."""

    pdf: bytes
    pages: int


def html_to_pdf(html: str) -> PackPdf:
    """A tagged PDF/UA document from the pack's HTML, with nothing fetched from anywhere."""
    import weasyprint

    # The pack refers to nothing outside itself: any URL is refused rather than fetched.
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    document = weasyprint.HTML(string=html, url_fetcher=fetcher).render()
    return PackPdf(bytes(document.write_pdf(pdf_variant=PDF_VARIANT)), len(document.pages))


def pack_pdf(data: PackData) -> PackPdf:
    """Lay the pack out: its PDF and page count."""
    return html_to_pdf(render_html(data))


def render_pack(data: PackData) -> bytes:
    """Lay the pack out and return the PDF's bytes."""
    return pack_pdf(data).pdf
