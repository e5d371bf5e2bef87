import math

import numpy as np


def _proportions(values, edges, eps):
    counts = np.zeros(edges.size + 1, dtype=np.int64)
    for v in values:
        k = np.sum(edges < v)  # right-closed: a value equal to an edge stays in the lower bin
        counts[k] += 1
    return [max(c / values.size, eps) for c in counts]


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    # Right definition, but every value is compared with the edges in its own numpy call:
    # fine for a few dozen values, far too slow for hundreds of thousands.
    ref = np.asarray(reference, dtype=float).ravel()
    cur = np.asarray(current, dtype=float).ravel()
    edges = np.unique(np.quantile(ref, np.arange(1, n_bins) / n_bins))
    p_ref = _proportions(ref, edges, eps)
    p_cur = _proportions(cur, edges, eps)
    return float(sum((c - r) * math.log(c / r) for c, r in zip(p_cur, p_ref)))
