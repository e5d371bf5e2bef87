"""Spoken exercises: configuration, what the candidate sees, and reading a recording."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hireloop.core import CandidateView, Exercise, ExerciseError, Grade, Kind, Submission, Variant
from hireloop.kinds._common import base_view_fields
from hireloop.kinds.text.kind import Genre, Rubric, TextKind
from hireloop.speech.audio import ACCEPTED_FORMATS

RECORDING_SUFFIXES = frozenset({f".{f}" for f in ACCEPTED_FORMATS} | {".oga", ".opus", ".mkv",
                                                                        ".aac", ".mpeg"})
"""file names taken for the recording when a submission is a folder"""
MB = 1_000_000


class SpokenConfig(BaseModel):
    """The ``[spoken]`` table of ``exercise.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    genre: Genre
    """what sort of answer (as for text): ``research`` is a research presentation, checked for
    motivation, method, evidence and limitations; ``behavioural`` for STAR structure"""
    audience: str | None = None
    """who the answer is spoken to (e.g. "executive"); sets the plain-language target"""
    principle: str | None = None
    """behavioural: the id of a company principle (see loops/principles.toml)"""
    max_seconds: Annotated[int, Field(ge=10, le=3600)] = 180
    """the longest recording accepted: the recorder stops there; longer uploads (over 10%)
    are refused, slightly longer ones are graded up to the limit"""
    max_mb: Annotated[float, Field(gt=0, le=1000)] = 25.0
    """the largest upload accepted, in megabytes (10⁶ bytes)"""
    allow_rerecord: bool = True
    """whether the candidate may record again before submitting"""
    video: bool = False
    """whether the candidate may record video with the audio; video is kept for human review
    only and never analysed"""
    slides: str | None = None
    """a PDF in the exercise's folder whose slides the talk presents (research presentations);
    a PDF handed in with the recording takes its place"""

    @field_validator("slides")
    @classmethod
    def _pdf_inside(cls, value: str | None) -> str | None:
        if value is not None and (not value.lower().endswith(".pdf") or value.startswith("/")
                                  or ".." in Path(value).parts):
            raise ValueError("must be a .pdf file relative to the exercise folder")
        return value

    @property
    def max_bytes(self) -> int:
        """``max_mb`` in bytes."""
        return int(self.max_mb * MB)


class SpokenKind(Kind):
    """Answers given aloud: transcribed offline, graded on what was said and how clearly."""

    name: ClassVar[str] = "spoken"
    version: ClassVar[str] = "2"
    config_model: ClassVar[type[BaseModel] | None] = SpokenConfig
    similarity: ClassVar[Literal["code", "text"] | None] = "text"

    def references(self, exercise: Exercise, variant: Variant) -> dict[str, str]:
        return TextKind().references(exercise, variant)

    def given_text(self, exercise: Exercise, variant: Variant) -> str:
        return exercise.prompt_for(variant)

    def comparable_text(self, submission: Submission, grade: Grade | None = None) -> str:
        """The transcript (from the grade); a text file stands for one (``hireloop similarity``
        on transcripts)."""
        if grade is not None and grade.transcript:
            return " ".join(line.text for line in grade.transcript)
        for name, data in sorted(submission.files.items()):
            if name.endswith((".txt", ".md")):
                return data.decode("utf-8", errors="replace")
        return submission.text or ""

    def load_rubric(self, exercise: Exercise) -> tuple[Rubric | None, list[ExerciseError]]:
        """The rubric (``hidden/rubric.toml``), in the text kind's format."""
        return TextKind().load_rubric(exercise)

    def check(self, exercise: Exercise) -> list[ExerciseError]:
        _, errors = self.load_rubric(exercise)
        config: SpokenConfig = exercise.config
        if config.slides is not None:
            from hireloop.speech.slides import SlidesError, read_slides

            data = exercise.public_files.get(config.slides)
            where = f"{exercise.source}/exercise.toml"
            if data is None:
                errors.append(ExerciseError(where, "spoken.slides",
                                            f"{config.slides} is not a file of the exercise"))
            else:
                try:
                    read_slides(data, config.slides)
                except SlidesError as exc:
                    errors.append(ExerciseError(where, "spoken.slides", str(exc)))
        return errors

    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        config: SpokenConfig = exercise.config
        minutes, seconds = divmod(config.max_seconds, 60)
        limit = f"{minutes} min" + (f" {seconds} s" if seconds else "") if minutes \
            else f"{seconds} s"
        media = "audio or audio and video" if config.video else "audio"
        return CandidateView(
            **base_view_fields(exercise),
            seed=variant.seed,
            prompt=exercise.prompt_for(variant),
            answer_format=(f"Answer aloud: record {media} in the browser or upload a recording "
                           f"(at most {limit}, {config.max_mb:g} MB). Only what you say and how "
                           "clearly is analysed; there is no face or emotion analysis."),
            fields={
                "genre": config.genre,
                "audience": config.audience,
                "max_seconds": config.max_seconds,
                "max_mb": config.max_mb,
                "max_bytes": config.max_bytes,
                "allow_rerecord": config.allow_rerecord,
                "video": config.video,
                "slides": config.slides,
                "accept": [f".{f}" for f in ACCEPTED_FORMATS] + ["audio/*"]
                          + (["video/*"] if config.video else []),
            },
            input_kind="audio",
        )

    def read_submission(self, exercise: Exercise, variant: Variant, path: Path) -> Submission:
        """A recording file, or a folder with one recording (and optionally a slides PDF).

        Never reads more than the exercise's size limit (plus one byte, so the grade can say
        the file is too large).
        """
        config: SpokenConfig = exercise.config
        cap = config.max_bytes + 1
        if path.is_dir():
            files = {}
            for p in sorted(path.iterdir()):
                if p.is_file() and not p.is_symlink() and (
                        p.suffix.lower() in RECORDING_SUFFIXES or p.suffix.lower() == ".pdf"):
                    files[p.name] = _read_at_most(p, cap)
            return Submission(exercise_id=exercise.id, seed=variant.seed, files=files)
        return Submission(exercise_id=exercise.id, seed=variant.seed,
                          files={path.name: _read_at_most(path, cap)})

    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        from hireloop.kinds.spoken.grader import grade_spoken

        return grade_spoken(self, exercise, variant, submission)


def _read_at_most(path: Path, limit: int) -> bytes:
    with path.open("rb") as f:
        return f.read(limit)
