"""Loops: stages of exercises by id or by pick; validated against the bank; resolved per seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from hireloop.bank.loops import check_loop, load_loop, resolve_loop
from tests.conftest import WriteExercise, load


def write_loop(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "screen.toml"
    path.write_text('title = "Screen"\nrole = "ML engineer"\n' + body)
    return path


def test_a_loop_by_id_and_pick_resolves_deterministically(
    write_exercise: WriteExercise, bank_root: Path, tmp_path: Path,
) -> None:
    for i in range(4):
        write_exercise(f"debugging/split-{i}")
    bank = load([bank_root])
    loaded = load_loop(write_loop(tmp_path, """
[[stage]]
name = "Quiz"
minutes = 10
exercises = ["debugging/split-0"]
[[stage.pick]]
count = 2
competency = "ml-debugging"
"""))
    assert check_loop(loaded, bank) == []
    assert loaded.loop is not None
    plan = resolve_loop(loaded.loop, bank, seed=5)
    ids = [e.exercise_id for e in plan[0].exercises]
    assert ids[0] == "debugging/split-0"
    assert len(set(ids)) == 3
    assert plan == resolve_loop(loaded.loop, bank, seed=5)
    assert any(resolve_loop(loaded.loop, bank, seed=s) != plan for s in range(6, 20))


def test_a_loop_asking_for_more_than_the_bank_has_names_the_pick(
    write_exercise: WriteExercise, bank_root: Path, tmp_path: Path,
) -> None:
    write_exercise()
    bank = load([bank_root])
    loaded = load_loop(write_loop(tmp_path, """
[[stage]]
name = "Quiz"
minutes = 10
exercises = ["debugging/missing"]
[[stage.pick]]
count = 3
competency = "ethics"
"""))
    messages = [str(e) for e in check_loop(loaded, bank)]
    assert any("'debugging/missing' is not in the bank" in m for m in messages)
    assert any("stage[0] 'Quiz'.pick[0]: asks for 3 × ethics but the bank has 0" in m
               for m in messages)


def test_a_stage_without_exercises_and_an_unknown_key_are_errors(tmp_path: Path) -> None:
    loaded = load_loop(write_loop(tmp_path, """
colour = "blue"
[[stage]]
name = "Empty"
minutes = 10
"""))
    messages = [str(e) for e in loaded.errors]
    assert any("colour: unknown key" in m for m in messages)
    assert any("stage[0]: a stage needs `exercises`" in m for m in messages)


def test_the_pass_rule_and_weights_decide_the_recommendation(tmp_path: Path) -> None:
    loaded = load_loop(write_loop(tmp_path, """
[pass_rule]
min_overall = 0.6
min_stage = 0.3
[[stage]]
name = "A"
minutes = 5
weight = 3
exercises = ["x/y"]
[[stage]]
name = "B"
minutes = 5
weight = 1
exercises = ["x/z"]
"""))
    loop = loaded.loop
    assert loop is not None
    assert loop.overall([0.8, 0.2]) == pytest.approx(0.65)
    assert not loop.pass_rule.passes(0.65, [0.8, 0.2])
    assert loop.pass_rule.passes(loop.overall([0.7, 0.4]), [0.7, 0.4])
