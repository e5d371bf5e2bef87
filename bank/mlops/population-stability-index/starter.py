import numpy as np


def population_stability_index(
    reference: np.ndarray, current: np.ndarray, n_bins: int = 10, eps: float = 1e-4
) -> float:
    """PSI of `current` against `reference`.

    - Inner bin edges: np.quantile(reference, np.arange(1, n_bins) / n_bins) (numpy's default
      "linear" method), duplicates removed; outer edges are -inf and +inf.
    - Bins are right-closed: a value v falls in (e_{k-1}, e_k].
    - Proportions per bin for each sample, each floored at eps: max(p, eps), no renormalising.
    - PSI = sum over bins of (p_cur - p_ref) * ln(p_cur / p_ref), returned as a float.
    """
    raise NotImplementedError
