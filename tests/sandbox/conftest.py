"""Fixtures for the sandbox tests: which mode runs the code, and what the host looks like.

The sandbox tests use their own run-slot uids and run directory, so that other
processes using the sandbox on the same machine (another test session, a worker) cannot
make the "host unchanged" assertions flaky.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HIRELOOP_SANDBOX_UID_BASE", "63000")
os.environ.setdefault("HIRELOOP_SANDBOX_SLOTS", "16")
os.environ.setdefault("HIRELOOP_SANDBOX_DIR", "/run/hireloop-sandbox-tests")

try:
    import hireloop.sandbox  # noqa: F401
except ImportError:  # running from a checkout without an install
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))

from hireloop.sandbox import Limits, RunResult, WarmPool, _audit, run_python
from hireloop.sandbox._cgroup import stale_groups
from hireloop.sandbox._fresh import spares
from hireloop.sandbox._fs import base_dir
from hireloop.sandbox._host import get_host

SANDBOX_OK = not get_host().problems()
requires_sandbox = pytest.mark.skipif(
    not SANDBOX_OK, reason="no isolation here: " + "; ".join(get_host().problems())
)

#: Whether this host can name the system call that killed a run: it needs kernel audit
#: records (audit netlink, only in the host's network namespace) or /dev/kmsg. In a container
#: neither is there, and the verdict says only that a forbidden system call was made.
NAMES_SYSCALLS = _audit.listener_available()[0] or _audit.kmsg_readable()


def assert_named(r: RunResult, named: str) -> None:
    """The run was killed for the system call its verdict names as ``named``, where the host
    can name it."""
    if NAMES_SYSCALLS:
        assert named in r.detail, r.detail
    else:
        assert r.detail == "forbidden system call", r.detail


#: How much slower this host runs Python than the machines the limits below were set on
#: (scripts/test-cgroup-v2 measures it for an emulated guest); time limits scale with it.
SPEED = max(1.0, float(os.environ.get("HIRELOOP_TEST_SPEED_FACTOR") or 1))

def scaled(limits: Limits) -> Limits:
    """``limits`` with its time limits stretched by this host's speed factor."""
    wall = limits.wall_s if limits.wall_s is not None else 2 * limits.time_s + 1
    return dataclasses.replace(limits, time_s=limits.time_s * SPEED, wall_s=wall * SPEED)


#: Tight limits so that hostile submissions end fast.
HOSTILE = Limits(time_s=0.5 * SPEED, wall_s=1.5 * SPEED, memory_mb=128, pids=32,
                 output_bytes=64 * 1024, file_size_mb=4, tmp_mb=16, open_files=64)

Runner = Callable[..., RunResult]


#: Warm pools alive in this session: their sandboxes are not leftovers of a run.
LIVE_POOLS: list[WarmPool] = []


@pytest.fixture(scope="session")
def warm_pool() -> Iterator[WarmPool]:
    if not SANDBOX_OK:
        pytest.skip("no isolation here")
    pool = WarmPool(size=1, tmp_mb=HOSTILE.tmp_mb, max_pids=64)
    LIVE_POOLS.append(pool)
    yield pool
    LIVE_POOLS.remove(pool)
    pool.close()


@pytest.fixture(params=["fresh", "warm"])
def mode(request: pytest.FixtureRequest) -> str:
    if not SANDBOX_OK:
        pytest.skip("no isolation here")
    return str(request.param)


@pytest.fixture
def runner(mode: str, request: pytest.FixtureRequest) -> Runner:
    """``runner(source, **kw)``: run Python in a fresh sandbox or in the warm pool."""
    if mode == "warm":
        pool: WarmPool = request.getfixturevalue("warm_pool")
        return pool.run_python

    def fresh(source: str | None = None, **kw: Any) -> RunResult:
        if "limits" not in kw and SPEED > 1:  # the default limits, on a slower host
            kw["limits"] = scaled(Limits())
        return run_python(source, unsafe=False, **kw)

    return fresh


# --- the host's state ---------------------------------------------------------------

def _slot_uids() -> range:
    host = get_host()
    return range(host.uid_base, host.uid_base + host.slots)


