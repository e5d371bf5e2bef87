"""Large inputs for ml-foundations/roc-auc-from-scores: far too many pairs to enumerate."""

import numpy as np


def large_tied(seed: int) -> dict:
    """1,000,000 examples, scores rounded to two decimals: about 100 distinct values."""
    rng = np.random.default_rng(seed)
    y = (rng.random(1_000_000) < 0.3).astype(np.int64)
    s = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0.0, 1.0).round(2)
    return {"args": [y, s], "kwargs": {}}


def large_continuous(seed: int) -> dict:
    """500,000 examples with a rare positive class and continuous logit scores."""
    rng = np.random.default_rng(seed + 1)
    y = (rng.random(500_000) < 0.02).astype(np.int64)
    s = rng.normal(1.5 * y, 1.0)
    return {"args": [y, s], "kwargs": {}}
