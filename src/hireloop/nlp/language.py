"""Which language an answer is written in, offline.

The identifier is py3langid (BSD-3-Clause; a naive Bayes model over byte n-grams for 97
languages that ships inside the package, about 4.6 MB). It loads once per process (about 0.6 s)
and classifies a sentence in well under a millisecond, deterministically.

An answer is judged in another language only when the evidence is strong: enough words, the
identifier confident, and most of the answer's sentences agree. Technical English is full of
acronyms and loan words ("AUC, SHAP, PSI") that fool identifiers on short texts, so short
answers and bare term lists are never refused for their language.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from hireloop.nlp.text import split_sentences, words

MIN_WORDS = 12
"""fewer words than this are never judged to be in another language"""
CONFIDENCE = 0.95
"""the identifier's probability for another language that counts as sure"""

NAMES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "fi": "Finnish", "cs": "Czech", "ru": "Russian", "uk": "Ukrainian",
    "tr": "Turkish", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ar": "Arabic",
    "hi": "Hindi", "he": "Hebrew", "el": "Greek", "ro": "Romanian", "hu": "Hungarian",
    "ca": "Catalan", "id": "Indonesian", "vi": "Vietnamese",
}

_identifier: Any = None
_lock = threading.Lock()


class LanguageUnavailable(RuntimeError):  # noqa: N818 - reads as the domain's word
    """The language identifier is not installed (a packaging problem, never the candidate's)."""


def _model() -> Any:
    global _identifier  # noqa: PLW0603 - a process-wide cache of an expensive object
    with _lock:
        if _identifier is None:
            try:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
            except ImportError as exc:
                raise LanguageUnavailable(
                    "the language identifier is missing: pip install py3langid") from exc
            _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        return _identifier


def name(code: str) -> str:
    """The language's English name (the code itself when it has none here)."""
    return NAMES.get(code, code)


@dataclass(frozen=True)
class Detected:
    """The language of a text and how sure the identifier is."""

    code: str
    """ISO 639-1"""
    probability: float


def detect(text: str) -> Detected:
    """The most likely language of ``text``."""
    code, probability = _model().classify(text)
    return Detected(str(code), round(float(probability), 4))


def other_language(text: str, expected: str = "en") -> Detected | None:
    """The language ``text`` is written in when it is surely not ``expected``, else None.

    Sure means: at least :data:`MIN_WORDS` words, the whole text classified as another
    language with probability :data:`CONFIDENCE`, and at most a third of its longer sentences
    classified as ``expected``.
    """
    if len(words(text)) < MIN_WORDS:
        return None
    whole = detect(text)
    if whole.code == expected or whole.probability < CONFIDENCE:
        return None
    longer = [s.text for s in split_sentences(text) if len(words(s.text)) >= 6]
    if longer:
        ours = sum(detect(s).code == expected for s in longer)
        if ours > len(longer) / 3:
            return None
    return whole
