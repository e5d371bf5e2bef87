import numpy as np
import pandas as pd


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    expected = pd.Series(np.asarray(reference, dtype=float).ravel())
    actual = pd.Series(np.asarray(current, dtype=float).ravel())
    inner_edges = sorted(set(expected.quantile(np.arange(1, n_bins) / n_bins).tolist()))
    edges = [-np.inf, *inner_edges, np.inf]
    e_frac = pd.cut(expected, edges, right=True).value_counts(sort=False).to_numpy() / len(expected)
    a_frac = pd.cut(actual, edges, right=True).value_counts(sort=False).to_numpy() / len(actual)
    e_frac = np.maximum(e_frac, eps)
    a_frac = np.maximum(a_frac, eps)
    return float(np.dot(a_frac - e_frac, np.log(a_frac / e_frac)))
