"""The ``code`` kind: candidates write Python functions or classes, graded on hidden cases.

This release validates and renders code exercises; grading lands with the sandbox (issue #3),
so until then their samples are reported as skipped, never as passed.
"""

from __future__ import annotations

from hireloop.kinds.code.kind import CodeCase, CodeConfig, CodeKind
from hireloop.plugins import hookimpl

__all__ = ["CodeCase", "CodeConfig", "CodeKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[CodeKind]]:
    """Register the code kind."""
    return [CodeKind]
