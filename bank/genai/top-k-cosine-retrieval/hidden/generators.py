"""Hidden cases for genai/top-k-cosine-retrieval, drawn from a seed.

Every function takes the seed and returns {"args": [queries, docs, k], "kwargs": {}} with
float64 arrays. Each draws a random instance of one fixed scenario, and whether it contains
exact ties is part of the scenario, for every seed:

- "no tie" cases are checked to have every similarity that decides the answer at least 1e-9
  away from the next one (``_separated``), so any correct way of computing the cosine, and any
  harmless perturbation of it, ranks them the same;
- "tie" cases build their ties so that they are exact for every usual way of computing the
  cosine: a power-of-two multiple of a vector (its unit vector is bit-for-bit the same), an
  exact duplicate, a zero vector against a vector orthogonal to the query by its support, or
  +-1 sign patterns on 4 or 16 coordinates (every cosine a dyadic fraction).
"""

import numpy as np


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _case(queries, docs, k: int) -> dict:
    return {"args": [np.asarray(queries, dtype=np.float64), np.asarray(docs, dtype=np.float64),
                     int(k)], "kwargs": {}}


def _sims(queries: np.ndarray, docs: np.ndarray) -> np.ndarray:
    def unit(a):
        norms = np.linalg.norm(a, axis=1, keepdims=True)
        return np.divide(a, norms, out=np.zeros_like(a), where=norms > 0)

    return unit(queries) @ unit(docs).T


def _separated(queries: np.ndarray, docs: np.ndarray, k: int, gap: float = 1e-9) -> bool:
    """Whether, per query, the min(k, n) + 1 largest similarities are pairwise >= gap apart."""
    sims = _sims(queries, docs)
    keep = min(k + 1, docs.shape[0])
    top = -np.sort(-sims, axis=1)[:, :keep] if keep == docs.shape[0] else \
        -np.sort(-np.partition(sims, -keep, axis=1)[:, -keep:], axis=1)
    return bool(np.all(np.abs(np.diff(top, axis=1)) >= gap))


def _gaussian_until_separated(rng, m, n, d, k, scale=1.0):
    while True:
        queries = rng.normal(size=(m, d)) * scale
        docs = rng.normal(size=(n, d)) * scale
        if _separated(queries, docs, k):
            return queries, docs


def three_queries_eight_docs(seed: int) -> dict:
    """3 queries, 8 documents in 4-D (Gaussian), k = 3; no ties."""
    rng = _rng(seed)
    return _case(*_gaussian_until_separated(rng, 3, 8, 4, 3), 3)


def one_query_k1(seed: int) -> dict:
    """1 query, 12 documents in 6-D (Gaussian), k = 1; no ties."""
    rng = _rng(seed)
    return _case(*_gaussian_until_separated(rng, 1, 12, 6, 1), 1)


def long_docs_do_not_win(seed: int) -> dict:
    """Documents scaled by 1 to 1000: the longest ones point elsewhere; no ties, k = 3."""
    rng = _rng(seed)
    while True:
        d = int(rng.integers(3, 6))
        queries = rng.normal(size=(2, d))
        docs = rng.normal(size=(6, d)) * 10.0 ** rng.uniform(0.0, 3.0, size=(6, 1))
        if _separated(queries, docs, 3):
            return _case(queries, docs, 3)


def same_direction_ties(seed: int) -> dict:
    """Two queries; 7 documents, among them a vector x and 2**j * x (j >= 1) further down the
    list, both with a positive cosine to query 0 (an exact tie, the shorter one first), and a
    half-length copy of another document. All documents are returned (k = 7)."""
    rng = _rng(seed)
    d = int(rng.integers(2, 5))
    queries = rng.normal(size=(2, d))
    docs = rng.normal(size=(7, d))
    if docs[1] @ queries[0] < 0:
        docs[1] = -docs[1]
    i = int(rng.integers(2, 7))
    docs[i] = docs[1] * 2.0 ** int(rng.integers(1, 4))
    j = int(rng.choice([c for c in range(7) if c not in (1, i)]))
    src = int(rng.choice([c for c in range(7) if c not in (1, i, j)]))
    docs[j] = docs[src] * 0.5
    return _case(queries, docs, 7)


def zero_documents(seed: int) -> dict:
    """One query on a random subset of the coordinates; documents: 2 zero vectors, 2 whose
    support avoids the query's (cosine exactly 0), and 3 others with separated, non-zero
    cosines (some negative). All returned."""
    rng = _rng(seed)
    d = int(rng.integers(4, 7))
    while True:
        support = rng.permutation(d)
        on, off = support[:2], support[2:]
        query = np.zeros((1, d))
        query[0, on] = rng.normal(size=2)
        docs = np.zeros((7, d))
        kinds = rng.permutation(["zero", "zero", "orth", "orth", "any", "any", "any"])
        for r, kind in enumerate(kinds):
            if kind == "orth":
                docs[r, off] = rng.normal(size=off.size)
            elif kind == "any":
                docs[r] = rng.normal(size=d)
        sims = _sims(query, docs)[0]
        nonzero = np.sort(sims[kinds == "any"])
        if np.all(np.abs(nonzero) > 1e-3) and np.all(np.diff(nonzero) > 1e-9) \
                and (nonzero < 0).any():
            return _case(query, docs, 7)


