"""`hireloop practice` end to end in a real terminal (pexpect drives a pty)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import WriteExercise


@pytest.fixture
def practice_env(write_exercise: WriteExercise, bank_root: Path, tmp_path: Path) -> dict[str, str]:
    write_exercise("debugging/leaky-split")
    return {**os.environ, "HIRELOOP_BANK_DIRS": str(bank_root), "HIRELOOP_BUILTIN_BANK": "false",
            "HIRELOOP_DATA_DIR": str(tmp_path / "data"), "COLUMNS": "120", "LINES": "50",
            "TERM": "xterm"}


def spawn(env: dict[str, str], *args: str) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "hireloop", "practice", *args], env=env,
                          encoding="utf-8", timeout=60, dimensions=(50, 120))


def test_practice_a_choice_exercise_shows_grade_evidence_and_progress(
    practice_env: dict[str, str],
) -> None:
    child = spawn(practice_env, "--exercise", "debugging/leaky-split", "--seed", "4")
    child.expect("Which split leaks\\?")
    child.expect("Split by user id")
    child.expect("Your answer")
    child.sendline("a")
    child.expect("Score 0%")
    child.expect("chose a: Random split of rows")
    child.expect("The correct answer: b")
    child.expect("Your progress by competency")
    child.expect("ml-debugging")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    # A second session remembers the first: progress now counts two attempts.
    child = spawn(practice_env, "--competency", "ml-debugging", "--count", "1", "--seed", "1")
    child.expect("Your answer")
    child.sendline("b")
    child.expect("Score 100%")
    child.expect(r"ml-debugging\s+│\s+2\s+│\s+50%")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_practice_with_an_unknown_competency_says_which_exist(
    practice_env: dict[str, str],
) -> None:
    child = spawn(practice_env, "--competency", "astrology")
    child.expect("unknown competency 'astrology'; one of: ml-foundations")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2


def test_practice_of_an_unknown_exercise_is_a_clear_error(
    practice_env: dict[str, str], write_exercise: WriteExercise, bank_root: Path,
) -> None:
    child = spawn(practice_env, "--exercise", "no/such-exercise")
    child.expect("no exercise 'no/such-exercise'")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
