"""Large inputs for coding/edit-distance: sizes where only the O(nm) table finishes."""

import random

_WORDS = (
    "the a of to and in is it that for on was with he as you at be this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their "
    "if will up other about out many then them these so some her would make like him into time"
).split()


def long_against_short(seed: int) -> dict:
    """10,000 characters against 3: cheap as a table (30,000 cells), but a recursion on
    prefixes or suffixes goes about 10,000 frames deep."""
    rng = random.Random(seed)
    a = "".join(rng.choice("abcdefghij") for _ in range(10_000))
    return {"args": [a, "jxz"], "kwargs": {}}


def dna_pair(seed: int) -> dict:
    """Two related DNA strings of about 1,500 bases (one mutated copy of the other)."""
    rng = random.Random(seed + 1)
    a = [rng.choice("ACGT") for _ in range(1_500)]
    b = list(a)
    for _ in range(300):
        i = rng.randrange(len(b))
        op = rng.random()
        if op < 0.4:
            b[i] = rng.choice("ACGT")
        elif op < 0.7:
            del b[i]
        else:
            b.insert(i, rng.choice("ACGT"))
    return {"args": ["".join(a), "".join(b)], "kwargs": {}}


def transcript_pair(seed: int) -> dict:
    """A 1,200-word reference transcript and an ASR-like hypothesis with about 15% errors,
    including swapped neighbouring words."""
    rng = random.Random(seed + 2)
    ref = [rng.choice(_WORDS) for _ in range(1_200)]
    hyp = list(ref)
    for _ in range(180):
        i = rng.randrange(len(hyp) - 1)
        op = rng.random()
        if op < 0.4:
            hyp[i] = rng.choice(_WORDS)
        elif op < 0.6:
            del hyp[i]
        elif op < 0.8:
            hyp.insert(i, rng.choice(["um", "uh", "like"]))
        else:
            hyp[i], hyp[i + 1] = hyp[i + 1], hyp[i]
    return {"args": [ref, hyp], "kwargs": {}}
