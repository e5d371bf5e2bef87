"""The ``choice`` kind: single choice, multiple choice and numeric screening questions."""

from __future__ import annotations

from hireloop.kinds.choice.kind import ChoiceConfig, ChoiceKey, ChoiceKind
from hireloop.plugins import hookimpl

__all__ = ["ChoiceConfig", "ChoiceKey", "ChoiceKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[ChoiceKind]]:
    """Register the choice kind."""
    return [ChoiceKind]
