"""What this host offers the sandbox, and the pieces every run shares: run slots (one
unprivileged uid each), the bubblewrap command line, the Python installation to expose.

Settings (environment):

- ``HIRELOOP_SANDBOX_DIR``: where per-run tmpfs mounts live (default /run/hireloop-sandbox).
- ``HIRELOOP_SANDBOX_UID_BASE`` / ``HIRELOOP_SANDBOX_SLOTS``: run slots use uids
  ``base .. base+slots-1`` (default 61000, 64); no account may own them.
- ``HIRELOOP_SANDBOX_PYTHON``: the interpreter that ``python3`` means inside the sandbox
  (default: the one running hireloop, with its virtual environment).
- ``HIRELOOP_SANDBOX_UNSAFE=1``: allow running without isolation when it is unavailable.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import functools
import itertools
import os
import pwd
import shutil
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import _cgroup, _fs
from ._types import SandboxError

__all__ = [
    "INTERNAL_DIR",
    "READONLY_DIR",
    "SANDBOX_HOME",
    "STATIC_FLAGS",
    "WORKDIR",
    "Host",
    "Slot",
    "get_host",
    "hidden_paths",
    "hide",
    "sandbox_env",
    "sandbox_python",
]

WORKDIR = "/sandbox"
READONLY_DIR = "/harness"
INTERNAL_DIR = "/.hireloop"  # our own read-only files (the warm harness, the launcher)
SANDBOX_HOME = "/tmp"  # noqa: S108 - this is the sandbox's own private /tmp
#: bwrap flags that never change (and may safely be given twice)
STATIC_FLAGS = (
    "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
    "--die-with-parent", "--new-session", "--clearenv",
)
_SYSTEM_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_ETC_COPIED = ("ld.so.cache", "ld.so.conf", "localtime")


def _stat_key(path: Path) -> tuple[int, int]:
    try:
        st = os.lstat(path)
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def _replace_symlink(link: Path, target: str, scratch: Path) -> None:
    with contextlib.suppress(OSError):
        if os.readlink(link) == target:
            return
    tmp = scratch / f".link.{os.getpid()}.{threading.get_ident()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class Slot:
    """An exclusive run slot: its uid is used by one run (or one warm worker) at a time."""

    index: int
    uid: int
    _fd: int

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # drops the flock
            self._fd = -1
            _held.discard(self.index)


_held: set[int] = set()
_slot_lock = threading.Lock()
_counter = itertools.count()


def unique_name(slot: Slot, kind: str = "r") -> str:
    """A run name that says which process made it (for stale cleanup)."""
    return f"{os.getpid()}-{kind}{slot.index}-{next(_counter)}"


def sandbox_python() -> str:
    """The interpreter path used inside the sandbox (same path as on the host)."""
    return os.environ.get("HIRELOOP_SANDBOX_PYTHON") or sys.executable or "/usr/bin/python3"


def _python_prefixes(python: str) -> list[Path]:
    """The directories a Python installation lives in, to bind read-only."""
    candidates: set[str] = set()
    if python == sys.executable:
        candidates.update((sys.prefix, sys.exec_prefix, sys.base_prefix, sys.base_exec_prefix))
    exe = Path(python)
    candidates.add(str(exe.parent.parent))
    with contextlib.suppress(OSError):
        candidates.add(str(exe.resolve().parent.parent))
    out: list[Path] = []
    for c in sorted(candidates, key=len):
        p = Path(os.path.normpath(c))
        if p == Path("/usr") or Path("/usr") in p.parents:
            continue  # the system is bound anyway
        hidden = [d for d in (SANDBOX_HOME, "/dev/shm", WORKDIR)  # noqa: S108 - sandbox paths
                  if p == Path(d) or Path(d) in p.parents]
        if hidden:
            raise SandboxError(
                f"the Python installation {p} lives below {hidden[0]}, which the sandbox "
                "replaces with its own; install it elsewhere (e.g. create the virtual "
                "environment outside /tmp) or set HIRELOOP_SANDBOX_PYTHON"
            )
        if len(p.parts) < 3:
            raise SandboxError(
                f"refusing to expose {p} to the sandbox as a Python installation; "
                "set HIRELOOP_SANDBOX_PYTHON to an interpreter in its own directory"
            )
        if any(q == p or q in p.parents for q in out):
            continue
        out.append(p)
    return out


def sandbox_env(python: str) -> dict[str, str]:
    """The whole environment a sandboxed program sees: nothing of the host's."""
    bindir = str(Path(python).parent)
    return {
        "PATH": f"{bindir}:/usr/local/bin:/usr/bin:/bin",
        "HOME": SANDBOX_HOME,
        "TMPDIR": SANDBOX_HOME,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": SANDBOX_HOME,
        # onnxruntime (1.32) starts a telemetry upload a few seconds in, and the sandbox kills
        # a program that opens a network socket
        "ORT_DISABLE_TELEMETRY": "1",
    }


