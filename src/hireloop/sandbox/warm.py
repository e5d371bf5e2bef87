"""Warm workers for practice mode: pre-started sandboxes that run one job per fresh process.

A ``WarmPool`` keeps ``size`` sandboxes running, each a full sandbox (same namespaces,
read-only root, seccomp, uid, cgroups as a fresh run) whose program is the trusted harness
(``_harness.py``) with numpy already imported. A job is forked from the harness, so it
starts in about a millisecond, and it never shares a process with another job. Between
jobs the host kills whatever the job left running, empties the work dir, /tmp and /dev/shm,
and the harness removes SysV IPC objects; POSIX message queues are refused by seccomp.
If anything looks wrong (the harness died, a reset failed, a protocol error), the worker is
thrown away and a new one started.

Differences from a fresh run, by design: ``memory_mb`` counts what the job allocated on
top of the warm interpreter, and ``cpu_s`` excludes interpreter start-up.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import os
import queue
import resource
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from . import _audit, _seccomp
from ._cgroup import RunCgroup
from ._fresh import _read_child_pid, apply_rlimits, rlimits_for
from ._fs import RunDir
from ._host import INTERNAL_DIR, READONLY_DIR, Host, Slot, get_host, unique_name
from ._monitor import Exit, Program, decide, watch
from ._types import Limits, RunResult, SandboxError, SandboxUnavailable, Verdict

__all__ = ["WarmPool"]

_HARNESS = Path(__file__).with_name("_harness.py")
_HARNESS_IN_SANDBOX = f"{INTERNAL_DIR}/harness.py"
_HOST_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
_HARNESS_MB = 256  # what the harness itself may use (numpy loaded is ~40 MB)
_SO_PASSCRED = 16
_SCM_CREDENTIALS = 2


def _recv_with_pid(sock: socket.socket, timeout: float) -> tuple[bytes, int | None]:
    """One message and the sender's pid as the host sees it (SCM_CREDENTIALS)."""
    sock.settimeout(timeout)
    try:
        data, anc, _flags, _addr = sock.recvmsg(1 << 16, socket.CMSG_SPACE(12))
    finally:
        sock.settimeout(None)
    pid = None
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == _SCM_CREDENTIALS and len(payload) >= 12:
            pid = struct.unpack("iII", payload[:12])[0]
    return data, pid


class _WarmProgram(Program):
    def __init__(self, worker: _Worker) -> None:
        self.w = worker
        self.exit_fd = worker.ctl.fileno()
        self.broken = False
        self.cleaned = False  # the job's processes were all killed after it exited
        self.job_pid: int | None = None

    def reap(self) -> Exit | None:
        try:
            data, pid = _recv_with_pid(self.w.ctl, timeout=0)
        except (BlockingIOError, TimeoutError):
            return None
        except OSError:
            data, pid = b"", None
        if not data:
            self.broken = True
            return Exit(None, None)
        msg = json.loads(data)
        if msg.get("op") == "started":
            self.job_pid = pid
            return None
        if msg.get("op") != "exit":
            self.broken = True
            return Exit(None, None)
        self.w.kill_job()  # whatever the job left running goes with it
        self.cleaned = True
        return Exit.from_wait_status(int(msg["status"]))

    def kill(self) -> None:
        self.w.kill_job()

    def cpu_s(self) -> float:
        return self.w.cg.cpu_seconds()

    def sample(self) -> None:
        self.w.cg.sample()


