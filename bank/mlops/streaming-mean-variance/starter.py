class RunningStats:
    """One-pass mean and variance of a stream of floats, mergeable across workers.

    Must stay accurate when the values sit far from zero (e.g. 1e9 + small noise).
    """

    def __init__(self) -> None:
        raise NotImplementedError

    def update(self, x: float) -> int:
        """Add one observation; return the number of observations seen so far."""
        raise NotImplementedError

    def merge(self, count: int, mean: float, m2: float) -> int:
        """Fold in another worker's summary: `count` observations with mean `mean` and sum of
        squared deviations from that mean `m2`. `count == 0` changes nothing. Return the new count."""
        raise NotImplementedError

    def count(self) -> int:
        raise NotImplementedError

    def mean(self) -> float:
        """Mean of everything seen; 0.0 when empty."""
        raise NotImplementedError

    def variance(self, ddof: int = 0) -> float:
        """Sum of squared deviations / (count - ddof); 0.0 when count - ddof <= 0."""
        raise NotImplementedError
