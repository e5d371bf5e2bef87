"""Reference solution: sentence-level BLEU with clipped n-gram precision and add-one smoothing."""

import math
from collections import Counter


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def sentence_bleu(hypothesis, references, max_n=4):
    c = len(hypothesis)
    if c == 0:
        return 0.0

    log_precision_sum = 0.0
    for n in range(1, max_n + 1):
        hyp_counts = _ngrams(hypothesis, n)
        # Clip each hypothesis n-gram by the most times it occurs in any single reference.
        max_ref_counts = Counter()
        for ref in references:
            for gram, count in _ngrams(ref, n).items():
                if count > max_ref_counts[gram]:
                    max_ref_counts[gram] = count
        matches = sum(min(count, max_ref_counts[gram]) for gram, count in hyp_counts.items())
        total = max(c - n + 1, 0)
        if n == 1:
            if matches == 0:
                return 0.0
            precision = matches / total
        else:
            precision = (matches + 1) / (total + 1)
        log_precision_sum += math.log(precision)

    # Effective reference length: the closest to c, the shorter one on a tie.
    r = min((len(ref) for ref in references), key=lambda length: (abs(length - c), length))
    brevity_penalty = 1.0 if c > r else math.exp(1.0 - r / c)
    return brevity_penalty * math.exp(log_precision_sum / max_n)
