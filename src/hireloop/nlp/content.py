"""Content scoring: how well an answer covers each weighted key point of a rubric, with evidence.

For every key point (its text and its alternative phrasings) the scorer measures

- *token alignment*: each content word of the key point is matched to its most similar
  contextual token in the answer (MiniLM token vectors, the idea of BERTScore recall); words that
  merely repeat the question earn nothing;
- *sentence similarity*: the cosine between the key point and each answer sentence;
- *lexical match*: a phrasing that appears in a sentence nearly word for word.

The closest sentences are then *judged* (:mod:`hireloop.nlp.entailment`): a sentence that says
the opposite of the point (a flipped negation, the other end of a contrast, swapped roles, a
wrong number) or states one of the rubric's ``must_not`` statements earns nothing, and when it
says so as strongly as any sentence supports the point, the point is contradicted. The sentence
that supports the point best is its evidence, quoted verbatim.

Gaming costs the whole grade, not a part of it (:mod:`hireloop.nlp.gaming`): sentences that
speak to the evaluator or restate the prompt earn nothing; keyword lists (bare or dressed as
sentences), rubric words in a meaningless order and "I don't know" multiply the score by
:data:`PENALTIES`; and a long answer that is mostly unrelated text has its credit diluted in
proportion, so padding never raises a score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from hireloop.nlp.embeddings import Embedder, Encoded, Vectors
from hireloop.nlp.entailment import (
    Relation,
    judge,
    leaning,
    numbers_of,
    stance,
    states,
    swap_words,
)
from hireloop.nlp.gaming import addresses_evaluator, idk, idk_cue, structure
from hireloop.nlp.text import STOPWORDS, Sentence, normalise, split_sentences, words

NEGATIONS = re.compile(
    r"\b(not|no|never|cannot|can't|isn't|aren't|wasn't|weren't|doesn't|don't|didn't|won't|"
    r"shouldn't|hardly|neither|nor|none|nothing|without)\b|n't\b", re.IGNORECASE)
IDK = re.compile(
    r"\b(i\s+(?:do\s*n[o']?t|dont)\s+know|no\s+idea|not\s+sure|idk|no\s+clue|i\s+have\s+no\s+"
    r"(?:idea|clue)|pass|skip|don't\s+remember|can't\s+remember|unsure|dunno)\b", re.IGNORECASE)
"""the short forms of "I don't know" (the LLM judge strips them; :mod:`hireloop.nlp.gaming`
knows the longer ones)"""

# Calibration of similarity to coverage (tuned on the built-in bank's samples; see
# benchmarks/text_grader.py): below LOW a point is not covered at all, above HIGH fully.
COVERAGE_LOW = 0.30
COVERAGE_HIGH = 0.80
COVERED = 0.75
"""coverage from which a point counts as covered in feedback (below it: partly covered)"""
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
    """a sentence that says the opposite of the point or states a must_not statement"""
    reason: str | None = None
    """how the contradicting sentence opposes the point, in words"""

    @property
    def state(self) -> str:
        """covered, partly covered, contradicted or missing (covered only at high coverage)"""
        if self.coverage >= COVERED:
            return "covered"
        if self.contradicted is not None and self.coverage == 0:
            return "contradicted"
        return "partly covered" if self.coverage > 0 else "missing"


@dataclass
class ContentResult:
    """The content analysis of one answer."""

    coverages: list[Coverage]
    score: float
    """weighted coverage in [0, 1], after penalties"""
    flags: list[str] = field(default_factory=list)
    """idk, copied_prompt, restates_prompt, keyword_list, reordered_words, addresses_evaluator,
    padding, contradicts_key_point"""
    features: dict[str, float] = field(default_factory=dict)
    """raw measurements (for calibration by `hireloop eval` and for interviewers)"""
    sentences: list[Sentence] = field(default_factory=list)
    factor: float = 1.0
    """what the flags multiplied the whole grade by"""
    details: dict[str, str] = field(default_factory=dict)
    """per flag, what was seen (for the interviewer)"""


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


def token_recall(point: _Words, target: Vectors, demoted: set[str]) -> float:
    """Mean over the point's content tokens of their best similarity in ``target``."""
    if target.shape[0] == 0:
        return 0.0
    mask = _content_mask(point, demoted)
    best = (point.encoded.vectors[mask] @ target.T).max(axis=1)
    return float(np.clip(best, 0.0, 1.0).mean())


