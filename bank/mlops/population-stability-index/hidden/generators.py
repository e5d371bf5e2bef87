"""Large inputs for population-stability-index (plain lists; the cases convert them with as_array)."""

import numpy as np


def large_lognormal(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    reference = rng.lognormal(mean=3.0, sigma=0.8, size=200_000)
    current = rng.lognormal(mean=3.15, sigma=0.9, size=150_000)
    return {"args": [reference.tolist(), current.tolist()], "kwargs": {"n_bins": 20}}


def large_integer_ties(seed: int) -> dict:
    rng = np.random.default_rng(seed + 1)
    reference = rng.poisson(4.0, size=300_000).astype(float)
    current = rng.poisson(4.6, size=300_000).astype(float)
    return {"args": [reference.tolist(), current.tolist()], "kwargs": {"n_bins": 10}}
