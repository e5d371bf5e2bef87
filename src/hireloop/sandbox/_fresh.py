"""A fresh sandbox per run: bubblewrap (as root) + setpriv, under our cgroups and rlimits.

Sequence of one run:

1. take a slot (an unprivileged uid no one else uses meanwhile);
2. mount a size-capped tmpfs for work/tmp/shm (+ the read-only harness dir) and write the
   input files into it, never following links;
3. take a *spare*: a bwrap started ahead of time inside fresh cgroups and blocked reading
   its options (``--args FD``), so the run does not wait for the cgroup migration (an RCU
   grace period). Set the run's memory (no swap), pids and CPU limits on those cgroups and
   its rlimits on that bwrap (children inherit both);
4. send the options (namespaces, read-only root, binds, seccomp filter, clear environment)
   and the launcher script ``exec setpriv --reuid=<slot uid> ... -- command``; bwrap
   builds the sandbox, loads the seccomp filter and runs the launcher, which drops to the
   slot's uid with no capabilities and no_new_privs and execs the program;
5. watch it (output cap, wall clock, CPU budget); killing it kills its whole cgroup;
6. read back requested files without following links; unmount, remove the cgroups, free
   the slot. Nothing of the run is left: no process, no file, no IPC object, no cgroup.
"""

from __future__ import annotations

import atexit
import collections
import concurrent.futures
import contextlib
import functools
import itertools
import json
import math
import os
import resource
import shlex
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import _audit, _seccomp
from ._cgroup import RunCgroup
from ._fs import RunDir
from ._host import INTERNAL_DIR, STATIC_FLAGS, Host, Slot, unique_name
from ._monitor import Exit, OutputSink, Program, decide, watch
from ._types import Limits, RunResult, SandboxError, Verdict

__all__ = ["Started", "apply_rlimits", "rlimits_for", "run_fresh", "start_fresh"]

_HOST_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
_LAUNCHER = f"{INTERNAL_DIR}/run"


def rlimits_for(limits: Limits) -> list[tuple[int, tuple[int, int]]]:
    """The rlimits of a run (RLIMIT_NPROC is safe here: each slot has its own uid)."""
    cpu = math.ceil(limits.time_s) + 1
    fsize = limits.file_size_mb << 20
    stack = min(limits.memory_mb, 64) << 20
    return [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_FSIZE, (fsize, fsize)),
        (resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_STACK, (stack, stack)),
        (resource.RLIMIT_NPROC, (limits.pids + 8, limits.pids + 8)),
        (resource.RLIMIT_MSGQUEUE, (0, 0)),
        (resource.RLIMIT_MEMLOCK, (1 << 16, 1 << 16)),
    ]


def apply_rlimits(pid: int, limits: list[tuple[int, tuple[int, int]]]) -> None:
    """Set rlimits of another process, never above its current hard limit (raising one
    needs CAP_SYS_RESOURCE, which hosts may withhold even from root)."""
    for res, (soft, hard) in limits:
        _, cur_hard = resource.prlimit(pid, res)
        new_hard = hard if cur_hard == resource.RLIM_INFINITY else min(hard, cur_hard)
        resource.prlimit(pid, res, (min(soft, new_hard), new_hard))


def _read_child_pid(fd: int, proc: subprocess.Popen[bytes], timeout: float = 10.0) -> int:
    """bwrap's --info-fd JSON gives the host pid of the namespace's init."""
    buf = b""
    deadline = time.monotonic() + timeout
    os.set_blocking(fd, False)
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            chunk = None
        if chunk:
            buf += chunk
            with contextlib.suppress(ValueError):
                return int(json.loads(buf.decode())["child-pid"])
            continue
        if chunk == b"" or proc.poll() is not None:
            break
        time.sleep(0.0002)
    raise SandboxError(f"bubblewrap did not start (info: {buf[:200]!r})")


