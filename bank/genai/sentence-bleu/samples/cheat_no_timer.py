"""Cheat (switches the time limit off): the correct but quadratic matcher of
samples/naive_slow.py, plus a hack that disarms the harness's per-case alarm from inside the
candidate's own process (stop the interval timer, ignore SIGALRM, swallow whatever the alarm
still raises and start over), so a grader that only times cases from inside never stops it."""

import math
import signal


def _disarm():
    try:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
    except (ValueError, OSError, AttributeError):
        pass


def _occurrences(tokens, gram):
    n = len(gram)
    return sum(1 for j in range(len(tokens) - n + 1) if tuple(tokens[j:j + n]) == gram)


def _bleu(hypothesis, references, max_n):
    c = len(hypothesis)
    if c == 0:
        return 0.0
    log_sum = 0.0
    for n in range(1, max_n + 1):
        hyp_counts = {}
        for i in range(c - n + 1):
            gram = tuple(hypothesis[i:i + n])
            hyp_counts[gram] = hyp_counts.get(gram, 0) + 1
        matches = 0
        for gram, count in hyp_counts.items():
            most = max(_occurrences(ref, gram) for ref in references)
            matches += min(count, most)
        total = max(c - n + 1, 0)
        if n == 1:
            if matches == 0:
                return 0.0
            p = matches / total
        else:
            p = (matches + 1) / (total + 1)
        log_sum += math.log(p)
    r = min((len(ref) for ref in references), key=lambda length: (abs(length - c), length))
    bp = 1.0 if c > r else math.exp(1.0 - r / c)
    return bp * math.exp(log_sum / max_n)


def sentence_bleu(hypothesis, references, max_n=4):
    _disarm()
    while True:
        try:
            return _bleu(hypothesis, references, max_n)
        except BaseException:  # the alarm got in first: disarm again and start over
            _disarm()
