"""The text of a slide deck (PDF), slide by slide, with pypdf (pure Python, offline)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

MAX_SLIDES = 200


class SlidesError(Exception):
    """A slide deck that cannot be read, with a message naming the file."""


@dataclass(frozen=True)
class Slide:
    """One page of the deck."""

    number: int
    """1-based"""
    title: str
    """the first non-empty line"""
    text: str
    """all of the page's text, lines joined with spaces"""


def read_slides(data: bytes, name: str = "slides.pdf") -> list[Slide]:
    """The slides of a PDF; ``SlidesError`` when it is not a readable PDF or holds no text."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.startswith(b"%PDF"):
        raise SlidesError(f"{name} is not a PDF file")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise SlidesError(f"{name} is encrypted; upload a deck without a password")
        pages = reader.pages
        if len(pages) > MAX_SLIDES:
            raise SlidesError(f"{name} has {len(pages)} pages; the limit is {MAX_SLIDES}")
        slides = []
        for number, page in enumerate(pages, start=1):
            raw = page.extract_text() or ""
            lines = [re.sub(r"\s+", " ", line).strip() for line in raw.splitlines()]
            lines = [line for line in lines if line]
            if lines:
                slides.append(Slide(number, lines[0], " ".join(lines)))
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise SlidesError(f"{name} cannot be read as a PDF: {exc}") from None
    if not slides:
        raise SlidesError(f"{name} holds no text (a deck of images?); text is needed to check "
                          "the talk against it")
    return slides
