"""Similarity on the platform: each graded answer is fingerprinted, indexed in the database and
compared with the other answers of the same exercise (interviews with interviews, practice
with practice). Runs in the grading process after the grade is stored; it never touches the
grade's score.

A new code answer is compared in full only with the answers its hashes already point at (one
indexed query), so its cost grows with the answers it resembles, not with all answers. Prose
answers are also compared sentence by sentence with every prose answer of the exercise, since
a paraphrase shares no shingles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from hireloop.core import Exercise, Grade, Kind, Submission, Variant
from hireloop.db.models import Answer, SimilarityHash, SimilarityMatch, SimilarityPrint
from hireloop.integrity import Document, exercise_sources
from hireloop.integrity.similarity import Match, Medium, compare, threshold


def scope_of(answer: Answer) -> str:
    """``interview`` or ``practice``: the pools that are compared, each only with itself."""
    return "interview" if answer.interview_id is not None else "practice"


def label(answer_id: int) -> str:
    """How a stored answer is named in a match."""
    return f"answer {answer_id}"


@dataclass
class Indexed:
    """An answer's index entries and its matches, computed from a read of the database; the
    write that stores them (``store``) is short."""

    answer_id: int
    exercise_id: str
    scope: str
    medium: Medium
    text: str
    hashes: list[int]
    ignore: frozenset[int]
    document: Document
    seen: set[int] = field(default_factory=set)
    """the other answers already compared"""
    matches: list[tuple[int, Match]] = field(default_factory=list)
    """(the other answer's id, the match), regions already worked out"""


def index(session: Session, kind: Kind, exercise: Exercise, variant: Variant, answer: Answer,
          submission: Submission, grade: Grade | None) -> Indexed | None:
    """Fingerprint the answer and compare it with the indexed answers of its exercise and scope
    (reads only: the slow part, the comparisons, holds no write lock). None when the answer is
    not compared (the kind has no comparable text, or the answer is empty)."""
    sources = exercise_sources(kind, exercise, variant)
    if sources is None:
        return None
    text = kind.comparable_text(submission, grade)
    if not text.strip():
        return None
    document = Document(label(answer.id), text, sources.medium)
    hashes = sorted(document.fingerprint.hash_set() - sources.ignore)
    indexed = Indexed(answer.id, exercise.id, scope_of(answer), sources.medium, text, hashes,
                      sources.ignore, document)
    _compare_with(indexed, _candidates(session, indexed.exercise_id, indexed.scope, answer.id,
                                       hashes, indexed.medium))
    return indexed


def _compare_with(indexed: Indexed, candidates: list[tuple[int, str]]) -> None:
    for other_id, other_text in candidates:
        if other_id in indexed.seen:
            continue
        indexed.seen.add(other_id)
        other = Document(label(other_id), other_text, indexed.medium)
        match = compare(indexed.document, other, indexed.ignore)
        if match is not None and match.similarity >= threshold(indexed.medium):
            _ = match.regions        # worked out here, not in the write transaction
            indexed.matches.append((other_id, match))


def store(session: Session, answer_id: int, indexed: Indexed | None) -> list[Match]:
    """Replace what an earlier grade of the answer indexed with ``indexed`` and its matches,
    in the caller's (write) transaction. Answers indexed between ``index`` and this write are
    compared here, so two answers indexed at the same time still meet."""
    session.execute(delete(SimilarityHash).where(SimilarityHash.answer_id == answer_id))
    session.execute(delete(SimilarityPrint).where(SimilarityPrint.answer_id == answer_id))
    session.execute(delete(SimilarityMatch).where(or_(
        SimilarityMatch.answer_id == answer_id, SimilarityMatch.other_answer_id == answer_id)))
    if indexed is None:
        return []
    _compare_with(indexed, _candidates(session, indexed.exercise_id, indexed.scope, answer_id,
                                       indexed.hashes, indexed.medium))
    session.add(SimilarityPrint(answer_id=answer_id, exercise_id=indexed.exercise_id,
                                scope=indexed.scope, medium=indexed.medium, text=indexed.text))
    session.add_all(SimilarityHash(answer_id=answer_id, exercise_id=indexed.exercise_id,
                                   scope=indexed.scope, hash=h) for h in indexed.hashes)
    present = set(session.scalars(select(Answer.id).where(
        Answer.id.in_([other_id for other_id, _ in indexed.matches]))))
    found = []
    for other_id, match in indexed.matches:
        if other_id not in present:      # deleted since it was read
            continue
        found.append(match)
        regions = [r.as_json(indexed.text, match.b.text) for r in match.regions]
        session.add(SimilarityMatch(answer_id=answer_id, other_answer_id=other_id,
                                    similarity=round(match.similarity, 3), method=match.method,
                                    regions=regions))
        session.add(SimilarityMatch(answer_id=other_id, other_answer_id=answer_id,
                                    similarity=round(match.similarity, 3), method=match.method,
                                    regions=[{"a": r["b"], "b": r["a"]} for r in regions]))
    return found


def record(session: Session, kind: Kind, exercise: Exercise, variant: Variant, answer: Answer,
           submission: Submission, grade: Grade | None) -> list[Match]:
    """Index the answer (replacing what an earlier grade of it indexed) and store its matches
    with the other answers of its exercise and scope, in one session. Returns the matches
    found. (The grading process uses ``index`` and ``store`` in two transactions instead, so
    the comparisons hold no write lock.)"""
    return store(session, answer.id,
                 index(session, kind, exercise, variant, answer, submission, grade))


def _candidates(session: Session, exercise_id: str, scope: str, answer_id: int,
                hashes: Sequence[int], medium: str) -> list[tuple[int, str]]:
    """Answers that could reach the threshold: by shared hashes (from the index), and for prose
    every answer (paraphrases share no hashes)."""
    if medium == "text":
        rows = session.execute(select(SimilarityPrint.answer_id, SimilarityPrint.text).where(
            SimilarityPrint.exercise_id == exercise_id, SimilarityPrint.scope == scope,
            SimilarityPrint.answer_id != answer_id)).all()
        return [(r[0], r[1]) for r in rows]
    if not hashes:
        return []
    shared: dict[int, int] = {}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start:start + 500]
        for other_id, count in session.execute(
                select(SimilarityHash.answer_id, func.count()).where(
                    SimilarityHash.exercise_id == exercise_id, SimilarityHash.scope == scope,
                    SimilarityHash.hash.in_(chunk), SimilarityHash.answer_id != answer_id)
                .group_by(SimilarityHash.answer_id)).all():
            shared[other_id] = shared.get(other_id, 0) + count
    if not shared:
        return []
    sizes = dict(session.execute(
        select(SimilarityHash.answer_id, func.count())
        .where(SimilarityHash.answer_id.in_(list(shared)))
        .group_by(SimilarityHash.answer_id)).all())
    limit = threshold("code")
    keep = [i for i, n in shared.items() if 2 * n / (len(hashes) + sizes.get(i, 0)) >= limit]
    if not keep:
        return []
    rows = session.execute(select(SimilarityPrint.answer_id, SimilarityPrint.text)
                           .where(SimilarityPrint.answer_id.in_(keep))).all()
    return [(r[0], r[1]) for r in rows]


