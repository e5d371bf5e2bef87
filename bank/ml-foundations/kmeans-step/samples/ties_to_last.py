import numpy as np


def kmeans_step(X, centroids):
    # Keeps a running best over the centroids with `<=`, so an equally near centroid with a
    # higher index replaces the earlier one: ties go to the highest index.
    X = np.asarray(X, dtype=np.float64)
    C = np.asarray(centroids, dtype=np.float64)
    n, k = X.shape[0], C.shape[0]
    best = np.full(n, np.inf)
    labels = np.zeros(n, dtype=np.int64)
    for j in range(k):
        d = ((X - C[j]) ** 2).sum(axis=1)
        closer = d <= best
        best[closer] = d[closer]
        labels[closer] = j
    new = C.copy()
    for j in range(k):
        members = X[labels == j]
        if len(members):
            new[j] = members.mean(axis=0)
    return labels.tolist(), new
