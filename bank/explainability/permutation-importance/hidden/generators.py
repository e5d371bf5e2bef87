"""Hidden cases for explainability/permutation-importance, drawn from a seed.

Every function takes the seed and returns {"args": [X, y, weights, bias, metric, n_repeats,
protocol_seed], "kwargs": {}} (the cases convert X, y and weights with as_array; the large ones come as float64
arrays already, which travel to the sandbox as raw bytes). Each draws a
random instance of one fixed scenario; what decides a plausible wrong implementation's result is
fixed per scenario, for every seed:

- whether permuted columns left in place leak into later features: cases with several features
  are drawn again unless scoring feature j with the earlier features still shuffled changes
  some importance (``_importances(..., restore=False)``), and single-feature or single-row
  cases cannot leak;
- whether an unstable log-loss overflows: "confident" log-loss cases hold a row with label 0
  and a score of at least 50 (log(1 - sigmoid(s)) is log(0) in float64), and the other
  log-loss cases bound every score, permuted or not, by 10 in absolute value.
"""

import numpy as np


def _loss(scores, y, metric):
    if metric == "mse":
        return float(np.mean((scores - y) ** 2))
    if metric == "log_loss":
        return float(np.mean(np.logaddexp(0.0, scores) - y * scores))
    return -float(np.mean((scores > 0).astype(float) == y))


def _importances(X, y, w, b, metric, n_repeats, seed, *, restore=True):
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    w = np.asarray(w, dtype=float)
    n, d = X.shape
    baseline = _loss(X @ w + b, y, metric)
    rng = np.random.default_rng(seed)
    work = X.copy()
    out = []
    for j in range(d):
        diffs = []
        for _ in range(n_repeats):
            perm = rng.permutation(n)
            if restore:
                work = X.copy()
            work[:, j] = X[perm, j]
            diffs.append(_loss(work @ w + b, y, metric) - baseline)
        out.append(float(np.mean(diffs)))
    return np.array(out)


def _case(X, y, w, b, metric, n_repeats, seed) -> dict:
    return {"args": [np.asarray(X, dtype=float).tolist(), np.asarray(y, dtype=float).tolist(),
                     np.asarray(w, dtype=float).tolist(), float(b), metric, int(n_repeats),
                     int(seed)], "kwargs": {}}


def _leaking(make) -> dict:
    """make() until leaving the shuffled columns in place changes an importance clearly."""
    while True:
        args = make()
        right = _importances(*args)
        leaked = _importances(*args, restore=False)
        if np.all(np.isfinite(right)) and np.any(
                np.abs(right - leaked) > 1e-6 * (np.abs(right) + 1e-3)):
            return _case(*args)


def _protocol_seed(rng) -> int:
    return int(rng.integers(0, 2**32))


def _regression(rng, n, d, w, noise=0.5, b=0.0):
    X = np.round(rng.normal(size=(n, d)), 3)
    y = np.round(X @ w + b + rng.normal(scale=noise, size=n), 3)
    return X, y


def mse_four_features(seed: int) -> dict:
    """MSE; 15-25 rows, 4 features with non-zero weights; 3-6 repeats."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(15, 26))
        w = np.round(rng.uniform(0.5, 3.0, size=4) * rng.choice([-1, 1], size=4), 2)
        X, y = _regression(rng, n, 4, w)
        return X, y, w, 0.0, "mse", int(rng.integers(3, 7)), _protocol_seed(rng)

    return _leaking(make)


def mse_another_seed(seed: int) -> dict:
    """The same kind of data scored under a protocol seed far from the small ones (up to 2**32),
    with a bias; 5 repeats."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(15, 26))
        w = np.round(rng.uniform(0.5, 3.0, size=4) * rng.choice([-1, 1], size=4), 2)
        b = float(np.round(rng.uniform(-2.0, 2.0), 2))
        X, y = _regression(rng, n, 4, w, b=b)
        return X, y, w, b, "mse", 5, int(rng.integers(2**31, 2**32))

    return _leaking(make)


def zero_weights(seed: int) -> dict:
    """MSE; 3-5 features, some with weight exactly 0 (their importance is exactly 0)."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(12, 20))
        d = int(rng.integers(3, 6))
        w = np.round(rng.uniform(0.5, 2.0, size=d) * rng.choice([-1, 1], size=d), 2)
        zero = rng.choice(d, size=int(rng.integers(1, d - 1)), replace=False)
        w[zero] = 0.0
        X, y = _regression(rng, n, d, w, b=-1.0)
        return X, y, w, -1.0, "mse", 3, _protocol_seed(rng)

    return _leaking(make)


def constant_feature(seed: int) -> dict:
    """MSE; 3-4 features, one of them a constant column (its importance is exactly 0)."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(10, 16))
        d = int(rng.integers(3, 5))
        w = np.round(rng.uniform(0.5, 2.0, size=d) * rng.choice([-1, 1], size=d), 2)
        X, y = _regression(rng, n, d, w, b=0.2)
        X[:, int(rng.integers(0, d))] = float(rng.integers(-5, 6))
        return X, y, w, 0.2, "mse", 3, _protocol_seed(rng)

    return _leaking(make)