def negated(sentence: str, statement: str) -> bool:
    """Whether ``sentence`` says the opposite of ``statement`` (see
    :mod:`hireloop.nlp.entailment`)."""
    return judge(sentence, statement).relation is Relation.CONTRADICTS


def _calibrate(similarity: float) -> float:
    return float(np.clip((similarity - COVERAGE_LOW) / (COVERAGE_HIGH - COVERAGE_LOW), 0.0, 1.0))


RESTATES_COSINE = 0.64
"""a sentence this close to a sentence of the prompt ..."""
RESTATES_PRECISION = 0.65
"""... whose content tokens the prompt's tokens match this well on average restates the prompt
(copied or paraphrased): it earns nothing"""
RESTATES_MIN_WORDS = 12
"""sentences shorter than this are judged restatements only when they are near copies"""
RESTATES_COPY = 0.85
"""this close to a prompt sentence, with most of its words the prompt's: a copy"""
SWAP_MARGIN = 0.02
"""how much closer to the statement with its contrast words exchanged a sentence must be to
count as having them the wrong way round"""
CONTRADICTION_DECIDES = 0.6
"""a sentence this close to a key point that says its opposite cancels the point, however well
another sentence supports it (an answer does not earn a point by saying it both ways)"""
DENIES_MUST_NOT = 0.65
"""the similarity credited to a sentence that denies one of the point's must_not statements"""
EVASIVE_BELOW = 0.35
"""an answer that says it does not know and covers less than this of the rubric is evasive"""
LEANING_AGAINST = 0.5
"""the share of its credit a sentence keeps when it leans against the point without the rules
deciding that it contradicts it"""
REFERENCE_NEAR = 0.6
"""a reference answer sentence at least this close to an answer's sentence is about the same
thing, so the answer's sentence must not say its opposite"""
CANDIDATES = 3
"""sentences per key point whose relation to the point is judged (the closest by similarity)"""
PADDING_FROM_WORDS = 300
"""answers shorter than this are never diluted as padding"""
RELEVANT = 0.35
RELATED_BY_POINT = -0.15
"""a sentence also counts as related when its similarity to a key point, plus this, reaches
RELEVANT (an answer about one's own research or story shares few words with the prompt)"""
"""a sentence whose cosine with every sentence of the prompt, the key points and the reference
answer stays below this is unrelated to the exercise (padding, when most of a long answer is
like that)"""
PENALTIES = {"idk": 0.0, "copied_prompt": 0.0, "keyword_list": 0.15, "reordered_words": 0.1,
             "evasive": 0.5}
"""what each flag multiplies the whole grade by"""


