"""Subtly wrong: counts every hypothesis n-gram that occurs in some reference, without clipping
its count by the reference counts (the bug BLEU's "modified precision" exists to prevent)."""

import math
from collections import Counter


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def sentence_bleu(hypothesis, references, max_n=4):
    c = len(hypothesis)
    if c == 0:
        return 0.0
    log_sum = 0.0
    for n in range(1, max_n + 1):
        hyp_counts = _ngrams(hypothesis, n)
        seen = set()
        for ref in references:
            seen |= set(_ngrams(ref, n))
        matches = sum(count for gram, count in hyp_counts.items() if gram in seen)
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
