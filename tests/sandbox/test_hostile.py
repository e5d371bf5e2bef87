"""The hostile-submission suite: what candidate code must not be able to do.

Categories follow the anchors' own suites (isolate, DMOJ, Piston, epicbox, PrairieLearn)
and Judge0's 2024 escapes (a symlink the host followed; network on by default). Every
submission runs in both modes: a fresh sandbox and a warm worker (practice mode). Each
test asserts the verdict, that the host is unchanged, and that the next run is clean.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import HOSTILE, SPEED, Runner, assert_named, assert_next_run_clean
from hireloop.sandbox import READONLY_DIR, Limits, RunResult, Verdict, python_executable
from hireloop.sandbox._host import _python_prefixes

REPO = Path(__file__).resolve().parents[2]
"""this checkout, wherever CI put it"""
PREFIXES = tuple(str(p) for p in _python_prefixes(python_executable()))
"""the Python installation the sandbox binds read-only (and nothing else of the host)"""


def visible_children(directory: str | Path) -> list[str] | str:
    """What a sandboxed listing of ``directory`` may show: only Python prefixes below it."""
    names = {Path(p).relative_to(directory).parts[0] for p in PREFIXES
             if Path(directory) in Path(p).parents}
    return sorted(names) if names else "missing"

Clean = Callable[[], None]


def run_hostile(runner: Runner, source: str | None, clean_host: Clean, **kw: object) -> RunResult:
    """Run a submission, then prove the host is unchanged and the next run is clean."""
    kw.setdefault("limits", HOSTILE)
    result = runner(source, **kw)
    clean_host()
    assert_next_run_clean(runner)
    clean_host()
    return result


# --- resources ----------------------------------------------------------------------

def test_fork_bomb_is_contained_and_the_next_run_is_clean(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
""", clean_host)
    assert r.verdict is Verdict.TIME_LIMIT
    assert "process limit" in r.detail, r.detail
    assert r.wall_s < HOSTILE.wall + 1


def test_instant_memory_bomb_is_a_memory_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, "b = bytearray(1024 * 1024 * 1024)\nprint(len(b))", clean_host)
    assert r.verdict is Verdict.MEMORY_LIMIT, (r.detail, r.stderr_text[-300:])
    assert r.stdout == b""


def test_growing_memory_bomb_is_a_memory_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
chunks = []
while True:
    chunks.append(bytearray(4 * 1024 * 1024))
""", clean_host)
    assert r.verdict is Verdict.MEMORY_LIMIT, (r.detail, r.stderr_text[-300:])
    assert r.memory_mb <= HOSTILE.memory_mb + 1


def test_infinite_loop_is_a_cpu_time_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, "while True:\n    pass", clean_host)
    assert r.verdict is Verdict.TIME_LIMIT
    assert r.detail.startswith("cpu")
    assert HOSTILE.time_s <= r.cpu_s < HOSTILE.time_s + 0.3


def test_sleeping_forever_is_a_wall_clock_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, "import time\ntime.sleep(10**6)", clean_host)
    assert r.verdict is Verdict.TIME_LIMIT
    assert r.detail.startswith("wall clock")
    assert HOSTILE.wall <= r.wall_s < HOSTILE.wall + 0.5 * SPEED
    assert r.cpu_s < 0.3 * SPEED


def test_ignoring_sigxcpu_does_not_escape_the_cpu_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import signal
signal.signal(signal.SIGXCPU, signal.SIG_IGN)
while True:
    pass
""", clean_host, limits=HOSTILE.replace(time_s=1.0, wall_s=3.0))
    assert r.verdict is Verdict.TIME_LIMIT
    assert r.detail.startswith("cpu")


def test_a_thousand_threads_hit_the_process_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import threading, time
threads = [threading.Thread(target=time.sleep, args=(5,), daemon=True) for _ in range(1000)]
for t in threads:
    t.start()
print("all started")
""", clean_host)
    assert r.verdict is Verdict.RUNTIME_ERROR
    assert b"can't start new thread" in r.stderr
    assert "process limit" in r.detail
    assert b"all started" not in r.stdout


def test_huge_output_is_an_output_limit_and_is_capped(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, "while True:\n    print('x' * 4096)", clean_host)
    assert r.verdict is Verdict.OUTPUT_LIMIT
    assert len(r.stdout) + len(r.stderr) <= HOSTILE.output_bytes
    assert r.stdout_truncated


def test_one_huge_file_hits_the_file_size_limit(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
with open("big", "wb") as fh:
    while True:
        fh.write(b"x" * (1 << 20))
""", clean_host)
    assert r.verdict is Verdict.OUTPUT_LIMIT
    assert r.detail.startswith("file size")


