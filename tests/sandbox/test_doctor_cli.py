"""`hireloop sandbox doctor` and `hireloop sandbox run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SPEED, requires_sandbox
from hireloop.sandbox import Check, doctor
from hireloop.sandbox._host import get_host
from hireloop.sandbox.cli import sandbox_app
from hireloop.sandbox.doctor import full_protection

cli = CliRunner()


@requires_sandbox
def test_doctor_reports_every_protection_as_supported_on_this_host():
    checks = doctor()
    names = " | ".join(c.protection for c in checks)
    for needle in ("bubblewrap", "root", "namespaces", "cgroups", "memory limit without swap",
                   "pids limit", "seccomp", "unprivileged uid", "no capabilities",
                   "read-only root", "no network", "host files invisible",
                   "network sockets killed by seccomp", "numpy"):
        assert needle in names
    missing = [c for c in checks if c.required and not c.supported]
    assert missing == [], missing
    assert full_protection(checks)


def test_doctor_without_bubblewrap_says_so(monkeypatch: pytest.MonkeyPatch):
    host = get_host()
    monkeypatch.setattr(host, "bwrap", None)
    monkeypatch.setattr(host, "_problems", ["bubblewrap is not installed"])
    checks = doctor()
    bw = next(c for c in checks if c.protection == "bubblewrap")
    assert not bw.supported
    assert "apt-get install bubblewrap" in bw.detail
    assert not full_protection(checks)
    assert not full_protection([Check("x", False, "")])
    assert full_protection([Check("x", False, "", required=False)])


@requires_sandbox
def test_cli_doctor_prints_json_and_exits_zero_when_protected():
    res = cli.invoke(sandbox_app, ["doctor", "--json", "--no-probe"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["ok"] is True
    assert {"protection", "supported", "required", "detail"} <= data["checks"][0].keys()


@requires_sandbox
def test_cli_run_prints_one_json_object_with_the_verdict(tmp_path: Path):
    prog = tmp_path / "prog.py"
    prog.write_text("import sys\nprint(open('data.txt').read())\nsys.exit(2)")
    (tmp_path / "data.txt").write_text("from the same directory")
    res = cli.invoke(sandbox_app, ["run", str(prog), "--json", "--time", "1", "--memory", "64"])
    assert res.exit_code == 1  # not ok
    data = json.loads(res.output)
    assert {"verdict", "exit_code", "stdout", "stderr", "cpu_s", "wall_s",
            "memory_mb"} <= data.keys()
    assert data["verdict"] == "runtime_error"
    assert data["exit_code"] == 2
    assert data["stdout"] == "from the same directory\n"


@requires_sandbox
def test_cli_run_prints_a_readable_report(tmp_path: Path):
    prog = tmp_path / "loop.py"
    prog.write_text("print('start', flush=True)\nwhile True: pass")
    res = cli.invoke(sandbox_app, ["run", str(prog), "--time", str(0.3 * SPEED)])
    assert res.exit_code == 1
    for needle in ("time_limit", "cpu", "wall", "peak memory", "stdout", "start"):
        assert needle in res.output


def test_cli_run_without_isolation_exits_2_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(get_host(), "_problems", ["bubblewrap is not installed"])
    monkeypatch.delenv("HIRELOOP_SANDBOX_UNSAFE", raising=False)
    prog = tmp_path / "p.py"
    prog.write_text("print(1)")
    res = cli.invoke(sandbox_app, ["run", str(prog)])
    assert res.exit_code == 2
    assert "bubblewrap is not installed" in res.output
