"""Content scoring: how well an answer covers each weighted key point of a rubric, with evidence.

For every key point (its text and its alternative phrasings) the scorer measures

- *token alignment*: each content word of the key point is matched to its most similar
  contextual token in the answer (MiniLM token vectors, the idea of BERTScore recall); words that
  merely repeat the question earn nothing;
- *sentence similarity*: the cosine between the key point and each answer sentence;
- *lexical match*: a phrasing that appears in a sentence nearly word for word.

The sentence that supports the point best is its evidence, quoted verbatim. A sentence that
negates the point ("overfitting is not about variance") or that is closer to one of the rubric's
``must_not`` statements earns nothing. Answers that only copy the question, list keywords, repeat
rubric words in a meaningless order or say "I don't know" are flagged and score near zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from hireloop.nlp.embeddings import Embedder, Encoded, Vectors
from hireloop.nlp.text import Sentence, normalise, split_sentences, words

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
NEGATIONS = re.compile(
    r"\b(not|no|never|cannot|can't|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|won't|"
    r"shouldn't|hardly|neither|nor|none|nothing|without)\b|n't\b", re.IGNORECASE)
IDK = re.compile(
    r"\b(i\s+(?:do\s*n[o']?t|dont)\s+know|no\s+idea|not\s+sure|idk|no\s+clue|i\s+have\s+no\s+"
    r"(?:idea|clue)|pass|skip|don't\s+remember|can't\s+remember|unsure|dunno)\b", re.IGNORECASE)

# Calibration of similarity to coverage (tuned on the built-in bank's samples; see
# benchmarks/text_grader.py): below LOW a point is not covered at all, above HIGH fully.
COVERAGE_LOW = 0.30
COVERAGE_HIGH = 0.80
TOKEN_WEIGHT = 0.65
TOPIC_FLOOR = 0.10
TOPIC_SPAN = 0.30
"""weight of token alignment against sentence similarity in a key point's similarity"""


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light suffix-stripping stem for matching (never shown)."""
    w = word.lower().replace("’", "'")
    for suffix in ("isations", "izations", "isation", "ization", "ations", "ation", "ising",
                   "izing", "ness", "ments", "ment", "ings", "ing", "ies", "ied", "es", "ed",
                   "ly", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w


def content_stems(text: str) -> list[str]:
    """Stems of the content words of ``text``, in order."""
    return list(_content_stems(text))


@lru_cache(maxsize=50_000)
def _content_stems(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in words(text) if w.lower() not in STOPWORDS and len(w) > 1)


@dataclass(frozen=True)
class KeyPointSpec:
    """A key point as the scorer needs it."""

    id: str
    text: str
    weight: float = 1.0
    phrasings: tuple[str, ...] = ()
    must_not: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    """How well the answer covers one key point, and the sentence that shows it."""

    id: str
    coverage: float
    """in [0, 1]"""
    similarity: float
    """the raw similarity the coverage is calibrated from"""
    evidence: Sentence | None
    """the answer's sentence that covers the point best (verbatim), if any earned credit"""
    matched: str
    """the rubric wording (text or phrasing) that matched best"""
    contradicted: Sentence | None = None
    """a sentence that negates the point or matches a must_not statement"""


@dataclass
class ContentResult:
    """The content analysis of one answer."""

    coverages: list[Coverage]
    score: float
    """weighted coverage in [0, 1], after penalties"""
    flags: list[str] = field(default_factory=list)
    """idk, copied-question, keyword-list, reordered-words, off-topic"""
    features: dict[str, float] = field(default_factory=dict)
    """raw measurements (for calibration by `hireloop eval` and for interviewers)"""
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(frozen=True)
class _Words:
    """Token vectors of a text grouped into words, with which words carry content."""

    encoded: Encoded
    word_of_token: tuple[int, ...]
    word_stems: tuple[str, ...]
    content: tuple[bool, ...]
    """per token: whether its word is a content word"""


def group_words(encoded: Encoded) -> _Words:
    word_of_token: list[int] = []
    word_texts: list[str] = []
    for token in encoded.tokens:
        if token.startswith("##") and word_texts:
            word_texts[-1] += token[2:]
        else:
            word_texts.append(token)
        word_of_token.append(len(word_texts) - 1)
    stems = tuple(stem(w) for w in word_texts)
    content = tuple(
        word_texts[w].lower() not in STOPWORDS and any(c.isalnum() for c in word_texts[w])
        and len(word_texts[w]) > 1
        for w in word_of_token
    )
    return _Words(encoded, tuple(word_of_token), stems, content)


def _content_mask(point: _Words, demoted: set[str]) -> npt.NDArray[np.bool_]:
    mask = np.array([c and point.word_stems[point.word_of_token[i]] not in demoted
                     for i, c in enumerate(point.content)], dtype=bool)
    if not mask.any():
        mask = np.array(point.content, dtype=bool)
    if not mask.any():
        mask = np.ones(len(point.content), dtype=bool)
    return mask


