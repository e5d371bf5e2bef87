"""Privilege separation for ``hireloop serve`` started as root.

The sandbox needs root (per-run uids, cgroups), but the process that parses every request from
the internet must not have it. So, started as root, ``serve``:

1. prepares what only root can: migrates the database, gives the data dir to root and the web
   user's group with the sticky bit (the web user may create files there but not replace
   root's: the installation key, which only the root grading process makes and reads, mode
   0600), and hands the files the web app writes (databases, queue, uploads) to the web user;
2. binds the listening socket (so ports below 1024 work);
3. starts the privileged grading process (``hireloop worker``, root, which grades and runs
   trial runs) as its child, which dies with it;
4. drops itself to ``HIRELOOP_USER`` (no supplementary groups, no way back) and serves HTTP.

The two talk only through the job queue and the database rows it carries (grading jobs,
trial runs, bank reloads): there is no other channel to the root process.
"""

from __future__ import annotations

import ctypes
import grp
import logging
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("hireloop.privsep")

SYSTEM_USER = "hireloop"
PARENT_ENV = "HIRELOOP_PARENT_PIPE"
"""set for the privileged grading process: the read end of a pipe whose write end only the
web process holds; end of file means the web process is gone (a parent-death signal would
not do: the kernel does not deliver it from an unprivileged parent to a root child)"""
WEB_FILES = ("hireloop.db", "hireloop.db-wal", "hireloop.db-shm", "hireloop.db-journal",
             "queue.db", "queue.db-wal", "queue.db-shm", "queue.db-journal")
"""files of the data dir the web process writes (besides ``uploads/``)"""


@dataclass(frozen=True)
class WebUser:
    """Who the web process runs as."""

    name: str
    uid: int
    gid: int


def web_user(name: str | None) -> WebUser:
    """``name``, else the system user ``hireloop`` (created when missing), else ``nobody``."""
    if name:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            raise SystemExit(f"HIRELOOP_USER={name}: no such user") from None
        if entry.pw_uid == 0:
            raise SystemExit(f"HIRELOOP_USER={name} is root: name an unprivileged user")
        return WebUser(name, entry.pw_uid, entry.pw_gid)
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        useradd = shutil.which("useradd")
        if useradd:
            subprocess.run([useradd, "--system", "--no-create-home", "--home-dir",
                            "/nonexistent", "--shell", "/usr/sbin/nologin", "--user-group",
                            SYSTEM_USER], check=False, capture_output=True)
        try:
            entry = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            entry = pwd.getpwnam("nobody")
            log.warning("could not create the system user %r; the web process runs as "
                        "nobody (set HIRELOOP_USER to a dedicated user)", SYSTEM_USER)
    return WebUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def unreachable_ancestor(path: Path, user: WebUser) -> Path | None:
    """The first folder above ``path`` that ``user`` cannot pass through, or None."""
    groups = {user.gid} | {g.gr_gid for g in grp.getgrall() if user.name in g.gr_mem}
    for folder in reversed(path.resolve().parents):
        info = folder.stat()
        if info.st_uid == user.uid:
            ok = bool(info.st_mode & stat.S_IXUSR)
        elif info.st_gid in groups:
            ok = bool(info.st_mode & stat.S_IXGRP)
        else:
            ok = bool(info.st_mode & stat.S_IXOTH)
        if not ok:
            return folder
    return None


