"""Small helpers the built-in kinds share: reading TOML files of an exercise precisely."""

from __future__ import annotations

import tomllib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hireloop.core import Exercise, ExerciseError
from hireloop.core.errors import pydantic_errors


def read_toml(
    exercise: Exercise, name: str, *, hidden: bool
) -> tuple[dict[str, Any] | None, list[ExerciseError]]:
    """Parse ``name`` (under ``hidden/`` when hidden) or say precisely why it can't be read."""
    shown = f"{exercise.source}/{'hidden/' if hidden else ''}{name}"
    try:
        raw = exercise.hidden.read_bytes(name) if hidden else exercise.public_files[name]
    except KeyError:
        return None, [ExerciseError(shown, "", "file is missing")]
    try:
        return tomllib.loads(raw.decode("utf-8")), []
    except UnicodeDecodeError:
        return None, [ExerciseError(shown, "", "not UTF-8 text")]
    except tomllib.TOMLDecodeError as exc:
        return None, [ExerciseError(shown, "", f"not valid TOML: {exc}")]


M = TypeVar("M", bound=BaseModel)


def validate_model(
    model: type[M], data: dict[str, Any], file: str, prefix: str = ""
) -> tuple[M | None, list[ExerciseError]]:
    """Validate ``data`` against ``model``; errors name the file and the field."""
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, pydantic_errors(file, exc, prefix)


def base_view_fields(exercise: Exercise) -> dict[str, Any]:
    """The CandidateView fields every kind fills the same way."""
    return {
        "id": exercise.id,
        "title": exercise.meta.title,
        "kind": exercise.kind,
        "competencies": list(exercise.meta.competencies),
        "level": exercise.meta.level,
        "minutes": exercise.meta.minutes,
    }
