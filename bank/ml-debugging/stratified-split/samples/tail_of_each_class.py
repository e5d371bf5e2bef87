import math


def stratified_split(labels, test_fraction, seed):
    # Right counts per class, but no shuffling: the last t_c rows of each class go to test.
    # Deterministic, stratified, and on time-sorted data a "train on the past" split, not a
    # random one; the seed is ignored.
    del seed
    if len(labels) == 0 or not 0 < test_fraction < 1:
        raise ValueError("bad input")
    members = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    test = []
    for rows in members.values():
        n_c = len(rows)
        t = 0 if n_c == 1 else min(max(math.floor(test_fraction * n_c + 0.5), 1), n_c - 1)
        test.extend(rows[n_c - t:])
    test.sort()
    chosen = set(test)
    return [i for i in range(len(labels)) if i not in chosen], test
