"""Broken exercise directories: each gives one clear error naming the file and the field."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import CHOICE_TOML, WriteExercise, load


def errors_of(directory: Path) -> list[str]:
    bank = load([directory])
    entries = [*bank.entries.values(), *bank.duplicates]
    assert len(entries) == 1
    return [str(e) for e in entries[0].errors]


def test_a_valid_exercise_loads_with_its_path_as_id(write_exercise: WriteExercise) -> None:
    directory = write_exercise("debugging/leaky-split")
    bank = load([directory])
    assert list(bank.exercises) == ["debugging/leaky-split"]
    assert bank.entries["debugging/leaky-split"].ok


def test_unknown_key_is_one_error_naming_file_and_field(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"exercise.toml": CHOICE_TOML.replace(
        'level = "mid"', 'level = "mid"\ndifficulty = 3')})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert "exercise.toml: difficulty: unknown key" in errors[0]


def test_unknown_key_in_the_kind_table_names_the_table(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"exercise.toml": CHOICE_TOML.replace(
        'mode = "single"', 'mode = "single"\nshufle = true')})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert "exercise.toml: choice.shufle: unknown key" in errors[0]


def test_wrong_type_is_one_error_saying_what_was_expected(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"exercise.toml": CHOICE_TOML.replace(
        "minutes = 2", 'minutes = "two"')})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert "exercise.toml: minutes:" in errors[0]
    assert "integer" in errors[0]
    assert "'two'" in errors[0]


def test_missing_prompt_is_one_error(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"prompt.md": None})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert errors[0].endswith("prompt.md: missing: every exercise needs the candidate's prompt")


def test_empty_prompt_is_an_error(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"prompt.md": "  \n"})
    assert ["prompt.md: is empty" in e for e in errors_of(directory)] == [True]


def test_unknown_competency_is_one_error_listing_the_taxonomy(
    write_exercise: WriteExercise,
) -> None:
    directory = write_exercise(files={"exercise.toml": CHOICE_TOML.replace(
        '["ml-debugging"]', '["ml-debuging"]')})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert "exercise.toml: competencies[0]:" in errors[0]
    assert "'ml-debugging'" in errors[0]
    assert "'ml-debuging'" in errors[0]


def test_sample_without_expectation_is_one_error(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"samples/samples.toml": (
        '[[sample]]\nname = "right"\nfile = "samples/right.txt"\n')})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert "samples/samples.toml: sample[0] 'right': needs an expectation" in errors[0]


def test_sample_pointing_at_a_missing_file_is_an_error(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"samples/right.txt": None})
    errors = errors_of(directory)
    assert len(errors) == 1
    assert "sample[0] 'right'.file: 'samples/right.txt' does not exist" in errors[0]


def test_missing_samples_file_is_an_error(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"samples/samples.toml": None})
    assert ["samples/samples.toml: missing" in e for e in errors_of(directory)] == [True]


def test_duplicate_id_across_two_banks_is_one_error_naming_both(
    write_exercise: WriteExercise, tmp_path: Path,
) -> None:
    first = write_exercise("debugging/leaky-split")
    other_root = tmp_path / "company-bank"
    other_root.mkdir()
    (other_root / "bank.toml").write_text('name = "company"\n')
    second = write_exercise("debugging/leaky-split", root=other_root)
    bank = load([first, second])
    assert list(bank.exercises) == ["debugging/leaky-split"]
    assert len(bank.duplicates) == 1
    [error] = bank.duplicates[0].errors
    assert "duplicate id 'debugging/leaky-split'" in str(error)
    assert str(first.relative_to(first.parents[2])) in str(error) or "bank" in str(error)


def test_invalid_toml_names_the_line(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"exercise.toml": 'title = "x\n'})
    [error] = errors_of(directory)
    assert "exercise.toml: not valid TOML" in error
    assert "line 1" in error


def test_a_symlink_in_an_exercise_is_rejected_and_never_followed(
    write_exercise: WriteExercise, tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    directory = write_exercise()
    os.symlink(secret, directory / "hidden" / "extra.txt")
    errors = errors_of(directory)
    assert any("hidden/extra.txt: symlinks are not allowed" in e for e in errors)


def test_a_template_variable_that_is_not_a_param_is_an_error(
    write_exercise: WriteExercise,
) -> None:
    directory = write_exercise(files={"prompt.md": "A model flags {{ flagged }} rows.\n"})
    [error] = errors_of(directory)
    assert "prompt.md: template error" in error
    assert "'flagged' is undefined" in error


def test_an_id_with_capitals_or_spaces_is_rejected(write_exercise: WriteExercise) -> None:
    directory = write_exercise("debugging/Leaky Split")
    [error] = errors_of(directory)
    assert "id:" in error
    assert "Leaky Split" in error


def test_the_answer_key_is_checked_against_the_options(write_exercise: WriteExercise) -> None:
    directory = write_exercise(files={"hidden/key.toml": 'correct = ["z"]\n'})
    [error] = errors_of(directory)
    assert "hidden/key.toml: correct: unknown option ids ['z']" in error


@pytest.mark.parametrize(("key", "message"), [
    ('correct = ["a", "b"]\n', "exactly one correct id"),
    ("", "list the correct option ids"),
    ('correct = ["b"]\nanswer = 3\n', "answer: only for numeric"),
])
def test_answer_key_mistakes_are_named(
    write_exercise: WriteExercise, key: str, message: str,
) -> None:
    directory = write_exercise(files={"hidden/key.toml": key})
    errors = errors_of(directory)
    assert any(message in e for e in errors), errors