def single_sample(seed: int) -> dict:
    """One row: every permutation is the identity, so every importance is 0 (any metric)."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(2, 6))
    metric = str(rng.choice(["mse", "log_loss", "accuracy"]))
    X = np.round(rng.normal(size=(1, d)), 3)
    y = [float(rng.integers(0, 2))] if metric != "mse" else [float(np.round(rng.normal(), 3))]
    w = np.round(rng.normal(size=d), 2)
    return _case(X, y, w, 0.0, metric, int(rng.integers(1, 5)), _protocol_seed(rng))


def one_feature(seed: int) -> dict:
    """MSE; one feature, one repeat, 15-30 rows."""
    rng = np.random.default_rng(seed)
    w = np.array([float(np.round(rng.uniform(0.5, 3.0), 2))])
    X, y = _regression(rng, int(rng.integers(15, 31)), 1, w, noise=0.3)
    return _case(X, y, w, 0.0, "mse", 1, _protocol_seed(rng))


def accuracy_zero_scores(seed: int) -> dict:
    """Accuracy; small-integer features and weights, bias 0: many scores are exactly 0 (class
    0); 3 features, 4-8 repeats."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(15, 25))
        X = rng.integers(-2, 3, size=(n, 3)).astype(float)
        w = rng.choice([-2.0, -1.0, 1.0, 2.0], size=3)
        s = X @ w
        if (s == 0).sum() < 3:
            X[:3] = 0.0
        y = ((X @ w > 0) ^ (rng.random(n) < 0.25)).astype(float)
        return X, y, w, 0.0, "accuracy", int(rng.integers(4, 9)), _protocol_seed(rng)

    return _leaking(make)


def accuracy_worse_than_chance(seed: int) -> dict:
    """Accuracy; 4 features, labels mostly the opposite of the model's prediction: shuffling
    tends to help, so importances come out negative."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(25, 36))
        X = np.round(rng.normal(size=(n, 4)), 3)
        w = np.round(rng.normal(size=4), 2)
        b = float(np.round(rng.uniform(-0.5, 0.5), 2))
        y = ((X @ w + b <= 0) ^ (rng.random(n) < 0.2)).astype(float)
        return X, y, w, b, "accuracy", int(rng.integers(5, 9)), _protocol_seed(rng)

    return _leaking(make)


def confident_log_loss(seed: int) -> dict:
    """Log-loss with scores in the hundreds; one row has label 0 and a score of at least 50."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(18, 30))
        X = np.round(rng.normal(size=(n, 3)) * [30.0, 200.0, 4.0], 2)
        w = np.array([1.0, 1.0, -1.0])
        y = (rng.random(n) < 0.5).astype(float)
        s = X @ w + 0.1
        i = int(np.argmax(s))
        if s[i] < 50:
            X[i, 1] += 60.0 - s[i]
        y[i] = 0.0
        return X, y, w, 0.1, "log_loss", 4, _protocol_seed(rng)

    return _leaking(make)


def log_loss_repeats(seed: int) -> dict:
    """Log-loss; 2 features in [-1.5, 1.5], |weights| + |bias| small enough that every score,
    permuted or not, stays within [-10, 10]; 5 repeats."""
    rng = np.random.default_rng(seed)

    def make():
        n = int(rng.integers(15, 26))
        X = np.round(rng.uniform(-1.5, 1.5, size=(n, 2)), 3)
        w = np.round(rng.uniform(0.5, 3.0, size=2) * rng.choice([-1, 1], size=2), 2)
        b = float(np.round(rng.uniform(-1.0, 1.0), 2))
        p = 1.0 / (1.0 + np.exp(-(X @ w + b)))
        y = (rng.random(n) < p).astype(float)
        return X, y, w, b, "log_loss", 5, _protocol_seed(rng)

    return _leaking(make)


def mse_six_equal(seed: int) -> dict:
    """MSE; 6 features with equal weights, 25-35 rows, 15-25 repeats."""
    rng = np.random.default_rng(seed)

    def make():
        w = np.full(6, float(np.round(rng.uniform(0.3, 1.0), 2)))
        X, y = _regression(rng, int(rng.integers(25, 36)), 6, w, b=1.0)
        return X, y, w, 1.0, "mse", int(rng.integers(15, 26)), _protocol_seed(rng)

    return _leaking(make)


def large_regression(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n, d = 10_000, 20
    X = rng.normal(size=(n, d))
    w = rng.normal(size=d) * (rng.random(d) < 0.5)  # about half the features are irrelevant
    w[0] = 1.0  # a relevant first feature: a shuffled column left in place always leaks
    y = X @ w + 0.3 + rng.normal(scale=0.5, size=n)
    return {"args": [X, y, w, 0.3, "mse", 5, 11], "kwargs": {}}


def large_classification(seed: int) -> dict:
    """Scores of standard deviation about 9; one row is a confidently wrong prediction (label
    0, score of at least 50), as real models have."""
    rng = np.random.default_rng(seed + 1)
    n, d = 10_000, 20
    X = rng.normal(size=(n, d))
    w = rng.normal(scale=2.0, size=d)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ w - 0.5)))).astype(float)
    X[0] = np.sign(w) * (55.0 / np.abs(w).sum() + 0.1)
    y[0] = 0.0
    return {"args": [X, y, w, -0.5, "log_loss", 4, 5], "kwargs": {}}


def large_classification_accuracy(seed: int) -> dict:
    case = large_classification(seed + 1)
    case["args"][4] = "accuracy"
    return case
