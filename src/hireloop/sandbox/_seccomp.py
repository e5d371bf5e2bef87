"""Seccomp filters, compiled to classic BPF by libseccomp (through ctypes, no Python deps).

The base filter is a deny list on top of the namespaces and dropped privileges: it kills the
whole process on system calls that have no business in a graded program and that widen the
kernel's attack surface (ptrace, keyrings, BPF, perf, userfaultfd, io_uring, mounting, new
namespaces, sockets other than AF_UNIX, kernel modules...). ``clone3`` answers ENOSYS so that
libc falls back to ``clone``, whose flags a filter can inspect.

The guard filter is stacked on a warm worker's job process: it keeps the job from signalling,
re-prioritising or re-limiting the trusted harness that forked it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
import threading
from collections.abc import Iterable, Sequence

__all__ = [
    "DENIED_SYSCALLS",
    "available",
    "base_filter",
    "guard_filter",
    "syscall_name",
]

_ACT_KILL_PROCESS = 0x80000000
_ACT_ALLOW = 0x7FFF0000
_FLTATR_ACT_BADARCH = 2


def _act_errno(err: int) -> int:
    return 0x00050000 | (err & 0xFFFF)


_CMP_NE = 1
_CMP_MASKED_EQ = 7

_AF_UNIX = 1
_MASK32 = 0xFFFFFFFF

# Killed outright. Names the installed libseccomp does not know are skipped.
DENIED_SYSCALLS: tuple[str, ...] = (
    # debugging / reading other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "process_madvise", "kcmp",
    "pidfd_getfd",
    # kernel attack surface
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "fanotify_init", "open_by_handle_at", "name_to_handle_at", "lookup_dcookie",
    # file systems and namespaces
    "mount", "umount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "unshare", "setns",
    # the machine
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "acct", "quotactl", "quotactl_fd", "syslog",
    "settimeofday", "clock_settime", "clock_adjtime", "sethostname", "setdomainname",
    "iopl", "ioperm", "vhangup", "nfsservctl", "uselib", "_sysctl",
    # POSIX message queues would outlive a job in a warm worker's IPC namespace
    "mq_open",
)

_CLONE_NAMESPACE_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)


class _ArgCmp(ctypes.Structure):
    _fields_ = (
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    )


class _Lib:
    def __init__(self) -> None:
        name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
        lib = ctypes.CDLL(name, use_errno=True)
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_init.argtypes = (ctypes.c_uint32,)
        lib.seccomp_release.restype = None
        lib.seccomp_release.argtypes = (ctypes.c_void_p,)
        lib.seccomp_attr_set.restype = ctypes.c_int
        lib.seccomp_attr_set.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32)
        lib.seccomp_rule_add_array.restype = ctypes.c_int
        lib.seccomp_rule_add_array.argtypes = (
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.POINTER(_ArgCmp),
        )
        lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
        lib.seccomp_syscall_resolve_name.argtypes = (ctypes.c_char_p,)
        lib.seccomp_syscall_resolve_num_arch.restype = ctypes.c_void_p
        lib.seccomp_syscall_resolve_num_arch.argtypes = (ctypes.c_uint32, ctypes.c_int)
        lib.seccomp_export_bpf.restype = ctypes.c_int
        lib.seccomp_export_bpf.argtypes = (ctypes.c_void_p, ctypes.c_int)
        self.lib = lib
        libc = ctypes.CDLL(None)
        libc.free.restype = None
        libc.free.argtypes = (ctypes.c_void_p,)
        self.free = libc.free


_lock = threading.Lock()


@functools.cache
def _lib() -> _Lib:
    return _Lib()


def available() -> tuple[bool, str]:
    """Whether libseccomp can be loaded and compile a filter here."""
    try:
        size = len(base_filter())
    except (OSError, RuntimeError) as exc:
        return False, f"libseccomp unusable: {exc}"
    return True, f"libseccomp filter of {size // 8} BPF instructions"


def syscall_name(number: int) -> str:
    """The name of an x86-64 (native) system call number, or ``syscall N``."""
    try:
        lib = _lib()
    except OSError:
        return f"syscall {number}"
    ptr = lib.lib.seccomp_syscall_resolve_num_arch(0, number)
    if not ptr:
        return f"syscall {number}"
    try:
        return ctypes.string_at(ptr).decode()
    finally:
        lib.free(ptr)


class _Builder:
    def __init__(self) -> None:
        self._lib = _lib()
        ctx = self._lib.lib.seccomp_init(_ACT_ALLOW)
        if not ctx:
            raise RuntimeError("seccomp_init failed")
        self.ctx: int = ctx
        self._check(
            self._lib.lib.seccomp_attr_set(self.ctx, _FLTATR_ACT_BADARCH, _ACT_KILL_PROCESS),
            "seccomp_attr_set",
        )

    @staticmethod
    def _check(rc: int, what: str) -> None:
        if rc != 0:
            raise RuntimeError(f"{what} failed: {os.strerror(-rc) if rc < 0 else rc}")

    def rule(self, action: int, name: str, *args: tuple[int, int, int, int]) -> bool:
        nr = self._lib.lib.seccomp_syscall_resolve_name(name.encode())
        if nr < 0:
            return False  # unknown to this libseccomp / architecture
        array = (_ArgCmp * max(1, len(args)))(*(_ArgCmp(*a) for a in args))
        self._check(
            self._lib.lib.seccomp_rule_add_array(self.ctx, action, nr, len(args), array),
            f"seccomp_rule_add({name})",
        )
        return True

    def export(self) -> bytes:
        fd = os.memfd_create("hireloop-seccomp", os.MFD_CLOEXEC)
        try:
            self._check(self._lib.lib.seccomp_export_bpf(self.ctx, fd), "seccomp_export_bpf")
            os.lseek(fd, 0, os.SEEK_SET)
            chunks: list[bytes] = []
            while chunk := os.read(fd, 65536):
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            os.close(fd)
            self._lib.lib.seccomp_release(self.ctx)


@functools.cache
def base_filter() -> bytes:
    """The filter every sandboxed process runs under, as BPF bytes for ``bwrap --seccomp``."""
    with _lock:
        b = _Builder()
        for name in DENIED_SYSCALLS:
            b.rule(_ACT_KILL_PROCESS, name)
        for flag in _CLONE_NAMESPACE_FLAGS:
            b.rule(_ACT_KILL_PROCESS, "clone", (0, _CMP_MASKED_EQ, flag, flag))
        b.rule(_act_errno(errno.ENOSYS), "clone3")
        # Only AF_UNIX sockets: no network, no netlink, no packet sockets.
        b.rule(_ACT_KILL_PROCESS, "socket", (0, _CMP_NE, _AF_UNIX, 0))
        return b.export()


def _pid_rules(b: _Builder, name: str, arg: int, values: Iterable[int]) -> None:
    for value in values:
        b.rule(_ACT_KILL_PROCESS, name, (arg, _CMP_MASKED_EQ, _MASK32, value & _MASK32))


def guard_filter(protect_pids: Sequence[int], protect_pgids: Sequence[int]) -> bytes:
    """A filter that keeps a job from touching the processes ``protect_pids``.

    Pids are as seen inside the sandbox's pid namespace. ``kill(-1)`` is refused too,
    since it would reach the harness.
    """
    with _lock:
        b = _Builder()
        pids = sorted(set(protect_pids))
        kill_targets = [*pids, -1, *(-g for g in sorted(set(protect_pgids)))]
        _pid_rules(b, "kill", 0, kill_targets)
        for name in ("tkill", "pidfd_open", "prlimit64", "sched_setaffinity",
                     "sched_setscheduler", "sched_setparam", "sched_setattr",
                     "migrate_pages", "move_pages"):
            _pid_rules(b, name, 0, pids)
        for name in ("tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):
            _pid_rules(b, name, 0, pids)
        # setpriority(which, who, prio) / ioprio_set(which, who, prio): only one's own
        # processes (PRIO_PROCESS = 0 / IOPRIO_WHO_PROCESS = 1) and never a protected one.
        for name, own in (("setpriority", 0), ("ioprio_set", 1)):
            b.rule(_ACT_KILL_PROCESS, name, (0, _CMP_NE, own, 0))
            for pid in pids:
                b.rule(_ACT_KILL_PROCESS, name, (1, _CMP_MASKED_EQ, _MASK32, pid))
        b.rule(_ACT_KILL_PROCESS, "pidfd_send_signal")
        return b.export()
