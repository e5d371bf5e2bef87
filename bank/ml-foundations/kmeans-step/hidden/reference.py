import numpy as np


def kmeans_step(X: np.ndarray, centroids: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Assign by exact squared distances (one centroid at a time), then average per cluster."""
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(centroids, dtype=np.float64)
    n, k = X.shape[0], C.shape[0]

    # (n, k) squared distances, built column by column: memory n*d per step, never n*k*d, and
    # computed from differences (no ||x||^2 - 2x.c + ||c||^2 cancellation).
    dist = np.empty((n, k))
    for j in range(k):
        diff = X - C[j]
        dist[:, j] = np.einsum("ij,ij->i", diff, diff)
    labels = np.argmin(dist, axis=1)  # first minimum = lowest index on ties

    counts = np.bincount(labels, minlength=k)
    sums = np.zeros_like(C)
    np.add.at(sums, labels, X)
    new = C.copy()
    filled = counts > 0
    new[filled] = sums[filled] / counts[filled, None]
    return labels.tolist(), new
