import numpy as np


def kmeans_step(X, centroids):
    data = np.array(X, dtype=np.float64)
    centres = np.array(centroids, dtype=np.float64)
    k = len(centres)
    distances = np.stack([np.square(data - centres[j]).sum(axis=1) for j in range(k)], axis=1)
    nearest = np.argmin(distances, axis=1)
    onehot = np.eye(k)[nearest]
    counts = onehot.sum(axis=0)
    sums = onehot.T @ data
    updated = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
    return nearest.tolist(), updated
