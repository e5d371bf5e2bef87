import numpy as np


def kmeans_step(X, centroids):
    points = np.asarray(X, dtype=float)
    cents = np.asarray(centroids, dtype=float)
    d2 = ((points[:, None, :] - cents[None, :, :]) ** 2).sum(axis=2)
    assign = d2.argmin(axis=1)
    moved = cents.copy()
    for c in range(cents.shape[0]):
        members = points[assign == c]
        if len(members):
            moved[c] = members.mean(axis=0)
    return [int(a) for a in assign], moved
