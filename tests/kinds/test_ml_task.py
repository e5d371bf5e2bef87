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


def test_only_public_training_data_is_ever_mounted(churn: Exercise) -> None:
    data = dataset(churn, churn.variant(0))
    assert sorted(p.name for p in data.public_dir.iterdir()) == ["train.csv"]
    # the holdout's features are sent to the project by the host, table by table; its labels
    # stay in the host's memory
    assert sorted(data.holdout) == ["holdout.csv"]
    assert "churned" not in data.holdout["holdout.csv"].decode().splitlines()[0]
    assert len(data.secret["labels"]) == 4000


def test_no_phase_of_a_grade_can_find_the_holdout_or_its_labels_in_a_file(
    churn: Exercise,
) -> None:
    # The project reads every file it can reach (but the system's and Python's, where no
    # data is written) in training and in prediction, looking for the holdout table's first
    # row and for the labels written out (spelt in hex in its own source, so that it does not
    # find itself), and fails loudly if it finds either.
    data = dataset(churn, churn.variant(0))
    first_row = data.holdout["holdout.csv"].decode().splitlines()[1]
    labels = [str(v) for v in data.secret["labels"][:40]]
    needles = [first_row.encode(), ",".join(labels).encode(), "\n".join(labels).encode()]
    search = (
        "import os, sys\n"
        f"NEEDLES = [bytes.fromhex(h) for h in {[n.hex() for n in needles]!r}]\n"
        "SKIP = ('/proc', '/sys', '/dev', '/usr', sys.prefix, sys.base_prefix)\n"
        "def look():\n"
        "    for root, dirs, files in os.walk('/'):\n"
        "        if root.startswith(SKIP):\n"
        "            dirs[:] = []\n"
        "            continue\n"
        "        for name in files:\n"
        "            try:\n"
        "                data = open(os.path.join(root, name), 'rb').read(50_000_000)\n"
        "            except OSError:\n"
        "                continue\n"
        "            if any(n in data for n in NEEDLES):\n"
        "                raise RuntimeError('FOUND ' + os.path.join(root, name))\n\n")
    source = KIND.reference_files(churn)["pipeline.py"].decode()
    source = source.replace("def fit(train):\n", search + "def fit(train):\n    look()\n", 1)
    source = source.replace("def predict(model, customers):\n",
                            "def predict(model, customers):\n    look()\n", 1)
    assert source.count("    look()\n") == 2
    grade = KIND.grade(churn, churn.variant(0), project(churn, pipeline__py=source))
    assert grade.outcome is Outcome.GRADED
    assert "FOUND" not in " ".join(grade.notes + grade.feedback)
    assert grade.criteria[0].points == grade.criteria[0].max_points  # it trained and predicted


def test_the_reference_scores_high_with_numbers_as_evidence(churn: Exercise) -> None:
    grade = KIND.grade(churn, churn.variant(0), reference(churn))
    assert grade.outcome is Outcome.GRADED
    assert grade.score >= 0.9
    auc = grade.criteria[0]
    assert "ROC-AUC on 4000 hidden holdout rows" in auc.evidence[0]
    assert any("cgroup" in n for n in grade.notes)


def test_the_leaky_starter_scores_low_and_the_permutation_test_names_the_column(
    churn: Exercise,
) -> None:
    grade = KIND.grade(churn, churn.variant(0), project(churn))
    assert grade.score <= 0.3
    leak = next(c for c in grade.criteria if c.name.startswith("No dependence"))
    assert leak.points == 0
    assert "'retention_offer_sent'" in leak.evidence[0]


