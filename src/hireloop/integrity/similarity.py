"""Similarity between answers to the same exercise: who shares what with whom, and where.

Code is compared by winnowed fingerprints of normalised tokens (``fingerprints``); prose by
word shingles for near copies and by sentence embeddings (the offline MiniLM model of
``hireloop.nlp.embeddings``) for paraphrases. What every candidate was given (the starter
code, the prompt) is left out of every comparison, so it never makes two answers look alike.

An ``Index`` holds many answers: it finds the answers that share fingerprints with a new one
through an inverted index (so a new answer costs the lookups of its own hashes, not a
comparison with every answer), and all pairs of a set at once through one sparse product.

Similarity informs a person; it never changes a score or decides anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from hireloop.core.grade import Flag
from hireloop.integrity.fingerprints import (
    Fingerprint,
    Span,
    code_fingerprint,
    text_fingerprint,
)

Medium = Literal["code", "text"]
Role = Literal["submission", "reference", "sample", "known_solution"]

CODE_THRESHOLD = 0.5
"""code answers at least this similar (shared fingerprints, Dice) are flagged"""
TEXT_THRESHOLD = 0.4
"""prose answers at least this similar (shared shingles, or paraphrased sentences) are flagged"""
PARAPHRASE_COSINE = 0.9
"""two sentences this close (MiniLM cosine) say the same thing in other words"""
MIN_HASHES = 6
"""an answer with fewer fingerprints than this (after the given code is left out) is too small
to call a copy of anything"""
NEAR = 40
"""matched spans this close (in characters) on both sides join one region"""
MAX_REGIONS = 40
"""regions kept per match (the largest), so a flag stays small"""

FLAG_CODES: dict[Role, str] = {
    "reference": "matches_reference",
    "sample": "matches_sample",
    "known_solution": "matches_known_solution",
    "submission": "matches_submission",
}
"""the flag raised for a match, by what was matched"""


@dataclass
class Document:
    """One answer (or reference) as similarity sees it."""

    name: str
    """how a reviewer knows it: a file name, ``hidden/reference.py``, an answer's label"""
    text: str
    """the text compared (code, or prose)"""
    medium: Medium
    role: Role = "submission"
    fingerprint: Fingerprint = field(init=False)
    _sentences: tuple[list[Span], np.ndarray] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.fingerprint = (code_fingerprint(self.text) if self.medium == "code"
                            else text_fingerprint(self.text))

    def sentences(self) -> tuple[list[Span], np.ndarray]:
        """Prose only: the sentences' spans and their unit vectors (computed once)."""
        if self._sentences is None:
            from hireloop.nlp.embeddings import shared_embedder
            from hireloop.nlp.text import split_sentences

            found = [s for s in split_sentences(self.text) if len(s.text.split()) >= 5]
            spans = [Span(s.start, s.end) for s in found]
            vectors = (shared_embedder().embed([s.text for s in found]) if found
                       else np.zeros((0, 384), dtype=np.float32))
            self._sentences = (spans, vectors)
        return self._sentences


@dataclass(frozen=True)
class Region:
    """A part of one answer and the part of the other it matches."""

    a: Span
    b: Span

    def as_json(self, a_text: str, b_text: str) -> dict[str, Any]:
        """Offsets, line numbers and the matched text of both sides."""
        return {"a": _side(self.a, a_text), "b": _side(self.b, b_text)}


def _side(span: Span, text: str) -> dict[str, Any]:
    return {"start": span.start, "end": span.end,
            "lines": [text.count("\n", 0, span.start) + 1,
                      text.count("\n", 0, max(span.start, span.end - 1)) + 1]}


@dataclass
class Match:
    """Two answers found alike: how much, by which method, and where."""

    a: Document
    b: Document
    similarity: float
    """in [0, 1]"""
    method: str
    """``tokens`` (code fingerprints), ``shingles`` (shared word runs) or ``paraphrase``"""
    found_regions: tuple[Region, ...] | None = None
    shared: frozenset[int] = frozenset()
    """the shared hashes, from which regions are worked out when first asked for"""

    @property
    def regions(self) -> tuple[Region, ...]:
        """The matched parts of both answers (worked out once, when a person will see them)."""
        if self.found_regions is None:
            self.found_regions = tuple(shared_regions(self.a, self.b, self.shared))
        return self.found_regions

    def as_json(self) -> dict[str, Any]:
        """The match as the CLI and the platform store it."""
        return {
            "a": self.a.name, "b": self.b.name, "b_role": self.b.role,
            "similarity": round(self.similarity, 3), "method": self.method,
            "regions": [r.as_json(self.a.text, self.b.text) for r in self.regions],
        }

    def flag(self, detail_name: str | None = None) -> Flag:
        """The flag for answer ``a``: one shape for every kind and every match."""
        role = self.b.role
        name = detail_name or self.b.name
        what = {"reference": "the exercise's reference solution",
                "sample": "one of the exercise's exemplary samples",
                "known_solution": "a known public solution",
                "submission": "another submission"}[role]
        lines = ", ".join(f"{r['a']['lines'][0]}–{r['a']['lines'][1]}"
                          for r in (x.as_json(self.a.text, self.b.text) for x in self.regions[:6]))
        detail = (f"{self.similarity:.0%} similar to {what} ({name}) by {self.method}"
                  + (f"; matching lines {lines}" if lines and self.a.medium == "code" else "")
                  + ". Look at the matched regions; this alone decides nothing.")
        return Flag(code=FLAG_CODES[role], detail=detail, similarity=round(self.similarity, 3),
                    method=self.method, other={"role": role, "name": name},
                    regions=[r.as_json(self.a.text, self.b.text) for r in self.regions])