class _Worker:
    """One pre-started sandbox running the harness."""

    def __init__(self, host: Host, spawn: concurrent.futures.ThreadPoolExecutor,
                 tmp_mb: int, preload: Sequence[str], max_pids: int) -> None:
        if host.layout is None:
            raise SandboxError("no cgroups")
        self.host = host
        self.slot: Slot = host.acquire_slot()
        self.name = unique_name(self.slot, "w")
        self.rundir: RunDir | None = None
        self.cg: RunCgroup = None  # type: ignore[assignment]
        self.proc: subprocess.Popen[bytes] | None = None
        self.protected: frozenset[int] = frozenset()
        self.max_pids = max_pids
        self.jobs = 0
        self.ctl, ctl_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.ctl.setsockopt(socket.SOL_SOCKET, _SO_PASSCRED, 1)
            self.rundir = RunDir.create(self.name, self.slot.uid, tmp_mb)
            self.cg = RunCgroup.create(host.layout, self.name)
            self.cg.set_limits(_HARNESS_MB, max_pids + 4, 1.0)
            self._start(spawn, ctl_child, preload)
        except BaseException:
            ctl_child.close()
            self.close()
            raise
        ctl_child.close()

    def _start(self, spawn: concurrent.futures.ThreadPoolExecutor, ctl_child: socket.socket,
               preload: Sequence[str]) -> None:
        assert self.rundir is not None
        info_r, info_w = os.pipe2(os.O_CLOEXEC)
        block_r, block_w = os.pipe2(os.O_CLOEXEC)
        sec_r, sec_w = os.pipe2(os.O_CLOEXEC)
        try:
            os.write(sec_w, _seccomp.base_filter())
            os.close(sec_w)
            sec_w = -1
            cfd = ctl_child.fileno()
            argv = self.host.bwrap_argv(
                rundir=self.rundir, uid=self.slot.uid,
                command=[self.host.python, "-s", _HARNESS_IN_SANDBOX, str(cfd), *preload],
                info_fd=info_w, block_fd=block_r, seccomp_fd=sec_r,
                extra_files={_HARNESS_IN_SANDBOX: _HARNESS},
            )
            # Started from the pool's own long-lived thread: bwrap --die-with-parent ties
            # the sandbox to the thread that forked it.
            self.proc = spawn.submit(
                subprocess.Popen, argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, pass_fds=(info_w, block_r, sec_r, cfd),
                env=_HOST_ENV, start_new_session=True,
            ).result()
            os.close(info_w)
            info_w = -1
            init_pid = _read_child_pid(info_r, self.proc)
            self.cg.add(init_pid)
            # Hard limits a job can only lower: the tmpfs size (set per job) bounds files anyway.
            harness_limits = Limits(open_files=256, pids=self.max_pids + 4, time_s=3600,
                                    file_size_mb=1 << 10)
            apply_rlimits(init_pid, [(res, value) for res, value in rlimits_for(harness_limits)
                                     if res != resource.RLIMIT_CPU])
            os.write(block_w, b"g")
        finally:
            for fd in (info_r, info_w, block_r, block_w, sec_r, sec_w):
                if fd >= 0:
                    with contextlib.suppress(OSError):
                        os.close(fd)
        data, harness_pid = _recv_with_pid(self.ctl, timeout=60)
        if not data or harness_pid is None:
            raise SandboxError("warm worker did not start")
        hello = json.loads(data)
        self.protected = frozenset({init_pid, harness_pid})
        inner = [1, int(hello["pid"])]
        self.ctl.send(_seccomp.guard_filter(inner, [int(hello["pgid"]), 1]))

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill_job(self) -> None:
        self.cg.kill_all(exclude=self.protected)

    def run(self, req: dict[str, Any], *, files: Mapping[str, bytes],
            readonly_files: Mapping[str, bytes], limits: Limits, stdin: bytes | None,
            collect: Sequence[str]) -> tuple[RunResult, bool]:
        """Run one job; returns (result, worker still usable)."""
        assert self.rundir is not None
        self.jobs += 1
        self.rundir.resize(limits.tmp_mb)
        self.rundir.write_files(files)
        self.rundir.write_files(readonly_files, readonly=True)
        in_r, in_w = os.pipe2(os.O_CLOEXEC)
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        owned = [in_w, out_r, err_r]
        try:
            baseline = self.cg.memory_current()
            # the harness and bwrap's init count too; the job's own processes get limits.pids
            self.cg.set_job_limits(baseline + (limits.memory_mb << 20),
                                   self.cg.pids_current() + limits.pids, limits.cpus)
            self.cg.reset_counters()
            req = {**req, "rlimits": [[r, s, h] for r, (s, h) in rlimits_for(limits)]}
            prog = _WarmProgram(self)
            started = time.monotonic()
            socket.send_fds(self.ctl, [json.dumps(req).encode()], [in_r, out_w, err_w])
            for fd in (in_r, out_w, err_w):
                os.close(fd)
            owned.clear()
            w = watch(prog, stdout_fd=out_r, stderr_fd=err_r, stdin_fd=in_w,
                      stdin_data=stdin if stdin is not None else b"", limits=limits,
                      started=started)
        finally:
            for fd in owned:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if not prog.cleaned:
            self.kill_job()
        cpu_s = self.cg.cpu_seconds()
        verdict, detail = decide(
            w, limits=limits, cpu_s=cpu_s, oom_kills=self.cg.oom_kills(),
            pids_hits=self.cg.pids_limit_hits(),
            blocked=lambda: _audit.blocked_syscall(self.slot.uid, started, pid=prog.job_pid),
        )
        _audit.forget(self.slot.uid)
        usable = not prog.broken and self.alive()
        if prog.broken and self.cg.oom_kills():
            verdict, detail = Verdict.MEMORY_LIMIT, f"memory: over {limits.memory_mb} MB"
        elif prog.broken:
            verdict, detail = Verdict.INTERNAL_ERROR, "the warm worker's harness died"
        got = self.rundir.collect(collect, limits.file_size_mb << 20) if collect else {}
        peak = max(0, self.cg.memory_peak() - baseline)
        if not self.rundir.wipe():
            usable = False
        result = RunResult(
            verdict=verdict,
            exit_code=w.exit.code if w.exit else None,
            signal=w.exit.signal if w.exit else None,
            stdout=w.stdout, stderr=w.stderr, cpu_s=cpu_s, wall_s=w.wall_s,
            memory_mb=peak / (1 << 20), detail=detail, files=got,
            stdout_truncated=w.stdout_truncated, stderr_truncated=w.stderr_truncated,
            mode="warm",
        )
        return result, usable

    def close(self) -> None:
        """Stop the sandbox and remove everything of it. Idempotent."""
        with contextlib.suppress(OSError):
            self.ctl.close()
        if self.cg is not None:
            with contextlib.suppress(OSError):
                self.cg.kill_all()
        if self.proc is not None:
            with contextlib.suppress(OSError):
                self.proc.kill()
            self.proc.wait()
        errors = []
        for step in (self.rundir.destroy if self.rundir else None,
                     self.cg.destroy if self.cg is not None else None):
            if step is not None:
                try:
                    step()
                except OSError as exc:
                    errors.append(str(exc))
        self.rundir = None
        self.slot.release()
        if errors:
            raise SandboxError("warm worker cleanup failed: " + "; ".join(errors))


