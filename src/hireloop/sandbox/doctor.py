"""``doctor()``: which protections this host supports, checked for real where it matters.

Static checks look at the host (bubblewrap, setpriv, root, cgroup controllers, libseccomp,
the kernel's audit log); the probe then runs a small program in a real sandbox and reports
what it saw from the inside (uid, capabilities, seccomp, read-only root, no network
devices, no host files, numpy importable), and that a forbidden system call is killed.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

from . import _audit, _seccomp
from ._cgroup import REMOUNT_ENV, CgroupLayout, RunCgroup
from ._host import get_host
from ._types import Check, Limits, Verdict

__all__ = ["doctor", "full_protection"]

_PROBE = r"""
import json, os
out = {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "groups": os.getgroups()}
status = dict(l.split(":", 1) for l in open("/proc/self/status").read().splitlines() if ":" in l)
out["cap_eff"] = status["CapEff"].strip()
out["cap_bnd"] = status["CapBnd"].strip()
out["no_new_privs"] = status.get("NoNewPrivs", "").strip()
out["seccomp"] = status.get("Seccomp", "").strip()
try:
    open("/hireloop-probe", "w")
    out["root_writable"] = True
except OSError:
    out["root_writable"] = False
net = open("/proc/net/dev").read().splitlines()[2:]
out["net_devices"] = [l.split(":")[0].strip() for l in net]
out["pids_visible"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
found = []
for top in ("/root", "/home", "/etc/shadow", "/var", "/srv", "/run", "/sys", "/opt", "/mnt",
            "/media", "/boot", "/work"):
    if not os.path.exists(top):
        continue
    found.append(top)
    for root, dirs, files in os.walk(top):
        found += [os.path.join(root, n) for n in dirs + files]
        if len(found) > 50 or root.count("/") > 4:
            dirs[:] = []
out["host_paths"] = found
out["env"] = sorted(os.environ)
try:
    import numpy
    out["numpy"] = numpy.__version__
except Exception as exc:
    out["numpy"] = "no: " + repr(exc)
print(json.dumps(out))
"""


def _bwrap_version(path: str) -> str:
    try:
        return subprocess.run([path, "--version"], capture_output=True, text=True,
                              timeout=10, check=False).stdout.strip()
    except OSError as exc:
        return f"unusable: {exc}"


def _swap_total_kb() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("SwapTotal:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _static_checks() -> list[Check]:
    host = get_host()
    checks: list[Check] = []
    checks.append(Check("Linux kernel", sys.platform == "linux", os.uname().release))
    checks.append(Check("bubblewrap", bool(host.bwrap),
                        f"{host.bwrap}: {_bwrap_version(host.bwrap)}" if host.bwrap
                        else "not installed: apt-get install bubblewrap"))
    checks.append(Check("setpriv (drop to a per-run uid)", bool(host.setpriv),
                        host.setpriv or "not installed (util-linux)"))
    checks.append(Check("running as root", host.is_root,
                        "needed to drop each run to its own unprivileged uid and own cgroups"
                        if host.is_root else f"euid {os.geteuid()}: run the worker as root"))
    ns = [n for n in ("mnt", "pid", "net", "ipc", "uts", "cgroup")
          if not Path(f"/proc/self/ns/{n}").exists()]
    checks.append(Check("namespaces: mount, pid, net, ipc, uts, cgroup", not ns,
                        "all present" if not ns else f"missing: {', '.join(ns)}"))
    taken = host.taken_uids()
    checks.append(Check(f"run slot uids {host.uid_base}..{host.uid_base + host.slots - 1} free",
                        not taken, "no account owns them" if not taken else f"taken: {taken}"))
    layout = host.layout
    if layout is None:
        checks.append(Check("cgroups (memory, pids, cpu)", False,
                            "no writable cgroup v2 with memory+pids+cpu nor v1 hierarchies"))
    else:
        made = _try_cgroup(layout)
        checks.append(Check("cgroups", made is None,
                            layout.describe() if made is None
                            else f"{layout.describe()}, but a run group cannot be made: {made}"))
        if layout.version == 1:
            mem = layout.roots["memory"]
            memsw = (mem / "memory.memsw.limit_in_bytes").exists()
            swap = _swap_total_kb()
            checks.append(Check("memory limit without swap", memsw or swap == 0,
                                "memsw limit set too" if memsw else
                                f"no memsw controller; swap total {swap} kB"))
            checks.append(Check("CPU bandwidth cap (cpu controller)", "cpu" in layout.roots,
                                "cpu.cfs_quota_us" if "cpu" in layout.roots else "missing",
                                required=False))
        else:
            checks.append(Check("memory limit without swap", True, "memory.swap.max = 0"))
            checks.append(Check("CPU bandwidth cap (cpu controller)", True, "cpu.max"))
        checks.append(Check("pids limit (fork bombs)", True, "pids.max per run"))
    ok, detail = _seccomp.available()
    checks.append(Check("seccomp filter (libseccomp)", ok, detail))
    net_ok, net_detail = _audit.listener_available()
    kmsg = _audit.kmsg_readable()
    checks.append(Check("names the blocked system call (kernel audit records)",
                        net_ok or kmsg,
                        net_detail if net_ok else
                        "/dev/kmsg only (rate-limited by the kernel)" if kmsg else
                        "neither audit netlink nor /dev/kmsg: verdict 'killed' without the "
                        "syscall name", required=False))
    checks.append(Check("rlimits (cpu, file size, open files, core)", True, "always"))
    return checks


def _try_cgroup(layout: CgroupLayout) -> str | None:
    """Create and remove a run group with its limits, as a run does (on cgroup v2 this
    enables the controllers, which a container's root group refuses until its processes
    are moved to a leaf); None when that works, else why not."""
    import uuid

    try:
        group = RunCgroup.create(layout, f"doctor-{uuid.uuid4().hex[:8]}")
    except OSError as exc:
        if exc.errno == errno.EROFS:
            return (f"{exc}: the cgroup file system is mounted read-only (a container); "
                    f"give this process CAP_SYS_ADMIN and set {REMOUNT_ENV}=1 "
                    "(docs/operating.md, containers)")
        return str(exc)
    try:
        group.set_limits(64, 8, 1.0)
    except OSError as exc:
        return str(exc)
    finally:
        with contextlib.suppress(OSError):
            group.destroy()
    return None


def _probe_checks() -> list[Check]:
    from .api import run, run_python

    checks: list[Check] = []
    r = run_python(_PROBE, limits=Limits(time_s=10, wall_s=30), unsafe=False)
    if r.verdict is not Verdict.OK:
        checks.append(Check("a real sandboxed run", False,
                            f"{r.verdict.value}: {r.detail} {r.stderr_text[-300:]}"))
        return checks
    seen = json.loads(r.stdout)
    host = get_host()
    checks.append(Check("a real sandboxed run", True,
                        f"python -c probe: {r.wall_s * 1000:.0f} ms wall, "
                        f"{r.memory_mb:.0f} MB"))
    uid_ok = seen["uid"] >= host.uid_base and seen["euid"] == seen["uid"] and not seen["groups"]
    checks.append(Check("unprivileged uid inside (not root outside)", uid_ok,
                        f"uid {seen['uid']}, groups {seen['groups']}"))
    caps_ok = int(seen["cap_eff"], 16) == 0 and int(seen["cap_bnd"], 16) == 0
    checks.append(Check("no capabilities", caps_ok,
                        f"CapEff {seen['cap_eff']}, CapBnd {seen['cap_bnd']}"))
    checks.append(Check("no_new_privs + seccomp filter active",
                        seen["no_new_privs"] == "1" and seen["seccomp"] == "2",
                        f"NoNewPrivs {seen['no_new_privs']}, Seccomp {seen['seccomp']}"))
    checks.append(Check("read-only root file system", not seen["root_writable"],
                        "writing / fails" if not seen["root_writable"] else "/ is writable!"))
    checks.append(Check("no network (only loopback)", seen["net_devices"] == ["lo"],
                        f"devices: {seen['net_devices']}"))
    checks.append(Check("own pid namespace", max(seen["pids_visible"] or [0]) < 100,
                        f"sees pids {seen['pids_visible'][:6]}"))
    allowed = set()
    for prefix in host.python_prefixes():
        allowed |= {str(p) for p in prefix.parents} | {str(prefix)}
    leaks = [p for p in seen["host_paths"] if p not in allowed
             and not any(p.startswith(str(q) + "/") for q in host.python_prefixes())]
    checks.append(Check("host files invisible", not leaks,
                        "only the read-only system and the Python installation"
                        if not leaks else f"visible: {leaks[:5]}"))
    checks.append(Check("clean environment", "HIRELOOP_SANDBOX_UNSAFE" not in seen["env"]
                        and len(seen["env"]) < 20, f"{len(seen['env'])} variables, ours only"))
    numpy_ok = not str(seen["numpy"]).startswith("no")
    checks.append(Check("numpy importable inside", numpy_ok, str(seen["numpy"]),
                        required=False))
    k = run_python("import socket\nsocket.socket(socket.AF_INET, socket.SOCK_STREAM)",
                   unsafe=False)
    checks.append(Check("network sockets killed by seccomp", k.verdict is Verdict.KILLED,
                        f"{k.verdict.value}: {k.detail}"))
    t = run(["/usr/bin/env"], unsafe=False)
    checks.append(Check("exec of system tools works", t.verdict is Verdict.OK,
                        t.detail or "env ran", required=False))
    return checks


def doctor(*, probe: bool = True) -> list[Check]:
    """The protections this host supports. With ``probe``, also run real sandboxes."""
    checks = _static_checks()
    host = get_host()
    if probe and not host.problems():
        try:
            checks += _probe_checks()
        except Exception as exc:  # doctor reports, never crashes
            checks.append(Check("a real sandboxed run", False, f"{type(exc).__name__}: {exc}"))
    from .api import unsafe_allowed

    checks.append(Check("unsafe mode not enabled", not unsafe_allowed(),
                        "HIRELOOP_SANDBOX_UNSAFE is set: without isolation candidate code "
                        "would run UNSAFELY" if unsafe_allowed() else "HIRELOOP_SANDBOX_UNSAFE "
                        "unset", required=False))
    return checks


def full_protection(checks: list[Check]) -> bool:
    """True when every required protection is supported."""
    return all(c.supported for c in checks if c.required)