def test_the_data_mount_is_read_only_and_the_scored_data_is_never_in_it(
    churn: Exercise,
) -> None:
    # the starter, plus a fit that tries to make the data easy and a predict that looks for
    # label files next to the data: neither changes anything
    source = KIND.starter_files(churn)["pipeline.py"].decode().replace(
        "def fit(train):\n",
        "def fit(train):\n"
        "    for name in ('train.csv', 'holdout.csv'):\n"
        "        try:\n"
        "            open('/data/' + name, 'w').write('x')\n"
        "        except OSError as exc:\n"
        "            print('refused:', exc)\n", 1).replace(
        "def predict(model, customers):\n",
        "def predict(model, customers):\n"
        "    import os\n"
        "    for name in ('holdout_labels.csv', 'labels.csv', 'holdout.csv'):\n"
        "        assert not os.path.exists('/data/' + name), name\n", 1)
    tampering = KIND.grade(churn, churn.variant(0), project(churn, pipeline__py=source))
    plain = KIND.grade(churn, churn.variant(0), project(churn))
    assert tampering.outcome is Outcome.GRADED
    assert [c.points for c in tampering.criteria] == [c.points for c in plain.criteria]
    assert (dataset(churn, churn.variant(0)).public_dir / "train.csv").read_text()[:11] \
        == "customer_id"


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


AUTOML = "ml_task/automl-budget"
ATTRIBUTION = "ml_task/segment-attribution"
RAG = "ml_task/rag-retriever"


def exercise_named(name: str) -> Exercise:
    return load_bank([builtin_bank_dir()]).get(name)


def test_cpu_burned_in_a_child_process_counts_against_the_budget() -> None:
    automl = exercise_named(AUTOML)
    # a quick model, plus a child process that burns ~6.5 CPU-seconds outside this process
    source = (
        "import subprocess, sys\n"
        "from sklearn.ensemble import HistGradientBoostingClassifier\n"
        "BURN = 'import time\\nt = time.process_time()\\nwhile time.process_time() - t < 6.5:"
        "\\n    pass\\n'\n\n"
        "def features(frame):\n"
        "    return frame[[c for c in frame.columns if c.startswith('f')]]\n\n"
        "def fit(train):\n"
        "    subprocess.run([sys.executable, '-c', BURN], check=True)\n"
        "    return HistGradientBoostingClassifier(random_state=0).fit(features(train),"
        " train['approved'])\n\n"
        "def predict(model, rows):\n"
        "    return model.predict_proba(features(rows))[:, 1]\n")
    grade = KIND.grade(automl, automl.variant(0), project(automl, search__py=source))
    assert grade.outcome is Outcome.GRADED
    auc, budget = grade.criteria
    assert auc.points == auc.max_points  # it finished, with a good model
    assert budget.points == 0
    cpu = float(budget.evidence[0].split()[1])
    assert cpu > 7
    assert "cgroup accounting, outside the process" in budget.evidence[0]


def test_the_reference_search_stays_within_the_budget() -> None:
    automl = exercise_named(AUTOML)
    grade = KIND.grade(automl, automl.variant(0), reference(automl))
    budget = grade.criteria[1]
    assert budget.points == budget.max_points
    assert float(budget.evidence[0].split()[1]) <= 7


def test_a_segment_metric_scores_only_the_segments_rows_and_a_custom_check_reads_the_project(
) -> None:
    attribution = exercise_named(ATTRIBUTION)
    data = dataset(attribution, attribution.variant(0))
    partner = data.secret["segments"]["partner"]
    holdout = data.holdout["holdout.csv"].decode().splitlines()
    column = holdout[0].split(",").index("channel")
    assert {holdout[i + 1].split(",")[column] for i in partner} == {"partner"}
    grade = KIND.grade(attribution, attribution.variant(0), reference(attribution))
    assert grade.score >= 0.9
    segment, overall, finding, _ = grade.criteria
    assert f"segment 'partner' on {len(partner)} hidden holdout rows" in segment.evidence[0]
    assert "on 8000 hidden holdout rows" in overall.evidence[0]
    assert finding.points == finding.max_points
    wrong = KIND.reference_files(attribution)
    wrong["finding.toml"] = b'feature = "income_k"\n'
    graded = KIND.grade(attribution, attribution.variant(0), Submission(
        exercise_id=attribution.id, seed=0, files=wrong))
    finding = graded.criteria[2]
    assert finding.points == 0
    assert "'income_k'" in finding.evidence[0]
    assert data.secret["feature"] not in finding.feedback  # the answer stays hidden