class ContentScorer:
    """Scores answers against key points. Deterministic for a given model file."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def score(self, answer: str, key_points: list[KeyPointSpec], question: str = "",
              rubric_text: str = "", reference: str = "", *, spoken: bool = False
              ) -> ContentResult:
        """Coverage of each key point by ``answer``; ``question`` words earn nothing.

        ``rubric_text`` (the reference answer and key points) is used to recognise answers that
        only repeat the rubric's words in a meaningless order, and its numbers (with the
        question's) may appear in an answer without contradicting a point.
        """
        sentences = split_sentences(answer)
        answer_words = words(answer)
        result = ContentResult(coverages=[], score=0.0, sentences=sentences)
        if not sentences or not key_points:
            result.coverages = [Coverage(k.id, 0.0, 0.0, None, k.text) for k in key_points]
            return result

        question_stems = set(content_stems(question))
        question_sentences = [s.text for s in split_sentences(question)]
        known_numbers = numbers_of(question) | numbers_of(rubric_text)
        texts = [s.text for s in sentences]
        variants = [(k, v) for k in key_points for v in (k.text, *k.phrasings)]
        context = question_sentences + [s.text for s in split_sentences(rubric_text)]
        encoded = self.embedder.encode(texts + [v for _, v in variants] + question_sentences)
        enc_sent = encoded[: len(texts)]
        enc_var = encoded[len(texts): len(texts) + len(variants)]
        enc_q = encoded[len(texts) + len(variants):]
        sent_pooled = np.stack([e.pooled for e in enc_sent])

        # Sentences that speak to the evaluator, ask instead of answering, or only restate the
        # prompt earn nothing.
        evaluator = [i for i, t in enumerate(texts) if addresses_evaluator(t)]
        questions = [i for i, t in enumerate(texts) if t.rstrip(" *_\"'”)").endswith("?")]
        point_pooled = np.stack([e.pooled for e in enc_var])
        answer_words_of_rubric = {st for _, v in variants for st in content_stems(v)}
        restating = self._restating(texts, enc_sent, enc_q, question_stems,
                                    (sent_pooled @ point_pooled.T).max(axis=1),
                                    answer_words_of_rubric - question_stems)
        unusable = set(evaluator) | set(restating) | set(questions)
        usable = [i for i in range(len(sentences)) if i not in unusable]

        flags: list[str] = []
        novel = [st for i in usable for st in content_stems(texts[i])
                 if st not in question_stems and st not in _IDK_STEMS]
        if idk(answer, len(novel)):
            flags.append("idk")
        shape = structure([sentences[i] for i in usable] or sentences, spoken=spoken)
        if shape.keyword_list:
            flags.append("keyword_list")
            result.details["keyword_list"] = shape.describe()
        elif _reordered(answer, answer_words, rubric_text):
            flags.append("reordered_words")
        asked = sum(len(words(texts[i])) for i in questions)
        if questions and asked >= 0.5 * len(answer_words):
            flags.append("questions")
            result.details["questions"] = texts[questions[0]]
        if evaluator:
            flags.append("addresses_evaluator")
            result.details["addresses_evaluator"] = texts[evaluator[0]]
        restated_words = sum(len(words(texts[i])) for i in restating)
        if restating and (not usable or restated_words >= 0.5 * len(answer_words)):
            flags.append("copied_prompt" if not usable else "restates_prompt")
            result.details["restates_prompt"] = texts[restating[0]]

        tokens = _UsableTokens.of([e.vectors for e in enc_sent], usable, sent_pooled)
        relevance = (sent_pooled @ self.embedder.embed(context).T).max(axis=1) if context \
            else np.ones(len(sentences))
        reference_texts = [s.text for s in split_sentences(reference)]
        nearest: dict[int, str] = {}
        if reference_texts:
            to_reference = sent_pooled @ self.embedder.embed(reference_texts).T
            for i in range(len(sentences)):
                j = int(np.argmax(to_reference[i]))
                if float(to_reference[i, j]) >= REFERENCE_NEAR:
                    nearest[i] = reference_texts[j]
        coverages: list[Coverage] = []
        for point in key_points:
            scored: list[tuple[float, int, str, Vectors]] = []
            point_vectors: list[Vectors] = []
            for (kp, text), enc in zip(variants, enc_var, strict=True):
                if kp is not point:
                    continue
                if text is not point.text and len(set(content_stems(text))) < 2:
                    continue  # a one-word phrasing would give credit for naming a term
                point_vectors.append(enc.pooled)
                locals_ = _local_similarities(group_words(enc), enc.pooled, tokens,
                                              question_stems)
                for i, similarity in locals_.items():
                    relevance[i] = max(relevance[i], similarity + RELATED_BY_POINT)
                    local = similarity
                    if _phrase_present(text, texts[i], question_stems):
                        local = max(local, COVERAGE_HIGH)
                    scored.append((local, i, text, enc.pooled))
            # Denying a statement the rubric rules out makes the point ("a 3% offline gain is
            # not enough to skip the A/B test").
            for i in usable:
                for statement in point.must_not:
                    if stance(texts[i], statement) is False:
                        scored.append((DENIES_MUST_NOT, i, point.text, sent_pooled[i]))
            ruled_out = next(((i, m) for i in range(len(texts)) if i not in evaluator
                              for m in point.must_not if _states(m, texts[i])), None)
            coverages.append(self._judge_point(point, scored, sentences, sent_pooled,
                                               known_numbers, ruled_out, nearest))

        total = sum(k.weight for k in key_points)
        raw = sum(k.weight * c.coverage for k, c in zip(key_points, coverages, strict=True))
        raw /= total
        # An admission of not knowing with little of substance around it ("I'd have to look it
        # up with the analytics team ...") is evasive, however long.
        if "idk" not in flags and idk_cue(answer) is not None and raw < EVASIVE_BELOW:
            flags.append("evasive")
        factor = 1.0
        for flag in flags:
            factor *= PENALTIES.get(flag, 1.0)
        # Padding: when most of a long answer relates to no key point, what it does cover is
        # diluted in proportion (unrelated text must never raise a score).
        if usable and len(answer_words) >= PADDING_FROM_WORDS:
            related = sum(len(words(texts[i])) for i in usable if relevance[i] >= RELEVANT)
            share = related / max(1, sum(len(words(texts[i])) for i in usable))
            result.features["related_share"] = round(share, 4)
            if share < 0.5:
                flags.append("padding")
                dilution = (share / 0.5) ** 2
                factor *= dilution
                result.details["padding"] = (f"{1 - share:.0%} of the answer relates to no key "
                                             f"point; credit multiplied by {dilution:.2f}")
        contradicted = [c for c in coverages if c.contradicted is not None]
        if contradicted:
            flags.append("contradicts_key_point")
        result.coverages = coverages
        result.flags = flags
        result.factor = round(factor, 4)
        result.score = round(float(raw * factor), 4)
        result.features.update({
            "words": float(len(answer_words)),
            "content_score": result.score,
            "raw_content_score": round(float(raw), 4),
            "mean_similarity": round(float(np.mean([c.similarity for c in coverages])), 4),
        })
        return result

    def _restating(self, texts: list[str], enc_sent: list[Encoded], enc_q: list[Encoded],
                   question_stems: set[str], to_points: npt.NDArray[np.float32],
                   rubric_only: set[str]) -> list[int]:
        """Sentences that copy or paraphrase the prompt and add nothing of their own: closer
        to the prompt than to any key point, made of the prompt's words or near-synonyms, and
        without a word of the answer the prompt does not already give. ``to_points`` holds each
        sentence's highest cosine with a key point's wording; ``rubric_only`` the key points'
        words that the prompt does not use ("C++ programs begin execution at *main*")."""
        if not enc_q:
            return []
        q_pooled = np.stack([e.pooled for e in enc_q])
        q_tokens = np.concatenate([e.vectors for e in enc_q])
        out = []
        for i, enc in enumerate(enc_sent):
            cosine = float((q_pooled @ enc.pooled).max())
            if cosine < RESTATES_COSINE or cosine < float(to_points[i]) + 0.05:
                continue
            own = set(content_stems(texts[i]))
            if len(own & rubric_only) >= (1 if len(own) <= 8 else 2):
                continue
            overlap = len(own & question_stems) / max(1, len(own))
            if cosine > RESTATES_COPY and overlap > 0.7:
                out.append(i)
                continue
            if len(words(texts[i])) < RESTATES_MIN_WORDS:
                continue  # a short answer that echoes the question's words is still an answer
            grouped = group_words(enc)
            mask = np.array(grouped.content, dtype=bool)
            if not mask.any() or q_tokens.shape[0] == 0:
                continue
            precision = float(np.clip((enc.vectors[mask] @ q_tokens.T).max(axis=1), 0, 1).mean())
            if precision >= RESTATES_PRECISION:
                out.append(i)
        return out

    def _judge_point(self, point: KeyPointSpec, scored: list[tuple[float, int, str, Vectors]],
                     sentences: list[Sentence], sent_pooled: Vectors, known: frozenset[float],
                     ruled_out: tuple[int, str] | None, nearest: dict[int, str]) -> Coverage:
        """The best-supported coverage of one point: the closest sentences are judged, and a
        sentence that says the opposite as strongly as any other supports it decides; a
        sentence that states one of the point's ``must_not`` statements anywhere decides."""
        if not scored:
            return Coverage(point.id, 0.0, 0.0, None, point.text)
        if ruled_out is not None:
            return Coverage(point.id, 0.0, 0.0, None, point.text, sentences[ruled_out[0]],
                            f"states “{ruled_out[1]}”, which the rubric rules out")
        best_by_sentence: dict[int, tuple[float, str]] = {}
        for local, i, text, _ in scored:
            if i not in best_by_sentence or local > best_by_sentence[i][0]:
                best_by_sentence[i] = (local, text)
        ranked = sorted(best_by_sentence.items(), key=lambda item: (-item[1][0], item[0]))
        support: tuple[float, int, str] | None = None
        against: tuple[float, int, str] | None = None
        for i, (similarity, text) in ranked[:CANDIDATES]:
            if similarity < COVERAGE_LOW:
                break
            sentence = sentences[i].text
            reason = self._contradiction(point, text, sentence, i, sent_pooled, known,
                                         nearest.get(i))
            if reason is not None:
                if against is None:
                    against = (similarity, i, reason)
                continue
            # Undecided by the rules but leaning against the point (a negation or direction
            # word reversed): half the credit.
            local = similarity
            if min(leaning(sentence, s) for s in (text, point.text, nearest.get(i) or text)) < 0:
                local = COVERAGE_LOW + (similarity - COVERAGE_LOW) * LEANING_AGAINST
            if support is None or local > support[0]:
                support = (local, i, text)
        top_local, matched = ranked[0][1]
        if against is not None and (support is None or against[0] >= support[0] - 0.05
                                    or against[0] >= CONTRADICTION_DECIDES):
            return Coverage(point.id, 0.0, round(against[0], 4), None, matched,
                            sentences[against[1]], against[2])
        if support is None:
            return Coverage(point.id, 0.0, round(top_local, 4), None, matched)
        local, index, text = support
        coverage = _calibrate(local)
        return Coverage(point.id, round(coverage, 4), round(local, 4),
                        sentences[index] if coverage > 0 else None, text,
                        sentences[against[1]] if against is not None else None,
                        against[2] if against is not None else None)

    def _contradiction(self, point: KeyPointSpec, matched: str, sentence: str, index: int,
                       sent_pooled: Vectors, known: frozenset[float],
                       nearest: str | None) -> str | None:
        """Why ``sentence`` says the opposite of the point (the wording it matched, the point
        itself, or the reference answer's sentence nearest to it), or None when it does not."""
        statements = [matched, point.text] + ([nearest] if nearest else [])
        for statement in dict.fromkeys(statements):
            verdict = judge(sentence, statement, known)
            if verdict.relation is not Relation.CONTRADICTS:
                continue
            if not verdict.swapped:
                return verdict.reason
            # Swapped roles are confirmed by meaning: the sentence must be closer to the
            # statement with the words exchanged than to the statement itself.
            swapped = swap_words(statement, verdict.swapped)
            vectors = self.embedder.embed([statement, swapped])
            if float(sent_pooled[index] @ vectors[1]) > \
                    float(sent_pooled[index] @ vectors[0]) + SWAP_MARGIN:
                return verdict.reason
        return None