def test_filling_the_disk_stops_at_the_sandbox_tmpfs(runner: Runner, clean_host: Clean):
    before = os.statvfs("/")
    r = run_hostile(runner, """
import os
n = 0
for d in (".", "/tmp", "/dev/shm"):
    try:
        for i in range(10_000):
            with open(os.path.join(d, f"f{i}"), "wb") as fh:
                fh.write(b"x" * (1 << 20))
            n += 1
    except OSError as exc:
        print(d, exc.strerror)
print("MB written", n)
""", clean_host)
    assert r.verdict in (Verdict.OK, Verdict.MEMORY_LIMIT), (r.detail, r.stderr_text)
    if r.verdict is Verdict.OK:
        assert b"No space left on device" in r.stdout
        written = int(r.stdout.split(b"MB written")[1])
        assert written <= HOSTILE.tmp_mb
    after = os.statvfs("/")
    assert (before.f_bfree - after.f_bfree) * after.f_frsize < 64 << 20


# --- network ------------------------------------------------------------------------

@pytest.fixture
def loopback_listener() -> Iterator[tuple[int, list[bytes]]]:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    srv.settimeout(0.2)
    got: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            got.append(conn.recv(100) or b"connected")
            conn.close()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1], got
    stop.set()
    t.join(2)
    srv.close()


def test_a_loopback_listener_on_the_host_is_unreachable(
    runner: Runner, clean_host: Clean, loopback_listener: tuple[int, list[bytes]]
):
    port, got = loopback_listener
    r = run_hostile(runner, f"""
import socket
s = socket.create_connection(("127.0.0.1", {port}), timeout=1)
s.sendall(b"stolen")
print("connected")
""", clean_host)
    assert r.verdict is Verdict.KILLED
    assert_named(r, "socket")
    assert got == []
    assert b"connected" not in r.stdout


def test_an_outside_address_is_unreachable(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import socket
s = socket.create_connection(("1.1.1.1", 53), timeout=1)
print("connected")
""", clean_host)
    assert r.verdict is Verdict.KILLED
    assert_named(r, "network access is not allowed")


def test_raw_and_netlink_sockets_are_refused(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import socket
socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
""", clean_host)
    assert r.verdict is Verdict.KILLED


