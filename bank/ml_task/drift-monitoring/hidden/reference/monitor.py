"""Two-window mean-shift detector: compare the means of adjacent windows, keep peaks."""

import json

import numpy as np
import pandas as pd

WINDOW = 60


def detect(stream):
    x = stream["value"].to_numpy(dtype=float)
    med = np.median(x)
    mad = np.median(np.abs(x - med)) * 1.4826 or 1.0
    x = np.clip((x - med) / mad, -4, 4)  # spikes cannot dominate a window
    n = len(x)
    score = np.zeros(n)
    for t in range(WINDOW, n - WINDOW):
        left, right = x[t - WINDOW:t], x[t:t + WINDOW]
        score[t] = abs(right.mean() - left.mean()) / np.sqrt(2 / WINDOW)
    found = []
    for t in np.argsort(-score):
        if score[t] < 3.5:
            break
        if all(abs(t - f) > WINDOW for f in found):
            found.append(int(t))
    return sorted(found)


if __name__ == "__main__":
    stream = pd.read_csv("/data/example_stream.csv")
    truth = json.load(open("/data/example_changes.json"))
    print("true change points:", truth)
    print("detected:", detect(stream))
