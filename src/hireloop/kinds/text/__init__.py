"""The ``text`` kind: free-text answers graded against a rubric of weighted key points.

This release validates and renders text exercises and their rubrics; the grader lands with
issue #4, so until then their samples are reported as skipped, never as passed.
"""

from __future__ import annotations

from hireloop.kinds.text.kind import KeyPoint, Rubric, TextConfig, TextKind
from hireloop.plugins import hookimpl

__all__ = ["KeyPoint", "Rubric", "TextConfig", "TextKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[TextKind]]:
    """Register the text kind."""
    return [TextKind]
