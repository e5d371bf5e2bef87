"""Large inputs for lru-cache-for-model-outputs. Class-style cases: each generator returns
{"init": [...], "calls": [[method, *args], ...]}. With tens of thousands of entries, an
implementation that scans a list on every access is orders of magnitude slower than O(1)."""

import numpy as np


def _zipf_keys(rng, n_ops, n_keys):
    # Skewed traffic, like repeated prompts: a few keys are very hot, most are rare.
    ranks = rng.zipf(1.2, size=n_ops)
    return [f"prompt-{int(r) % n_keys}" for r in ranks]


def serving_trace(seed: int) -> dict:
    """A read-through cache in front of a model: get, and put on a miss."""
    rng = np.random.default_rng(seed)
    capacity = 20_000
    calls = []
    keys = [int(k) for k in rng.integers(0, 40_000, size=100_000)]
    for i, k in enumerate(keys):
        calls.append(["get", k])
        calls.append(["put", k, i])
    calls.append(["stats"])
    return {"init": [capacity], "calls": calls}


def skewed_trace(seed: int) -> dict:
    rng = np.random.default_rng(seed + 1)
    capacity = 10_000
    keys = _zipf_keys(rng, 200_000, 1_000_000)
    calls = []
    for i, k in enumerate(keys):
        if i % 3 == 0:
            calls.append(["put", k, [i, i % 7]])
        else:
            calls.append(["get", k])
    calls.append(["stats"])
    return {"init": [capacity], "calls": calls}
