def roc_auc(y_true, y_score):
    labels = [int(v) for v in y_true]
    scores = [float(v) for v in y_score]
    if len(labels) != len(scores):
        raise ValueError("length mismatch")
    if any(v not in (0, 1) for v in labels):
        raise ValueError("labels must be 0 or 1")
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        raise ValueError("need both classes")
    pairs = sorted(zip(scores, labels))
    area = 0.0
    negatives_below = 0
    k = 0
    while k < len(pairs):
        end = k
        while end < len(pairs) and pairs[end][0] == pairs[k][0]:
            end += 1
        group_pos = sum(lbl for _, lbl in pairs[k:end])
        group_neg = (end - k) - group_pos
        area += group_pos * (negatives_below + 0.5 * group_neg)
        negatives_below += group_neg
        k = end
    return area / (positives * negatives)
