import numpy as np


def log_softmax(x, axis=-1):
    data = np.asarray(x, dtype=np.float64)
    biggest = np.max(data, axis=axis, keepdims=True)
    exps = np.exp(data - biggest)
    sums = np.sum(exps, axis=axis, keepdims=True)
    with np.errstate(divide="ignore"):
        result = data - biggest - np.log(sums)
    return result
