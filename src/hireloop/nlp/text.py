"""Splitting answers into sentences and words, the same way everywhere in hireloop."""

from __future__ import annotations

import re
from dataclasses import dataclass

STOPWORDS = frozenset(
    """
a an the of to in on for and or but is are was were be been being it its it's this that these
those with as by at from which what how why when who whom whose into than then so such can
could will would should may might must do does did doing have has had having i you he she we
they them their our your my me us his her there here about also just very really more most some
any all each other if because while where over under up down out off again further once only
own same too s t don let get got one
""".split()  # noqa: SIM905 - a word list reads best as text
)
"""function words: they carry no content of a key point"""


_ABBREVIATIONS = {
    "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "fig", "eq", "approx", "cf",
    "al", "inc", "ltd", "no", "st", "jr", "sr",
}
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-'’][A-Za-z0-9]+)*")
_BOUNDARY = re.compile(r"([.!?]+[\"'”’)\]*_]*)(\s+)(?=[\"'“‘(\[*_]*[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    """A sentence of an answer with where it sits in the original text."""

    text: str
    start: int
    """offset of the first character in the answer"""
    end: int
    """offset just past the last character"""


def split_sentences(text: str) -> list[Sentence]:
    """Sentences of ``text``: split at . ! ? before a capital or digit, at blank lines and at
    list items; abbreviations (e.g., i.e., Dr.) and decimals don't end a sentence.

    Offsets point into ``text`` so evidence can be shown (and checked) verbatim.
    """
    sentences: list[Sentence] = []
    for block in re.finditer(r"[^\n]+(?:\n(?![ \t]*(?:\n|[-*•]|\d+[.)])\s)[^\n]+)*", text):
        chunk, offset = block.group(0), block.start()
        start = 0
        for match in _BOUNDARY.finditer(chunk):
            candidate = chunk[start:match.end(1)]
            last_word = re.findall(r"([A-Za-z]+)\.+[\"'”’)\]*_]*$", candidate)
            if last_word and last_word[-1].lower() in _ABBREVIATIONS:
                continue
            if len(last_word) == 1 and len(last_word[0]) == 1 and candidate.rstrip().endswith("."):
                continue  # an initial such as "J. Smith"
            _append(sentences, chunk, start, match.end(1), offset)
            start = match.end(2)
        _append(sentences, chunk, start, len(chunk), offset)
    return sentences


def _append(out: list[Sentence], chunk: str, start: int, end: int, offset: int) -> None:
    piece = chunk[start:end]
    stripped = piece.strip()
    stripped = re.sub(r"^(?:[-*•]|\d+[.)])\s+", "", stripped)
    if not _WORD.search(stripped):
        return
    lead = piece.find(stripped)
    out.append(Sentence(stripped, offset + start + lead, offset + start + lead + len(stripped)))


def words(text: str) -> list[str]:
    """The words of ``text`` (letters and digits, with inner hyphens and apostrophes)."""
    return _WORD.findall(text)


def normalise(text: str) -> str:
    """Lower case, straight quotes, single spaces: for matching, never for display."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text.lower()).strip()
