import numpy as np


def edit_distance(a, b):
    # The textbook table, filled cell by cell from Python through numpy: right on every input
    # and never recursive, but each cell pays for numpy element access and a small np.min, so
    # long sequences take far longer than a plain-Python loop over two rows.
    n, m = len(a), len(b)
    d = np.zeros((n + 1, m + 1), dtype=np.int64)
    d[:, 0] = np.arange(n + 1)
    d[0, :] = np.arange(m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i, j] = np.min([d[i - 1, j] + 1, d[i, j - 1] + 1, d[i - 1, j - 1] + cost])
    return int(d[n, m])
