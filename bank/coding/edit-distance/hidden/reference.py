def edit_distance(a, b) -> int:
    """Levenshtein distance by dynamic programming over prefixes, keeping two rows: O(nm) time,
    O(min(n, m)) memory, no recursion."""
    if len(a) < len(b):
        a, b = b, a  # the inner loop runs over the shorter sequence
    previous = list(range(len(b) + 1))  # distances from a[:0] to each prefix of b
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(
                previous[j] + 1,             # delete x
                current[j - 1] + 1,          # insert y
                previous[j - 1] + (x != y),  # substitute (free when equal)
            ))
        previous = current
    return previous[-1]
