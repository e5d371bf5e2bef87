"""The grader needs no network: it runs in a network namespace with no interfaces up."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.nlp.test_evaluation import good_file

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="needs root and unshare(1) to take the network away",
)


def offline(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "0", "TRANSFORMERS_OFFLINE": "0"}
    return subprocess.run(["unshare", "--net", sys.executable, *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_the_network_really_is_off_in_the_namespace() -> None:
    probe = offline("-c", "import socket; socket.create_connection(('1.1.1.1', 443), timeout=3)")
    assert probe.returncode != 0
    assert "unreachable" in probe.stderr.lower() or "error" in probe.stderr.lower()


def test_embeddings_and_the_eval_command_work_with_the_network_off(tmp_path: Path) -> None:
    result = offline("-m", "hireloop", "eval", "answers", str(good_file(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["overall"]["n"] == 12
