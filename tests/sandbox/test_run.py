"""What a run gives back: verdicts, output, measurements, files; in both modes."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from conftest import Runner, requires_sandbox
from hireloop.sandbox import (
    READONLY_DIR,
    WORKDIR,
    Limits,
    RunResult,
    Verdict,
    python_executable,
    run,
    run_file,
    run_python,
)

REQUIRED_KEYS = {"verdict", "exit_code", "stdout", "stderr", "cpu_s", "wall_s", "memory_mb"}


def test_a_correct_program_is_ok_with_its_output_and_measurements(runner: Runner):
    r = runner("print(sum(range(10)))")
    assert r.verdict is Verdict.OK
    assert r.ok
    assert (r.exit_code, r.signal) == (0, None)
    assert r.stdout == b"45\n"
    assert r.stderr == b""
    assert 0 < r.wall_s < 5
    assert 0 <= r.cpu_s < 5
    assert 0 < r.memory_mb < 256
    assert r.to_dict().keys() >= REQUIRED_KEYS


def test_an_exception_is_a_runtime_error_with_the_traceback(runner: Runner):
    r = runner("def f():\n    raise ValueError('boom')\nf()")
    assert r.verdict is Verdict.RUNTIME_ERROR
    assert r.exit_code == 1
    assert r.detail == "exit code 1"
    assert r.stderr_text.startswith("Traceback (most recent call last):\n  File ")
    assert "main.py\", line 3, in <module>" in r.stderr_text
    assert r.stderr_text.rstrip().endswith("ValueError: boom")
    assert "harness" not in r.stderr_text
    assert "runpy" not in r.stderr_text


def test_sys_exit_codes_and_signals_are_reported(runner: Runner):
    assert runner("import sys; sys.exit(3)").exit_code == 3
    assert runner("import sys; sys.exit()").verdict is Verdict.OK
    r = runner("import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    assert r.verdict is Verdict.RUNTIME_ERROR
    assert r.signal == 11
    assert "SIGSEGV" in r.detail


def test_stdin_is_fed_and_argv_is_passed(runner: Runner):
    r = runner("import sys\nprint(sys.stdin.read().upper(), sys.argv[1:])",
               stdin=b"hello", args=["a", "b"])
    assert r.stdout == b"HELLO ['a', 'b']\n"


def test_large_stdin_and_output_do_not_deadlock(runner: Runner):
    data = b"x" * (3 << 20)
    r = runner("import sys\nd = sys.stdin.buffer.read()\nsys.stdout.buffer.write(d)",
               stdin=data, limits=Limits(output_bytes=4 << 20, time_s=5))
    assert r.verdict is Verdict.OK
    assert r.stdout == data


def test_files_are_the_work_dir_and_collect_returns_what_the_program_wrote(runner: Runner):
    r = runner("""
import os
print(os.getcwd(), sorted(os.listdir(".")))
print(open("data/in.txt").read())
os.makedirs("out", exist_ok=True)
open("out/result.json", "w").write('{"ok": true}')
open("big.bin", "wb").write(b"x" * 2_000_000)
""", files={"data/in.txt": b"input!"}, collect=["out/result.json", "missing", "big.bin"],
               limits=Limits(file_size_mb=1))
    assert r.verdict is Verdict.OUTPUT_LIMIT  # big.bin is over file_size_mb
    r = runner("""
