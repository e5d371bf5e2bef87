"""The trusted harness that runs inside the sandbox: it calls the candidate's code on each
case's inputs and writes what the code produced. It never sees expected outputs: the host
compares. Stdlib and numpy only; this file is read as text and mounted read-only.

Protocol: ``job.json`` in the work dir ({"entry", "style", "cases": [...]}) in; one JSON line
per finished case appended to ``results.jsonl`` out (flushed, so a run that is killed keeps
the cases it finished).
"""

import base64
import importlib.util
import json
import os
import signal
import sys
import time
import traceback
from typing import Any

MAX_TRACE_LINES = 12
ARRAY_INLINE = 2048


class CaseTimeout(BaseException):
    pass


def _alarm(signum: int, frame: object) -> None:
    del signum, frame
    raise CaseTimeout()


def to_json(value: Any, depth: int = 0) -> Any:
    """Plain JSON-ready data: numpy arrays and scalars, tuples and sets become lists."""
    if depth > 50:
        raise TypeError("nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    np: Any
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is always there in our sandbox
        np = None
    if np is not None:
        if isinstance(value, np.ndarray):
            if value.size > ARRAY_INLINE and value.dtype.kind in "biuf":
                # Large numeric arrays travel as raw bytes, not as megabytes of JSON text.
                data = np.ascontiguousarray(value, dtype=value.dtype.newbyteorder("<"))
                return {"__ndarray__": base64.b64encode(data.tobytes()).decode("ascii"),
                        "dtype": data.dtype.str, "shape": list(value.shape)}
            return to_json(value.tolist(), depth + 1)
        if isinstance(value, np.generic):
            return to_json(value.item(), depth + 1)
    if isinstance(value, list | tuple):
        return [to_json(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [to_json(v, depth + 1) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dict):
        return {str(k): to_json(v, depth + 1) for k, v in value.items()}
    raise TypeError(f"returned a {type(value).__name__}, which cannot be compared")


def trimmed_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(
        "solution.py")]
    lines = [f'  line {f.lineno}, in {f.name}: {(f.line or "").strip()}' for f in frames]
    lines = lines[-MAX_TRACE_LINES:]
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return "\n".join([*lines, last])


def build_args(
    case: dict[str, Any], generators: Any,
) -> tuple[dict[str, Any], list[Any], dict[str, Any]]:
    if case.get("generator"):
        made = getattr(generators, case["generator"])(case.get("seed", 0))
        case = {**case, **made}
    args = list(case.get("args") or [])
    if case.get("as_array"):
        import numpy as np
        for i in case["as_array"]:
            if i < len(args):
                args[i] = np.asarray(args[i], dtype=float)
    return case, args, dict(case.get("kwargs") or {})


def run_case(
    module: Any, job: dict[str, Any], case: dict[str, Any], generators: Any,
) -> tuple[Any, dict[str, Any]]:
    case, args, kwargs = build_args(case, generators)
    target = getattr(module, job["entry"])
    if job["style"] == "class":
        obj = target(*(case.get("init") or []))
        return [getattr(obj, call[0])(*call[1:]) for call in case.get("calls") or []], case
    return target(*args, **kwargs), case


def _load(name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    with open("job.json", encoding="utf-8") as handle:
        job = json.load(handle)
    out = open("results.jsonl", "a", encoding="utf-8")  # noqa: SIM115 - open for the whole run

    def emit(record: dict[str, Any]) -> None:
        out.write(json.dumps(record, allow_nan=True) + "\n")
        out.flush()

    generators = None
    if os.path.exists("/harness/generators.py"):
        generators = _load("generators", "/harness/generators.py")

    # The candidate's code runs as the module "solution"; its prints go nowhere we read.
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the rest of the run
    try:
        module = _load("solution", os.path.abspath("solution.py"))
    except BaseException as exc:
        emit({"index": -1, "status": "import_error", "error": trimmed_traceback(exc)})
        return
    if not hasattr(module, job["entry"]):
        emit({"index": -1, "status": "import_error",
              "error": f"your code does not define `{job['entry']}`"})
        return

    signal.signal(signal.SIGALRM, _alarm)
    for case in job["cases"]:
        record: dict[str, Any] = {"index": case["index"]}
        start = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, case["timeout_s"])
        try:
            value, full_case = run_case(module, job, case, generators)
            signal.setitimer(signal.ITIMER_REAL, 0)
            record["seconds"] = time.perf_counter() - start
            record["status"] = "ok"
            record["output"] = to_json(value)
            if case.get("want_args"):
                record["args"] = to_json(full_case.get("args"))
        except CaseTimeout:
            record["status"] = "timeout"
            record["seconds"] = time.perf_counter() - start
        except MemoryError:
            signal.setitimer(signal.ITIMER_REAL, 0)
            record["status"] = "memory"
        except RecursionError as exc:
            signal.setitimer(signal.ITIMER_REAL, 0)
            record["status"] = "error"
            record["error"] = trimmed_traceback(exc).splitlines()[-1]
            record["raised"] = [c.__name__ for c in type(exc).__mro__]
        except BaseException as exc:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if isinstance(exc, TypeError) and "cannot be compared" in str(exc):
                record["status"] = "error"
                record["error"] = str(exc)
            else:
                record["status"] = "error"
                record["error"] = trimmed_traceback(exc)
                record["raised"] = [c.__name__ for c in type(exc).__mro__]
        try:
            emit(record)
        except (ValueError, TypeError) as exc:
            emit({"index": case["index"], "status": "error", "error": f"output: {exc}"})


if __name__ == "__main__":
    main()
