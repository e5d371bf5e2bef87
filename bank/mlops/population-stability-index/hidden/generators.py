"""Hidden cases for mlops/population-stability-index, drawn from a seed.

Every function takes the seed and returns {"args": [reference, current], "kwargs": {...}} with
float64 arrays. Each draws a random instance of one fixed scenario. Two properties decide what a
plausible wrong PSI gets, and each scenario fixes both for every seed (drawing again until they
hold, see ``_draw``):

- whether the bin edges matter: some value lies exactly on an inner edge, so that half-open
  bins closed on the other side ([e_{k-1}, e_k)) give another PSI;
- whether the eps floor matters: a bin is empty (or below eps) in one sample, so that leaving
  such bins out gives another PSI.

Continuous samples keep their values off the edges by construction: an inner edge only equals a
reference value when i * (n - 1) / n_bins is a whole number, so the reference sizes are chosen
with gcd(n - 1, n_bins) = 1.
"""

import math

import numpy as np

_RTOL = 1e-6


def _psi(ref, cur, n_bins, eps, *, right_closed=True, floor=True) -> float:
    edges = np.unique(np.quantile(ref, np.arange(1, n_bins) / n_bins))
    side = "left" if right_closed else "right"
    n_out = edges.size + 1
    p_ref = np.bincount(np.searchsorted(edges, ref, side=side), minlength=n_out) / ref.size
    p_cur = np.bincount(np.searchsorted(edges, cur, side=side), minlength=n_out) / cur.size
    if floor:
        p_ref, p_cur = np.maximum(p_ref, eps), np.maximum(p_cur, eps)
    else:
        keep = (p_ref > 0) & (p_cur > 0)
        p_ref, p_cur = p_ref[keep], p_cur[keep]
    return float(np.sum((p_cur - p_ref) * np.log(p_cur / p_ref)))


def _verdict(a: float, b: float):
    """True if b is clearly off a (by 10x the tolerance), False if clearly within a tenth of
    it, None in between (such a draw is discarded)."""
    tolerance = _RTOL * abs(a) + 1e-12
    if abs(a - b) > 10 * tolerance:
        return True
    if abs(a - b) <= 0.1 * tolerance:
        return False
    return None


def _draw(make, *, edges_matter: bool, floor_matters: bool) -> dict:
    while True:
        ref, cur, kwargs = make()
        ref = np.asarray(ref, dtype=np.float64)
        cur = np.asarray(cur, dtype=np.float64)
        n_bins, eps = kwargs.get("n_bins", 10), kwargs.get("eps", 1e-4)
        psi = _psi(ref, cur, n_bins, eps)
        if (_verdict(psi, _psi(ref, cur, n_bins, eps, right_closed=False)) is edges_matter
                and _verdict(psi, _psi(ref, cur, n_bins, eps, floor=False)) is floor_matters):
            return {"args": [ref, cur], "kwargs": kwargs}


def _size(rng, lo: int, hi: int, n_bins: int) -> int:
    """A reference size in [lo, hi] whose quantile edges never land on a sample value."""
    while True:
        n = int(rng.integers(lo, hi + 1))
        if math.gcd(n - 1, n_bins) == 1:
            return n


def same_distribution(seed: int) -> dict:
    """A reference of 30-60 normal values; current is it repeated 2-4 times, shuffled: PSI 0."""
    rng = np.random.default_rng(seed)
    ref = np.round(rng.normal(0.0, 1.0, size=int(rng.integers(30, 61))), 3)
    cur = rng.permutation(np.tile(ref, int(rng.integers(2, 5))))
    return {"args": [ref, cur], "kwargs": {}}


def mean_shift(seed: int) -> dict:
    """Reference N(0, 1) (50-70 values), current N(0.7, 1) (40-60 values), 10 bins; at least one
    bin of the current sample is empty."""
    rng = np.random.default_rng(seed)

    def make():
        ref = rng.normal(0.0, 1.0, size=_size(rng, 50, 70, 10))
        return ref, rng.normal(0.7, 1.0, size=int(rng.integers(40, 61))), {}

    return _draw(make, edges_matter=False, floor_matters=True)


def variance_grows(seed: int) -> dict:
    """Reference N(0, 1), current N(0, 2.5), 40-60 values each, 10 bins; a current bin is empty."""
    rng = np.random.default_rng(seed)

    def make():
        ref = rng.normal(0.0, 1.0, size=_size(rng, 50, 70, 10))
        return ref, rng.normal(0.0, 2.5, size=int(rng.integers(40, 61))), {}

    return _draw(make, edges_matter=False, floor_matters=True)


def beyond_reference_max(seed: int) -> dict:
    """Reference around 10; every current value lies above the reference's maximum."""
    rng = np.random.default_rng(seed)

    def make():
        ref = rng.normal(10.0, 2.0, size=_size(rng, 40, 60, 10))
        cur = ref.max() + rng.uniform(5.0, 25.0) + rng.normal(0.0, 0.5, size=20)
        return ref, np.maximum(cur, ref.max() + 1.0), {}

    return _draw(make, edges_matter=False, floor_matters=True)


def constant_reference(seed: int) -> dict:
    """A constant reference (every edge merges into one); current values below, at and above
    the constant."""
    rng = np.random.default_rng(seed)

    def make():
        c = float(rng.integers(-20, 21))
        ref = np.full(int(rng.integers(10, 31)), c)
        cur = c + rng.integers(-2, 3, size=int(rng.integers(5, 12)))
        return ref, cur, {"n_bins": int(rng.integers(4, 11))}

    return _draw(make, edges_matter=True, floor_matters=True)


