"""The interface every exercise kind implements; kinds are plugins (see ``hireloop.plugins``)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from hireloop.core.errors import ExerciseError
from hireloop.core.exercise import CandidateView, Exercise, Variant
from hireloop.core.grade import Grade
from hireloop.core.submission import Submission


class TrialResult(BaseModel):
    """What a candidate sees of a trial run before submitting (visible tests, a project run).

    Only public data: a trial never touches hidden files, so nothing in it can leak them.
    """

    model_config = ConfigDict(extra="forbid")

    passed: bool | None
    """True/False when the trial has a verdict (visible tests); None when it only ran"""
    summary: str
    """one line, e.g. "3 of 4 visible tests passed" """
    log: str = ""
    """the output the candidate may read (capped by the kind)"""


LogSink = Callable[[str], None]
"""Receives the lines of a trial's live log as they come."""


class Kind(ABC):
    """An exercise kind: validates its exercises, renders them, reads and grades submissions.

    Phases own their data: ``render`` gets the exercise but must only put public data into the
    view (``CandidateView`` cannot hold the ``Hidden`` container); ``grade`` reads hidden files
    from the author's copy and never changes the submission (it is frozen).
    """

    name: ClassVar[str]
    """the value of ``kind`` in ``exercise.toml`` and the name of its table"""
    version: ClassVar[str] = "1"
    """bumped whenever the same submission could get a different grade"""
    config_model: ClassVar[type[BaseModel] | None] = None
    """validates the kind's table in ``exercise.toml`` (extra keys forbidden); None: no table"""
    grading_unavailable: ClassVar[str | None] = None
    """when set, the kind validates and renders exercises but cannot grade yet: the reason"""

    @property
    def grader_id(self) -> str:
        """The label stored with every grade this kind produces."""
        return f"{self.name}@{self.version}"

    def check(self, exercise: Exercise) -> list[ExerciseError]:
        """Kind-specific validation of an exercise's files (answer keys, tests, rubrics)."""
        del exercise
        return []

    @abstractmethod
    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        """What the candidate sees of a variant."""

    def read_submission(self, exercise: Exercise, variant: Variant, path: Path) -> Submission:
        """Read a submission from a file (or directory) a candidate or sample provides."""
        if path.is_dir():
            files = {
                str(p.relative_to(path)): p.read_bytes()
                for p in sorted(path.rglob("*"))
                if p.is_file() and not p.is_symlink()
            }
            return Submission(exercise_id=exercise.id, seed=variant.seed, files=files)
        data = path.read_bytes()
        try:
            text: str | None = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        return Submission(exercise_id=exercise.id, seed=variant.seed, text=text,
                          files={path.name: data})

    @abstractmethod
    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        """Grade a submission. Must be deterministic for the default graders."""

    def trial(self, exercise: Exercise, variant: Variant, submission: Submission,
              log: LogSink | None = None) -> TrialResult | None:
        """Run the candidate's work on public data only (e.g. visible tests); None: the kind
        offers no trial. ``log`` receives output lines live, for long runs."""
        del exercise, variant, submission, log
        return None

    similarity: ClassVar[Literal["code", "text"] | None] = None
    """how answers are compared with each other for the integrity check: as Python code
    (normalised tokens), as prose (shingles and paraphrase), or not at all (None)"""

    def references(self, exercise: Exercise, variant: Variant) -> dict[str, str]:
        """The author's own solutions, by the name a reviewer knows them by (e.g.
        ``hidden/reference.py``): a submission close to one is flagged."""
        del exercise, variant
        return {}

    def given_text(self, exercise: Exercise, variant: Variant) -> str:
        """What every candidate is given (starter code, the prompt): never counted as shared
        between two answers."""
        del exercise, variant
        return ""

    def comparable_text(self, submission: Submission, grade: Grade | None = None) -> str:
        """The part of a submission that similarity compares (the answer's text, a project's
        Python files); ``grade`` gives what only grading produced (a spoken transcript)."""
        del grade
        if submission.text is not None and not submission.files:
            return submission.text
        parts = []
        for name, data in sorted(submission.files.items()):
            if self.similarity == "code" and not name.endswith(".py"):
                continue
            try:
                parts.append(data.decode("utf-8"))
            except UnicodeDecodeError:
                continue
        return "\n".join(parts) if parts else (submission.text or "")

    def web_templates(self) -> Path | None:
        """A folder with ``answer-<kind>.html``, the kind's own answer widget for the web app;
        None: the web app's widget for the view's ``input_kind`` is used."""
        return None

    def describe(self) -> dict[str, Any]:
        """Facts about the kind for ``hireloop kinds``."""
        return {
            "name": self.name,
            "version": self.version,
            "grading": self.grading_unavailable is None,
            "note": self.grading_unavailable,
        }
