"""Running untrusted code: ``run`` (a command), ``run_python`` (source or a script among
``files``) and ``run_file`` (a file on disk, with a copy of its directory).

Each call is one fresh sandbox (see ``_fresh``). For many small runs use ``WarmPool``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from ._fresh import internal_error, run_fresh
from ._fs import copy_tree, validate_relpath
from ._host import READONLY_DIR, WORKDIR, get_host
from ._monitor import OutputSink
from ._types import Limits, RunResult, SandboxError, SandboxUnavailable
from ._unsafe import run_unsafe

__all__ = [
    "READONLY_DIR",
    "WORKDIR",
    "SandboxUnavailable",
    "python_executable",
    "run",
    "run_file",
    "run_python",
    "unsafe_allowed",
]

_TRUE = ("1", "true", "yes", "on")


def unsafe_allowed() -> bool:
    """Whether ``HIRELOOP_SANDBOX_UNSAFE`` allows falling back to unsafe mode."""
    return os.environ.get("HIRELOOP_SANDBOX_UNSAFE", "").strip().lower() in _TRUE


def _resolve_mode(unsafe: bool | None) -> str:
    """``"sandbox"`` or ``"unsafe"``, or raise SandboxUnavailable.

    ``unsafe=True`` forces unsafe mode; ``False`` never allows it; ``None`` (default) falls
    back to it only when isolation is unavailable and HIRELOOP_SANDBOX_UNSAFE=1.
    """
    if unsafe is True:
        return "unsafe"
    problems = get_host().problems()
    if not problems:
        return "sandbox"
    if unsafe is None and unsafe_allowed():
        return "unsafe"
    raise SandboxUnavailable(
        "refusing to run untrusted code: this host cannot isolate it ("
        + "; ".join(problems)
        + "). See `hireloop sandbox doctor`; for trusted local authoring only, set "
        "HIRELOOP_SANDBOX_UNSAFE=1."
    )


def python_executable() -> str:
    """The interpreter a sandboxed ``python3`` is (same path inside and outside)."""
    return get_host().python


def run(
    command: Sequence[str],
    *,
    files: Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    stdin: bytes | None = None,
    collect: Sequence[str] = (),
    mounts: Mapping[str, str | Path] | None = None,
    readonly_files: Mapping[str, bytes] | None = None,
    unsafe: bool | None = None,
    on_output: OutputSink | None = None,
) -> RunResult:
    """Run ``command`` in a fresh sandbox and measure it.

    Args:
        command: argv; ``python3``/``python`` is the host's interpreter (numpy included).
        files: the work dir's content (relative names, ``/`` for subdirectories). The
            program starts in that dir (``/sandbox``); it is writable, with /tmp.
        limits: resource limits (defaults: ``Limits()``).
        stdin: bytes fed to the program's stdin (else it reads EOF).
        collect: names of files in the work dir to return in ``RunResult.files``
            (regular files only, symlinks never followed, each up to ``file_size_mb``).
        mounts: extra read-only data: ``{"/data": "/host/dir"}`` (host paths we trust).
        readonly_files: trusted files (e.g. a grading harness) placed in ``/harness``
            (``READONLY_DIR``): the program can read and run them, never change them.
        unsafe: see ``_resolve_mode``; None follows HIRELOOP_SANDBOX_UNSAFE.
        on_output: called with ``("stdout" | "stderr", chunk)`` as output arrives (a live
            log; the host's clock at each call times the program from outside). It runs on
            the supervising thread: keep it quick. ``RunResult`` still holds all output.

    Returns the ``RunResult``; sandbox failures become ``Verdict.INTERNAL_ERROR``.
    Raises ``SandboxUnavailable`` when the host cannot isolate code and unsafe mode is
    not allowed, ``ValueError`` for bad arguments.
    """
    argv = list(command)
    if not argv or not all(isinstance(a, str) and "\0" not in a for a in argv):
        raise ValueError("command must be a non-empty list of strings")
    lim = limits or Limits()
    data = dict(files or {})
    ro = dict(readonly_files or {})
    for name in [*data, *ro]:
        validate_relpath(name)
    mode = _resolve_mode(unsafe)
    host = get_host()
    if mode == "unsafe":
        if binds_given := dict(mounts or {}):
            raise SandboxUnavailable(
                f"read-only mounts ({', '.join(sorted(binds_given))}) need the sandbox; "
                "unsafe mode cannot provide them")
        return run_unsafe(host.python, argv, files=data, limits=lim, stdin=stdin,
                          collect=collect, readonly_files=ro, on_output=on_output)
    binds = {dest: Path(src) for dest, src in (mounts or {}).items()}
    try:
        return run_fresh(host, argv, files=data, limits=lim, stdin=stdin, collect=collect,
                         mounts=binds, readonly_files=ro, on_output=on_output)
    except ValueError:
        raise
    except (OSError, SandboxError) as exc:
        return internal_error(f"sandbox failure: {exc}")


def _python_files(source: str | None, script: str, files: Mapping[str, bytes] | None
                  ) -> dict[str, bytes]:
    out = dict(files or {})
    validate_relpath(script)
    if source is not None:
        if script in out:
            raise ValueError(f"{script!r} given both as source and in files")
        out[script] = source.encode("utf-8")
    elif script not in out:
        raise ValueError(f"no source given and {script!r} is not in files")
    return out


def run_python(
    source: str | None = None,
    *,
    script: str = "main.py",
    args: Sequence[str] = (),
    files: Mapping[str, bytes] | None = None,
    limits: Limits | None = None,
    stdin: bytes | None = None,
    collect: Sequence[str] = (),
    mounts: Mapping[str, str | Path] | None = None,
    readonly_files: Mapping[str, bytes] | None = None,
    unsafe: bool | None = None,
    on_output: OutputSink | None = None,
) -> RunResult:
    """Run Python: ``source`` written to ``script`` in the work dir, or ``files[script]``.

    Equivalent to ``run([python3, script, *args], ...)``. ``script`` may also name a
    trusted file in ``/harness`` (e.g. ``"/harness/grade.py"`` with ``readonly_files``).
    """
    if script.startswith(READONLY_DIR + "/"):
        if source is not None or script[len(READONLY_DIR) + 1:] not in (readonly_files or {}):
            raise ValueError(f"{script!r} must be one of readonly_files")
        all_files = dict(files or {})
    else:
        all_files = _python_files(source, script, files)
    return run([python_executable(), script, *args], files=all_files, limits=limits,
               stdin=stdin, collect=collect, mounts=mounts, readonly_files=readonly_files,
               unsafe=unsafe, on_output=on_output)


def run_file(
    path: str | Path,
    *,
    args: Sequence[str] = (),
    limits: Limits | None = None,
    stdin: bytes | None = None,
    collect: Sequence[str] = (),
    unsafe: bool | None = None,
) -> RunResult:
    """Run a Python file with a copy of its own directory as the work dir.

    Only regular files are copied (no symlinks, no devices; VCS and virtualenv folders
    skipped), at most half of ``tmp_mb``. Nothing else of the host is visible beyond the
    read-only system and the Python installation.
    """
    p = Path(path).absolute()
    if not p.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    lim = limits or Limits()
    files = copy_tree(p.parent, max_bytes=(lim.tmp_mb << 20) // 2)
    if p.name not in files:
        raise ValueError(f"{path} is not a regular file")
    return run_python(None, script=p.name, args=args, files=files, limits=lim, stdin=stdin,
                      collect=collect, unsafe=unsafe)

