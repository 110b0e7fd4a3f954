"""HTML to PDF with WeasyPrint: the documents are Django templates, printed on A4 with a
Chinese font (Noto CJK, from the fonts-noto-cjk package)."""

import threading
from functools import cache
from typing import Any

from django.template.loader import render_to_string


@cache
def _weasyprint() -> Any:
    # Imported on first use: loading WeasyPrint (Pango, fontconfig) costs a second that a web
    # process that never prints should not pay at start.
    import weasyprint

    return weasyprint


_fonts = threading.local()


def _font_config() -> Any:
    """This thread's WeasyPrint font configuration, shared by every document it prints: making
    one loads fontconfig's configuration and a Pango font map, whose fonts (the CJK faces of
    tens of megabytes) are then loaded again for every document. Pango is not thread-safe, so
    each thread has its own."""
    config = getattr(_fonts, "config", None)
    if config is None:
        config = _fonts.config = _weasyprint().text.fonts.FontConfiguration()
    return config


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
    return document.write_pdf(custom_metadata=True, font_config=_font_config())
