"""Subtly wrong: grows resources from the bottom, r_i = min_resource * eta**i, so when
max_resource / min_resource is not a power of eta the survivors never train on max_resource."""


def successive_halving_schedule(n_configs, min_resource, max_resource, eta):
    rungs = []
    i = 0
    while n_configs // eta**i >= 1 and min_resource * eta**i <= max_resource:
        rungs.append([n_configs // eta**i, min_resource * eta**i])
        i += 1
    return rungs
