"""Large inputs for coding/stable-log-softmax."""

import numpy as np


def large_batch(seed: int) -> dict:
    """4000 rows of 1000 logits of ordinary scale: checks vectorisation, not numerics."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 5.0, size=(4000, 1000))
    return {"args": [x], "kwargs": {"axis": 1}}


def large_extreme_columns(seed: int) -> dict:
    """Columns whose logits span thousands: a log of an underflowed softmax gives -inf here."""
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(0.0, 1.0, size=(500, 2000)) * rng.uniform(1.0, 3000.0, size=(1, 2000))
    x += rng.uniform(-1e5, 1e5, size=(1, 2000))
    return {"args": [x], "kwargs": {"axis": 0}}
