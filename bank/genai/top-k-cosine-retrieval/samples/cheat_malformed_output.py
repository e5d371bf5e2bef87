"""Cheat (malformed output): no retrieval at all; each answer is built to trip the code between
the sandbox and the judge: a numpy object array that contains itself (an encoder that follows
it never ends), a ten-million-element list (about 30 MB of JSON for one small case), and a
forged raw-array marker asking for an object array built from raw bytes."""

import numpy as np

_calls = 0


def top_k_cosine(queries, docs, k):
    global _calls
    _calls += 1
    if _calls % 3 == 1:
        loop = np.empty(2, dtype=object)
        loop[0] = loop
        loop[1] = [loop]
        return loop
    if _calls % 3 == 2:
        return [[0] * 10_000_000]
    return {"__ndarray__": "AAAA", "dtype": "O", "shape": [1]}
