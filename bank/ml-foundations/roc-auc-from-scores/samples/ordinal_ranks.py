import numpy as np


def roc_auc(y_true, y_score) -> float:
    # Mann-Whitney with ordinal ranks (argsort of argsort): tied scores get distinct ranks in
    # input order, so a tie counts as a win or a loss depending on where the rows happen to be.
    y = np.asarray(y_true)
    s = np.asarray(y_score, dtype=np.float64)
    pos = y == 1
    n_pos = int(pos.sum())
    n_neg = int((y == 0).sum())
    if n_pos == 0 or n_neg == 0 or y.shape != s.shape:
        raise ValueError("need both classes and equal lengths")
    ranks = np.empty(s.size)
    ranks[np.argsort(s, kind="stable")] = np.arange(1, s.size + 1)
    u = ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))
