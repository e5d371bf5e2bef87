"""Nothing of any bank, and nothing of the data directory, is visible in any sandboxed run.

Banks with a planted secret are put where the sandbox binds the host's files read-only: under
the Python installation's prefix (where a wheel keeps the built-in bank) and under /usr; a
third bank, holding the exercises graded here, is an ordinary `HIRELOOP_BANK_DIRS` root; the
data directory is put under the prefix too. A walker that lists every file it can see then
runs in each kind of sandbox: a fresh run, a warm worker, a session worker, a code grade, and
an ml_task grade's training, prediction and serving phases and its trial run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import requires_sandbox
from hireloop.bank import load_bank
from hireloop.sandbox import Limits, Session, WarmPool, run_python, wire

pytestmark = requires_sandbox

MARK = f"planted-{uuid.uuid4().hex[:12]}"
SECRET_NAMES = ("exercise.toml", "bank.toml", "cases.toml", "scoring.toml", "rubric.toml",
                "installation.key")

WALKER = textwrap.dedent(f"""\
    import os

    def walk():
        found = []
        for root, dirs, files in os.walk("/"):
            if root.startswith(("/proc", "/sys", "/dev")):
                dirs[:] = []
                continue
            parts = root.split("/")
            for name in files:
                if (name in {SECRET_NAMES!r} or "{MARK}" in name or "hidden" in parts):
                    found.append(os.path.join(root, name))
        return found

    FOUND = walk()
    """)

CODE_EXERCISE = {
    "exercise.toml": 'title = "Double it"\nkind = "code"\ncompetencies = ["coding"]\n'
                     'level = "junior"\nminutes = 2\n\n[code]\nentry = "f"\n',
    "visible_tests.toml": '[[case]]\nname = "two"\nargs = [1]\nexpected = 2\n',
    "prompt.md": "Write f(x) = 2x.\n",
    "starter.py": "def f(x):\n    raise NotImplementedError\n",
    "hidden/cases.toml": '[[case]]\nname = "one"\nargs = [21]\nexpected = 42\n',
    "hidden/reference.py": "def f(x):\n    return 2 * x\n",
    "samples/samples.toml": '[[sample]]\nname = "reference"\nfile = "hidden/reference.py"\n'
                            'score = [1.0, 1.0]\n',
}

ML_EXERCISE = {
    "exercise.toml": textwrap.dedent("""\
        title = "Predict the mean"
        kind = "ml_task"
        competencies = ["ml-foundations"]
        level = "junior"
        minutes = 5

        [ml_task]
        protocol = "predict"
        functions = { fit = "model.py:fit", predict = "model.py:predict" }
        editable = ["model.py"]
        run = ["python3", "model.py"]
        time_s = 30
        memory_mb = 512
        serve_requests = 5
        """),
    "prompt.md": "Predict y.\n",
    "project/walker.py": WALKER + textwrap.dedent("""\
        if FOUND:
            raise RuntimeError("FOUND: " + " ".join(FOUND[:10]))
        """),
    "project/model.py": textwrap.dedent("""\
        import walker

        def fit(train):
            return {"mean": float(train["y"].mean())}

        def predict(model, rows):
            return [model["mean"]] * len(rows)

        if __name__ == "__main__":
            print("nothing found:", walker.FOUND == [])
        """),
    "hidden/reference/model.py": textwrap.dedent("""\
        import walker

        def fit(train):
            return {"mean": float(train["y"].mean())}

        def predict(model, rows):
            return [model["mean"]] * len(rows)
        """),
    "hidden/task.py": textwrap.dedent("""\
        import numpy as np
        import pandas as pd

        def generate(seed, params):
            rng = np.random.default_rng([seed, 1])
            train = pd.DataFrame({"x": rng.normal(size=50)})
            train["y"] = 3 + train["x"]
            holdout = pd.DataFrame({"x": rng.normal(size=20)})
            return {"public": {"train.csv": train.to_csv(index=False)},
                    "holdout": {"holdout.csv": holdout.to_csv(index=False)},
                    "secret": {"labels": (3 + holdout["x"]).tolist()}}
        """),
    "hidden/scoring.toml": textwrap.dedent("""\
        [[criterion]]
        name = "Some prediction"
        check = "metric"
        metric = "mae"
        threshold = 1000000
        points = 1

        [[criterion]]
        name = "Served"
        check = "latency"
        against = "starter"
        min_ratio = 1.5
        points = 1
        """),
    "samples/samples.toml": '[[sample]]\nname = "reference"\nfile = "hidden/reference"\n'
                            'score = [0.0, 1.0]\n',
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _plant(root: Path) -> Path:
    _write(root, {"bank.toml": 'name = "planted"\n',
                  "secret/exercise/exercise.toml": "# planted\n",
                  f"secret/exercise/hidden/{MARK}.txt": "the answer\n",
                  "secret/exercise/hidden/cases.toml": "# planted\n"})
    return root


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    prefix = Path(sys.prefix) / "share" / f"hireloop-test-{MARK}"
    system = Path("/usr/local/share") / f"hireloop-test-{MARK}"
    graded = tmp_path_factory.mktemp("banks") / "graded"
    data_dir = prefix / "data"
    places = {"prefix": _plant(prefix / "bank"), "usr": _plant(system / "bank"),
              "graded": graded, "data": data_dir}
    _write(graded, {"bank.toml": 'name = "graded here"\n',
                    **{f"code/double/{k}": v for k, v in CODE_EXERCISE.items()},
                    **{f"ml/mean/{k}": v for k, v in ML_EXERCISE.items()},
                    f"ml/mean/hidden/{MARK}.txt": "the answer\n"})
    _write(data_dir, {f"{MARK}.txt": "candidates' data\n",
                      "installation.key": "00" * 32 + "\n"})
    # the walker finds every planted file when it runs on the host: it would see them
    found = subprocess.run([sys.executable, "-c", WALKER + "print('\\n'.join(FOUND))"],
                           capture_output=True, text=True, check=True).stdout
    for where in places.values():
        assert str(where) in found, f"the walker misses {where} on the host"
    try:
        yield places
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
        shutil.rmtree(system, ignore_errors=True)


@pytest.fixture(scope="module")
def banks_loaded(planted: dict[str, Path]) -> None:
    """What every grading process does: load the banks (which hides them from sandboxes)."""
    load_bank([planted["prefix"], planted["usr"], planted["graded"]])
    from hireloop.sandbox import hide

    hide(planted["data"])


def _assert_nothing_found(found: object) -> None:
    assert found == [], f"visible inside the sandbox: {found}"


def test_a_fresh_run_sees_no_bank(banks_loaded: None) -> None:
    r = run_python(WALKER + "import json; print(json.dumps(FOUND))",
                   limits=Limits(time_s=20, wall_s=60))
    assert r.ok, r.stderr_text
    _assert_nothing_found(json.loads(r.stdout))


def test_a_warm_worker_sees_no_bank(banks_loaded: None) -> None:
    with WarmPool(size=1) as pool:
        r = pool.run_python(WALKER + "import json; print(json.dumps(FOUND))",
                            limits=Limits(time_s=20, wall_s=60))
    assert r.ok, r.stderr_text
    _assert_nothing_found(json.loads(r.stdout))


def test_a_session_worker_sees_no_bank(banks_loaded: None) -> None:
    script = WALKER + textwrap.dedent("""\
        import wire
        channel = wire.Channel.open()
        channel.reply(wire.encode(FOUND))
        """)
    with Session(readonly_files={"w.py": script.encode()}, limits=Limits(time_s=60)) as s:
        reply = s.start_worker("/harness/w.py", cpu_s=20, wall_s=60)
        assert reply.ok, reply.detail
        _assert_nothing_found(wire.decode(reply.data))


def _grade(planted: dict[str, Path], exercise: str, submission: Path) -> dict[str, object]:
    env = {**os.environ, "HIRELOOP_DATA_DIR": str(planted["data"]),
           "HIRELOOP_BANK_DIRS": os.pathsep.join(str(planted[k]) for k in
                                                 ("prefix", "usr", "graded"))}
    env.pop("HIRELOOP_INSTALLATION_KEY", None)  # the planted data dir's key file is used
    out = subprocess.run([sys.executable, "-m", "hireloop", "grade", exercise,
                          str(submission), "--json"], capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def test_a_code_grade_sees_no_bank(planted: dict[str, Path], tmp_path: Path) -> None:
    submission = tmp_path / "walk.py"
    submission.write_text(WALKER + "def f(x):\n    return 2 * x if not FOUND else FOUND\n")
    grade = _grade(planted, "code/double", submission)
    assert grade["outcome"] == "graded", grade
    assert grade["score"] == 1.0, grade["notes"]


@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None,
                    reason="ml_task grading needs scikit-learn (scripts/test installs it; the "
                           "cgroup v2 guest has only what the sandbox needs)")
def test_every_phase_of_an_ml_task_and_its_trial_see_no_bank(
    planted: dict[str, Path], banks_loaded: None, tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    shutil.copytree(planted["graded"] / "ml" / "mean" / "project", project)
    grade = _grade(planted, "ml/mean", project)
    assert grade["outcome"] == "graded", grade
    text = json.dumps(grade)
    assert "FOUND" not in text, text[:3000]
    metric, served = grade["criteria"]
    assert metric["points"] == 1.0  # trained and predicted: both phases imported the walker
    assert "not measured" not in served["evidence"][0]  # served: that phase imported it too
    # the trial: the project's own command on the public data
    from hireloop.bank import load_bank as load
    from hireloop.core import Submission

    bank = load([planted["graded"]])
    exercise = bank.get("ml/mean")
    kind = bank.kinds.get("ml_task")
    files = {p.name: p.read_bytes() for p in project.iterdir()}
    trial = kind.trial(exercise, exercise.variant(0),
                       Submission(exercise_id=exercise.id, files=files))
    assert trial is not None
    assert "nothing found: True" in trial.log, trial.log[-2000:]
