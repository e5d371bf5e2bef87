"""The built-in bank proves itself: valid, covered, and every gradable sample lands in its band."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from hireloop.bank import Bank, load_bank
from hireloop.bank.check import ExerciseReport, SampleResult
from hireloop.bank.loops import check_loop, load_loops, resolve_loop
from hireloop.config import builtin_bank_dir, builtin_loops_dir
from hireloop.core import Competency, Exercise


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank([builtin_bank_dir()])


@pytest.fixture(scope="module")
def reports(bank: Bank) -> list[ExerciseReport]:
    """The reports of the real command, ``hireloop bank check --json``, on the built-in bank
    (the one place the suite runs every sample; scripts/test does not run it again)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("HIRELOOP_BANK_DIRS", "HIRELOOP_BUILTIN_BANK")}
    done = subprocess.run([str(Path(sys.executable).parent / "hireloop"), "bank", "check",
                           "--json", "--jobs", "2"], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    data = json.loads(done.stdout)
    found = [ExerciseReport(**{**r, "samples": [SampleResult(**x) for x in r["samples"]]})
             for r in data["exercises"]]
    assert {r.id for r in found} >= set(bank.exercises)
    return found


def of_kind(bank: Bank, kind: str) -> list[Exercise]:
    return [e for e in bank.exercises.values() if e.kind == kind]


KNOWN_GAPS = {
    # Issue #12, still open: the rule-based entailment judge misses these confidently wrong
    # answers written in the rubric's words (and so their exemplary answers are not 0.3 above
    # them), and a few partial/exemplary/weak samples sit just outside their bands. Each entry
    # must still fail: when the grader improves, remove it from here.
    ("communication/inconclusive-ab-test", "wrong-rubric-words"),
    ("ethics/credit-disparate-impact", "wrong-rubric-words"),
    ("ml-foundations/bias-variance-regularisation", "wrong-rubric-words"),
    ("research/critique-a-results-table", "wrong-rubric-words"),
    ("research/critique-a-results-table", "exemplary"),
    ("spoken/ethics-postcode-credit-model", "wrong-rubric-words"),
    ("spoken/ethics-postcode-credit-model", "exemplary"),
    ("system-design/real-time-fraud-detection", "wrong-rubric-words"),
    ("leadership/disagree-and-commit", "gaming-prompt"),
    ("deployment/safe-model-rollout", "partial"),
    ("ml-debugging/train-serve-skew", "partial"),
    ("mlops/production-monitoring-delayed-labels", "partial"),
    ("explainability/shap-permutation-pdp-correlated", "exemplary"),
    ("spoken/ownership-story-aloud", "weak"),
}
"""text and spoken samples outside their bands today (see issue #12); every other sample of
the bank must pass"""


@pytest.mark.timeout(1800)  # the whole bank: code and ml_task runs (cheats too), spoken audio
def test_every_built_in_exercise_is_valid_and_its_samples_pass(
    reports: list[ExerciseReport],
) -> None:
    failures = {r.id: r.errors + [f"{s.name}@{s.seed}: expected {s.expected}, got {s.got}"
                                  for s in r.samples if not s.ok and not s.skipped
                                  and (r.id, s.name) not in KNOWN_GAPS]
                for r in reports}
    assert {k: v for k, v in failures.items() if v} == {}


def test_the_known_text_grading_gaps_are_still_gaps(reports: list[ExerciseReport]) -> None:
    """A gap that closed must leave KNOWN_GAPS, so the list never hides a passing sample."""
    failing = {(r.id, s.name) for r in reports for s in r.samples if not s.ok}
    assert KNOWN_GAPS - failing == set()


def test_the_bank_has_at_least_60_exercises_in_the_required_mix(bank: Bank) -> None:
    kinds = Counter(e.kind for e in bank.exercises.values())
    assert len(bank.exercises) >= 60
    assert kinds["choice"] >= 15
    assert kinds["code"] >= 12
    assert kinds["text"] >= 25


def test_every_competency_is_covered_by_at_least_three_exercises(bank: Bank) -> None:
    coverage = Counter(c for e in bank.exercises.values() for c in e.meta.competencies)
    assert {c.value: coverage[c] for c in Competency if coverage[c] < 3} == {}


def test_at_least_ten_exercises_have_variants(bank: Bank) -> None:
    assert sum(e.has_variants for e in bank.exercises.values()) >= 10


@pytest.mark.timeout(1800)  # the first test to ask for the reports runs the whole check
def test_every_choice_sample_is_graded_not_skipped(reports: list[ExerciseReport],
                                                   bank: Bank) -> None:
    choice_ids = {e.id for e in of_kind(bank, "choice")}
    samples = [s for r in reports if r.id in choice_ids for s in r.samples]
    assert samples
    assert [s for s in samples if s.skipped or not s.ok] == []


def test_every_choice_exercise_has_a_right_a_wrong_and_an_empty_sample(bank: Bank) -> None:
    for exercise in of_kind(bank, "choice"):
        bands = [s.score for s in exercise.samples]
        outcomes = [s.outcome for s in exercise.samples]
        assert (1.0, 1.0) in bands, exercise.id
        assert any(b is not None and b[1] < 1.0 for b in bands), exercise.id
        assert "not_gradable" in outcomes, exercise.id


def test_every_text_exercise_has_a_rubric_and_the_four_samples(bank: Bank) -> None:
    for exercise in of_kind(bank, "text"):
        rubric = tomllib.loads(exercise.hidden.read_text("rubric.toml"))
        assert len(rubric["key_point"]) >= 3, exercise.id
        bands = [s.score for s in exercise.samples if s.score is not None]
        exemplary = [b for b in bands if b[0] >= 0.6]
        partial = [b for b in bands if 0.2 <= b[0] < 0.6 and b[1] < 1.0]
        low = [b for b in bands if b[1] <= 0.2]
        assert exemplary, (exercise.id, bands)
        assert partial, (exercise.id, bands)
        assert len(low) >= 2, (exercise.id, bands)
        # The plain non-answer ("idk" / "i-dont-know"); "gaming-idk" is a padded evasion with
        # the gaming band.
        idk = [s for s in exercise.samples if s.name in ("idk", "i-dont-know")]
        assert idk, exercise.id
        assert all(s.score is not None and s.score[1] <= 0.1 for s in idk), exercise.id


def test_every_code_exercise_has_reference_starter_visible_tests_and_10_hidden_cases(
    bank: Bank,
) -> None:
    for exercise in of_kind(bank, "code"):
        config = exercise.config
        assert exercise.hidden.has("reference.py"), exercise.id
        assert config.starter in exercise.public_files, exercise.id
        assert config.visible_tests in exercise.public_files, exercise.id
        cases = tomllib.loads(exercise.hidden.read_text("cases.toml"))["case"]
        assert len(cases) >= 10, exercise.id
        # the bank is public: a fixed hidden case is a published one
        assert all("generator" in case for case in cases), exercise.id
        files = {s.file for s in exercise.samples}
        assert "hidden/reference.py" in files, exercise.id
        assert any(s.outcome == "not_gradable" for s in exercise.samples), exercise.id
        assert any(s.score is not None and s.score[1] < 1.0 for s in exercise.samples), \
            exercise.id
        cheats = {s.name: s for s in exercise.samples if s.name.startswith("cheat-")}
        for attack in ("read-hidden", "forge-results", "lookup-public", "malformed-output",
                       "sleep-import"):
            assert cheats[f"cheat-{attack}"].at_most == "starter", (exercise.id, attack)


def test_there_are_at_least_five_loops_and_all_fit_the_bank(bank: Bank) -> None:
    loops = load_loops([builtin_loops_dir()])
    assert len(loops) >= 5
    for loaded in loops.values():
        assert check_loop(loaded, bank) == [], loaded.id
        assert loaded.loop is not None
        first = resolve_loop(loaded.loop, bank, seed=1)
        assert first == resolve_loop(loaded.loop, bank, seed=1)
        ids = [e.exercise_id for s in first for e in s.exercises]
        assert len(ids) == len(set(ids)), loaded.id


def test_the_research_loop_has_a_research_presentation_stage() -> None:
    loops = load_loops([builtin_loops_dir()])
    scientist = loops["applied-research-scientist"].loop
    assert scientist is not None
    assert any("research" in str(p.competency) for s in scientist.stage for p in s.pick)


def test_there_are_8_ml_task_exercises_each_with_a_reference_a_starter_and_cheats(
    bank: Bank,
) -> None:
    exercises = of_kind(bank, "ml_task")
    assert len(exercises) >= 8
    for exercise in exercises:
        by_file = {s.file.rstrip("/"): s for s in exercise.samples}
        reference, starter = by_file.get("hidden/reference"), by_file.get("project")
        assert reference is not None, exercise.id
        assert reference.score is not None, exercise.id
        assert reference.score[0] >= 0.9, exercise.id
        assert starter is not None, exercise.id
        assert starter.score is not None, exercise.id
        assert starter.score[1] <= 0.3, exercise.id
        cheats = {s.name: s for s in exercise.samples if s.name.startswith("cheat")}
        # every exercise is attacked at least by reading its hidden files from disk, and
        # every cheat must earn no more than the unsolved starter
        assert "cheat-read-hidden" in cheats, exercise.id
        assert len(cheats) >= 2, exercise.id
        assert all(s.at_most == "starter" and s.score is None for s in cheats.values()), \
            exercise.id
