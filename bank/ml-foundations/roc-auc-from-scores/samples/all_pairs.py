import numpy as np


def roc_auc(y_true, y_score) -> float:
    # Correct definition, but it materialises every (positive, negative) pair: fine for small
    # inputs, out of memory and time on the large ones.
    y = np.asarray(y_true)
    s = np.asarray(y_score, dtype=np.float64)
    p = s[y == 1]
    n = s[y == 0]
    if p.size == 0 or n.size == 0 or y.shape != s.shape:
        raise ValueError("need both classes and equal lengths")
    wins = (p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()
    return float(wins / (p.size * n.size))