def test_unix_sockets_still_work_inside(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import socket
a, b = socket.socketpair()
a.sendall(b"ping")
print(b.recv(4).decode())
""", clean_host)
    assert r.verdict is Verdict.OK
    assert r.stdout == b"ping\n"


# --- host files ---------------------------------------------------------------------

@pytest.fixture
def planted_secrets(tmp_path: Path) -> Iterator[dict[str, Path]]:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-HIDDEN-TEST-VALUE")
    db = tmp_path / "hireloop.db"
    db.write_bytes(b"SQLite format 3\x00 candidate answers DB-SECRET-ROW")
    in_root = Path("/root") / f"hireloop-test-secret-{os.getpid()}"
    in_root.write_text("ROOT-SECRET-VALUE")
    yield {"secret": secret, "db": db, "root": in_root}
    in_root.unlink()


READ_ATTEMPT = """
import os, sys
paths = {paths!r}
for p in paths:
    for attempt in (lambda: open(p, "rb").read(), lambda: os.listdir(os.path.dirname(p))):
        try:
            print(p, attempt())
        except OSError as exc:
            print(p, "refused:", type(exc).__name__)
"""


def test_a_planted_secret_file_cannot_be_read(
    runner: Runner, clean_host: Clean, planted_secrets: dict[str, Path]
):
    paths = [str(p) for p in planted_secrets.values()]
    r = run_hostile(runner, READ_ATTEMPT.format(paths=paths), clean_host)
    assert r.verdict is Verdict.OK
    for needle in (b"TOP-SECRET", b"DB-SECRET", b"ROOT-SECRET"):
        assert needle not in r.stdout
    assert r.stdout.count(b"refused") >= 3  # each file
    shown = visible_children("/root")
    if shown != "missing":
        assert str(shown).encode() in r.stdout  # /root shows only the Python installation


def test_the_database_and_the_repository_are_invisible(runner: Runner, clean_host: Clean):
    probes = [str(p) for p in (REPO / "pyproject.toml", REPO / "src", "/var/lib", "/etc/shadow",
                               "/root/.bash_history", "/home", "/srv", "/run", "/sys/class/net")
              # a folder that holds the Python installation exists, holding only that
              if not any(Path(x) == Path(p) or Path(p) in Path(x).parents for x in PREFIXES)]
    r = run_hostile(runner, f"""
import os
def listing(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else "missing"
for p in {probes!r}:
    print(p, os.path.exists(p))
print(listing("{REPO}"), listing("/root"))
""", clean_host)
    assert r.verdict is Verdict.OK, r.stderr_text[-500:]
    lines = r.stdout_text.splitlines()
    assert all(line.endswith("False") for line in lines[:-1]), lines
    assert lines[-1] == f"{visible_children(REPO)} {visible_children('/root')}"


def test_another_runs_files_are_invisible(runner: Runner, clean_host: Clean):
    """A concurrent run writes a secret into its work dir and /tmp; this run cannot find
    it anywhere it can look (its own /, /proc of every process it can see)."""
    import time

    from hireloop.sandbox import run_python

    marker = f"OTHER-RUN-SECRET-{os.getpid()}"
    started = threading.Event()

    def victim() -> None:
        started.set()
        run_python(f"""
import time
open("answer.py", "w").write("{marker}")
open("/tmp/answer", "w").write("{marker}")
time.sleep(1.5)
""", limits=Limits(time_s=1, wall_s=3), unsafe=False)

    t = threading.Thread(target=victim)
    t.start()
    try:
        started.wait()
        time.sleep(0.4)
        r = runner(f"""
import os, stat
hits = []
for top in ("/", "/proc"):
    for root, dirs, files in os.walk(top):
        if root.startswith(("/proc/sys", "/usr", "/dev", *{PREFIXES!r})):
            dirs[:] = []
            continue
        for f in files:
            p = os.path.join(root, f)
            try:
                # another run's files are regular files; a pipe or a device could block
                if not stat.S_ISREG(os.stat(p).st_mode):
                    continue
                fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK)
                try:
                    if b"OTHER-RUN-" + b"SECRET-{os.getpid()}" in os.read(fd, 1 << 16):
                        hits.append(p)
                finally:
                    os.close(fd)
            except OSError:
                pass
print("hits", hits)
""", limits=HOSTILE.replace(time_s=3, wall_s=6))
    finally:
        t.join()
    clean_host()
    assert_next_run_clean(runner)
    assert r.verdict is Verdict.OK, (r.detail, r.stderr_text[-500:])
    assert r.stdout_text.strip() == "hits []"


def test_the_hosts_proc_is_invisible(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, f"""
import os
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
print(pids)
mine = {Path(f"/proc/{os.getpid()}/cmdline").read_bytes()!r}
seen = []
for pid in pids:
    try:
        seen.append(open(f"/proc/{{pid}}/cmdline", "rb").read())
    except OSError:
        pass
print(mine in seen)
try:
    print(open("/proc/1/environ", "rb").read())
except OSError as exc:
    print("environ refused")
""", clean_host)
    assert r.verdict is Verdict.OK
    pids, host_visible, environ = r.stdout_text.splitlines()
    assert len(eval(pids)) <= 3
    assert host_visible == "False"
    assert environ == "environ refused"


def test_writing_outside_the_sandbox_fails(runner: Runner, clean_host: Clean):
    venv = Path(os.__file__).parents[1]
    env_dir = Path(PREFIXES[-1])
    before = sorted(os.listdir(env_dir))
    r = run_hostile(runner, f"""
import os
for p in ("/evil", "/usr/evil", "/etc/passwd", "{env_dir}/evil", "{venv}/evil",
          "/root/evil", "/proc/sys/kernel/hostname", "{READONLY_DIR}/evil"):
    try:
        with open(p, "a") as fh:
            fh.write("pwned")
        print(p, "WRITTEN")
    except OSError as exc:
        print(p, "refused")
""", clean_host)
    assert r.verdict is Verdict.OK
    assert b"WRITTEN" not in r.stdout
    assert not (venv / "evil").exists()
    assert sorted(os.listdir(env_dir)) == before


def test_secrets_in_the_hosts_environment_do_not_leak(
    runner: Runner, clean_host: Clean, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HIRELOOP_SECRET_KEY", "ENV-SECRET-VALUE")
    monkeypatch.setenv("DATABASE_URL", "postgresql://admin:ENV-SECRET-PW@db/hireloop")
    r = run_hostile(runner, """
import os
print(sorted(os.environ.items()))
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            print(open(f"/proc/{pid}/environ", "rb").read())
        except OSError:
            pass
""", clean_host)
    assert r.verdict is Verdict.OK
    assert b"ENV-SECRET" not in r.stdout


# --- the host never follows a path the sandbox wrote (Judge0 CVE-2024-28185) --------

def test_planted_symlinks_and_fifos_are_never_followed_by_the_host(
    runner: Runner, clean_host: Clean, planted_secrets: dict[str, Path]
):
    secret = planted_secrets["secret"]
    r = run_hostile(runner, f"""
import os
os.symlink("{secret}", "result.json")
os.symlink("/etc/shadow", "out.txt")
os.symlink("/", "dir")
os.mkfifo("pipe")
os.mkdir("real")
open("real/ok.txt", "w").write("fine")
try:
    os.link("/etc/passwd", "hard")
except OSError as exc:
    print("hardlink refused", exc.errno)
""", clean_host, collect=["result.json", "out.txt", "dir/etc/passwd", "pipe", "real/ok.txt",
                         "hard", "../../etc/passwd"])
    assert r.verdict is Verdict.OK
    assert dict(r.files) == {"real/ok.txt": b"fine"}
    assert secret.read_text() == "TOP-SECRET-HIDDEN-TEST-VALUE"


# --- processes ----------------------------------------------------------------------

def test_killing_the_parent_or_everything_leaves_the_host_alive(
    mode: str, runner: Runner, clean_host: Clean
):
    for source in ("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nprint('alive')",
                   "import os, signal\nos.kill(-1, signal.SIGKILL)\nprint('alive')",
                   "import os, signal\nos.kill(1, signal.SIGKILL)\nprint('alive')"):
        r = run_hostile(runner, source, clean_host)
        # fresh: the parent is root-owned, so EPERM (or kill(-1) reaches nobody);
        # warm: the guard filter kills the job for trying.
        assert r.verdict in (Verdict.OK, Verdict.RUNTIME_ERROR, Verdict.KILLED), r.detail
        if mode == "warm":
            assert r.verdict is Verdict.KILLED
            assert_named(r, "kill")


def test_processes_do_not_survive_the_run(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(1000)
    os._exit(0)
print("parent exits")
""", clean_host)
    assert r.verdict is Verdict.OK
    # clean_host() inside run_hostile already proved nothing survives on the host