class _Spare:
    """A bwrap started ahead of time, already inside its own fresh cgroups, blocked reading
    its arguments (``bwrap --args FD``). Taking it skips the cgroup migration, which waits
    for an RCU grace period (milliseconds), on the run's critical path. It has run nothing:
    it only knows its pipes."""

    def __init__(self, host: Host, name: str) -> None:
        if host.layout is None or host.bwrap is None:
            raise SandboxError("no cgroups or no bubblewrap")
        self.name = name
        self.cg = RunCgroup.create(host.layout, name)
        self.fds: dict[str, int] = {}
        self.proc: subprocess.Popen[bytes] | None = None
        try:
            args_r, self.fds["args"] = os.pipe2(os.O_CLOEXEC)
            self.cmd_fd, self.fds["cmd"] = os.pipe2(os.O_CLOEXEC)
            sec_r, sec_w = os.pipe2(os.O_CLOEXEC)
            in_r, self.fds["in"] = os.pipe2(os.O_CLOEXEC)
            self.fds["out"], out_w = os.pipe2(os.O_CLOEXEC)
            self.fds["err"], err_w = os.pipe2(os.O_CLOEXEC)
            os.write(sec_w, _seccomp.base_filter())
            os.close(sec_w)
            self.sec_fd = sec_r
            # bwrap takes only options from --args; the command is this fixed launcher, a
            # script fed at run time through --ro-bind-data (it execs setpriv + command)
            # The namespace flags are repeated on the real command line: if the supervisor
            # died before sending the options, bwrap still starts isolated, in an empty root
            # where the launcher does not even exist.
            self.proc = subprocess.Popen(
                [host.bwrap, *STATIC_FLAGS, "--args", str(args_r), "--", "/bin/sh", _LAUNCHER],
                stdin=in_r, stdout=out_w, stderr=err_w, pass_fds=(args_r, sec_r, self.cmd_fd),
                env=_HOST_ENV, start_new_session=True)
            for fd in (args_r, sec_r, in_r, out_w, err_w, self.cmd_fd):
                os.close(fd)
            self.cg.add(self.proc.pid)
        except BaseException:
            self.discard()
            raise

    def discard(self, *, strict: bool = False) -> None:
        """Kill whatever runs in it and remove its cgroups (``strict``: raise on failure)."""
        for fd in self.fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(OSError):
                self.cg.kill_all()
            self.proc.kill()
            self.proc.wait()
        try:
            self.cg.destroy()
        except OSError:
            if strict:
                raise


class _Spares:
    """Keeps ``HIRELOOP_SANDBOX_SPARES`` (default 2) spares ready, made by one long-lived
    thread (bwrap's --die-with-parent follows the thread that forked it)."""

    def __init__(self, host: Host) -> None:
        self.host = host
        self.count = max(0, int(os.environ.get("HIRELOOP_SANDBOX_SPARES", "2") or 0))
        self.ready: collections.deque[_Spare] = collections.deque()
        self.lock = threading.Lock()
        self.pending = 0
        self.serial = itertools.count()
        self.unused: set[str] = set()  # made or being made, not taken yet
        self.executor: concurrent.futures.ThreadPoolExecutor | None = None
        atexit.register(self.close)

    def _make(self, *, keep: bool = True) -> _Spare:
        name = f"{os.getpid()}-s{next(self.serial)}"
        if keep:
            with self.lock:
                self.unused.add(name)
        try:
            return _Spare(self.host, name)
        except BaseException:
            with self.lock:
                self.unused.discard(name)
            raise

    def _refill_one(self) -> None:
        try:
            spare = self._make()
        except (OSError, SandboxError):
            spare = None
        with self.lock:
            self.pending -= 1
            closed = self.count == 0
            if spare is not None and not closed:
                self.ready.append(spare)
        if spare is not None and closed:  # made while the process was shutting down
            spare.discard()
            with self.lock:
                self.unused.discard(spare.name)

    def take(self) -> _Spare:
        with self.lock:
            spare = self.ready.popleft() if self.ready else None
            if spare is not None:
                self.unused.discard(spare.name)
            missing = self.count - len(self.ready) - self.pending
            if missing > 0:
                if self.executor is None:
                    self.executor = concurrent.futures.ThreadPoolExecutor(
                        1, "hireloop-sandbox-spares")
                self.pending += missing
                for _ in range(missing):
                    self.executor.submit(self._refill_one)
        return spare if spare is not None else self._make(keep=False)

    def names(self) -> set[str]:
        """Cgroup names of the spares not taken by a run (some may be in the making)."""
        with self.lock:
            return set(self.unused)

    def close(self) -> None:
        with self.lock:
            spares = list(self.ready)
            self.ready.clear()
            self.unused.clear()
            self.count = 0
        for spare in spares:
            spare.discard()


