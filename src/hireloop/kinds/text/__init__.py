"""The ``text`` kind: free-text answers graded against a rubric of weighted key points.

Content: semantic and lexical coverage of each key point, with the sentence that earned it.
Communication: readability for the audience, unexplained jargon, structure, length, hedging,
and STAR structure for behavioural answers.
"""

from __future__ import annotations

from hireloop.kinds.text.kind import KeyPoint, Rubric, TextConfig, TextKind
from hireloop.plugins import hookimpl

__all__ = ["KeyPoint", "Rubric", "TextConfig", "TextKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[TextKind]]:
    """Register the text kind."""
    return [TextKind]
