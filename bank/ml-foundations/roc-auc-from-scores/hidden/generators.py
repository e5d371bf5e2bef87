"""Hidden cases for ml-foundations/roc-auc-from-scores, drawn from a seed.

Every function takes the seed and returns {"args": [y_true, y_score], "kwargs": {}}. Each draws
a random instance of one fixed scenario, and whether tied positive/negative pairs change the
answer of a method that breaks ties by row order is part of the scenario, for every seed:

- "no tie" cases have all scores distinct;
- "tie" cases have tied positive/negative pairs whose row order is unbalanced
  (``_row_order_imbalance`` is not 0): counting a tie as a win or a loss by row order then
  moves the AUC, by at least 0.5 / (n_pos * n_neg).
"""

import numpy as np


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _row_order_imbalance(y, s) -> int:
    """Over tied (positive, negative) pairs: +1 where the negative comes first, -1 otherwise."""
    y = np.asarray(y, dtype=float)
    s = np.asarray(s, dtype=float)
    total = 0
    for value in np.unique(s):
        labels = y[s == value]
        neg_before = 0
        neg_total = int((labels == 0).sum())
        for label in labels:
            if label == 1:
                total += neg_before - (neg_total - neg_before)
            else:
                neg_before += 1
    return total


def _labels(rng, n: int, p: float) -> np.ndarray:
    """n labels with both classes present."""
    while True:
        y = (rng.random(n) < p).astype(np.int64)
        if 0 < y.sum() < n:
            return y


def _case(y, s) -> dict:
    return {"args": [np.asarray(y, dtype=np.float64), np.asarray(s, dtype=np.float64)],
            "kwargs": {}}


def _distinct_scores(rng, n: int, lo: float = 0.0, hi: float = 1.0) -> np.ndarray:
    while True:
        s = rng.uniform(lo, hi, size=n)
        if np.unique(s).size == n:
            return s


def _with_unbalanced_ties(rng, make):
    while True:
        y, s = make()
        if _row_order_imbalance(y, s) != 0:
            return _case(y, s)


def few_examples_no_ties(seed: int) -> dict:
    """4-8 examples, both classes, distinct scores in [0, 1]."""
    rng = _rng(seed)
    n = int(rng.integers(4, 9))
    return _case(_labels(rng, n, 0.5), _distinct_scores(rng, n))


def perfect_separation(seed: int) -> dict:
    """5-10 examples; every positive scores above every negative (distinct scores, any sign)."""
    rng = _rng(seed)
    n = int(rng.integers(5, 11))
    y = _labels(rng, n, 0.5)
    s = np.sort(_distinct_scores(rng, n, -3.0, 3.0))
    out = np.empty(n)
    out[y == 0] = s[: int((y == 0).sum())]
    out[y == 1] = s[int((y == 0).sum()):]
    return _case(y, out)


def perfectly_inverted(seed: int) -> dict:
    """5-10 examples; every positive scores below every negative (AUC 0)."""
    rng = _rng(seed)
    n = int(rng.integers(5, 11))
    y = _labels(rng, n, 0.5)
    s = np.sort(_distinct_scores(rng, n))
    out = np.empty(n)
    out[y == 1] = s[: int(y.sum())]
    out[y == 0] = s[int(y.sum()):]
    return _case(y, out)


def all_tied(seed: int) -> dict:
    """4-10 examples of both classes, all with the same score (AUC 0.5)."""
    rng = _rng(seed)

    def make():
        n = int(rng.integers(4, 11))
        return _labels(rng, n, 0.5), np.full(n, float(rng.uniform(-5.0, 5.0)))

    return _with_unbalanced_ties(rng, make)


def tie_positive_first(seed: int) -> dict:
    """3-7 examples with distinct scores plus one positive and one negative with the same score,
    the positive listed first."""
    rng = _rng(seed)
    m = int(rng.integers(3, 8))
    y = list(_labels(rng, m, 0.5))
    s = list(_distinct_scores(rng, m + 1))
    tied = s.pop()
    at = int(rng.integers(0, m + 1))
    y[at:at] = [1, 0]
    s[at:at] = [tied, tied]
    return _case(y, s)


