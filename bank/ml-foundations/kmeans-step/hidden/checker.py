"""Checker for ml-foundations/kmeans-step: labels must match exactly, centroids closely.

The answer is unique (ties and empty clusters are specified), but it is a pair of a list of
ints and a float array, so it is compared part by part here rather than as one value.
"""

from __future__ import annotations

from typing import Any

import numpy as np

RTOL = 1e-7
ATOL = 1e-9


def _parts(value: Any) -> tuple[Any, Any] | None:
    if isinstance(value, dict):
        value = [value.get("labels"), value.get("centroids")]
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    return value[0], value[1]


def check(output: Any, expected: Any, args: Any) -> bool:
    del args
    got, want = _parts(output), _parts(expected)
    if got is None or want is None:
        return False
    try:
        got_labels = np.asarray(got[0])
        got_centroids = np.asarray(got[1], dtype=np.float64)
    except (TypeError, ValueError):
        return False
    want_labels = np.asarray(want[0])
    want_centroids = np.asarray(want[1], dtype=np.float64)
    if got_labels.shape != want_labels.shape or got_centroids.shape != want_centroids.shape:
        return False
    if got_labels.dtype.kind not in "iu" and not (
        got_labels.dtype.kind == "f" and np.all(np.mod(got_labels, 1) == 0)
    ):
        return False
    if not np.array_equal(got_labels.astype(np.int64), want_labels.astype(np.int64)):
        return False
    return bool(np.allclose(got_centroids, want_centroids, rtol=RTOL, atol=ATOL))
