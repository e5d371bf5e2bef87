"""Public value types of the sandbox: limits, verdicts, results, doctor checks."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = [
    "Check",
    "Limits",
    "RunResult",
    "SandboxError",
    "SandboxUnavailable",
    "Verdict",
]


class SandboxError(RuntimeError):
    """The sandbox itself failed (our fault, never the submission's)."""


class SandboxUnavailable(SandboxError):  # noqa: N818 - reads best where it is caught
    """This host cannot isolate candidate code and unsafe mode was not allowed."""


class Verdict(StrEnum):
    """How a run ended, from the host's point of view.

    ``KILLED`` means the sandbox killed the program because it tried something it must
    not (a forbidden system call: network, ptrace, namespaces...); ``detail`` names it.
    """

    OK = "ok"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    KILLED = "killed"
    INTERNAL_ERROR = "internal_error"


@dataclass(frozen=True, slots=True)
class Limits:
    """Resource limits of one run. Every field has a safe default.

    Attributes:
        time_s: CPU time, all processes of the run together (seconds).
        wall_s: wall clock (seconds); ``None`` means ``2 * time_s + 1``.
        memory_mb: resident memory of all processes together, tmpfs files included; no swap.
        pids: processes plus threads alive at once.
        output_bytes: stdout plus stderr captured; more is ``output_limit``.
        file_size_mb: largest file the program may write (RLIMIT_FSIZE).
        tmp_mb: size of the writable file systems (work dir, /tmp and /dev/shm together).
        open_files: open file descriptors per process (RLIMIT_NOFILE).
        cpus: CPU bandwidth (1.0 = one core), so one run cannot starve the host.
    """

    time_s: float = 2.0
    wall_s: float | None = None
    memory_mb: int = 256
    pids: int = 64
    output_bytes: int = 1 << 20
    file_size_mb: int = 16
    tmp_mb: int = 64
    open_files: int = 64
    cpus: float = 1.0

    def __post_init__(self) -> None:
        checks: list[tuple[str, bool]] = [
            ("time_s", 0 < self.time_s <= 3600),
            ("wall_s", self.wall_s is None or 0 < self.wall_s <= 7200),
            ("memory_mb", 8 <= self.memory_mb <= 1 << 20),
            ("pids", 1 <= self.pids <= 100_000),
            ("output_bytes", 0 <= self.output_bytes <= 1 << 30),
            ("file_size_mb", 0 <= self.file_size_mb <= 1 << 20),
            ("tmp_mb", 1 <= self.tmp_mb <= 1 << 20),
            ("open_files", 16 <= self.open_files <= 1 << 20),
            ("cpus", 0.01 <= self.cpus <= 1024),
        ]
        bad = [name for name, ok in checks if not ok]
        if bad:
            raise ValueError(f"invalid sandbox limits: {', '.join(bad)} ({self!r})")

    @property
    def wall(self) -> float:
        """The effective wall-clock limit in seconds."""
        return self.wall_s if self.wall_s is not None else 2 * self.time_s + 1

    def replace(self, **changes: Any) -> Limits:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True, slots=True)
class RunResult:
    """The outcome of one run, measured by the host (never reported by the program).

    ``stdout``/``stderr`` hold at most ``Limits.output_bytes`` together. ``files`` holds the
    files asked for with ``collect=`` that the program left in its work dir: regular files
    only, read without following symlinks, each at most ``Limits.file_size_mb``.
    """

    verdict: Verdict
    exit_code: int | None
    signal: int | None
    stdout: bytes
    stderr: bytes
    cpu_s: float
    wall_s: float
    memory_mb: float
    detail: str = ""
    files: Mapping[str, bytes] = field(default_factory=dict)
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    mode: str = "sandbox"

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.OK

    @property
    def stdout_text(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def stderr_text(self) -> str:
        return self.stderr.decode("utf-8", "replace")

    def to_dict(self, *, max_chars: int | None = None) -> dict[str, Any]:
        """A JSON-ready dict; ``max_chars`` trims stdout/stderr (keeping their tails)."""

        def trim(text: str) -> str:
            if max_chars is None or len(text) <= max_chars:
                return text
            return "…" + text[-max_chars:]

        return {
            "verdict": self.verdict.value,
            "exit_code": self.exit_code,
            "signal": self.signal,
            "stdout": trim(self.stdout_text),
            "stderr": trim(self.stderr_text),
            "stdout_truncated": self.stdout_truncated,
            "stderr_truncated": self.stderr_truncated,
            "cpu_s": round(self.cpu_s, 4),
            "wall_s": round(self.wall_s, 4),
            "memory_mb": round(self.memory_mb, 2),
            "detail": self.detail,
            "files": sorted(self.files),
            "mode": self.mode,
        }


@dataclass(frozen=True, slots=True)
class Check:
    """One line of ``doctor()``: a protection and whether this host provides it."""

    protection: str
    supported: bool
    detail: str
    required: bool = True
