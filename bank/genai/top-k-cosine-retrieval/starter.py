import numpy as np


def top_k_cosine(queries: np.ndarray, docs: np.ndarray, k: int) -> list[list[int]]:
    """Indices of the k most cosine-similar documents for each query.

    Args:
        queries: (m, d) float array.
        docs: (n, d) float array.
        k: how many documents per query (k >= 1; may exceed n).

    Returns:
        m lists of min(k, n) document indices, most similar first; equal similarities
        in ascending index order; a zero vector has similarity 0 with everything.
    """
    raise NotImplementedError
