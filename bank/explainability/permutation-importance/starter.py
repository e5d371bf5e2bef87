import numpy as np


def permutation_importance(
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray,
    bias: float,
    metric: str,
    n_repeats: int,
    seed: int,
) -> list[float]:
    """Mean increase in loss when each feature's column is permuted, one feature at a time.

    Model scores: s = X @ weights + bias. metric is "mse", "log_loss" or "accuracy".
    RNG protocol: rng = np.random.default_rng(seed), created once; for j in 0..d-1, for each of
    n_repeats repeats, perm = rng.permutation(n); score a copy of X whose column j is X[perm, j].
    Returns a list of d floats.
    """
    raise NotImplementedError
