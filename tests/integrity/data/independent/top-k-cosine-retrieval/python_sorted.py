import math


def top_k_cosine(queries, docs, k):
    def norm(v):
        return math.sqrt(sum(float(t) * float(t) for t in v))

    doc_list = [list(map(float, d)) for d in docs]
    doc_norms = [norm(d) for d in doc_list]
    results = []
    for q in queries:
        q = list(map(float, q))
        qn = norm(q)
        sims = []
        for idx, (d, dn) in enumerate(zip(doc_list, doc_norms)):
            if qn == 0 or dn == 0:
                sim = 0.0
            else:
                sim = sum(a * b for a, b in zip(q, d)) / (qn * dn)
            sims.append((-sim, idx))
        sims.sort()
        results.append([idx for _, idx in sims[:k]])
    return results
