"""Integrity: similarity across submissions and against an exercise's own solutions.

It produces flags for people, never verdicts: nothing here changes a score.
"""

from __future__ import annotations

from dataclasses import dataclass

from hireloop.core import Exercise, Grade, Kind, Submission, Variant
from hireloop.integrity.similarity import (
    Document,
    Index,
    Match,
    Medium,
    Role,
    check_against,
    threshold,
)

__all__ = [
    "Document",
    "ExerciseSources",
    "Index",
    "Match",
    "check_against",
    "exercise_sources",
    "flag_grade",
    "threshold",
]


@dataclass(frozen=True)
class ExerciseSources:
    """What an exercise's answers are compared with, and what is left out of comparisons."""

    medium: Medium
    documents: tuple[Document, ...]
    """the reference solutions, exemplary samples and known public solutions"""
    ignore: frozenset[int]
    """fingerprints of what every candidate is given (starter code, prompt)"""


def exercise_sources(kind: Kind, exercise: Exercise, variant: Variant) -> ExerciseSources | None:
    """The exercise's own solutions as documents; None when the kind is not compared."""
    medium = kind.similarity
    if medium is None:
        return None
    documents: list[Document] = []
    seen: set[str] = set()

    def add(name: str, text: str | None, role: Role) -> None:
        if text is not None and text.strip() and text not in seen:
            seen.add(text)
            documents.append(Document(name, text, medium, role))

    for name, text in kind.references(exercise, variant).items():
        add(name, text, "reference")
    for sample in exercise.samples:
        if sample.role != "exemplary" and sample.file != "hidden/reference.py":
            continue
        sample_text = _exercise_file(exercise, sample.file)
        if sample_text is not None and sample.template:
            sample_text = exercise.render(sample_text, variant)
        add(f"sample {sample.name}", sample_text, "sample")
    for name in exercise.meta.known_solutions:
        add(name, _exercise_file(exercise, name), "known_solution")
    given = Document("given", kind.given_text(exercise, variant), medium)
    return ExerciseSources(medium, tuple(documents), given.fingerprint.hash_set())


def _exercise_file(exercise: Exercise, name: str) -> str | None:
    try:
        if name.startswith("hidden/"):
            return exercise.hidden.read_text(name[len("hidden/"):])
        return (exercise.path / name).read_text(encoding="utf-8")
    except (KeyError, OSError, UnicodeDecodeError):
        return None


def flag_grade(kind: Kind, exercise: Exercise, variant: Variant, submission: Submission,
               grade: Grade, *, name: str = "this submission") -> Grade:
    """The grade with a flag for each of the exercise's own solutions the submission is close
    to. The score, criteria and outcome are unchanged; nothing else is compared here."""
    sources = exercise_sources(kind, exercise, variant)
    if sources is None or submission.is_empty:
        return grade
    text = kind.comparable_text(submission, grade)
    if not text.strip():
        return grade
    document = Document(name, text, sources.medium)
    flags = [m.flag() for m in check_against(document, sources.documents, sources.ignore)]
    if not flags:
        return grade
    return grade.model_copy(update={"flags": [*grade.flags, *flags]})
