"""Kinds are plugins: a missing or broken kind disables only its own exercises."""

from __future__ import annotations

import types
from pathlib import Path
from typing import ClassVar

import pytest

from hireloop.bank.check import check_bank
from hireloop.core import CandidateView, Exercise, Grade, Kind, Submission, Variant
from hireloop.kinds._common import base_view_fields
from hireloop.plugins import hookimpl, load_kinds
from tests.conftest import WriteExercise, load

ORAL = """\
title = "An oral exercise"
kind = "oral"
competencies = ["communication"]
level = "mid"
minutes = 5
"""


class OralKind(Kind):
    """A third-party kind with no table: everything is 'graded' by word count."""

    name: ClassVar[str] = "oral"

    def render(self, exercise: Exercise, variant: Variant) -> CandidateView:
        return CandidateView(**base_view_fields(exercise), seed=variant.seed,
                             prompt=exercise.prompt_for(variant), answer_format="Speak.",
                             input_kind="text")

    def grade(self, exercise: Exercise, variant: Variant, submission: Submission) -> Grade:
        words = len((submission.text or "").split())
        return Grade(exercise_id=exercise.id, seed=variant.seed, outcome="graded",
                     score=min(1.0, words / 10), grader=self.grader_id)


def oral_plugin() -> types.ModuleType:
    module = types.ModuleType("oral_plugin")

    @hookimpl
    def hireloop_register_kinds() -> list[type[Kind]]:
        return [OralKind]

    module.hireloop_register_kinds = hireloop_register_kinds  # type: ignore[attr-defined]
    return module


def write_oral(write_exercise: WriteExercise) -> Path:
    return write_exercise("speaking/oral", files={
        "exercise.toml": ORAL, "hidden/key.toml": None,
        "samples/samples.toml": '[[sample]]\nname = "long"\nfile = "samples/right.txt"\n'
                                'score = [0.1, 0.1]\n'})


def test_a_missing_kind_disables_its_exercises_and_leaves_the_rest_working(
    write_exercise: WriteExercise, bank_root: Path,
) -> None:
    write_exercise("debugging/leaky-split")
    write_oral(write_exercise)
    bank = load([bank_root])
    assert list(bank.exercises) == ["debugging/leaky-split"]
    oral = bank.entries["speaking/oral"]
    assert oral.unavailable is not None
    assert "kind 'oral' is not installed" in oral.unavailable
    with pytest.raises(KeyError, match="unavailable: kind 'oral' is not installed"):
        bank.get("speaking/oral")
    reports = {r.id: r for r in check_bank(bank)}
    assert reports["debugging/leaky-split"].ok
    assert not reports["speaking/oral"].ok


def test_a_third_party_kind_registers_through_the_same_hook(
    write_exercise: WriteExercise, bank_root: Path,
) -> None:
    write_oral(write_exercise)
    registry = load_kinds(extra_plugins=[oral_plugin()])
    assert {"choice", "code", "text", "oral"} <= set(registry.kinds)
    bank = load([bank_root], kinds=registry)
    [report] = check_bank(bank)
    assert report.ok, report


def test_a_plugin_that_fails_to_import_is_reported_and_the_others_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registry = load_kinds(default_plugins=(
        "hireloop.kinds.choice", "hireloop_no_such_plugin_module"))
    assert "choice" in registry.kinds
    assert any("hireloop_no_such_plugin_module" in p.plugin for p in registry.problems)


def test_a_plugin_whose_hook_raises_disables_only_its_kinds() -> None:
    module = types.ModuleType("exploding_plugin")

    @hookimpl
    def hireloop_register_kinds() -> list[type[Kind]]:
        raise RuntimeError("boom")

    module.hireloop_register_kinds = hireloop_register_kinds  # type: ignore[attr-defined]
    registry = load_kinds(extra_plugins=[module])
    assert "choice" in registry.kinds
    assert any("boom" in p.message for p in registry.problems)


def test_a_kind_that_fails_to_start_is_reported() -> None:
    class Broken(OralKind):
        name: ClassVar[str] = "broken"

        def __init__(self) -> None:
            raise OSError("model file missing")

    module = types.ModuleType("broken_plugin")
    module.hireloop_register_kinds = hookimpl(lambda: [Broken])  # type: ignore[attr-defined]
    registry = load_kinds(extra_plugins=[module])
    assert "broken" not in registry.kinds
    assert "kind 'broken' failed to load" in registry.why_missing("broken")
    assert "model file missing" in registry.why_missing("broken")


def test_a_second_kind_with_a_taken_name_is_ignored_with_a_message() -> None:
    class Impostor(OralKind):
        name: ClassVar[str] = "choice"

    module = types.ModuleType("impostor_plugin")
    module.hireloop_register_kinds = hookimpl(lambda: [Impostor])  # type: ignore[attr-defined]
    registry = load_kinds(extra_plugins=[module])
    assert type(registry.kinds["choice"]).__name__ == "ChoiceKind"
    assert any("already provided" in p.message for p in registry.problems)


def test_a_hook_with_a_misspelt_name_is_caught() -> None:
    module = types.ModuleType("misspelt_plugin")
    module.hireloop_register_kind = hookimpl(lambda: [OralKind])  # type: ignore[attr-defined]
    registry = load_kinds(extra_plugins=[module])
    assert "oral" not in registry.kinds
    assert any("hireloop_register_kind" in p.message for p in registry.problems)


def test_built_in_kinds_come_from_the_entry_point_group() -> None:
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="hireloop")}
    assert {"choice", "code", "text"} <= names
    registry = load_kinds(default_plugins=())
    assert {"choice", "code", "text"} <= set(registry.kinds)