def one_each_same_score(seed: int) -> dict:
    """One positive and one negative (in either order) with the same score."""
    rng = _rng(seed)
    y = [0, 1] if rng.random() < 0.5 else [1, 0]
    score = float(rng.uniform(-10.0, 10.0))
    return {"args": [y, [score, score]], "kwargs": {}}


def bool_labels_single_positive(seed: int) -> dict:
    """Plain Python lists: 4-9 boolean labels with exactly one True, distinct scores."""
    rng = _rng(seed)
    n = int(rng.integers(4, 10))
    y = [False] * n
    y[int(rng.integers(0, n))] = True
    return {"args": [y, [float(v) for v in _distinct_scores(rng, n)]], "kwargs": {}}


def logits_with_infinities(seed: int) -> dict:
    """6-12 logit scores in [-4, 4] with some +inf and -inf, values shared across both classes
    (ties, the infinities included), in an order that does not balance the ties out."""
    rng = _rng(seed)

    def make():
        n = int(rng.integers(6, 13))
        y = _labels(rng, n, 0.5)
        pool = np.r_[np.round(rng.uniform(-4.0, 4.0, size=3), 1), np.inf, -np.inf]
        s = rng.choice(pool, size=n)
        s[rng.integers(0, n)] = np.inf
        s[rng.integers(0, n)] = -np.inf
        return y, s

    return _with_unbalanced_ties(rng, make)


def integer_ratings(seed: int) -> dict:
    """15-40 examples rated 1-5 (positives tend to rate higher), many ties."""
    rng = _rng(seed)

    def make():
        n = int(rng.integers(15, 41))
        y = _labels(rng, n, 0.45)
        s = np.clip(np.round(rng.normal(2.6 + 1.0 * y, 1.1)), 1, 5)
        return y, s

    return _with_unbalanced_ties(rng, make)


def rounded_probabilities(seed: int) -> dict:
    """20-40 examples, about 20% positive, probabilities rounded to one decimal, unsorted."""
    rng = _rng(seed)

    def make():
        n = int(rng.integers(20, 41))
        y = _labels(rng, n, 0.2)
        s = np.clip(np.round(rng.normal(0.25 + 0.35 * y, 0.2), 1), 0.0, 1.0)
        return y, s

    return _with_unbalanced_ties(rng, make)


def different_magnitudes(seed: int) -> dict:
    """6-10 distinct scores of magnitudes 1e-300 to 1e300, either sign, and 0.0."""
    rng = _rng(seed)
    while True:
        n = int(rng.integers(6, 11))
        s = rng.choice([-1.0, 1.0], size=n) * 10.0 ** rng.integers(-300, 301, size=n) \
            * rng.uniform(1.0, 9.0, size=n)
        s[int(rng.integers(0, n))] = 0.0
        if np.unique(s).size == n and np.all(np.isfinite(s)):
            return _case(_labels(rng, n, 0.5), s)


def single_class(seed: int) -> dict:
    """3-10 examples that are all positive or all negative: the AUC is undefined."""
    rng = _rng(seed)
    n = int(rng.integers(3, 11))
    y = np.full(n, float(rng.integers(0, 2)))
    return _case(y, rng.uniform(0.0, 1.0, size=n))


def large_tied(seed: int) -> dict:
    """1,000,000 examples, scores rounded to two decimals (about 100 distinct values), rows
    grouped by label (negatives first, as when two exports are concatenated)."""
    rng = np.random.default_rng(seed)
    y = (rng.random(1_000_000) < 0.3).astype(np.int64)
    s = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0.0, 1.0).round(2)
    order = np.argsort(y, kind="stable")
    return {"args": [y[order], s[order]], "kwargs": {}}


def large_continuous(seed: int) -> dict:
    """500,000 examples with a rare positive class and continuous logit scores."""
    rng = np.random.default_rng(seed + 1)
    y = (rng.random(500_000) < 0.02).astype(np.int64)
    s = rng.normal(1.5 * y, 1.0)
    return {"args": [y, s], "kwargs": {}}