import os
print(os.getcwd(), sorted(os.listdir(".")))
print(open("data/in.txt").read())
os.makedirs("out", exist_ok=True)
open("out/result.json", "w").write('{"ok": true}')
""", files={"data/in.txt": b"input!"}, collect=["out/result.json", "missing"])
    assert r.verdict is Verdict.OK
    assert r.stdout_text.splitlines() == [f"{WORKDIR} ['data', 'main.py']", "input!"]
    assert dict(r.files) == {"out/result.json": b'{"ok": true}'}


def test_readonly_files_can_be_run_but_not_changed(runner: Runner):
    r = runner(None, script=f"{READONLY_DIR}/grade.py",
               readonly_files={"grade.py": b"import sys\nprint(sys.path[0])\n"
                               b"open(__file__, 'a').write('x')\n"})
    assert r.verdict is Verdict.RUNTIME_ERROR
    assert r.stdout == f"{READONLY_DIR}\n".encode()
    assert b"PermissionError" in r.stderr or b"Read-only file system" in r.stderr


def test_numpy_is_importable_inside(runner: Runner):
    r = runner("import numpy as np\nprint(int(np.arange(10).sum()), np.random.rand() < 1)")
    assert r.verdict is Verdict.OK, r.stderr_text
    assert r.stdout == b"45 True\n"


def test_cpu_time_and_wall_clock_limits_say_which(runner: Runner):
    cpu = runner("while True: pass", limits=Limits(time_s=0.3, wall_s=3))
    wall = runner("import time; time.sleep(5)", limits=Limits(time_s=1, wall_s=0.4))
    assert (cpu.verdict, wall.verdict) == (Verdict.TIME_LIMIT, Verdict.TIME_LIMIT)
    assert cpu.detail.startswith("cpu")
    assert wall.detail.startswith("wall clock")


def test_cpu_is_capped_to_the_cpus_limit(runner: Runner):
    r = runner("""
import threading, time
def spin():
    end = time.time() + 0.6
    while time.time() < end:
        pass
