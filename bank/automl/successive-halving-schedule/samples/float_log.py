"""Subtly wrong: counts the rungs with floating-point logarithms, int(math.log(x, eta)). It is
right almost everywhere, but math.log(243, 3) == 4.999999999999999 and
math.log(1000, 10) == 2.9999999999999996, so exact powers of 3 and 10 lose their last rung."""

import math


def successive_halving_schedule(n_configs, min_resource, max_resource, eta):
    rungs_by_configs = int(math.log(n_configs, eta)) + 1
    rungs_by_resource = int(math.log(max_resource / min_resource, eta)) + 1
    k = min(rungs_by_configs, rungs_by_resource)
    return [[n_configs // eta**i, max_resource // eta ** (k - 1 - i)] for i in range(k)]
