"""The trusted relay of a sandbox session. Runs INSIDE the sandbox as its main program;
stdlib only (this file is read as text and mounted read-only at ``/.hireloop/relay.py``).

The host talks to the relay over the relay's stdin (requests) and stdout (answers), one
frame at a time. Code under test never runs in the relay: each *worker* is a fork of the
relay (modules named on the relay's command line are imported once beforehand, so a new
worker starts in milliseconds) that runs a worker script (e.g. a grading harness that loads
the candidate's module) with:

- its own two private pipes to the relay (requests in, replies out) on descriptors 3 and 4,
  /dev/null as stdin and a log pipe as stdout and stderr; none of the relay's descriptors;
- the job's rlimits, ``oom_score_adj`` 1000 (the OOM killer takes the worker, never the
  relay) and a *guard* seccomp filter sent by the host that keeps it from signalling,
  re-prioritising or re-limiting the relay or the sandbox's init;
- the relay itself is not dumpable, so no process of the sandbox can open its
  ``/proc/<pid>/fd`` to reach the host channel.

So the host's channel carries exactly what the relay writes: for every request, exactly one
answer. A frame the worker writes when no request is outstanding (say, at import time,
before it has seen any input) is not relayed: the worker is killed and the next request is
answered with a protocol violation.

Host -> relay frames (``!cQ`` header: type, payload length):
    ``G`` guard filter (BPF bytes)            -> ``A``
    ``W`` start a worker (JSON: script, args, rlimits, max_reply, and optionally cwd and
          wipe: directories to empty first); any old worker and every process it left are
          killed first                         -> ``R`` (its first frame) | ``D`` | ``V``
    ``C`` a request for the worker (bytes)     -> ``R`` (its reply)       | ``D`` | ``V``
    ``K`` kill the worker                      -> ``D``
    end of input: kill everything and exit.
Relay -> host: ``H`` hello (JSON: pid, pgid) once at start; ``A`` ack; ``R`` a frame from
the worker; ``D`` the worker died without answering (JSON: wait status, log tail); ``V`` a
protocol violation (JSON: detail), after which the worker is dead.
Worker <-> relay frames: ``!Q`` length, then an 8-byte nonce and the payload. Each request
(and the worker's start) carries a fresh random nonce; only a frame that carries it back is
relayed as the answer, so nothing written before the worker read its request can be.
Worker scripts use ``wire.Channel``, which does this.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import resource
import runpy
import select
import signal
import struct
import sys
import traceback
from typing import Any

HEAD = struct.Struct("!cQ")
WHEAD = struct.Struct("!Q")
NONCE = 8
LOG_TAIL = 8192
_PR_SET_DUMPABLE = 4
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_REQ_FD = 3
_REP_FD = 4
_HERE = os.path.dirname(os.path.abspath(__file__))

_libc = ctypes.CDLL(None, use_errno=True)


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def _read_exact(fd: int, n: int) -> bytes | bytearray:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        count = os.readv(fd, [view[got:got + (1 << 20)]])
        if not count:
            raise EOFError
        got += count
    return buf


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _send(kind: bytes, payload: bytes = b"") -> None:
    _write_all(1, HEAD.pack(kind, len(payload)) + payload)


def _send_json(kind: bytes, value: Any) -> None:
    _send(kind, json.dumps(value).encode())


ISOLATED = True
"""False in unsafe mode: then the relay shares the host's pid namespace"""


def _others() -> list[int]:
    me = os.getpid()
    if ISOLATED:
        return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [me]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _kill_others() -> None:
    """SIGKILL every process of the sandbox but its init and the relay (its pid namespace
    holds nothing else: what a worker started is all that can be there). In unsafe mode,
    only the relay's descendants."""
    for _ in range(50):
        others = _others()
        alive = []
        for pid in others:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    state = fh.read().rsplit(b")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if state != b"Z":
                alive.append(pid)
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        if not alive:
            return
        select.select([], [], [], 0.001)


def _wipe(dirs: list[str]) -> None:
    """Empty these directories and remove every SysV IPC object, so that nothing a worker
    left can reach the next one (what earlier workers saw stays with them)."""
    for top in dirs:
        for root, subdirs, files in os.walk(top, topdown=False):
            for name in files:
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(root, name))
            for name in subdirs:
                path = os.path.join(root, name)
                with contextlib.suppress(OSError):
                    if os.path.islink(path):
                        os.unlink(path)
                    else:
                        os.chmod(path, 0o700)
                        os.rmdir(path)
    for kind in ("shm", "msg", "sem"):
        try:
            with open(f"/proc/sysvipc/{kind}", encoding="ascii") as fh:
                lines = fh.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 1:
                ident = int(fields[1])
                if kind == "shm":
                    _libc.shmctl(ident, 0, None)
                elif kind == "msg":
                    _libc.msgctl(ident, 0, None)
                else:
                    _libc.semctl(ident, 0, 0)


