import numpy as np


def _unit_rows(a: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length; zero rows stay zero (so their cosines are 0)."""
    norms = np.linalg.norm(a, axis=1, keepdims=True)
    return np.divide(a, norms, out=np.zeros_like(a), where=norms > 0)


def top_k_cosine(queries: np.ndarray, docs: np.ndarray, k: int) -> list[list[int]]:
    """Brute-force cosine top-k: normalise, one matrix product, a stable sort per query."""
    q = np.asarray(queries, dtype=np.float64)
    d = np.asarray(docs, dtype=np.float64)
    sims = _unit_rows(q) @ _unit_rows(d).T  # (m, n)
    keep = min(k, d.shape[0])
    # A stable sort of the negated similarities puts equal ones in ascending index order.
    # (Reversing an ascending argsort would put ties in descending index order.)
    order = np.argsort(-sims, axis=1, kind="stable")[:, :keep]
    return order.tolist()