def test_a_retriever_gets_the_shipped_embedding_model_and_is_scored_by_recall_at_5() -> None:
    rag = exercise_named(RAG)
    data = dataset(rag, rag.variant(0))
    assert sorted(p.name for p in data.public_dir.iterdir()) == [
        "docs.jsonl", "example_queries.jsonl", "minilm-tokenizer.json"]
    assert "relevant" not in data.holdout["queries.jsonl"].decode()
    grade = KIND.grade(rag, rag.variant(0), reference(rag))
    assert grade.score >= 0.9
    assert "recall@5 on segment 'real' on 45 hidden holdout rows" in \
        grade.criteria[0].evidence[0]
    churn_data = dataset(exercise_named(CHURN), exercise_named(CHURN).variant(0))
    assert not (churn_data.public_dir / "minilm-tokenizer.json").exists()


def test_a_retriever_that_returns_a_leaked_answer_key_is_caught_by_the_decoy_queries() -> None:
    rag = exercise_named(RAG)
    relevant = dataset(rag, rag.variant(0)).secret["relevant"]
    source = (f"ANSWERS = {relevant!r}\nASKED = []\n\n"
              "def build(docs):\n    return None\n\n"
              "def search(index, query, k):\n    ASKED.append(query)\n"
              "    return ANSWERS[len(ASKED) - 1]\n")
    grade = KIND.grade(rag, rag.variant(0), project(rag, retriever__py=source))
    assert grade.score == 0
    assert any(n.startswith("CHEATING CAUGHT") and "decoy queries" in n for n in grade.notes)


def _ratio_credit(check: str, against_value: float, mine: float,
                  zero_ratio: float | None = None) -> float:
    from hireloop.kinds.ml_task.grader import Context, Measured, _score
    from hireloop.kinds.ml_task.spec import CriterionSpec

    spec = CriterionSpec(name="faster", check=check, against="starter", min_ratio=3,
                         zero_ratio=zero_ratio, points=4)

    def measured(value: float) -> Measured:
        return (Measured(latency_p95_s=value, serve_cpu_s=1.0) if check == "latency"
                else Measured(model_bytes=int(value)))

    ctx = Context(exercise=None, variant=None,  # type: ignore[arg-type]
                  task={}, secret={}, files={}, starter={}, candidate=measured(mine),
                  compared={"starter": measured(against_value)})
    return _score(spec, ctx)[0]


def test_a_latency_gain_within_the_measuring_noise_earns_nothing_but_a_real_one_does() -> None:
    # the same model served against itself lands up to ~1.03x apart: no credit below 1.25x
    assert _ratio_credit("latency", 0.0110, 0.0100) == 0
    assert _ratio_credit("latency", 0.0125, 0.0100) == 0
    assert _ratio_credit("latency", 0.02125, 0.0100) == pytest.approx(0.5)  # half way to 3x
    assert _ratio_credit("latency", 0.0300, 0.0100) == 1
    # an author can set the floor explicitly
    assert _ratio_credit("latency", 0.0200, 0.0100, zero_ratio=1.0) == pytest.approx(0.5)


def test_model_size_is_exact_so_its_partial_credit_starts_at_no_change() -> None:
    assert _ratio_credit("size", 1000, 1000) == 0
    assert _ratio_credit("size", 2000, 1000) == pytest.approx(0.5)
    assert _ratio_credit("size", 4000, 1000) == 1


def test_a_zero_ratio_at_or_above_the_target_or_on_another_check_is_refused() -> None:
    from pydantic import ValidationError

    from hireloop.kinds.ml_task.spec import CriterionSpec

    with pytest.raises(ValidationError, match="must be below min_ratio"):
        CriterionSpec(name="faster", check="latency", against="starter", min_ratio=3, zero_ratio=3,
                      points=1)
    with pytest.raises(ValidationError, match="latency and size criteria only"):
        CriterionSpec(name="faster", check="metric", metric="accuracy", threshold=0.7, zero_ratio=2,
                      points=1)
