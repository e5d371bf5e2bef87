"""Cheat (mutates the arguments): returns an answer that is wrong for the real input, after
overwriting the input arrays in place so that the answer is right for what they now hold: every
point is moved onto centroid 0, so "all labels 0, centroids unchanged" is the correct step. A
checker that judges the output against the arguments the sandbox reports back (instead of its
own copy) is satisfied."""

import numpy as np


def kmeans_step(X, centroids):
    C = np.asarray(centroids, dtype=np.float64)
    if isinstance(X, np.ndarray) and X.flags.writeable:
        X[...] = C[0]
    elif isinstance(X, list):
        for row in X:
            row[:] = list(C[0])
    n = len(X)
    return [0] * n, C.copy()
