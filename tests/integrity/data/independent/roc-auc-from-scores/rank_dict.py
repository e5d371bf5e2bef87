def roc_auc(y_true, y_score):
    y_true = list(y_true)
    y_score = list(y_score)
    if len(y_true) != len(y_score):
        raise ValueError("different lengths")
    for label in y_true:
        if label not in (0, 1, True, False):
            raise ValueError("label not binary")
    order = sorted(range(len(y_score)), key=lambda i: y_score[i])
    rank_of = {}
    pos = 0
    while pos < len(order):
        nxt = pos
        while nxt + 1 < len(order) and y_score[order[nxt + 1]] == y_score[order[pos]]:
            nxt += 1
        avg = (pos + nxt) / 2 + 1
        for t in range(pos, nxt + 1):
            rank_of[order[t]] = avg
        pos = nxt + 1
    n1 = sum(1 for label in y_true if label)
    n0 = len(y_true) - n1
    if not n1 or not n0:
        raise ValueError("single class")
    rank_sum = sum(rank_of[i] for i, label in enumerate(y_true) if label)
    return (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n0)
