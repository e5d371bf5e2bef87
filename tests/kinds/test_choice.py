"""The choice kind: single, multiple (all-or-nothing and partial) and numeric answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hireloop.bank import Bank
from hireloop.core import Exercise, Outcome, Submission
from hireloop.kinds.choice import ChoiceKind
from tests.conftest import WriteExercise, load

KIND = ChoiceKind()

MULTIPLE = """\
title = "Leakage checks"
kind = "choice"
competencies = ["ml-debugging"]
level = "mid"
minutes = 3

[choice]
mode = "multiple"
shuffle = true
options = [
  { id = "a", text = "Fit the scaler on train only" },
  { id = "b", text = "Fit the scaler on train + test" },
  { id = "c", text = "Split by user id" },
  { id = "d", text = "Shuffle before a time split" },
]
"""

NUMERIC = """\
title = "Precision from counts"
kind = "choice"
competencies = ["ml-foundations"]
level = "junior"
minutes = 2

[variants.params]
tp = { int = [30, 90] }
fp = { int = [10, 60] }

[choice]
mode = "numeric"
"""


def exercise_from(write: WriteExercise, toml: str, key: str,
                  prompt: str = "Question?\n") -> tuple[Bank, Exercise]:
    directory = write(files={"exercise.toml": toml, "hidden/key.toml": key, "prompt.md": prompt})
    bank = load([directory])
    entry = next(iter(bank.entries.values()))
    assert entry.ok, [str(e) for e in entry.errors]
    assert entry.exercise is not None
    return bank, entry.exercise


def grade(exercise: Exercise, answer: str | None, seed: int = 0):  # type: ignore[no-untyped-def]
    variant = exercise.variant(seed)
    return KIND.grade(exercise, variant,
                      Submission(exercise_id=exercise.id, seed=variant.seed, text=answer))


@pytest.fixture
def single(write_exercise: WriteExercise, bank_root: Path) -> Exercise:
    bank = load([write_exercise()])
    return bank.get("debugging/leaky-split")


def test_single_choice_right_answer_scores_one_with_the_option_as_evidence(
    single: Exercise,
) -> None:
    result = grade(single, "b")
    assert (result.outcome, result.score) == (Outcome.GRADED, 1.0)
    assert result.criteria[0].evidence == ["chose b: Split by user id (correct)"]
    assert result.grader == "choice@1"


def test_single_choice_wrong_answer_scores_zero_and_says_the_right_one(single: Exercise) -> None:
    result = grade(single, "A")
    assert result.score == 0.0
    assert "The correct answer: b." in result.feedback
    assert "Users in both splits leak identity." in result.feedback


@pytest.mark.parametrize(("answer", "message"), [
    ("", "no answer was given"),
    ("   \n", "no answer was given"),
    (None, "no answer was given"),
    ("e", "unknown option 'e'; the options are a, b"),
    ("a, b", "choose exactly one option; got 2"),
])
def test_unusable_answers_are_not_gradable_with_a_reason(
    single: Exercise, answer: str | None, message: str,
) -> None:
    result = grade(single, answer)
    assert result.outcome is Outcome.NOT_GRADABLE
    assert result.message == message


def test_undecodable_bytes_are_not_gradable(single: Exercise) -> None:
    variant = single.variant(0)
    result = KIND.grade(single, variant, Submission(exercise_id=single.id,
                                                    files={"a.txt": b"\xff\xfe"}))
    assert result.outcome is Outcome.NOT_GRADABLE
    assert "UTF-8" in (result.message or "")


@pytest.mark.parametrize(("scoring", "answer", "score"), [
    ("all_or_nothing", "a, c", 1.0),
    ("all_or_nothing", "c a", 1.0),
    ("all_or_nothing", "a", 0.0),
    ("all_or_nothing", "a, c, d", 0.0),
    ("partial", "a, c", 1.0),
    ("partial", "a", 0.5),
    ("partial", "a, c, d", 0.5),
    ("partial", "a, b", 0.0),
    ("partial", "b, d", 0.0),
])
def test_multiple_choice_scoring_rules(
    write_exercise: WriteExercise, scoring: str, answer: str, score: float,
) -> None:
    _, exercise = exercise_from(write_exercise, MULTIPLE,
                                f'correct = ["a", "c"]\nscoring = "{scoring}"\n'
                                '[explain]\nd = "Shuffling first trains on the future."\n')
    result = grade(exercise, answer)
    assert result.score == pytest.approx(score)
    if "d" in answer:
        assert "d: Shuffling first trains on the future." in result.feedback


def test_json_submissions_are_accepted(write_exercise: WriteExercise) -> None:
    _, exercise = exercise_from(write_exercise, MULTIPLE, 'correct = ["a", "c"]\n')
    assert grade(exercise, json.dumps({"selected": ["c", "a"]})).score == 1.0


def test_option_order_is_shuffled_per_seed_but_stable_for_a_seed(
    write_exercise: WriteExercise,
) -> None:
    _, exercise = exercise_from(write_exercise, MULTIPLE, 'correct = ["a", "c"]\n')
    orders = {tuple(i for i, _ in KIND.ordered_options(exercise, exercise.variant(s)))
              for s in range(12)}
    assert len(orders) > 1
    first = KIND.ordered_options(exercise, exercise.variant(3))
    assert first == KIND.ordered_options(exercise, exercise.variant(3))


def test_numeric_answer_follows_the_variant(write_exercise: WriteExercise) -> None:
    _, exercise = exercise_from(
        write_exercise, NUMERIC,
        'answer = "tp / (tp + fp)"\ntolerance = 0.005\n'
        '[[partial]]\ntolerance = 0.05\ncredit = 0.5\n',
        prompt="{{ tp }} of {{ tp + fp }} flagged are fraud. Precision?\n")
    for seed in range(5):
        params = exercise.variant(seed).params
        right = params["tp"] / (params["tp"] + params["fp"])
        assert grade(exercise, f"{right:.3f}", seed).score == 1.0
        assert grade(exercise, f"{right + 0.03:.3f}", seed).score == 0.5
        assert grade(exercise, f"{right + 0.2:.3f}", seed).score == 0.0
        assert str(params["tp"]) in KIND.render(exercise, exercise.variant(seed)).prompt


@pytest.mark.parametrize(("answer", "outcome"), [
    ("0.75", Outcome.GRADED), ("7.5e-1", Outcome.GRADED), ('{"value": 0.75}', Outcome.GRADED),
    ("three quarters", Outcome.NOT_GRADABLE), ("nan", Outcome.NOT_GRADABLE),
    ("0,75", Outcome.NOT_GRADABLE),
])
def test_numeric_answers_must_be_plain_numbers(
    write_exercise: WriteExercise, answer: str, outcome: Outcome,
) -> None:
    _, exercise = exercise_from(write_exercise, NUMERIC.replace(
        "[variants.params]\ntp = { int = [30, 90] }\nfp = { int = [10, 60] }\n", ""),
        "answer = 0.75\nrelative_tolerance = 0.01\n")
    assert grade(exercise, answer).outcome is outcome


def test_a_broken_answer_expression_is_an_error_not_a_zero(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={
        "exercise.toml": NUMERIC, "hidden/key.toml": 'answer = "tp / (fp - fp)"\ntolerance = 0\n',
        "prompt.md": "{{ tp }}\n"})
    bank = load([directory])
    [error] = next(iter(bank.entries.values())).errors
    assert "hidden/key.toml: answer: seed 0:" in str(error)
    assert "division by zero" in str(error)


def test_the_same_answer_gets_the_same_grade_every_time(single: Exercise) -> None:
    grades = {grade(single, "a").model_dump_json() for _ in range(5)}
    assert len(grades) == 1


def test_the_candidate_view_never_contains_the_key(write_exercise: WriteExercise) -> None:
    _, exercise = exercise_from(
        write_exercise, MULTIPLE,
        'correct = ["a", "c"]\nexplanation = "SECRET-EXPLANATION"\n[explain]\nb = "SECRET-B"\n')
    view = KIND.render(exercise, exercise.variant(0)).model_dump_json()
    assert "SECRET" not in view
    assert "correct" not in view
