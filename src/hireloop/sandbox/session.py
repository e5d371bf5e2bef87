"""Sessions: a sandboxed worker the host talks to one request at a time.

This is how a judge talks to code under test (the shape DMOJ and CMS use): the host holds
its own copy of every input, sends one request, reads one reply on its own clock, and
judges with its own data; nothing else that comes out of the sandbox counts.

Inside the sandbox the main program is a trusted relay (``_relay.py``) that forks *workers*
from itself and passes frames between them and the host over a channel no worker can write
to. The host measures each request from outside: CPU time from the sandbox's cgroup, wall
time from its own clock, memory from the cgroup, and the output's size before reading it.

>>> with Session(files={"solution.py": b"def f(x): return 2 * x"}) as s:   # doctest: +SKIP
...     s.start_worker("/harness/worker.py")
...     s.request(wire.encode([21]), cpu_s=1, wall_s=3)

A request's ``Reply.status``:

- ``reply``: the worker answered; ``data`` is its frame (decode it with ``wire.decode``);
- ``died``: the worker ended without answering (``cause``: ``memory``, ``killed`` for a
  forbidden system call, ``signal`` or ``exit``); the session lives on, start a new worker;
- ``violation``: the worker broke the protocol (wrote when not asked, or too much); it is
  dead, the session lives on;
- ``timeout`` (CPU or wall), ``output_limit``: the host killed the whole sandbox; the
  session is over (``alive`` is False): open a new one to go on;
- ``lost``: the sandbox itself ended (the relay died): the session is over.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from . import _audit, _seccomp
from ._fresh import Started, start_fresh
from ._fs import RunDir, validate_relpath
from ._host import INTERNAL_DIR, READONLY_DIR, WORKDIR, get_host, sandbox_env
from ._types import Limits, SandboxError

__all__ = ["Reply", "Session", "SessionPool"]

_HEAD = struct.Struct("!cQ")
_RELAY = Path(__file__).with_name("_relay.py")
_WIRE = Path(__file__).with_name("wire.py")
_RELAY_IN_SANDBOX = f"{INTERNAL_DIR}/relay.py"
_WIRE_IN_SANDBOX = f"{INTERNAL_DIR}/wire.py"
_CPU_POLL_S = 0.005
_STDERR_CAP = 16384
_CONTROL_CAP = 1 << 16
_START_WALL_S = 60.0
MAX_USES = 50
"""a pooled session serves at most this many users before a new one replaces it"""


@dataclass
class Reply:
    """The outcome of one request, as the host measured it."""

    status: str
    """reply, died, violation, timeout, output_limit or lost (see the module's docs)"""
    data: bytes = b""
    """the worker's frame (status reply)"""
    detail: str = ""
    """what happened, in words (not for status reply)"""
    cause: str = ""
    """died: memory, killed, signal or exit; timeout: cpu or wall"""
    log: str = ""
    """the tail of what the worker printed (stdout and stderr), when it died"""
    cpu_s: float = 0.0
    """CPU time of the whole sandbox during the request (cgroup accounting)"""
    wall_s: float = 0.0
    """the host's wall clock from sending the request to the end of the reply"""

    @property
    def ok(self) -> bool:
        return self.status == "reply"


@dataclass
class _Totals:
    requests: int = 0
    workers: int = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    stderr: bytearray = field(default_factory=bytearray)


class Session:
    """A fresh sandbox whose main program is the trusted relay (see the module's docs).

    Args:
        files: the work dir's content (``/sandbox``, the workers' cwd).
        readonly_files: trusted files in ``/harness`` (worker scripts, never writable).
        limits: the whole sandbox's limits: memory (relay and workers together), pids, tmp,
            file size, open files, CPU bandwidth; ``time_s`` caps the session's total CPU.
            Per-request CPU and wall limits are given to ``request``.
        mounts: extra read-only data dirs, as for ``run``.
        preload: modules the relay imports once, so that workers start with them loaded.
        unsafe: as for ``run``: unsafe mode runs the relay without isolation (trusted local
            authoring only; CPU limits are then wall-clock limits).
    """

    def __init__(self, *, files: Mapping[str, bytes] | None = None,
                 readonly_files: Mapping[str, bytes] | None = None,
                 limits: Limits | None = None, mounts: Mapping[str, str | Path] | None = None,
                 preload: Sequence[str] = ("numpy",), unsafe: bool | None = None) -> None:
        from .api import _resolve_mode

        self.limits = limits or Limits(time_s=600)
        for name in [*(files or {}), *(readonly_files or {})]:
            validate_relpath(name)
        self.mode = _resolve_mode(unsafe)
        self._totals = _Totals()
        self.uses = 0
        """how many users a pool has handed this session to"""
        self._alive = False
        self._closed = False
        self._worker_max_reply = 0
        self._backend: _Backend
        if self.mode == "unsafe":
            if mounts:
                raise SandboxError("read-only mounts need the sandbox; unsafe mode cannot "
                                   "provide them")
            self._backend = _UnsafeBackend(dict(files or {}), dict(readonly_files or {}),
                                           self.limits, tuple(preload))
        else:
            binds = {dest: Path(src) for dest, src in (mounts or {}).items()}
            self._backend = _SandboxBackend(dict(files or {}), dict(readonly_files or {}),
                                            self.limits, binds, tuple(preload))
        try:
            self._handshake()
        except BaseException:
            self.close()
            raise
        self._alive = True

    # --- public ----------------------------------------------------------------------

    @property
    def alive(self) -> bool:
        """Whether the sandbox still runs (False after a timeout, an output limit, a loss)."""
        return self._alive and not self._closed

    def path(self, sandbox_path: str) -> str:
        """The path a worker sees for ``/sandbox/...`` or ``/harness/...`` (unsafe mode
        maps them to its temporary directories)."""
        return self._backend.map_path(sandbox_path)

    def start_worker(self, script: str, args: Sequence[str] = (), *, cpu_s: float = 10.0,
                     wall_s: float | None = None, max_reply: int = 16 << 20,
                     rlimits: Sequence[tuple[int, int, int]] = (), cwd: str | None = None,
                     wipe: Sequence[str] = ()) -> Reply:
        """Start a worker running ``script`` (a path in the sandbox, e.g. ``/harness/x.py``)
        with ``sys.argv = [script, req_fd, rep_fd, *args]``, in ``cwd`` (default the work
        dir); any previous worker and what it left are killed first, and the directories in
        ``wipe`` (say ``/tmp``) emptied, so that nothing of it reaches the new one. The
        worker's first frame (say, "ready" after loading the candidate's module) is the
        reply, within ``cpu_s``/``wall_s``."""
        self._worker_max_reply = max_reply
        spec = {"script": self._backend.map_path(script), "args": list(args),
                "rlimits": [list(r) for r in rlimits], "max_reply": max_reply,
                "cwd": self._backend.map_path(cwd) if cwd else None,
                "wipe": [m for m in map(self._backend.map_path, wipe)
                         if self._backend.owns(m)]}
        self._totals.workers += 1
        return self._exchange(b"W", json.dumps(spec).encode(), cpu_s=cpu_s,
                              wall_s=wall_s if wall_s is not None else 2 * cpu_s + 1,
                              max_reply=max_reply)

    def request(self, payload: bytes, *, cpu_s: float, wall_s: float | None = None,
                max_reply: int | None = None) -> Reply:
        """Send one request to the worker and wait for its one reply, within ``cpu_s`` of
        CPU (the whole sandbox's, from its cgroup) and ``wall_s`` of the host's clock."""
        return self._exchange(b"C", payload, cpu_s=cpu_s,
                              wall_s=wall_s if wall_s is not None else 2 * cpu_s + 1,
                              max_reply=max_reply or self._worker_max_reply or 16 << 20)

    def add_files(self, files: Mapping[str, bytes] | None = None,
                  readonly_files: Mapping[str, bytes] | None = None) -> None:
        """Put more files in the work dir (``/sandbox``) and ``/harness`` before the next
        worker starts (a session started ahead of time gets its job's files this way)."""
        for name in [*(files or {}), *(readonly_files or {})]:
            validate_relpath(name)
        self._backend.add_files(dict(files or {}), dict(readonly_files or {}))

    def set_memory(self, memory_mb: int) -> None:
        """Change the sandbox's memory limit (relay and workers together)."""
        self.limits = self.limits.replace(memory_mb=memory_mb)
        self._backend.set_memory(memory_mb, self.limits)

    def recycle(self) -> bool:
        """Make the session fit for another user: kill the worker and everything it started
        (the relay does, in the sandbox), empty the work dir, ``/tmp``, ``/dev/shm`` and
        ``/harness`` (the host does), and start the measurements afresh. The next worker must
        be started with ``wipe=["/tmp", "/dev/shm"]`` so that the relay also removes SysV IPC
        objects. False when the session is not fit (then close it)."""
        if not self.alive:
            return False
        reply = self._exchange(b"K", b"", cpu_s=5.0, wall_s=10.0, max_reply=1 << 16)
        if reply.status != "died" or not self.alive:
            return False
        if not self._backend.wipe():
            return False
        self._backend.reset_counters()
        return True

    def memory_peak_mb(self) -> float:
        """Peak memory of the sandbox so far (relay and workers)."""
        return self._backend.memory_peak() / (1 << 20)

    @property
    def cpu_s(self) -> float:
        """CPU time of the whole session so far."""
        return self._backend.cpu_seconds()

    def collect(self, names: Sequence[str], max_bytes: int) -> dict[str, bytes]:
        """Files the workers left in the work dir (regular files only, no links)."""
        return self._backend.collect(names, max_bytes)

    def close(self) -> None:
        """Stop the sandbox and remove everything of it. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._alive = False
        self._backend.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # --- the channel -----------------------------------------------------------------

    def _handshake(self) -> None:
        kind, payload = self._read_control(_START_WALL_S)
        if kind != b"H":
            raise SandboxError(f"the sandbox's relay did not start ({self._stderr_tail()})")
        hello = json.loads(payload)
        guard = self._backend.guard_filter(int(hello["pid"]), int(hello["pgid"]))
        self._backend.write(_HEAD.pack(b"G", len(guard)) + guard, _START_WALL_S)
        kind, _ = self._read_control(_START_WALL_S)
        if kind != b"A":
            raise SandboxError(f"the sandbox's relay did not take its filter "
                               f"({self._stderr_tail()})")

    def _read_control(self, wall_s: float) -> tuple[bytes, bytes]:
        reply = self._backend.read_frame(wall_s=wall_s, cpu_s=None, max_len=_CONTROL_CAP)
        if reply[0] is None:
            raise SandboxError(f"the sandbox's relay stopped ({reply[2]}; "
                               f"{self._stderr_tail()})")
        return reply[0], reply[1]

    def _stderr_tail(self) -> str:
        return self._backend.stderr_tail()

    def _exchange(self, kind: bytes, payload: bytes, *, cpu_s: float, wall_s: float,
                  max_reply: int) -> Reply:
        if not self.alive:
            raise SandboxError("the session is over (its sandbox was stopped)")
        backend = self._backend
        cpu0 = backend.cpu_seconds()
        oom0 = backend.oom_kills()
        pids0 = backend.pids_limit_hits()
        started = time.monotonic()
        header = _HEAD.pack(kind, len(payload))
        status, got, why = backend.exchange(header, payload, cpu0=cpu0, cpu_s=cpu_s,
                                            wall_s=wall_s, max_len=max_reply + 4096)
        wall = time.monotonic() - started
        cpu = max(0.0, backend.cpu_seconds() - cpu0)
        self._totals.requests += 1
        if status != "frame":
            self._alive = False
            backend.kill_all()
            if status == "cpu":
                return Reply("timeout", cause="cpu", cpu_s=cpu, wall_s=wall,
                             detail=f"over {cpu_s:.3g} s of CPU time")
            if status == "wall":
                return Reply("timeout", cause="wall", cpu_s=cpu, wall_s=wall,
                             detail=f"over {wall_s:.3g} s of wall-clock time")
            if status == "too_long":
                return Reply("output_limit", cpu_s=cpu, wall_s=wall,
                             detail=f"output larger than {max_reply} bytes")
            return Reply("lost", cpu_s=cpu, wall_s=wall,
                         detail=f"the sandbox ended ({why}; {self._stderr_tail()})")
        rkind, data = got
        if rkind == b"R":
            return Reply("reply", data=data, cpu_s=cpu, wall_s=wall)
        try:
            info = json.loads(data)
        except ValueError:
            info = {}
        if rkind == b"V":
            detail = str(info.get("detail", "protocol violation"))
            if detail.startswith("output larger than"):
                return Reply("output_limit", detail=detail, cpu_s=cpu, wall_s=wall)
            return Reply("violation", detail=detail, cpu_s=cpu, wall_s=wall)
        if rkind == b"D":
            return self._death(info, oom0, pids0, started, cpu, wall)
        self._alive = False
        backend.kill_all()
        return Reply("lost", detail=f"unexpected frame {rkind!r} from the relay", cpu_s=cpu,
                     wall_s=wall)

    def _death(self, info: dict[str, Any], oom0: int, pids0: int, started: float,
               cpu: float, wall: float) -> Reply:
        status = info.get("status")
        log = str(info.get("log", ""))[-4000:]
        pids_note = (" (the process limit was reached)"
                     if self._backend.pids_limit_hits() > pids0 else "")
        if self._backend.oom_kills() > oom0:
            return Reply("died", cause="memory", log=log, cpu_s=cpu, wall_s=wall,
                         detail=f"over {self.limits.memory_mb} MB of memory (killed by the "
                                "kernel)")
        if isinstance(status, int) and os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGSYS:
                what = self._backend.blocked_syscall(started)
                return Reply("died", cause="killed", log=log, cpu_s=cpu, wall_s=wall,
                             detail="forbidden system call" + (f": {what}" if what else ""))
            if sig == signal.SIGXCPU:
                return Reply("died", cause="cpu", log=log, cpu_s=cpu, wall_s=wall,
                             detail="over its CPU time limit (rlimit)")
            try:
                name = signal.Signals(sig).name
            except ValueError:
                name = f"signal {sig}"
            return Reply("died", cause="signal", log=log, cpu_s=cpu, wall_s=wall,
                         detail=f"killed by {name}{pids_note}")
        code = os.waitstatus_to_exitcode(status) if isinstance(status, int) else None
        tail = log.rstrip().rsplit("\n", 1)[-1] if log.strip() else ""
        if tail.startswith("MemoryError"):
            return Reply("died", cause="memory", log=log, cpu_s=cpu, wall_s=wall,
                         detail=f"memory: allocation refused (MemoryError){pids_note}")
        return Reply("died", cause="exit", log=log, cpu_s=cpu, wall_s=wall,
                     detail=f"the process exited (code {code}){pids_note}")


class _Backend:
    """Where the relay runs: a fresh sandbox, or (unsafe mode) a plain subprocess."""

    def __init__(self) -> None:
        self.in_w = self.out_r = self.err_r = -1
        self.exit_fd = -1
        self.inbox = bytearray()
        self.stderr = bytearray()

    # what differs between the backends
    def cpu_seconds(self) -> float:
        raise NotImplementedError

    def oom_kills(self) -> int:
        return 0

    def pids_limit_hits(self) -> int:
        return 0

    def memory_peak(self) -> int:
        return 0

    def sample(self) -> None:
        """A chance to take periodic measurements."""

    def kill_all(self) -> None:
        raise NotImplementedError

    def guard_filter(self, relay_pid: int, relay_pgid: int) -> bytes:
        raise NotImplementedError

    def blocked_syscall(self, since: float) -> str | None:
        """The system call that got the worker killed, when the kernel's log tells."""
        del since
        return None

    def map_path(self, path: str) -> str:
        return path

    def owns(self, path: str) -> bool:
        """Whether ``path`` (as mapped) belongs to this session alone (safe to wipe)."""
        del path
        return True

    def collect(self, names: Sequence[str], max_bytes: int) -> dict[str, bytes]:
        raise NotImplementedError

    def add_files(self, files: dict[str, bytes], readonly_files: dict[str, bytes]) -> None:
        raise NotImplementedError

    def set_memory(self, memory_mb: int, limits: Limits) -> None:
        """Change the memory limit (unsafe mode has none to change)."""
        del memory_mb, limits

    def wipe(self) -> bool:
        """Empty the session's writable directories and ``/harness``; False when that failed."""
        return False

    def reset_counters(self) -> None:
        """Start the CPU and memory figures afresh."""

    def close(self) -> None:
        raise NotImplementedError

    # the channel, shared
    def stderr_tail(self) -> str:
        self._drain_stderr()
        text = self.stderr.decode("utf-8", "replace").strip()
        return text[-1500:] if text else "no diagnostics"

    def _drain_stderr(self) -> None:
        if self.err_r < 0:
            return
        while True:
            try:
                chunk = os.read(self.err_r, 65536)
            except (BlockingIOError, OSError):
                return
            if not chunk:
                return
            self.stderr += chunk
            del self.stderr[:-_STDERR_CAP]

    def write(self, data: bytes, wall_s: float) -> None:
        status, _, why = self.exchange(data, b"", cpu0=0.0, cpu_s=None, wall_s=wall_s,
                                       max_len=0, want_reply=False)
        if status != "sent":
            raise SandboxError(f"cannot write to the sandbox's relay ({status}: {why})")

    def read_frame(self, *, wall_s: float, cpu_s: float | None,
                   max_len: int) -> tuple[bytes | None, bytes, str]:
        status, got, why = self.exchange(b"", b"", cpu0=self.cpu_seconds(), cpu_s=cpu_s,
                                         wall_s=wall_s, max_len=max_len)
        if status == "frame":
            return got[0], got[1], ""
        return None, b"", f"{status} {why}".strip()

    def exchange(self, header: bytes, payload: bytes, *, cpu0: float, cpu_s: float | None,
                 wall_s: float, max_len: int, want_reply: bool = True,
                 ) -> tuple[str, tuple[bytes, bytes], str]:
        """Write ``header + payload`` to the relay, then (``want_reply``) read one frame.

        Returns ``(status, (kind, data), why)``; status is ``frame`` (or ``sent``), or
        ``cpu``/``wall`` (a limit ran out), ``too_long`` (the frame announced more than
        ``max_len`` bytes), ``eof``/``exit`` (the relay is gone)."""
        started = time.monotonic()
        deadline = started + wall_s
        out = [memoryview(header), memoryview(payload)]
        sel = selectors.DefaultSelector()
        try:
            if any(len(v) for v in out):
                sel.register(self.in_w, selectors.EVENT_WRITE)
            if want_reply:
                sel.register(self.out_r, selectors.EVENT_READ)
            if self.err_r >= 0:
                sel.register(self.err_r, selectors.EVENT_READ)
            if self.exit_fd >= 0:
                sel.register(self.exit_fd, selectors.EVENT_READ)
            next_poll = started
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return "wall", (b"", b""), ""
                if cpu_s is not None and now >= next_poll:
                    self.sample()
                    if self.cpu_seconds() - cpu0 > cpu_s:
                        return "cpu", (b"", b""), ""
                    next_poll = now + _CPU_POLL_S
                if not want_reply and not any(len(v) for v in out):
                    return "sent", (b"", b""), ""
                if want_reply and len(self.inbox) >= _HEAD.size:
                    kind, n = _HEAD.unpack_from(self.inbox)
                    if n > max_len:
                        return "too_long", (b"", b""), ""
                    if len(self.inbox) >= _HEAD.size + n:
                        data = bytes(self.inbox[_HEAD.size:_HEAD.size + n])
                        del self.inbox[:_HEAD.size + n]
                        return "frame", (kind, data), ""
                timeout = deadline - now
                if cpu_s is not None:
                    timeout = min(timeout, max(0.0, next_poll - now))
                for key, _ in sel.select(timeout + 0.0002):
                    fd = int(key.fd)
                    if fd == self.in_w:
                        try:
                            while out and not len(out[0]):
                                out.pop(0)
                            if out:
                                n = os.write(fd, out[0][:1 << 20])
                                out[0] = out[0][n:]
                            while out and not len(out[0]):
                                out.pop(0)
                        except BlockingIOError:
                            continue
                        except OSError as exc:
                            return "eof", (b"", b""), f"writing: {exc}"
                        if not out:
                            sel.unregister(fd)
                    elif fd == self.out_r:
                        try:
                            chunk = os.read(fd, 1 << 20)
                        except BlockingIOError:
                            continue
                        if not chunk:
                            return "eof", (b"", b""), "the relay closed its output"
                        self.inbox += chunk
                    elif fd == self.err_r:
                        self._drain_stderr()
                    elif fd == self.exit_fd:
                        sel.unregister(fd)
                        self.exit_fd_done()
                        # what the relay wrote before it ended may still be in the pipe
                        while want_reply:
                            try:
                                chunk = os.read(self.out_r, 1 << 20)
                            except (BlockingIOError, OSError):
                                break
                            if not chunk:
                                break
                            self.inbox += chunk
                        if want_reply and len(self.inbox) >= _HEAD.size:
                            kind, n = _HEAD.unpack_from(self.inbox)
                            if n <= max_len and len(self.inbox) >= _HEAD.size + n:
                                continue
                        return "exit", (b"", b""), "the relay exited"
        finally:
            sel.close()

    def exit_fd_done(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.exit_fd)
        self.exit_fd = -1

    def _close_pipes(self) -> None:
        for fd in (self.in_w, self.out_r, self.err_r, self.exit_fd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.in_w = self.out_r = self.err_r = self.exit_fd = -1


class _SandboxBackend(_Backend):
    def __init__(self, files: dict[str, bytes], readonly_files: dict[str, bytes],
                 limits: Limits, mounts: Mapping[str, Path], preload: tuple[str, ...]) -> None:
        super().__init__()
        host = get_host()
        self.host = host
        self.st: Started = start_fresh(
            host, [host.python, "-s", _RELAY_IN_SANDBOX, "--isolated", *preload], files=files,
            limits=limits, mounts=mounts, readonly_files=readonly_files,
            extra_files={_RELAY_IN_SANDBOX: _RELAY, _WIRE_IN_SANDBOX: _WIRE})
        self.in_w, self.out_r, self.err_r = self.st.take_pipes()
        for fd in (self.in_w, self.out_r, self.err_r):
            os.set_blocking(fd, False)
        assert self.st.program is not None
        self.exit_fd = os.dup(self.st.program.exit_fd)

    def cpu_seconds(self) -> float:
        return self.st.cg.cpu_seconds()

    def oom_kills(self) -> int:
        return self.st.cg.oom_kills()

    def pids_limit_hits(self) -> int:
        return self.st.cg.pids_limit_hits()

    def memory_peak(self) -> int:
        return self.st.cg.memory_peak()

    def sample(self) -> None:
        self.st.cg.sample()

    def kill_all(self) -> None:
        with contextlib.suppress(OSError):
            self.st.cg.kill_all()

    def guard_filter(self, relay_pid: int, relay_pgid: int) -> bytes:
        return _seccomp.guard_filter([1, relay_pid], [relay_pgid, 1])

    def blocked_syscall(self, since: float) -> str | None:
        what = _audit.blocked_syscall(self.st.slot.uid, since)
        _audit.forget(self.st.slot.uid)
        return what

    def collect(self, names: Sequence[str], max_bytes: int) -> dict[str, bytes]:
        assert self.st.rundir is not None
        return self.st.rundir.collect(names, max_bytes)

    def add_files(self, files: dict[str, bytes], readonly_files: dict[str, bytes]) -> None:
        assert self.st.rundir is not None
        self.st.rundir.write_files(files)
        self.st.rundir.write_files(readonly_files, readonly=True)

    def set_memory(self, memory_mb: int, limits: Limits) -> None:
        self.st.cg.set_limits(memory_mb, limits.pids + 2, limits.cpus)

    def wipe(self) -> bool:
        assert self.st.rundir is not None
        return self.st.rundir.wipe()

    def reset_counters(self) -> None:
        self.st.cg.reset_counters()

    def close(self) -> None:
        self._close_pipes()
        self.kill_all()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.st.proc.wait(timeout=5)
        self.st.close()


class _UnsafeBackend(_Backend):
    """The relay as a plain subprocess: no isolation at all (trusted local authoring)."""

    def __init__(self, files: dict[str, bytes], readonly_files: dict[str, bytes],
                 limits: Limits, preload: tuple[str, ...]) -> None:
        super().__init__()
        from ._unsafe import WARNING

        print(WARNING, file=sys.stderr, flush=True)
        python = get_host().python
        self.root = Path(tempfile.mkdtemp(prefix="hireloop-unsafe-"))
        self.work = self.root / "work"
        self.harness = self.root / "harness"
        self.work.mkdir()
        self.harness.mkdir()
        (self.root / "tmp").mkdir()
        (self.root / "shm").mkdir()
        self.rundir = RunDir(self.root, os.geteuid(), limits.tmp_mb)
        self.rundir.fds["work"] = os.open(self.work, os.O_RDONLY | os.O_DIRECTORY)
        self.rundir.fds["ro"] = os.open(self.harness, os.O_RDONLY | os.O_DIRECTORY)
        self.rundir.write_files(files)
        self.rundir.write_files(readonly_files, readonly=True)
        env = sandbox_env(python)
        env["HOME"] = env["TMPDIR"] = env["MPLCONFIGDIR"] = str(self.root / "tmp")
        in_r, self.in_w = os.pipe2(os.O_CLOEXEC)
        self.out_r, out_w = os.pipe2(os.O_CLOEXEC)
        self.err_r, err_w = os.pipe2(os.O_CLOEXEC)
        self.proc = subprocess.Popen(
            [python, "-s", str(_RELAY), "--unsafe", *preload], stdin=in_r, stdout=out_w,
            stderr=err_w, cwd=self.work, env=env, start_new_session=True)
        for fd in (in_r, out_w, err_w):
            os.close(fd)
        for fd in (self.in_w, self.out_r, self.err_r):
            os.set_blocking(fd, False)
        self.exit_fd = os.pidfd_open(self.proc.pid)
        self.started = time.monotonic()

    def cpu_seconds(self) -> float:
        return time.monotonic() - self.started  # no cgroup: wall time stands in

    def kill_all(self) -> None:
        pids = _descendants(self.proc.pid)
        for pid in [self.proc.pid, *pids]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def guard_filter(self, relay_pid: int, relay_pgid: int) -> bytes:
        ok, _ = _seccomp.available()
        return _seccomp.guard_filter([relay_pid], [relay_pgid]) if ok else b""

    def map_path(self, path: str) -> str:
        for fixed, real in ((WORKDIR, self.work), (READONLY_DIR, self.harness),
                            ("/tmp", self.root / "tmp"), ("/dev/shm", self.root / "shm")):  # noqa: S108
            if path == fixed or path.startswith(fixed + "/"):
                return str(real) + path[len(fixed):]
        return path

    def owns(self, path: str) -> bool:
        real, root = Path(os.path.realpath(path)), Path(os.path.realpath(self.root))
        return real == root or root in real.parents

    def collect(self, names: Sequence[str], max_bytes: int) -> dict[str, bytes]:
        return self.rundir.collect(names, max_bytes)

    def add_files(self, files: dict[str, bytes], readonly_files: dict[str, bytes]) -> None:
        self.rundir.write_files(files)
        self.rundir.write_files(readonly_files, readonly=True)

    def close(self) -> None:
        self._close_pipes()
        self.kill_all()
        with contextlib.suppress(OSError, subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        for fd in self.rundir.fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        import shutil

        shutil.rmtree(self.root, ignore_errors=True)


class SessionPool:
    """Sessions started ahead of time (the relay running, its modules imported), so that a
    grade does not wait for a sandbox to start: practice mode's instant feedback. A session
    serves one caller at a time; ``give_back`` recycles it for the next (worker killed,
    directories emptied, as the warm pool does between jobs), and a new one is started in the
    background when the pool runs short.

    >>> pool = SessionPool(2, limits=Limits(time_s=120))          # doctest: +SKIP
    >>> session = pool.take(files={"solution.py": b"..."})       # doctest: +SKIP
    """

    def __init__(self, size: int, *, limits: Limits, preload: Sequence[str] = ("numpy",)
                 ) -> None:
        import concurrent.futures
        import queue
        import threading

        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self.limits = limits
        self.preload = tuple(preload)
        self._ready: queue.Queue[Session] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._pending = 0
        # one long-lived thread starts them all (a sandbox dies with the thread that forked it)
        self._starter = concurrent.futures.ThreadPoolExecutor(1, "hireloop-session-pool")
        for _ in range(size):
            self._refill()

    def _refill(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._pending += 1
        self._starter.submit(self._start_one)

    def _start_one(self) -> None:
        try:
            session: Session | None = Session(limits=self.limits, preload=self.preload)
        except (OSError, SandboxError):
            session = None
        with self._lock:
            self._pending -= 1
            closed = self._closed
        if session is not None:
            if closed:
                session.close()
            else:
                self._ready.put(session)

    def take(self, *, files: Mapping[str, bytes] | None = None,
             readonly_files: Mapping[str, bytes] | None = None,
             memory_mb: int | None = None) -> Session:
        """A started session with these files, under this memory limit (a fresh one when
        none is ready)."""
        import queue

        try:
            session = self._ready.get_nowait()
        except queue.Empty:
            session = None
        if session is not None and not session.alive:
            session.close()
            session = None
        if session is None:
            limits = self.limits.replace(memory_mb=memory_mb) if memory_mb else self.limits
            return Session(files=files, readonly_files=readonly_files, limits=limits,
                           preload=self.preload)
        session.add_files(files, readonly_files)
        if memory_mb:
            session.set_memory(memory_mb)
        return session

    @property
    def ready(self) -> int:
        """Sessions waiting to be taken."""
        return self._ready.qsize()

    def give_back(self, session: Session) -> None:
        """A session its user is done with: recycled for the next one (its worker killed,
        its directories emptied; the relay, never touched by code under test, stays), or
        closed when that fails or the pool is full."""
        with self._lock:
            closed = self._closed
        session.uses += 1
        if closed or self._ready.qsize() >= self.size:
            session.close()
            return
        if session.uses >= MAX_USES or not session.recycle():
            session.close()
            self._refill()  # keep the pool at its size
            return
        self._ready.put(session)

    def close(self) -> None:
        """Stop every session not taken yet."""
        import queue

        with self._lock:
            self._closed = True
        self._starter.shutdown(wait=True)
        while True:
            try:
                self._ready.get_nowait().close()
            except queue.Empty:
                break


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out
