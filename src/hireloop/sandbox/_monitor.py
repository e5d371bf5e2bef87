"""The supervisor's watch over one running program, and how its end becomes a verdict.

One loop serves every mode (fresh sandbox, warm worker, unsafe): it feeds stdin, captures
stdout/stderr up to the output cap, enforces the wall clock and the CPU budget (polling the
cgroup's CPU counter, so time spent in any number of processes counts), and notices the
end of the program through a file descriptor (a pidfd, or the warm harness's socket).
"""

from __future__ import annotations

import errno
import math
import os
import selectors
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._types import Limits, Verdict

__all__ = ["Exit", "OutputSink", "Program", "Watched", "decide", "watch"]

_CPU_POLL_S = 0.01
_DRAIN_GRACE_S = 0.5


@dataclass(frozen=True)
class Exit:
    """How the main process ended: exactly one of code/signal is set (both None: unknown)."""

    code: int | None
    signal: int | None

    @classmethod
    def from_wait_status(cls, status: int) -> Exit:
        if os.WIFSIGNALED(status):
            return cls(None, os.WTERMSIG(status))
        return cls(os.waitstatus_to_exitcode(status), None)

    @classmethod
    def from_shell_code(cls, rc: int) -> Exit:
        """bwrap reports a signal death as 128 + signal, like a shell."""
        if rc < 0:
            return cls(None, -rc)
        if 128 < rc < 128 + 65:
            return cls(None, rc - 128)
        return cls(rc, None)


class Program:
    """What the watch loop needs from a started program. Subclasses fill it in."""

    exit_fd: int = -1

    def reap(self) -> Exit | None:
        """Called once ``exit_fd`` is readable; None if it was a false alarm."""
        raise NotImplementedError

    def kill(self) -> None:
        """Kill the program and everything it started."""
        raise NotImplementedError

    def cpu_s(self) -> float:
        raise NotImplementedError

    def sample(self) -> None:
        """A chance to take periodic measurements."""


@dataclass
class Watched:
    exit: Exit | None
    stdout: bytes
    stderr: bytes
    stdout_truncated: bool
    stderr_truncated: bool
    reason: str | None  # "wall", "cpu" or "output" when the supervisor killed it
    wall_s: float


OutputSink = Callable[[str, bytes], None]
"""Receives each captured chunk as it arrives: ``("stdout" | "stderr", data)``."""


def watch(prog: Program, *, stdout_fd: int, stderr_fd: int, stdin_fd: int | None,
          stdin_data: bytes | None, limits: Limits, started: float,
          on_output: OutputSink | None = None) -> Watched:
    """Run the loop until the program ended and its pipes are drained. Closes the fds.

    ``on_output`` sees every captured chunk the moment it is read (a live log); an exception
    it raises is not the program's fault, so it is swallowed and the sink is dropped.
    """
    sel = selectors.DefaultSelector()
    bufs: dict[int, bytearray] = {stdout_fd: bytearray(), stderr_fd: bytearray()}
    trunc = {stdout_fd: False, stderr_fd: False}
    cap = limits.output_bytes
    captured = 0
    for fd in (stdout_fd, stderr_fd):
        os.set_blocking(fd, False)
        sel.register(fd, selectors.EVENT_READ)
    pending = memoryview(stdin_data or b"")
    if stdin_fd is not None:
        os.set_blocking(stdin_fd, False)
        if pending:
            sel.register(stdin_fd, selectors.EVENT_WRITE)
        else:
            os.close(stdin_fd)
            stdin_fd = None
    sel.register(prog.exit_fd, selectors.EVENT_READ)
    exit_: Exit | None = None
    ended_at: float | None = None
    reason: str | None = None
    killed_at: float | None = None
    wall_limit = limits.wall
    next_cpu = started + _CPU_POLL_S
    open_pipes = 2

    def close(fd: int) -> None:
        nonlocal open_pipes
        sel.unregister(fd)
        os.close(fd)
        if fd in bufs:
            open_pipes -= 1

    def stop(why: str) -> None:
        nonlocal reason, killed_at
        if reason is None and exit_ is None and why != "lingering":
            reason = why
        if killed_at is None:
            killed_at = time.monotonic()
            prog.kill()

    try:
        while True:
            now = time.monotonic()
            if exit_ is None and reason is None:
                if now - started > wall_limit:
                    stop("wall")
                elif now >= next_cpu:
                    prog.sample()
                    if prog.cpu_s() > limits.time_s:
                        stop("cpu")
                    next_cpu = now + _CPU_POLL_S
            if exit_ is not None and open_pipes == 0:
                break
            if ended_at is not None and now - ended_at > _DRAIN_GRACE_S:
                if killed_at is None:
                    stop("lingering")  # something still holds the pipes: kill it all
                elif now - killed_at > _DRAIN_GRACE_S:
                    break
            if exit_ is None:
                timeout = max(0.0, min(next_cpu, started + wall_limit) - now) + 0.0005
            else:
                timeout = 0.05
            for key, _ in sel.select(timeout):
                fd = int(key.fd)
                if fd == prog.exit_fd:
                    got = prog.reap()
                    if got is not None:
                        exit_ = got
                        ended_at = time.monotonic()
                        sel.unregister(fd)
                elif fd == stdin_fd:
                    try:
                        n = os.write(fd, pending[:65536])
                        pending = pending[n:]
                    except BlockingIOError:
                        continue
                    except OSError as exc:  # EPIPE: the program stopped reading
                        if exc.errno != errno.EPIPE:
                            raise
                        pending = pending[:0]
                    if not pending:
                        close(fd)
                        stdin_fd = None
                else:
                    try:
                        chunk = os.read(fd, 65536)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        close(fd)
                        continue
                    room = cap - captured
                    if len(chunk) > room:
                        chunk = chunk[:max(room, 0)]
                        trunc[fd] = True
                        stop("output")
                    bufs[fd] += chunk
                    captured += len(chunk)
                    if on_output is not None and chunk:
                        try:
                            on_output("stdout" if fd == stdout_fd else "stderr", chunk)
                        except Exception:  # a broken sink must not break the run
                            on_output = None
    finally:
        for key in list(sel.get_map().values()):
            fd = int(key.fd)
            if fd != prog.exit_fd:
                os.close(fd)
        sel.close()
    if exit_ is None:
        # We stopped waiting (pipes never closed); the kill above ends it for good.
        exit_ = Exit(None, signal.SIGKILL)
    end = ended_at if ended_at is not None else time.monotonic()
    return Watched(
        exit=exit_,
        stdout=bytes(bufs[stdout_fd]),
        stderr=bytes(bufs[stderr_fd]),
        stdout_truncated=trunc[stdout_fd],
        stderr_truncated=trunc[stderr_fd],
        reason=reason,
        wall_s=max(0.0, end - started),
    )


def signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def decide(
    w: Watched,
    *,
    limits: Limits,
    cpu_s: float,
    oom_kills: int,
    pids_hits: int,
    blocked: Callable[[], str | None],
) -> tuple[Verdict, str]:
    """The verdict of a finished run and a one-line explanation."""
    ex = w.exit or Exit(None, None)
    note = f" (process limit of {limits.pids} reached)" if pids_hits else ""
    if w.reason == "wall":
        return Verdict.TIME_LIMIT, f"wall clock: over {limits.wall:g}s{note}"
    if w.reason == "cpu" or cpu_s > limits.time_s + 1e-9:
        if ex.code == 0 and w.reason is None:
            # finished, but used more CPU than allowed
            return Verdict.TIME_LIMIT, (f"cpu: {cpu_s:.3f}s used, limit {limits.time_s:g}s"
                                        f"{note}")
        return Verdict.TIME_LIMIT, f"cpu: over {limits.time_s:g}s{note}"
    if w.reason == "output":
        return Verdict.OUTPUT_LIMIT, f"output over {limits.output_bytes} bytes"
    if oom_kills and ex.code != 0:
        return Verdict.MEMORY_LIMIT, (f"memory: over {limits.memory_mb} MB (killed by the "
                                      f"kernel){note}")
    if ex.signal == signal.SIGXCPU or (
        ex.signal == signal.SIGKILL and cpu_s >= math.ceil(limits.time_s)
    ):
        return Verdict.TIME_LIMIT, f"cpu: over {limits.time_s:g}s (rlimit){note}"
    if ex.signal == signal.SIGXFSZ:
        return Verdict.OUTPUT_LIMIT, f"file size: over {limits.file_size_mb} MB"
    if ex.signal == signal.SIGSYS:
        what = blocked()
        if what:
            return Verdict.KILLED, f"forbidden system call: {what}"
        return Verdict.KILLED, "forbidden system call"
    if ex.code == 0:
        return Verdict.OK, ""
    tail = w.stderr.rstrip().rsplit(b"\n", 1)[-1]
    if ex.code is not None and tail.startswith(b"MemoryError"):
        return Verdict.MEMORY_LIMIT, f"memory: allocation refused (MemoryError){note}"
    if ex.code is not None and b"[Errno 27] File too large" in tail:
        # Python ignores SIGXFSZ, so RLIMIT_FSIZE shows up as EFBIG
        return Verdict.OUTPUT_LIMIT, f"file size: over {limits.file_size_mb} MB"
    if ex.signal is not None:
        return Verdict.RUNTIME_ERROR, f"killed by {signal_name(ex.signal)}{note}"
    if ex.code is None:
        return Verdict.INTERNAL_ERROR, "the run ended without an exit status"
    return Verdict.RUNTIME_ERROR, f"exit code {ex.code}{note}"
