"""HTML to PDF with WeasyPrint: the documents are Django templates, printed on A4 with a
Chinese font (Noto CJK, from the fonts-noto-cjk package)."""

from functools import cache
from typing import Any

from django.template.loader import render_to_string


@cache
def _weasyprint() -> Any:
    # Imported on first use: loading WeasyPrint (Pango, fontconfig) costs a second that a web
    # process that never prints should not pay at start.
    import weasyprint

    return weasyprint


def render_pdf(template: str, context: dict) -> bytes:
    """The template rendered to a PDF. `<meta>` tags of the template's head land in the PDF's
    metadata, which is where the document's codes are kept for programs to read."""
    weasyprint = _weasyprint()
    html = render_to_string(template, context)
    # Everything a document shows is inline (the QR is a data: URI). Fetching nothing else
    # keeps a stray reference in a template or a value from reading the server's files or
    # network.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher)
    return document.write_pdf(custom_metadata=True)
