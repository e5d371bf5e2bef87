"""Minimal pairs: a true sentence earns more of its key point than its false twin.

``data/minimal_pairs.toml`` holds sentence pairs written against built-in exercises: each pair
states a key point correctly and then falsely, changed as little as possible (a negation, two
terms swapped, a direction reversed, a comparison turned round, a wrong number). Each sentence
is graded alone as the answer, through the real text grader, and the pair is ordered correctly
when the true sentence earns more of its point than the false one.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from hireloop.bank import Bank, load_bank
from hireloop.config import builtin_bank_dir
from hireloop.core import Outcome, Submission
from hireloop.kinds.text import TextKind

DATA = Path(__file__).parent / "data" / "minimal_pairs.toml"
KINDS = {"negation", "swapped", "direction", "comparison", "number"}
REQUIRED_ACCURACY = 0.9
"""what issue #12 asks for"""
FLOOR = 0.65
"""what the rules reach today (0.672 on 128 pairs; docs/decisions.md): never less"""


@dataclass(frozen=True)
class Pair:
    exercise: str
    point: str
    kind: str
    true: str
    false: str


def pairs() -> list[Pair]:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    return [Pair(p["exercise"], p["point"], p["kind"], p["true"], p["false"])
            for p in data["pair"]]


@cache
def bank() -> Bank:
    return load_bank([builtin_bank_dir()])


def earned(pair: Pair, sentence: str) -> float:
    """The share of the pair's key point that ``sentence``, graded alone, earns."""
    exercise = bank().get(pair.exercise)
    kind = TextKind()
    rubric, _ = kind.load_rubric(exercise)
    assert rubric is not None
    index = [k.id for k in rubric.key_point].index(pair.point)
    grade = kind.grade(exercise, exercise.variant(0),
                       Submission(exercise_id=exercise.id, text=sentence))
    assert grade.outcome is Outcome.GRADED, grade.message
    criterion = grade.criteria[index]
    return criterion.points / criterion.max_points


def test_the_pairs_cover_at_least_60_pairs_of_10_exercises_and_every_kind_of_change() -> None:
    found = pairs()
    assert len(found) >= 60
    assert len({p.exercise for p in found}) >= 10
    assert {p.kind for p in found} == KINDS
    for p in found:
        exercise = bank().get(p.exercise)
        assert exercise.kind == "text", p.exercise
        rubric, _ = TextKind().load_rubric(exercise)
        assert rubric is not None
        assert p.point in {k.id for k in rubric.key_point}, (p.exercise, p.point)
        assert p.true != p.false


@cache
def ordered() -> tuple[float, tuple[str, ...], tuple[tuple[str, int, int], ...]]:
    """The share of pairs ordered correctly, the pairs that are not, and (kind, right, all)."""
    found = pairs()
    wrong: list[str] = []
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for p in found:
        true, false = earned(p, p.true), earned(p, p.false)
        total[p.kind] += 1
        if true > false:
            right[p.kind] += 1
        else:
            wrong.append(f"{p.exercise} {p.point} ({p.kind}): true {true:.2f} <= false "
                         f"{false:.2f}: {p.false}")
    kinds = tuple((k, right[k], total[k]) for k in sorted(total))
    return 1 - len(wrong) / len(found), tuple(wrong), kinds


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue #12 asks for 90%; the deterministic rules order "
                                       "about 67% of the pairs (docs/decisions.md)")
def test_the_true_sentence_earns_more_of_its_point_in_at_least_90_percent_of_pairs() -> None:
    accuracy, wrong, kinds = ordered()
    assert accuracy >= REQUIRED_ACCURACY, (
        f"{accuracy:.1%} ordered correctly ({kinds}); wrong:\n" + "\n".join(wrong))


@pytest.mark.slow
def test_the_true_sentence_earns_more_of_its_point_in_at_least_the_measured_share() -> None:
    accuracy, wrong, kinds = ordered()
    assert accuracy >= FLOOR, (
        f"{accuracy:.1%} ordered correctly ({kinds}); wrong:\n" + "\n".join(wrong))
