import math

import numpy as np


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    ref = sorted(float(v) for v in np.ravel(reference))
    cur = [float(v) for v in np.ravel(current)]
    inner = sorted(set(np.quantile(np.array(ref), np.arange(1, n_bins) / n_bins).tolist()))

    def bin_of(value):
        for index, edge in enumerate(inner):
            if value <= edge:
                return index
        return len(inner)

    ref_hist = [0] * (len(inner) + 1)
    cur_hist = [0] * (len(inner) + 1)
    for value in ref:
        ref_hist[bin_of(value)] += 1
    for value in cur:
        cur_hist[bin_of(value)] += 1
    psi = 0.0
    for r, c in zip(ref_hist, cur_hist):
        pr = max(r / len(ref), eps)
        pc = max(c / len(cur), eps)
        psi += (pc - pr) * math.log(pc / pr)
    return psi
