"""Hidden cases for coding/stable-log-softmax, drawn from a seed.

Every function takes the seed and returns {"args": [x], "kwargs": {...}} with x a float64
array. Each draws a random instance of one fixed scenario, and its magnitudes are chosen so the
scenario holds for every seed:

- "ordinary" cases keep every logit within [-100, 100] (nothing overflows or underflows,
  whatever the method);
- "huge" cases put every logit of a slice above 750 (exp overflows for all of them), "very
  negative" ones below -750 (exp underflows to 0 for all of them);
- "widely spread" cases have a slice whose spread exceeds 800, so a probability underflows to
  0 there even after the max shift, and a logit above 750.
"""

import numpy as np


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _shape(rng: np.random.Generator, *ranges: tuple[int, int]) -> tuple[int, ...]:
    return tuple(int(rng.integers(lo, hi + 1)) for lo, hi in ranges)


def small_vector(seed: int) -> dict:
    """A 1-D vector of 3-8 logits in [-4, 4]."""
    rng = _rng(seed)
    return {"args": [rng.uniform(-4.0, 4.0, size=_shape(rng, (3, 8)))], "kwargs": {}}


def batch_last_axis(seed: int) -> dict:
    """A (2-5, 3-6) batch of logits in [-8, 8]; the default axis (the last)."""
    rng = _rng(seed)
    return {"args": [rng.uniform(-8.0, 8.0, size=_shape(rng, (2, 5), (3, 6)))], "kwargs": {}}


def batch_axis_0(seed: int) -> dict:
    """A (3-6, 2-5) batch of logits in [-8, 8], normalised along axis 0."""
    rng = _rng(seed)
    x = rng.uniform(-8.0, 8.0, size=_shape(rng, (3, 6), (2, 5)))
    return {"args": [x], "kwargs": {"axis": 0}}


def tensor_axis_minus_2(seed: int) -> dict:
    """A (2-3, 3-4, 2-3) tensor of logits in [-100, 100], normalised along axis -2."""
    rng = _rng(seed)
    x = rng.uniform(-100.0, 100.0, size=_shape(rng, (2, 3), (3, 4), (2, 3)))
    return {"args": [x], "kwargs": {"axis": -2}}


def huge_logits(seed: int) -> dict:
    """3-8 logits that are all above 750 (exp of any of them overflows), spread over at most 10."""
    rng = _rng(seed)
    n = int(rng.integers(3, 9))
    return {"args": [rng.uniform(760.0, 5000.0) + rng.uniform(0.0, 10.0, size=n)], "kwargs": {}}


def very_negative_logits(seed: int) -> dict:
    """3-8 logits that are all below -750 (exp of every one underflows to 0), spread at most 10."""
    rng = _rng(seed)
    n = int(rng.integers(3, 9))
    return {"args": [rng.uniform(-5000.0, -760.0) - rng.uniform(0.0, 10.0, size=n)],
            "kwargs": {}}


def widely_spread(seed: int) -> dict:
    """Two rows: one of moderate logits with one 800-2000 below the others, and one spanning
    [-d, d] with d in [760, 1500]. The true log-probabilities are finite."""
    rng = _rng(seed)
    n = int(rng.integers(3, 6))
    row0 = rng.uniform(-60.0, 0.0, size=n)
    row0[0] = -rng.uniform(800.0, 2000.0)
    d = rng.uniform(760.0, 1500.0)
    row1 = np.sort(rng.uniform(-d, d, size=n))
    row1[0], row1[-1] = -d, d
    x = np.stack([rng.permutation(row0), rng.permutation(row1)]) + rng.uniform(-50.0, 50.0)
    return {"args": [x], "kwargs": {"axis": 1}}


def mixed_magnitudes(seed: int) -> dict:
    """Two rows: [M, -M, 0] in some order with M in [2000, 10000], and three logits a few apart
    around -M' (M' in [2000, 10000])."""
    rng = _rng(seed)
    m = rng.uniform(2000.0, 10_000.0)
    row0 = rng.permutation(np.array([m, -m, 0.0]))
    row1 = -rng.uniform(2000.0, 10_000.0) + rng.uniform(0.0, 5.0, size=3)
    return {"args": [np.stack([row0, row1])], "kwargs": {}}


def single_element_slices(seed: int) -> dict:
    """A (2-6, 1) array normalised along axis 1: every slice holds one logit, among them one of
    magnitude 1e3-1e6 and others of any size."""
    rng = _rng(seed)
    rows = int(rng.integers(2, 7))
    x = rng.uniform(-10.0, 10.0, size=(rows, 1)) * 10.0 ** rng.integers(0, 6, size=(rows, 1))
    x[int(rng.integers(0, rows)), 0] = rng.choice([-1.0, 1.0]) * rng.uniform(1e3, 1e6)
    return {"args": [x], "kwargs": {"axis": 1}}


def equal_logits(seed: int) -> dict:
    """2-12 equal logits (a value in [-50, 50]): every entry is -log(n)."""
    rng = _rng(seed)
    n = int(rng.integers(2, 13))
    return {"args": [np.full(n, rng.uniform(-50.0, 50.0))], "kwargs": {}}


def masked_positions(seed: int) -> dict:
    """A (2-4, 3-6) batch of logits in [-10, 10] with about 40% of the entries -inf (masked);
    every row keeps at least one finite entry."""
    rng = _rng(seed)
    x = rng.uniform(-10.0, 10.0, size=_shape(rng, (2, 4), (3, 6)))
    mask = rng.random(x.shape) < 0.4
    mask[np.arange(x.shape[0]), rng.integers(0, x.shape[1], size=x.shape[0])] = False
    mask[0, :] = True
    mask[0, int(rng.integers(0, x.shape[1]))] = False
    x[mask] = -np.inf
    return {"args": [x], "kwargs": {}}


def large_batch(seed: int) -> dict:
    """1800 rows of 1000 logits of ordinary scale: checks vectorisation, not numerics. (The
    result, 14.4 MB of float64, stays under the grader's 16 MB reply cap.)"""
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 5.0, size=(1800, 1000))
    return {"args": [x], "kwargs": {"axis": 1}}


def large_extreme_columns(seed: int) -> dict:
    """Columns whose logits span thousands: a log of an underflowed softmax gives -inf here.
    Column 0 always spans [-2000, 2000] around its offset of at least 1000."""
    rng = np.random.default_rng(seed + 1)
    x = rng.normal(0.0, 1.0, size=(500, 2000)) * rng.uniform(1.0, 3000.0, size=(1, 2000))
    x += rng.uniform(-1e5, 1e5, size=(1, 2000))
    x[:, 0] = rng.permutation(np.linspace(-2000.0, 2000.0, 500)) + rng.uniform(1000.0, 1e5)
    return {"args": [x], "kwargs": {"axis": 0}}
