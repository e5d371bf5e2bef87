import numpy as np


def roc_auc(y_true, y_score):
    y = np.asarray(y_true).astype(int)
    s = np.asarray(y_score, dtype=float)
    if y.shape != s.shape or y.ndim != 1:
        raise ValueError("shapes differ")
    if not set(np.unique(y)).issubset({0, 1}):
        raise ValueError("bad label")
    P = y.sum()
    N = len(y) - P
    if P == 0 or N == 0:
        raise ValueError("one class only")
    idx = np.argsort(-s, kind="stable")
    s_desc, y_desc = s[idx], y[idx]
    cut = np.r_[np.flatnonzero(np.diff(s_desc) != 0), len(s_desc) - 1]
    tps = np.cumsum(y_desc)[cut]
    fps = np.cumsum(1 - y_desc)[cut]
    tpr = np.r_[0.0, tps / P]
    fpr = np.r_[0.0, fps / N]
    return float(np.trapz(tpr, fpr))
