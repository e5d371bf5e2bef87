"""Streams with 2-4 mean shifts at hidden points, plus harmless spikes."""

import json

import numpy as np
import pandas as pd

TOLERANCE = 25


def _stream(rng, n=1200):
    k = int(rng.integers(2, 5))
    points = sorted(int(p) for p in rng.choice(np.arange(150, n - 149, 150), k, replace=False))
    level = np.zeros(n)
    mean = 0.0
    for p in points:
        mean += rng.choice([-1, 1]) * rng.uniform(1.5, 2.5)
        level[p:] = mean
    x = level + rng.normal(size=n)
    spikes = rng.choice(n, 12, replace=False)
    x[spikes] += rng.choice([-1, 1], 12) * rng.uniform(5, 9, 12)
    return pd.DataFrame({"value": x.round(4)}), points


def generate(seed, params):
    rng = np.random.default_rng([seed, 303])
    example, example_points = _stream(rng)
    holdout, secret = {}, []
    for i in range(3):
        frame, points = _stream(rng)
        holdout[f"holdout_stream_{i}.csv"] = frame.to_csv(index=False)
        secret.append(points)
    return {"public": {"example_stream.csv": example.to_csv(index=False),
                       "example_changes.json": json.dumps(example_points)},
            "holdout": holdout, "secret": {"changes": secret}}


def metric_change_f1(secret, output, rows):
    if not isinstance(output, list) or len(output) != len(secret["changes"]):
        raise ValueError("expected one list of change points per stream")
    tp = fp = fn = 0
    for found, truth in zip(output, secret["changes"]):
        matched = set()
        for f in found:
            hit = next((t for t in truth if abs(f - t) <= TOLERANCE and t not in matched), None)
            if hit is None:
                fp += 1
            else:
                matched.add(hit)
                tp += 1
        fn += len(truth) - len(matched)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0
