"""`hireloop grade` flags copies of an exercise's own solutions; `hireloop similarity` pairs
submissions. Through the real command, the real bank and the real sandbox."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hireloop.config import builtin_bank_dir
from tests.integrity.conftest import INDEPENDENT
from tests.integrity.disguise import disguise
from tests.test_cli import hireloop

EDIT_DISTANCE = builtin_bank_dir() / "coding" / "edit-distance"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HIRELOOP_DATA_DIR": str(tmp_path / "data")}


def test_grade_flags_a_disguised_copy_of_the_reference_and_keeps_its_score(
    tmp_path: Path, env: dict[str, str],
) -> None:
    """Renamed names, docstrings dropped, re-printed: still the reference, and flagged."""
    copy = tmp_path / "solution.py"
    copy.write_text(disguise((EDIT_DISTANCE / "hidden" / "reference.py").read_text(),
                             "edit_distance", "stripped", seed=5))
    assert "previous" not in copy.read_text()
    assert '"""' not in copy.read_text()
    result = hireloop("grade", "coding/edit-distance", str(copy), "--json", env=env)
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["outcome"] == "graded"
    assert grade["score"] == 1.0
    flags = [f for f in grade["flags"] if f["code"] == "matches_reference"]
    assert len(flags) == 1
    flag = flags[0]
    assert set(flag) >= {"code", "detail", "similarity", "method", "other", "regions"}
    assert flag["similarity"] >= 0.5
    assert flag["other"] == {"role": "reference",
                                                            "name": "hidden/reference.py"}
    text = copy.read_text()
    assert any("min(" in text[r["a"]["start"]:r["a"]["end"]] for r in flag["regions"])


@pytest.mark.parametrize("name", ["full_table.py", "one_row.py"])
def test_grade_does_not_flag_an_independently_written_correct_solution(
    name: str, env: dict[str, str],
) -> None:
    result = hireloop("grade", "coding/edit-distance", str(INDEPENDENT / "edit-distance" / name),
                      "--json", env=env)
    assert result.returncode == 0, result.stderr
    grade = json.loads(result.stdout)
    assert grade["score"] == 1.0  # correct: every hidden case passes
    assert grade["flags"] == []


def test_known_solutions_listed_by_the_author_are_compared(
    tmp_path: Path, env: dict[str, str],
) -> None:
    bank = tmp_path / "bank"
    exercise = bank / "coding" / "edit-distance"
    shutil.copytree(EDIT_DISTANCE, exercise)
    (bank / "bank.toml").write_text("")
    leaked = (INDEPENDENT / "edit-distance" / "memo_dict.py").read_text()
    (exercise / "hidden" / "leaked_a.py").write_text(leaked)
    toml = exercise / "exercise.toml"
    toml.write_text(toml.read_text().replace(
        'tags = [', 'known_solutions = ["hidden/leaked_a.py"]\ntags = ['))
    copy = tmp_path / "answer.py"
    copy.write_text(disguise(leaked, "edit_distance", "reordered", seed=2))
    result = hireloop("grade", str(exercise), str(copy), "--json", env=env)
    assert result.returncode == 0, result.stderr
    flags = json.loads(result.stdout)["flags"]
    assert [f["code"] for f in flags] == ["matches_known_solution"]
    assert flags[0]["other"]["name"] == "hidden/leaked_a.py"


def test_a_known_solution_outside_hidden_is_refused_with_the_field_named(
    tmp_path: Path, env: dict[str, str],
) -> None:
    bank = tmp_path / "bank"
    exercise = bank / "coding" / "edit-distance"
    shutil.copytree(EDIT_DISTANCE, exercise)
    (bank / "bank.toml").write_text("")
    toml = exercise / "exercise.toml"
    toml.write_text(toml.read_text().replace(
        'tags = [', 'known_solutions = ["starter.py", "hidden/missing.py"]\ntags = ['))
    result = hireloop("bank", "check", str(exercise), "--json", env=env)
    assert result.returncode == 1
    errors = json.loads(result.stdout)["exercises"][0]["errors"]
    assert any("known_solutions" in e and "hidden/" in e for e in errors), errors


def test_similarity_pairs_submissions_and_names_the_matched_lines(
    tmp_path: Path, env: dict[str, str],
) -> None:
    reference = (EDIT_DISTANCE / "hidden" / "reference.py").read_text()
    (tmp_path / "ada.py").write_text(disguise(reference, "edit_distance", "renamed", 1))
    (tmp_path / "bo.py").write_text(disguise(reference, "edit_distance", "reordered", 2))
    shutil.copy(INDEPENDENT / "edit-distance" / "one_row.py", tmp_path / "cy.py")
    paths = [str(tmp_path / n) for n in ("ada.py", "bo.py", "cy.py")]
    result = hireloop("similarity", "coding/edit-distance", *paths, "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    pairs = {(Path(p["a"]).name, p["b"] if p["b_role"] != "submission" else Path(p["b"]).name)
             for p in report["pairs"]}
    assert {("ada.py", "bo.py"), ("ada.py", "hidden/reference.py"),
            ("bo.py", "hidden/reference.py")} <= pairs
    assert not any("cy.py" in p for p in pairs)
    assert all(p["regions"] and p["similarity"] >= report["threshold"] for p in report["pairs"])
    text = hireloop("similarity", "coding/edit-distance", *paths, env=env)
    assert "lines" in text.stdout
    assert "ada.py" in text.stdout


def test_grade_flags_a_reworded_copy_of_a_text_reference_but_not_an_own_answer(
    tmp_path: Path, env: dict[str, str],
) -> None:
    """Prose: sentences shuffled, words swapped, a sentence in five dropped; an answer of the
    candidate's own words (the bank's partial sample) is not flagged."""
    import tomllib

    from tests.integrity.disguise import disguise_prose

    exercise = builtin_bank_dir() / "ethics" / "credit-disparate-impact"
    reference = tomllib.loads((exercise / "hidden" / "rubric.toml").read_text())[
        "reference_answer"]
    copy = tmp_path / "answer.md"
    copy.write_text(disguise_prose(reference, "edited", seed=4))
    result = hireloop("grade", "ethics/credit-disparate-impact", str(copy), "--json", env=env)
    assert result.returncode == 0, result.stderr
    flags = [f for f in json.loads(result.stdout)["flags"] if f["code"].startswith("matches_")]
    assert [f["code"] for f in flags] == ["matches_reference"]
    assert flags[0]["regions"]
    own = hireloop("grade", "ethics/credit-disparate-impact",
                   str(exercise / "samples" / "partial.md"), "--json", env=env)
    assert not [f for f in json.loads(own.stdout)["flags"] if f["code"].startswith("matches_")]