def one_bin(seed: int) -> dict:
    """n_bins = 1: a single bin holds everything, so the PSI is 0 whatever the data."""
    rng = np.random.default_rng(seed)
    ref = rng.normal(0.0, 1.0, size=int(rng.integers(20, 41)))
    cur = rng.normal(rng.uniform(1.0, 4.0), 1.0, size=int(rng.integers(20, 41)))
    return {"args": [ref, cur], "kwargs": {"n_bins": 1}}


def integer_ties(seed: int) -> dict:
    """An integer-valued feature (Poisson counts, 60-90 values each, the current one shifted):
    edges fall on tied values; no bin is empty in either sample."""
    rng = np.random.default_rng(seed)

    def make():
        ref = rng.poisson(1.2, size=int(rng.integers(60, 91))).astype(float)
        cur = rng.poisson(2.0, size=int(rng.integers(60, 91))).astype(float)
        return ref, cur, {"n_bins": 10}

    return _draw(make, edges_matter=True, floor_matters=False)


def values_on_edges(seed: int) -> dict:
    """Reference 0, 1, ..., N (N a multiple of 4, so its quartiles are whole numbers); the
    current sample holds values equal to the edges; 4 bins, none empty."""
    rng = np.random.default_rng(seed)

    def make():
        top = 4 * int(rng.integers(5, 31))
        ref = np.arange(top + 1, dtype=float)
        edges = np.quantile(ref, [0.25, 0.5, 0.75])
        cur = np.r_[rng.choice(edges, size=int(rng.integers(3, 7))),
                    rng.integers(0, top + 1, size=int(rng.integers(4, 9)))]
        return ref, rng.permutation(cur).astype(float), {"n_bins": 4}

    return _draw(make, edges_matter=True, floor_matters=False)


def eps_floor(seed: int) -> dict:
    """Uniform reference on [0, 1], current concentrated in its lower half; 5 bins, eps = 0.01."""
    rng = np.random.default_rng(seed)

    def make():
        ref = np.round(rng.uniform(0.0, 1.0, size=_size(rng, 30, 50, 5)), 3)
        cur = np.round(rng.uniform(0.0, 0.45, size=int(rng.integers(20, 31))), 3)
        return ref, cur, {"n_bins": 5, "eps": 0.01}

    return _draw(make, edges_matter=False, floor_matters=True)


def small_eps(seed: int) -> dict:
    """Uniform reference on [0, 1], current shifted up by 0.3-0.6; 5 bins, eps = 1e-6."""
    rng = np.random.default_rng(seed)

    def make():
        ref = np.round(rng.uniform(0.0, 1.0, size=_size(rng, 30, 50, 5)), 3)
        cur = np.round(rng.uniform(0.0, 1.0, size=int(rng.integers(20, 31)))
                       + rng.uniform(0.3, 0.6), 3)
        return ref, cur, {"n_bins": 5, "eps": 1e-6}

    return _draw(make, edges_matter=False, floor_matters=True)


def single_current_value(seed: int) -> dict:
    """A normal reference of 25-40 values and a current sample of one value; 5 bins."""
    rng = np.random.default_rng(seed)

    def make():
        ref = np.round(rng.normal(0.0, 1.0, size=_size(rng, 25, 40, 5)), 3)
        return ref, np.round(rng.normal(0.0, 1.0, size=1), 4), {"n_bins": 5}

    return _draw(make, edges_matter=False, floor_matters=True)


def tiny_reference(seed: int) -> dict:
    """A reference of three values, 5, 7 or 9 bins (more edges than values), and 4-8 current
    values spread over and beyond the reference's range."""
    rng = np.random.default_rng(seed)

    def make():
        ref = np.round(rng.uniform(0.0, 10.0, size=3), 2)
        cur = np.round(rng.uniform(-2.0, 12.0, size=int(rng.integers(4, 9))), 2)
        return ref, cur, {"n_bins": int(rng.choice([5, 7, 9]))}

    return _draw(make, edges_matter=False, floor_matters=True)


def ties_at_quantiles(seed: int) -> dict:
    """A small-integer reference with blocks of tied values where the quantiles fall, and a
    current sample of small integers; 5 bins; edges on tied values, no bin empty in just one
    sample."""
    rng = np.random.default_rng(seed)

    def make():
        values = np.sort(rng.choice(np.arange(10), size=5, replace=False))
        ref = np.repeat(values, rng.integers(2, 7, size=5)).astype(float)
        cur = rng.choice(values, size=int(rng.integers(8, 15))).astype(float)
        return rng.permutation(ref), cur, {"n_bins": 5}

    return _draw(make, edges_matter=True, floor_matters=False)


def large_lognormal(seed: int) -> dict:
    """200,000 reference and 150,000 current log-normal values, 20 bins (gcd(199999, 20) = 1:
    no value on an edge; every bin of both samples holds thousands of values)."""
    rng = np.random.default_rng(seed)
    reference = rng.lognormal(mean=3.0, sigma=0.8, size=200_000)
    current = rng.lognormal(mean=3.15, sigma=0.9, size=150_000)
    return {"args": [reference, current], "kwargs": {"n_bins": 20}}


def large_integer_ties(seed: int) -> dict:
    """300,000 Poisson counts each (means 4 and 4.6): integer edges on tied values; every bin of
    both samples holds thousands of values."""
    rng = np.random.default_rng(seed + 1)
    reference = rng.poisson(4.0, size=300_000).astype(float)
    current = rng.poisson(4.6, size=300_000).astype(float)
    return {"args": [reference, current], "kwargs": {"n_bins": 10}}
