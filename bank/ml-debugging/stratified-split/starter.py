def stratified_split(labels, test_fraction: float, seed: int) -> tuple[list[int], list[int]]:
    """Seeded stratified split of row indices into (train, test).

    Args:
        labels: list of hashable class labels, one per row.
        test_fraction: share of each class to put in the test set, 0 < test_fraction < 1.
        seed: seed for the random choice of test rows; same inputs give the same split.

    Returns:
        (train, test): ascending lists of row indices that together cover 0..n-1 once.
        Class c with n_c rows gets t_c = floor(test_fraction * n_c + 0.5) test rows,
        clamped to [1, n_c - 1] when n_c >= 2; a class with one row goes to train.

    Raises:
        ValueError: if labels is empty or test_fraction is not in (0, 1).
    """
    raise NotImplementedError
