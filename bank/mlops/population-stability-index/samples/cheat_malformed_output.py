"""Cheat (malformed output): no PSI at all; each answer is built to trip the code between the
sandbox and the judge: a forged raw-array marker with no bytes for three float64 values, one
with a negative shape, and a dict keyed by a value that JSON cannot hold as a key in the
first place (a tuple) wrapped around infinity."""

_calls = 0


def population_stability_index(reference, current, n_bins=10, eps=1e-4):
    global _calls
    _calls += 1
    if _calls % 3 == 1:
        return {"__ndarray__": "", "dtype": "<f8", "shape": [3]}
    if _calls % 3 == 2:
        return {"__ndarray__": "AAAAAAAAAAA=", "dtype": "<f8", "shape": [-1, -1]}
    return {(1, 2): float("inf"), "psi": float("-inf")}
