"""Grading single choice, multiple choice and numeric answers, with partial credit."""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import tomllib
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hireloop.core import (
    CandidateView,
    CriterionScore,
    Exercise,
    ExerciseError,
    ExpressionError,
    Grade,
    Kind,
    Submission,
    Variant,
    evaluate,
)
from hireloop.core.errors import pydantic_errors
from hireloop.kinds._common import base_view_fields

KEY_FILE = "key.toml"
OPTION_ID = r"^[a-z0-9]{1,8}$"


class Option(BaseModel):
    """One option of a single or multiple choice question."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=OPTION_ID)]
    """what the candidate types to choose it: a short lowercase id like ``a``"""
    text: Annotated[str, Field(min_length=1)]
    """the option as shown (a template when the exercise has variants)"""


class ChoiceConfig(BaseModel):
    """The ``[choice]`` table of ``exercise.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Literal["single", "multiple", "numeric"]
    """single choice, multiple choice, or a numeric answer"""
    options: list[Option] = Field(default_factory=list)
    """the options (single and multiple only)"""
    shuffle: bool = False
    """shuffle the order of options per variant seed"""
    unit: str | None = None
    """a unit shown beside a numeric answer (and accepted after the number)"""

    @model_validator(mode="after")
    def _options_fit_mode(self) -> ChoiceConfig:
        if self.mode == "numeric":
            if self.options:
                raise ValueError("a numeric question has no options")
        else:
            if len(self.options) < 2:
                raise ValueError(f"a {self.mode} choice question needs at least 2 options")
            ids = [o.id for o in self.options]
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            if duplicates:
                raise ValueError(f"option ids must be unique; repeated: {duplicates}")
        if self.unit is not None and self.mode != "numeric":
            raise ValueError("unit goes with mode = 'numeric'")
        return self


class PartialBand(BaseModel):
    """A wider tolerance that earns partial credit on a numeric answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tolerance: float | None = Field(default=None, gt=0)
    relative_tolerance: float | None = Field(default=None, gt=0)
    credit: Annotated[float, Field(gt=0, lt=1)]

    @model_validator(mode="after")
    def _one_tolerance(self) -> PartialBand:
        if (self.tolerance is None) == (self.relative_tolerance is None):
            raise ValueError("give exactly one of tolerance or relative_tolerance")
        return self


class ChoiceKey(BaseModel):
    """``hidden/key.toml``: the answer key, never shown before grading."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    correct: list[str] | None = None
    """the ids of the correct options (single: exactly one)"""
    scoring: Literal["all_or_nothing", "partial"] = "all_or_nothing"
    """multiple choice: all or nothing, or (right - wrong) / correct, floored at 0"""
    answer: float | str | None = None
    """numeric: the answer, or an expression over the variant's parameters"""
    tolerance: float | None = Field(default=None, ge=0)
    """numeric: absolute tolerance for full credit"""
    relative_tolerance: float | None = Field(default=None, ge=0)
    """numeric: relative tolerance for full credit"""
    partial: list[PartialBand] = Field(default_factory=list)
    """numeric: wider bands with partial credit"""
    explanation: str | None = None
    """why the answer is what it is; shown as feedback after grading"""
    explain: dict[str, str] = Field(default_factory=dict)
    """feedback per option id"""


def _tolerance_ok(value: float, answer: float, tol: float | None, rel: float | None) -> bool:
    if tol is not None and abs(value - answer) <= tol + 1e-12:
        return True
    return rel is not None and abs(value - answer) <= rel * abs(answer) + 1e-12


NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class ChoiceKind(Kind):
    """Single choice, multiple choice and numeric answers."""

    name: ClassVar[str] = "choice"
    version: ClassVar[str] = "1"
    config_model: ClassVar[type[BaseModel] | None] = ChoiceConfig

    # ---- validation -------------------------------------------------------------------------

    def _key_file(self, exercise: Exercise) -> str:
        return f"{exercise.source}/hidden/{KEY_FILE}"

    def load_key(self, exercise: Exercise) -> ChoiceKey:
        """Read the key from the author's copy (raises ValueError with a precise message)."""
        if not exercise.hidden.has(KEY_FILE):
            raise ValueError("missing: a choice exercise keeps its answer key in hidden/key.toml")
        try:
            data = tomllib.loads(exercise.hidden.read_text(KEY_FILE))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"not valid TOML: {exc}") from None
        return ChoiceKey.model_validate(data)

    def check(self, exercise: Exercise) -> list[ExerciseError]:
        file = self._key_file(exercise)
        config: ChoiceConfig = exercise.config
        try:
            key = self.load_key(exercise)
        except ValidationError as exc:
            return pydantic_errors(file, exc)
        except ValueError as exc:
            return [ExerciseError(file, "", str(exc))]
        errors: list[ExerciseError] = []
        option_ids = {o.id for o in config.options}
        if config.mode == "numeric":
            if key.answer is None:
                errors.append(ExerciseError(file, "answer", "a numeric question needs `answer`"))
            if key.tolerance is None and key.relative_tolerance is None:
                errors.append(ExerciseError(
                    file, "tolerance", "give tolerance or relative_tolerance (0 for exact)"))
            for name in ("correct", "explain"):
                if getattr(key, name):
                    errors.append(ExerciseError(file, name, "only for single/multiple choice"))
            if key.answer is not None:
                for seed in range(5):
                    try:
                        self._numeric_answer(key, exercise.variant(seed))
                    except (ExpressionError, ValueError) as exc:
                        errors.append(ExerciseError(file, "answer", f"seed {seed}: {exc}"))
                        break
        else:
            if not key.correct:
                errors.append(ExerciseError(file, "correct", "list the correct option ids"))
            else:
                unknown = sorted(set(key.correct) - option_ids)
                if unknown:
                    errors.append(ExerciseError(
                        file, "correct",
                        f"unknown option ids {unknown}; options are {sorted(option_ids)}"))
                if config.mode == "single" and len(key.correct) != 1:
                    errors.append(ExerciseError(
                        file, "correct", "a single choice question has exactly one correct id"))
                if len(set(key.correct)) != len(key.correct):
                    errors.append(ExerciseError(file, "correct", "an id is listed twice"))
            if config.mode == "single" and key.scoring != "all_or_nothing":
                errors.append(ExerciseError(file, "scoring", "partial scoring is for 'multiple'"))
            unknown_explained = sorted(set(key.explain) - option_ids)
            if unknown_explained:
                errors.append(ExerciseError(
                    file, "explain", f"unknown option ids {unknown_explained}"))
            for name in ("answer", "tolerance", "relative_tolerance"):
                if getattr(key, name) is not None:
                    errors.append(ExerciseError(file, name, "only for numeric questions"))
            if key.partial:
                errors.append(ExerciseError(file, "partial", "only for numeric questions"))
        return errors

    @staticmethod
    def _numeric_answer(key: ChoiceKey, variant: Variant) -> float:
        assert key.answer is not None
        value = evaluate(key.answer, variant.params) if isinstance(key.answer, str) else key.answer
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"the answer must be a number; got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"the answer must be a finite number; got {value!r}")
        return float(value)

    # ---- rendering --------------------------------------------------------------------------

    def ordered_options(self, exercise: Exercise, variant: Variant) -> list[tuple[str, str]]:
        """The options as (id, rendered text), in the order this variant shows them."""
        config: ChoiceConfig = exercise.config
        options = [(o.id, exercise.render(o.text, variant)) for o in config.options]
        if config.shuffle:
            digest = hashlib.sha256(f"{exercise.id}\0{variant.seed}\0options".encode()).digest()
            random.Random(int.from_bytes(digest[:8], "big")).shuffle(options)
        return options

    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        config: ChoiceConfig = exercise.config
        fields: dict[str, Any] = {"mode": config.mode}
        if config.mode == "numeric":
            input_kind: Any = "number"
            answer_format = "Type a number" + (f" (in {config.unit})" if config.unit else "") + "."
            fields["unit"] = config.unit
        else:
            fields["options"] = [
                {"id": oid, "text": text} for oid, text in self.ordered_options(exercise, variant)
            ]
            if config.mode == "single":
                input_kind = "choice"
                answer_format = "Choose one option: type its id (e.g. `b`)."
            else:
                input_kind = "multi_choice"
                answer_format = "Choose every option that applies: type their ids (e.g. `a, c`)."
        return CandidateView(
            **base_view_fields(exercise),
            seed=variant.seed,
            prompt=exercise.prompt_for(variant),
            answer_format=answer_format,
            fields=fields,
            input_kind=input_kind,
        )

    # ---- grading ----------------------------------------------------------------------------

    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        try:
            key = self.load_key(exercise)
        except (ValueError, ValidationError) as exc:
            return Grade.failed(exercise.id, variant.seed, self.grader_id,
                                f"the exercise's answer key is broken: {exc}")
        if submission.text is None:
            if submission.files:
                return self._not_gradable(exercise, variant, "the answer is not UTF-8 text")
            return self._not_gradable(exercise, variant, "no answer was given")
        raw = submission.text.strip()
        if not raw:
            return self._not_gradable(exercise, variant, "no answer was given")
        config: ChoiceConfig = exercise.config
        if config.mode == "numeric":
            return self._grade_numeric(exercise, variant, key, raw)
        return self._grade_choice(exercise, variant, key, raw)

    def _not_gradable(self, exercise: Exercise, variant: Variant, message: str) -> Grade:
        return Grade.not_gradable(exercise.id, variant.seed, self.grader_id, message)

    @staticmethod
    def _from_json(raw: str) -> Any:
        if raw.startswith("{"):
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                return None
        return None

    def _grade_numeric(
        self, exercise: Exercise, variant: Variant, key: ChoiceKey, raw: str
    ) -> Grade:
        config: ChoiceConfig = exercise.config
        parsed = self._from_json(raw)
        value: float | None = None
        if isinstance(parsed, dict) and isinstance(parsed.get("value"), int | float):
            value = float(parsed["value"])
        else:
            text = raw
            if config.unit and text.lower().endswith(config.unit.lower()):
                text = text[: -len(config.unit)].strip()
            if NUMBER.match(text):
                value = float(text)
        if value is None or not math.isfinite(value):
            unit = f" (optionally followed by {config.unit!r})" if config.unit else ""
            return self._not_gradable(
                exercise, variant,
                f"expected a plain number such as 0.25 or 1.5e-3{unit}; got {raw[:40]!r}")
        try:
            answer = self._numeric_answer(key, variant)
        except (ExpressionError, ValueError) as exc:
            return Grade.failed(exercise.id, variant.seed, self.grader_id,
                                f"the answer expression failed for seed {variant.seed}: {exc}")
        credit = 0.0
        band = "outside every tolerance"
        if _tolerance_ok(value, answer, key.tolerance, key.relative_tolerance):
            credit, band = 1.0, "within tolerance"
        else:
            for partial in sorted(key.partial, key=lambda p: -p.credit):
                if _tolerance_ok(value, answer, partial.tolerance, partial.relative_tolerance):
                    credit = partial.credit
                    band = f"within a partial-credit band ({partial.credit:g})"
                    break
        tol = (f"± {key.tolerance:g}" if key.tolerance is not None
               else f"± {100 * (key.relative_tolerance or 0):g}%")
        evidence = [f"answered {value:g}; expected {answer:.6g} {tol}: {band}"]
        feedback = ["Correct." if credit == 1.0 else
                    ("Close, but not within tolerance." if credit > 0 else "Not correct.")]
        if credit < 1.0:
            feedback.append(f"The expected answer is {answer:.6g}.")
        if key.explanation:
            feedback.append(exercise.render(key.explanation, variant))
        criterion = CriterionScore(name="Numeric answer", points=credit, max_points=1.0,
                                   evidence=evidence, feedback=feedback[0])
        return Grade.from_criteria(exercise.id, variant.seed, self.grader_id, [criterion],
                                   feedback=feedback, notes=evidence)

    def _grade_choice(
        self, exercise: Exercise, variant: Variant, key: ChoiceKey, raw: str
    ) -> Grade:
        config: ChoiceConfig = exercise.config
        parsed = self._from_json(raw)
        if isinstance(parsed, dict) and isinstance(parsed.get("selected"), list):
            picked = [str(x).strip().lower() for x in parsed["selected"]]
        else:
            picked = [p.lower() for p in re.split(r"[\s,;]+", raw) if p]
        option_text = dict(self.ordered_options(exercise, variant))
        unknown = [p for p in picked if p not in option_text]
        if unknown:
            return self._not_gradable(
                exercise, variant,
                f"unknown option {unknown[0]!r}; the options are {', '.join(option_text)}")
        chosen = list(dict.fromkeys(picked))
        if config.mode == "single" and len(chosen) != 1:
            return self._not_gradable(
                exercise, variant, f"choose exactly one option; got {len(chosen)}")
        correct = set(key.correct or [])
        right = [c for c in chosen if c in correct]
        wrong = [c for c in chosen if c not in correct]
        missed = [c for c in option_text if c in correct and c not in chosen]
        if config.mode == "multiple" and key.scoring == "partial":
            credit = max(0.0, (len(right) - len(wrong)) / len(correct))
        else:
            credit = 1.0 if set(chosen) == correct else 0.0
        evidence = [f"chose {c}: {option_text[c]} ({'correct' if c in correct else 'wrong'})"
                    for c in chosen]
        evidence += [f"missed {c}: {option_text[c]}" for c in missed]
        feedback: list[str] = []
        if credit == 1.0:
            feedback.append("Correct.")
        elif credit > 0:
            feedback.append(f"Partly correct: {len(right)} of {len(correct)} right options"
                            + (f", {len(wrong)} wrong" if wrong else "") + ".")
        else:
            feedback.append("Not correct.")
        if credit < 1.0:
            feedback.append("The correct answer: " + ", ".join(sorted(correct)) + ".")
        for c in [*wrong, *missed]:
            if c in key.explain:
                feedback.append(f"{c}: {exercise.render(key.explain[c], variant)}")
        if key.explanation:
            feedback.append(exercise.render(key.explanation, variant))
        name = "Correct option" if config.mode == "single" else "Correct options"
        criterion = CriterionScore(name=name, points=round(credit, 6), max_points=1.0,
                                   evidence=evidence, feedback=feedback[0])
        return Grade.from_criteria(exercise.id, variant.seed, self.grader_id, [criterion],
                                   feedback=feedback, notes=evidence)
