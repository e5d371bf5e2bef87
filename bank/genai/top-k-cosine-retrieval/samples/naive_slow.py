import math


def top_k_cosine(queries, docs, k):
    # Right answers, brute force in pure Python: one cosine per (query, document) pair with a
    # Python loop over the coordinates, then a full sort per query. Fine for a few documents,
    # far too slow for tens of thousands.
    qs = [list(map(float, q)) for q in queries]
    ds = [list(map(float, d)) for d in docs]
    d_norms = [math.sqrt(sum(v * v for v in d)) for d in ds]
    keep = min(k, len(ds))
    out = []
    for q in qs:
        q_norm = math.sqrt(sum(v * v for v in q))
        sims = []
        for d, d_norm in zip(ds, d_norms):
            if q_norm == 0.0 or d_norm == 0.0:
                sims.append(0.0)
            else:
                sims.append(sum(a * b for a, b in zip(q, d)) / (q_norm * d_norm))
        order = sorted(range(len(ds)), key=lambda j: -sims[j])
        out.append(order[:keep])
    return out