@dataclass(frozen=True)
class _UsableTokens:
    """The token vectors of an answer's usable sentences, stacked once for every key point."""

    index: npt.NDArray[np.int64]
    """the usable sentences' indices"""
    stacked: Vectors
    starts: npt.NDArray[np.int64]
    """where each usable sentence with tokens starts in ``stacked``"""
    filled: npt.NDArray[np.int64]
    """positions (in ``index``) of the usable sentences that have tokens"""
    adjacent: npt.NDArray[np.bool_]
    """whether usable sentence p + 1 directly follows usable sentence p"""
    pooled: Vectors

    @classmethod
    def of(cls, sentences: list[Vectors], usable: list[int],
           sent_pooled: Vectors) -> _UsableTokens:
        index = np.array(usable, dtype=np.int64)
        lengths = np.array([sentences[i].shape[0] for i in usable], dtype=np.int64)
        filled = np.flatnonzero(lengths > 0)
        stacked = (np.concatenate([sentences[i] for i in usable]) if usable
                   else np.zeros((0, 0), dtype=np.float32))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)[filled] \
            if usable else np.zeros(0, dtype=np.int64)
        return cls(index, stacked, starts, filled, index[1:] == index[:-1] + 1,
                   sent_pooled[index] if usable else sent_pooled[:0])


