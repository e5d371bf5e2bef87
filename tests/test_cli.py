"""The command line: stable JSON for scripts, clear errors, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHOICE_TOML, WriteExercise


def hireloop(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
             input: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "hireloop", *args], capture_output=True,
                          text=True, cwd=cwd, env=full_env, input=input, timeout=120)


@pytest.fixture
def private_env(tmp_path: Path) -> dict[str, str]:
    return {"HIRELOOP_DATA_DIR": str(tmp_path / "data")}


def test_bank_list_json_has_the_stable_keys(private_env: dict[str, str]) -> None:
    result = hireloop("bank", "list", "--json", env=private_env)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows
    for row in rows:
        assert {"id", "kind", "title", "competencies", "level", "variants"} <= set(row)
        assert isinstance(row["variants"], bool)


def test_bank_list_filters_by_kind_and_rejects_an_unknown_competency(
    private_env: dict[str, str],
) -> None:
    rows = json.loads(hireloop("bank", "list", "--kind", "choice", "--json",
                               env=private_env).stdout)
    assert rows
    assert {r["kind"] for r in rows} == {"choice"}
    bad = hireloop("bank", "list", "--competency", "astrology", env=private_env)
    assert bad.returncode == 2
    assert "unknown competency 'astrology'" in bad.stderr


def test_bank_check_json_on_a_broken_exercise_exits_1_with_its_error(
    write_exercise: WriteExercise,
) -> None:
    directory = write_exercise(files={"exercise.toml": CHOICE_TOML.replace(
        'level = "mid"', 'level = "middle"')})
    result = hireloop("bank", "check", "--json", str(directory))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    [exercise] = report["exercises"]
    assert exercise["id"] == "debugging/leaky-split"
    assert exercise["ok"] is False
    assert any("level:" in e and "'middle'" in e for e in exercise["errors"])


def test_bank_check_runs_samples_and_reports_each(write_exercise: WriteExercise) -> None:
    directory = write_exercise()
    result = hireloop("bank", "check", "--json", str(directory))
    assert result.returncode == 0, result.stdout
    report = json.loads(result.stdout)
    samples = report["exercises"][0]["samples"]
    assert [(s["name"], s["ok"], s["skipped"]) for s in samples] == [
        ("right", True, False), ("empty", True, False)]
    assert {"name", "expected", "got", "ok", "skipped"} <= set(samples[0])


def test_a_sample_that_misses_its_band_fails_the_check(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"samples/right.txt": "a\n"})
    result = hireloop("bank", "check", str(directory))
    assert result.returncode == 1
    assert "expected score 1; got graded, score 0.000" in result.stdout.replace("\n", " ")


def test_grade_json_has_the_stable_keys(write_exercise: WriteExercise, tmp_path: Path) -> None:
    directory = write_exercise()
    answer = tmp_path / "answer.txt"
    answer.write_text("b")
    result = hireloop("grade", str(directory), str(answer), "--json")
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["score"] == 1.0
    assert grade["outcome"] == "graded"
    assert grade["grader"] == "choice@1"
    assert {"name", "points", "max_points", "evidence"} <= set(grade["criteria"][0])
    assert isinstance(grade["feedback"], list)


def test_grade_an_empty_answer_is_not_gradable(write_exercise: WriteExercise,
                                               tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("")
    result = hireloop("grade", str(write_exercise()), str(answer), "--json")
    grade = json.loads(result.stdout)
    assert (grade["outcome"], grade["message"]) == ("not_gradable", "no answer was given")


def test_grade_unknown_exercise_and_missing_file_are_clear_errors(
    private_env: dict[str, str], tmp_path: Path,
) -> None:
    answer = tmp_path / "a.txt"
    answer.write_text("b")
    unknown = hireloop("grade", "nope/nothing", str(answer), env=private_env)
    assert unknown.returncode == 2
    assert "no exercise 'nope/nothing'" in unknown.stderr
    missing = hireloop("grade", "nope/nothing", str(tmp_path / "missing.txt"), env=private_env)
    assert "no such file or directory" in missing.stderr


def test_bank_show_json_is_the_candidate_view_without_hidden_parts(
    write_exercise: WriteExercise,
) -> None:
    result = hireloop("bank", "show", str(write_exercise()), "--json")
    view = json.loads(result.stdout)
    assert view["fields"]["options"][0]["id"] in {"a", "b"}
    assert "leak identity" not in result.stdout  # the key's explanation


def test_every_command_has_help() -> None:
    for args in (["--help"], ["bank", "--help"], ["bank", "check", "--help"],
                 ["bank", "list", "--help"], ["grade", "--help"], ["practice", "--help"],
                 ["loop", "list", "--help"], ["progress", "--help"], ["kinds", "--help"]):
        result = hireloop(*args)
        assert result.returncode == 0, args
        assert "Usage" in result.stdout
