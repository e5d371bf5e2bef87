import numpy as np


def top_k_cosine(queries, docs, k):
    Q = np.asarray(queries, dtype=float)
    D = np.asarray(docs, dtype=float)
    qn = np.sqrt((Q * Q).sum(axis=1))
    dn = np.sqrt((D * D).sum(axis=1))
    qn[qn == 0] = 1.0
    dn[dn == 0] = 1.0
    scores = (Q / qn[:, None]) @ (D / dn[:, None]).T
    limit = min(k, D.shape[0])
    out = []
    doc_ids = np.arange(D.shape[0])
    for row in scores:
        ranked = np.lexsort((doc_ids, -row))
        out.append([int(i) for i in ranked[:limit]])
    return out
