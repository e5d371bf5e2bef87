"""`hireloop eval answers`: clear errors for bad files; metrics overall and per split."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hireloop.nlp.evaluation import (
    EvalFileError,
    macro_f1,
    pearson,
    quadratic_weighted_kappa,
    read_rows,
)

HEADER = "question_id\tquestion\treference_answer\tstudent_answer\tscore\tlabel\tsplit\n"
QUESTIONS = {
    "q1": ("What does a validation set do?", "It estimates performance on unseen data."),
    "q2": ("Why scale features?", "So features with large ranges do not dominate distances."),
    "q3": ("What is a false positive?", "A negative case that the model predicts positive."),
}
ANSWERS = {
    "q1": [("It tells you how the model does on data it has not seen.", 5, "correct"),
           ("It estimates how well the model works on new data.", 4, "correct"),
           ("It is used for training the weights.", 1, "incorrect"),
           ("I don't know.", 0, "incorrect")],
    "q2": [("Otherwise a feature with a huge range dominates the distance.", 5, "correct"),
           ("Large-valued features would dominate distance calculations.", 4, "correct"),
           ("To make the model train on more data.", 1, "incorrect"),
           ("No idea.", 0, "incorrect")],
    "q3": [("The model says positive but the case is really negative.", 5, "correct"),
           ("A negative example predicted as positive by the model.", 5, "correct"),
           ("A positive case the model misses.", 1, "incorrect"),
           ("I don't know.", 0, "incorrect")],
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def good_file(tmp_path: Path) -> Path:
    lines = [HEADER]
    for i, (qid, (question, reference)) in enumerate(QUESTIONS.items()):
        for answer, score, label in ANSWERS[qid]:
            split = "train" if i < 2 else "test"
            lines.append(f"{qid}\t{question}\t{reference}\t{answer}\t{score}\t{label}\t{split}\n")
    return write(tmp_path, "".join(lines))


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hireloop", "eval", "answers", *args],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "question_id\tquestion\tstudent_answer\tscore\nq\tQ?\tA\t1\n")
    with pytest.raises(EvalFileError, match=r"missing column\(s\) reference_answer"):
        read_rows(path)


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="the file is empty"):
        read_rows(write(tmp_path, ""))
    with pytest.raises(EvalFileError, match="header but no answers"):
        read_rows(write(tmp_path, HEADER))


def test_a_non_numeric_score_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + "q\tQ?\tR\tA\tfive\tcorrect\ttrain\n")
    with pytest.raises(EvalFileError, match="line 2: score 'five' is not a number"):
        read_rows(path)


def test_broken_quoting_is_reported_not_misread(tmp_path: Path) -> None:
    path = write(tmp_path, HEADER + 'q\tQ?\tR\t"an unclosed quote\t3\tcorrect\ttrain\n'
                 "q\tQ?\tR\tfine\t2\tcorrect\ttrain\n")
    with pytest.raises(EvalFileError, match=r"line [0-9]+: .*(quote|fields)"):
        read_rows(path)


def test_the_cli_reports_metrics_overall_and_per_split_as_json(tmp_path: Path) -> None:
    result = run_cli(str(good_file(tmp_path)), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"n", "pearson", "spearman", "rmse", "qwk", "macro_f1", "accuracy"} <= set(
        report["overall"])
    assert set(report["splits"]) == {"train", "test"}
    assert report["overall"]["n"] == 12
    assert report["overall"]["pearson"] > 0.5


def test_the_cli_cross_validates_and_trains_on_a_split(tmp_path: Path) -> None:
    path = good_file(tmp_path)
    cv = json.loads(run_cli(str(path), "--cv", "3", "--json").stdout)
    assert cv["mode"].startswith("3-fold")
    trained = json.loads(run_cli(str(path), "--train-split", "train", "--json").stdout)
    assert set(trained["splits"]) == {"test"}
    bad = run_cli(str(path), "--train-split", "nope")
    assert bad.returncode == 2
    assert "no rows of split 'nope'" in bad.stderr


def test_the_cli_gives_a_clear_error_for_a_bad_file(tmp_path: Path) -> None:
    result = run_cli(str(write(tmp_path, "a\tb\n1\t2\n")))
    assert result.returncode == 2
    assert "missing column(s)" in result.stderr


def test_metrics_are_right_on_known_values() -> None:
    import numpy as np

    a = np.array([1.0, 2.0, 3.0, 4.0])
    assert pearson(a, a) == pytest.approx(1.0)
    assert quadratic_weighted_kappa(a, a) == pytest.approx(1.0)
    assert macro_f1(["x", "y", "x"], ["x", "y", "y"]) == pytest.approx((2 / 3 + 2 / 3) / 2)
