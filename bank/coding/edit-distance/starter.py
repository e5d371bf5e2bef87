def edit_distance(a, b) -> int:
    """Levenshtein distance between two strings, or two lists of tokens.

    Args:
        a: a string, or a list of strings (tokens).
        b: the same type as `a`.

    Returns:
        The least number of single-element insertions, deletions and substitutions
        (each costing 1) that turn `a` into `b`.
    """
    raise NotImplementedError
