"""Pump failures: about 4% positives, driven by an interaction (hot AND vibrating) and by
age. Accuracy rewards predicting "no failure" for everyone; PR-AUC and calibration do not."""

import numpy as np
import pandas as pd

BINS = 10


def _pumps(rng, n):
    temp = rng.normal(60, 8, n).round(1)
    vib = rng.gamma(2.0, 1.5, n).round(3)
    age = rng.integers(0, 15, n)
    pressure = rng.normal(5, 1, n).round(2)
    hot, shaky = (temp - 60) / 8, (vib - 3) / 2.1
    logit = -4.6 + 2.2 * np.clip(hot, 0, None) * np.clip(shaky, 0, None) + 0.12 * (age - 7) \
        + 1.4 * (hot > 1.5) + 1.1 * (shaky > 2)
    failed = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    frame = pd.DataFrame({"pump_id": np.arange(n), "temperature_c": temp, "vibration_mm_s": vib,
                          "age_years": age, "pressure_bar": pressure})
    return frame, failed


def generate(seed, params):
    rng = np.random.default_rng([seed, 606])
    train, y = _pumps(rng, 6000)
    train["failed"] = y
    holdout, labels = _pumps(rng, 5000)
    noise = rng.choice(len(labels), 30, replace=False)
    labels[noise] = 1 - labels[noise]
    return {"public": {"train.csv": train.to_csv(index=False)},
            "holdout": {"holdout.csv": holdout.to_csv(index=False)},
            "secret": {"labels": labels.tolist(), "noise_rows": noise.tolist()}}


def metric_ece(secret, output, rows):
    """Expected calibration error: |mean prediction - failure rate| in 10 equal-width bins,
    weighted by the bin's share of rows."""
    y = np.asarray(secret["labels"], dtype=float)
    p = np.asarray(output, dtype=float).reshape(-1)
    if p.shape != y.shape:
        raise ValueError(f"expected {len(y)} probabilities, got {p.shape[0]}")
    if not np.all(np.isfinite(p)) or p.min() < 0 or p.max() > 1:
        raise ValueError("probabilities must be numbers between 0 and 1")
    which = np.minimum((p * BINS).astype(int), BINS - 1)
    return float(sum(abs(p[which == b].mean() - y[which == b].mean()) * np.mean(which == b)
                     for b in range(BINS) if np.any(which == b)))
