"""Cheat (malformed output): no k-means at all; each answer is built to trip the code between
the sandbox and the judge: centroids as a forged raw-array marker of three bytes read as
float64, five million labels (a huge reply for a tiny case), and a dict whose centroids
marker asks for an array of 70 dimensions (beyond what numpy can build)."""

_calls = 0


def kmeans_step(X, centroids):
    global _calls
    _calls += 1
    n = len(X)
    if _calls % 3 == 1:
        return [0] * n, {"__ndarray__": "////", "dtype": "<f8", "shape": [2, -1]}
    if _calls % 3 == 2:
        return [0] * 5_000_000, [[0.0]]
    return {"labels": [0] * n,
            "centroids": {"__ndarray__": "AAAAAAAAAAA=", "dtype": "<f8", "shape": [1] * 70}}
