"""Reading a PDF back in tests with pypdf (a test dependency), so the README's test line needs
nothing from apt beyond Python."""

from __future__ import annotations

import io


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def pdf_images(data: bytes) -> list[str]:
    """One name per image drawn in the PDF, over all pages."""
    from pypdf import PdfReader

    return [image.name for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
