"""The trusted harness of a warm sandbox worker. Runs INSIDE the sandbox; stdlib only.

It imports the heavy modules once (numpy...), then serves jobs sent by the host over a
SOCK_SEQPACKET socket. For each job it removes any SysV IPC object left behind, forks a
fresh child (two candidates' code never share a process), and reports the child's wait
status. The child:

1. starts a new session, takes the job's stdin/stdout/stderr and closes every other
   descriptor, lowers its rlimits to the job's, volunteers for the OOM killer;
2. installs the guard seccomp filter (no signals or limits for the harness), reseeds the
   RNGs and runs the script as ``__main__`` (or execs a command).

The host has set the cgroup limits (memory, pids, CPU) before sending the job.

The harness is not dumpable, so the job cannot open its /proc/<pid>/mem, fds or environ.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import ctypes
import json
import os
import random
import resource
import signal
import socket
import sys
import threading
import traceback
import types
from typing import Any

_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_IPC_RMID = 0
_WORKDIR = "/sandbox"


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


_libc = ctypes.CDLL(None, use_errno=True)


def _remove_ipc(kind: str, ident: int) -> None:
    if kind == "shm":
        _libc.shmctl(ident, _IPC_RMID, None)
    elif kind == "msg":
        _libc.msgctl(ident, _IPC_RMID, None)
    else:
        _libc.semctl(ident, 0, _IPC_RMID)


def _clean_ipc() -> None:
    """Remove every SysV IPC object of this IPC namespace (all are the slot uid's)."""
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}", encoding="ascii") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 1:
                _remove_ipc(kind, int(fields[1]))


def _install_filter(bpf: bytes) -> None:
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = _SockFprog(len(bpf) // 8, ctypes.cast(buf, ctypes.c_void_p))
    if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        os._exit(71)


def _reseed() -> None:
    random.seed()
    np_random = sys.modules.get("numpy.random")
    if np_random is not None:
        with contextlib.suppress(Exception):  # reseeding is best effort
            np_random.seed()


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    with contextlib.suppress(Exception):
        print(code, file=sys.stderr)
    return 1


def _run_script(path: str) -> int:
    with open(path, "rb") as fh:
        source = fh.read()
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    try:
        code = compile(source, path, "exec")
        exec(code, main.__dict__)  # noqa: S102 - this is the job, inside the sandbox
    except SystemExit as exc:
        return _exit_code(exc)
    except BaseException as exc:
        tb = exc.__traceback__
        if tb is not None and tb.tb_next is not None and tb.tb_frame.f_code is _run_script.__code__:
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    return 0


def _finish(code: int) -> None:
    with contextlib.suppress(Exception):
        threading._shutdown()  # type: ignore[attr-defined]  # wait for non-daemon threads
    with contextlib.suppress(Exception):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            code = code or 120
    os._exit(code)


def _set_limits(req: dict[str, Any]) -> None:
    for res, soft, hard in req.get("rlimits", []):
        _, cur_hard = resource.getrlimit(res)
        new_hard = hard if cur_hard == resource.RLIM_INFINITY else min(hard, cur_hard)
        resource.setrlimit(res, (min(soft, new_hard), new_hard))
    # the OOM killer takes the job, never the harness (raising needs no privilege)
    with open("/proc/self/oom_score_adj", "w", encoding="ascii") as fh:
        fh.write("1000")


def _child(ctl: socket.socket, req: dict[str, Any], fds: list[int], guard: bytes) -> None:
    try:
        in_fd, out_fd, err_fd = fds
        os.setsid()
        # tells the host this job's pid (the kernel attaches it, as the host sees it)
        ctl.send(b'{"op": "started"}')
        ctl.close()
        for src, dst in ((in_fd, 0), (out_fd, 1), (err_fd, 2)):
            os.dup2(src, dst)
        os.closerange(3, 1 << 16)
        os.chdir(_WORKDIR)
        # the job is the candidate's own process: dumpable again, so that its /proc files
        # are its own (the harness stays undumpable)
        _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
        _set_limits(req)
        _install_filter(guard)
        argv = req.get("argv")
        if argv:
            os.execvp(argv[0], argv)  # noqa: S606 - the job's own command
        script = os.path.join(_WORKDIR, req["script"])  # absolute /harness/... stays
        sys.argv = [req["script"], *req.get("args", [])]
        sys.path[0] = os.path.dirname(script)  # as `python3 script` does
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                          closefd=False, buffering=1)
        for name in ("stdin", "stdout", "stderr"):
            setattr(sys, f"__{name}__", getattr(sys, name))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        _reseed()
        _finish(_run_script(script))
    except BaseException:
        try:
            os.write(2, b"hireloop harness: job setup failed:\n"
                     + traceback.format_exc().encode()[-2000:])
        finally:
            os._exit(70)


def main() -> None:
    ctl = socket.socket(fileno=int(sys.argv[1]))
    _libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    for name in sys.argv[2:]:
        with contextlib.suppress(Exception):  # a missing optional module is not fatal
            __import__(name)
    if "numpy" in sys.modules:  # numpy imports its random module lazily: not per job
        with contextlib.suppress(Exception):
            __import__("numpy.random")
    _clean_ipc()  # warms up what it needs, so that jobs do not pay for it
    ctl.send(json.dumps({"op": "hello", "pid": os.getpid(), "pgid": os.getpgid(0)}).encode())
    guard = ctl.recv(1 << 16)
    if not guard or len(guard) % 8:
        os._exit(73)
    while True:
        msg, fds, _flags, _addr = socket.recv_fds(ctl, 1 << 16, 8)
        if not msg:
            os._exit(0)
        req = json.loads(msg)
        if req.get("op") != "job" or len(fds) != 3:
            for fd in fds:
                os.close(fd)
            ctl.send(b'{"op": "error"}')
            continue
        _clean_ipc()
        pid = os.fork()
        if pid == 0:
            _child(ctl, req, fds, guard)
        for fd in fds:
            os.close(fd)
        _, status = os.waitpid(pid, 0)
        ctl.send(json.dumps({"op": "exit", "status": status}).encode())


if __name__ == "__main__":
    main()