def matches_of(session: Session, answer_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    """Stored matches of these answers, most similar first, each with the other answer's row
    and both texts (the review page shows them side by side)."""
    if not answer_ids:
        return {}
    rows = session.scalars(select(SimilarityMatch)
                           .where(SimilarityMatch.answer_id.in_(list(answer_ids)))
                           .order_by(SimilarityMatch.similarity.desc())).all()
    texts = dict(session.execute(select(SimilarityPrint.answer_id, SimilarityPrint.text).where(
        SimilarityPrint.answer_id.in_({r.answer_id for r in rows} | {r.other_answer_id
                                                                     for r in rows}))).all())
    out: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        other = session.get(Answer, row.other_answer_id)
        if other is None:
            continue
        out.setdefault(row.answer_id, []).append({
            "similarity": row.similarity, "method": row.method, "regions": row.regions,
            "other": other, "text": texts.get(row.answer_id, ""),
            "other_text": texts.get(row.other_answer_id, ""),
        })
    return out


def side_by_side(text: str, other_text: str, regions: Sequence[dict[str, Any]]
                 ) -> dict[str, list[tuple[str, int | None]]]:
    """Both texts cut into pieces, each matched piece numbered by its region (the same number
    on both sides), for showing two answers next to each other."""
    return {
        "left": highlighted(text, [(r["a"]["start"], r["a"]["end"], i)
                                   for i, r in enumerate(regions)]),
        "right": highlighted(other_text, [(r["b"]["start"], r["b"]["end"], i)
                                          for i, r in enumerate(regions)]),
    }


def source_text(kind: Kind, exercise: Exercise, variant: Variant, name: str) -> str | None:
    """The text of one of the exercise's own solutions, by the name a flag gives it."""
    sources = exercise_sources(kind, exercise, variant)
    for document in sources.documents if sources is not None else ():
        if document.name == name:
            return document.text
    return None


def highlighted(text: str, spans: Sequence[tuple[int, int, int]]) -> list[tuple[str, int | None]]:
    """``text`` cut into pieces, each with the number of the region that covers it (None: not
    matched); ``spans`` are (start, end, region number)."""
    marks: list[int | None] = [None] * len(text)
    for start, end, number in spans:
        for i in range(max(0, start), min(len(text), end)):
            if marks[i] is None:
                marks[i] = number
    pieces: list[tuple[str, int | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or marks[i] != marks[start]:
            pieces.append((text[start:i], marks[start]))
            start = i
    return pieces
