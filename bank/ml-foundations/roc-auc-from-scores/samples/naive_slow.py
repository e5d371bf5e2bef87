from functools import cmp_to_key


def _by_score(a, b):
    return int(a[0] > b[0]) - int(a[0] < b[0])


def roc_auc(y_true, y_score):
    # Right answer with average ranks for ties, but in pure Python: sort (score, label) pairs
    # with a comparison function and walk the tie groups one element at a time. O(n log n),
    # yet a million elements take many times longer than numpy does.
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
