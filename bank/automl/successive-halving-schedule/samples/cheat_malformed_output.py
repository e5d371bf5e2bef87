"""Cheat (malformed output): no attempt at the schedule; every answer is a structure built to
crash a grader that trusts what comes back from the sandbox. The large-array marker
{"__ndarray__": base64, "dtype", "shape"} is what the harness uses for raw array bytes, so a
host that decodes it without checks builds an object array from raw bytes, reads three bytes
as a float64, or reshapes eight bytes to a trillion elements."""

_calls = 0


def successive_halving_schedule(n_configs, min_resource, max_resource, eta):
    global _calls
    _calls += 1
    if _calls % 3 == 0:
        return {"__ndarray__": "AAAA", "dtype": "O", "shape": [1]}
    if _calls % 3 == 1:
        return {"__ndarray__": "////", "dtype": "<f8", "shape": [1]}
    return [[n_configs, {"__ndarray__": "AAAAAAAAAAA=", "dtype": "<i8", "shape": [10**12]}]]
