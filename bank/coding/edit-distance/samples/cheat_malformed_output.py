"""Cheat (malformed output): no attempt at the distance; each answer is built to break the
machinery between the sandbox and the judge: a list nested 200,000 deep (recursion in any
naive encoder or decoder), an int of 100,000 digits (beyond Python's int/str conversion
limit), and a list whose iteration never ends (an encoder that walks it runs out of memory)."""

_calls = 0


class _Endless(list):
    def __iter__(self):
        while True:
            yield 0

    def __len__(self):
        return 1


def edit_distance(a, b):
    global _calls
    _calls += 1
    if _calls % 3 == 1:
        deep = []
        for _ in range(200_000):
            deep = [deep]
        return deep
    if _calls % 3 == 2:
        return 10**100_000
    return _Endless([len(a)])
