"""Cheat (malformed output): no importances at all; each answer is built to trip the code between
the sandbox and the judge: a 20 MB float64 array (a results file that outgrows its limit after
a few cases), a forged raw-array marker whose dtype is not a dtype, and a numpy object array of
Python objects that have no JSON form."""

import numpy as np

_calls = 0


def permutation_importance(X, y, weights, bias, metric, n_repeats, seed):
    global _calls
    _calls += 1
    if _calls % 3 == 1:
        return np.full(2_621_440, 0.5)  # 20 MiB of float64
    if _calls % 3 == 2:
        return {"__ndarray__": "AAAAAAAAAAA=", "dtype": "not-a-dtype", "shape": [1]}
    junk = np.empty(3, dtype=object)
    junk[:] = [object(), {1, 2}, complex(1, 2)]
    return junk
