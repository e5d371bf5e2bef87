"""Hidden cases for coding/edit-distance, drawn from a seed.

Every function takes the seed and returns {"args": [a, b], "kwargs": {}}: two strings or two
lists of strings. Each draws a random instance of one fixed scenario and makes the scenario hold
for every seed:

- cases about plain edits contain no pair of swapped neighbours (an adjacent pair x, y of one
  sequence never appears as y, x in the other), so a distance that lets a swap cost 1 agrees
  with Levenshtein there; cases about swaps contain one, and the large ones check that a swap
  really shortens the distance under that rule (``_distances`` computes both);
- the small cases stay short (at most 8 elements against 8, or few differences), so that any
  correct method, even an exponential recursion, answers at once; the large ones are far
  beyond it (an exponential recursion never finishes, a recursive one overflows the stack).
"""

import random

import numpy as np

_WORDS = (
    "the a of to and in is it that for on was with he as you at be this have from or one had by "
    "word but not what all were we when your can said there use an each which she do how their "
    "if will up other about out many then them these so some her would make like him into time"
).split()
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_SHORT_WORDS = ["turn", "left", "right", "stop", "go", "play", "next", "song", "call", "mom",
                "set", "timer", "for", "ten", "minutes", "what", "is", "the", "weather"]
_ACCENTED = {"café": "cafe", "naïve": "naive", "façade": "facade", "résumé": "resume",
             "über": "uber", "piñata": "pinata", "crème": "creme", "señor": "senor",
             "garçon": "garcon", "déjà": "deja", "zürich": "zurich", "ångström": "angstrom",
             "coöp": "coop", "soirée": "soiree", "exposé": "expose", "jalapeño": "jalapeno"}


def _case(a, b) -> dict:
    return {"args": [a, b], "kwargs": {}}


def _swapped_neighbours(a, b) -> bool:
    """Whether some adjacent pair x, y (x != y) of a occurs as y, x somewhere in b."""
    pairs = {(a[i], a[i + 1]) for i in range(len(a) - 1) if a[i] != a[i + 1]}
    return any((b[j + 1], b[j]) in pairs for j in range(len(b) - 1))


def _distances(a, b) -> tuple[int, int]:
    """(Levenshtein, optimal-string-alignment) distances of two sequences, by anti-diagonals
    of the DP table in numpy (fast enough for a generator on sequences of a few thousand)."""
    codes: dict = {}
    x = np.array([codes.setdefault(t, len(codes)) for t in a], dtype=np.int64)
    y = np.array([codes.setdefault(t, len(codes)) for t in b], dtype=np.int64)
    n, m = len(x), len(y)
    big = n + m + 10
    i_all = np.arange(n + 1)
    lev = [np.full(n + 1, big), np.full(n + 1, big)]  # diagonals s-2, s-1 (indexed by i)
    osa = [np.full(n + 1, big), np.full(n + 1, big), np.full(n + 1, big), np.full(n + 1, big)]
    for s in range(n + m + 1):
        j_all = s - i_all
        valid = (j_all >= 0) & (j_all <= m)
        cur_l = np.full(n + 1, big)
        cur_o = np.full(n + 1, big)
        edge = valid & ((i_all == 0) | (j_all == 0))
        cur_l[edge] = s
        cur_o[edge] = s
        inner = valid & (i_all >= 1) & (j_all >= 1)
        ii = i_all[inner]
        jj = j_all[inner]
        if ii.size:
            cost = (x[ii - 1] != y[jj - 1]).astype(np.int64)
            cur_l[ii] = np.minimum(np.minimum(lev[1][ii - 1] + 1, lev[1][ii] + 1),
                                   lev[0][ii - 1] + cost)
            best = np.minimum(np.minimum(osa[3][ii - 1] + 1, osa[3][ii] + 1),
                              osa[2][ii - 1] + cost)
            swap = (ii >= 2) & (jj >= 2)
            if swap.any():
                i2, j2 = ii[swap], jj[swap]
                ok = (x[i2 - 1] == y[j2 - 2]) & (x[i2 - 2] == y[j2 - 1])
                best[swap] = np.where(ok, np.minimum(best[swap], osa[0][i2 - 2] + 1), best[swap])
            cur_o[ii] = best
        lev = [lev[1], cur_l]
        osa = [osa[1], osa[2], osa[3], cur_o]
    return int(lev[1][n]), int(osa[3][n])


