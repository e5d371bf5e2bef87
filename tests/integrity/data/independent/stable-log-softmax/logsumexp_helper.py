import numpy as np


def _logsumexp(v, axis):
    top = np.amax(v, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    return top + np.log(np.exp(v - top).sum(axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    arr = np.array(x, dtype=float)
    return arr - _logsumexp(arr, axis)
