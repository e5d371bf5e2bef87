import math

import numpy as np


def _test_count(n_c: int, test_fraction: float) -> int:
    if n_c == 1:
        return 0
    t = math.floor(test_fraction * n_c + 0.5)
    return min(max(t, 1), n_c - 1)


def stratified_split(labels, test_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Per class, shuffle its row indices with a seeded generator and send the first t_c to test."""
    if len(labels) == 0:
        raise ValueError("labels is empty")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("test_fraction must be strictly between 0 and 1")

    # Group row indices by class, classes in order of first appearance (no sorting of labels,
    # which may not be mutually comparable).
    members: dict[object, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)

    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(labels), dtype=bool)
    for rows in members.values():
        t = _test_count(len(rows), test_fraction)
        if t:
            chosen = rng.choice(np.asarray(rows), size=t, replace=False)
            is_test[chosen] = True

    test = np.flatnonzero(is_test).tolist()
    train = np.flatnonzero(~is_test).tolist()
    return train, test
