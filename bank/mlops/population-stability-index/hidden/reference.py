"""Reference solution: PSI with quantile bins taken from the reference sample."""

import numpy as np


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    ref = np.asarray(reference, dtype=float).ravel()
    cur = np.asarray(current, dtype=float).ravel()

    # Inner edges: quantiles of the reference at i / n_bins, ties merged.
    levels = np.arange(1, n_bins) / n_bins
    edges = np.unique(np.quantile(ref, levels))

    # Right-closed bins (e_{k-1}, e_k]: searchsorted(side="left") gives that index directly.
    n_out = edges.size + 1
    ref_counts = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=n_out)
    cur_counts = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=n_out)

    p_ref = np.maximum(ref_counts / ref.size, eps)
    p_cur = np.maximum(cur_counts / cur.size, eps)
    return float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))
