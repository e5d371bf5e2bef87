import numpy as np


def log_softmax(x, axis=-1):
    values = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    peak = values.max(-1)[..., None]
    centred = values - peak
    total = np.exp(centred).sum(-1)[..., None]
    out = centred - np.log(total)
    return np.moveaxis(out, -1, axis)
