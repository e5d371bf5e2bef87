"""Host-side files of a run: a size-capped tmpfs per run, written and read without ever
following a path the sandbox could have written.

Layout of one run's tmpfs (mounted at ``<base>/<name>``, root-owned, ``nosuid,nodev,noexec``)::

    work/   -> /sandbox (the program's cwd, writable)
    tmp/    -> /tmp
    shm/    -> /dev/shm
    ro/     -> /harness, read-only: trusted files (a grading harness) the program can
               read but never change

All three share the tmpfs's ``size=``, so a disk-filling submission meets ENOSPC, never the
host's disk. Every host access goes through directory file descriptors and ``O_NOFOLLOW``
one component at a time (Judge0 CVE-2024-28185 was a symlink the host followed).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path

from ._types import SandboxError

__all__ = ["RunDir", "base_dir", "copy_tree", "validate_relpath"]

_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MNT_DETACH = 2
_MS_REMOUNT = 32
_SUBDIRS = ("work", "tmp", "shm")
_ALL_SUBDIRS = (*_SUBDIRS, "ro")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_MAX_WIPE_DEPTH = 128

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mount.argtypes = (ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                        ctypes.c_char_p)
_libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)


def base_dir() -> Path:
    """Where run directories are mounted (``HIRELOOP_SANDBOX_DIR``, default /run/...)."""
    return Path(os.environ.get("HIRELOOP_SANDBOX_DIR", "/run/hireloop-sandbox"))


def ensure_private_dir(path: Path, mode: int = 0o700) -> None:
    """Create ``path`` with ``mode`` (the run base dir first, root-only); refuse anything
    others could have planted."""
    base = base_dir()
    if path != base and base in path.parents:
        ensure_private_dir(base)
    path.mkdir(mode=mode, parents=True, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & 0o022:
        raise SandboxError(f"{path} must be a directory owned by us and not writable by others")
    if stat.S_IMODE(st.st_mode) != mode:
        os.chmod(path, mode)


def validate_relpath(name: str) -> tuple[str, ...]:
    """Split a relative file name into safe components, or raise ValueError."""
    if not name or "\0" in name or name.startswith("/") or len(name) > 1024:
        raise ValueError(f"not a safe relative file name: {name!r}")
    parts = tuple(p for p in name.split("/") if p)
    if not parts or any(p in (".", "..") or len(p) > 255 for p in parts):
        raise ValueError(f"not a safe relative file name: {name!r}")
    return parts


def _mount_tmpfs(target: Path, size_mb: int) -> None:
    opts = f"size={size_mb}m,nr_inodes=16384,mode=0755,uid=0,gid=0".encode()
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    if _libc.mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, opts) != 0:
        err = ctypes.get_errno()
        raise SandboxError(f"cannot mount tmpfs on {target}: {os.strerror(err)}")


def _open_dir_at(dir_fd: int, parts: Iterable[str], *, create: bool = False,
                 uid: int = -1) -> int:
    """Open a directory below ``dir_fd`` one component at a time, never following links."""
    fd = os.dup(dir_fd)
    try:
        for part in parts:
            if create:
                try:
                    os.mkdir(part, 0o755, dir_fd=fd)
                    if uid >= 0:
                        os.chown(part, uid, uid, dir_fd=fd, follow_symlinks=False)
                except FileExistsError:
                    pass
            nfd = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nfd
    except BaseException:
        os.close(fd)
        raise
    return fd


class RunDir:
    """The tmpfs of one run (or of one warm worker, wiped between jobs)."""

    def __init__(self, path: Path, uid: int, size_mb: int) -> None:
        self.path = path
        self.uid = uid
        self.size_mb = size_mb
        self._root_fd = -1
        self.fds: dict[str, int] = {}

    @classmethod
    def create(cls, name: str, uid: int, size_mb: int) -> RunDir:
        base = base_dir()
        ensure_private_dir(base)
        path = base / name
        os.mkdir(path, 0o700)
        rd = cls(path, uid, size_mb)
        try:
            _mount_tmpfs(path, size_mb)
            rd._root_fd = os.open(path, _DIR_FLAGS)
            for sub in _ALL_SUBDIRS:
                os.mkdir(sub, 0o700, dir_fd=rd._root_fd)
                if sub == "ro":  # root's, readable (not writable) by the program
                    os.chmod(sub, 0o755, dir_fd=rd._root_fd)  # noqa: S103
                else:
                    os.chown(sub, uid, uid, dir_fd=rd._root_fd, follow_symlinks=False)
                rd.fds[sub] = os.open(sub, _DIR_FLAGS, dir_fd=rd._root_fd)
        except BaseException:
            rd.destroy()
            raise
        return rd

    def resize(self, size_mb: int) -> None:
        """Change the tmpfs's size cap (a remount on the host: the sandbox's bind mounts
        share its superblock). Fails when more than that is in use already."""
        if size_mb == self.size_mb:
            return
        flags = _MS_REMOUNT | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
        data = f"size={size_mb}m".encode()
        if _libc.mount(b"tmpfs", os.fsencode(self.path), b"tmpfs", flags, data) != 0:
            err = ctypes.get_errno()
            raise SandboxError(f"cannot resize {self.path} to {size_mb} MB: {os.strerror(err)}")
        self.size_mb = size_mb

    def sub(self, name: str) -> Path:
        """Host path of ``work``/``tmp``/``shm``, for bwrap to bind (bwrap runs as root)."""
        return self.path / name

    def write_files(self, files: Mapping[str, bytes], *, readonly: bool = False) -> None:
        """Create the given files in ``work/`` owned by the run's uid, or (``readonly``)
        in ``ro/`` owned by root and read-only for the program."""
        top = self.fds["ro" if readonly else "work"]
        owner = 0 if readonly else self.uid
        for name, data in files.items():
            parts = validate_relpath(name)
            dfd = _open_dir_at(top, parts[:-1], create=True, uid=owner)
            try:
                fd = os.open(parts[-1], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                             | os.O_CLOEXEC, 0o644, dir_fd=dfd)
            except FileExistsError:
                os.close(dfd)
                raise ValueError(f"file given twice: {name!r}") from None
            try:
                view = memoryview(data)
                while view:
                    n = os.write(fd, view)
                    view = view[n:]
                os.fchown(fd, owner, owner)
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise ValueError(f"files do not fit in tmp_mb={self.size_mb}") from exc
                raise
            finally:
                os.close(fd)
                os.close(dfd)

    def collect(self, names: Iterable[str], max_bytes: int) -> dict[str, bytes]:
        """Read back files the program wrote: regular files only, no links, size-capped."""
        out: dict[str, bytes] = {}
        for name in names:
            try:
                parts = validate_relpath(name)
            except ValueError:
                continue
            with contextlib.suppress(OSError):
                data = self._read_one(parts, max_bytes)
                if data is not None:
                    out[name] = data
        return out

    def _read_one(self, parts: tuple[str, ...], max_bytes: int) -> bytes | None:
        dfd = _open_dir_at(self.fds["work"], parts[:-1])
        try:
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
                         | os.O_CLOEXEC, dir_fd=dfd)
        finally:
            os.close(dfd)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
                return None
            data = os.read(fd, max_bytes + 1)
            return data if len(data) <= max_bytes else None
        finally:
            os.close(fd)

    def wipe(self) -> bool:
        """Empty work/, tmp/ and shm/. False when the tree is too odd to wipe safely
        (then the caller throws the whole tmpfs away instead)."""
        try:
            for sub in _ALL_SUBDIRS:
                _wipe_fd(self.fds[sub], 0)
                if sub != "ro":
                    os.fchmod(self.fds[sub], 0o700)
                    os.fchown(self.fds[sub], self.uid, self.uid)
        except (OSError, RecursionError):
            return False
        return True

    def is_empty(self) -> bool:
        return all(not os.listdir(self.fds[sub]) for sub in _ALL_SUBDIRS)

    def destroy(self) -> None:
        """Unmount and remove everything. Idempotent."""
        for fd in self.fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.fds.clear()
        if self._root_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._root_fd)
            self._root_fd = -1
        if os.path.ismount(self.path) and _libc.umount2(os.fsencode(self.path),
                                                        _MNT_DETACH) != 0:
                err = ctypes.get_errno()
                raise SandboxError(f"cannot unmount {self.path}: {os.strerror(err)}")
        with contextlib.suppress(FileNotFoundError):
            os.rmdir(self.path)


def _wipe_fd(dir_fd: int, depth: int) -> None:
    if depth > _MAX_WIPE_DEPTH:
        raise OSError(errno.ELOOP, "directory tree too deep to wipe")
    with os.scandir(dir_fd) as it:
        entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
    for name, is_dir in entries:
        if is_dir:
            child = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
            try:
                _wipe_fd(child, depth + 1)
            finally:
                os.close(child)
            os.rmdir(name, dir_fd=dir_fd)
        else:
            os.unlink(name, dir_fd=dir_fd)


def unmount_stale(path: Path) -> None:
    """Best-effort removal of a run directory left by a crashed supervisor."""
    if os.path.ismount(path):
        _libc.umount2(os.fsencode(path), _MNT_DETACH)
    with contextlib.suppress(OSError):
        os.rmdir(path)



_SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "__pycache__", "node_modules",
                        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox"})


def copy_tree(root: Path, *, max_bytes: int, max_files: int = 2000) -> dict[str, bytes]:
    """The regular files below ``root`` as a ``files=`` mapping (links and devices skipped).

    Raises ValueError when the directory holds more than ``max_bytes`` or ``max_files``.
    """
    out: dict[str, bytes] = {}
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS
                             and not os.path.islink(os.path.join(dirpath, d)))
        for fname in sorted(filenames):
            full = os.path.join(dirpath, fname)
            try:
                fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
            except OSError:
                continue  # a symlink, a socket, unreadable: not copied
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    continue
                total += st.st_size
                if total > max_bytes or len(out) >= max_files:
                    raise ValueError(
                        f"{root} holds more than {max_bytes >> 20} MB or {max_files} files; "
                        "put the program in a directory of its own"
                    )
                chunks: list[bytes] = []
                while chunk := os.read(fd, 1 << 20):
                    chunks.append(chunk)
            finally:
                os.close(fd)
            rel = os.path.relpath(full, root)
            out[rel.replace(os.sep, "/")] = b"".join(chunks)
    return out
