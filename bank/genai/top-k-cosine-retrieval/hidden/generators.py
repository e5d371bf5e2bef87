"""Large inputs for genai/top-k-cosine-retrieval."""

import numpy as np


def large_random(seed: int) -> dict:
    """Gaussian embeddings: exact ties have probability zero, so this checks speed and ranking."""
    rng = np.random.default_rng(seed)
    queries = rng.normal(size=(100, 64))
    docs = rng.normal(size=(20_000, 64))
    return {"args": [queries, docs, 10], "kwargs": {}}


def _sparse_signs(rng: np.random.Generator, rows: int, dim: int) -> np.ndarray:
    """Rows with 4 or 16 entries of +-1 (norm 2 or 4) times a power of two: every cosine between
    two such rows is a dyadic fraction, computed exactly by any method, so ties are real."""
    out = np.zeros((rows, dim))
    nnz = rng.choice([4, 16], size=rows)
    for i in range(rows):
        cols = rng.choice(dim, size=nnz[i], replace=False)
        out[i, cols] = rng.choice([-1.0, 1.0], size=nnz[i])
    return out * np.exp2(rng.integers(-3, 4, size=(rows, 1)))


def large_exact_ties(seed: int) -> dict:
    """50,000 docs: sign patterns, 5% zero vectors, 20% scaled copies of earlier docs; 200
    queries, a few of them zero; k = 25."""
    rng = np.random.default_rng(seed + 1)
    dim = 32
    docs = _sparse_signs(rng, 50_000, dim)
    docs[rng.random(50_000) < 0.05] = 0.0
    copies = rng.random(50_000) < 0.2
    sources = rng.integers(0, 50_000, size=50_000)
    docs[copies] = docs[sources[copies]] * np.exp2(rng.integers(-2, 3, size=(int(copies.sum()), 1)))
    queries = _sparse_signs(rng, 200, dim)
    queries[:3] = 0.0
    return {"args": [queries, docs, 25], "kwargs": {}}
