"""Large inputs for sentence-bleu: long token sequences (an O(len^2) n-gram matcher is too slow)."""

import numpy as np


def _sentence(rng, vocab, length):
    return [vocab[i] for i in rng.integers(0, len(vocab), size=length)]


def long_document(seed: int) -> dict:
    rng = np.random.default_rng(seed)
    vocab = [f"w{i}" for i in range(60)]
    hypothesis = _sentence(rng, vocab, 30000)
    references = []
    for _ in range(4):
        ref = list(hypothesis)
        # Perturb about a fifth of the positions so the references differ from the hypothesis.
        for pos in rng.integers(0, len(ref), size=6000):
            ref[pos] = vocab[int(rng.integers(0, len(vocab)))]
        references.append(ref[: 29000 + int(rng.integers(0, 2000))])
    return {"args": [hypothesis, references], "kwargs": {"max_n": 4}}


def long_repetitive(seed: int) -> dict:
    rng = np.random.default_rng(seed + 1)
    vocab = ["the", "a", "model", "token", "of"]
    hypothesis = _sentence(rng, vocab, 20000)
    references = [_sentence(rng, vocab, 21000), _sentence(rng, vocab, 18000)]
    return {"args": [hypothesis, references], "kwargs": {"max_n": 4}}