class WarmPool:
    """A pool of warm sandboxes for instant feedback (practice mode).

    >>> with WarmPool(size=2) as pool:                       # doctest: +SKIP
    ...     r = pool.run_python("print(sum(range(10)))")
    ...     r.verdict, r.stdout
    (<Verdict.OK: 'ok'>, b'45\\n')

    Thread-safe: ``size`` jobs run at once; more callers wait for a free worker. Every
    limit is per job (``tmp_mb`` resizes the worker's tmpfs); ``tmp_mb`` here is only the
    starting size. ``max_pids`` is the largest ``Limits.pids`` a job may ask.
    """

    def __init__(self, size: int = 2, *, tmp_mb: int = 64,
                 preload: Sequence[str] = ("numpy",), max_pids: int = 256) -> None:
        from .api import _resolve_mode

        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self.tmp_mb = tmp_mb
        self.preload = tuple(preload)
        self.max_pids = max_pids
        self.mode = _resolve_mode(None)
        _audit.start_listener()
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False
        self._restart_error: BaseException | None = None
        self._all: set[_Worker] = set()
        self._spawn = concurrent.futures.ThreadPoolExecutor(1, "hireloop-warm-spawn")
        if self.mode == "sandbox":
            try:
                for _ in range(size):
                    self._add_worker()
            except BaseException:
                self.close()
                raise

    def _add_worker(self) -> None:
        w = _Worker(get_host(), self._spawn, self.tmp_mb, self.preload, self.max_pids)
        with self._lock:
            self._all.add(w)
        self._idle.put(w)

    def _retire(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        with contextlib.suppress(SandboxError):
            w.close()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop every worker; nothing of them is left afterwards."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for w in workers:
            with contextlib.suppress(SandboxError):
                w.close()
        self._spawn.shutdown(wait=True)

    def run_python(self, source: str | None = None, *, script: str = "main.py",
                   args: Sequence[str] = (), files: Mapping[str, bytes] | None = None,
                   limits: Limits | None = None, stdin: bytes | None = None,
                   collect: Sequence[str] = (),
                   readonly_files: Mapping[str, bytes] | None = None) -> RunResult:
        """Run Python ``source`` (written to ``script``) or an existing ``files[script]``
        (or ``/harness/<name>`` from ``readonly_files``), like ``run_python``."""
        from .api import _python_files, run_python

        if self.mode != "sandbox":
            return run_python(source, script=script, args=args, files=files, limits=limits,
                              stdin=stdin, collect=collect, readonly_files=readonly_files)
        ro = dict(readonly_files or {})
        if script.startswith(READONLY_DIR + "/"):
            if source is not None or script[len(READONLY_DIR) + 1:] not in ro:
                raise ValueError(f"{script!r} must be one of readonly_files")
            all_files = dict(files or {})
        else:
            all_files = _python_files(source, script, files)
        req = {"op": "job", "script": script, "args": list(args)}
        return self._submit(req, all_files, ro, limits, stdin, collect)

    def run(self, command: Sequence[str], *, files: Mapping[str, bytes] | None = None,
            limits: Limits | None = None, stdin: bytes | None = None,
            collect: Sequence[str] = (),
            readonly_files: Mapping[str, bytes] | None = None) -> RunResult:
        """Exec ``command`` in a warm sandbox (saves the sandbox start, not the interpreter's)."""
        from .api import run

        if self.mode != "sandbox":
            return run(command, files=files, limits=limits, stdin=stdin, collect=collect,
                       readonly_files=readonly_files)
        if not command:
            raise ValueError("empty command")
        req = {"op": "job", "argv": list(command)}
        return self._submit(req, dict(files or {}), dict(readonly_files or {}), limits, stdin,
                            collect)

    def _submit(self, req: dict[str, Any], files: Mapping[str, bytes],
                readonly_files: Mapping[str, bytes], limits: Limits | None,
                stdin: bytes | None, collect: Sequence[str]) -> RunResult:
        lim = limits or Limits()
        if lim.pids > self.max_pids:
            raise ValueError(f"this pool allows at most {self.max_pids} pids per job")
        w = self._take()
        usable = False
        try:
            result, usable = w.run(req, files=files, readonly_files=readonly_files, limits=lim,
                                   stdin=stdin, collect=collect)
            return result
        except ValueError:
            # bad input files: nothing ran; the worker is fine once emptied
            usable = w.rundir is not None and w.rundir.wipe()
            raise
        except (OSError, SandboxError) as exc:
            return _internal_error(f"warm worker failed: {exc}")
        finally:
            self._give_back(w, usable)

    def _take(self) -> _Worker:
        while True:
            with self._lock:
                if self._closed:
                    raise SandboxError("the pool is closed")
                if not self._all and self._restart_error is not None:
                    raise SandboxUnavailable(
                        f"no warm worker could be restarted: {self._restart_error}")
            try:
                return self._idle.get(timeout=1.0)
            except queue.Empty:
                continue

    def _give_back(self, w: _Worker, usable: bool) -> None:
        if usable and not self._closed:
            self._idle.put(w)
            return
        self._retire(w)
        if self._closed:
            return
        try:
            self._add_worker()
        except (OSError, SandboxError) as exc:
            with self._lock:
                self._restart_error = exc


def _internal_error(detail: str) -> RunResult:
    return RunResult(verdict=Verdict.INTERNAL_ERROR, exit_code=None, signal=None, stdout=b"",
                     stderr=b"", cpu_s=0.0, wall_s=0.0, memory_mb=0.0, detail=detail,
                     mode="warm")