def _recalls(point: _Words, sentences: list[Vectors], usable: list[int],
             demoted: set[str]) -> dict[int, float]:
    """``token_recall`` of the point in each usable sentence, with one matrix product."""
    if not usable:
        return {}
    mask = _content_mask(point, demoted)
    stacked = np.concatenate([sentences[i] for i in usable])
    sims = point.encoded.vectors[mask] @ stacked.T
    out: dict[int, float] = {}
    start = 0
    for i in usable:
        end = start + sentences[i].shape[0]
        block = sims[:, start:end]
        out[i] = float(np.clip(block.max(axis=1), 0.0, 1.0).mean()) if end > start else 0.0
        start = end
    return out


def token_recall(point: _Words, target: Vectors, demoted: set[str]) -> float:
    """Mean over the point's content tokens of their best similarity in ``target``."""
    if target.shape[0] == 0:
        return 0.0
    mask = _content_mask(point, demoted)
    best = (point.encoded.vectors[mask] @ target.T).max(axis=1)
    return float(np.clip(best, 0.0, 1.0).mean())


def _scoped_negations(text: str, shared: set[str]) -> int:
    """How many negation cues in ``text`` stand within three words before a word in ``shared``."""
    tokens = [w.lower() for w in re.findall(r"[A-Za-z0-9']+", text)]
    return sum(
        1 for i, word in enumerate(tokens)
        if (NEGATIONS.fullmatch(word) or word.endswith("n't"))
        and any(stem(t) in shared for t in tokens[i + 1:i + 4])
    )


def negated(sentence: str, point_text: str) -> bool:
    """Whether ``sentence`` says the opposite of ``point_text`` about the words they share.

    A negation cue counts when it stands within three words before a shared word (its scope);
    the sentence negates the point when it has an odd number of such cues and the point an even
    number. Sentences that share no content word with the point are left to the semantic
    comparison.
    """
    shared = set(content_stems(point_text)) & set(content_stems(sentence))
    if not shared:
        return False
    # Only a sentence that negates counts: a point worded around a flaw ("no ablation") is
    # covered by an answer that asks for the fix ("run an ablation").
    return (_scoped_negations(sentence, shared) % 2 == 1
            and _scoped_negations(point_text, shared) % 2 == 0)


def _same_polarity(sentence: str, statement: str) -> bool:
    shared = set(content_stems(statement)) & set(content_stems(sentence))
    return _scoped_negations(sentence, shared) % 2 == _scoped_negations(statement, shared) % 2


def _calibrate(similarity: float) -> float:
    return float(np.clip((similarity - COVERAGE_LOW) / (COVERAGE_HIGH - COVERAGE_LOW), 0.0, 1.0))


