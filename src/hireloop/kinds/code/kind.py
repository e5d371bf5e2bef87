"""Code exercises: configuration, test cases and what the candidate sees."""

from __future__ import annotations

import ast
from typing import Annotated, Any, ClassVar, Literal

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
from hireloop.core.kind import LogSink, TrialResult
from hireloop.kinds._common import base_view_fields, read_toml, validate_model
from hireloop.kinds.code.grader import Prepared

REFERENCE = "reference.py"
CASES = "cases.toml"
GENERATORS = "generators.py"
CHECKER = "checker.py"


class CodeConfig(BaseModel):
    """The ``[code]`` table of ``exercise.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Literal["python"] = "python"
    """the language the candidate writes (Python for now)"""
    entry: Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
    """the function or class the candidate writes"""
    style: Literal["function", "class"] = "function"
    """whether ``entry`` is a function or a class"""
    starter: str = "starter.py"
    """the public file the editor opens with"""
    visible_tests: str | None = "visible_tests.toml"
    """the public cases the candidate may run at will"""
    time_limit_s: Annotated[float, Field(gt=0, le=60)] = 2.0
    """CPU time limit per case, measured from outside the candidate's process (its
    wall-clock limit is twice that plus one second); `large` cases get 8x the reference
    solution's CPU time instead (at least 0.5 s)"""
    memory_mb: Annotated[int, Field(ge=16, le=4096)] = 256
    """memory limit for the candidate's process"""
    budget_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    """wall-clock budget for grading one submission, all cases and restarts together; cases
    not reached when it runs out are not run (default: 8 s plus twice the sum of the cases'
    CPU limits)"""


Compare = Literal["exact", "close", "unordered", "set", "checker"]


class CodeCase(BaseModel):
    """One test case (``[[case]]`` in ``visible_tests.toml`` or ``hidden/cases.toml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1)]
    args: list[Any] = Field(default_factory=list)
    """positional arguments (function style)"""
    kwargs: dict[str, Any] = Field(default_factory=dict)
    """keyword arguments (function style)"""
    as_array: list[int] = Field(default_factory=list)
    """indices of positional args to convert to numpy float arrays"""
    init: list[Any] | None = None
    """constructor arguments (class style)"""
    calls: list[list[Any]] | None = None
    """method calls, each ``[name, arg, ...]`` (class style)"""
    generator: str | None = None
    """a function in ``hidden/generators.py`` that builds the arguments (function style:
    ``{"args", "kwargs"}``; class style: ``{"init", "calls"}``)"""
    raises: str | None = None
    """the exception the code must raise, by class name (e.g. ``ValueError``)"""
    expected: Any = None
    """the expected result; omitted: the reference solution's output"""
    compare: Compare = "exact"
    rtol: Annotated[float, Field(ge=0)] = 1e-7
    atol: Annotated[float, Field(ge=0)] = 1e-9
    tags: list[str] = Field(default_factory=list)
    """categories named in feedback (edge, large, numerical, ...)"""
    weight: Annotated[float, Field(gt=0)] = 1.0

    @model_validator(mode="after")
    def _consistent(self) -> CodeCase:
        if self.calls is not None:
            for i, call in enumerate(self.calls):
                if not call or not isinstance(call[0], str):
                    raise ValueError(f"calls[{i}] must start with a method name")
        if self.raises is not None and (self.expected is not None or self.compare != "exact"):
            raise ValueError("a case that expects an exception has no `expected` or `compare`")
        if self.raises is not None and not self.raises.isidentifier():
            raise ValueError(f"raises must be an exception class name; got {self.raises!r}")
        for i in self.as_array:
            if i < 0 or (i >= len(self.args) and self.generator is None):
                raise ValueError(f"as_array index {i} is not a positional argument")
        return self


