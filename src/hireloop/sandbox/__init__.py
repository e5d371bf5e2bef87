"""Running untrusted code (candidates' submissions) safely and measuring it.

Fresh sandboxes (``run``, ``run_python``, ``run_file``) and warm ones (``WarmPool``, for
practice mode) are built from bubblewrap, driven by our own supervisor that owns the
cgroups, rlimits, seccomp filter, wall clock and output cap. See docs/sandbox.md.

>>> r = run_python("print(6 * 7)", limits=Limits(time_s=1))   # doctest: +SKIP
>>> r.verdict, r.stdout, r.memory_mb                           # doctest: +SKIP
(<Verdict.OK: 'ok'>, b'42\\n', 9.8)

The heavier parts are imported on first use, so that ``import hireloop.sandbox`` (and the
``hireloop`` command, which mounts ``hireloop sandbox``) stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._types import Check, Limits, RunResult, SandboxError, SandboxUnavailable, Verdict

if TYPE_CHECKING:
    from ._host import hidden_paths, hide
    from .api import (
        READONLY_DIR,
        WORKDIR,
        python_executable,
        run,
        run_file,
        run_python,
        unsafe_allowed,
    )
    from .doctor import doctor
    from .session import Reply, Session, SessionPool
    from .warm import WarmPool

__all__ = [
    "READONLY_DIR",
    "WORKDIR",
    "Check",
    "Limits",
    "Reply",
    "RunResult",
    "SandboxError",
    "SandboxUnavailable",
    "Session",
    "SessionPool",
    "Verdict",
    "WarmPool",
    "doctor",
    "hidden_paths",
    "hide",
    "python_executable",
    "run",
    "run_file",
    "run_python",
    "unsafe_allowed",
]

_LAZY = {
    "READONLY_DIR": ".api",
    "WORKDIR": ".api",
    "python_executable": ".api",
    "run": ".api",
    "run_file": ".api",
    "run_python": ".api",
    "unsafe_allowed": ".api",
    "doctor": ".doctor",
    "hidden_paths": "._host",
    "hide": "._host",
    "WarmPool": ".warm",
    "Session": ".session",
    "Reply": ".session",
    "SessionPool": ".session",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
