"""Hidden cases for ml-debugging/stratified-split, drawn from a seed.

Every function takes the seed and returns {"args": [labels, test_fraction, split_seed],
"kwargs": {}}. Each draws a random instance of one fixed scenario, and two properties that
decide what a plausible wrong split gets are fixed per scenario, for every seed:

- exact halves: whether some class has test_fraction * n_c exactly k + 0.5 with k even and
  k + 1 inside the clamp (then rounding half to even gives another count than rounding half
  up), ``_half_to_even_differs``;
- size: whether some class is large enough for the checker to reject "the first or last t_c
  rows of the class" (C(n_c, t_c) >= 1e9, see hidden/checker.py), ``_position_detectable``.
"""

import math
import random

import numpy as np

_RANDOMNESS_MIN_SUBSETS = 10**9


def _test_count(n_c: int, f: float) -> int:
    if n_c == 1:
        return 0
    return min(max(math.floor(f * n_c + 0.5), 1), n_c - 1)


def _half_to_even_differs(sizes, f: float) -> bool:
    return any(n > 1 and _test_count(n, f) != min(max(round(f * n), 1), n - 1) for n in sizes)


def _position_detectable(sizes, f: float) -> bool:
    return any(math.comb(n, _test_count(n, f)) >= _RANDOMNESS_MIN_SUBSETS for n in sizes)


def _sizes(labels) -> list:
    counts: dict = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return list(counts.values())


def _draw(make, *, halves: bool, detectable: bool) -> dict:
    while True:
        labels, f, split_seed = make()
        sizes = _sizes(labels)
        if (_half_to_even_differs(sizes, f) == halves
                and _position_detectable(sizes, f) == detectable):
            return {"args": [labels, f, split_seed], "kwargs": {}}


def _split_seed(rng: random.Random) -> int:
    return rng.randrange(2**32)


def _names(rng: random.Random, k: int, pool) -> list:
    return rng.sample(pool, k)


_WORDS = ["ham", "spam", "promo", "fraud", "ok", "churn", "stay", "cat", "dog", "bird", "fish",
          "urgent", "normal", "low", "high", "eu", "us", "apac"]


def interleaved_strings(seed: int) -> dict:
    """40-60 rows of 3 string classes in random order; every class small enough that the
    checker cannot tell a positional choice, no exact halves."""
    rng = random.Random(seed)

    def make():
        names = _names(rng, 3, _WORDS)
        weights = [rng.uniform(0.2, 1.0) for _ in names]
        labels = rng.choices(names, weights=weights, k=rng.randint(40, 60))
        return labels, rng.choice([0.2, 0.25, 0.3]), _split_seed(rng)

    return _draw(make, halves=False, detectable=False)


def integer_three_classes(seed: int) -> dict:
    """80-100 integer labels of 3 classes in random order, one class of 40+ rows (a positional
    choice there is detectable), no exact halves; fraction 0.3."""
    rng = random.Random(seed)

    def make():
        n = rng.randint(80, 100)
        labels = rng.choices([0, 1, 2], weights=[0.55, 0.28, 0.17], k=n)
        return labels, 0.3, _split_seed(rng)

    return _draw(make, halves=False, detectable=True)


def sorted_large_classes(seed: int) -> dict:
    """150-250 integer labels sorted by class (3 classes of 40+ rows); fraction 0.2."""
    rng = random.Random(seed)

    def make():
        sizes = [rng.randint(40, 90) for _ in range(3)]
        classes = rng.sample(range(10), 3)
        labels = [c for c, n in zip(classes, sizes) for _ in range(n)]
        return labels, 0.2, _split_seed(rng)

    return _draw(make, halves=False, detectable=True)


def exact_halves(seed: int) -> dict:
    """3 string classes of 2-24 rows in random order, fraction 0.25, 0.5 or 0.125 (exact in
    floating point); at least one class lands exactly on k + 0.5 with k even."""
    rng = random.Random(seed)

    def make():
        names = _names(rng, 3, ["x", "y", "z", "w", "v", "u"])
        labels = [name for name in names for _ in range(rng.randint(2, 24))]
        rng.shuffle(labels)
        return labels, rng.choice([0.25, 0.5, 0.125]), _split_seed(rng)

    return _draw(make, halves=True, detectable=False)