class CaseFile(BaseModel):
    """A file of cases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    case: Annotated[list[CodeCase], Field(min_length=1)]


def _defined_functions(source: str) -> set[str]:
    tree = ast.parse(source)
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}


class CodeKind(Kind):
    """Python functions and classes under test."""

    name: ClassVar[str] = "code"
    version: ClassVar[str] = "1"
    config_model: ClassVar[type[BaseModel] | None] = CodeConfig
    similarity: ClassVar[Literal["code", "text"] | None] = "code"

    def references(self, exercise: Exercise, variant: Variant) -> dict[str, str]:
        del variant
        return {f"hidden/{REFERENCE}": exercise.hidden.read_text(REFERENCE)}

    def given_text(self, exercise: Exercise, variant: Variant) -> str:
        config: CodeConfig = exercise.config
        return exercise.render(exercise.public_files[config.starter].decode("utf-8"), variant)

    def prepared_cases(self, exercise: Exercise) -> list[Prepared]:
        """Visible then hidden cases, numbered, with the exercise's per-case time limit."""
        config: CodeConfig = exercise.config
        visible: list[CodeCase] = []
        if config.visible_tests is not None:
            visible, _ = self.load_cases(exercise, config.visible_tests, hidden=False)
        hidden, _ = self.load_cases(exercise, CASES, hidden=True)
        cases = [(c, True) for c in visible] + [(c, False) for c in hidden]
        return [Prepared(i, c, v, config.time_limit_s) for i, (c, v) in enumerate(cases)]

    def load_cases(
        self, exercise: Exercise, name: str, *, hidden: bool
    ) -> tuple[list[CodeCase], list[ExerciseError]]:
        """Read and validate a cases file."""
        data, errors = read_toml(exercise, name, hidden=hidden)
        if data is None:
            return [], errors
        shown = f"{exercise.source}/{'hidden/' if hidden else ''}{name}"
        parsed, errors = validate_model(CaseFile, data, shown)
        return (list(parsed.case) if parsed else []), errors

    def check(self, exercise: Exercise) -> list[ExerciseError]:
        config: CodeConfig = exercise.config
        src = exercise.source
        errors: list[ExerciseError] = []
        if config.starter not in exercise.public_files:
            errors.append(ExerciseError(f"{src}/exercise.toml", "code.starter",
                                        f"{config.starter!r} does not exist in the exercise"))
        for label, source in (("reference", REFERENCE),):
            if not exercise.hidden.has(source):
                errors.append(ExerciseError(f"{src}/hidden/{source}", "",
                                            f"missing: the {label} solution"))
            else:
                try:
                    tree = ast.parse(exercise.hidden.read_text(source))
                except SyntaxError as exc:
                    errors.append(ExerciseError(f"{src}/hidden/{source}", "",
                                                f"syntax error line {exc.lineno}: {exc.msg}"))
                else:
                    names = {getattr(n, "name", None) for n in tree.body}
                    if config.entry not in names:
                        errors.append(ExerciseError(
                            f"{src}/hidden/{source}", "",
                            f"does not define {config.entry!r} (code.entry)"))
        cases, case_errors = self.load_cases(exercise, CASES, hidden=True)
        errors += case_errors
        if config.visible_tests is not None:
            visible, visible_errors = self.load_cases(exercise, config.visible_tests, hidden=False)
            errors += visible_errors
            cases = cases + visible
        generators: set[str] = set()
        if exercise.hidden.has(GENERATORS):
            try:
                generators = _defined_functions(exercise.hidden.read_text(GENERATORS))
            except SyntaxError as exc:
                errors.append(ExerciseError(f"{src}/hidden/{GENERATORS}", "",
                                            f"syntax error line {exc.lineno}: {exc.msg}"))
        for case in cases:
            if case.generator is not None and case.generator not in generators:
                errors.append(ExerciseError(
                    f"{src}/hidden/{GENERATORS}", "",
                    f"case {case.name!r} names generator {case.generator!r}, which is not "
                    "defined there"))
            if case.compare == "checker" and not exercise.hidden.has(CHECKER):
                errors.append(ExerciseError(f"{src}/hidden/{CHECKER}", "",
                                            f"case {case.name!r} uses compare = 'checker'"))
            is_class_case = case.calls is not None
            if case.generator is None and (config.style == "class") != is_class_case:
                errors.append(ExerciseError(
                    f"{src}/hidden/{CASES}", f"case {case.name!r}",
                    "class-style exercises give `init` and `calls`; function-style give `args`"))
        return errors

    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        config: CodeConfig = exercise.config
        starter = exercise.render(exercise.public_files[config.starter].decode("utf-8"), variant)
        visible: list[dict[str, Any]] = []
        if config.visible_tests is not None:
            cases, _ = self.load_cases(exercise, config.visible_tests, hidden=False)
            visible = [c.model_dump(exclude_defaults=True) for c in cases]
        return CandidateView(
            **base_view_fields(exercise),
            seed=variant.seed,
            prompt=exercise.prompt_for(variant),
            answer_format=f"Write `{config.entry}` in Python; numpy is available.",
            fields={
                "language": config.language,
                "entry": config.entry,
                "style": config.style,
                "starter": starter,
                "visible_tests": visible,
                "time_limit_s": config.time_limit_s,
                "memory_mb": config.memory_mb,
                "budget_s": config.budget_s,
            },
            input_kind="code",
        )

    def trial(self, exercise: Exercise, variant: Variant, submission: Submission,
              log: LogSink | None = None) -> TrialResult | None:
        from hireloop.kinds.code.grader import trial_code

        return trial_code(self, exercise, variant, submission, log)

    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        from hireloop.kinds.code.grader import grade_code

        return grade_code(self, exercise, variant, submission)
