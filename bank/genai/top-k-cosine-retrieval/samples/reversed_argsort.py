import numpy as np


def top_k_cosine(queries, docs, k):
    # Correct similarities, but "highest first" by reversing an ascending stable sort: equal
    # similarities come out in descending index order.
    q = np.asarray(queries, dtype=np.float64)
    d = np.asarray(docs, dtype=np.float64)
    qn = np.linalg.norm(q, axis=1, keepdims=True)
    dn = np.linalg.norm(d, axis=1, keepdims=True)
    qu = np.divide(q, qn, out=np.zeros_like(q), where=qn > 0)
    du = np.divide(d, dn, out=np.zeros_like(d), where=dn > 0)
    sims = qu @ du.T
    return np.argsort(sims, axis=1, kind="stable")[:, ::-1][:, :k].tolist()