_spares: dict[int, _Spares] = {}
_spares_lock = threading.Lock()


def spares(host: Host) -> _Spares:
    with _spares_lock:
        key = os.getpid()  # a forked child makes its own
        if key not in _spares:
            _spares[key] = _Spares(host)
        return _spares[key]


class _FreshProgram(Program):
    def __init__(self, proc: subprocess.Popen[bytes], cg: RunCgroup) -> None:
        self.proc = proc
        self.cg = cg
        self.exit_fd = os.pidfd_open(proc.pid)

    def reap(self) -> Exit | None:
        rc = self.proc.poll()
        if rc is None:
            return None
        return Exit.from_shell_code(rc)

    def kill(self) -> None:
        self.cg.kill_all()

    def cpu_s(self) -> float:
        return self.cg.cpu_seconds()

    def sample(self) -> None:
        self.cg.sample()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.exit_fd)


class Started:
    """A fresh sandbox whose program is running: its cgroups, pipes and run directory.
    ``close`` removes everything of it (and must always be called)."""

    def __init__(self, slot: Slot) -> None:
        self.slot = slot
        self.rundir: RunDir | None = None
        self.spare: _Spare | None = None
        self.program: _FreshProgram | None = None
        self.in_w = self.out_r = self.err_r = -1
        self.started = 0.0

    @property
    def cg(self) -> RunCgroup:
        assert self.spare is not None
        return self.spare.cg

    @property
    def proc(self) -> subprocess.Popen[bytes]:
        assert self.spare is not None
        assert self.spare.proc is not None
        return self.spare.proc

    def take_pipes(self) -> tuple[int, int, int]:
        """stdin (write end), stdout and stderr (read ends); the caller owns them now."""
        fds = (self.in_w, self.out_r, self.err_r)
        self.in_w = self.out_r = self.err_r = -1
        return fds

    def close(self) -> None:
        errors: list[str] = []
        for fd in (self.in_w, self.out_r, self.err_r):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.in_w = self.out_r = self.err_r = -1
        if self.program is not None:
            self.program.close()
            self.program = None
        for step in (self.rundir.destroy if self.rundir else None,
                     functools.partial(self.spare.discard, strict=True) if self.spare else None):
            if step is None:
                continue
            try:
                step()
            except OSError as exc:
                errors.append(str(exc))
        self.rundir = None
        self.spare = None
        self.slot.release()
        if errors:
            raise SandboxError("cleanup failed: " + "; ".join(errors))


