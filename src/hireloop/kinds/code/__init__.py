"""The ``code`` kind: candidates write Python functions or classes, graded on hidden cases.

The candidate's code runs in the sandbox (``hireloop.sandbox``) on visible and hidden cases;
the host compares what it produced with the expected values, which never enter the sandbox.
"""

from __future__ import annotations

from hireloop.kinds.code.kind import CodeCase, CodeConfig, CodeKind
from hireloop.plugins import hookimpl

__all__ = ["CodeCase", "CodeConfig", "CodeKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[CodeKind]]:
    """Register the code kind."""
    return [CodeKind]
