import numpy as np


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Log-softmax of `x` along `axis`, computed without overflow or underflow.

    Args:
        x: float array with at least one dimension; `-inf` entries are masked positions.
        axis: the axis to normalise over (negative values count from the end).

    Returns:
        A new float64 array of the same shape as `x`; each slice along `axis` holds
        `x - log(sum(exp(x)))` for that slice.
    """
    raise NotImplementedError
