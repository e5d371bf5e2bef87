"""Hidden cases for genai/sentence-bleu, drawn from a seed.

Every function takes the seed and returns {"args": [hypothesis, references], "kwargs": {...}}.
Each draws a random instance of one fixed scenario, and two properties that decide what a
plausible wrong BLEU gets are fixed per scenario for every seed (built in, or drawn again until
they hold):

- whether clipping matters: some hypothesis n-gram (n <= max_n) occurs more often than in any
  single reference (``_clipping_matters``);
- whether the closest reference length gives another brevity penalty than the shortest one
  (``_closest_vs_shortest_bp_differ``).

The score of every case except the "scores 0" ones is above 0.
"""

import math
import random
from collections import Counter

import numpy as np

_VOCAB = (
    "the a model data we train on clean daily each day new reduces latency by half today "
    "cache serves requests from users in production when traffic grows team ships feature "
    "store batch job runs every night and writes results to table after review metrics look "
    "good so rollout continues slowly with alerts for drift errors"
).split()

_SOURCES = [
    "the new model reduces latency by half for most users in production today",
    "we train the ranking model every night on clean data from the feature store",
    "after the review the team ships the feature to a small share of traffic first",
    "the batch job writes daily metrics to a table that the dashboard reads every hour",
    "when drift alerts fire the on call engineer checks the input features before anything else",
    "the cache serves repeated requests so the model only sees new prompts from users",
    "it is a guide to action which ensures that the military always obeys the party",
    "the evaluation set is held out so the reported accuracy reflects unseen customers",
]


def _ngrams(tokens, n):
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _clipping_matters(hyp, refs, max_n) -> bool:
    for n in range(1, max_n + 1):
        best = Counter()
        for ref in refs:
            for gram, count in _ngrams(ref, n).items():
                best[gram] = max(best[gram], count)
        if any(count > best[gram] for gram, count in _ngrams(hyp, n).items() if gram in best):
            return True
    return False


def _closest_vs_shortest_bp_differ(c: int, lengths) -> bool:
    def bp(r: int) -> float:
        return 1.0 if c > r else math.exp(1.0 - r / c)

    closest = min(lengths, key=lambda length: (abs(length - c), length))
    return c > 0 and bp(closest) != bp(min(lengths))


def _shares_a_token(hyp, refs) -> bool:
    seen = {t for ref in refs for t in ref}
    return any(t in seen for t in hyp)


def _distinct(rng: random.Random, k: int, pool=_VOCAB) -> list:
    return rng.sample(sorted(set(pool)), k)


def _perturb(rng: random.Random, tokens: list, rate: float) -> list:
    out = []
    for t in tokens:
        u = rng.random()
        if u < rate / 3:
            continue  # deletion
        if u < 2 * rate / 3:
            out.append(rng.choice(_VOCAB))  # substitution
        else:
            out.append(t)
        if rng.random() < rate / 3:
            out.append(rng.choice(_VOCAB))  # insertion
    return out or [rng.choice(_VOCAB)]


def _draw(rng: random.Random, make, *, clipping: bool, bp_differs: bool, max_n: int):
    """make() until the instance has the required properties and a non-zero unigram match."""
    while True:
        hyp, refs = make()
        if (hyp and _shares_a_token(hyp, refs)
                and _clipping_matters(hyp, refs, max_n) == clipping
                and _closest_vs_shortest_bp_differ(len(hyp), [len(r) for r in refs]) == bp_differs):
            return hyp, refs


def _case(hyp, refs, max_n=None) -> dict:
    return {"args": [hyp, refs], "kwargs": {} if max_n is None else {"max_n": max_n}}


def repeated_word(seed: int) -> dict:
    """One word repeated 4-9 times against 1-3 references that hold it once or twice."""
    rng = random.Random(seed)
    word = rng.choice(_VOCAB)
    k = rng.randint(4, 9)
    refs = []
    for _ in range(rng.randint(1, 3)):
        others = [w for w in _distinct(rng, rng.randint(k, k + 4)) if w != word]
        for _ in range(rng.randint(1, 2)):
            others.insert(rng.randint(0, len(others)), word)
        refs.append(others)
    hyp = [word] * k
    # every reference at least as long as the hypothesis: the closest is the shortest
    refs = [r + _distinct(rng, max(0, k - len(r))) for r in refs]
    return _case(hyp, refs)


