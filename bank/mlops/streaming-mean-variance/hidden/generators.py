"""Large inputs for streaming-mean-variance. Class-style cases: each generator returns
{"init": [...], "calls": [[method, *args], ...]}."""

import numpy as np


def long_stream_large_offset(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    xs = (1e9 + rng.normal(0.0, 1.0, size=200_000)).tolist()
    calls = [["update", x] for x in xs]
    calls += [["count"], ["mean"], ["variance"], ["variance", 1]]
    return {"init": [], "calls": calls}


def sharded_stream_merges(seed: int) -> dict:
    """A coordinator folds in 500 worker summaries (offset 5e8) and some raw values of its own."""
    rng = np.random.default_rng(seed + 7)
    calls = []
    for _ in range(500):
        chunk = 5e8 + rng.normal(rng.normal(0.0, 2.0), 1.5, size=int(rng.integers(1, 200)))
        mean = float(chunk.mean())
        m2 = float(((chunk - mean) ** 2).sum())
        calls.append(["merge", len(chunk), mean, m2])
        calls.append(["update", float(5e8 + rng.normal(0.0, 2.0))])
    calls += [["count"], ["mean"], ["variance"], ["variance", 1]]
    return {"init": [], "calls": calls}
