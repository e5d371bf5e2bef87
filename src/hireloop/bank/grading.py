"""Grading a submission through its exercise's kind, so a crash is never a silent zero."""

from __future__ import annotations

import traceback
from pathlib import Path

from hireloop.core import Exercise, Grade, Kind, Submission, Variant


class GradingUnavailable(Exception):  # noqa: N818 - reads as the domain's word
    """The exercise's kind cannot grade yet (its grader has not landed or failed to load)."""


def grade(kind: Kind, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
    """Grade with the kind's grader; an exception becomes an ``error`` outcome, never a score."""
    if kind.grading_unavailable:
        raise GradingUnavailable(kind.grading_unavailable)
    try:
        result = kind.grade(exercise, variant, submission)
    except Exception as exc:
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return Grade.failed(exercise.id, variant.seed, kind.grader_id,
                            f"the {kind.name} grader failed: {detail}")
    if result.exercise_id != exercise.id or result.seed != variant.seed:
        return Grade.failed(exercise.id, variant.seed, kind.grader_id,
                            "the grader returned a grade for another exercise or variant")
    return result


def read_submission(kind: Kind, exercise: Exercise, variant: Variant, path: Path) -> Submission:
    """Read a submission file or directory through the kind."""
    return kind.read_submission(exercise, variant, path)