def threshold(medium: Medium) -> float:
    """The similarity from which a match is flagged."""
    return CODE_THRESHOLD if medium == "code" else TEXT_THRESHOLD


def _usable(fp: Fingerprint, ignore: frozenset[int]) -> frozenset[int]:
    return fp.hash_set() - ignore


def shared_regions(a: Document, b: Document, shared: frozenset[int] | set[int]) -> list[Region]:
    """The parts of ``a`` and ``b`` covered by shared hashes, paired and merged into regions."""
    first_in_b: dict[int, Span] = {}
    for h, span in zip(b.fingerprint.hashes, b.fingerprint.spans, strict=True):
        if h in shared and h not in first_in_b:
            first_in_b[h] = span
    pairs = sorted((span, first_in_b[h])
                   for h, span in zip(a.fingerprint.hashes, a.fingerprint.spans, strict=True)
                   if h in first_in_b)
    regions: list[list[int]] = []
    for sa, sb in pairs:
        if regions:
            ra = regions[-1]
            if sa.start <= ra[1] + 1 and ra[2] - NEAR <= sb.start <= ra[3] + NEAR:
                ra[1] = max(ra[1], sa.end)
                ra[2] = min(ra[2], sb.start)
                ra[3] = max(ra[3], sb.end)
                continue
        regions.append([sa.start, sa.end, sb.start, sb.end])
    regions.sort(key=lambda r: -(r[1] - r[0]))
    kept = sorted(regions[:MAX_REGIONS], key=lambda r: r[0])
    return [Region(Span(r[0], r[1]), Span(r[2], r[3])) for r in kept]


