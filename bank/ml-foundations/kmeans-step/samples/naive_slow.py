import numpy as np


def kmeans_step(X, centroids):
    # Right answers (exact distances, ties to the lowest index, empty clusters stay put), but
    # every point is compared with every centroid in pure Python: fine for a dozen points,
    # far too slow for 100,000 points and 64 centroids.
    C = np.asarray(centroids, dtype=np.float64)
    points = np.asarray(X, dtype=np.float64).tolist()
    cents = C.tolist()
    k, d = C.shape
    labels = []
    sums = [[0.0] * d for _ in range(k)]
    counts = [0] * k
    for x in points:
        best, best_j = None, 0
        for j, c in enumerate(cents):
            dist = sum((a - b) ** 2 for a, b in zip(x, c))
            if best is None or dist < best:
                best, best_j = dist, j
        labels.append(best_j)
        counts[best_j] += 1
        for t in range(d):
            sums[best_j][t] += x[t]
    new = C.copy()
    for j in range(k):
        if counts[j]:
            new[j] = np.array(sums[j]) / counts[j]
    return labels, new