def clip_by_max_single_reference(seed: int) -> dict:
    """A word 3-4 times in the hypothesis; two references hold it twice each (their sum would
    not clip it, their maximum does)."""
    rng = random.Random(seed)
    word, *rest = _distinct(rng, 12)
    k = rng.randint(3, 4)
    hyp = rest[:4] + [word] * k
    rng.shuffle(hyp)
    refs = []
    for _ in range(2):
        ref = rng.sample(rest, rng.randint(6, 9)) + [word, word]
        rng.shuffle(ref)
        refs.append(ref)
    padding = [w for w in _VOCAB if w != word]
    for ref in refs:  # both longer than the hypothesis; `word` stays at two per reference
        ref += rng.sample(padding, len(hyp))
    return _case(hyp, refs)


def repeated_bigram(seed: int) -> dict:
    """A bigram 3-4 times in the hypothesis, at most twice in the single reference."""
    rng = random.Random(seed)
    a, b, *rest = _distinct(rng, 10)
    k = rng.randint(3, 4)
    hyp = []
    for i in range(k):
        hyp += [a, b]
        if i < k - 1 and rng.random() < 0.6:
            hyp.append(rest[i])
    ref = [a, b] + rng.sample(rest, 3) + [a, b] + rng.sample(rest, 2)
    padding = sorted(set(_VOCAB) - {a, b})
    ref += rng.sample(padding, max(0, len(hyp) - len(ref)))  # as long as the hypothesis
    return _case(hyp, [ref])


def empty_hypothesis(seed: int) -> dict:
    """An empty hypothesis against 1-3 references; max_n 1-4 or the default."""
    rng = random.Random(seed)
    refs = [_distinct(rng, rng.randint(1, 10)) for _ in range(rng.randint(1, 3))]
    return _case([], refs, rng.choice([None, 1, 2, 3, 4]))


def no_unigram_match(seed: int) -> dict:
    """A hypothesis of 3-8 tokens, none of which occurs in any of 2-3 references."""
    rng = random.Random(seed)
    words = _distinct(rng, 24)
    hyp_words, ref_words = words[:8], words[8:]
    hyp = [rng.choice(hyp_words) for _ in range(rng.randint(3, 8))]
    refs = [[rng.choice(ref_words) for _ in range(rng.randint(2, 8))]
            for _ in range(rng.randint(2, 3))]
    return _case(hyp, refs)


def shorter_than_max_n(seed: int) -> dict:
    """1-3 distinct hypothesis tokens (fewer than max_n), all in the single longer reference."""
    rng = random.Random(seed)
    max_n = rng.choice([None, 4, 5])
    c = rng.randint(1, 3)
    ref = _distinct(rng, rng.randint(c + 2, c + 8))
    start = rng.randint(0, len(ref) - c)
    return _case(ref[start:start + c], [ref], max_n)


def single_matching_token(seed: int) -> dict:
    """A one-token hypothesis equal to a one-token reference (possibly beside longer ones)."""
    rng = random.Random(seed)
    word = rng.choice(_VOCAB)
    refs = [[word]] + [_distinct(rng, rng.randint(2, 6)) for _ in range(rng.randint(0, 2))]
    rng.shuffle(refs)
    return _case([word], refs)


def tie_in_reference_length(seed: int) -> dict:
    """Two references d shorter and d longer than the hypothesis (a tie: the shorter counts)."""
    rng = random.Random(seed)

    def make():
        c = rng.randint(6, 12)
        d = rng.randint(1, 3)
        pool = _distinct(rng, c + 10)
        hyp = pool[:c]
        refs = [rng.sample(pool, c - d), rng.sample(pool, c + d)]
        rng.shuffle(refs)
        return hyp, refs

    return _case(*_draw(rng, make, clipping=False, bp_differs=False, max_n=4))


def closest_not_shortest(seed: int) -> dict:
    """A short reference well below the hypothesis length and a closer one above it."""
    rng = random.Random(seed)

    def make():
        c = rng.randint(6, 12)
        pool = _distinct(rng, c + 10)
        hyp = pool[:c]
        short = rng.sample(pool, rng.randint(2, c - 3))
        long = rng.sample(pool, c + rng.randint(1, 2))
        refs = [short, long]
        rng.shuffle(refs)
        return hyp, refs

    return _case(*_draw(rng, make, clipping=False, bp_differs=True, max_n=4))


def longer_than_every_reference(seed: int) -> dict:
    """A hypothesis longer than both references, with a word twice that each reference holds
    at most once."""
    rng = random.Random(seed)

    def make():
        pool = _distinct(rng, 16)
        word = pool[0]
        hyp = pool[1:rng.randint(7, 10)] + [word, word]
        rng.shuffle(hyp)
        refs = []
        for _ in range(2):
            ref = rng.sample(pool[1:], rng.randint(3, len(hyp) - 2)) + [word]
            rng.shuffle(ref)
            refs.append(ref)
        return hyp, refs

    return _case(*_draw(rng, make, clipping=True, bp_differs=False, max_n=4))