def singleton_classes(seed: int) -> dict:
    """A class of 12-20 rows and 2-4 classes with a single row each (those go to training)."""
    rng = random.Random(seed)

    def make():
        labels = ["big"] * rng.randint(12, 20) + [f"s{i}" for i in range(rng.randint(2, 4))]
        rng.shuffle(labels)
        return labels, rng.choice([0.2, 0.3]), _split_seed(rng)

    return _draw(make, halves=False, detectable=False)


def all_singletons(seed: int) -> dict:
    """4-10 rows, each its own class (ints or strings): the test set is empty."""
    rng = random.Random(seed)
    n = rng.randint(4, 10)
    labels = rng.sample(range(100), n) if rng.random() < 0.5 else rng.sample(_WORDS, n)
    return {"args": [labels, rng.choice([0.2, 0.4, 0.6]), _split_seed(rng)], "kwargs": {}}


def one_row(seed: int) -> dict:
    """A single row: it goes to training."""
    rng = random.Random(seed)
    label = rng.choice([rng.choice(_WORDS), rng.randrange(100)])
    return {"args": [[label], round(rng.uniform(0.05, 0.95), 2), _split_seed(rng)], "kwargs": {}}


def two_row_classes(seed: int) -> dict:
    """3-6 classes of exactly 2 rows, fraction 0.05-0.2: each class still gets one test row."""
    rng = random.Random(seed)
    names = _names(rng, rng.randint(3, 6), _WORDS)
    labels = [name for name in names for _ in range(2)]
    rng.shuffle(labels)
    return {"args": [labels, rng.choice([0.05, 0.1, 0.15, 0.2]), _split_seed(rng)], "kwargs": {}}


def large_fraction(seed: int) -> dict:
    """3 classes of 3-10 rows, fraction 0.85-0.95: every class keeps one training row."""
    rng = random.Random(seed)

    def make():
        names = _names(rng, 3, ["p", "q", "r", "s", "t"])
        labels = [name for name in names for _ in range(rng.randint(3, 10))]
        return labels, rng.choice([0.85, 0.9, 0.95]), _split_seed(rng)

    return _draw(make, halves=False, detectable=False)


def tiny_fraction(seed: int) -> dict:
    """2 classes of 20-49 rows, fraction 0.01-0.02: the count rounds to 0 and is clamped to 1."""
    rng = random.Random(seed)
    names = _names(rng, 2, _WORDS)
    labels = [name for name in names for _ in range(rng.randint(20, 49))]
    return {"args": [labels, rng.choice([0.01, 0.015, 0.02]), _split_seed(rng)], "kwargs": {}}


def single_class(seed: int) -> dict:
    """One class of 12-30 rows, fraction 0.15-0.3."""
    rng = random.Random(seed)

    def make():
        label = rng.choice(_WORDS)
        return [label] * rng.randint(12, 30), rng.choice([0.15, 0.2, 0.3]), _split_seed(rng)

    return _draw(make, halves=False, detectable=False)


def fraction_tenth(seed: int) -> dict:
    """Three integer classes of 35, 45 and 25 rows (in random order, sorted by class),
    fraction 0.1: 0.1 * 45 and 0.1 * 25 are 4.5 and 2.5 in floating point, 0.1 * 35 is not
    3.5 exactly."""
    rng = random.Random(seed)
    classes = rng.sample(range(20), 3)
    blocks = list(zip(classes, [35, 45, 25]))
    rng.shuffle(blocks)
    labels = [c for c, n in blocks for _ in range(n)]
    return {"args": [labels, 0.1, _split_seed(rng)], "kwargs": {}}


def large_sorted(seed: int) -> dict:
    """300,000 rows sorted by class; class sizes fall off like 1/rank, a few tiny classes."""
    rng = np.random.default_rng(seed)
    sizes = np.maximum((1.0 / np.arange(1, 41)) * 70_000, 1).astype(int)
    sizes[-3:] = [1, 2, 3]
    sizes[0] += 300_000 - sizes.sum()
    labels = np.repeat(rng.permutation(40), sizes).tolist()
    return {"args": [labels, 0.2, int(rng.integers(0, 2**31))], "kwargs": {}}


def large_shuffled_strings(seed: int) -> dict:
    """200,000 rows of 12 string classes in random order, one class rare."""
    rng = np.random.default_rng(seed + 1)
    names = [f"class-{c}" for c in "abcdefghijkl"]
    p = np.r_[np.full(11, 0.999 / 11), 0.001]
    labels = [names[i] for i in rng.choice(12, size=200_000, p=p)]
    return {"args": [labels, 0.2, int(rng.integers(0, 2**32))], "kwargs": {}}
