"""Spoken grading needs no network: transcription and grading run with the network taken away."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from hireloop.config import builtin_bank_dir

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="needs root and unshare(1) to take the network away",
)


def test_a_spoken_answer_is_transcribed_and_graded_with_the_network_off() -> None:
    sample = builtin_bank_dir() / "spoken/explain-fraud-block-to-executive/samples/exemplary.ogg"
    env = {**os.environ, "HF_HUB_OFFLINE": "0"}
    out = subprocess.run(["unshare", "--net", sys.executable, "-m", "hireloop", "grade",
                          "spoken/explain-fraud-block-to-executive", str(sample), "--json"],
                         capture_output=True, text=True, timeout=300, env=env, check=False)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["outcome"] == "graded"
    assert data["transcript"]