class ContentScorer:
    """Scores answers against key points. Deterministic for a given model file."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def score(self, answer: str, key_points: list[KeyPointSpec], question: str = "",
              rubric_text: str = "") -> ContentResult:
        """Coverage of each key point by ``answer``; ``question`` words earn nothing.

        ``rubric_text`` (the reference answer and key points) is used to recognise answers that
        only repeat the rubric's words in a meaningless order.
        """
        sentences = split_sentences(answer)
        answer_words = words(answer)
        result = ContentResult(coverages=[], score=0.0, sentences=sentences)
        if not sentences or not key_points:
            result.coverages = [Coverage(k.id, 0.0, 0.0, None, k.text) for k in key_points]
            return result

        flags = _flags(answer, answer_words, rubric_text)
        question_stems = set(content_stems(question))
        question_sentences = [s.text for s in split_sentences(question)]

        texts = [s.text for s in sentences]
        variants = [(k, v) for k in key_points for v in (k.text, *k.phrasings)]
        negatives = [(k, v) for k in key_points for v in k.must_not]
        encoded = self.embedder.encode(texts + [v for _, v in variants]
                                       + [v for _, v in negatives] + question_sentences)
        enc_sent = encoded[: len(texts)]
        enc_var = encoded[len(texts): len(texts) + len(variants)]
        enc_neg = encoded[len(texts) + len(variants): len(texts) + len(variants) + len(negatives)]
        enc_q = encoded[len(texts) + len(variants) + len(negatives):]

        # Sentences that only restate the question earn nothing.
        usable = list(range(len(sentences)))
        if enc_q:
            q_pooled = np.stack([e.pooled for e in enc_q])
            copied = []
            for i, enc in enumerate(enc_sent):
                own = set(content_stems(texts[i]))
                overlap = len(own & question_stems) / max(1, len(own))
                if float((q_pooled @ enc.pooled).max()) > 0.85 and overlap > 0.7:
                    copied.append(i)
            usable = [i for i in usable if i not in copied]
            if not usable:
                flags.append("copied-question")

        sent_pooled = np.stack([e.pooled for e in enc_sent])
        per_sentence_tokens = [e.vectors for e in enc_sent]
        all_tokens = (np.concatenate([per_sentence_tokens[i] for i in usable])
                      if usable else np.zeros((0, sent_pooled.shape[1]), dtype=np.float32))

        coverages: list[Coverage] = []
        for point in key_points:
            best: tuple[float, int, str] = (0.0, -1, point.text)
            point_vectors: list[Vectors] = []
            for (kp, text), enc in zip(variants, enc_var, strict=True):
                if kp is not point:
                    continue
                if text is not point.text and len(set(content_stems(text))) < 2:
                    continue  # a one-word phrasing would give credit for naming a term
                point_vectors.append(enc.pooled)
                grouped = group_words(enc)
                recalls = _recalls(grouped, per_sentence_tokens, usable, question_stems)
                whole_recall = max(recalls.values(), default=0.0) if len(usable) == 1 else \
                    token_recall(grouped, all_tokens, question_stems)
                sims = sent_pooled @ enc.pooled
                for i in usable:
                    sentence_recall = recalls[i]
                    cosine = float(sims[i])
                    # Word matches count only in a sentence that is on the point's topic, so
                    # one shared word ("stale") in an unrelated sentence earns nothing.
                    topical = min(1.0, max(0.0, (cosine - TOPIC_FLOOR) / TOPIC_SPAN))
                    local = (TOKEN_WEIGHT * 0.5 * (whole_recall + sentence_recall) * topical
                             + (1 - TOKEN_WEIGHT) * cosine)
                    if _phrase_present(text, texts[i], question_stems):
                        local = max(local, COVERAGE_HIGH)
                    if local > best[0]:
                        best = (local, i, text)
            similarity, index, matched = best
            contradicted: Sentence | None = None
            if index >= 0:
                sentence = sentences[index]
                # How close the sentence is to the point's best wording, against its closest
                # must_not statement: a sentence nearer a contradiction earns nothing.
                positive = max(float(sent_pooled[index] @ v) for v in point_vectors)
                if negated(sentence.text, matched):
                    contradicted = sentence
                else:
                    contradicted = next(
                        (sentences[i] for i in usable for m in point.must_not
                         if _states(m, texts[i])), None)
                if contradicted is None and not _phrase_present(matched, sentence.text):
                    for (kp, _), enc in zip(negatives, enc_neg, strict=True):
                        negative = float(enc.pooled @ sent_pooled[index])
                        if kp is point and negative > 0.6 and negative > positive + 0.03:
                            contradicted = sentence
            coverage = 0.0 if contradicted else _calibrate(similarity)
            evidence = sentences[index] if index >= 0 and coverage > 0 else None
            coverages.append(Coverage(point.id, round(coverage, 4), round(similarity, 4),
                                      evidence, matched, contradicted))

        total = sum(k.weight for k in key_points)
        score = sum(k.weight * c.coverage for k, c in zip(key_points, coverages, strict=True))
        score /= total
        penalties = {"idk": 0.0, "copied-question": 0.0, "keyword-list": 0.15,
                     "reordered-words": 0.1}
        for flag in flags:
            score *= penalties.get(flag, 1.0)
        result.coverages = coverages
        result.flags = flags
        result.score = round(float(score), 4)
        result.features = {
            "words": float(len(answer_words)),
            "content_score": result.score,
            "mean_similarity": round(float(np.mean([c.similarity for c in coverages])), 4),
        }
        return result


def _states(statement: str, sentence: str) -> bool:
    """Whether ``sentence`` makes ``statement`` (nearly all its content words, not negated)."""
    wanted = set(content_stems(statement))
    if len(wanted) < 2:
        return False
    have = set(content_stems(sentence))
    return len(wanted & have) / len(wanted) >= 0.8 and _same_polarity(sentence, statement)


def _phrase_present(phrase: str, sentence: str, question: set[str] | None = None) -> bool:
    """A phrasing appears in the sentence word for word (stems, in order), and says more than
    the question already did."""
    wanted = content_stems(phrase)
    if len(wanted) < 2 or (question is not None and set(wanted) <= question):
        return False
    have = content_stems(sentence)
    for start in range(len(have) - len(wanted) + 1):
        if have[start:start + len(wanted)] == wanted:
            return not negated(sentence, phrase)
    return False


def _flags(answer: str, answer_words: list[str], rubric_text: str) -> list[str]:
    flags: list[str] = []
    n = len(answer_words)
    if n <= 25 and IDK.search(answer):
        flags.append("idk")
    if n >= 8:
        stop_share = sum(w.lower() in STOPWORDS for w in answer_words) / n
        if stop_share < 0.15:
            flags.append("keyword-list")
    if rubric_text and n >= 8 and "keyword-list" not in flags:
        rubric_stems = set(content_stems(rubric_text))
        own = content_stems(answer)
        if own:
            unigram = sum(s in rubric_stems for s in own) / len(own)
            rubric_seq = content_stems(rubric_text)
            rubric_bigrams = set(pairwise(rubric_seq))
            own_bigrams = list(pairwise(own))
            bigram = (sum(b in rubric_bigrams for b in own_bigrams) / len(own_bigrams)
                      if own_bigrams else 0.0)
            if unigram >= 0.85 and bigram < 0.15:
                flags.append("reordered-words")
    return flags


def idk_like(answer: str) -> bool:
    """Whether the answer is a short "I don't know"."""
    return len(words(answer)) <= 25 and bool(IDK.search(answer))


__all__ = ["ContentResult", "ContentScorer", "Coverage", "KeyPointSpec", "idk_like", "normalise"]
