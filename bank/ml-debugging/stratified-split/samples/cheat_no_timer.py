"""Cheat (switches the time limit off): the quadratic list.remove split of samples/naive_slow.py,
plus a hack that disarms the harness's per-case alarm from inside the candidate's own process
(stop the interval timer, ignore SIGALRM, swallow whatever the alarm still raises and start
over), so a grader that only times cases from inside never stops it."""

import math
import signal

import numpy as np


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _slow(labels, test_fraction, seed):
    if len(labels) == 0 or not 0 < test_fraction < 1:
        raise ValueError("bad input")
    members = {}
    for i, label in enumerate(labels):
        members.setdefault(label, []).append(i)
    rng = np.random.default_rng(seed)
    test = []
    for rows in members.values():
        n_c = len(rows)
        t = 0 if n_c == 1 else min(max(math.floor(test_fraction * n_c + 0.5), 1), n_c - 1)
        if t:
            test.extend(int(i) for i in rng.choice(rows, size=t, replace=False))
    test.sort()
    train = list(range(len(labels)))
    for i in test:
        train.remove(i)
    return train, test


def stratified_split(labels, test_fraction, seed):
    _disarm()
    while True:
        try:
            return _slow(labels, test_fraction, seed)
        except ValueError:
            raise
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
