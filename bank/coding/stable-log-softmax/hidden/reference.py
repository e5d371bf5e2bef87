import numpy as np


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Log-softmax of `x` along `axis` via the max-shifted log-sum-exp."""
    x = np.asarray(x, dtype=np.float64)
    # Shift by the slice maximum so the largest exponent is exp(0) = 1: nothing overflows, and
    # the sum is at least 1, so its log never meets log(0). -inf entries contribute exp(-inf) = 0.
    shift = np.max(x, axis=axis, keepdims=True)
    shifted = x - shift
    log_sum = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    return shifted - log_sum
