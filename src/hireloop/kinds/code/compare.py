"""Comparing what the candidate's code produced with what was expected (on the host)."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import numpy as np


def decode(value: Any) -> Any:
    """``json.loads`` object hook: a large array sent as raw bytes becomes a numpy array."""
    if isinstance(value, dict) and "__ndarray__" in value:
        raw = base64.b64decode(value["__ndarray__"])
        return np.frombuffer(raw, dtype=np.dtype(value["dtype"])).reshape(value["shape"])
    return value


def _arrays(got: Any, want: Any) -> tuple[Any, Any] | None:
    if isinstance(got, np.ndarray) or isinstance(want, np.ndarray):
        try:
            return np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        except (TypeError, ValueError):
            return None
    return None


def close(got: Any, want: Any, rtol: float, atol: float) -> bool:
    """Numbers within tolerance, element by element through lists and dicts; the rest exact."""
    pair = _arrays(got, want)
    if pair is not None:
        a, b = pair
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol,
                                                      equal_nan=True))
    if isinstance(want, bool) or isinstance(got, bool):
        return bool(got == want)
    if isinstance(want, int | float) and isinstance(got, int | float):
        if math.isnan(want) or math.isnan(got):
            return math.isnan(want) and math.isnan(got)
        if math.isinf(want) or math.isinf(got):
            return want == got
        return abs(got - want) <= atol + rtol * abs(want)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(
            close(g, w, rtol, atol) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(close(got[k], want[k], rtol, atol) for k in want)
    return bool(got == want)


def exact(got: Any, want: Any) -> bool:
    """Equal as JSON data (an int equals the same float; NaN equals NaN)."""
    pair = _arrays(got, want)
    if pair is not None:
        a, b = pair
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return (math.isnan(want) and math.isnan(got)) or got == want
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(exact(g, w) for g, w in zip(got, want, strict=True))
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(exact(got[k], want[k]) for k in want)
    return (type(got) is type(want) and bool(got == want)) or (
        isinstance(got, int | float) and isinstance(want, int | float)
        and not isinstance(got, bool) and not isinstance(want, bool) and got == want)


def _key(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return json.dumps(value.tolist())
    return json.dumps(value, sort_keys=True)


def unordered(got: Any, want: Any) -> bool:
    """The same elements, in any order (duplicates count)."""
    if not (isinstance(got, list) and isinstance(want, list)):
        return False
    return sorted(map(_key, got)) == sorted(map(_key, want))


def as_set(got: Any, want: Any) -> bool:
    """The same distinct elements."""
    if not (isinstance(got, list) and isinstance(want, list)):
        return False
    return set(map(_key, got)) == set(map(_key, want))


def describe(value: Any, limit: int = 300) -> str:
    """A short rendering for a visible case's diff."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {list(value.shape)}"
    text = json.dumps(value, allow_nan=True)
    return text if len(text) <= limit else text[:limit] + " …"
