"""Large inputs for ml-debugging/stratified-split."""

import numpy as np


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
    return {"args": [labels, 0.2, 12345], "kwargs": {}}
