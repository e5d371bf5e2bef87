"""A grade is evidence, not just a number (DESIGN.md, core idea 4)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Outcome(StrEnum):
    """Whether a grade is a judgement of the candidate's work at all."""

    GRADED = "graded"
    """the submission was judged; the score means something"""
    NOT_GRADABLE = "not_gradable"
    """the submission could not be judged (empty, undecodable, wrong form): not a zero"""
    ERROR = "error"
    """our fault (a broken exercise or grader): never shown as a low score"""


class CriterionScore(BaseModel):
    """Points earned on one rubric criterion, with what earned them."""

    name: str
    """the criterion, as the interviewer reads it"""
    points: float = Field(ge=0)
    """points earned"""
    max_points: float = Field(gt=0)
    """points available"""
    evidence: list[str] = Field(default_factory=list)
    """what earned (or lost) the points: the chosen option, a test's output, a sentence"""
    feedback: str | None = None
    """what the candidate may read about this criterion"""

    @model_validator(mode="after")
    def _points_within_max(self) -> CriterionScore:
        if self.points > self.max_points + 1e-9:
            raise ValueError(f"points {self.points} exceed max_points {self.max_points}")
        return self


class Flag(BaseModel):
    """Something a person should look at: a copy of a reference, a keyword list, an answer
    addressed to the evaluator, a run that tried to touch what it must not. Flags inform
    reviewers; by themselves they never decide who advances. One shape for every kind."""

    model_config = ConfigDict(extra="allow")

    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    """what was noticed, as a stable machine-readable code (``keyword_list``)"""
    detail: str
    """what was noticed, in words a reviewer understands"""


class TranscriptLine(BaseModel):
    """One sentence of a spoken answer's transcript, with when it was said."""

    start: float = Field(ge=0)
    """seconds from the start of the recording"""
    end: float = Field(ge=0)
    """seconds from the start of the recording"""
    text: str
    """the sentence as transcribed"""


class Grade(BaseModel):
    """The result of grading one submission of one exercise variant."""

    exercise_id: str
    """the exercise's id (its path in the bank)"""
    seed: int = 0
    """the variant that was graded"""
    outcome: Outcome
    """graded, not_gradable or error"""
    score: float = Field(ge=0, le=1)
    """the overall score in [0, 1]; 0 and meaningless unless outcome is graded"""
    criteria: list[CriterionScore] = Field(default_factory=list)
    """one entry per rubric criterion"""
    feedback: list[str] = Field(default_factory=list)
    """for the candidate: what went well and what to improve"""
    notes: list[str] = Field(default_factory=list)
    """for the interviewer only"""
    grader: str
    """the grader and its version, e.g. ``choice@1``"""
    message: str | None = None
    """why the submission could not be graded (outcome not_gradable or error)"""
    flags: list[Flag] = Field(default_factory=list)
    """for the interviewer: things a person should look at (never candidate feedback); extra
    keys per flag are allowed (``similarity``, ``matches``)"""
    transcript: list[TranscriptLine] = Field(default_factory=list)
    """spoken answers: what was said, sentence by sentence with times (empty for other kinds);
    evidence quoted from it starts with its time as ``[m:ss]``"""

    @classmethod
    def not_gradable(cls, exercise_id: str, seed: int, grader: str, message: str) -> Grade:
        """A submission we could not judge, with the reason the candidate can act on."""
        return cls(
            exercise_id=exercise_id,
            seed=seed,
            outcome=Outcome.NOT_GRADABLE,
            score=0.0,
            grader=grader,
            message=message,
            feedback=[message],
        )

    @classmethod
    def failed(cls, exercise_id: str, seed: int, grader: str, message: str) -> Grade:
        """Our failure: the outcome is ``error`` so no one mistakes it for a low score."""
        return cls(
            exercise_id=exercise_id,
            seed=seed,
            outcome=Outcome.ERROR,
            score=0.0,
            grader=grader,
            message=message,
            notes=[message],
        )

    @classmethod
    def from_criteria(
        cls,
        exercise_id: str,
        seed: int,
        grader: str,
        criteria: list[CriterionScore],
        feedback: list[str] | None = None,
        notes: list[str] | None = None,
        flags: list[Flag] | None = None,
    ) -> Grade:
        """A graded result whose score is the points earned over the points available."""
        total = sum(c.max_points for c in criteria)
        earned = sum(c.points for c in criteria)
        score = min(1.0, max(0.0, earned / total)) if total > 0 else 0.0
        return cls(
            exercise_id=exercise_id,
            seed=seed,
            outcome=Outcome.GRADED,
            score=round(score, 6),
            criteria=criteria,
            feedback=feedback or [],
            notes=notes or [],
            flags=flags or [],
            grader=grader,
        )
