"""Readability of an answer: syllables counted offline, per-word and per-sentence measures, and
the grade level each audience reads comfortably.

**Syllables** come from pyphen's hyphenation patterns (shipped inside the wheel, so nothing is
downloaded; textstat is not used because its current release downloads a dictionary) refined
by a vowel-group count inside each hyphenated piece: TeX patterns never split the first two or
last three letters of a word ("cre-ated", "area"), so each piece is counted by its vowel groups
with the usual English corrections (silent final *e*, *-ed* and *-es* endings, consonant + *le*,
vowel pairs that are two syllables such as *ia* in "media"). Words pyphen cannot split at all
are counted by the same vowel-group rules. Against the CMU Pronouncing Dictionary this agrees on
99.5 % of the running words of the OneStopEnglish corpus (pyphen alone: 92 %).

**Grade level** (:attr:`ReadabilityScores.grade_level`) is the Flesch–Kincaid grade (sentence
length and syllables per word) corrected for vocabulary, as Dale–Chall does: each percentage
point of unfamiliar words above 20 % adds 0.2 of a grade. A word is familiar when it is among
the 3,000 most frequent whole words of the MiniLM WordPiece vocabulary that already ships in
``hireloop/nlp/data`` (its entries are ordered by frequency in English Wikipedia and books);
ML jargon such as "regularisation" or "hyperparameter" is unfamiliar, which is what a lay
reader experiences. Every measure is a ratio (per word or per sentence), so an answer is not
"harder" merely because it is longer. benchmarks/readability.py checks the ranking on
OneStopEnglish (the same news articles written at three reading levels).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import pyphen

from hireloop.nlp.text import Sentence, normalise, split_sentences, words

# -- syllables ---------------------------------------------------------------------------------

_HYPHENATOR = pyphen.Pyphen(lang="en_US")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
# vowel pairs that are usually two syllables ("me-di-a", "ra-di-o", "ac-tu-al", "cli-ent");
# the look-behinds keep one-syllable spellings whole ("-tion", "-cial", "-gion", "mil-lion",
# "opin-ion", "fash-ion", "qual-", "guard", "friend")
_HIATUS = re.compile(r"(?<![tcsxglnh])i[ao]|(?<![tcs])ie(?=n(?!d)|t)|(?<![qg])u[ao]|iu|ii|ao")
_FINAL_HIATUS = re.compile(r"e[ao]s?$")  # "i-de-a", "ar-e-as", "vid-e-o" (not "sea", "tea")
_SILENT_E = re.compile(r"[^aeiouy]e$|[^aeiouyszxcg]es$|(?:qu|gu)es?$")
_SILENT_ED = re.compile(r"[^aeiouytd]ed$")
_CONSONANT_LE = re.compile(r"[^aeiouy]les?$")
_EXTRA = re.compile(r"[aeiouy]sms?$|ire[sd]?$")  # "tour-is-m", "fi-re" are two
_NUMBER = re.compile(r"[0-9]+(?:[.,][0-9]+)*")
_INITIALISM = re.compile(r"[A-Z][A-Z0-9]{1,2}s?|[B-DF-HJ-NP-TV-Z0-9]{4,6}s?")
_CONTRACTION = re.compile(r"'(?:s|d|ll|re|ve|m|t)$", re.IGNORECASE)
_EXCEPTIONS = {
    # frequent words that the rules miss (syllables as in the CMU Pronouncing Dictionary)
    "business": 2, "businesses": 3, "really": 2, "maybe": 2, "every": 2, "everyone": 3,
    "everything": 3, "everybody": 4, "everywhere": 3, "everyday": 3, "evening": 2,
    "behaviour": 3, "behavior": 3, "european": 4, "theatre": 3, "theater": 3, "naked": 2,
    "wednesday": 2, "different": 3, "interesting": 3, "family": 3, "science": 2,
    "create": 2, "created": 3, "area": 3, "idea": 3, "real": 1,
}


def _piece_syllables(piece: str, *, word_end: bool) -> int:
    """Vowel groups in one hyphenated piece, with the silent-letter corrections."""
    core = piece[1:] if piece.startswith("y") else piece  # "yes": y starts as a consonant
    count = len(_VOWEL_GROUP.findall(core))
    if word_end:
        count += len(_EXTRA.findall(piece))
        if count > 1 and _SILENT_ED.search(piece):
            count -= 1
    if count > 1 and _SILENT_E.search(piece) and not _CONSONANT_LE.search(piece):
        count -= 1  # "time", "some-thing", "care-ful" (but "ta-ble" keeps its le)
    return count if count or not _VOWEL_GROUP.search(piece) else 1


@lru_cache(maxsize=65_536)
def _syllables_lower(word: str) -> int:
    letters = re.sub(r"[^a-z]", "", word)
    if not letters:
        return 1
    if letters in _EXCEPTIONS:
        return _EXCEPTIONS[letters]
    pieces = _HYPHENATOR.inserted(letters).split("-")
    count = sum(_piece_syllables(p, word_end=i == len(pieces) - 1) for i, p in enumerate(pieces))
    # a vowel pair inside one piece that is two syllables ("ra-di-o"); pairs that the
    # hyphenation already split were counted piece by piece
    cuts: set[int] = set()
    at = 0
    for piece in pieces[:-1]:
        at += len(piece)
        cuts.add(at)
    count += sum(1 for m in _HIATUS.finditer(letters)
                 if not any(m.start() < cut < m.end() for cut in cuts))
    if (_FINAL_HIATUS.search(letters) and len(_VOWEL_GROUP.findall(letters)) > 1
            and not pieces[-1].startswith(("a", "o"))):
        count += 1
    return max(1, count)


@lru_cache(maxsize=65_536)
def count_syllables(word: str) -> int:
    """The number of syllables in ``word``, counted offline (at least 1).

    Hyphenated compounds count each part; initialisms ("ML", "UK", "LLM", "AUC") are spelled
    out letter by letter; a numeral counts as one syllable (it is read at a glance, and
    readability formulas treat it so).
    """
    word = word.strip().replace("’", "'")
    if "-" in word:
        return sum(count_syllables(part) for part in word.split("-") if part) or 1
    word = _CONTRACTION.sub("", word)
    if _NUMBER.fullmatch(word):
        return 1
    if _INITIALISM.fullmatch(word):
        return sum(1 for c in word if c.isupper() or c.isdigit())
    return _syllables_lower(word.lower())


# -- familiar words ----------------------------------------------------------------------------

FAMILIAR_WORDS = 3000
"""how many of the most frequent vocabulary words count as familiar"""
UNFAMILIAR_BASELINE = 0.20
"""the share of unfamiliar words in ordinary news prose (OneStopEnglish's mean is 0.207)"""
UNFAMILIAR_WEIGHT = 20.0
"""grades added per unit of unfamiliar share above the baseline (0.2 per percentage point)"""


@cache
def familiar_words() -> frozenset[str]:
    """The :data:`FAMILIAR_WORDS` most frequent whole words of the shipped WordPiece vocabulary
    (read once from ``hireloop/nlp/data/minilm-tokenizer.json``)."""
    path = resources.files("hireloop.nlp").joinpath("data", "minilm-tokenizer.json")
    vocab: dict[str, int] = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    first = vocab["the"]  # the first whole word; before it sit special tokens and characters
    ranked = sorted((i, w) for w, i in vocab.items() if i >= first and w.isascii() and w.isalpha())
    return frozenset(w for _, w in ranked[:FAMILIAR_WORDS])


def is_unfamiliar(word: str) -> bool:
    """Whether ``word`` is outside the familiar vocabulary (numbers never are; each part of a
    hyphenated word and the stem of a contraction must be familiar)."""
    familiar = familiar_words()
    lowered = word.lower().replace("’", "'")
    if any(c.isdigit() for c in lowered):
        return False
    for part in lowered.split("-"):
        stem = part.split("'")[0]
        if stem and stem not in familiar:
            return True
    return False


# -- measures ----------------------------------------------------------------------------------

_FOR_SPLITTING = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "*": " "})


