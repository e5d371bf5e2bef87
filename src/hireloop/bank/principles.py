"""A company's principles, used by behavioural stages and exercises."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hireloop.core import ExerciseError
from hireloop.core.errors import pydantic_errors


class Principle(BaseModel):
    """One principle a company holds its people to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: Annotated[str, Field(min_length=1)]
    description: Annotated[str, Field(min_length=1)]


class PrinciplesFile(BaseModel):
    """A principles file: ``[[principle]]`` entries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    principle: Annotated[list[Principle], Field(min_length=1)]


def load_principles(path: Path) -> tuple[dict[str, Principle], list[ExerciseError]]:
    """The principles in ``path`` by id, or the errors that prevent reading them."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, [ExerciseError(str(path), "", "principles file not found")]
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [ExerciseError(str(path), "", f"not valid TOML: {exc}")]
    try:
        parsed = PrinciplesFile.model_validate(data)
    except ValidationError as exc:
        return {}, pydantic_errors(str(path), exc)
    ids = [p.id for p in parsed.principle]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        return {}, [ExerciseError(str(path), "principle", f"ids repeated: {repeated}")]
    return {p.id: p for p in parsed.principle}, []
