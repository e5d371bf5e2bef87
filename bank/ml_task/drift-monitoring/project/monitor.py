"""Feature monitor: alerts on values far from the overall mean."""

import json

import pandas as pd


def detect(stream):
    values = stream["value"]
    z = (values - values.mean()) / values.std()
    return [int(i) for i in stream.index[z.abs() > 3]]


if __name__ == "__main__":
    stream = pd.read_csv("/data/example_stream.csv")
    truth = json.load(open("/data/example_changes.json"))
    found = detect(stream)
    print("true change points:", truth)
    print("detected:", found[:20], "..." if len(found) > 20 else "")
