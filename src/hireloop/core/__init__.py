"""The typed domain of hireloop. Imports nothing else of ours."""

from hireloop.core.errors import ExerciseError, ExerciseInvalid
from hireloop.core.exercise import (
    CandidateView,
    Exercise,
    ExerciseMeta,
    Hidden,
    SampleSpec,
    Variant,
    render_template,
)
from hireloop.core.grade import CriterionScore, Flag, Grade, Outcome
from hireloop.core.kind import Kind
from hireloop.core.submission import Submission
from hireloop.core.taxonomy import Competency, Level
from hireloop.core.variants import ExpressionError, VariantSpec, evaluate

__all__ = [
    "CandidateView",
    "Competency",
    "CriterionScore",
    "Exercise",
    "ExerciseError",
    "ExerciseInvalid",
    "ExerciseMeta",
    "ExpressionError",
    "Flag",
    "Grade",
    "Hidden",
    "Kind",
    "Level",
    "Outcome",
    "SampleSpec",
    "Submission",
    "Variant",
    "VariantSpec",
    "evaluate",
    "render_template",
]
