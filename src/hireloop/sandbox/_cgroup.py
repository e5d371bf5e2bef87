"""Control groups for one run: memory (no swap), pids and CPU, on cgroup v2 or v1.

One ``RunCgroup`` is created per run (or per warm-worker job slot) under a ``hireloop``
group, and removed when the run is over. v2 is used when its unified hierarchy controls
memory, pids and cpu; otherwise the v1 hierarchies of those controllers.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CgroupLayout", "RunCgroup", "detect"]

_PARENT = "hireloop"
_PERIOD_US = 100_000
_NEEDED_V1 = ("memory", "pids", "cpuacct")


class _Dir(str):
    """A cgroup directory as a plain string (``d / "file"`` without pathlib's cost: these
    files are touched a few dozen times per run)."""

    __slots__ = ()

    def __truediv__(self, name: str) -> str:
        return f"{self}/{name}"


def _write(path: str | Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _read(path: str | Path) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


def _keyed(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        with contextlib.suppress(ValueError):
            out[key] = int(value)
    return out


@dataclass(frozen=True)
class CgroupLayout:
    """Where the controllers live on this host."""

    version: int  # 1 or 2
    roots: dict[str, Path]  # controller -> mount point (v1); {"unified": path} for v2
    note: str = ""

    def describe(self) -> str:
        if self.version == 2:
            return f"cgroup v2 at {self.roots['unified']}"
        return "cgroup v1: " + ", ".join(f"{k}={v}" for k, v in sorted(self.roots.items()))


REMOUNT_ENV = "HIRELOOP_SANDBOX_CGROUP_REMOUNT"
"""set to 1 where the cgroup file system is mounted read-only for this process (a container:
Docker and Podman mount it so) and the process may remount it (CAP_SYS_ADMIN): the mount is
made writable in this mount namespace only, and only the container's own cgroup is below it"""


def _mounts() -> Iterator[tuple[str, str, set[str], bool]]:
    """(mount point, fs type, super options, read-only) of each cgroup mount."""
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            left, _, right = line.partition(" - ")
            fields = left.split()
            rfields = right.split()
            if len(fields) < 6 or len(rfields) < 3:
                continue
            fstype = rfields[0]
            if fstype not in ("cgroup", "cgroup2"):
                continue
            point = fields[4].replace("\\040", " ")
            yield point, fstype, set(rfields[2].split(",")), "ro" in fields[5].split(",")


