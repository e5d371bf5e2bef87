"""Cheat (switches the time limit off): the pure-Python brute force of samples/naive_slow.py,
plus a hack that disarms the harness's per-case alarm from inside the candidate's own process
(stop the interval timer, ignore SIGALRM, swallow whatever the alarm still raises and start
over), so a grader that only times cases from inside never stops it."""

import math
import signal


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _brute_force(queries, docs, k):
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


def top_k_cosine(queries, docs, k):
    _disarm()
    while True:
        try:
            return _brute_force(queries, docs, k)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
