"""Without isolation the product refuses to run candidate code, unless unsafe mode is set
explicitly, and then it says so loudly on every run."""

from __future__ import annotations

import pytest

from conftest import scaled
from hireloop.sandbox import (
    Limits,
    SandboxUnavailable,
    Verdict,
    WarmPool,
    run,
    run_python,
)
from hireloop.sandbox._host import get_host


@pytest.fixture
def no_isolation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this host has no bubblewrap."""
    monkeypatch.setattr(get_host(), "_problems", ["bubblewrap is not installed"])
    monkeypatch.delenv("HIRELOOP_SANDBOX_UNSAFE", raising=False)


def test_without_isolation_running_code_is_refused_with_a_clear_error(no_isolation: None):
    with pytest.raises(SandboxUnavailable) as err:
        run_python("print('hi')")
    message = str(err.value)
    assert "bubblewrap is not installed" in message
    assert "hireloop sandbox doctor" in message
    assert "HIRELOOP_SANDBOX_UNSAFE=1" in message
    with pytest.raises(SandboxUnavailable):
        WarmPool(size=1)


def test_unsafe_mode_runs_and_warns_on_every_run(
    no_isolation: None, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("HIRELOOP_SANDBOX_UNSAFE", "1")
    for _ in range(2):
        r = run_python("print(6 * 7)")
        assert (r.verdict, r.stdout, r.mode) == (Verdict.OK, b"42\n", "unsafe")
    err = capfd.readouterr().err
    assert err.count("WARNING: UNSAFE sandbox mode") == 2
    assert "Never use this for candidates' code" in err


def test_unsafe_false_refuses_even_when_the_environment_allows_it(
    no_isolation: None, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("HIRELOOP_SANDBOX_UNSAFE", "1")
    with pytest.raises(SandboxUnavailable):
        run_python("pass", unsafe=False)


def test_unsafe_mode_still_enforces_limits_and_verdicts(capfd: pytest.CaptureFixture[str]):
    lim = scaled(Limits(time_s=0.3, wall_s=1, output_bytes=1000, memory_mb=64))
    assert run_python("while True: pass", limits=lim, unsafe=True).verdict is Verdict.TIME_LIMIT
    assert run_python("import time; time.sleep(10**6)", limits=lim,
                      unsafe=True).verdict is Verdict.TIME_LIMIT
    assert run_python("print('x' * 5000)", limits=lim,
                      unsafe=True).verdict is Verdict.OUTPUT_LIMIT
    assert run_python("b = bytearray(200 << 20)", limits=lim,
                      unsafe=True).verdict is Verdict.MEMORY_LIMIT
    r = run_python("import os\nprint(sorted(os.listdir('.')))\nraise SystemExit(5)",
                   files={"a.txt": b"x"}, unsafe=True)
    assert (r.verdict, r.exit_code, r.stdout) == (Verdict.RUNTIME_ERROR, 5,
                                                  b"['a.txt', 'main.py']\n")
    r = run(["python3", "/harness/h.py"], readonly_files={"h.py": b"print('harness')"},
            unsafe=True)
    assert r.stdout == b"harness\n"
    assert "unsafe mode" in r.detail or r.ok
    capfd.readouterr()


def test_a_warm_pool_without_isolation_falls_back_to_unsafe_runs(
    no_isolation: None, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
):
    monkeypatch.setenv("HIRELOOP_SANDBOX_UNSAFE", "1")
    with WarmPool(size=1) as pool:
        r = pool.run_python("print('hi')")
    assert (r.stdout, r.mode) == (b"hi\n", "unsafe")
    assert "UNSAFE" in capfd.readouterr().err