class Host:
    """The sandbox facilities found on this machine (see ``get_host``)."""

    def __init__(self) -> None:
        self.bwrap = os.environ.get("HIRELOOP_SANDBOX_BWRAP") or shutil.which("bwrap")
        self.setpriv = shutil.which("setpriv", path="/usr/bin:/bin:/usr/sbin:/sbin")
        self.is_root = os.geteuid() == 0
        self.layout = _cgroup.detect()
        self.uid_base = _env_int("HIRELOOP_SANDBOX_UID_BASE", 61000)
        self.slots = max(1, _env_int("HIRELOOP_SANDBOX_SLOTS", 64))
        self.python = sandbox_python()
        self._etc: Path | None = None
        self._etc_stamp: tuple[tuple[int, int], ...] = ()
        self._cleaned = False
        self._problems: list[str] | None = None
        self._lock = threading.Lock()

    def python_prefixes(self) -> list[Path]:
        """The Python installation directories bound read-only into every sandbox."""
        return _python_prefixes(self.python)

    # --- availability ----------------------------------------------------------------

    def problems(self) -> list[str]:
        """Why full isolation is unavailable here (empty: it is available). Cached."""
        if self._problems is None:
            self._problems = self._find_problems()
        return list(self._problems)

    def _find_problems(self) -> list[str]:
        out: list[str] = []
        if sys.platform != "linux":
            out.append("not Linux: run hireloop in a Linux VM")
        if not self.bwrap:
            out.append("bubblewrap is not installed (apt-get install bubblewrap)")
        if not self.setpriv:
            out.append("setpriv (util-linux) is not installed")
        if not self.is_root:
            out.append("the sandbox supervisor must run as root (it drops every run to its "
                       "own unprivileged uid and owns the cgroups)")
        elif self.layout is None:
            out.append("no usable cgroups (need memory, pids and cpuacct/cpu controllers)")
        taken = self.taken_uids()
        if taken:
            out.append(f"sandbox uids already belong to accounts: {taken[:5]}; "
                       "set HIRELOOP_SANDBOX_UID_BASE")
        return out

    def taken_uids(self) -> list[int]:
        out = []
        for uid in range(self.uid_base, self.uid_base + self.slots):
            with contextlib.suppress(KeyError):
                pwd.getpwuid(uid)
                out.append(uid)
        return out

    # --- slots -----------------------------------------------------------------------

    def acquire_slot(self, timeout: float = 120.0) -> Slot:
        """An exclusive slot (flock on a lock file, so several processes can share a host)."""
        locks = _fs.base_dir() / "slots"
        deadline = time.monotonic() + timeout
        while True:
            with _slot_lock:
                _fs.ensure_private_dir(locks)
                for index in range(self.slots):
                    if index in _held:
                        continue
                    fd = os.open(locks / f"{index}.lock",
                                 os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
                    try:
                        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except OSError as exc:
                        os.close(fd)
                        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):
                            continue
                        raise
                    _held.add(index)
                    return Slot(index, self.uid_base + index, fd)
            if time.monotonic() > deadline:
                raise SandboxError(f"all {self.slots} sandbox slots stayed busy for {timeout}s")
            time.sleep(0.01)

    # --- stale state -----------------------------------------------------------------

    def cleanup_stale(self) -> None:
        """Remove run dirs and cgroups left by supervisor processes that died."""
        with self._lock:
            if self._cleaned:
                return
            self._cleaned = True
        base = _fs.base_dir()
        names: set[str] = set()
        with contextlib.suppress(FileNotFoundError):
            names.update(p.name for p in base.iterdir() if p.name[:1].isdigit())
        if self.layout is not None:
            names.update(n for n in _cgroup.stale_groups(self.layout) if n[:1].isdigit())
        for name in sorted(names):
            pid = int(name.split("-", 1)[0]) if name.split("-", 1)[0].isdigit() else 0
            if pid <= 0 or pid == os.getpid() or Path(f"/proc/{pid}").exists():
                continue
            with contextlib.suppress(OSError):
                _fs.unmount_stale(base / name)
            if self.layout is not None:
                with contextlib.suppress(OSError):
                    _cgroup.RunCgroup(self.layout, name).destroy()

    # --- the command line ------------------------------------------------------------

    def etc_dir(self) -> Path:
        """The sandbox's /etc, bound as one read-only directory: our own passwd, group,
        hosts and nsswitch.conf, and copies of the host's ld.so.cache, ld.so.conf and
        localtime (refreshed when the host's change). /etc/alternatives is bound on top."""
        d = _fs.base_dir() / f"etc-{self.uid_base}-{self.slots}"
        stamp = tuple(_stat_key(Path("/etc") / n) for n in _ETC_COPIED)
        if self._etc == d and self._etc_stamp == stamp:
            return d
        _fs.ensure_private_dir(d, 0o755)  # its content is what the sandbox sees as /etc
        users = "".join(f"sandbox{i}:x:{self.uid_base + i}:{self.uid_base + i}::"
                        f"{SANDBOX_HOME}:/usr/sbin/nologin\n" for i in range(self.slots))
        files: dict[str, bytes] = {
            "passwd": ("root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n" + users).encode(),
            "group": ("root:x:0:\n" + "".join(f"sandbox{i}:x:{self.uid_base + i}:\n"
                                               for i in range(self.slots))).encode(),
            "hosts": b"127.0.0.1 localhost\n::1 localhost\n",
            "nsswitch.conf": b"passwd: files\ngroup: files\nhosts: files\n",
        }
        for name in _ETC_COPIED:
            src = Path("/etc") / name
            with contextlib.suppress(OSError):
                if src.is_symlink():  # localtime -> /usr/share/zoneinfo/...: /usr is there
                    _replace_symlink(d / name, os.readlink(src), _fs.base_dir())
                elif src.is_file():
                    files[name] = src.read_bytes()
        for fname, data in files.items():
            target = d / fname
            with contextlib.suppress(OSError):
                if not target.is_symlink() and target.read_bytes() == data:
                    continue
            # written beside, then renamed in: a sandbox never sees a half-written file
            tmp = _fs.base_dir() / f".{fname}.{os.getpid()}.{threading.get_ident()}"
            tmp.write_bytes(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        (d / "alternatives").mkdir(mode=0o755, exist_ok=True)
        self._etc, self._etc_stamp = d, stamp
        return d

    def bwrap_argv(
        self,
        *,
        rundir: _fs.RunDir,
        uid: int,
        command: Sequence[str],
        info_fd: int | None,
        block_fd: int | None,
        seccomp_fd: int,
        mounts: Mapping[str, Path] | None = None,
        extra_files: Mapping[str, Path] | None = None,
    ) -> list[str]:
        """The full ``bwrap ... -- setpriv ... command`` line of one sandbox."""
        if not self.bwrap:
            raise SandboxError("bubblewrap missing")
        options = self.bwrap_options(rundir=rundir, info_fd=info_fd, block_fd=block_fd,
                                     seccomp_fd=seccomp_fd, mounts=mounts,
                                     extra_files=extra_files)
        return [self.bwrap, *options, "--", *self.drop_to(uid), *command]

    def drop_to(self, uid: int) -> list[str]:
        """``setpriv`` dropping to ``uid``: no groups, no capabilities, no_new_privs."""
        if not self.setpriv:
            raise SandboxError("setpriv missing")
        return [self.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]

    def bwrap_options(
        self,
        *,
        rundir: _fs.RunDir,
        info_fd: int | None,
        block_fd: int | None,
        seccomp_fd: int,
        mounts: Mapping[str, Path] | None = None,
        extra_files: Mapping[str, Path] | None = None,
        extra: Sequence[str] = (),
    ) -> list[str]:
        """bwrap's options for one sandbox (everything but the command)."""
        a: list[str] = [
            *STATIC_FLAGS,
            "--hostname", "sandbox",
            "--ro-bind", "/usr", "/usr",
        ]
        system: list[tuple[Path, str]] = [(Path("/usr"), "/usr")]
        for name in _SYSTEM_LINKS:
            host = Path("/") / name
            if host.is_symlink():
                a += ["--symlink", os.readlink(host), f"/{name}"]
            elif host.is_dir():
                a += ["--ro-bind", str(host), f"/{name}"]
                system.append((host, f"/{name}"))
        a += ["--ro-bind", str(self.etc_dir()), "/etc",
              "--ro-bind-try", "/etc/alternatives", "/etc/alternatives"]
        made: set[str] = {"/", "/usr", "/etc"}
        binds: list[tuple[Path, str]] = [(p, str(p)) for p in _python_prefixes(self.python)]
        for dest, src in (mounts or {}).items():
            binds.append((Path(src), _check_mount_dest(dest)))
        for src, dest in binds:
            for parent in reversed(Path(dest).parents):
                ps = str(parent)
                if ps not in made:
                    a += ["--perms", "0755", "--dir", ps]
                    made.add(ps)
            a += ["--ro-bind", str(src), dest]
            made.add(dest)
        a += self.mask_options([*system, *binds])
        a += ["--perms", "0755", "--dir", INTERNAL_DIR]
        for dest, src in (extra_files or {}).items():
            a += ["--ro-bind", str(src), dest]
        a += [
            "--proc", "/proc",
            "--dev", "/dev",
            "--bind", str(rundir.sub("work")), WORKDIR,
            "--bind", str(rundir.sub("tmp")), SANDBOX_HOME,
            "--bind", str(rundir.sub("shm")), "/dev/shm",  # noqa: S108 - the sandbox's own
            "--ro-bind", str(rundir.sub("ro")), READONLY_DIR,
        ]
        a += [
            *extra,
            "--remount-ro", "/",
            "--chdir", WORKDIR,
        ]
        for key, value in sandbox_env(self.python).items():
            a += ["--setenv", key, value]
        if info_fd is not None:
            a += ["--info-fd", str(info_fd)]
        if block_fd is not None:
            a += ["--block-fd", str(block_fd)]
        a += [
            "--seccomp", str(seccomp_fd),
            "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID",
        ]
        return a


    def mask_options(self, binds: Sequence[tuple[Path, str]]) -> list[str]:
        """bwrap options that cover every hidden path (``hidden_paths()``) lying inside a
        tree the sandbox binds with an empty, read-only directory (or file)."""
        out: list[str] = []
        masked: list[Path] = []
        empty_dir, empty_file = _empty_placeholders()
        installed = [found for prefix in self.python_prefixes() for pattern in _INSTALLED
                     for found in prefix.glob(pattern)]
        for hidden in sorted({*hidden_paths(), *installed}, key=lambda p: len(p.parts)):
            for src, dest in binds:
                inside = _inside(hidden, src)
                if inside is None:
                    continue
                target = Path(dest) / inside if inside != Path(".") else Path(dest)
                if dest == str(src):  # bound at its own path: lib64 -> lib is one place
                    target = Path(os.path.realpath(target))
                if any(m == target or m in target.parents for m in masked):
                    continue  # already under a placeholder
                try:
                    placeholder = empty_dir if hidden.is_dir() else empty_file
                except OSError:
                    continue
                out += ["--ro-bind", str(placeholder), str(target)]
                masked.append(target)
        return out


#: hireloop's own package wherever an installation in a bound Python prefix keeps it (a wheel,
#: or an editable install's copy of the force-included built-in bank)
_INSTALLED = ("lib*/python3*/site-packages/hireloop", "lib*/python3*/dist-packages/hireloop")
_hidden: set[Path] = set()
_hidden_lock = threading.Lock()
_PACKAGE_DIR = Path(__file__).resolve().parents[1]


def hide(*paths: str | os.PathLike[str]) -> None:
    """Never let any sandbox see these files or directories (exercise banks, the data
    directory with the installation's secret), wherever they are: a hidden path inside a
    tree the sandbox binds (the system's /usr, the Python installation, a data mount) is
    covered by an empty read-only placeholder in every sandbox started from now on."""
    with _hidden_lock:
        for p in paths:
            _hidden.add(Path(os.path.abspath(p)))


def hidden_paths() -> list[Path]:
    """What ``hide`` registered, ``HIRELOOP_SANDBOX_HIDE`` (``:``-separated) names, and
    hireloop's own package (it carries the built-in bank), each with its real path too;
    only paths that exist, outermost first."""
    with _hidden_lock:
        paths = set(_hidden)
    paths.add(_PACKAGE_DIR)
    for item in os.environ.get("HIRELOOP_SANDBOX_HIDE", "").split(":"):
        if item.strip():
            paths.add(Path(os.path.abspath(item.strip())))
    out: set[Path] = set()
    for p in paths:
        with contextlib.suppress(OSError):
            if os.path.lexists(p):
                out.add(p)
                out.add(Path(os.path.realpath(p)))
    return sorted(out, key=lambda p: (len(p.parts), str(p)))


def _inside(path: Path, root: Path) -> Path | None:
    """``path`` relative to ``root`` when it lies inside it (by real paths too)."""
    for a, b in ((path, root), (Path(os.path.realpath(path)), Path(os.path.realpath(root)))):
        if a == b:
            return Path(".")
        if b in a.parents:
            return a.relative_to(b)
    return None


def _empty_placeholders() -> tuple[Path, Path]:
    """An empty directory and an empty file, root's and read-only, to bind over what a
    sandbox must not see."""
    base = _fs.base_dir()
    _fs.ensure_private_dir(base)
    d, f = base / "empty-dir", base / "empty-file"
    if not d.is_dir() or d.is_symlink():
        with contextlib.suppress(FileExistsError):
            d.mkdir(mode=0o555)
    if not f.is_file() or f.is_symlink():
        fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o444)
        os.close(fd)
    for path, mode in ((d, 0o555), (f, 0o444)):
        st = os.lstat(path)
        if st.st_uid != os.geteuid() or (st.st_mode & 0o7777) != mode:
            os.chmod(path, mode, follow_symlinks=False)
    if os.listdir(d):
        raise SandboxError(f"{d} must stay empty")
    if os.path.getsize(f):
        os.truncate(f, 0)
    return d, f


_RESERVED = ("/proc", "/dev", SANDBOX_HOME, "/etc", "/usr", WORKDIR, READONLY_DIR)


def _check_mount_dest(dest: str) -> str:
    norm = os.path.normpath(dest)
    if not norm.startswith("/") or norm == "/" or any(
        norm == r or norm.startswith(r + "/") for r in _RESERVED
    ):
        raise ValueError(f"cannot mount data at {dest!r} in the sandbox")
    return norm


@functools.cache
def get_host() -> Host:
    return Host()
