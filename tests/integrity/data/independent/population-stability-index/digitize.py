import numpy as np


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    base = np.asarray(reference, dtype=float).reshape(-1)
    new = np.asarray(current, dtype=float).reshape(-1)
    qs = np.quantile(base, [i / n_bins for i in range(1, n_bins)])
    cuts = np.unique(qs)
    bins = np.concatenate(([-np.inf], cuts, [np.inf]))
    base_share = np.histogram(base, bins=bins)[0] / len(base)
    new_share = np.histogram(new, bins=bins)[0] / len(new)
    # histogram bins are left-closed; recount values equal to an edge into the bin below
    base_share = _right_closed(base, cuts) / len(base)
    new_share = _right_closed(new, cuts) / len(new)
    base_share = np.clip(base_share, eps, None)
    new_share = np.clip(new_share, eps, None)
    return float(((new_share - base_share) * np.log(new_share / base_share)).sum())


def _right_closed(values, cuts):
    counts = np.zeros(len(cuts) + 1)
    for v in values:
        counts[np.searchsorted(cuts, v, side="left")] += 1
    return counts
