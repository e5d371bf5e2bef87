"""Interview loops: role templates made of stages, each with exercises and a time limit.

A loop file (``loops/<id>.toml``) names exercises by id or asks for "N from competency X at
level Y"; :func:`resolve_loop` turns it into concrete exercises for one candidate, from a seed,
so two candidates of the same loop can get different picks and variants.
"""

from __future__ import annotations

import hashlib
import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hireloop.bank.loader import Bank
from hireloop.bank.principles import load_principles
from hireloop.core import Competency, Exercise, ExerciseError, Level
from hireloop.core.errors import pydantic_errors

FeedbackPolicy = Literal["immediately", "after_submission", "never"]


class Pick(BaseModel):
    """Ask for ``count`` exercises matching a competency, level and kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count: Annotated[int, Field(ge=1, le=20)] = 1
    competency: Competency | None = None
    level: Level | None = None
    kind: str | None = None

    def matches(self, exercise: Exercise) -> bool:
        """Whether an exercise satisfies this pick."""
        meta = exercise.meta
        return (
            (self.competency is None or self.competency in meta.competencies)
            and (self.level is None or meta.level == self.level)
            and (self.kind is None or meta.kind == self.kind)
        )

    def describe(self) -> str:
        """The pick in words."""
        what = " ".join(str(x) for x in (self.level, self.competency, self.kind) if x)
        return f"{self.count} × {what or 'any'}"


class Stage(BaseModel):
    """One stage of a loop: a set of exercises the candidate does in one sitting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1)]
    minutes: Annotated[int, Field(ge=1, le=480)]
    """the stage's time limit"""
    weight: Annotated[float, Field(gt=0)] = 1.0
    """the stage's weight in the overall score"""
    exercises: list[str] = Field(default_factory=list)
    """exercises chosen by id"""
    pick: list[Pick] = Field(default_factory=list)
    """exercises chosen by competency, level and kind"""
    principle: str | None = None
    """behavioural stages: the company principle the stage probes"""
    description: str | None = None
    live: bool = False
    """a live stage: done together with interviewers in a room at a scheduled time (the team
    schedules it per interview; ``minutes`` is the room's default length)"""
    screening: bool = False
    """a first screen (the loop's first stage only): its result is a shortlist ranked with
    reasons; people decide every rejection"""

    @model_validator(mode="after")
    def _has_exercises(self) -> Stage:
        if not self.exercises and not self.pick:
            raise ValueError("a stage needs `exercises` (ids) or at least one [[stage.pick]]")
        return self


class PassRule(BaseModel):
    """When a candidate passes the loop (a recommendation; people decide)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_overall: Annotated[float, Field(ge=0, le=1)] = 0.6
    """the weighted overall score must reach this"""
    min_stage: Annotated[float, Field(ge=0, le=1)] = 0.0
    """every stage must reach this"""

    def passes(self, overall: float, stages: list[float]) -> bool:
        """Whether these scores pass."""
        return overall >= self.min_overall and all(s >= self.min_stage for s in stages)


class Loop(BaseModel):
    """A role's interview loop."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = ""
    """the file's stem; set by the loader"""
    title: Annotated[str, Field(min_length=3)]
    role: Annotated[str, Field(min_length=2)]
    description: str = ""
    feedback: FeedbackPolicy = "after_submission"
    """when the candidate sees feedback"""
    blind: bool = False
    """blind review: reviewers (not admins) see "Candidate N", not the name, email, upload
    names or recording details, and answers with personal details redacted, until the
    interview's decision is recorded"""
    principles: str | None = None
    """a principles file (relative to the loop file) for behavioural stages"""
    stage: Annotated[list[Stage], Field(min_length=1)]
    pass_rule: PassRule = Field(default_factory=PassRule)

    @model_validator(mode="after")
    def _screening_first(self) -> Loop:
        if any(s.screening for s in self.stage[1:]):
            raise ValueError("only the first stage can be a screening stage (screening = true)")
        return self

    @property
    def minutes(self) -> int:
        """The loop's total time."""
        return sum(s.minutes for s in self.stage)

    def overall(self, stage_scores: list[float]) -> float:
        """The weighted overall score of per-stage scores."""
        total = sum(s.weight for s in self.stage)
        return sum(s.weight * x for s, x in zip(self.stage, stage_scores, strict=True)) / total


@dataclass
class LoadedLoop:
    """A loop file: the loop or its errors."""

    id: str
    path: Path
    loop: Loop | None
    errors: list[ExerciseError] = field(default_factory=list)


def load_loop(path: Path) -> LoadedLoop:
    """Parse and validate one loop file (not yet against a bank)."""
    loop_id = path.stem
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return LoadedLoop(loop_id, path, None, [ExerciseError(str(path), "", str(exc))])
    if "id" in data:
        return LoadedLoop(loop_id, path, None, [ExerciseError(
            str(path), "id", "the loop's id is its file name; remove this key")])
    try:
        loop = Loop.model_validate({**data, "id": loop_id})
    except ValidationError as exc:
        return LoadedLoop(loop_id, path, None, pydantic_errors(str(path), exc))
    return LoadedLoop(loop_id, path, loop)


