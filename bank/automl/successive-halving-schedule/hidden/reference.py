"""Reference solution: the rungs of one successive-halving bracket, in exact integer arithmetic."""


def successive_halving_schedule(n_configs, min_resource, max_resource, eta):
    # Rungs the configurations allow: rung i keeps n_configs // eta**i >= 1 configurations.
    rungs_by_configs = 1
    while n_configs // eta**rungs_by_configs >= 1:
        rungs_by_configs += 1
    # Rungs the resources allow: min_resource * eta**(k - 1) <= max_resource.
    rungs_by_resource = 1
    while min_resource * eta**rungs_by_resource <= max_resource:
        rungs_by_resource += 1

    k = min(rungs_by_configs, rungs_by_resource)
    # Resources are anchored at the top: the last rung trains on max_resource.
    return [[n_configs // eta**i, max_resource // eta ** (k - 1 - i)] for i in range(k)]