def _local_similarities(point: _Words, pooled: Vectors, tokens: _UsableTokens,
                        demoted: set[str]) -> dict[int, float]:
    """Each usable sentence's similarity to one wording of a key point.

    Token alignment (the point's content tokens matched in the sentence, and in the sentence
    with its neighbours, so a point made across two sentences still counts) weighs
    ``TOKEN_WEIGHT``, counted only in proportion to how on-topic the sentence is; the pooled
    cosine weighs the rest.
    """
    if not tokens.index.size:
        return {}
    mask = _content_mask(point, demoted)
    vectors = point.encoded.vectors[mask]
    # best[t, p]: how well the point's t-th content token is matched in the p-th usable
    # sentence (0 for a sentence without tokens)
    best = np.zeros((vectors.shape[0], tokens.index.size), dtype=np.float32)
    if tokens.filled.size:
        sims = vectors @ tokens.stacked.T
        best[:, tokens.filled] = np.maximum.reduceat(sims, tokens.starts, axis=1)
    best = np.clip(best, 0.0, 1.0)
    own = best.mean(axis=0)
    # the same with each sentence's usable neighbours: a point made across two sentences
    near = best.copy()
    if tokens.index.size > 1:
        adjacent = tokens.adjacent
        near[:, 1:] = np.where(adjacent, np.maximum(near[:, 1:], best[:, :-1]), near[:, 1:])
        near[:, :-1] = np.where(adjacent, np.maximum(near[:, :-1], best[:, 1:]), near[:, :-1])
    cosines = tokens.pooled @ pooled
    topical = np.clip((cosines - TOPIC_FLOOR) / TOPIC_SPAN, 0.0, 1.0)
    values = (TOKEN_WEIGHT * 0.5 * (near.mean(axis=0) + own) * topical
              + (1 - TOKEN_WEIGHT) * cosines)
    return {int(i): float(v) for i, v in zip(tokens.index, values, strict=True)}