def load_loops(directories: list[Path]) -> dict[str, LoadedLoop]:
    """Every loop file in the folders, by id (a later folder's loop replaces an earlier one)."""
    loops: dict[str, LoadedLoop] = {}
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if path.name == "principles.toml" or path.is_symlink():
                continue
            loaded = load_loop(path)
            loops[loaded.id] = loaded
    return loops


@dataclass(frozen=True)
class StageProblem:
    """A stage the bank cannot serve, for messages that name it as their reader counts."""

    stage: int
    """the stage's index (0 for the first)"""
    field: str
    """``exercises``, ``pick`` or ``principle``"""
    what: Literal["missing", "unavailable", "short", "principle"]
    value: str
    """the exercise id, the pick in words or the principle"""
    pick: int = 0
    """the pick's index, for ``short``"""
    found: int = 0
    """how many exercises match, for ``short``"""


def exercise_problem(exercise_id: str, bank: Bank) -> Literal["missing", "unavailable"] | None:
    """Why a loop cannot ask for this exercise id: not in the bank, or there but unusable."""
    if exercise_id in bank.exercises:
        return None
    return "unavailable" if exercise_id in bank.entries else "missing"


def stage_problems(loaded: LoadedLoop, bank: Bank) -> tuple[list[StageProblem],
                                                             list[ExerciseError]]:
    """What of a valid loop the bank cannot serve (unknown or unusable exercise ids, picks it
    cannot satisfy, unknown principles), and the errors of the loop's principles file."""
    if loaded.loop is None:
        return [], []
    loop = loaded.loop
    problems: list[StageProblem] = []
    errors: list[ExerciseError] = []
    principles = bank.principles
    if loop.principles:
        principles, errors = load_principles(loaded.path.parent / loop.principles)
    usable = bank.exercises
    for s_index, stage in enumerate(loop.stage):
        for ex_id in stage.exercises:
            what = exercise_problem(ex_id, bank)
            if what is not None:
                problems.append(StageProblem(s_index, "exercises", what, ex_id))
        taken = set(stage.exercises)
        for p_index, pick in enumerate(stage.pick):
            matching = [e for e in usable.values() if pick.matches(e) and e.id not in taken]
            if len(matching) < pick.count:
                problems.append(StageProblem(s_index, "pick", "short", pick.describe(),
                                             pick=p_index, found=len(matching)))
            taken.update(e.id for e in matching[: pick.count])
        if stage.principle and stage.principle not in principles:
            problems.append(StageProblem(s_index, "principle", "principle", stage.principle))
    return problems, errors


def check_loop(loaded: LoadedLoop, bank: Bank) -> list[ExerciseError]:
    """Validate a loop against a bank: ids exist, picks can be satisfied, principles exist."""
    if loaded.loop is None:
        return loaded.errors
    loop, file = loaded.loop, str(loaded.path)
    problems, errors = stage_problems(loaded, bank)
    for p in problems:
        where = f"stage[{p.stage}] {loop.stage[p.stage].name!r}"
        if p.what in ("missing", "unavailable"):
            reason = "invalid or unavailable" if p.what == "unavailable" else "not in the bank"
            errors.append(ExerciseError(file, f"{where}.exercises", f"{p.value!r} is {reason}"))
        elif p.what == "short":
            errors.append(ExerciseError(
                file, f"{where}.pick[{p.pick}]",
                f"asks for {p.value} but the bank has {p.found} such exercises"))
        else:
            errors.append(ExerciseError(file, f"{where}.principle",
                                        f"unknown principle {p.value!r}"))
    return errors


@dataclass(frozen=True)
class PlannedExercise:
    """One exercise of a resolved loop, with the variant the candidate gets."""

    exercise_id: str
    seed: int


@dataclass(frozen=True)
class PlannedStage:
    """A stage with its concrete exercises."""

    name: str
    minutes: int
    weight: float
    exercises: list[PlannedExercise]
    principle: str | None
    live: bool = False


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("\0".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def resolve_loop(loop: Loop, bank: Bank, seed: int) -> list[PlannedStage]:
    """The concrete exercises and variants one candidate gets (deterministic in ``seed``).

    Raises ValueError when the bank cannot satisfy the loop (``check_loop`` says why).
    """
    usable = bank.exercises
    rng = _rng(loop.id, seed)
    used: set[str] = set()
    stages = []
    for stage in loop.stage:
        chosen: list[str] = []
        for ex_id in stage.exercises:
            if ex_id not in usable:
                raise ValueError(f"loop {loop.id!r}: exercise {ex_id!r} is not available")
            chosen.append(ex_id)
        used.update(chosen)
        for pick in stage.pick:
            pool = sorted(e.id for e in usable.values() if pick.matches(e) and e.id not in used)
            if len(pool) < pick.count:
                raise ValueError(f"loop {loop.id!r}, stage {stage.name!r}: not enough exercises "
                                 f"for {pick.describe()}")
            picked = rng.sample(pool, pick.count)
            chosen += picked
            used.update(picked)
        planned = [PlannedExercise(i, rng.randrange(1_000_000)) for i in chosen]
        stages.append(PlannedStage(stage.name, stage.minutes, stage.weight, planned,
                                   stage.principle, stage.live))
    return stages
