"""Large inputs for ml-foundations/kmeans-step."""

import numpy as np


def large_blobs(seed: int) -> dict:
    """100,000 points in 16-D around 60 blobs; 60 centroids from the data, 4 far away (empty)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0.0, 10.0, size=(60, 16))
    X = centres[rng.integers(0, 60, size=100_000)] + rng.normal(0.0, 1.5, size=(100_000, 16))
    init = X[rng.choice(100_000, size=60, replace=False)]
    far = rng.normal(0.0, 1.0, size=(4, 16)) + 1000.0
    C = np.vstack([init[:30], far[:2], init[30:], far[2:]])
    return {"args": [X, C], "kwargs": {}}


def large_grid_ties(seed: int) -> dict:
    """Integer grid points and integer centroids 2 apart: a large share of points is equidistant
    from two or four centroids, and one centroid is duplicated."""
    rng = np.random.default_rng(seed + 1)
    X = rng.integers(0, 20, size=(50_000, 2)).astype(np.float64)
    C = np.array([[x, y] for x in range(1, 20, 2) for y in range(1, 20, 2)], dtype=np.float64)
    C = C[rng.permutation(len(C))]
    C = np.vstack([C, C[:1]])
    return {"args": [X, C], "kwargs": {}}
