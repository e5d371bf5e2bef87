"""Hidden cases for deployment/lru-cache-for-model-outputs, drawn from a seed. Class-style cases:
each generator returns {"init": [capacity], "calls": [[method, *args], ...]}.

Each draws a random trace of one fixed scenario. Whether a get() hit must refresh a key's
recency for the answers to come out right is part of the scenario, for every seed: the small
traces are replayed under true LRU and under "gets do not refresh" (``_replay``) and drawn
again until the two disagree (recency cases) or agree (the others), and the scenario's own
feature is checked the same way (e.g. that an update really changes which key is evicted).
With tens of thousands of entries, an implementation that scans a list on every access is
orders of magnitude slower than O(1).
"""

import random
from collections import OrderedDict

import numpy as np


def _replay(capacity, calls, *, refresh_on_get=True, refresh_on_put=True) -> list:
    data: OrderedDict = OrderedDict()
    hits = misses = 0
    out = []
    for method, *args in calls:
        if method == "get":
            if args[0] in data:
                hits += 1
                if refresh_on_get:
                    data.move_to_end(args[0])
                out.append(data[args[0]])
            else:
                misses += 1
                out.append(None)
        elif method == "put":
            key, value = args
            if capacity == 0:
                out.append(None)
            elif key in data:
                data[key] = value
                if refresh_on_put:
                    data.move_to_end(key)
                out.append(None)
            else:
                evicted = data.popitem(last=False)[0] if len(data) >= capacity else None
                data[key] = value
                out.append(evicted)
        else:
            out.append({"hits": hits, "misses": misses, "size": len(data)})
    return out


def _get_refresh_matters(capacity, calls) -> bool:
    return _replay(capacity, calls) != _replay(capacity, calls, refresh_on_get=False)


def _draw(make, *, get_refresh_matters: bool, also=None) -> dict:
    while True:
        capacity, calls = make()
        if _get_refresh_matters(capacity, calls) == get_refresh_matters and (
                also is None or also(capacity, calls)):
            return {"init": [capacity], "calls": calls}


def _trace(rng: random.Random, keys, n_ops: int, p_get: float) -> list:
    calls = []
    for i in range(n_ops):
        key = rng.choice(keys)
        calls.append(["get", key] if rng.random() < p_get else ["put", key, i * 10 + rng.randint(0, 9)])
    return calls


def eviction_by_recency(seed: int) -> dict:
    """Capacity 2-4; puts and gets over one key more than fits; a get hit changes which key is
    evicted later."""
    rng = random.Random(seed)

    def make():
        cap = rng.randint(2, 4)
        keys = [f"k{i}" for i in rng.sample(range(100), cap + 1)]
        calls = [["put", k, i] for i, k in enumerate(keys[:cap])]
        calls += _trace(rng, keys, rng.randint(5, 9), 0.5) + [["stats"]]
        return cap, calls

    return _draw(make, get_refresh_matters=True)


def update_refreshes(seed: int) -> dict:
    """Capacity 2-4; overwriting a cached key with put makes it most recently used, which
    changes a later eviction; gets never matter for recency here."""
    rng = random.Random(seed)

    def make():
        cap = rng.randint(2, 4)
        keys = [f"m{i}" for i in rng.sample(range(100), cap + 2)]
        calls = [["put", k, i] for i, k in enumerate(keys[:cap])]
        calls.append(["put", keys[rng.randrange(cap)], 100 + rng.randint(0, 99)])
        calls += _trace(rng, keys, rng.randint(4, 8), 0.4) + [["stats"]]
        return cap, calls

    def update_matters(cap, calls):
        return _replay(cap, calls) != _replay(cap, calls, refresh_on_put=False)

    return _draw(make, get_refresh_matters=False, also=update_matters)


def gets_on_empty(seed: int) -> dict:
    """Capacity 1-5, only gets (of 2-5 keys, ints or strings) and stats: all misses."""
    rng = random.Random(seed)
    keys = [rng.choice([str(i), i]) for i in rng.sample(range(1000), rng.randint(2, 5))]
    calls = [["get", rng.choice(keys)] for _ in range(rng.randint(2, 6))] + [["stats"]]
    return {"init": [rng.randint(1, 5)], "calls": calls}


def capacity_one(seed: int) -> dict:
    """Capacity 1: every new key evicts the previous one; updates and gets in between."""
    rng = random.Random(seed)
    keys = [f"c{i}" for i in rng.sample(range(100), 3)]
    calls = [["put", keys[0], 1]] + _trace(rng, keys, rng.randint(5, 9), 0.5) + [["stats"]]
    return {"init": [1], "calls": calls}


def capacity_zero(seed: int) -> dict:
    """Capacity 0: puts return None, every get misses, the size stays 0."""
    rng = random.Random(seed)
    keys = rng.sample(range(100), 3)
    calls = _trace(rng, keys, rng.randint(4, 8), 0.5)
    calls.insert(0, ["put", keys[0], "x"])
    return {"init": [0], "calls": calls + [["stats"]]}


