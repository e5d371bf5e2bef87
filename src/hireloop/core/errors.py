"""Errors that name the file, the field and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ExerciseError:
    """One problem with an exercise directory, precise enough to fix without guessing."""

    file: str
    """the file at fault, as the author would type it (relative to the bank root when known)"""
    field: str
    """the key path inside the file (``choice.options[2].id``), or ``""`` for the file as a whole"""
    message: str
    """what was expected and what was found"""

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}: " if self.field else f"{self.file}: "
        return where + self.message


class ExerciseInvalid(Exception):  # noqa: N818 - the domain name reads better than "...Error"
    """Raised where code needs an exercise that failed validation."""

    def __init__(self, errors: list[ExerciseError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def field_path(loc: tuple[int | str, ...]) -> str:
    """Turn a pydantic error location into ``a.b[2].c``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def pydantic_errors(file: str, exc: Any, prefix: str = "") -> list[ExerciseError]:
    """Convert a ``pydantic.ValidationError`` into our errors, one per problem."""
    errors = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        path = field_path(loc)
        if prefix:
            path = f"{prefix}.{path}" if path else prefix
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            message = "unknown key (check the spelling; see docs/exercise-format.md)"
        elif kind == "missing":
            message = "required key is missing"
        else:
            message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
            value = err.get("input")
            if loc and kind != "model_type" and not isinstance(value, dict | list):
                message += f"; got {value!r}"
        errors.append(ExerciseError(file, path, message))
    return errors


def relative_name(path: Path, root: Path | None) -> str:
    """A path as the author knows it: relative to the bank root's parent when possible."""
    if root is not None:
        try:
            return str(path.relative_to(root.parent))
        except ValueError:
            pass
    return str(path)
