"""Hidden cases for ml-foundations/kmeans-step, drawn from a seed.

Every function takes the seed and returns {"args": [X, centroids], "kwargs": {}} with float64
arrays. Each draws a random instance of one fixed scenario, and the two things that decide what
a plausible wrong step gets are fixed per scenario, for every seed:

- exact ties: tie cases use small integer coordinates (every way of computing a squared
  distance is then exact) and always contain a point equidistant from its two nearest
  centroids; the other cases keep every point's nearest centroid ahead of the second nearest by
  a clear margin (``_clear_margin``), so no rounding can reorder them;
- empty clusters: a case either guarantees a centroid that gets no point and is not at the
  origin, or guarantees that every centroid away from the origin gets points.
"""

import numpy as np


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _case(X, C) -> dict:
    return {"args": [np.asarray(X, dtype=np.float64), np.asarray(C, dtype=np.float64)],
            "kwargs": {}}


def _sq_dists(X: np.ndarray, C: np.ndarray) -> np.ndarray:
    return ((X[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)


def _clear_margin(X: np.ndarray, C: np.ndarray, margin: float = 1e-3) -> bool:
    """Every point's nearest centroid beats the second nearest by a relative margin."""
    if C.shape[0] < 2:
        return True
    d = np.sort(_sq_dists(X, C), axis=1)
    return bool(np.all(d[:, 1] - d[:, 0] > margin * (1.0 + d[:, 0])))


def _every_centroid_used(X: np.ndarray, C: np.ndarray) -> bool:
    return np.unique(np.argmin(_sq_dists(X, C), axis=1)).size == C.shape[0]


def _blobs(rng, centres: np.ndarray, sizes, spread: float) -> np.ndarray:
    X = np.vstack([c + rng.normal(0.0, spread, size=(s, centres.shape[1]))
                   for c, s in zip(centres, sizes)])
    return X[rng.permutation(len(X))]


def _clustered(rng, k: int, d: int, *, spread: float, span: float, offset=0.0):
    """k well separated blobs (3-8 points each) and one centroid near each blob (in random
    order); drawn again until every point has a clear nearest centroid and each gets points."""
    while True:
        centres = rng.uniform(-span, span, size=(k, d)) + offset
        gaps = np.sqrt(_sq_dists(centres, centres))[~np.eye(k, dtype=bool)]
        if gaps.size and gaps.min() < 8.0 * spread:
            continue
        X = _blobs(rng, centres, rng.integers(3, 9, size=k), spread)
        C = centres[rng.permutation(k)] + rng.normal(0.0, spread, size=(k, d))
        if _clear_margin(X, C) and _every_centroid_used(X, C):
            return X, C


def two_clear_clusters(seed: int) -> dict:
    """Two well separated 2-D blobs of 3-8 points, one centroid near each."""
    rng = _rng(seed)
    return _case(*_clustered(rng, 2, 2, spread=1.0, span=20.0))


def three_clusters_3d(seed: int) -> dict:
    """Three well separated 3-D blobs, points shuffled, one centroid near each."""
    rng = _rng(seed)
    return _case(*_clustered(rng, 3, 3, spread=0.5, span=10.0))


def far_centroid_empty(seed: int) -> dict:
    """Two blobs with a centroid each, and a third centroid 80-200 away from all the data (in
    random position among the centroids): it gets no point and must not move."""
    rng = _rng(seed)
    d = int(rng.integers(2, 4))
    X, C = _clustered(rng, 2, d, spread=1.0, span=10.0)
    direction = rng.normal(size=d)
    far = X.mean(axis=0) + direction / np.linalg.norm(direction) * rng.uniform(80.0, 200.0)
    C = np.insert(C, int(rng.integers(0, 3)), far, axis=0)
    return _case(X, C)


def one_takes_all(seed: int) -> dict:
    """3-6 points around a centroid 20-40 from the origin; two more centroids get nothing:
    one at the origin and one elsewhere (far from the points)."""
    rng = _rng(seed)
    d = int(rng.integers(2, 4))
    direction = rng.normal(size=d)
    centre = direction / np.linalg.norm(direction) * rng.uniform(20.0, 40.0)
    X = centre + rng.normal(0.0, 1.0, size=(int(rng.integers(3, 7)), d))
    other = -centre * rng.uniform(0.5, 1.5) + rng.normal(0.0, 3.0, size=d)
    C = np.vstack([centre + rng.normal(0.0, 0.5, size=d), np.zeros(d), other])
    C = C[rng.permutation(3)]
    return _case(X, C)


def _integer_grid_case(rng, d: int, k: int, spacing: int, n_ties: int, n_plain: int):
    """Centroids on distinct points of an integer grid of the given (even) spacing; points: for
    every centroid at least one that is strictly nearest to it, plus midpoints of grid-adjacent
    centroid pairs (exactly equidistant from both, and farther from every other centroid)."""
    cells = rng.choice(4**d, size=k, replace=False)
    grid = np.array([[(c // 4**i) % 4 for i in range(d)] for c in cells])
    C = (grid * spacing + rng.integers(-3, 4) * spacing).astype(np.float64)
    points = []
    for c in C:
        for _ in range(int(rng.integers(1, n_plain + 1))):
            offset = rng.integers(-(spacing // 2 - 1), spacing // 2, size=d)
            points.append(c + offset)
    pairs = [(a, b) for a in range(k) for b in range(a + 1, k)
             if np.abs(C[a] - C[b]).sum() == spacing]
    if not pairs:
        return None
    for idx in rng.choice(len(pairs), size=min(n_ties, len(pairs)), replace=False):
        a, b = pairs[int(idx)]
        points.append((C[a] + C[b]) / 2)
    X = np.array(points, dtype=np.float64)
    X = X[rng.permutation(len(X))]
    dist = _sq_dists(X, C)
    best = dist.min(axis=1, keepdims=True)
    ties = (dist == best).sum(axis=1)
    if not (ties >= 2).any() or not _every_centroid_used(X, C):
        return None
    return X, C


def equidistant_lowest_index(seed: int) -> dict:
    """2-D integer grid (spacing 4) with 3-5 centroids in random order; every centroid has
    points of its own and 1-3 points sit exactly between two centroids."""
    rng = _rng(seed)
    while True:
        made = _integer_grid_case(rng, 2, int(rng.integers(3, 6)), 4, int(rng.integers(1, 4)), 2)
        if made is not None:
            return _case(*made)


def duplicate_centroids(seed: int) -> dict:
    """Two blobs; centroids: one near each blob, and an exact copy of one of them (not at the
    origin) later in the list: the first copy takes the points, the second stays put."""
    rng = _rng(seed)
    X, C = _clustered(rng, 2, 2, spread=1.0, span=15.0)
    i = int(rng.integers(0, 2))
    C = np.insert(C, int(rng.integers(i + 1, 3)), C[i], axis=0)
    return _case(X, C)


def single_centroid(seed: int) -> dict:
    """k = 1: 3-10 points anywhere in 2-4 D and one centroid far away."""
    rng = _rng(seed)
    d = int(rng.integers(2, 5))
    X = rng.uniform(-10.0, 10.0, size=(int(rng.integers(3, 11)), d))
    return _case(X, rng.uniform(50.0, 100.0, size=(1, d)) * rng.choice([-1.0, 1.0], size=(1, d)))


def single_point(seed: int) -> dict:
    """One point; two centroids, the origin and one clearly nearer to the point (either order)."""
    rng = _rng(seed)
    d = int(rng.integers(2, 4))
    point = rng.uniform(3.0, 10.0, size=d) * rng.choice([-1.0, 1.0], size=d)
    while True:
        near = point + rng.normal(0.0, 0.5, size=d)
        if ((point - near) ** 2).sum() < 0.5 * (point**2).sum():
            break
    C = np.vstack([np.zeros(d), near]) if rng.random() < 0.5 else np.vstack([near, np.zeros(d)])
    return _case(point[None, :], C)


def one_feature(seed: int) -> dict:
    """d = 1: integer points and 3-4 integer centroids 2-6 apart (even gaps), every centroid with
    points of its own and the midpoints between neighbours among the points (exact ties)."""
    rng = _rng(seed)
    k = int(rng.integers(3, 5))
    gaps = 2 * rng.integers(1, 4, size=k - 1)
    C = (int(rng.integers(-10, 10)) + np.concatenate([[0], np.cumsum(gaps)])).astype(np.float64)
    points = list(C)  # each centroid's own position is strictly nearest to it
    points += [(a + b) / 2 for a, b in zip(C[:-1], C[1:])]
    points += list(rng.integers(int(C[0]) - 3, int(C[-1]) + 4, size=int(rng.integers(0, 5))))
    X = np.array(points, dtype=np.float64)[:, None]
    X = X[rng.permutation(len(X))]
    return _case(X, C[rng.permutation(k)][:, None])


def far_from_origin(seed: int) -> dict:
    """Two or three blobs with coordinates around 1e4-1e5 (non-integer), one centroid near each;
    clear margins and no empty cluster."""
    rng = _rng(seed)
    offset = rng.uniform(1e4, 1e5, size=2) * rng.choice([-1.0, 1.0], size=2)
    return _case(*_clustered(rng, int(rng.integers(2, 4)), 2, spread=1.0, span=20.0,
                             offset=offset))


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
