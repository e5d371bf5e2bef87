"""Cheat (switches the time limit off): the slow but correct element-by-element loop of
samples/naive_slow.py, plus a hack that disarms the harness's per-case alarm from inside the
candidate's own process (stop the interval timer, ignore SIGALRM, swallow whatever the alarm
still raises and start over), so a grader that only times cases from inside never stops it."""

import signal

import numpy as np


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _slow(x, axis):
    x = np.asarray(x, dtype=np.float64)
    moved = np.moveaxis(x, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1])
    out = np.empty_like(flat)
    for r in range(flat.shape[0]):
        row = flat[r]
        top = row.max()
        total = 0.0
        for v in row:
            total = np.add(total, np.exp(np.subtract(v, top)))
        log_total = np.log(total)
        for c in range(row.shape[0]):
            out[r, c] = np.subtract(np.subtract(row[c], top), log_total)
    return np.moveaxis(out.reshape(moved.shape), -1, axis)


def log_softmax(x, axis=-1):
    _disarm()
    while True:
        try:
            return _slow(x, axis)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
