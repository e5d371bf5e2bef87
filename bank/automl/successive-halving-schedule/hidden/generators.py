"""Hidden cases for automl/successive-halving-schedule, drawn from a seed.

Every function takes the seed and returns {"args": [n_configs, min_resource, max_resource, eta]}.
Each one draws a random instance of one fixed scenario, built so that the scenario really
holds for every seed:

- "not a power of eta" means exactly that (checked), so a float logarithm of it is off by far
  more than its rounding error and counts the rungs right;
- the exact powers used where a float logarithm must still be right have exponents for which
  it is (every power of 2, 4, 5, 6, 7, 8; powers of 3 up to 3**4); the numerical cases use
  exactly the powers whose float logarithm falls below the exponent (3**5, 9**5, 10**3, ...);
- "resources anchored at the top" cases make max_resource differ from min_resource * eta**(k-1),
  so growing the resource from the bottom never reaches it; the other cases keep them equal.
"""

import random


def _rungs(n: int, eta: int) -> int:
    """Number of i >= 0 with n // eta**i >= 1 (exact integers)."""
    k = 0
    while n // eta**k >= 1:
        k += 1
    return k


def _is_power(x: int, eta: int) -> bool:
    """Whether the integer x is eta**i for some i >= 0."""
    while x % eta == 0 and x > 1:
        x //= eta
    return x == 1


def _not_power_in(rng: random.Random, low: int, high: int, eta: int) -> int:
    """An integer in [low, high] that is not a power of eta (the range must hold one)."""
    while True:
        x = rng.randint(low, high)
        if not _is_power(x, eta):
            return x


def _case(n: int, lo: int, hi: int, eta: int) -> dict:
    return {"args": [n, lo, hi, eta], "kwargs": {}}


def powers_of_two(seed: int) -> dict:
    """eta 2; n_configs, min and max are powers of two, and the resource range is the limit
    (or both limits agree): the top rung gets max_resource = min_resource * 2**(k-1)."""
    rng = random.Random(seed)
    j = rng.randint(2, 20)
    a = rng.randint(0, 10)
    b = a + rng.randint(1, j)
    return _case(2**j, 2**a, 2**b, 2)


def eta_does_not_divide(seed: int) -> dict:
    """n_configs is not a multiple of eta (so every n_i is a rounded-down quotient); the resource
    ratio is an exact power eta**m whose float logarithm is exact; the resources limit the rungs."""
    rng = random.Random(seed)
    eta = rng.randint(2, 8)
    m = rng.randint(2, 4)
    lo = rng.randint(1, 50)
    while True:
        n = rng.randint(eta**m + 1, eta ** (m + 2))
        if n % eta:
            break
    return _case(n, lo, lo * eta**m, eta)


def resource_limits_ratio_not_power(seed: int) -> dict:
    """Plenty of configurations; the resources limit the rungs, and max/min is not a power of
    eta, so every resource is a rounded-down quotient of max_resource."""
    rng = random.Random(seed)
    eta = rng.randint(3, 6)
    m = rng.randint(1, 3)
    lo = rng.randint(2, 40)
    hi = lo * eta**m + rng.randint(1, lo * eta**m * (eta - 1) - 1)
    n = _not_power_in(rng, eta ** (m + 2), eta ** (m + 4), eta)
    return _case(n, lo, hi, eta)


def anchored_at_top(seed: int) -> dict:
    """eta 2, min_resource > 1 and max/min not a power of two: anchoring at the top gives other
    resources than growing from min_resource."""
    rng = random.Random(seed)
    m = rng.randint(2, 6)
    lo = rng.randint(2, 9)
    hi = lo * 2**m + rng.randint(1, lo * 2**m - 1)
    n = _not_power_in(rng, 2 ** (m + 2), 2 ** (m + 5), 2)
    return _case(n, lo, hi, 2)


def configs_limit(seed: int) -> dict:
    """Few configurations and a wide resource range: the configurations limit the rungs, and the
    top rung still trains on max_resource."""
    rng = random.Random(seed)
    eta = rng.randint(2, 10)
    j = rng.randint(1, 3)
    n = _not_power_in(rng, eta**j, eta ** (j + 1) - 1, eta)
    lo = rng.randint(1, 20)
    hi = lo * eta ** (j + 1) + rng.randint(0, lo * eta ** (j + 2))
    return _case(n, lo, hi, eta)


def both_limits(seed: int) -> dict:
    """eta 3; the configurations allow j + 1 rungs and the resources j + 1 or j + 2, with
    max_resource not min_resource times a power of 3."""
    rng = random.Random(seed)
    eta = 3
    j = rng.randint(2, 4)
    n = _not_power_in(rng, eta**j, eta ** (j + 1) - 1, eta)
    lo = rng.randint(2, 30)
    extra = rng.randint(0, 1)
    while True:
        hi = rng.randint(lo * eta ** (j + extra), lo * eta ** (j + extra + 1) - 1)
        if hi % lo or not _is_power(hi // lo, eta):
            break
    assert min(_rungs(n, eta), _rungs(hi // lo, eta)) == j + 1
    return _case(n, lo, hi, eta)


def min_equals_max(seed: int) -> dict:
    """min_resource == max_resource: one rung, whatever the number of configurations."""
    rng = random.Random(seed)
    eta = rng.randint(2, 10)
    r = rng.randint(1, 10**6)
    return _case(rng.randint(eta, 10**6), r, r, eta)


def fewer_configs_than_eta(seed: int) -> dict:
    """n_configs < eta and a wide resource range: one rung, trained on max_resource."""
    rng = random.Random(seed)
    eta = rng.randint(3, 10)
    lo = rng.randint(1, 100)
    return _case(rng.randint(2, eta - 1), lo, lo * eta ** rng.randint(1, 5) + rng.randint(0, 99),
                 eta)


def two_configs_no_room(seed: int) -> dict:
    """Two configurations with eta 2, but min_resource == max_resource: one rung of two."""
    rng = random.Random(seed)
    r = rng.randint(1, 10**9)
    return _case(2, r, r, 2)


def _exact_power_case(seed: int, base: int, exponent: int) -> dict:
    """n_configs = base**exponent and max_resource = min_resource * base**exponent."""
    rng = random.Random(seed)
    lo = rng.randint(1, 10_000)
    return _case(base**exponent, lo, lo * base**exponent, base)


def power_3_5(seed: int) -> dict:
    return _exact_power_case(seed, 3, 5)


def power_10_3(seed: int) -> dict:
    return _exact_power_case(seed, 10, 3)


def power_10_6(seed: int) -> dict:
    return _exact_power_case(seed, 10, 6)


def power_9_5(seed: int) -> dict:
    return _exact_power_case(seed, 9, 5)


def power_3_15(seed: int) -> dict:
    return _exact_power_case(seed, 3, 15)
