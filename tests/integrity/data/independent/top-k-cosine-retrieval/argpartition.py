import numpy as np


def top_k_cosine(queries, docs, k):
    queries = np.atleast_2d(np.asarray(queries, dtype=np.float64))
    docs = np.atleast_2d(np.asarray(docs, dtype=np.float64))
    n_docs = docs.shape[0]
    k = min(k, n_docs)
    q_len = np.linalg.norm(queries, axis=1)
    d_len = np.linalg.norm(docs, axis=1)
    denom = np.outer(q_len, d_len)
    dots = queries @ docs.T
    cos = np.zeros_like(dots)
    np.divide(dots, denom, out=cos, where=denom != 0)
    answer = []
    for i in range(cos.shape[0]):
        row = cos[i]
        ranked = sorted(range(n_docs), key=lambda j: (-row[j], j))
        answer.append(ranked[:k])
    return answer