def start_fresh(
    host: Host,
    command: Sequence[str],
    *,
    files: Mapping[str, bytes],
    limits: Limits,
    mounts: Mapping[str, Path] | None,
    readonly_files: Mapping[str, bytes] | None = None,
    extra_files: Mapping[str, Path] | None = None,
) -> Started:
    """Start ``command`` in a fresh sandbox under ``limits`` (cgroups and rlimits set) and
    return it running; the caller watches it and always calls ``close``."""
    if host.layout is None:
        raise SandboxError("no cgroups")
    host.cleanup_stale()
    _audit.start_listener()  # so that a seccomp kill can be named
    slot: Slot = host.acquire_slot()
    st = Started(slot)
    try:
        st.rundir = RunDir.create(unique_name(slot), slot.uid, limits.tmp_mb)
        st.rundir.write_files(files)
        st.rundir.write_files(readonly_files or {}, readonly=True)
        st.spare = spare = spares(host).take()
        assert spare.proc is not None
        cg, proc = spare.cg, spare.proc
        # bwrap's own two processes (monitor and namespace init) are in the group too
        cg.set_limits(limits.memory_mb, limits.pids + 2, limits.cpus)
        apply_rlimits(proc.pid, rlimits_for(limits))
        options = host.bwrap_options(
            rundir=st.rundir, info_fd=None, block_fd=None, seccomp_fd=spare.sec_fd,
            mounts=mounts, extra_files=extra_files,
            extra=["--perms", "0444", "--ro-bind-data", str(spare.cmd_fd), _LAUNCHER])
        script = ("exec " + shlex.join([*host.drop_to(slot.uid), *command]) + "\n").encode()
        args = "".join(a + "\0" for a in options).encode()
        if len(args) > 60_000 or len(script) > 60_000:
            raise ValueError("command line too long")
        st.program = _FreshProgram(proc, cg)
        cg.reset_counters()
        st.started = time.monotonic()
        for key, data in (("cmd", script), ("args", args)):  # both fit in a pipe's buffer
            fd = spare.fds.pop(key)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
        st.in_w = spare.fds.pop("in")
        st.out_r = spare.fds.pop("out")
        st.err_r = spare.fds.pop("err")
    except BaseException:
        st.close()
        raise
    return st


def run_fresh(
    host: Host,
    command: Sequence[str],
    *,
    files: Mapping[str, bytes],
    limits: Limits,
    stdin: bytes | None,
    collect: Sequence[str],
    mounts: Mapping[str, Path] | None,
    readonly_files: Mapping[str, bytes] | None = None,
    on_output: OutputSink | None = None,
) -> RunResult:
    st = start_fresh(host, command, files=files, limits=limits, mounts=mounts,
                     readonly_files=readonly_files)
    try:
        assert st.program is not None
        assert st.rundir is not None
        cg, proc, slot = st.cg, st.proc, st.slot
        in_w, out_r, err_r = st.take_pipes()  # watch() owns and closes these from here
        w = watch(st.program, stdout_fd=out_r, stderr_fd=err_r, stdin_fd=in_w,
                  stdin_data=stdin if stdin is not None else b"", limits=limits,
                  started=st.started, on_output=on_output)
        proc.wait()
        cg.kill_all()
        cpu_s = cg.cpu_seconds()
        verdict, detail = decide(
            w, limits=limits, cpu_s=cpu_s, oom_kills=cg.oom_kills(),
            pids_hits=cg.pids_limit_hits(),
            blocked=lambda: _audit.blocked_syscall(slot.uid, st.started),
        )
        _audit.forget(slot.uid)
        got = st.rundir.collect(collect, limits.file_size_mb << 20) if collect else {}
        return RunResult(
            verdict=verdict,
            exit_code=w.exit.code if w.exit else None,
            signal=w.exit.signal if w.exit else None,
            stdout=w.stdout,
            stderr=w.stderr,
            cpu_s=cpu_s,
            wall_s=w.wall_s,
            memory_mb=cg.memory_peak() / (1 << 20),
            detail=detail,
            files=got,
            stdout_truncated=w.stdout_truncated,
            stderr_truncated=w.stderr_truncated,
            mode="sandbox",
        )
    finally:
        st.close()


def internal_error(detail: str) -> RunResult:
    return RunResult(verdict=Verdict.INTERNAL_ERROR, exit_code=None, signal=None, stdout=b"",
                     stderr=b"", cpu_s=0.0, wall_s=0.0, memory_mb=0.0, detail=detail)
