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
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from hireloop.core import Exercise, Grade, Kind, Submission, Variant
from hireloop.db.models import Answer, SimilarityHash, SimilarityMatch, SimilarityPrint
from hireloop.integrity import Document, exercise_sources
from hireloop.integrity.similarity import Match, compare, threshold


def scope_of(answer: Answer) -> str:
    """``interview`` or ``practice``: the pools that are compared, each only with itself."""
    return "interview" if answer.interview_id is not None else "practice"


def label(answer_id: int) -> str:
    """How a stored answer is named in a match."""
    return f"answer {answer_id}"


def record(session: Session, kind: Kind, exercise: Exercise, variant: Variant, answer: Answer,
           submission: Submission, grade: Grade | None) -> list[Match]:
    """Index the answer (replacing what an earlier grade of it indexed) and store its matches
    with the other answers of its exercise and scope. Returns the matches found."""
    session.execute(delete(SimilarityHash).where(SimilarityHash.answer_id == answer.id))
    session.execute(delete(SimilarityPrint).where(SimilarityPrint.answer_id == answer.id))
    session.execute(delete(SimilarityMatch).where(or_(
        SimilarityMatch.answer_id == answer.id, SimilarityMatch.other_answer_id == answer.id)))
    sources = exercise_sources(kind, exercise, variant)
    if sources is None:
        return []
    text = kind.comparable_text(submission, grade)
    if not text.strip():
        return []
    scope = scope_of(answer)
    document = Document(label(answer.id), text, sources.medium)
    hashes = sorted(document.fingerprint.hash_set() - sources.ignore)
    session.add(SimilarityPrint(answer_id=answer.id, exercise_id=exercise.id, scope=scope,
                                medium=sources.medium, text=text))
    session.add_all(SimilarityHash(answer_id=answer.id, exercise_id=exercise.id, scope=scope,
                                   hash=h) for h in hashes)
    session.flush()
    found = []
    for other_id, other_text in _candidates(session, exercise.id, scope, answer.id, hashes,
                                            sources.medium):
        other = Document(label(other_id), other_text, sources.medium)
        match = compare(document, other, sources.ignore)
        if match is None or match.similarity < threshold(sources.medium):
            continue
        found.append(match)
        regions = [r.as_json(document.text, other.text) for r in match.regions]
        session.add(SimilarityMatch(answer_id=answer.id, other_answer_id=other_id,
                                    similarity=round(match.similarity, 3), method=match.method,
                                    regions=regions))
        session.add(SimilarityMatch(answer_id=other_id, other_answer_id=answer.id,
                                    similarity=round(match.similarity, 3), method=match.method,
                                    regions=[{"a": r["b"], "b": r["a"]} for r in regions]))
    return found


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