def bleu_1(seed: int) -> dict:
    """max_n = 1, one reference, distinct hypothesis tokens, some of them in the reference."""
    rng = random.Random(seed)

    def make():
        pool = _distinct(rng, 14)
        hyp = rng.sample(pool, rng.randint(4, 8))
        ref = rng.sample(pool, rng.randint(4, 9))
        return hyp, [ref]

    return _case(*_draw(rng, make, clipping=False, bp_differs=False, max_n=1), 1)


def bleu_2(seed: int) -> dict:
    """max_n = 2, two references perturbed from one source sentence, and a perturbed hypothesis."""
    rng = random.Random(seed)

    def make():
        source = rng.choice(_SOURCES).split()
        hyp = _perturb(rng, source, 0.3)
        return hyp, [_perturb(rng, source, 0.3) for _ in range(2)]

    return _case(*_draw(rng, make, clipping=False, bp_differs=False, max_n=2), 2)


def case_sensitive(seed: int) -> dict:
    """A lower-case reference and the same sentence with 1-3 tokens capitalised."""
    rng = random.Random(seed)
    ref = rng.choice(_SOURCES).split()
    hyp = list(ref)
    for i in rng.sample(range(len(hyp)), rng.randint(1, 3)):
        hyp[i] = hyp[i].capitalize() if hyp[i] != hyp[i].capitalize() else hyp[i].upper()
    return _case(hyp, [ref])


def empty_reference_among(seed: int) -> dict:
    """References: an empty one and a same-length one that differs in at most one token."""
    rng = random.Random(seed)
    pool = _distinct(rng, 12)
    hyp = pool[:rng.randint(2, 8)]
    ref = list(hyp)
    if rng.random() < 0.5:
        ref[rng.randrange(len(ref))] = pool[-1]
    refs = [[], ref]
    rng.shuffle(refs)
    return _case(hyp, refs)


def realistic(rate: float, seed: int) -> dict:
    rng = random.Random(seed)

    def make():
        source = rng.choice(_SOURCES).split()
        refs = [_perturb(rng, source, 0.35) for _ in range(3)]
        return _perturb(rng, source, rate), refs

    return _case(*_draw(rng, make, clipping=False, bp_differs=False, max_n=4))


def three_references_good(seed: int) -> dict:
    """Three references perturbed (35%) from one source sentence; a hypothesis perturbed 15%."""
    return realistic(0.15, seed)


def three_references_poor(seed: int) -> dict:
    """The same with a hypothesis perturbed 70%."""
    return realistic(0.7, seed)


def _sentence(rng, vocab, length):
    return [vocab[i] for i in rng.integers(0, len(vocab), size=length)]


def long_document(seed: int) -> dict:
    """30,000 tokens against four perturbed, truncated copies (29,000-30,000 tokens); the
    out-of-vocabulary token "w60" occurs 3 times in the hypothesis and once per reference."""
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(60)]
    hypothesis = _sentence(rng, vocab, 30000)
    references = []
    for _ in range(4):
        ref = list(hypothesis)
        # Perturb about a fifth of the positions so the references differ from the hypothesis.
        for pos in rng.integers(0, len(ref), size=6000):
            ref[pos] = vocab[int(rng.integers(0, len(vocab)))]
        ref = ref[: 29000 + int(rng.integers(0, 1001))]
        ref[int(rng.integers(0, len(ref)))] = "w60"
        references.append(ref)
    for pos in rng.choice(len(hypothesis), size=3, replace=False):
        hypothesis[int(pos)] = "w60"
    return {"args": [hypothesis, references], "kwargs": {"max_n": 4}}


def long_repetitive(seed: int) -> dict:
    """20,000 tokens over 5 words against references of 21,000 and 18,000; "the" is more
    frequent in the hypothesis than in either reference."""
    rng = np.random.default_rng(seed + 1)
    vocab = ["the", "a", "model", "token", "of"]
    hypothesis = _sentence(rng, vocab, 20000)
    references = [_sentence(rng, vocab, 21000), _sentence(rng, vocab, 18000)]
    most = max(ref.count("the") for ref in references)
    have = hypothesis.count("the")
    if have <= most:
        others = [i for i, t in enumerate(hypothesis) if t != "the"]
        for i in rng.choice(others, size=most - have + 1, replace=False):
            hypothesis[int(i)] = "the"
    return {"args": [hypothesis, references], "kwargs": {"max_n": 4}}
