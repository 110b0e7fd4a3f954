"""QR images of codes: alphanumeric mode (Base45 was chosen for it), error correction Q."""

import segno


def qr_svg(text: str, *, scale: int = 6) -> str:
    """An inline <svg> of the code; CSS may scale it further (it has a viewBox)."""
    qr = segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False)
    return qr.svg_inline(scale=scale, border=4, omitsize=True)


def qr_svg_any(text: str, *, scale: int = 6) -> str:
    """For texts outside the alphanumeric set (a place code's link)."""
    qr = segno.make_qr(text, error="q", boost_error=False)
    return qr.svg_inline(scale=scale, border=4, omitsize=True)


def qr_png_data_uri(text: str, *, scale: int = 5) -> str:
    """The code's QR as a PNG data: URI, for documents that take images by URL (a PDF). Whole
    pixels per module, so that a printer scales it without blurring; a PNG lays out in a
    third of the time an SVG takes in WeasyPrint."""
    qr = segno.make_qr(text, error="q", mode="alphanumeric", boost_error=False)
    return qr.png_data_uri(scale=scale, border=4)
