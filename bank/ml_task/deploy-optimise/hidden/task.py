"""Transactions whose fraud signal is (almost) linear: a small model can match the forest."""

import numpy as np
import pandas as pd


def _rows(rng, n):
    x = rng.normal(size=(n, 8))
    logit = 1.5 * x[:, 0] - 1.2 * x[:, 1] + 0.8 * x[:, 2] + 0.5 * x[:, 3] - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return pd.DataFrame(x.round(4), columns=[f"v{i}" for i in range(8)]), y


def generate(seed, params):
    rng = np.random.default_rng([seed, 202])
    train, y = _rows(rng, 2000)
    train["fraud"] = y
    holdout, labels = _rows(rng, 1000)
    return {"public": {"train.csv": train.to_csv(index=False)},
            "holdout": {"holdout.csv": holdout.to_csv(index=False)},
            "secret": {"labels": labels.tolist()}}
