"""Subtly wrong: bins are left-closed [e_{k-1}, e_k) (np.digitize's default) instead of the
specified right-closed (e_{k-1}, e_k], so values equal to an edge land one bin higher."""

import numpy as np


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    ref = np.asarray(reference, dtype=float).ravel()
    cur = np.asarray(current, dtype=float).ravel()
    edges = np.unique(np.quantile(ref, np.arange(1, n_bins) / n_bins))
    n_out = edges.size + 1
    p_ref = np.maximum(np.bincount(np.digitize(ref, edges), minlength=n_out) / ref.size, eps)
    p_cur = np.maximum(np.bincount(np.digitize(cur, edges), minlength=n_out) / cur.size, eps)
    return float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))