def int_and_str_keys(seed: int) -> dict:
    """Keys 3 and "3" (and the like) side by side, capacity large enough that nothing is evicted."""
    rng = random.Random(seed)
    numbers = rng.sample(range(100), rng.randint(1, 2))
    keys = [k for n in numbers for k in (n, str(n))]
    calls = [["put", k, f"{type(k).__name__}-{i}"] for i, k in enumerate(rng.sample(keys, len(keys)))]
    calls += [["get", rng.choice(keys)] for _ in range(rng.randint(2, 5))] + [["stats"]]
    return {"init": [len(keys) + rng.randint(0, 2)], "calls": calls}


def values_as_stored(seed: int) -> dict:
    """Model outputs of several shapes (probability lists, dicts, strings, None, nested), no
    eviction: every get returns exactly what was stored."""
    rng = random.Random(seed)
    values = [
        [round(rng.random(), 3) for _ in range(3)],
        {"label": rng.choice(["spam", "ham", "promo"]), "score": round(rng.random(), 4)},
        f"answer-{rng.randint(0, 999)}",
        None,
        {"top": [[rng.randint(0, 9), round(rng.random(), 2)] for _ in range(2)], "ok": True},
    ]
    rng.shuffle(values)
    keys = [f"prompt-{i}" for i in rng.sample(range(1000), len(values))]
    calls = [["put", k, v] for k, v in zip(keys, values)]
    calls += [["get", k] for k in rng.sample(keys, len(keys))] + [["stats"]]
    return {"init": [len(keys) + rng.randint(0, 3)], "calls": calls}


def miss_does_not_insert(seed: int) -> dict:
    """Capacity 2-3; gets of keys never put (misses) between puts; a later eviction shows the
    missed keys took no room."""
    rng = random.Random(seed)

    def make():
        cap = rng.randint(2, 3)
        keys = [f"a{i}" for i in rng.sample(range(100), cap + 1)]
        ghosts = [f"z{i}" for i in rng.sample(range(100), 2)]
        calls = []
        for k in keys:
            calls.append(["put", k, rng.randint(0, 99)])
            calls.append(["get", rng.choice(ghosts)])
        calls += [["get", k] for k in keys] + [["stats"]]
        return cap, calls

    return _draw(make, get_refresh_matters=False)


def evicted_comes_back(seed: int) -> dict:
    """Capacity 2-3; a key is evicted, misses, is put again and hits."""
    rng = random.Random(seed)

    def make():
        cap = rng.randint(2, 3)
        keys = [f"e{i}" for i in rng.sample(range(100), cap + 1)]
        calls = [["put", k, i] for i, k in enumerate(keys)]
        calls += [["get", keys[0]], ["put", keys[0], 1000 + rng.randint(0, 99)], ["get", keys[0]]]
        calls += [["get", k] for k in keys[1:]] + [["stats"]]
        return cap, calls

    return _draw(make, get_refresh_matters=False)


def stats_over_long_sequence(seed: int) -> dict:
    """Capacity 3; 15-25 puts and gets over 5 keys with stats in between; gets do not change
    any eviction here."""
    rng = random.Random(seed)

    def make():
        keys = [f"q{i}" for i in rng.sample(range(100), 5)]
        calls = _trace(rng, keys, rng.randint(15, 25), 0.55)
        for _ in range(2):
            calls.insert(rng.randint(5, len(calls)), ["stats"])
        return 3, calls + [["stats"]]

    return _draw(make, get_refresh_matters=False)


def repeated_hits(seed: int) -> dict:
    """Capacity 2-3; the same key is read 2-4 times in a row, and that decides a later
    eviction."""
    rng = random.Random(seed)

    def make():
        cap = rng.randint(2, 3)
        keys = [f"r{i}" for i in rng.sample(range(100), cap + 1)]
        calls = [["put", k, i] for i, k in enumerate(keys[:cap])]
        hot = keys[rng.randrange(cap)]
        calls += [["get", hot]] * rng.randint(2, 4)
        calls += [["put", keys[cap], 99]] + [["get", k] for k in keys] + [["stats"]]
        return cap, calls

    return _draw(make, get_refresh_matters=True)


def _zipf_keys(rng, n_ops, n_keys):
    # Skewed traffic, like repeated prompts: a few keys are very hot, most are rare (about
    # 30,000 distinct keys are put, so a cache of 10,000 evicts some 20,000 times).
    ranks = rng.zipf(1.1, size=n_ops)
    return [f"prompt-{int(r) % n_keys}" for r in ranks]


def serving_trace(seed: int) -> dict:
    """A read-through cache in front of a model: get, then put (a put refreshes the key too)."""
    rng = np.random.default_rng(seed)
    capacity = 20_000
    calls = []
    keys = [int(k) for k in rng.integers(0, 40_000, size=100_000)]
    for i, k in enumerate(keys):
        calls.append(["get", k])
        calls.append(["put", k, i])
    calls.append(["stats"])
    return {"init": [capacity], "calls": calls}


def skewed_trace(seed: int) -> dict:
    """Zipf traffic, one put for two gets; checked to contain evictions that depend on gets."""
    rng = np.random.default_rng(seed + 1)
    capacity = 10_000
    while True:
        keys = _zipf_keys(rng, 200_000, 1_000_000)
        calls = []
        for i, k in enumerate(keys):
            if i % 3 == 0:
                calls.append(["put", k, [i, i % 7]])
            else:
                calls.append(["get", k])
        calls.append(["stats"])
        if _get_refresh_matters(capacity, calls):
            return {"init": [capacity], "calls": calls}
