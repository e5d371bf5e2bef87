"""The ml_task kind end to end, through the real sandbox: a project in, a grade with evidence
out; labels never reach the sandbox; cheating is caught; the trial streams its log."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hireloop.bank import load_bank
from hireloop.config import builtin_bank_dir
from hireloop.core import Exercise, Outcome, Submission
from hireloop.kinds.ml_task import MlTaskKind
from hireloop.kinds.ml_task.grader import dataset

pytestmark = pytest.mark.skipif(shutil.which("bwrap") is None,
                                reason="needs bubblewrap (scripts/test installs it)")

KIND = MlTaskKind()
CHURN = "ml_task/churn-leakage"


@pytest.fixture(scope="module")
def churn() -> Exercise:
    return load_bank([builtin_bank_dir()]).get(CHURN)


def project(exercise: Exercise, **changes: str) -> Submission:
    files = KIND.starter_files(exercise)
    files.update({name.replace("__", "."): text.encode() for name, text in changes.items()})
    return Submission(exercise_id=exercise.id, seed=0, files=files)


def reference(exercise: Exercise) -> Submission:
    return Submission(exercise_id=exercise.id, seed=0, files=KIND.reference_files(exercise))


def test_the_view_shows_the_project_files_and_never_the_hidden_ones(churn: Exercise) -> None:
    view = KIND.render(churn, churn.variant(0))
    assert view.input_kind == "files"
    paths = {f["path"]: f["editable"] for f in view.fields["files"]}
    assert paths == {"pipeline.py": True, "EXPLANATION.md": True}
    dumped = view.model_dump_json()
    assert "noise_rows" not in dumped
    assert "retention_offer_sent is set during the month" not in dumped  # the reference's
    assert view.fields["limits"] == {"cpu_s": 20.0, "memory_mb": 1024}


def test_holdout_labels_never_enter_the_sandbox(churn: Exercise) -> None:
    data = dataset(churn, churn.variant(0))
    assert sorted(p.name for p in data.grade_dir.iterdir()) == ["holdout.csv", "train.csv"]
    assert "churned" not in (data.grade_dir / "holdout.csv").read_text().splitlines()[0]
    assert sorted(p.name for p in data.public_dir.iterdir()) == ["train.csv"]


def test_the_reference_scores_high_with_numbers_as_evidence(churn: Exercise) -> None:
    grade = KIND.grade(churn, churn.variant(0), reference(churn))
    assert grade.outcome is Outcome.GRADED
    assert grade.score >= 0.9
    auc = grade.criteria[0]
    assert "ROC-AUC on 1500 hidden holdout rows" in auc.evidence[0]
    assert any("cgroup" in n for n in grade.notes)


def test_the_leaky_starter_scores_low_and_the_permutation_test_names_the_column(
    churn: Exercise,
) -> None:
    grade = KIND.grade(churn, churn.variant(0), project(churn))
    assert grade.score <= 0.3
    leak = next(c for c in grade.criteria if c.name.startswith("No dependence"))
    assert leak.points == 0
    assert "'retention_offer_sent'" in leak.evidence[0]


def test_writing_to_the_data_mount_is_refused_and_scores_zero_with_the_reason(
    churn: Exercise,
) -> None:
    source = KIND.reference_files(churn)["pipeline.py"].decode()
    source += ("\ntry:\n    open('/data/holdout.csv', 'w').write('x')\n"
               "except OSError:\n    pass\n")
    grade = KIND.grade(churn, churn.variant(0), project(churn, pipeline__py=source))
    assert grade.outcome is Outcome.GRADED
    assert grade.score == 0
    assert any("CHEATING CAUGHT" in n and "/data/holdout.csv" in n for n in grade.notes)
    assert all("/data" not in f for f in grade.feedback)
    data = dataset(churn, churn.variant(0))
    assert "customer_id" in (data.grade_dir / "holdout.csv").read_text()[:100]


def test_probing_for_label_files_is_caught(churn: Exercise) -> None:
    source = KIND.reference_files(churn)["pipeline.py"].decode()
    source += ("\nimport os\nfor name in ('holdout_labels.csv', 'labels.csv'):\n"
               "    if os.path.exists('/data/' + name):\n"
               "        LABELS = open('/data/' + name).read()\n"
               "try:\n    open('/data/holdout_labels.csv')\nexcept OSError:\n    pass\n")
    grade = KIND.grade(churn, churn.variant(0), project(churn, pipeline__py=source))
    assert grade.score == 0
    assert any("holdout labels are never in the sandbox" in n for n in grade.notes)


def test_a_crashing_project_is_graded_with_its_traceback_not_an_error(churn: Exercise) -> None:
    grade = KIND.grade(churn, churn.variant(0),
                       project(churn, pipeline__py="def fit(t):\n    raise ValueError('boom')\n"
                               "def predict(m, x):\n    return []\n"))
    assert grade.outcome is Outcome.GRADED
    assert grade.score < 0.1
    assert any("boom" in f for f in grade.feedback)


def test_an_empty_submission_is_not_gradable(churn: Exercise) -> None:
    grade = KIND.grade(churn, churn.variant(0), Submission(exercise_id=churn.id, seed=0))
    assert grade.outcome is Outcome.NOT_GRADABLE


def test_a_one_file_answer_replaces_the_starter_file(churn: Exercise, tmp_path: Path) -> None:
    path = tmp_path / "pipeline.py"
    path.write_bytes(KIND.reference_files(churn)["pipeline.py"])
    submission = KIND.read_submission(churn, churn.variant(0), path)
    grade = KIND.grade(churn, churn.variant(0), submission)
    assert grade.outcome is Outcome.GRADED
    # everything but the explanation (still the starter's placeholder)
    assert 0.6 <= grade.score < 0.9


def test_the_trial_runs_on_public_data_and_streams_its_log_live(churn: Exercise) -> None:
    lines: list[str] = []
    result = KIND.trial(churn, churn.variant(0), reference(churn), log=lines.append)
    assert result is not None
    assert result.passed is None
    assert result.summary.startswith("finished")
    assert any(line.startswith("validation ROC-AUC:") for line in lines)
    assert "validation ROC-AUC" in result.log


def test_grading_is_deterministic(churn: Exercise) -> None:
    first = KIND.grade(churn, churn.variant(0), reference(churn))
    second = KIND.grade(churn, churn.variant(0), reference(churn))
    assert first.score == second.score
    assert [c.points for c in first.criteria] == [c.points for c in second.criteria]


def test_the_cli_grades_a_project_directory(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "proj"
    shutil.copytree(builtin_bank_dir() / CHURN / "hidden" / "reference", target)
    out = subprocess.run([sys.executable, "-m", "hireloop", "grade", "--json", CHURN,
                          str(target)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["score"] >= 0.9
