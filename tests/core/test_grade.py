"""Grades: evidence per criterion; could-not-grade and our-failure are never a silent zero."""

from __future__ import annotations

import pickle

import pytest
from pydantic import ValidationError

from hireloop.core import CriterionScore, Grade, Hidden, Outcome


def test_score_is_points_earned_over_points_available() -> None:
    grade = Grade.from_criteria("a/b", 0, "x@1", [
        CriterionScore(name="one", points=1, max_points=2),
        CriterionScore(name="two", points=3, max_points=3),
    ])
    assert grade.outcome is Outcome.GRADED
    assert grade.score == pytest.approx(0.8)


def test_a_criterion_cannot_earn_more_than_its_max() -> None:
    with pytest.raises(ValidationError, match="exceed"):
        CriterionScore(name="one", points=3, max_points=2)


def test_not_gradable_and_error_carry_their_reason_and_are_told_apart() -> None:
    ng = Grade.not_gradable("a/b", 0, "x@1", "no answer was given")
    err = Grade.failed("a/b", 0, "x@1", "the key is broken")
    assert (ng.outcome, err.outcome) == (Outcome.NOT_GRADABLE, Outcome.ERROR)
    assert ng.message == "no answer was given"
    assert "no answer was given" in ng.feedback
    assert "the key is broken" in err.notes
    assert err.feedback == []  # our failure is not the candidate's feedback


def test_hidden_content_cannot_be_pickled_or_shown_by_repr() -> None:
    hidden = Hidden({"key.toml": b'correct = ["b"]'})
    assert "correct" not in repr(hidden)
    with pytest.raises(TypeError, match="cannot be serialised"):
        pickle.dumps(hidden)