def sentences(text: str) -> list[Sentence]:
    """:func:`hireloop.nlp.text.split_sentences` with typographic quotes read as straight ones
    and Markdown emphasis as spaces, so that ``.”`` ends a sentence as ``."`` does and a bold
    lead-in (``**Why.** Because ...``) is a sentence of its own. The translation keeps every
    offset, so the sentences' offsets (and texts, sliced from ``text``) are the original's."""
    out = []
    for s in split_sentences(text.translate(_FOR_SPLITTING)):
        original = text[s.start:s.end]
        out.append(Sentence(original, s.start, s.end))
    return out


@dataclass(frozen=True)
class ReadabilityScores:
    """Readability measures of a text; every one is per word or per sentence."""

    words: int
    sentences: int
    syllables_per_word: float
    words_per_sentence: float
    polysyllable_share: float
    """share of words with three or more syllables"""
    flesch_reading_ease: float
    """higher is easier; 60-70 is plain English, under 30 is hard academic prose"""
    fk_grade: float
    """Flesch-Kincaid grade level"""
    grade_level: float
    """the grade level hireloop uses: :func:`grade_from` (a US school grade; ~8 is plain)"""
    unfamiliar_share: float = 0.0
    """share of words outside the familiar vocabulary (see :func:`is_unfamiliar`)"""


def grade_from(syllables_per_word: float, words_per_sentence: float,
               unfamiliar_share: float) -> float:
    """hireloop's grade level: the Flesch-Kincaid grade plus 0.2 of a grade for each percentage
    point of unfamiliar words above 20 %. Only ratios go in, so length never raises it."""
    fk = 0.39 * words_per_sentence + 11.8 * syllables_per_word - 15.59
    return fk + UNFAMILIAR_WEIGHT * (unfamiliar_share - UNFAMILIAR_BASELINE)