def test_dev_shm_and_sysv_ipc_do_not_survive_into_the_next_run(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
print(libc.shmget(0x1234, 4096, IPC_CREAT | 0o666) >= 0)
print(libc.semget(0x1235, 1, IPC_CREAT | 0o666) >= 0)
print(libc.msgget(0x1236, IPC_CREAT | 0o666) >= 0)
open("/dev/shm/leak", "w").write("x")
open("/tmp/leak", "w").write("x")
""", clean_host)
    assert r.verdict is Verdict.OK
    assert r.stdout == b"True\nTrue\nTrue\n"


def test_posix_message_queues_are_refused(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import ctypes
librt = ctypes.CDLL("librt.so.1", use_errno=True)
print(librt.mq_open(b"/leak", 0o100 | 2, 0o600, None))
""", clean_host)
    assert r.verdict is Verdict.KILLED
    assert_named(r, "mq_open")


# --- privilege ----------------------------------------------------------------------

SYSCALL = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.syscall({nr}, {args})
print("returned", rc, ctypes.get_errno())
"""


@pytest.mark.parametrize(("what", "nr", "args"), [
    ("ptrace", 101, "16, 1, 0, 0"),          # PTRACE_ATTACH to pid 1
    ("unshare", 272, "0x10000000"),          # CLONE_NEWUSER
    ("setns", 308, "0, 0"),
    ("mount", 165, "b'none', b'/tmp', b'tmpfs', 0, 0"),
    ("keyctl", 250, "0, 0, 0, 0, 0"),
    ("bpf", 321, "0, 0, 0"),
    ("perf_event_open", 298, "0, 0, -1, -1, 0"),
    ("userfaultfd", 323, "0"),
    ("io_uring_setup", 425, "1, 0"),
    ("process_vm_readv", 310, "1, 0, 0, 0, 0, 0"),
    ("clone", 56, "0x10000000 | 17, 0, 0, 0, 0"),  # clone(CLONE_NEWUSER)
])
def test_dangerous_system_calls_are_killed_and_named(
    runner: Runner, clean_host: Clean, what: str, nr: int, args: str
):
    r = run_hostile(runner, SYSCALL.format(nr=nr, args=args), clean_host)
    assert r.verdict is Verdict.KILLED, (what, r.verdict, r.stdout, r.stderr_text[-300:])
    assert_named(r, what)
    assert b"returned" not in r.stdout


def test_setuid_to_root_fails_and_there_are_no_capabilities(runner: Runner, clean_host: Clean):
    r = run_hostile(runner, """
