import numpy as np


def log_softmax(x, axis=-1):
    # Numerically right (max shift, -inf handled), but it walks every slice element by
    # element through numpy ufunc calls on scalars: fine for a handful of logits, far too
    # slow for a few million.
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
