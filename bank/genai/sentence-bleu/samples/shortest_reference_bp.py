"""Subtly wrong: clips correctly but computes the brevity penalty against the shortest reference
instead of the reference whose length is closest to the hypothesis."""

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
        max_ref = Counter()
        for ref in references:
            for gram, count in _ngrams(ref, n).items():
                max_ref[gram] = max(max_ref[gram], count)
        matches = sum(min(count, max_ref[gram]) for gram, count in hyp_counts.items())
        total = max(c - n + 1, 0)
        if n == 1:
            if matches == 0:
                return 0.0
            p = matches / total
        else:
            p = (matches + 1) / (total + 1)
        log_sum += math.log(p)
    r = min(len(ref) for ref in references)
    bp = 1.0 if c > r else math.exp(1.0 - r / c)
    return bp * math.exp(log_sum / max_n)
