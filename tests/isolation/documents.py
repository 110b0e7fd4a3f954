"""Reading back what a printed document holds: its pages' text and its codes."""

import io

import pypdf

from fangyi.codes import services as codes


def read(pdf: bytes) -> tuple[list[str], list[str]]:
    """(the text of each page, the codes the metadata lists in page order)."""
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    pages = [page.extract_text() for page in reader.pages]
    codes = str((reader.metadata or {}).get("/fangyicodes", "")).split(";")
    return pages, codes


def verified(text: str) -> dict:
    """The claims of a code, verified with the server's published keys and revocation list."""
    found = codes.verify_here(text)
    assert found.valid, found
    return found.claims
