"""Pieces of the sandbox that need no root: limits, verdict rules, paths, filters."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from hireloop.sandbox import Limits, RunResult, Verdict
from hireloop.sandbox._fs import copy_tree, validate_relpath
from hireloop.sandbox._monitor import Exit, Watched, decide
from hireloop.sandbox._seccomp import DENIED_SYSCALLS, base_filter, guard_filter, syscall_name


def test_limits_have_safe_defaults_and_refuse_nonsense():
    lim = Limits()
    assert lim.wall == 2 * lim.time_s + 1
    assert Limits(wall_s=7).wall == 7
    for bad in ({"time_s": 0}, {"memory_mb": 1}, {"pids": 0}, {"open_files": 3},
                {"tmp_mb": 0}, {"cpus": 0}, {"wall_s": -1}):
        with pytest.raises(ValueError, match="invalid sandbox limits"):
            Limits(**bad)
    assert lim.replace(time_s=5).time_s == 5


def _w(code: int | None = 0, sig: int | None = None, reason: str | None = None,
       stderr: bytes = b"") -> Watched:
    return Watched(Exit(code, sig), b"", stderr, False, False, reason, 0.1)


@pytest.mark.parametrize(("watched", "cpu", "oom", "expected", "detail"), [
    (_w(0), 0.1, 0, Verdict.OK, ""),
    (_w(1), 0.1, 0, Verdict.RUNTIME_ERROR, "exit code 1"),
    (_w(None, signal.SIGSEGV), 0.1, 0, Verdict.RUNTIME_ERROR, "killed by SIGSEGV"),
    (_w(None, signal.SIGKILL, "wall"), 0.1, 0, Verdict.TIME_LIMIT, "wall clock"),
    (_w(None, signal.SIGKILL, "cpu"), 1.01, 0, Verdict.TIME_LIMIT, "cpu"),
    (_w(0), 1.5, 0, Verdict.TIME_LIMIT, "cpu: 1.500s used"),
    (_w(None, signal.SIGKILL, "output"), 0.1, 0, Verdict.OUTPUT_LIMIT, "output over"),
    (_w(None, signal.SIGKILL), 0.1, 1, Verdict.MEMORY_LIMIT, "memory"),
    (_w(1, stderr=b"Traceback...\nMemoryError\n"), 0.1, 0, Verdict.MEMORY_LIMIT, "MemoryError"),
    (_w(None, signal.SIGXCPU), 1.0, 0, Verdict.TIME_LIMIT, "cpu"),
    (_w(None, signal.SIGXFSZ), 0.1, 0, Verdict.OUTPUT_LIMIT, "file size"),
    (_w(1, stderr=b"OSError: [Errno 27] File too large\n"), 0.1, 0, Verdict.OUTPUT_LIMIT,
     "file size"),
    (_w(None, signal.SIGSYS), 0.1, 0, Verdict.KILLED, "forbidden system call: ptrace"),
    (_w(None, None), 0.1, 0, Verdict.INTERNAL_ERROR, "without an exit status"),
])
def test_verdicts_follow_from_what_the_host_measured(watched, cpu, oom, expected, detail):
    verdict, text = decide(watched, limits=Limits(time_s=1), cpu_s=cpu, oom_kills=oom,
                           pids_hits=0, blocked=lambda: "ptrace")
    assert verdict is expected
    assert text.startswith(detail) or detail in text


def test_bwrap_style_exit_codes_decode_to_signals():
    assert Exit.from_shell_code(0) == Exit(0, None)
    assert Exit.from_shell_code(137) == Exit(None, 9)
    assert Exit.from_shell_code(159) == Exit(None, 31)
    assert Exit.from_shell_code(1) == Exit(1, None)


def test_results_serialise_with_the_required_keys_and_trimmed_output():
    r = RunResult(Verdict.OK, 0, None, b"x" * 100, b"", 0.01, 0.02, 3.0,
                  files={"a": b"1"})
    d = r.to_dict(max_chars=10)
    assert d["verdict"] == "ok"
    assert d["stdout"] == "…" + "x" * 10
    assert d["files"] == ["a"]
    assert {"verdict", "exit_code", "stdout", "stderr", "cpu_s", "wall_s", "memory_mb"} <= d.keys()


@pytest.mark.parametrize("name", ["../x", "/abs", "a/../b", "", ".", "a/./b", "x\0y", "a" * 300])
def test_unsafe_file_names_are_refused(name: str):
    with pytest.raises(ValueError, match="not a safe relative file name"):
        validate_relpath(name)


def test_safe_file_names_split_into_parts():
    assert validate_relpath("a/b//c.py") == ("a", "b", "c.py")


def test_copy_tree_takes_regular_files_only_and_caps_the_size(tmp_path: Path):
    (tmp_path / "a.py").write_text("a")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b.txt").write_text("b")
    (tmp_path / "ln").symlink_to("/etc/passwd")
    (tmp_path / "dl").symlink_to(tmp_path / "d")
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "c.pyc").write_text("c")
    assert copy_tree(tmp_path, max_bytes=100) == {"a.py": b"a", "d/b.txt": b"b"}
    (tmp_path / "big").write_bytes(b"x" * 200)
    with pytest.raises(ValueError, match="holds more than"):
        copy_tree(tmp_path, max_bytes=100)


def test_seccomp_filters_compile_and_name_syscalls():
    bpf = base_filter()
    assert len(bpf) % 8 == 0
    assert len(bpf) > 8 * len(DENIED_SYSCALLS) // 2
    assert len(guard_filter([2], [1])) % 8 == 0
    assert syscall_name(101) == "ptrace"
    assert syscall_name(41) == "socket"
    for name in ("ptrace", "bpf", "userfaultfd", "io_uring_setup", "unshare", "setns",
                 "mount", "keyctl", "perf_event_open", "process_vm_readv"):
        assert name in DENIED_SYSCALLS
