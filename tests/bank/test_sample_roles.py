"""`hireloop bank check` holds text and spoken samples to their roles, whatever band they declare,
and requires a hint for every key point of every rubric."""

from __future__ import annotations

from pathlib import Path

from hireloop.bank.check import check_entry
from tests.conftest import WriteExercise, load
from tests.kinds.test_text import GOOD, RUBRIC, TEXT_TOML

KEYWORDS = ("It is the memorising. It is the noise. It is the training data. It is the general "
            "pattern. It is the held-out data. It is the validation set. It is the gap.")


def _exercise(write_exercise: WriteExercise, samples: str, files: dict[str, str],
              rubric: str = RUBRIC) -> Path:
    return write_exercise("communication/overfitting-roles", files={
        "exercise.toml": TEXT_TOML, "hidden/key.toml": None, "hidden/rubric.toml": rubric,
        "prompt.md": "Explain overfitting to a product manager in a short paragraph.\n",
        "samples/samples.toml": samples, "samples/right.txt": None, "samples/empty.txt": None,
        **files})


def _check(directory: Path):  # type: ignore[no-untyped-def]
    bank = load([directory])
    return check_entry(bank, bank.entries["communication/overfitting-roles"])


SAMPLES = '''\
[[sample]]
name = "exemplary"
file = "samples/exemplary.md"
score = [0.0, 1.0]
role = "exemplary"

[[sample]]
name = "dressed-up"
file = "samples/dressed.md"
score = [0.0, 1.0]
role = "{role}"
'''


def test_a_gaming_sample_over_its_ceiling_fails_whatever_band_it_declares(
    write_exercise: WriteExercise,
) -> None:
    # The good answer, declared as gaming with a band of [0, 1], scores far above 0.25.
    report = _check(_exercise(write_exercise, SAMPLES.format(role="gaming"),
                              {"samples/exemplary.md": GOOD, "samples/dressed.md": GOOD}))
    assert not report.ok
    gaming = next(s for s in report.samples if s.name == "dressed-up")
    assert not gaming.ok
    assert "role gaming: at most 0.25" in gaming.expected


def test_an_exemplary_sample_must_clear_every_gaming_and_wrong_sample_by_0_3(
    write_exercise: WriteExercise,
) -> None:
    report = _check(_exercise(write_exercise, SAMPLES.format(role="wrong"),
                              {"samples/exemplary.md": GOOD, "samples/dressed.md": GOOD}))
    exemplary = next(s for s in report.samples if s.name == "exemplary")
    assert not exemplary.ok
    assert "at least 0.3 above" in exemplary.expected


def test_a_keyword_list_sample_within_its_role_passes(write_exercise: WriteExercise) -> None:
    report = _check(_exercise(write_exercise, SAMPLES.format(role="gaming"),
                              {"samples/exemplary.md": GOOD, "samples/dressed.md": KEYWORDS}))
    assert report.ok, report


def test_a_key_point_without_a_hint_fails_the_check(write_exercise: WriteExercise) -> None:
    no_hint = "\n".join(line for line in RUBRIC.splitlines() if not line.startswith("hint ="))
    report = _check(_exercise(write_exercise, SAMPLES.format(role="gaming"),
                              {"samples/exemplary.md": GOOD, "samples/dressed.md": KEYWORDS},
                              rubric=no_hint))
    assert not report.ok
    assert any("has no hint" in e and "memorises" in e for e in report.errors)


def test_a_hint_that_repeats_its_point_fails_the_check(write_exercise: WriteExercise) -> None:
    repeated = RUBRIC.replace(
        'hint = "How would you notice it before users do?"',
        'hint = "You detect it by comparing performance on training data with held-out data"')
    report = _check(_exercise(write_exercise, SAMPLES.format(role="gaming"),
                              {"samples/exemplary.md": GOOD, "samples/dressed.md": KEYWORDS},
                              rubric=repeated))
    assert any("repeats the point" in e for e in report.errors)