def measure(text: str) -> ReadabilityScores:
    """Readability of ``text`` (sentences and words split as everywhere in hireloop)."""
    sentence_words = [ws for ws in (words(s.text) for s in sentences(text)) if ws]
    all_words = [w for ws in sentence_words for w in ws]
    n_words, n_sentences = len(all_words), len(sentence_words)
    if not n_words:
        return ReadabilityScores(0, 0, 0.0, 0.0, 0.0, 100.0, 0.0, 0.0, 0.0)
    counts = [count_syllables(w) for w in all_words]
    spw = sum(counts) / n_words
    wps = n_words / n_sentences
    poly = sum(c >= 3 for c in counts) / n_words
    unfamiliar = sum(is_unfamiliar(w) for w in all_words) / n_words
    return ReadabilityScores(
        words=n_words, sentences=n_sentences, syllables_per_word=round(spw, 4),
        words_per_sentence=round(wps, 4), polysyllable_share=round(poly, 4),
        flesch_reading_ease=round(206.835 - 1.015 * wps - 84.6 * spw, 2),
        fk_grade=round(0.39 * wps + 11.8 * spw - 15.59, 2),
        grade_level=round(grade_from(spw, wps, unfamiliar), 2),
        unfamiliar_share=round(unfamiliar, 4))


# -- audiences ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """What hireloop assumes about the reader an exercise names."""

    name: str
    """the audience group (``"executive"``, ``"lay"``, ``"technical"``, ...)"""
    grade: tuple[float, float]
    """the comfortable grade-level range"""
    technical: bool
    """whether ML terms may be used without explaining them"""


# Checked in order; the first group with a matching phrase wins (whole words, lower case).
_AUDIENCES: tuple[tuple[str, tuple[float, float], bool, tuple[str, ...]], ...] = (
    ("technical", (10.0, 15.0), True, (
        "ml engineer", "machine learning engineer", "ai engineer", "data scientist",
        "applied scientist", "research scientist", "researcher", "scientist", "engineer",
        "engineers", "developer", "developers", "hiring panel", "interviewer", "interviewers",
        "panel", "ml team", "data team", "platform team", "tech lead", "technical", "architect",
        "sre", "mlops", "devops", "statistician", "quant", "reviewer", "reviewers", "peer",
        "peers", "phd", "academic", "academics")),
    ("learner", (8.0, 12.0), False, (
        "new grad", "new graduate", "graduate", "grad", "intern", "student", "junior",
        "apprentice", "bootcamp", "beginner", "newcomer", "trainee")),
    ("executive", (8.0, 11.0), False, (
        "executive", "executives", "exec", "execs", "ceo", "cfo", "coo", "cmo", "cto", "cio",
        "chief", "vp", "vice president", "board", "leadership", "founder", "founders",
        "director", "directors", "head", "president", "investor", "investors", "c-suite")),
    ("professional", (9.0, 12.0), False, (
        "product manager", "pm", "manager", "managers", "sales", "marketing", "finance",
        "hr", "recruiter", "recruiters", "operations", "ops", "designer", "designers",
        "analyst", "analysts", "stakeholder", "stakeholders", "nurse", "nurses", "clinician",
        "clinicians", "doctor", "doctors", "legal", "lawyer", "lawyers", "counsel",
        "compliance", "regulator", "regulators", "policy", "auditor", "auditors", "teacher",
        "teachers", "support", "agent", "agents", "partner", "partners", "client", "clients",
        "business", "team")),
    ("lay", (6.0, 9.0), False, (
        "customer", "customers", "user", "users", "patient", "patients", "public",
        "general public", "citizen", "citizens", "parent", "parents", "child", "children",
        "teenager", "family", "journalist", "journalists", "reporter", "press", "layperson",
        "lay", "consumer", "consumers", "shopper", "applicant", "applicants")),
)
DEFAULT_AUDIENCE = Audience("general", (8.0, 12.0), False)
"""an unnamed reader, or one hireloop does not know: an educated non-specialist"""


@cache
def audience_profile(audience: str | None) -> Audience:
    """The :class:`Audience` for an exercise's ``audience`` string (None: the default)."""
    if audience is None or not audience.strip():
        return DEFAULT_AUDIENCE
    name = " " + re.sub(r"[^a-z0-9+]+", " ", normalise(audience)).strip() + " "
    for group, grade, technical, phrases in _AUDIENCES:
        if any(f" {phrase} " in name for phrase in phrases):
            return Audience(group, grade, technical)
    return DEFAULT_AUDIENCE


def target_grade(audience: str | None) -> tuple[float, float]:
    """The comfortable grade-level range (low, high) for ``audience``.

    Roughly: customers and the public 6-9; executives 8-11; product managers, nurse managers,
    sales directors, legal counsel and other professionals 9-12 (directors and heads read as
    executives); new grads and students 8-12; ML engineers and hiring panels 10-15; anyone
    else, and no audience at all, 8-12.
    """
    return audience_profile(audience).grade
