"""Subtly wrong: instead of flooring proportions at eps, it silently skips every bin where either
sample has no values (a common hack to avoid log(0)), which hides exactly the drift that matters:
mass moving into a region the reference never saw."""

import numpy as np


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    ref = np.asarray(reference, dtype=float).ravel()
    cur = np.asarray(current, dtype=float).ravel()
    edges = np.unique(np.quantile(ref, np.arange(1, n_bins) / n_bins))
    n_out = edges.size + 1
    p_ref = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=n_out) / ref.size
    p_cur = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=n_out) / cur.size
    keep = (p_ref > 0) & (p_cur > 0)
    return float(np.sum((p_cur[keep] - p_ref[keep]) * np.log(p_cur[keep] / p_ref[keep])))
