"""Hidden cases for mlops/streaming-mean-variance, drawn from a seed. Class-style cases: each
generator returns {"init": [], "calls": [[method, *args], ...]}.

Each draws a random instance of one fixed scenario, and two properties that decide what a
plausible wrong accumulator gets are fixed per scenario, for every seed:

- cancellation: "large offset" cases put the values far from zero (1e6 to 1e9) with a small
  spread, and are drawn again unless accumulating sum(x) and sum(x**2) really loses the
  variance there (``_sums_lose_the_variance``); the other cases keep every value within
  [-20, 20], where those sums are exact to far better than the tolerance;
- the between-group term of a merge: "merge" cases fold in summaries whose mean differs from
  the accumulator's by at least three spreads, into a non-empty accumulator; the other cases
  merge only into an empty accumulator or merge nothing (count 0).
"""

import random

import numpy as np

_RTOL = 1e-6


def _summary(values) -> list:
    values = np.asarray(values, dtype=np.float64)
    mean = float(values.mean())
    return [int(values.size), mean, float(((values - mean) ** 2).sum())]


def _sums_lose_the_variance(values, merges=()) -> bool:
    """Whether var = (sum(x^2) - sum(x)^2 / n) / n, accumulated in float64 (merges folded in as
    count * mean and m2 + count * mean^2), is off by more than 100x the tolerance."""
    s = s2 = 0.0
    n = 0
    for x in values:
        s += x
        s2 += x * x
        n += 1
    for count, mean, m2 in merges:
        s += count * mean
        s2 += m2 + count * mean * mean
        n += count
    exact = np.var(np.r_[np.asarray(values, dtype=np.float64)]) if not merges else None
    if exact is None:
        total = sum(c for c, _, _ in merges) + len(values)
        mean = (sum(values) + sum(c * m for c, m, _ in merges)) / total
        m2 = sum((x - mean) ** 2 for x in values) + sum(
            q + c * (m - mean) ** 2 for c, m, q in merges)
        exact = m2 / total
    naive = (s2 - s * s / n) / n
    return abs(naive - exact) > 100 * (_RTOL * abs(exact) + 1e-9)


def _queries() -> list:
    return [["count"], ["mean"], ["variance"], ["variance", 1]]


def single_value(seed: int) -> dict:
    """One value (any size), then the mean and the variance for ddof 0, 1 and 2 (all 0)."""
    rng = random.Random(seed)
    x = rng.uniform(-1e3, 1e3) if rng.random() < 0.7 else rng.randint(-1000, 1000)
    return {"init": [], "calls": [["update", x], ["mean"], ["variance"], ["variance", 1],
                                  ["variance", 2]]}


def interleaved_queries(seed: int) -> dict:
    """3-6 small values, each followed by some of mean / variance / variance(1) / count."""
    rng = random.Random(seed)
    calls = []
    for _ in range(rng.randint(3, 6)):
        calls.append(["update", round(rng.uniform(-10.0, 10.0), 2)])
        calls += rng.sample([["mean"], ["variance"], ["variance", 1], ["count"]],
                            rng.randint(1, 3))
    return {"init": [], "calls": calls}


def negatives_and_ints(seed: int) -> dict:
    """5-9 values in [-20, 20], about half of them Python ints, then the queries."""
    rng = random.Random(seed)
    values = [rng.randint(-20, 20) if rng.random() < 0.5 else round(rng.uniform(-20, 20), 3)
              for _ in range(rng.randint(5, 9))]
    if all(isinstance(v, float) for v in values):
        values[0] = rng.randint(-20, 20)
    if all(v >= 0 for v in values):
        values[-1] = -abs(values[-1]) - 1
    return {"init": [], "calls": [["update", v] for v in values] + _queries()[1:]}


def near_1e9(seed: int) -> dict:
    """4-10 values 1e9 + (0 to 20, in quarters): the spread is tiny next to the offset."""
    rng = random.Random(seed)
    while True:
        values = [1e9 + rng.randint(0, 80) / 4 for _ in range(rng.randint(4, 10))]
        if len(set(values)) > 1 and _sums_lose_the_variance(values):
            break
    return {"init": [], "calls": [["update", v] for v in values] + _queries()[1:]}