def _states(statement: str, sentence: str) -> bool:
    """Whether ``sentence`` makes ``statement``: one of its clauses has nearly all the
    statement's content words, and it does not say the opposite."""
    return states(sentence, statement) and not negated(sentence, statement)



def _phrase_present(phrase: str, sentence: str, question: set[str] | None = None) -> bool:
    """A phrasing appears in the sentence word for word (stems, in order), and says more than
    the question already did."""
    wanted = content_stems(phrase)
    if len(wanted) < 2 or (question is not None and set(wanted) <= question):
        return False
    if question is not None and len(wanted) < 4:
        return False  # naming a short phrase ("the old warning signs") is not making the point
    have = content_stems(sentence)
    for start in range(len(have) - len(wanted) + 1):
        if have[start:start + len(wanted)] == wanted:
            return not negated(sentence, phrase)
    return False


def _reordered(answer: str, answer_words: list[str], rubric_text: str) -> bool:
    """The rubric's own words strung together in an order of the answer's making."""
    if not rubric_text or len(answer_words) < 8:
        return False
    rubric_stems = set(content_stems(rubric_text))
    own = content_stems(answer)
    if not own:
        return False
    unigram = sum(s in rubric_stems for s in own) / len(own)
    rubric_bigrams = set(pairwise(content_stems(rubric_text)))
    own_bigrams = list(pairwise(own))
    bigram = (sum(b in rubric_bigrams for b in own_bigrams) / len(own_bigrams)
              if own_bigrams else 0.0)
    return unigram >= 0.85 and bigram < 0.15


def idk_like(answer: str) -> bool:
    """Whether the answer is a short "I don't know"."""
    return len(words(answer)) <= 25 and bool(IDK.search(answer))


_IDK_STEMS = frozenset(content_stems(
    "sorry honestly unfortunately question answer think guess idea clue topic know knowledge "
    "remember sure unsure afraid really actually currently able familiar expert area field "
    "expertise experience background look google search check learned studied covered seen "
    "heard beyond outside help would need have"))


__all__ = ["ContentResult", "ContentScorer", "Coverage", "KeyPointSpec", "idk_like", "normalise"]
