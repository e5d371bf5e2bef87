"""The ``ml_task`` kind: practical ML work samples (debug a pipeline, ship a fast model, build a
retriever, monitor drift) run in the sandbox on data mounted read-only, scored on the host
against hidden holdout labels and measurements taken from outside the candidate's process.
"""

from __future__ import annotations

from hireloop.kinds.ml_task.kind import MlTaskConfig, MlTaskKind
from hireloop.plugins import hookimpl

__all__ = ["MlTaskConfig", "MlTaskKind"]


@hookimpl
def hireloop_register_kinds() -> list[type[MlTaskKind]]:
    """Register the ml_task kind."""
    return [MlTaskKind]