def _pool_owned(pools: list[WarmPool]) -> tuple[set[str], set[int]]:
    names: set[str] = set()
    pids: set[int] = set()
    for pool in pools:
        for w in list(pool._all):
            names.add(w.name)
            pids |= set(w.protected)
            if w.proc is not None:
                pids.add(w.proc.pid)
    return names, pids


def _procs_of(uids: range) -> set[int]:
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) in uids:
                        out.add(int(entry))
                    break
    return out


def _ipc_of(uids: range) -> list[str]:
    out = []
    for kind, col in (("shm", 7), ("msg", 7), ("sem", 4)):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]:
                f = line.split()
                if len(f) > col and int(f[col]) in uids:
                    out.append(f"{kind}:{f[1]}")
    return sorted(out)


@dataclass
class HostState:
    processes: set[int]
    run_dirs: set[str]
    cgroups: set[str]
    ipc: list[str]
    dev_shm: set[str]
    mounts: list[str]


def host_state() -> HostState:
    """What the sandbox could leave behind on the host (live warm pools excluded)."""
    names, pids = _pool_owned(LIVE_POOLS)
    uids = _slot_uids()
    base = base_dir()
    layout = get_host().layout
    run_dirs = set()
    with contextlib.suppress(FileNotFoundError):
        run_dirs = {p.name for p in base.iterdir()} - names
    groups = set(stale_groups(layout)) - names if layout else set()
    groups -= spares(get_host()).names()  # made ahead for the next run: no run touched them
    shm = set()
    for entry in os.scandir("/dev/shm"):
        with contextlib.suppress(OSError):
            if entry.stat(follow_symlinks=False).st_uid in uids:
                shm.add(entry.name)
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()
              if str(base) in line]
    mounts = [m for m in mounts if not any(n in m for n in names)]
    return HostState(
        processes=_procs_of(uids) - pids,
        run_dirs=run_dirs,
        cgroups={g for g in groups if g.startswith(f"{os.getpid()}-")},
        ipc=_ipc_of(uids),
        dev_shm=shm,
        mounts=mounts,
    )


def assert_host_clean() -> None:
    """Nothing of any run is left on the host: no process, file, mount, IPC, cgroup."""
    st = host_state()
    assert st.processes == set(), f"sandbox processes survive on the host: {st.processes}"
    left = {d for d in st.run_dirs
            if d not in ("slots", "empty-dir", "empty-file") and not d.startswith("etc")}
    assert left == set(), f"run directories left: {left}"
    assert st.cgroups == set(), f"cgroups left: {st.cgroups}"
    assert st.ipc == [], f"SysV IPC objects left: {st.ipc}"
    assert st.dev_shm == set(), f"/dev/shm files left: {st.dev_shm}"
    assert st.mounts == [], f"mounts left: {st.mounts}"


CLEAN_PROBE = r"""
import json, os
seen = {
    "work": sorted(os.listdir(".")),
    "tmp": sorted(os.listdir("/tmp")),
    "shm": sorted(os.listdir("/dev/shm")),
    "ipc": {k: open("/proc/sysvipc/" + k).read().splitlines()[1:] for k in ("shm", "msg", "sem")},
    "others": sorted(int(p) for p in os.listdir("/proc")
                     if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())),
    "env": sorted(k for k in os.environ if "SECRET" in k or "HIRELOOP" in k),
}
print(json.dumps(seen))
"""


def assert_next_run_clean(runner: Runner) -> None:
    """A following run finds nothing of the previous one."""
    r = runner(CLEAN_PROBE, limits=Limits(time_s=2, wall_s=5))
    assert r.verdict.value == "ok", (r.verdict, r.detail, r.stderr_text)
    seen = json.loads(r.stdout)
    assert seen["work"] == ["main.py"]
    assert seen["tmp"] == []
    assert seen["shm"] == []
    assert seen["ipc"] == {"shm": [], "msg": [], "sem": []}
    assert seen["others"] == [], f"processes of an earlier run are alive: {seen['others']}"
    assert seen["env"] == []


@pytest.fixture
def clean_host(runner: Runner) -> Callable[[], None]:
    """Call it after a run: asserts the host is as clean as before the run."""
    assert_host_clean()
    return assert_host_clean
