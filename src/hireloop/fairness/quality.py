"""Assessment quality, per exercise, from the platform's own records: how often people
override the automatic score, how well the automatic score agrees with the final one
(quadratic weighted kappa on five score bands, and the mean absolute difference), how
consistent re-grading is, and how the scores spread. Exercises whose automatic scores people
disagree with are flagged for their authors.
"""

from __future__ import annotations

import statistics
from itertools import pairwise
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.db.models import Answer
from hireloop.hiring import service

BANDS = 5
"""scores are compared in five bands: [0, 0.2), [0.2, 0.4), ..., [0.8, 1]"""
MIN_ANSWERS = 5
"""an exercise is judged (flagged or not) from this many graded answers"""
LOW_KAPPA = 0.6
HIGH_DIFFERENCE = 0.15


def band(score: float) -> int:
    """The band (0-4) of a score in [0, 1]."""
    return min(BANDS - 1, max(0, int(score * BANDS)))


def _kappa(auto: list[int], final: list[int]) -> float | None:
    from sklearn.metrics import cohen_kappa_score

    if len(set(auto) | set(final)) < 2:
        return None  # one band only: agreement is undefined
    return float(cohen_kappa_score(auto, final, weights="quadratic",
                                   labels=list(range(BANDS))))


def exercise_quality(s: Session) -> list[dict[str, Any]]:
    """One row per exercise with graded interview answers (practice is left out)."""
    by_exercise: dict[str, list[Answer]] = {}
    for answer in s.scalars(select(Answer).where(Answer.interview_id.is_not(None))
                            .order_by(Answer.id)):
        by_exercise.setdefault(answer.exercise_id, []).append(answer)
    rows = []
    for exercise_id, answers in sorted(by_exercise.items()):
        auto_scores, final_scores, overridden, regrades = [], [], 0, []
        for answer in answers:
            grade = service.automatic_grade(answer)
            if grade is None or grade.outcome.value != "graded":
                continue
            criteria = service.effective_criteria(answer)
            total = sum(c["max_points"] for c in criteria)
            if total <= 0:
                continue
            auto_scores.append(sum(c["auto_points"] for c in criteria) / total)
            final_scores.append(sum(c["points"] for c in criteria) / total)
            overridden += bool(answer.overrides)
            graded_jobs = [j.grade["score"] for j in answer.jobs
                           if j.grade and j.grade.get("outcome") == "graded"]
            regrades += [abs(a - b) for a, b in pairwise(graded_jobs)]
        n = len(auto_scores)
        if n == 0:
            continue
        kappa = _kappa([band(x) for x in auto_scores], [band(x) for x in final_scores])
        difference = sum(abs(a - f) for a, f in zip(auto_scores, final_scores, strict=True)) / n
        histogram = [0] * BANDS
        for score in final_scores:
            histogram[band(score)] += 1
        reasons = []
        if n >= MIN_ANSWERS and kappa is not None and kappa < LOW_KAPPA:
            reasons.append(f"agreement {kappa:.2f} < {LOW_KAPPA}")
        if n >= MIN_ANSWERS and difference > HIGH_DIFFERENCE:
            reasons.append(f"mean difference {difference:.2f} > {HIGH_DIFFERENCE}")
        rows.append({
            "exercise_id": exercise_id, "graded": n, "overridden": overridden,
            "override_rate": overridden / n, "kappa": kappa, "mean_abs_difference": difference,
            "regrades": len(regrades),
            "regrade_mean_difference": sum(regrades) / len(regrades) if regrades else None,
            "mean": statistics.fmean(final_scores),
            "sd": statistics.pstdev(final_scores) if n > 1 else 0.0,
            "histogram": histogram, "flagged": bool(reasons), "reasons": reasons,
        })
    return rows