def tiny_spread_1e6(seed: int) -> dict:
    """6-10 values 1e6 + (0.001 to 0.010): variance about 1e-5 at an offset of 1e6."""
    rng = random.Random(seed)
    while True:
        values = [1e6 + rng.randint(1, 10) / 1000 for _ in range(rng.randint(6, 10))]
        if len(set(values)) > 1 and _sums_lose_the_variance(values):
            break
    return {"init": [], "calls": [["update", v] for v in values] + _queries()[1:]}


def constant_large_offset(seed: int) -> dict:
    """The same value (1e7 to 1e9, with a fractional part) 5-12 times: variance exactly 0."""
    rng = random.Random(seed)
    while True:
        c = rng.uniform(1e7, 1e9)
        values = [c] * rng.randint(5, 12)
        if _sums_lose_the_variance(values):
            break
    return {"init": [], "calls": [["update", v] for v in values] + _queries()[1:]}


def merge_empty_summary(seed: int) -> dict:
    """2-5 small values, a merge of an empty summary (0, 0.0, 0.0), then the queries."""
    rng = random.Random(seed)
    calls = [["update", round(rng.uniform(-10.0, 10.0), 2)] for _ in range(rng.randint(2, 5))]
    calls.insert(rng.randint(0, len(calls)), ["merge", 0, 0.0, 0.0])
    return {"init": [], "calls": calls + _queries()}


def merge_different_means(seed: int) -> dict:
    """3-6 small values, then a worker summary of 2-6 values whose mean is 4-10 away."""
    rng = random.Random(seed)
    mine = [round(rng.uniform(-3.0, 3.0), 2) for _ in range(rng.randint(3, 6))]
    shift = rng.choice([-1, 1]) * rng.uniform(4.0, 10.0)
    other = [round(shift + np.mean(mine) + rng.uniform(-1.0, 1.0), 2)
             for _ in range(rng.randint(2, 6))]
    return {"init": [], "calls": [["update", v] for v in mine] + [["merge", *_summary(other)]]
            + _queries()}


def merge_then_update(seed: int) -> dict:
    """A summary merged into the empty accumulator, 2-4 updates, a second summary whose mean is
    4-10 away from everything so far, then the mean and variances."""
    rng = random.Random(seed)
    first = [rng.uniform(-3.0, 3.0) for _ in range(rng.randint(2, 6))]
    updates = [round(rng.uniform(-3.0, 3.0), 2) for _ in range(rng.randint(2, 4))]
    shift = rng.choice([-1, 1]) * rng.uniform(4.0, 10.0)
    second = [shift + rng.uniform(-0.5, 0.5) for _ in range(rng.randint(1, 3))]
    calls = [["merge", *_summary(first)]] + [["update", v] for v in updates]
    calls += [["merge", *_summary(second)], ["mean"], ["variance"], ["variance", 1]]
    return {"init": [], "calls": calls}


def merge_near_1e9(seed: int) -> dict:
    """6-12 values 1e9 + (0 to 3, in quarters), then a summary of 3-8 values 1e9 + (3 to 6)."""
    rng = random.Random(seed)
    while True:
        mine = [1e9 + rng.randint(0, 12) / 4 for _ in range(rng.randint(6, 12))]
        other = [1e9 + 3 + rng.randint(0, 12) / 4 + 1 for _ in range(rng.randint(3, 8))]
        summary = _summary(other)
        if _sums_lose_the_variance(mine, [summary]):
            break
    return {"init": [], "calls": [["update", v] for v in mine] + [["merge", *summary]]
            + _queries()}


def long_stream_large_offset(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    xs = (1e9 + rng.normal(0.0, 1.0, size=200_000)).tolist()
    calls = [["update", x] for x in xs]
    calls += [["count"], ["mean"], ["variance"], ["variance", 1]]
    return {"init": [], "calls": calls}


def sharded_stream_merges(seed: int) -> dict:
    """A coordinator folds in 500 worker summaries (offset 5e8) and some raw values of its own."""
    rng = np.random.default_rng(seed + 7)
    calls = []
    for _ in range(500):
        chunk = 5e8 + rng.normal(rng.normal(0.0, 2.0), 1.5, size=int(rng.integers(1, 200)))
        mean = float(chunk.mean())
        m2 = float(((chunk - mean) ** 2).sum())
        calls.append(["merge", len(chunk), mean, m2])
        calls.append(["update", float(5e8 + rng.normal(0.0, 2.0))])
    calls += [["count"], ["mean"], ["variance"], ["variance", 1]]
    return {"init": [], "calls": calls}
