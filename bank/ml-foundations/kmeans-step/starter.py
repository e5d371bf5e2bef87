import numpy as np


def kmeans_step(X: np.ndarray, centroids: np.ndarray) -> tuple[list[int], np.ndarray]:
    """One Lloyd iteration: assign each point to its nearest centroid, then move the centroids.

    Args:
        X: (n, d) float array of points.
        centroids: (k, d) float array of current centroids.

    Returns:
        (labels, new_centroids): labels is a list of n ints (nearest centroid by squared
        Euclidean distance, ties to the lowest index); new_centroids is a new (k, d) float64
        array, the mean of each centroid's points, or the old centroid if it got none.
    """
    raise NotImplementedError
