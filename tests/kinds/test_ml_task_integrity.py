"""No full marks without solving, in the ml_task kind: the ways a cheating candidate scored
on built-in exercises before, each tried again through the real `hireloop grade` path (the
bank's own cheat samples). Each must score no more than the unsolved starter, with outcome
`graded`; and a grade must not depend on what else the machine is doing."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hireloop.config import builtin_bank_dir

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="needs bubblewrap (scripts/test installs it)")

BANK = builtin_bank_dir()
DEPLOY = "ml_task/deploy-optimise"
CHURN = "ml_task/churn-leakage"


def grade(exercise: str, project: Path | str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "hireloop", "grade", exercise, str(project),
                          "--json"], capture_output=True, text=True, timeout=900,
                         env=os.environ)
    assert out.stdout.strip(), out.stderr[-3000:]
    result: dict[str, Any] = json.loads(out.stdout)
    return result


_starters: dict[str, float] = {}


def starter(exercise: str) -> float:
    if exercise not in _starters:
        _starters[exercise] = float(grade(exercise, BANK / exercise / "project")["score"])
    return _starters[exercise]


def criterion(result: dict[str, Any], prefix: str) -> dict[str, Any]:
    return next(c for c in result["criteria"] if c["name"].startswith(prefix))


def test_a_tiny_pickle_that_retrains_when_loaded_earns_nothing() -> None:
    # the 35-byte "model" re-trains the forest from /data/train.csv at load time; prediction
    # and serving sandboxes hold no data, so it cannot load, and nothing is credited
    got = grade(DEPLOY, BANK / DEPLOY / "samples" / "tiny-pickle")
    assert got["outcome"] == "graded"
    assert got["score"] <= starter(DEPLOY) + 0.005
    assert criterion(got, "Pickled model")["points"] == 0
    assert criterion(got, "p95 latency")["points"] == 0


def test_timed_answers_must_be_the_models_own_predictions() -> None:
    # the starter's forest, answering the single-row (timed) requests with a constant
    got = grade(DEPLOY, BANK / DEPLOY / "samples" / "fast-single-rows")
    assert got["outcome"] == "graded"
    assert criterion(got, "p95 latency")["points"] == 0
    assert any(f["code"] == "served_model_differs" for f in got["flags"])
    assert got["score"] <= starter(DEPLOY) + 0.005


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("cheat", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_re_running_the_public_generator_reproduces_nothing() -> None:
    cheat = BANK / CHURN / "samples" / "regenerate"
    # the attack is real: for the public seed it returns exactly the clean holdout labels
    from hireloop.bank import load_bank
    from hireloop.kinds.ml_task.grader import dataset, task_module

    exercise = load_bank([BANK]).get(CHURN)
    public = task_module(exercise)["generate"](0, {})["secret"]
    noise = set(public["noise_rows"])
    labels = _load(cheat / "pipeline.py").LABELS
    agree = [labels[i] == public["labels"][i] for i in range(len(labels)) if i not in noise]
    assert all(agree)
    # but this installation's data is drawn from its secret
    ours = dataset(exercise, exercise.variant(0)).secret["labels"]
    assert np.mean(np.asarray(labels) == np.asarray(ours)) < 0.8
    got = grade(CHURN, cheat)
    assert got["outcome"] == "graded"
    assert got["score"] <= starter(CHURN) + 0.005


def test_forged_permutation_results_do_not_hide_a_leak() -> None:
    got = grade(CHURN, BANK / CHURN / "samples" / "forge-permutation")
    assert got["outcome"] == "graded"
    assert criterion(got, "No dependence")["points"] == 0
    assert "'retention_offer_sent'" in criterion(got, "No dependence")["evidence"][0]
    assert got["score"] <= starter(CHURN) + 0.005


def test_the_hidden_reference_is_nowhere_a_project_can_look() -> None:
    got = grade(DEPLOY, BANK / DEPLOY / "samples" / "read-hidden")
    assert got["outcome"] == "graded"
    assert got["score"] <= starter(DEPLOY) + 0.005


@pytest.mark.slow
def test_latency_holds_while_two_other_grades_run_beside() -> None:
    """The reference and the starter keep their bands with the machine busy grading."""
    load = [[sys.executable, "-m", "hireloop", "grade", "ml_task/automl-budget",
             str(BANK / "ml_task/automl-budget/hidden/reference"), "--json"],
            [sys.executable, "-m", "hireloop", "grade", "coding/edit-distance",
             str(BANK / "coding/edit-distance/hidden/reference.py"), "--json"]]
    stop = time.monotonic() + 600
    busy: list[subprocess.Popen[bytes]] = []

    def keep_busy() -> None:
        for i, p in enumerate(busy):
            if p.poll() is not None and time.monotonic() < stop:
                busy[i] = subprocess.Popen(load[i], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL)

    busy.extend(subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                for cmd in load)
    try:
        results = {}
        for which, path in (("reference", BANK / DEPLOY / "hidden" / "reference"),
                            ("starter", BANK / DEPLOY / "project")):
            keep_busy()
            proc = subprocess.Popen([sys.executable, "-m", "hireloop", "grade", DEPLOY,
                                     str(path), "--json"], stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            while proc.poll() is None:
                keep_busy()
                time.sleep(0.5)
            out, err = proc.communicate()
            assert out.strip(), err[-2000:]
            results[which] = json.loads(out)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    assert results["reference"]["score"] >= 0.9, results["reference"]["criteria"]
    assert results["starter"]["score"] <= 0.3, results["starter"]["criteria"]