def _word(rng: random.Random, length: int, letters: str = _LETTERS) -> str:
    return "".join(rng.choice(letters) for _ in range(length))


def _plain_edits(rng: random.Random, make, edit):
    """Draw (a, b) with make() and edit(a) until no swapped neighbours are in play."""
    while True:
        a = make()
        b = edit(a)
        if a != b and not _swapped_neighbours(a, b) and not _swapped_neighbours(b, a):
            return a, b


def kitten_to_sitting(seed: int) -> dict:
    """A word of 5-7 letters against a variant with two substitutions and one insertion."""
    rng = random.Random(seed)

    def edit(a: str) -> str:
        b = list(a)
        for i in rng.sample(range(len(b)), 2):
            b[i] = rng.choice([c for c in _LETTERS if c != b[i]])
        b.insert(rng.randint(0, len(b)), rng.choice(_LETTERS))
        return "".join(b)

    return _case(*_plain_edits(rng, lambda: _word(rng, rng.randint(5, 7)), edit))


def flaw_to_lawn(seed: int) -> dict:
    """Delete the first letter and append a new one: two edits, though every position differs."""
    rng = random.Random(seed)
    return _case(*_plain_edits(
        rng, lambda: _word(rng, rng.randint(4, 7)),
        lambda a: a[1:] + rng.choice([c for c in _LETTERS if c != a[0]])))


def _two_words_same_suffix(rng: random.Random) -> tuple[str, str]:
    suffix = rng.choice(["tion", "ment", "ness", "able", "ing", "ship"])
    return _plain_edits(rng, lambda: _word(rng, rng.randint(4, 5)) + suffix,
                        lambda a: _word(rng, rng.randint(4, 5)) + suffix)


def intention_to_execution(seed: int) -> dict:
    """Two words with the same suffix and different stems of 4-5 letters."""
    return _case(*_two_words_same_suffix(random.Random(seed)))


def execution_to_intention(seed: int) -> dict:
    """The same scenario with the arguments the other way round (the distance is symmetric)."""
    a, b = _two_words_same_suffix(random.Random(seed))
    return _case(b, a)


def identical(seed: int) -> dict:
    """A string, or a token list, against an equal copy of itself."""
    rng = random.Random(seed)
    if rng.random() < 0.5:
        a = _word(rng, rng.randint(3, 20))
        return _case(a, "".join(a))
    a = [rng.choice(_WORDS) for _ in range(rng.randint(3, 20))]
    return _case(a, list(a))


def both_empty(seed: int) -> dict:
    """Two empty token lists. (Nothing here can vary; the empty-string pair was a published
    input, so this case keeps to the token-list form, which never was.)"""
    del seed
    return _case([], [])


def to_empty(seed: int) -> dict:
    """A string of 1-12 characters against the empty string (in either order)."""
    rng = random.Random(seed)
    a = _word(rng, rng.randint(1, 12))
    return _case(a, "") if rng.random() < 0.5 else _case("", a)


def empty_token_list(seed: int) -> dict:
    """An empty token list against 1-10 tokens (in either order)."""
    rng = random.Random(seed)
    b = [rng.choice(_SHORT_WORDS) for _ in range(rng.randint(1, 10))]
    return _case([], b) if rng.random() < 0.5 else _case(b, [])


def adjacent_swap(seed: int) -> dict:
    """A string of 2-7 letters against itself with two different neighbours swapped."""
    rng = random.Random(seed)
    while True:
        a = _word(rng, rng.randint(2, 7), _LETTERS[: rng.randint(3, 26)])
        spots = [i for i in range(len(a) - 1) if a[i] != a[i + 1]]
        if spots:
            break
    i = rng.choice(spots)
    return _case(a, a[:i] + a[i + 1] + a[i] + a[i + 2:])


def swapped_words(seed: int) -> dict:
    """A command of 3-7 words against itself with two different neighbouring words swapped."""
    rng = random.Random(seed)
    while True:
        a = [rng.choice(_SHORT_WORDS) for _ in range(rng.randint(3, 7))]
        spots = [i for i in range(len(a) - 1) if a[i] != a[i + 1]]
        if spots:
            break
    i = rng.choice(spots)
    b = list(a)
    b[i], b[i + 1] = b[i + 1], b[i]
    return _case(a, b)