class Worker:
    """One worker process, seen from the relay."""

    def __init__(self, spec: dict[str, Any], guard: bytes | None) -> None:
        self.max_reply = int(spec.get("max_reply", 64 << 20))
        self.status: int | None = None
        self.violation: str | None = None
        self.log = bytearray()
        self.inbox = bytearray()
        self.outbox: list[memoryview] = []  # what is still to be written to the worker
        self.nonce = b""
        req_r, self.req_w = os.pipe2(os.O_CLOEXEC)
        self.rep_r, rep_w = os.pipe2(os.O_CLOEXEC)
        self.log_r, log_w = os.pipe2(os.O_CLOEXEC)
        self.pid = os.fork()
        if self.pid == 0:
            _become_worker(spec, guard, req_r, rep_w, log_w)
        for fd in (req_r, rep_w, log_w):
            os.close(fd)
        for fd in (self.req_w, self.rep_r, self.log_r):
            os.set_blocking(fd, False)
        self.pidfd = os.pidfd_open(self.pid)

    def ask(self, payload: bytes | bytearray) -> None:
        """Queue a request under a fresh nonce: only a frame that carries it back answers
        it, so a frame written before the worker read the request never does."""
        self.nonce = os.urandom(NONCE)
        self.outbox += [memoryview(WHEAD.pack(NONCE + len(payload)) + self.nonce),
                        memoryview(payload)]

    @property
    def alive(self) -> bool:
        return self.status is None and self.violation is None

    def fds(self) -> list[int]:
        return [fd for fd in (self.rep_r, self.log_r, self.pidfd) if fd >= 0]

    def read_log(self) -> None:
        try:
            chunk = os.read(self.log_r, 65536)
        except BlockingIOError:
            return
        if not chunk:
            os.close(self.log_r)
            self.log_r = -1
            return
        self.log += chunk
        del self.log[:-LOG_TAIL]

    def read_replies(self) -> bool:
        """Read what the worker wrote; False at end of file."""
        while True:
            try:
                chunk = os.read(self.rep_r, 1 << 20)
            except BlockingIOError:
                return True
            if not chunk:
                os.close(self.rep_r)
                self.rep_r = -1
                return False
            self.inbox += chunk
            if len(self.inbox) >= WHEAD.size:
                (n,) = WHEAD.unpack_from(self.inbox)
                if n > self.max_reply:
                    self.violation = (f"output larger than {self.max_reply} bytes "
                                      f"({n} bytes announced)")
                    self.kill()
                    return False

    def frame(self) -> bytes | None:
        """The next complete frame the worker wrote, if any."""
        if len(self.inbox) < WHEAD.size:
            return None
        (n,) = WHEAD.unpack_from(self.inbox)
        if len(self.inbox) < WHEAD.size + n:
            return None
        data = bytes(self.inbox[WHEAD.size:WHEAD.size + n])
        del self.inbox[:WHEAD.size + n]
        return data

    def reap(self) -> None:
        if self.status is not None:
            return
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            status = 0x7F00  # gone without a status: report it as killed
        self.status = status
        _kill_others()

    def kill(self) -> None:
        if self.status is None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            self.reap()

    def close(self) -> None:
        self.kill()
        for fd in (self.req_w, self.rep_r, self.log_r, self.pidfd):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.req_w = self.rep_r = self.log_r = self.pidfd = -1

    def death(self) -> dict[str, Any]:
        return {"status": self.status, "log": self.log.decode("utf-8", "replace")}


def _become_worker(spec: dict[str, Any], guard: bytes | None, req_r: int, rep_w: int,
                   log_w: int) -> None:
    """In the forked child: take the worker's descriptors, limits and filter, run the
    script. Never returns."""
    code = 70
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        # move the pipes above 4 first so that the dup2s below cannot clobber them
        req_r, rep_w, log_w = (os.dup(fd) for fd in (req_r, rep_w, log_w))
        os.dup2(null, 0)
        os.dup2(log_w, 1)
        os.dup2(log_w, 2)
        os.dup2(req_r, _REQ_FD)
        os.dup2(rep_w, _REP_FD)
        os.closerange(_REP_FD + 1, 1 << 16)
        for fd in range(5):
            os.set_inheritable(fd, True)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # the worker's /proc files are its own (the relay stays undumpable)
        _libc.prctl(_PR_SET_DUMPABLE, 1, 0, 0, 0)
        for res, soft, hard in spec.get("rlimits", []):
            _, cur_hard = resource.getrlimit(res)
            new_hard = hard if cur_hard == resource.RLIM_INFINITY else min(hard, cur_hard)
            resource.setrlimit(res, (min(soft, new_hard), new_hard))
        with contextlib.suppress(OSError), open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
        if guard:
            buf = ctypes.create_string_buffer(guard, len(guard))
            prog = _SockFprog(len(guard) // 8, ctypes.cast(buf, ctypes.c_void_p))
            if _libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog),
                           0, 0) != 0:
                os._exit(71)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                          closefd=False, buffering=1)
        if spec.get("cwd"):
            os.chdir(spec["cwd"])
        script = spec["script"]
        sys.argv = [script, str(_REQ_FD), str(_REP_FD), *spec.get("args", [])]
        sys.path[0] = os.path.dirname(script)
        sys.path.insert(1, _HERE)  # wire.py lies beside the relay
        code = 0
        try:
            runpy.run_path(script, run_name="__main__")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
    except BaseException:
        with contextlib.suppress(Exception):
            os.write(2, traceback.format_exc().encode()[-4000:])
        code = 70
    os._exit(code & 0xFF)