def prepare_data_dir(data_dir: Path, user: WebUser) -> None:
    """Root and the web user's group own the data dir (sticky: the web user cannot replace
    root's files, such as ``installation.key``); the files the web app writes are the web
    user's."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.chown(data_dir, 0, user.gid)
    os.chmod(data_dir, 0o1770)  # noqa: S103 - root and the web group, sticky
    for name in WEB_FILES:
        path = data_dir / name
        if path.exists() and not path.is_symlink():
            os.chown(path, user.uid, user.gid)
    uploads = data_dir / "uploads"
    uploads.mkdir(exist_ok=True)
    for folder, dirs, files in os.walk(uploads):
        os.chown(folder, user.uid, user.gid, follow_symlinks=False)
        for entry in (*dirs, *files):
            os.chown(os.path.join(folder, entry), user.uid, user.gid, follow_symlinks=False)


def start_grader(data_dir: Path, threads: int) -> subprocess.Popen[bytes]:
    """The privileged grading process (root): ``hireloop worker`` on the same data dir,
    which exits when this process does (see ``PARENT_ENV``)."""
    read_end, write_end = os.pipe()
    env = {**os.environ, PARENT_ENV: str(read_end), "HIRELOOP_DATA_DIR": str(data_dir)}
    grader = subprocess.Popen([sys.executable, "-m", "hireloop", "worker", "--threads",
                               str(max(threads, 1)), "--data-dir", str(data_dir)], env=env,
                              pass_fds=(read_end,))
    os.close(read_end)
    _keep.append(write_end)  # held (close-on-exec) until this process ends
    return grader


_keep: list[int] = []


def die_with_parent() -> None:
    """In the privileged grading process: stop (SIGTERM to itself) when the web process
    that started it is gone, however it died."""
    fd = os.environ.pop(PARENT_ENV, None)
    if not fd:
        return
    pipe = int(fd)

    def watch() -> None:
        while os.read(pipe, 1):
            pass
        log.warning("the web process is gone; the grading process stops")
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="hireloop-parent-watch", daemon=True).start()


_CLONE_NEWNS = 0x00020000
_MS_BIND, _MS_REC, _MS_PRIVATE = 4096, 16384, 1 << 18


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                           ctypes.c_char_p)
    return libc


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def expose(paths: list[Path], user: WebUser) -> list[Path]:
    """Let ``user`` reach ``paths`` that a closed folder above them hides (a Python installed
    under /root, a data dir under a private home): in a mount namespace of this process only,
    each closed folder is covered by an empty, traversable tmpfs into which only the needed
    entries are bound back. Nothing else of the closed folder becomes visible. Returns the
    covered folders."""
    needed: dict[Path, set[str]] = {}
    for given in paths:
        if not given.exists():
            continue
        path = given.resolve()
        blocked = unreachable_ancestor(path / "x", user)
        while blocked is not None:
            child = path.relative_to(blocked).parts[0]
            needed.setdefault(blocked, set()).add(child)
            blocked = unreachable_ancestor(blocked / child / "x", user) \
                if (blocked / child) != path else None
            if blocked is not None and blocked in needed and child in needed[blocked]:
                break
    if not needed:
        return []
    libc = _libc()
    _check(libc.unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _check(libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None), "making / private")
    for folder in sorted(needed, key=lambda f: len(f.parts)):
        kept = {name: os.open(folder / name, os.O_PATH) for name in sorted(needed[folder])}
        _check(libc.mount(b"tmpfs", str(folder).encode(), b"tmpfs", 0, b"mode=0755"),
               f"covering {folder}")
        for name, fd in kept.items():
            target = folder / name
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                target.mkdir()
            else:
                target.touch()
            _check(libc.mount(f"/proc/self/fd/{fd}".encode(), str(target).encode(), None,
                              _MS_BIND | _MS_REC, None), f"binding {target}")
            os.close(fd)
    return sorted(needed)


def drop_to(user: WebUser) -> None:
    """Become ``user`` for good: no supplementary groups, real, effective and saved ids all
    unprivileged, and no way to gain privileges through exec."""
    os.setgroups([])
    os.setresgid(user.gid, user.gid, user.gid)
    os.setresuid(user.uid, user.uid, user.uid)
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_no_new_privs = 38
    libc.prctl(pr_set_no_new_privs, 1, 0, 0, 0)
    os.environ["HOME"] = "/nonexistent"
    os.environ["USER"] = os.environ["LOGNAME"] = user.name
    if 0 in os.getresuid() or 0 in os.getresgid():  # pragma: no cover - setresuid raised
        raise SystemExit("could not drop root privileges")
    try:
        os.setuid(0)
    except PermissionError:
        return
    raise SystemExit("root privileges could be regained after dropping them")