def zero_query(seed: int) -> dict:
    """Queries: the zero vector and a Gaussian one; 4-6 Gaussian documents; k = 3."""
    rng = _rng(seed)
    d = int(rng.integers(2, 5))
    n = int(rng.integers(4, 7))
    while True:
        queries = np.vstack([np.zeros(d), rng.normal(size=d)])
        docs = rng.normal(size=(n, d))
        if _separated(queries[1:], docs, 3):
            return _case(queries, docs, 3)


def k_equals_n(seed: int) -> dict:
    """1-2 queries, 3-6 documents, k = the number of documents; no ties."""
    rng = _rng(seed)
    n = int(rng.integers(3, 7))
    return _case(*_gaussian_until_separated(rng, int(rng.integers(1, 3)), n,
                                            int(rng.integers(2, 5)), n), n)


def single_document(seed: int) -> dict:
    """One document; 3 queries (one of them the zero vector); k from 1 to 6."""
    rng = _rng(seed)
    d = int(rng.integers(2, 5))
    queries = rng.normal(size=(3, d))
    queries[int(rng.integers(0, 3))] = 0.0
    return _case(queries, rng.normal(size=(1, d)), int(rng.integers(1, 7)))


def all_pointing_away(seed: int) -> dict:
    """Every document has a negative cosine with the query; one of them appears twice (an exact
    tie); the other cosines are separated. All returned."""
    rng = _rng(seed)
    d = int(rng.integers(2, 5))
    while True:
        query = rng.normal(size=(1, d))
        docs = rng.normal(size=(4, d))
        docs[(docs @ query[0]) > 0] *= -1.0
        sims = _sims(query, docs)[0]
        if np.all(sims < -1e-3) and np.all(np.diff(np.sort(sims)) > 1e-9):
            break
    dup = int(rng.integers(0, 4))
    at = int(rng.integers(dup + 1, 5))
    docs = np.insert(docs, at, docs[dup], axis=0)
    return _case(query, docs, 5)


def very_short_vectors(seed: int) -> dict:
    """Two queries and four documents of norm 1e-140 to 1e-100 (entries 0 or >= 1e-150 in
    absolute value) besides one document of ordinary length, which has a positive cosine with
    query 0 but not the highest; no ties, k = 5."""
    rng = _rng(seed)
    while True:
        queries = rng.normal(size=(2, 3)) * 10.0 ** rng.uniform(-140.0, -100.0, size=(2, 1))
        docs = rng.normal(size=(5, 3)) * 10.0 ** rng.uniform(-140.0, -100.0, size=(5, 1))
        ordinary = int(rng.integers(0, 5))
        docs[ordinary] = rng.normal(size=3)
        sims = _sims(queries, docs)[0]
        others = np.delete(sims, ordinary)
        if (np.all(np.abs(queries) >= 1e-150) and np.all(np.abs(docs) >= 1e-150)
                and sims[ordinary] > 1e-3 and others.max() > sims[ordinary] + 1e-3
                and _separated(queries, docs, 5)):
            return _case(queries, docs, 5)


def very_long_vectors(seed: int) -> dict:
    """One query and four documents with entries near 1e149-1e150 (dot products near 1e300,
    so anything that multiplies two of them before the square root overflows); no ties, k = 4."""
    rng = _rng(seed)
    while True:
        query = rng.uniform(0.2, 1.0, size=(1, 3)) * rng.choice([-1.0, 1.0], size=(1, 3)) * 1e150
        docs = rng.uniform(0.2, 1.0, size=(4, 3)) * rng.choice([-1.0, 1.0], size=(4, 3)) * 1e150
        if _separated(query, docs, 4):
            return _case(query, docs, 4)


def large_random(seed: int) -> dict:
    """Gaussian embeddings: 100 queries, 20,000 documents, k = 10, checked free of near-ties."""
    rng = np.random.default_rng(seed)
    while True:
        queries = rng.normal(size=(100, 64))
        docs = rng.normal(size=(20_000, 64))
        if _separated(queries, docs, 10):
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
    queries, a few of them zero; k = 25. Query 3's direction is planted twice, as a short
    document and as a 4x longer one further down, so its top results always hold that tie."""
    rng = np.random.default_rng(seed + 1)
    dim = 32
    docs = _sparse_signs(rng, 50_000, dim)
    docs[rng.random(50_000) < 0.05] = 0.0
    copies = rng.random(50_000) < 0.2
    sources = rng.integers(0, 50_000, size=50_000)
    docs[copies] = docs[sources[copies]] * np.exp2(rng.integers(-2, 3, size=(int(copies.sum()), 1)))
    queries = _sparse_signs(rng, 200, dim)
    queries[:3] = 0.0
    short, long = np.sort(rng.choice(50_000, size=2, replace=False))
    docs[short] = queries[3] * 0.125
    docs[long] = queries[3] * 0.5
    return {"args": [queries, docs, 25], "kwargs": {}}
