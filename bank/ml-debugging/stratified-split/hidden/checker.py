"""Checker for ml-debugging/stratified-split: many splits are right, so check their properties.

A split passes when it is a partition of 0..n-1 into two ascending lists whose per-class test
counts follow the rounding rule, and whose test rows are not simply the first or last rows of a
large class (the unshuffled split that the exercise is about). That last check only runs where
a random choice hits first-or-last with probability below 1e-9, so a correct solution never
fails it by bad luck.
"""

from __future__ import annotations

import math
from typing import Any

_RANDOMNESS_MIN_SUBSETS = 10**9


def _test_count(n_c: int, test_fraction: float) -> int:
    if n_c == 1:
        return 0
    t = math.floor(test_fraction * n_c + 0.5)
    return min(max(t, 1), n_c - 1)


def _as_int_list(value: Any) -> list[int] | None:
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        return None
    out: list[int] = []
    for v in value:
        if isinstance(v, bool):
            return None
        if isinstance(v, int):
            out.append(v)
        elif isinstance(v, float) and v.is_integer():
            out.append(int(v))
        else:
            return None
    return out


def check(output: Any, expected: Any, args: Any) -> bool:
    del expected  # any split with the right properties is right
    if isinstance(args, dict):
        args = args.get("args", [])
    labels, test_fraction = list(args[0]), float(args[1])
    n = len(labels)

    if not isinstance(output, list | tuple) or len(output) != 2:
        return False
    train, test = _as_int_list(output[0]), _as_int_list(output[1])
    if train is None or test is None:
        return False
    if train != sorted(train) or test != sorted(test):
        return False
    if sorted(train + test) != list(range(n)):
        return False  # duplicates, overlap, missing or out-of-range indices

    members: dict[Any, list[int]] = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    test_set = set(test)
    for rows in members.values():
        t = _test_count(len(rows), test_fraction)
        chosen = [i for i in rows if i in test_set]
        if len(chosen) != t:
            return False
        if math.comb(len(rows), t) >= _RANDOMNESS_MIN_SUBSETS and (
            chosen == rows[:t] or chosen == rows[len(rows) - t:]
        ):
            return False
    return True