ts = [threading.Thread(target=spin) for _ in range(2)]
[t.start() for t in ts]; [t.join() for t in ts]
""", limits=Limits(time_s=5, cpus=0.5))
    assert r.verdict is Verdict.OK
    assert r.cpu_s <= r.wall_s * 0.5 + 0.1  # at most half a core


def test_the_environment_is_ours_only(runner: Runner):
    r = runner("import os, json\nprint(json.dumps(dict(os.environ)))")
    env = json.loads(r.stdout)
    assert env["HOME"] == "/tmp"
    assert env["PYTHONHASHSEED"] == "0"
    assert set(env) <= {"PWD", "PATH", "HOME", "TMPDIR", "LANG", "LC_ALL", "PYTHONHASHSEED",
                        "PYTHONDONTWRITEBYTECODE", "PYTHONNOUSERSITE", "OMP_NUM_THREADS",
                        "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
                        "MPLBACKEND", "MPLCONFIGDIR", "ORT_DISABLE_TELEMETRY"}


def test_the_same_program_gives_the_same_output_every_time(runner: Runner):
    src = "print(hash('hireloop'), sorted({'b', 'a', 'c'}))"
    outs = {runner(src).stdout for _ in range(3)}
    assert len(outs) == 1


@requires_sandbox
def test_run_executes_any_command_with_python3_meaning_our_interpreter():
    r = run(["python3", "-c", "import sys; print(sys.executable)"], unsafe=False)
    assert r.verdict is Verdict.OK
    inside = r.stdout.decode().strip()
    assert inside.rsplit("/", 1)[0] == python_executable().rsplit("/", 1)[0]
    r = run(["/usr/bin/env", "sh", "-c", "echo $0; exit 4"], unsafe=False)
    assert (r.verdict, r.exit_code) == (Verdict.RUNTIME_ERROR, 4)


@requires_sandbox
def test_run_file_copies_its_own_directory_only(tmp_path):
    (tmp_path / "prog.py").write_text("import os\nprint(sorted(os.listdir('.')))\n"
                                      "print(open('helper.txt').read())")
    (tmp_path / "helper.txt").write_text("help")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.py").write_text("")
    (tmp_path / "link").symlink_to("/etc/passwd")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("secret")
    r = run_file(tmp_path / "prog.py", unsafe=False)
    assert r.verdict is Verdict.OK, r.stderr_text
    assert r.stdout_text.splitlines() == ["['helper.txt', 'prog.py', 'sub']", "help"]


@requires_sandbox
def test_concurrent_runs_are_isolated_from_each_other():
    results: list[RunResult] = []

    def one(i: int) -> None:
        results.append(run_python(
            f"import os, time\nopen('mine', 'w').write('{i}')\ntime.sleep(0.3)\n"
            "print(os.getuid(), open('mine').read(), sorted(os.listdir('/tmp')))",
            unsafe=False))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert all(r.verdict is Verdict.OK for r in results)
    uids = {r.stdout.split()[0] for r in results}
    assert len(uids) == 4  # one uid per concurrent run
    assert sorted(r.stdout.split()[1] for r in results) == [b"0", b"1", b"2", b"3"]


@requires_sandbox
def test_bad_input_files_are_refused_before_anything_runs():
    for bad in ("../x", "/etc/x", "a/../../b", "", "a\0b"):
        with pytest.raises(ValueError, match="safe relative file name"):
            run_python("pass", files={bad: b""}, unsafe=False)
    with pytest.raises(ValueError, match="both as source and in files"):
        run_python("pass", files={"main.py": b""}, unsafe=False)
    with pytest.raises(ValueError, match="non-empty list"):
        run([], unsafe=False)


@requires_sandbox
def test_input_larger_than_the_tmpfs_is_refused():
    with pytest.raises(ValueError, match="do not fit"):
        run_python("pass", files={"big": b"x" * (3 << 20)}, limits=Limits(tmp_mb=2),
                   unsafe=False)


@requires_sandbox
def test_read_only_data_can_be_mounted(tmp_path):
    tmp_path.chmod(0o755)  # mounted data keeps its permissions: it must be readable
    (tmp_path / "train.csv").write_text("a,b\n1,2\n")
    r = run_python("print(open('/data/train.csv').read().splitlines()[1])\n"
                   "open('/data/x', 'w')", mounts={"/data": tmp_path}, unsafe=False)
    assert r.stdout == b"1,2\n"
    assert b"Read-only file system" in r.stderr
    with pytest.raises(ValueError, match="cannot mount"):
        run_python("pass", mounts={"/tmp": tmp_path}, unsafe=False)


@requires_sandbox
def test_leftovers_of_a_crashed_supervisor_are_cleaned_up():
    from hireloop.sandbox._cgroup import RunCgroup, stale_groups
    from hireloop.sandbox._fs import RunDir, base_dir
    from hireloop.sandbox._host import Host, get_host

    host = get_host()
    assert host.layout is not None
    name = "999999-r0-0"  # a pid above pid_max: that supervisor is surely gone
    rundir = RunDir.create(name, host.uid_base, 1)
    for fd in [*rundir.fds.values(), rundir._root_fd]:  # "crash": forget it, still mounted
        os.close(fd)
    RunCgroup.create(host.layout, name)
    assert (base_dir() / name).is_mount()
    Host().cleanup_stale()
    assert not (base_dir() / name).exists()
    assert name not in stale_groups(host.layout)


def test_an_interpreter_installed_below_tmp_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    # The sandbox's own /tmp would hide it: say so instead of failing obscurely inside.
    import subprocess
    import sys

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    code = ("from hireloop.sandbox import run_python; "
            "r = run_python('print(1)'); print(r.verdict.value); print(r.detail)")
    env = {**os.environ, "HIRELOOP_SANDBOX_PYTHON": str(venv / "bin" / "python")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120, check=True)
    verdict, detail = out.stdout.splitlines()[:2]
    assert verdict == "internal_error"
    assert "lives below /tmp" in detail
    assert "outside /tmp" in detail


@requires_sandbox
def test_on_output_streams_each_chunk_as_it_arrives_and_the_result_keeps_all() -> None:
    import time as _time

    seen: list[tuple[str, bytes, float]] = []
    source = ("import sys, time\n"
              "for i in range(3):\n"
              "    print('line', i, flush=True); time.sleep(0.2)\n"
              "print('oops', file=sys.stderr, flush=True)\n")
    result = run_python(source, limits=Limits(time_s=2, wall_s=5), unsafe=False,
                        on_output=lambda s, c: seen.append((s, c, _time.monotonic())))
    assert result.ok
    out = b"".join(c for s, c, _ in seen if s == "stdout")
    assert out == result.stdout == b"line 0\nline 1\nline 2\n"
    assert b"".join(c for s, c, _ in seen if s == "stderr") == b"oops\n"
    firsts = [t for s, c, t in seen if s == "stdout"]
    assert firsts[-1] - firsts[0] >= 0.3  # seen live, not all at the end


@requires_sandbox
def test_a_failing_output_sink_does_not_break_the_run() -> None:
    def sink(stream: str, chunk: bytes) -> None:
        raise RuntimeError("broken sink")

    result = run_python("print('hi')", limits=Limits(time_s=2), unsafe=False, on_output=sink)
    assert result.ok
    assert result.stdout == b"hi\n"
