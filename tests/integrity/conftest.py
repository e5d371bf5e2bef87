"""The labelled similarity set: the built-in bank's references disguised at several strengths,
and solutions written independently of them (``data/independent/<exercise>/``)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

from hireloop.bank import load_bank
from hireloop.bank.loader import Bank
from hireloop.config import builtin_bank_dir
from hireloop.core import Exercise
from hireloop.integrity import Document, ExerciseSources, exercise_sources

INDEPENDENT = Path(__file__).parent / "data" / "independent"


@dataclass
class LabelledPair:
    exercise_id: str
    a: Document
    b: Document
    copied: bool
    strength: str


@pytest.fixture(scope="session")
def builtin_bank() -> Bank:
    return load_bank([builtin_bank_dir()])


def sources_of(bank: Bank, exercise: Exercise) -> ExerciseSources:
    sources = exercise_sources(bank.kinds.get(exercise.kind), exercise, bank.variant(exercise, 0))
    assert sources is not None
    return sources


def code_pairs(bank: Bank, seeds: int = 2) -> list[tuple[LabelledPair, ExerciseSources]]:
    """Disguised copies of every built-in code reference (positives); independent solutions
    against the reference and against each other (negatives)."""
    from tests.integrity.disguise import STRENGTHS, disguise

    pairs = []
    for exercise in sorted(bank.exercises.values(), key=lambda e: e.id):
        if exercise.kind != "code":
            continue
        sources = sources_of(bank, exercise)
        reference = sources.documents[0]
        for strength, seed in itertools.product(STRENGTHS, range(seeds)):
            copy = Document(f"{strength}-{seed}", disguise(
                reference.text, exercise.config.entry, strength, seed), "code")
            pairs.append((LabelledPair(exercise.id, copy, reference, True, strength), sources))
        folder = INDEPENDENT / exercise.id.split("/")[-1]
        own = [Document(p.name, p.read_text(), "code") for p in sorted(folder.glob("*.py"))]
        for doc in own:
            pairs.append((LabelledPair(exercise.id, doc, reference, False, "independent"),
                          sources))
        for a, b in itertools.combinations(own, 2):
            pairs.append((LabelledPair(exercise.id, a, b, False, "independent"), sources))
    return pairs
