"""Cheat (malformed output): no BLEU at all; each answer is built to trip the code between the
sandbox and the judge: a raw-array marker whose payload is a number instead of base64 text, an
int of 100,000 digits (past Python's int/str conversion limit), and a float subclass that claims
to equal everything (harmless only if the judge never compares with the candidate's objects)."""

_calls = 0


class _EqualsAnything(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


def sentence_bleu(hypothesis, references, max_n=4):
    global _calls
    _calls += 1
    if _calls % 3 == 1:
        return {"__ndarray__": 12345, "dtype": "<f8", "shape": [1]}
    if _calls % 3 == 2:
        return 10**100_000
    return _EqualsAnything("nan")
