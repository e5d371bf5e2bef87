import numpy as np


def kmeans_step(X, centroids):
    X = np.asarray(X, dtype=np.float64)
    old = np.asarray(centroids, dtype=np.float64)
    labels = []
    for point in X:
        best, best_d = 0, None
        for idx, c in enumerate(old):
            d = float(np.dot(point - c, point - c))
            if best_d is None or d < best_d:
                best, best_d = idx, d
        labels.append(best)
    totals = np.zeros_like(old)
    sizes = [0] * len(old)
    for point, lab in zip(X, labels):
        totals[lab] += point
        sizes[lab] += 1
    result = old.copy()
    for idx, size in enumerate(sizes):
        if size:
            result[idx] = totals[idx] / size
    return labels, result
