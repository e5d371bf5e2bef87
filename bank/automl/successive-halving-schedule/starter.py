def successive_halving_schedule(
    n_configs: int, min_resource: int, max_resource: int, eta: int
) -> list[list[int]]:
    """Rungs [n_i, r_i] of one successive-halving bracket, first rung first.

    k = min(number of i >= 0 with n_configs // eta**i >= 1,
            number of i >= 0 with min_resource * eta**i <= max_resource)
    n_i = n_configs // eta**i,  r_i = max_resource // eta**(k - 1 - i),  for i = 0..k-1.
    Use exact integer arithmetic.
    """
    raise NotImplementedError
