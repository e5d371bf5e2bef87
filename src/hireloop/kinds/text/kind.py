"""Text exercises: configuration, rubric and what the candidate sees."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hireloop.core import (
    CandidateView,
    Exercise,
    ExerciseError,
    Grade,
    Kind,
    Submission,
    Variant,
)
from hireloop.kinds._common import base_view_fields, read_toml, validate_model

RUBRIC = "rubric.toml"

Genre = Literal["theory", "explanation", "system-design", "ethics", "behavioural", "research"]


class TextConfig(BaseModel):
    """The ``[text]`` table of ``exercise.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    genre: Genre
    """what sort of answer: drives which communication checks apply (e.g. STAR)"""
    audience: str | None = None
    """who the answer is written for (e.g. "product manager"); sets the readability target"""
    min_words: Annotated[int, Field(ge=0)] = 0
    """shorter answers get feedback on length"""
    max_words: Annotated[int, Field(ge=1, le=5000)] = 600
    """longer answers get feedback on length; the input refuses far longer ones"""
    principle: str | None = None
    """behavioural: the id of a company principle (see loops/principles.toml)"""
    language: Annotated[str, Field(pattern=r"^[a-z]{2}$")] = "en"
    """the language answers must be written in (ISO 639-1); an answer surely written in
    another one is not gradable, with a message saying so"""

    @property
    def max_characters(self) -> int:
        """The longest answer accepted, in characters: room for ``max_words`` long words, and
        never less than 30,000 (the editor enforces the same limit)."""
        return max(30_000, 12 * self.max_words)

    @model_validator(mode="after")
    def _range(self) -> TextConfig:
        if self.min_words > self.max_words:
            raise ValueError("min_words must not exceed max_words")
        return self


class KeyPoint(BaseModel):
    """One weighted point a good answer makes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    text: Annotated[str, Field(min_length=3)]
    """the point, stated as a good answer would state it"""
    weight: Annotated[float, Field(gt=0)] = 1.0
    phrasings: list[str] = Field(default_factory=list)
    """other wordings that cover the point"""
    must_not: list[str] = Field(default_factory=list)
    """statements that contradict the point and must not earn it"""
    hint: str | None = None
    """what candidates may read instead of the point itself: what to think about, never the
    answer (feedback never shows a key point's wording)"""


class AnchorLevel(BaseModel):
    """An anchored score level for human reviewers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    score: Annotated[int, Field(ge=0, le=10)]
    description: Annotated[str, Field(min_length=3)]


class Rubric(BaseModel):
    """``hidden/rubric.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reference_answer: Annotated[str, Field(min_length=20)]
    notes: str | None = None
    """for interviewers"""
    key_point: Annotated[list[KeyPoint], Field(min_length=1)]
    level: list[AnchorLevel] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [k.id for k in self.key_point]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"key_point ids must be unique; repeated: {repeated}")
        return self


class TextKind(Kind):
    """Free-text answers against a rubric."""

    name: ClassVar[str] = "text"
    version: ClassVar[str] = "2"
    config_model: ClassVar[type[BaseModel] | None] = TextConfig
    similarity: ClassVar[Literal["code", "text"] | None] = "text"

    def references(self, exercise: Exercise, variant: Variant) -> dict[str, str]:
        rubric, _ = self.load_rubric(exercise)
        if rubric is None:
            return {}
        return {"the rubric's reference answer": exercise.render(rubric.reference_answer, variant)}

    def given_text(self, exercise: Exercise, variant: Variant) -> str:
        return exercise.prompt_for(variant)

    def load_rubric(self, exercise: Exercise) -> tuple[Rubric | None, list[ExerciseError]]:
        """Read and validate the rubric from the author's copy."""
        data, errors = read_toml(exercise, RUBRIC, hidden=True)
        if data is None:
            return None, errors
        return validate_model(Rubric, data, f"{exercise.source}/hidden/{RUBRIC}")

    def check(self, exercise: Exercise) -> list[ExerciseError]:
        _, errors = self.load_rubric(exercise)
        return errors

    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        config: TextConfig = exercise.config
        words = (f"about {config.min_words}–{config.max_words} words" if config.min_words
                 else f"up to {config.max_words} words")
        return CandidateView(
            **base_view_fields(exercise),
            seed=variant.seed,
            prompt=exercise.prompt_for(variant),
            answer_format=f"Write your answer in prose ({words}).",
            fields={
                "genre": config.genre,
                "audience": config.audience,
                "min_words": config.min_words,
                "max_words": config.max_words,
                "max_characters": config.max_characters,
            },
            input_kind="text",
        )

    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        from hireloop.kinds.text.grader import grade_text

        return grade_text(self, exercise, variant, submission)
