"""Cheat (malformed output): no log-softmax at all; each answer is built to hurt the machinery
between the sandbox and the judge: a 20 MB float64 array (a results file that outgrows its
limit after a few cases), a forged raw-array marker whose shape asks for 10**12 elements from
eight bytes, and one whose dtype is a Python object array (unpickling raw bytes as objects)."""

import numpy as np

_calls = 0


def log_softmax(x, axis=-1):
    global _calls
    _calls += 1
    if _calls % 3 == 1:
        return np.random.default_rng(_calls).random(2_621_440)  # 20 MiB of float64
    if _calls % 3 == 2:
        return {"__ndarray__": "AAAAAAAAAAA=", "dtype": "<f8", "shape": [10**6, 10**6]}
    return {"__ndarray__": "gAWVAAAAAAAAAAA=", "dtype": "|O", "shape": [1]}
