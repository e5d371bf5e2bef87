"""The exercise: what it is, what a candidate sees of it, and what only graders may read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import jinja2
import jinja2.sandbox
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hireloop.core.grade import Outcome
from hireloop.core.taxonomy import Competency, Level
from hireloop.core.variants import VariantSpec, draw_params

ID_SEGMENT = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

SampleRole = Literal["exemplary", "partial", "wrong", "gaming"]
"""what a sample stands for, where the bank enforces more than its band (text and spoken):
``gaming`` (a keyword list, the prompt restated, "I don't know", an injection, padding, another
language) must land in [0, 0.25] or be not gradable; ``wrong`` (a confident answer that is
wrong) at most 0.45; ``exemplary`` at least 0.3 above every gaming and wrong sample"""


class ExerciseMeta(BaseModel):
    """The keys of ``exercise.toml`` that every kind shares (the kind's own table is apart)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, Field(min_length=3, max_length=200)]
    """shown in lists and at the top of the exercise"""
    kind: Annotated[str, Field(min_length=1)]
    """the exercise kind: choice, code, text, ml_task, spoken, or a plugin's"""
    competencies: Annotated[list[Competency], Field(min_length=1)]
    """what the exercise assesses, primary first"""
    level: Level
    """the seniority it is pitched at"""
    minutes: Annotated[int, Field(ge=1, le=240)]
    """the time a prepared candidate needs"""
    summary: str | None = None
    """one line for listings"""
    tags: list[str] = Field(default_factory=list)
    """free tags for search"""
    variants: VariantSpec | None = None
    """parameters drawn from a seed, when the exercise has variants"""
    practice: bool = True
    """false: interview only, never shown or graded in practice mode"""
    known_solutions: list[str] = Field(default_factory=list)
    """solutions known to be public (a leaked answer, a popular blog post's code), as files of
    the exercise under ``hidden/``: every submission is compared with them, and a close match
    is flagged for the reviewer"""

    @field_validator("known_solutions")
    @classmethod
    def _hidden_files(cls, value: list[str]) -> list[str]:
        for name in value:
            parts = Path(name).parts
            if Path(name).is_absolute() or ".." in parts or len(parts) < 2 or parts[0] != "hidden":
                raise ValueError(f"{name!r} must be a file under hidden/ (e.g. "
                                 "\"hidden/leaked_a.py\"), so no candidate can read it")
        return value

    @field_validator("competencies")
    @classmethod
    def _no_duplicates(cls, value: list[Competency]) -> list[Competency]:
        if len(set(value)) != len(value):
            raise ValueError("a competency is listed twice")
        return value


class Hidden:
    """The files under ``hidden/``: readable by graders, never serialisable into a view.

    It is not a pydantic model and refuses pickling and JSON on purpose: a view that tried to
    include it fails loudly instead of leaking answer keys.
    """

    __slots__ = ("_files",)

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self._files = dict(files)

    def names(self) -> list[str]:
        """The hidden files' names, relative to ``hidden/``."""
        return sorted(self._files)

    def has(self, name: str) -> bool:
        """Whether ``hidden/<name>`` exists."""
        return name in self._files

    def read_bytes(self, name: str) -> bytes:
        """The content of ``hidden/<name>``; KeyError when it does not exist."""
        return self._files[name]

    def read_text(self, name: str) -> str:
        """The content of ``hidden/<name>`` as UTF-8 text."""
        return self._files[name].decode("utf-8")

    def __repr__(self) -> str:
        return f"<Hidden: {len(self._files)} file(s), contents withheld>"

    def __reduce__(self) -> Any:
        raise TypeError("hidden exercise content cannot be serialised")


class SampleSpec(BaseModel):
    """One entry of ``samples/samples.toml``: a submission and the result it must get."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1)]
    """unique within the exercise"""
    file: Annotated[str, Field(min_length=1)]
    """the submission, relative to the exercise directory"""
    score: tuple[float, float] | None = None
    """the inclusive score band it must land in"""
    outcome: Outcome | None = None
    """the outcome it must get"""
    seeds: Annotated[list[int], Field(min_length=1)] = Field(default_factory=lambda: [0])
    """the variants to grade it against"""
    template: bool = False
    """render the file with the variant's parameters before grading"""
    at_most: str | None = None
    """the name of another sample (say ``"starter"``) whose score, on the same seed, this one
    must not exceed: a cheat must earn no more than the unsolved starter"""
    note: str | None = None
    """why the sample exists"""
    role: SampleRole | None = None
    """exemplary, partial, wrong or gaming: for text and spoken exercises, ``hireloop bank
    check`` holds gaming and wrong samples under their ceilings and the exemplary ones above
    them, whatever band the sample declares"""

    @model_validator(mode="after")
    def _has_expectation(self) -> SampleSpec:
        if self.score is None and self.outcome is None and self.at_most is None:
            raise ValueError(
                "needs an expectation: a score band `score = [low, high]`, `outcome` or "
                "`at_most`")
        if self.at_most == self.name:
            raise ValueError("at_most must name another sample")
        if self.score is not None:
            low, high = self.score
            if not (0.0 <= low <= high <= 1.0):
                raise ValueError(
                    f"score band {list(self.score)} must satisfy 0 <= low <= high <= 1")
        if Path(self.file).is_absolute() or ".." in Path(self.file).parts:
            raise ValueError(f"file {self.file!r} must be relative to the exercise, without '..'")
        return self

    @property
    def expected_outcome(self) -> Outcome:
        """The outcome the sample must get (``graded`` when only a band is given)."""
        return self.outcome or Outcome.GRADED

    def describe(self) -> str:
        """The expectation in words, for tables and JSON."""
        parts = []
        if self.outcome is not None and self.outcome is not Outcome.GRADED:
            parts.append(str(self.outcome))
        if self.score is not None:
            low, high = self.score
            parts.append(f"score {low:g}" if low == high else f"score in [{low:g}, {high:g}]")
        if self.at_most is not None:
            parts.append(f"score at most {self.at_most!r}'s")
        return ", ".join(parts) or "graded"

    def accepts(self, outcome: Outcome, score: float) -> bool:
        """Whether a grade with this outcome and score meets the expectation."""
        if outcome is not self.expected_outcome:
            return False
        if self.score is not None:
            low, high = self.score
            return low - 1e-9 <= score <= high + 1e-9
        return True


@dataclass(frozen=True)
class Variant:
    """One variant of an exercise: its seed and the parameters drawn from it."""

    seed: int
    params: Mapping[str, Any]
    context: Mapping[str, Any] = field(default_factory=dict)
    """extra template variables from the loop (e.g. the company's ``principle``)"""

    def template_vars(self) -> dict[str, Any]:
        """Everything a template of this variant may use."""
        return {**self.context, **self.params}


_JINJA = jinja2.sandbox.ImmutableSandboxedEnvironment(
    undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
)


@lru_cache(maxsize=4096)
def _compiled(source: str) -> jinja2.Template:
    return _JINJA.from_string(source)


def render_template(source: str, variables: Mapping[str, Any]) -> str:
    """Render an exercise template (prompt, sample) with a variant's variables.

    Raises ``jinja2.TemplateError`` (e.g. ``UndefinedError`` naming the variable) on failure.
    """
    if "{" not in source:
        return source
    return _compiled(source).render(**variables)


@dataclass(frozen=True)
class Exercise:
    """A loaded, validated exercise directory."""

    id: str
    """its path below the bank root, e.g. ``coding/stable-softmax``"""
    path: Path
    """the directory on disk"""
    source: str
    """the directory as the author names it in messages (e.g. ``bank/coding/stable-softmax``)"""
    meta: ExerciseMeta
    """the shared keys of ``exercise.toml``"""
    config: Any
    """the kind's own table, validated by the kind's ``config_model`` (None if it has none)"""
    prompt: str
    """``prompt.md`` as written (a template when the exercise has variants)"""
    hidden: Hidden
    """``hidden/``: for graders only"""
    samples: tuple[SampleSpec, ...] = ()
    """``samples/samples.toml``"""
    public_files: Mapping[str, bytes] = field(default_factory=dict)
    """other files of the exercise a candidate may see (starter code, visible tests, data)"""

    @property
    def kind(self) -> str:
        """The exercise's kind name."""
        return self.meta.kind

    @property
    def has_variants(self) -> bool:
        """Whether the exercise declares parameters drawn from a seed."""
        return self.meta.variants is not None

    def variant(self, seed: int = 0, context: Mapping[str, Any] | None = None) -> Variant:
        """Variant ``seed`` of the exercise: its parameters, and the seed for option order."""
        params = draw_params(self.id, seed, self.meta.variants)
        return Variant(seed=seed, params=params, context=dict(context or {}))

    def render(self, source: str, variant: Variant) -> str:
        """Render a template of this exercise for a variant."""
        return render_template(source, variant.template_vars())

    def prompt_for(self, variant: Variant) -> str:
        """The prompt a candidate reads for a variant."""
        return self.render(self.prompt, variant)


class CandidateView(BaseModel):
    """Everything a candidate may see of an exercise variant, and nothing else."""

    model_config = ConfigDict(extra="forbid")

    id: str
    title: str
    kind: str
    competencies: list[Competency]
    level: Level
    minutes: int
    seed: int
    """the variant shown"""
    prompt: str
    """Markdown, rendered for the variant"""
    answer_format: str
    """how to answer, in one sentence (e.g. "Type the letter of one option")"""
    fields: dict[str, Any] = Field(default_factory=dict)
    """kind-specific public data: options, starter code, visible tests, limits"""
    input_kind: Literal["choice", "multi_choice", "number", "code", "text", "files", "audio"]
    """which input widget a front end should show"""
