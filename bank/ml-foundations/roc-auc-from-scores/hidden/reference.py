import numpy as np


def roc_auc(y_true, y_score) -> float:
    """ROC-AUC as the Mann-Whitney U statistic with average ranks for ties, in O(n log n)."""
    y = np.asarray(y_true)
    s = np.asarray(y_score, dtype=np.float64)
    if y.ndim != 1 or s.ndim != 1 or y.shape != s.shape:
        raise ValueError("y_true and y_score must be 1-D sequences of the same length")
    pos = y == 1
    neg = y == 0
    if not np.all(pos | neg):
        raise ValueError("labels must be 0/1 or booleans")
    n_pos = int(pos.sum())
    n_neg = int(neg.sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC is undefined when only one class is present")

    # 1-based ranks of the scores; a group of tied scores gets the average of its ranks.
    order = np.argsort(s, kind="mergesort")
    sorted_s = s[order]
    n = s.size
    starts = np.flatnonzero(np.r_[True, sorted_s[1:] != sorted_s[:-1]])
    ends = np.r_[starts[1:], n]  # exclusive
    group_rank = (starts + 1 + ends) / 2.0  # mean of ranks starts+1 .. ends
    ranks = np.empty(n, dtype=np.float64)
    ranks[order] = np.repeat(group_rank, ends - starts)

    # U = sum of positive ranks minus the smallest possible sum; every tied pair adds 0.5.
    u = ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))