def _remount_writable(point: str) -> None:
    """Make one read-only cgroup mount writable (its own per-mount flag; the file system and
    other mounts of it are unchanged)."""
    import subprocess

    mount = shutil.which("mount") or "/bin/mount"
    done = subprocess.run([mount, "-o", "remount,bind,rw", point], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise OSError(errno.EROFS, f"{point} is read-only and remounting it failed "
                      f"({done.stderr.strip() or done.returncode}); the process needs "
                      "CAP_SYS_ADMIN for that (docs/operating.md, containers)")


def _wants_remount() -> bool:
    return os.environ.get(REMOUNT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@functools.cache
def detect() -> CgroupLayout | None:
    """The usable cgroup layout, or None when we cannot create cgroups here.

    With ``HIRELOOP_SANDBOX_CGROUP_REMOUNT=1``, read-only cgroup mounts are first made
    writable (see ``REMOUNT_ENV``); a failure to do so shows when a run group is made."""
    if os.geteuid() != 0:
        return None
    if _wants_remount():
        for point, _, _, read_only in list(_mounts()):
            if read_only:
                with contextlib.suppress(OSError):
                    _remount_writable(point)
    v1: dict[str, Path] = {}
    v2: Path | None = None
    for point, fstype, opts, _ in _mounts():
        if fstype == "cgroup2":
            v2 = v2 or Path(point)
        else:
            for ctrl in ("memory", "pids", "cpu", "cpuacct"):
                if ctrl in opts and ctrl not in v1:
                    v1[ctrl] = Path(point)
    if v2 is not None:
        try:
            controllers = set(_read(v2 / "cgroup.controllers").split())
        except OSError:
            controllers = set()
        if {"memory", "pids", "cpu"} <= controllers:
            return CgroupLayout(2, {"unified": v2})
    if all(c in v1 for c in _NEEDED_V1):
        return CgroupLayout(1, v1)
    return None


class RunCgroup:
    """The cgroups of one run. Create with ``RunCgroup.create``; always ``destroy``."""

    def __init__(self, layout: CgroupLayout, name: str) -> None:
        self.layout = layout
        self.name = name
        if layout.version == 2:
            self.dirs = {"unified": _Dir(layout.roots["unified"] / _PARENT / name)}
        else:
            self.dirs = {c: _Dir(root / _PARENT / name) for c, root in layout.roots.items()}
        self._unique = sorted(set(self.dirs.values()))
        self._applied: dict[str, str] = {}  # file -> value we last wrote
        self._oom_base = 0
        self._pids_base = 0
        self._peak_fallback = 0
        self._peak_fd = -1  # v2: the fd that reset memory.peak (resets are per fd)
        self._peak_from_samples = False
        self._resets = 0

    # --- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(cls, layout: CgroupLayout, name: str) -> RunCgroup:
        cg = cls(layout, name)
        if layout.version == 2:
            root = layout.roots["unified"]
            parent = root / _PARENT
            _enable_v2(root)
            parent.mkdir(exist_ok=True)
            _enable_v2(parent)
        else:
            for d in cg._unique:
                os.makedirs(os.path.dirname(d), exist_ok=True)
        made: list[str] = []
        try:
            for d in cg._unique:
                os.mkdir(d)
                made.append(d)
        except OSError:
            for done in reversed(made):
                with contextlib.suppress(OSError):
                    os.rmdir(done)
            raise
        return cg

    def set_limits(self, memory_mb: int, pids: int, cpus: float) -> None:
        self.set_job_limits(memory_mb << 20, pids, cpus)

    def set_job_limits(self, mem: int, pids: int, cpus: float) -> None:
        """Memory in bytes (no swap), processes+threads, CPU bandwidth in cores."""
        quota = max(1000, int(cpus * _PERIOD_US))
        if self.layout.version == 2:
            d = self.dirs["unified"]
            self._set(d / "memory.max", str(mem))
            self._set(d / "memory.swap.max", "0", optional=True)
            self._set(d / "pids.max", str(pids))
            self._set(d / "cpu.max", f"{quota} {_PERIOD_US}")
            return
        m = self.dirs["memory"]
        limit = m / "memory.limit_in_bytes"
        current = int(self._applied.get(limit) or _read(limit))
        memsw = m / "memory.memsw.limit_in_bytes"
        has_memsw = memsw in self._applied or os.path.exists(memsw)
        # memsw must stay >= limit: raise memsw first, lower it last.
        if has_memsw and mem > current:
            self._set(memsw, str(mem))
        self._set(limit, str(mem))
        if has_memsw and mem <= current:
            self._set(memsw, str(mem))
        self._set(m / "memory.swappiness", "0", optional=True)
        self._set(self.dirs["pids"] / "pids.max", str(pids))
        if "cpu" in self.dirs:
            cpu = self.dirs["cpu"]
            self._set(cpu / "cpu.cfs_period_us", str(_PERIOD_US))
            self._set(cpu / "cpu.cfs_quota_us", str(quota))

    def _set(self, path: str, value: str, *, optional: bool = False) -> None:
        """Write a control file unless it already holds what we last wrote there."""
        if self._applied.get(path) == value:
            return
        try:
            _write(path, value)
        except OSError:
            if not optional:
                raise
            value = ""  # not supported here; do not try again
        self._applied[path] = value

    def add(self, pid: int) -> None:
        """Move a process (with its future children) into every controller."""
        for d in self._unique:
            _write(d / "cgroup.procs", str(pid))

    def reset_counters(self) -> None:
        """Start fresh peak/CPU figures (warm workers reuse a job cgroup)."""
        self._oom_base = self._oom_count()
        self._pids_base = self._pids_max_count()
        self._peak_fallback = 0
        if self.layout.version == 2:
            self._close_peak_fd()
            first, self._resets = self._resets == 0, self._resets + 1
            try:  # Linux >= 6.12: a reset holds for reads through the same fd
                self._peak_fd = os.open(self.dirs["unified"] / "memory.peak",
                                        os.O_RDWR | os.O_CLOEXEC)
                os.write(self._peak_fd, b"reset")
            except OSError:
                self._close_peak_fd()
                # Older kernels cannot reset it, but a group's first run starts in a fresh
                # group: its memory.peak since creation is exact (the run's setup before it
                # is a few MB). Only a reused group (a warm worker's next job) falls back to
                # samples, which can miss a short spike.
                self._peak_from_samples = not first
            self._cpu_base = self._cpu_raw()
            return
        with contextlib.suppress(OSError):
            _write(self.dirs["memory"] / "memory.max_usage_in_bytes", "0")
        _write(self.dirs["cpuacct"] / "cpuacct.usage", "0")
        self._cpu_base = 0.0

    _cpu_base = 0.0

    def _close_peak_fd(self) -> None:
        if self._peak_fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._peak_fd)
            self._peak_fd = -1

    def destroy(self) -> None:
        """Kill what is left and remove the groups. Raises if a group stays busy."""
        self._close_peak_fd()
        self.kill_all()
        last: OSError | None = None
        for d in self._unique:
            for _ in range(200):
                try:
                    os.rmdir(d)
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        raise
                    last = exc
                    self.kill_all()
                    time.sleep(0.005)
            else:
                raise OSError(f"cgroup {d} stays busy") from last

    # --- measurements ----------------------------------------------------------------

    def _cpu_raw(self) -> float:
        if self.layout.version == 2:
            stat = _keyed(_read(self.dirs["unified"] / "cpu.stat"))
            return stat.get("usage_usec", 0) / 1e6
        return int(_read(self.dirs["cpuacct"] / "cpuacct.usage")) / 1e9

    def cpu_seconds(self) -> float:
        """CPU time of every process that ran in the group, exited ones included."""
        return max(0.0, self._cpu_raw() - self._cpu_base)

    def pids_current(self) -> int:
        d = self.dirs["unified"] if self.layout.version == 2 else self.dirs["pids"]
        return int(_read(d / "pids.current"))

    def memory_current(self) -> int:
        if self.layout.version == 2:
            return int(_read(self.dirs["unified"] / "memory.current"))
        return int(_read(self.dirs["memory"] / "memory.usage_in_bytes"))

    def memory_peak(self) -> int:
        """Peak memory in bytes since creation or the last ``reset_counters`` (on v2
        kernels that cannot reset memory.peak: the largest sample taken while running)."""
        try:
            if self.layout.version == 2:
                if self._peak_fd >= 0:
                    return int(os.pread(self._peak_fd, 64, 0))
                if self._peak_from_samples:
                    return self._peak_fallback
                return int(_read(self.dirs["unified"] / "memory.peak"))
            return int(_read(self.dirs["memory"] / "memory.max_usage_in_bytes"))
        except (OSError, ValueError):
            return self._peak_fallback

    def sample(self) -> None:
        """Called while the run is alive; keeps the fallback peak for old v2 kernels."""
        with contextlib.suppress(OSError, ValueError):
            self._peak_fallback = max(self._peak_fallback, self.memory_current())

    def _oom_count(self) -> int:
        if self.layout.version == 2:
            return _keyed(_read(self.dirs["unified"] / "memory.events")).get("oom_kill", 0)
        return _keyed(_read(self.dirs["memory"] / "memory.oom_control")).get("oom_kill", 0)

    def oom_kills(self) -> int:
        """Processes the kernel's OOM killer killed in this group since the last reset."""
        return self._oom_count() - self._oom_base

    def _pids_max_count(self) -> int:
        d = self.dirs["unified"] if self.layout.version == 2 else self.dirs["pids"]
        return _keyed(_read(d / "pids.events")).get("max", 0)

    def pids_limit_hits(self) -> int:
        """Forks refused because the group was at its pids limit."""
        return self._pids_max_count() - self._pids_base

    def memory_limit_hits(self) -> int:
        if self.layout.version == 2:
            return _keyed(_read(self.dirs["unified"] / "memory.events")).get("max", 0)
        return int(_read(self.dirs["memory"] / "memory.failcnt"))

    # --- processes -------------------------------------------------------------------

    def procs(self) -> list[int]:
        out: set[int] = set()
        for d in self._unique:
            with contextlib.suppress(FileNotFoundError):
                out.update(int(p) for p in _read(d / "cgroup.procs").split())
        return sorted(out)

    def kill_all(self, timeout: float = 5.0, exclude: frozenset[int] = frozenset()) -> None:
        """SIGKILL every process in the group (but ``exclude``) and wait until they are gone.

        Forks are frozen first (pids.max = 0), so a fork bomb cannot outrun the loop; with
        ``exclude`` the previous pids.max is restored afterwards.
        """
        pids_dir = self.dirs["unified"] if self.layout.version == 2 else self.dirs["pids"]
        procs = [p for p in self.procs() if p not in exclude]
        if not procs:
            return
        old_max = None
        with contextlib.suppress(OSError):
            if exclude:
                old_max = _read(pids_dir / "pids.max").strip()
            _write(pids_dir / "pids.max", "0")
        self._applied.pop(pids_dir / "pids.max", None)
        if self.layout.version == 2 and not exclude:
            with contextlib.suppress(OSError):
                _write(self.dirs["unified"] / "cgroup.kill", "1")
        deadline = time.monotonic() + timeout
        signalled: set[int] = set()
        try:
            while procs:
                for pid in procs:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                signalled.update(procs)
                if time.monotonic() > deadline:
                    raise OSError(f"processes {procs} survive SIGKILL in cgroup {self.name}")
                time.sleep(0.0002)
                procs = [p for p in self.procs() if p not in exclude]
            # Out of the group is not gone yet: for a warm worker's job, wait until the
            # sandbox's init has reaped them, so that not even a zombie is left. (A fresh
            # run's processes are reaped with its pid namespace; only bwrap's own root-owned
            # init may linger as a zombie until the host's init reaps it.)
            while exclude and signalled and time.monotonic() < deadline:
                signalled = {p for p in signalled if os.path.exists(f"/proc/{p}")}
                if signalled:
                    time.sleep(0.0005)
        finally:
            if old_max is not None:
                with contextlib.suppress(OSError):
                    _write(pids_dir / "pids.max", old_max)


LEAF = "init"
"""where the processes of a cgroup namespace's root go, so that its controllers can be
enabled for our groups (a container's root cgroup holds its processes)"""


def _enable_v2(group: Path) -> None:
    """Enable memory, pids and cpu for ``group``'s children.

    cgroup v2 refuses this (EBUSY) in a group that holds processes itself, unless it is the
    host's root. Inside a container with its own cgroup namespace (Docker's default on cgroup
    v2 hosts) the mount root is such a group: its processes are moved to a leaf group
    (``init``, as docker-in-docker does) first, then the controllers are enabled.
    """
    wanted = {"memory", "pids", "cpu"}
    enabled = set(_read(group / "cgroup.subtree_control").split())
    missing = wanted - enabled
    if not missing:
        return
    control = " ".join(f"+{c}" for c in sorted(missing))
    try:
        _write(group / "cgroup.subtree_control", control)
        return
    except OSError as exc:
        if exc.errno != errno.EBUSY:
            raise
    leaf = group / LEAF
    leaf.mkdir(exist_ok=True)
    for _ in range(20):  # processes may fork while they are moved
        pids = _read(group / "cgroup.procs").split()
        if not pids:
            break
        for pid in pids:
            # ESRCH: gone meanwhile; EINVAL: a kernel thread, which cannot move (and does not
            # count against the rule)
            with contextlib.suppress(OSError):
                _write(leaf / "cgroup.procs", pid)
    _write(group / "cgroup.subtree_control", control)


def stale_groups(layout: CgroupLayout) -> list[str]:
    """Names of our run groups that exist now (for stale cleanup)."""
    names: set[str] = set()
    roots = [layout.roots["unified"]] if layout.version == 2 else list(layout.roots.values())
    for root in roots:
        parent = root / _PARENT
        with contextlib.suppress(FileNotFoundError):
            names.update(p.name for p in parent.iterdir() if p.is_dir())
    return sorted(names)
