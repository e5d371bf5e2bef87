"""The ``spoken`` kind: answers given aloud, recorded in the browser or uploaded.

The recording is decoded and transcribed offline (``hireloop.speech``); the transcript is
graded by the text kind's grader against the exercise's rubric, its evidence stamped with the
moment it was said; delivery (pace, filler words, pauses, talk time) and, for research talks,
structure and slides add criteria and coach-style feedback. No face or emotion analysis.
"""

from __future__ import annotations

from hireloop.kinds.spoken.kind import SpokenConfig, SpokenKind
from hireloop.plugins import hookimpl

__all__ = ["SpokenConfig", "SpokenKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[SpokenKind]]:
    """Register the spoken kind."""
    return [SpokenKind]
