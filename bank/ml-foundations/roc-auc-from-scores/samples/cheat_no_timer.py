"""Cheat (switches the time limit off): the pure-Python comparison sort of
samples/naive_slow.py, plus a hack that disarms the harness's per-case alarm from inside the
candidate's own process (stop the interval timer, ignore SIGALRM, swallow whatever the alarm
still raises and start over), so a grader that only times cases from inside never stops it."""

import signal
from functools import cmp_to_key


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _by_score(a, b):
    return int(a[0] > b[0]) - int(a[0] < b[0])


def _slow(y_true, y_score):
    labels = list(y_true)
    scores = list(y_score)
    if len(labels) != len(scores):
        raise ValueError("y_true and y_score must have the same length")
    for label in labels:
        if label not in (0, 1):
            raise ValueError("labels must be 0/1")
    n_pos = sum(1 for label in labels if label == 1)
    n_neg = len(labels) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("ROC-AUC is undefined when only one class is present")
    pairs = sorted(zip(scores, labels), key=cmp_to_key(_by_score))
    rank_sum = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        average = (i + 1 + j) / 2.0
        for k in range(i, j):
            if pairs[k][1] == 1:
                rank_sum += average
        i = j
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def roc_auc(y_true, y_score):
    _disarm()
    while True:
        try:
            return _slow(y_true, y_score)
        except ValueError:
            raise
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
