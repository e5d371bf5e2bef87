"""The worker script of the code kind. It runs INSIDE the sandbox, under the session relay
(``hireloop.sandbox.session``), as ``/harness/harness.py``: it loads the candidate's module,
says it is ready, then answers one request per case: it calls the candidate's function (or
class) on the inputs the host sent and replies with what came back. Stdlib, numpy and the
sandbox's ``wire`` module only; this file is read as text and mounted read-only.

It never sees an expected output, a checker, a generator or another case's input, and nothing
it replies is trusted: the host times each case from outside (the sandbox's cgroup and its own
clock), decodes the reply with size and shape checks, and compares with its own copy of
the inputs. Code under test runs in this process, so it could change what this script
replies; that gains it nothing a function could not return anyway.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import traceback
from typing import Any

import wire  # /.hireloop/wire.py in the sandbox

MAX_TRACE_LINES = 12


def trimmed_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(
        "solution.py")]
    lines = [f'  line {f.lineno}, in {f.name}: {(f.line or "").strip()}' for f in frames]
    lines = lines[-MAX_TRACE_LINES:]
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return "\n".join([*lines, last])


def build_args(case: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    args = list(case.get("args") or [])
    if case.get("as_array"):
        import numpy as np

        for i in case["as_array"]:
            if i < len(args):
                args[i] = np.asarray(args[i], dtype=float)
    return args, dict(case.get("kwargs") or {})


def run_case(module: Any, job: dict[str, Any], case: dict[str, Any]) -> Any:
    target = getattr(module, job["entry"])
    if job["style"] == "class":
        obj = target(*(case.get("init") or []))
        return [getattr(obj, call[0])(*call[1:]) for call in case.get("calls") or []]
    args, kwargs = build_args(case)
    return target(*args, **kwargs)


def _load(name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def answer(module: Any, job: dict[str, Any], case: dict[str, Any]) -> Any:
    """The reply to one case: what the code returned, or how it failed."""
    try:
        value = run_case(module, job, case)
    except MemoryError:
        return wire.encode({"status": "memory"})
    except BaseException as exc:  # the candidate's failure, whatever it raised
        error = trimmed_traceback(exc)
        if isinstance(exc, RecursionError):
            error = error.splitlines()[-1]
        return wire.encode({"status": "error", "error": error,
                            "raised": [c.__name__ for c in type(exc).__mro__]})
    try:
        return wire.encode({"status": "ok", "output": value})
    except (TypeError, ValueError, RecursionError) as exc:
        return wire.encode({"status": "error", "error": f"the result: {exc}"})


def main() -> None:
    channel = wire.Channel.open()
    job = json.loads(sys.argv[3])
    try:
        module = _load("solution", os.path.abspath("solution.py"))
    except BaseException as exc:
        channel.reply(wire.encode({"status": "import_error", "error": trimmed_traceback(exc)}))
        return
    if not hasattr(module, job["entry"]):
        channel.reply(wire.encode({"status": "import_error",
                                   "error": f"your code does not define `{job['entry']}`"}))
        return
    channel.reply(wire.encode({"status": "ready"}))
    while True:
        try:
            request = channel.receive()
        except EOFError:
            return
        channel.reply(answer(module, job, wire.decode(request)))


if __name__ == "__main__":
    main()
