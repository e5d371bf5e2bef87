"""Which system call did seccomp kill? Read from the kernel's audit records.

A ``SECCOMP_RET_KILL_PROCESS`` makes the kernel emit an audit record (type 1326) with the
uid and the syscall number. Each run has its own uid, so the newest such record for that
uid since the run started names what the program tried.

Records are read from the audit netlink multicast group (read-only, needs CAP_AUDIT_READ,
not rate-limited, does not disturb an auditd), by one listener thread per process; the
fallback is /dev/kmsg, where the kernel rate-limits them (about 10 per 5 s). Best effort:
without either the verdict is still ``killed``, only without the name.
"""

from __future__ import annotations

import collections
import contextlib
import os
import re
import socket
import struct
import threading
import time

from ._seccomp import syscall_name

__all__ = ["blocked_syscall", "forget", "kmsg_readable", "listener_available", "start_listener"]

_RECORD = re.compile(
    rb"\buid=(\d+)\b.*?\bpid=(\d+)\b.*?\barch=([0-9a-f]+)\b.*?\bsyscall=(\d+)")
_NATIVE_ARCH = 0xC000003E  # AUDIT_ARCH_X86_64
_FOREIGN = 1 << 30  # marks a syscall number of another ABI (i386, x32) in our records
_AUDIT_SECCOMP = 1326
_NETLINK_AUDIT = 9
_AUDIT_NLGRP_READLOG = 1

_EXPLAIN = {
    "socket": "network access is not allowed",
    "ptrace": "debugging other processes is not allowed",
    "unshare": "creating namespaces is not allowed",
    "setns": "entering namespaces is not allowed",
    "clone": "creating namespaces is not allowed",
    "mount": "mounting is not allowed",
    "kill": "signalling the sandbox's own processes is not allowed",
    "tgkill": "signalling the sandbox's own processes is not allowed",
    "mq_open": "POSIX message queues are not available",
}


class _Listener:
    """Keeps the recent seccomp records: (monotonic time received, uid, pid, syscall)."""

    def __init__(self) -> None:
        self.records: collections.deque[tuple[float, int, int, int]] = collections.deque(
            maxlen=4096)
        self.cond = threading.Condition()
        self.sock: socket.socket | None = None
        self.error = ""

    def start(self) -> bool:
        try:
            sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, _NETLINK_AUDIT)
            sock.bind((0, _AUDIT_NLGRP_READLOG))
        except OSError as exc:
            self.error = str(exc)
            return False
        self.sock = sock
        threading.Thread(target=self._loop, name="hireloop-audit", daemon=True).start()
        return True

    def _loop(self) -> None:
        assert self.sock is not None
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                return
            now = time.monotonic()
            offset = 0
            while offset + 16 <= len(data):
                length, kind = struct.unpack_from("=IH", data, offset)
                if length < 16:
                    break
                if kind == _AUDIT_SECCOMP:
                    m = _RECORD.search(data[offset + 16:offset + length])
                    if m:
                        with self.cond:
                            self.records.append((now, int(m.group(1)), int(m.group(2)),
                                                 _number(m)))
                            self.cond.notify_all()
                offset += (length + 3) & ~3

    def find(self, uid: int, since: float, wait_s: float, pid: int | None) -> int | None:
        """The syscall of the record of ``pid`` (if given), else of the newest record of
        ``uid`` received since ``since``."""
        deadline = time.monotonic() + wait_s
        with self.cond:
            while True:
                fallback = None
                for t, u, p, nr in reversed(self.records):
                    if u != uid or t < since:
                        continue
                    if pid is None or p == pid:
                        return nr
                    fallback = nr if fallback is None else fallback
                left = deadline - time.monotonic()
                if left <= 0:
                    return fallback
                self.cond.wait(left)

    def forget(self, uid: int) -> None:
        with self.cond:
            kept = [r for r in self.records if r[1] != uid]
            self.records.clear()
            self.records.extend(kept)


class _State:
    listener: _Listener | None = None
    ok = False
    lock = threading.Lock()


def start_listener() -> bool:
    """Start the netlink listener once per process (call before running anything)."""
    with _State.lock:
        if _State.listener is None:
            _State.listener = _Listener()
            _State.ok = _State.listener.start()
        return _State.ok


def listener_available() -> tuple[bool, str]:
    ok = start_listener()
    error = _State.listener.error if _State.listener else ""
    return ok, ("audit netlink multicast" if ok else f"no audit netlink ({error})")


def _number(m: re.Match[bytes]) -> int:
    nr = int(m.group(4))
    return nr if int(m.group(3), 16) == _NATIVE_ARCH else nr | _FOREIGN


def kmsg_readable() -> bool:
    try:
        fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return False
    os.close(fd)
    return True


def _scan_kmsg(uid: int, since_monotonic: float) -> int | None:
    try:
        fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    found: int | None = None
    uid_b = str(uid).encode()
    try:
        while True:
            try:
                record = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError:  # EPIPE: record overwritten while reading; go on
                continue
            if not record:
                break
            head, _, msg = record.partition(b";")
            fields = head.split(b",")
            if len(fields) < 3 or b"type=1326" not in msg:
                continue
            with contextlib.suppress(ValueError):
                if int(fields[2]) / 1e6 < since_monotonic - 0.05:
                    continue
            m = _RECORD.search(msg)
            if m and m.group(1) == uid_b:
                found = _number(m)
    finally:
        os.close(fd)
    return found


def forget(uid: int) -> None:
    """Drop the records of ``uid`` (its run is over; a slot's next run starts clean)."""
    if _State.listener is not None:
        _State.listener.forget(uid)


def blocked_syscall(uid: int, since_monotonic: float, wait_s: float = 0.3,
                    pid: int | None = None) -> str | None:
    """A description of the system call seccomp killed a process of ``uid`` (preferably
    the process ``pid``, as the host sees it) for."""
    nr: int | None = None
    if start_listener() and _State.listener is not None:
        nr = _State.listener.find(uid, since_monotonic, wait_s, pid)
    if nr is None:
        nr = _scan_kmsg(uid, since_monotonic)
    if nr is None:
        return None
    if nr & _FOREIGN:
        return (f"syscall {nr & ~_FOREIGN} of another ABI "
                "(32-bit i386/x32 system calls are not allowed)")
    name = syscall_name(nr)
    why = _EXPLAIN.get(name)
    return f"{name} ({why})" if why else name