def main() -> None:
    global ISOLATED  # noqa: PLW0603 - set once, from the command line
    ISOLATED = sys.argv[1] != "--unsafe"
    for name in sys.argv[2:]:
        with contextlib.suppress(Exception):  # a missing optional module is not fatal
            __import__(name)
    if "numpy" in sys.modules:  # numpy imports its random module lazily: not per worker
        with contextlib.suppress(Exception):
            __import__("numpy.random")
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    _libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
    _send_json(b"H", {"pid": os.getpid(), "pgid": os.getpgid(0)})
    guard: bytes | None = None
    worker: Worker | None = None
    pending: bytes | None = None  # the host request a worker answer is owed to
    while True:
        rlist = [] if pending is not None else [0]
        wlist: list[int] = []
        if worker is not None:
            rlist += worker.fds()
            if worker.outbox and worker.req_w >= 0:
                wlist.append(worker.req_w)
        readable, writable, _ = select.select(rlist, wlist, [])
        if worker is not None:
            if worker.req_w in writable:
                try:
                    n = os.write(worker.req_w, worker.outbox[0][:1 << 20])
                    worker.outbox[0] = worker.outbox[0][n:]
                    if not len(worker.outbox[0]):
                        worker.outbox.pop(0)
                except BlockingIOError:
                    pass
                except BrokenPipeError:
                    worker.outbox.clear()
            if worker.log_r in readable:
                worker.read_log()
            if worker.rep_r in readable and worker.alive:
                worker.read_replies()
            if worker.pidfd in readable:
                os.close(worker.pidfd)
                worker.pidfd = -1
                worker.reap()
                while worker.rep_r >= 0 and worker.read_replies():
                    pass  # a reply written just before the end still counts
                while worker.log_r >= 0:
                    worker.read_log()
                    if worker.log_r >= 0 and not select.select([worker.log_r], [], [], 0)[0]:
                        break
            frame = worker.frame()
            if frame is not None:
                if pending is not None and frame[:NONCE] == worker.nonce:
                    _send(b"R", frame[NONCE:])
                    pending = None
                elif worker.alive:
                    worker.violation = (
                        "the code under test wrote to the grading channel when no request "
                        "was outstanding" if pending is None else
                        "the code under test wrote to the grading channel a reply to a "
                        "request it had not read")
                    worker.kill()
            if pending is not None and worker.violation is not None:
                _send_json(b"V", {"detail": worker.violation})
                pending = None
            elif pending is not None and worker.status is not None and worker.frame() is None:
                _send_json(b"D", worker.death())
                pending = None
        if 0 not in readable:
            continue
        try:
            kind, n = HEAD.unpack(_read_exact(0, HEAD.size))
            payload = _read_exact(0, n)
        except EOFError:
            break
        if kind == b"G":
            guard = bytes(payload)
            _send(b"A")
        elif kind == b"W":
            if worker is not None:
                worker.close()
                _kill_others()
            spec = json.loads(payload)
            if spec.get("wipe"):
                _wipe(spec["wipe"])
            worker = Worker(spec, guard)
            worker.ask(b"")  # the worker's first frame answers this one (it is "ready")
            pending = kind
        elif kind == b"C":
            if worker is None:
                _send_json(b"V", {"detail": "no worker was started"})
            elif worker.violation is not None:
                _send_json(b"V", {"detail": worker.violation})
            elif worker.status is not None:
                _send_json(b"D", worker.death())
            else:
                worker.ask(payload)
                pending = kind
        elif kind == b"K":
            if worker is not None:
                worker.kill()
                _send_json(b"D", worker.death())
            else:
                _send_json(b"D", {"status": None, "log": ""})
        else:
            break
    if worker is not None:
        worker.close()
    _kill_others()


if __name__ == "__main__":
    main()
