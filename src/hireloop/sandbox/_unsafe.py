"""Unsafe mode: no isolation, rlimits only. For trusted local authoring, never for candidates.

The program runs in a private temporary directory with a clean environment, in its own
session (killed as a group), under RLIMIT_CPU/DATA/FSIZE/NOFILE/CORE, and as ``nobody``
when we are root and the interpreter is reachable for ``nobody`` (else as root!). It can
still read every file that user can read, use the network and see other processes. Every
run prints a warning.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from ._fs import RunDir
from ._host import READONLY_DIR, WORKDIR, sandbox_env
from ._monitor import Exit, OutputSink, Program, decide, watch
from ._types import Limits, RunResult

__all__ = ["WARNING", "run_unsafe"]

WARNING = (
    "hireloop: WARNING: UNSAFE sandbox mode: this code runs WITHOUT isolation "
    "(no namespaces, no seccomp, no cgroups; rlimits only). It can read your files and use "
    "the network. Never use this for candidates' code."
)


class _UnsafeProgram(Program):
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.exit_fd = os.pidfd_open(proc.pid)
        self.rusage: resource.struct_rusage | None = None

    def reap(self) -> Exit | None:
        pid, status, ru = os.wait4(self.proc.pid, os.WNOHANG)
        if pid == 0:
            return None
        self.rusage = ru
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.kill()
        return Exit.from_wait_status(status)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def cpu_s(self) -> float:
        if self.rusage is not None:
            return self.rusage.ru_utime + self.rusage.ru_stime
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ticks = os.sysconf("SC_CLK_TCK")
            return (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            return 0.0

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.exit_fd)


def _limits_fn(limits: Limits) -> list[tuple[int, tuple[int, int]]]:
    cpu = int(limits.time_s) + 1
    fsize = limits.file_size_mb << 20
    mem = limits.memory_mb << 20
    return [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_DATA, (mem, mem)),  # RLIMIT_AS would cap threads (glibc arenas)
        (resource.RLIMIT_FSIZE, (fsize, fsize)),
        (resource.RLIMIT_NOFILE, (limits.open_files, limits.open_files)),
        (resource.RLIMIT_CORE, (0, 0)),
    ]


def run_unsafe(
    python: str,
    command: Sequence[str],
    *,
    files: Mapping[str, bytes],
    limits: Limits,
    stdin: bytes | None,
    collect: Sequence[str],
    readonly_files: Mapping[str, bytes] | None = None,
    on_output: OutputSink | None = None,
) -> RunResult:
    print(WARNING, file=sys.stderr, flush=True)
    rlimits = _limits_fn(limits)
    root = Path(tempfile.mkdtemp(prefix="hireloop-unsafe-"))
    user: int | None = None
    if os.geteuid() == 0 and _world_executable(python):
        # as root, at least drop to nobody (when the interpreter is reachable for it)
        user = pwd.getpwnam("nobody").pw_uid if _has_nobody() else 65534
    try:
        work = root / "work"
        work.mkdir()
        harness = root / "harness"
        harness.mkdir()
        rd = RunDir(root, user if user is not None else os.geteuid(), limits.tmp_mb)
        rd.fds["work"] = os.open(work, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        rd.fds["ro"] = os.open(harness, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            rd.write_files(files)
            rd.write_files(readonly_files or {}, readonly=True)
            if user is not None:
                os.chown(root, user, user)
                os.chown(work, user, user)
            env = sandbox_env(python)
            env["HOME"] = env["TMPDIR"] = env["MPLCONFIGDIR"] = str(root)

            def limit() -> None:  # runs in the child between fork and exec
                for res, value in rlimits:
                    resource.setrlimit(res, value)

            out_r, out_w = os.pipe2(os.O_CLOEXEC)
            err_r, err_w = os.pipe2(os.O_CLOEXEC)
            in_r, in_w = os.pipe2(os.O_CLOEXEC)
            # the sandbox's fixed paths, mapped to this run's directories
            argv = [_map_path(a, work, harness) for a in command]
            exe = shutil.which(argv[0], path=env["PATH"]) or argv[0]
            started = time.monotonic()
            proc = subprocess.Popen(
                [exe, *argv[1:]], stdin=in_r, stdout=out_w, stderr=err_w, cwd=work, env=env,
                start_new_session=True, preexec_fn=limit,  # noqa: PLW1509
                user=user, group=user, extra_groups=[] if user is not None else None,
            )
            for fd in (in_r, out_w, err_w):
                os.close(fd)
            prog = _UnsafeProgram(proc)
            try:
                w = watch(prog, stdout_fd=out_r, stderr_fd=err_r, stdin_fd=in_w,
                          stdin_data=stdin or b"", limits=limits, started=started,
                          on_output=on_output)
                if prog.rusage is None:
                    prog.kill()
                    _, _, prog.rusage = os.wait4(proc.pid, 0)
            finally:
                prog.kill()
                prog.close()
            ru = prog.rusage
            cpu_s = ru.ru_utime + ru.ru_stime
            verdict, detail = decide(w, limits=limits, cpu_s=cpu_s, oom_kills=0, pids_hits=0,
                                     blocked=lambda: None)
            got = rd.collect(collect, limits.file_size_mb << 20) if collect else {}
        finally:
            os.close(rd.fds.pop("work"))
            os.close(rd.fds.pop("ro"))
        return RunResult(
            verdict=verdict,
            exit_code=w.exit.code if w.exit else None,
            signal=w.exit.signal if w.exit else None,
            stdout=w.stdout, stderr=w.stderr, cpu_s=cpu_s, wall_s=w.wall_s,
            memory_mb=ru.ru_maxrss / 1024, detail=(detail + " [unsafe mode]").strip(),
            files=got, stdout_truncated=w.stdout_truncated,
            stderr_truncated=w.stderr_truncated, mode="unsafe",
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _map_path(arg: str, work: Path, harness: Path) -> str:
    for fixed, real in ((WORKDIR, work), (READONLY_DIR, harness)):
        if arg == fixed or arg.startswith(fixed + "/"):
            return str(real) + arg[len(fixed):]
    return arg


def _world_executable(path: str) -> bool:
    """Whether any user may execute ``path`` (every directory on the way searchable)."""
    for p in {path, os.path.realpath(path)}:
        parts = Path(p)
        for d in [*reversed(parts.parents), parts]:
            try:
                if not os.stat(d).st_mode & 0o001:
                    return False
            except OSError:
                return False
    return True


def _has_nobody() -> bool:
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return False
    return True
