"""Coverage of a draft while it is written: the text grader on the current draft, and what
each reader may see of it. Interviewers (the live room's panel) read the key points covered
and missing, with their wording, and follow-up questions; a practicer reads how many points
the draft covers and the authored hints of the others, never a point's wording."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hireloop.core import Submission
from hireloop.hiring.service import Platform
from hireloop.live.rooms import Point, checklist, follow_ups

COVERED = 0.75
"""a key point counts as covered from this share of its points (as in the grade's feedback)"""


@dataclass(frozen=True)
class Coverage:
    """The text grader's reading of a draft."""

    points: list[Point]
    covered: set[str]
    """labels of the key points covered"""
    score: float
    chars: int


def of_draft(platform: Platform, exercise_id: str, seed: int, text: str,
             points: list[Point] | None = None) -> Coverage | None:
    """Grade a draft with its exercise's text grader; None for exercises without key points."""
    if points is None:
        points = checklist(platform, exercise_id)
    if not points:
        return None
    covered: set[str] = set()
    score = 0.0
    if text.strip():
        grade = platform.runtime.grade_submission(Submission(exercise_id=exercise_id,
                                                             seed=seed, text=text))
        score = float(grade.score or 0.0)
        covered = {c.name for c in grade.criteria
                   if c.max_points > 0 and c.points / c.max_points >= COVERED}
    return Coverage(points, covered, score, len(text))


def for_interviewers(coverage: Coverage) -> dict[str, Any]:
    points, covered = coverage.points, coverage.covered
    return {
        "covered": [f"{p.label}: {p.text}" for p in points if p.label in covered],
        "missing": [f"{p.label}: {p.text}" for p in points if p.label not in covered],
        "follow_ups": follow_ups(points, covered),
        "score": round(coverage.score, 3),
        "at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "chars": coverage.chars,
    }


def for_practicers(coverage: Coverage) -> dict[str, Any]:
    missing = [p for p in coverage.points if p.label not in coverage.covered]
    return {
        "covered": len(coverage.points) - len(missing),
        "points": len(coverage.points),
        "meter": round((len(coverage.points) - len(missing)) / len(coverage.points), 3),
        "hints": [p.hint for p in missing if p.hint],
        "chars": coverage.chars,
    }