import os
print(os.getuid(), os.geteuid())
for call in (lambda: os.setuid(0), lambda: os.setgid(0), lambda: os.setgroups([0])):
    try:
        call()
        print("SUCCEEDED")
    except PermissionError:
        print("refused")
for line in open("/proc/self/status"):
    if line.startswith(("CapEff", "CapPrm", "CapBnd", "NoNewPrivs")):
        print(line.split()[0], int(line.split()[1], 16))
""", clean_host)
    assert r.verdict is Verdict.OK
    lines = r.stdout_text.splitlines()
    uid, euid = map(int, lines[0].split())
    assert uid == euid >= 60000
    assert lines[1:4] == ["refused"] * 3
    assert sorted(lines[4:]) == ["CapBnd: 0", "CapEff: 0", "CapPrm: 0", "NoNewPrivs: 1"]


# --- harness tampering ----------------------------------------------------------------

HARNESS = """
import sys
sys.path.insert(0, "/sandbox")
import solution
print(open("/harness/grade.py").read() == ORIGINAL)
"""


def test_the_code_cannot_rewrite_the_trusted_harness(runner: Runner, clean_host: Clean):
    """/harness is read-only to the code it runs: a submission that rewrites the harness (or
    anything beside it) changes nothing. (Forged results are refused by the session protocol
    and the real grade path: tests/sandbox/test_session.py, tests/kinds/test_code_integrity.py.)
    """
    solution = """
import os, sys
for target in ("/harness/grade.py", "/harness/new.py"):
    try:
        open(target, "w").write("print('ALL TESTS PASSED')")
    except OSError as exc:
        sys.stderr.write(f"{target}: {exc.strerror}\\n")
try:
    os.chmod("/harness/grade.py", 0o777)
except OSError as exc:
    sys.stderr.write(f"chmod: {exc.strerror}\\n")
"""
    harness = HARNESS.replace("ORIGINAL", "open('/harness/original.py').read()")
    r = run_hostile(runner, None, clean_host, script=f"{READONLY_DIR}/grade.py",
                    files={"solution.py": solution.encode()},
                    readonly_files={"grade.py": harness.encode(),
                                    "original.py": harness.encode()})
    assert r.verdict is Verdict.OK, (r.detail, r.stderr_text)
    assert b"/harness/grade.py: Read-only file system" in r.stderr
    assert b"/harness/new.py: Read-only file system" in r.stderr
    assert r.stdout.strip() == b"True"


def test_32_bit_system_calls_cannot_bypass_the_filter(runner: Runner, clean_host: Clean):
    """int 0x80 reaches the i386 system call table, where numbers mean other calls."""
    r = run_hostile(runner, r"""
import ctypes, mmap
code = b"\xb8\x1a\x00\x00\x00\xcd\x80\xc3"  # mov eax, 26 (i386 ptrace); int 0x80; ret
buf = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
buf.write(code)
call = ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(buf)))
print("returned", call())
""", clean_host)
    assert r.verdict is Verdict.KILLED
    assert_named(r, "another ABI")
    assert b"returned" not in r.stdout