def no_common_characters(seed: int) -> dict:
    """Two strings of 2-6 letters drawn from disjoint halves of the alphabet."""
    rng = random.Random(seed)
    letters = list(_LETTERS)
    rng.shuffle(letters)
    left, right = "".join(letters[:13]), "".join(letters[13:])
    return _case(_word(rng, rng.randint(2, 6), left), _word(rng, rng.randint(2, 6), right))


def unicode_case(seed: int) -> dict:
    """An accented word (sometimes capitalised) against its plain-ASCII spelling, lower case:
    every accent and every case change is a substitution."""
    rng = random.Random(seed)
    accented, plain = rng.choice(sorted(_ACCENTED.items()))
    if rng.random() < 0.5:
        accented = accented[0].upper() + accented[1:]
    return _case(accented, plain) if rng.random() < 0.5 else _case(plain, accented)


def tokens_whole(seed: int) -> dict:
    """3-5 distinct tokens that are prefixes of one another, against the same tokens rotated by
    one: two edits on tokens (delete the first, append it), more on the joined characters."""
    rng = random.Random(seed)
    stem = _word(rng, rng.randint(1, 3))
    tokens = [stem]
    for _ in range(rng.randint(2, 4)):
        tokens.append(tokens[-1] + _word(rng, rng.randint(1, 2)))
    rng.shuffle(tokens)
    if rng.random() < 0.5:
        return _case(tokens, tokens[1:] + tokens[:1])
    return _case(tokens, tokens[-1:] + tokens[:-1])


def medium_strings(seed: int) -> dict:
    """Two unrelated strings of 24-28 letters over a four-letter alphabet, where a swap of
    neighbours would save an edit (too many paths for an exponential recursion)."""
    rng = random.Random(seed)
    while True:
        a = _word(rng, rng.randint(24, 28), "abcd")
        b = _word(rng, rng.randint(24, 28), "abcd")
        lev, osa = _distances(a, b)
        if osa < lev:
            return _case(a, b)


def medium_words(seed: int) -> dict:
    """A 20-24 word utterance against a transcript with 8-10 substitutions, insertions and
    deletions spread over it, no swapped neighbours."""
    rng = random.Random(seed)
    vocab = ["it", "maybe", "so", "is", "yes", "no", "uh", "well"]

    def edit(a: list) -> list:
        b = list(a)
        for _ in range(rng.randint(8, 10)):
            i = rng.randrange(len(b))
            op = rng.random()
            if op < 0.4:
                b[i] = rng.choice([w for w in vocab if w != b[i]])
            elif op < 0.7:
                del b[i]
            else:
                b.insert(i, rng.choice(vocab))
        return b

    return _case(*_plain_edits(
        rng, lambda: [rng.choice(vocab) for _ in range(rng.randint(20, 24))], edit))


def long_against_short(seed: int) -> dict:
    """10,000 characters against 3: cheap as a table (30,000 cells), but a recursion on
    prefixes or suffixes goes about 10,000 frames deep."""
    rng = random.Random(seed)
    a = "".join(rng.choice("abcdefghij") for _ in range(10_000))
    return {"args": [a, "jxz"], "kwargs": {}}


def dna_pair(seed: int) -> dict:
    """Two related DNA strings of about 1,500 bases (one mutated copy of the other, swapped
    neighbours among the mutations, so that a swap-costs-1 distance is lower)."""
    rng = random.Random(seed + 1)
    while True:
        a = [rng.choice("ACGT") for _ in range(1_500)]
        b = list(a)
        for _ in range(300):
            i = rng.randrange(len(b) - 1)
            op = rng.random()
            if op < 0.35:
                b[i] = rng.choice("ACGT")
            elif op < 0.6:
                del b[i]
            elif op < 0.85:
                b.insert(i, rng.choice("ACGT"))
            else:
                b[i], b[i + 1] = b[i + 1], b[i]
        lev, osa = _distances(a, b)
        if osa < lev:
            return {"args": ["".join(a), "".join(b)], "kwargs": {}}


def transcript_pair(seed: int) -> dict:
    """A 1,200-word reference transcript and an ASR-like hypothesis with about 15% errors,
    including swapped neighbouring words (which a swap-costs-1 distance undercounts)."""
    rng = random.Random(seed + 2)
    while True:
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
        lev, osa = _distances(ref, hyp)
        if osa < lev:
            return {"args": [ref, hyp], "kwargs": {}}