def dice(a: frozenset[int], b: frozenset[int]) -> float:
    """2|A∩B| / (|A| + |B|): how much of both answers is shared."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def paraphrase(a: Document, b: Document) -> tuple[float, list[Region]]:
    """The share of both answers' sentences that have a near-identical sentence in the other
    (cosine ≥ ``PARAPHRASE_COSINE``), weighted by length, and those sentence pairs."""
    spans_a, va = a.sentences()
    spans_b, vb = b.sentences()
    if not spans_a or not spans_b:
        return 0.0, []
    cosine = va @ vb.T
    best_b = cosine.argmax(axis=1)
    hit_a = cosine.max(axis=1) >= PARAPHRASE_COSINE
    hit_b = cosine.max(axis=0) >= PARAPHRASE_COSINE
    len_a = np.array([s.end - s.start for s in spans_a], dtype=float)
    len_b = np.array([s.end - s.start for s in spans_b], dtype=float)
    share = float((len_a[hit_a].sum() + len_b[hit_b].sum()) / (len_a.sum() + len_b.sum()))
    regions = [Region(spans_a[i], spans_b[int(best_b[i])]) for i in np.flatnonzero(hit_a)]
    return share, regions


def compare(a: Document, b: Document, ignore: frozenset[int] = frozenset(),
            *, embeddings: bool = True) -> Match | None:
    """How alike two answers of the same medium are (None: too small to say)."""
    ha, hb = _usable(a.fingerprint, ignore), _usable(b.fingerprint, ignore)
    if len(ha) < MIN_HASHES or len(hb) < MIN_HASHES:
        return None
    shared = ha & hb
    similarity = dice(ha, hb)
    method = "tokens" if a.medium == "code" else "shingles"
    if a.medium == "text" and embeddings and similarity < TEXT_THRESHOLD:
        share, sentence_regions = paraphrase(a, b)
        if share > similarity:
            return Match(a, b, share, "paraphrase", tuple(sentence_regions))
    # regions are what a reviewer reads: worked out only for pairs that are shown
    return Match(a, b, similarity, method, shared=frozenset(shared))


class Index:
    """Many answers of one exercise (one medium), searchable by shared fingerprints."""

    def __init__(self, medium: Medium, ignore: frozenset[int] = frozenset()) -> None:
        self.medium: Medium = medium
        self.ignore = ignore
        """hashes of what every candidate was given (left out everywhere)"""
        self.documents: list[Document] = []
        self._hashes: list[frozenset[int]] = []
        self._postings: dict[int, list[int]] = defaultdict(list)

    def add(self, document: Document) -> int:
        """Index a document; returns its position."""
        position = len(self.documents)
        usable = _usable(document.fingerprint, self.ignore)
        self.documents.append(document)
        self._hashes.append(usable)
        for h in usable:
            self._postings[h].append(position)
        return position

    def candidates(self, document: Document) -> dict[int, int]:
        """Indexed documents sharing at least one hash with ``document``: position → shared."""
        counts: dict[int, int] = defaultdict(int)
        for h in _usable(document.fingerprint, self.ignore):
            for position in self._postings.get(h, ()):
                counts[position] += 1
        return counts

    def search(self, document: Document, *, embeddings: bool = True) -> list[Match]:
        """Matches of ``document`` at or above the threshold, most similar first. Only documents
        that could reach the threshold by shared hashes are compared in full (and, for prose,
        those whose paraphrases might: every indexed answer when embeddings are on)."""
        own = _usable(document.fingerprint, self.ignore)
        limit = threshold(self.medium)
        found: list[Match] = []
        counts = self.candidates(document)
        positions: Iterable[int]
        if self.medium == "text" and embeddings:
            positions = range(len(self.documents))
        else:
            positions = [p for p, n in counts.items()
                         if 2 * n / (len(own) + len(self._hashes[p]) or 1) >= limit]
        for position in positions:
            other = self.documents[position]
            if other is document:
                continue
            match = compare(document, other, self.ignore, embeddings=embeddings)
            if match is not None and match.similarity >= limit:
                found.append(match)
        return sorted(found, key=lambda m: -m.similarity)

    def all_pairs(self, *, embeddings: bool = True) -> list[Match]:
        """Every pair of indexed documents at or above the threshold, most similar first.

        Shared-hash counts for all pairs come from one sparse product (documents × hashes);
        only pairs that reach the threshold by those counts are compared in full."""
        from scipy import sparse

        n = len(self.documents)
        if n < 2:
            return []
        column: dict[int, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        for i, hashes in enumerate(self._hashes):
            for h in hashes:
                rows.append(i)
                cols.append(column.setdefault(h, len(column)))
        matrix = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)),
                                   shape=(n, max(1, len(column))))
        shared = (matrix @ matrix.T).tocoo()
        sizes = np.array([len(h) for h in self._hashes], dtype=float)
        upper = shared.row < shared.col
        i, j, counts = shared.row[upper], shared.col[upper], shared.data[upper]
        scores = 2 * counts / np.maximum(sizes[i] + sizes[j], 1)
        limit = threshold(self.medium)
        pairs: set[tuple[int, int]] = {(int(x), int(y)) for x, y in
                                       zip(i[scores >= limit], j[scores >= limit], strict=True)}
        if self.medium == "text" and embeddings:
            pairs |= self._paraphrase_candidates()
        found = []
        for x, y in sorted(pairs):
            match = compare(self.documents[x], self.documents[y], self.ignore,
                            embeddings=embeddings)
            if match is not None and match.similarity >= limit:
                found.append(match)
        return sorted(found, key=lambda m: -m.similarity)

    def _paraphrase_candidates(self) -> set[tuple[int, int]]:
        """Pairs of prose answers with any sentence pair close enough to be a paraphrase."""
        sentence_sets = [d.sentences()[1] for d in self.documents]
        pairs: set[tuple[int, int]] = set()
        for x in range(len(sentence_sets)):
            for y in range(x + 1, len(sentence_sets)):
                va, vb = sentence_sets[x], sentence_sets[y]
                if len(va) and len(vb) and float((va @ vb.T).max()) >= PARAPHRASE_COSINE:
                    pairs.add((x, y))
        return pairs


def check_against(document: Document, sources: Sequence[Document],
                  ignore: frozenset[int] = frozenset(), *, embeddings: bool = True
                  ) -> list[Match]:
    """Matches of one answer with the exercise's references, samples and known solutions."""
    found = []
    for source in sources:
        match = compare(document, source, ignore, embeddings=embeddings)
        if match is not None and match.similarity >= threshold(document.medium):
            found.append(match)
    return sorted(found, key=lambda m: -m.similarity)
