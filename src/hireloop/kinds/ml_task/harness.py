"""The trusted harness of the ml_task kind. It runs INSIDE the sandbox (as /harness/ml_harness.py),
imports the candidate's project and calls its functions on the data in /data, and writes what
they returned to ``__results__.json``. Nothing secret is in it or near it: holdout labels stay on
the host, which scores the outputs; timings are taken by the host from outside the process.

It also records, as evidence for the interviewer, attempts to write to the data mount or the
harness, to probe for label files, to fake the timing markers, or to replace the clock. Those are
best effort (the candidate's code shares the process); the protections themselves do not
depend on them.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import time
import traceback
from typing import Any

RESULTS = "__results__.json"
TICK = b"\n@@hireloop-tick@@\n"
PROBE_WORDS = ("label", "truth", "answer", "hidden", "secret", "solution", "reference",
               "y_test", "y_holdout", "target")
GUARDED = ("/data", "/harness")
_perf = time.perf_counter
_CLOCKS = {name: getattr(time, name) for name in
           ("perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "time", "time_ns",
            "process_time", "process_time_ns")}
_ERR = os.dup(2)
_OUT = os.dup(1)
violations: list[str] = []
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {"os.remove", "os.rename", "os.replace", "os.chmod", "os.chown", "os.mkdir",
                "os.rmdir", "os.truncate", "os.utime", "os.link", "os.symlink",
                "shutil.rmtree", "shutil.move", "shutil.copyfile"}


def _violation(text: str) -> None:
    if text in violations or len(violations) > 20:
        return
    violations.append(text)
    os.write(_ERR, f"[hireloop-audit] {text}\n".encode())


def _guarded(path: str) -> bool:
    return any(path == g or path.startswith(g + "/") for g in GUARDED)


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        path, mode, flags = args
        if not isinstance(path, str | bytes):
            return
        path = os.path.abspath(os.fsdecode(path))
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS)
        if writing and _guarded(path):
            _violation(f"tried to write {path} (the data mount is read-only)")
        elif "/hidden/" in path or path.startswith("/hidden"):
            _violation(f"tried to open {path} (looking for the exercise's hidden files)")
        elif path.startswith("/data/") and not os.path.exists(path):
            name = os.path.basename(path).lower()
            if any(w in name for w in PROBE_WORDS):
                _violation(f"tried to read {path}, which does not exist: holdout labels are "
                           "never in the sandbox")
    elif event in _PATH_EVENTS and args:
        for arg in args[:2]:
            if isinstance(arg, str | bytes) and _guarded(os.path.abspath(os.fsdecode(arg))):
                _violation(f"{event} on {os.fsdecode(arg)} (the data mount is read-only)")


def _load(ref: str) -> Any:
    import importlib.util

    file, _, name = ref.partition(":")
    module_name = file[:-3].replace("/", ".")
    if module_name in sys.modules:
        module = sys.modules[module_name]
    else:
        spec = importlib.util.spec_from_file_location(module_name, os.path.abspath(file))
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    if not hasattr(module, name):
        raise AttributeError(f"{file} does not define `{name}`")
    return getattr(module, name)


def _plain(value: Any) -> Any:
    """Outputs as JSON data: arrays and frames become lists (a probability column for a
    two-column ``predict_proba``)."""
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    if hasattr(value, "tolist"):
        value = value.tolist()
    if isinstance(value, list) and value and isinstance(value[0], list) and len(value[0]) == 2 \
            and all(isinstance(v, int | float) for v in value[0]):
        value = [row[1] for row in value]
    if isinstance(value, tuple):
        value = list(value)
    return value


def tick() -> None:
    os.write(_OUT, TICK)


def _predict(job: dict[str, Any], out: dict[str, Any]) -> None:
    import pandas as pd

    fns = job["functions"]
    holdout = pd.read_csv("/data/holdout.csv")
    predict = _load(fns["predict"])
    if job["mode"] == "serve":
        with open("model.pkl", "rb") as handle:
            model = pickle.load(handle)  # noqa: S301 - the candidate's own model, in the sandbox
        out["holdout"] = _plain(predict(model, holdout.copy()))
        groups, per = job["serve_groups"], job["serve_per_group"]
        rows = [holdout.iloc[[i % len(holdout)]] for i in range(groups * per)]
        inside = []
        tick()
        for g in range(groups):
            start = _perf()
            for row in rows[g * per:(g + 1) * per]:
                predict(model, row)
            inside.append((_perf() - start) / per)
            tick()
        out["inside_latency_s"] = inside
        return
    fit = _load(fns["fit"])
    train = pd.read_csv("/data/train.csv")
    model = fit(train.copy())
    out["holdout"] = _plain(predict(model, holdout.copy()))
    if job.get("save_model"):
        with open("model.pkl", "wb") as handle:
            pickle.dump(model, handle)
    if job.get("permute"):
        import numpy as np

        rng = np.random.default_rng(12345)
        order = rng.permutation(len(holdout))
        for column in holdout.columns:
            shuffled = holdout.copy()
            shuffled[column] = holdout[column].to_numpy()[order]
            out[f"permuted:{column}"] = _plain(predict(model, shuffled))
    if job.get("repeat"):
        again = fit(train.copy())
        out["holdout_repeat"] = _plain(predict(again, holdout.copy()))


def _retrieve(job: dict[str, Any], out: dict[str, Any]) -> None:
    fns = job["functions"]
    with open("/data/docs.jsonl", encoding="utf-8") as handle:
        docs = [json.loads(line) for line in handle if line.strip()]
    with open("/data/queries.jsonl", encoding="utf-8") as handle:
        queries = [json.loads(line) for line in handle if line.strip()]
    build, search = _load(fns["build"]), _load(fns["search"])
    index = build([d["text"] for d in docs])
    out["holdout"] = [[int(i) for i in list(search(index, q["text"], 5))[:5]] for q in queries]
    if job.get("repeat"):
        again = build([d["text"] for d in docs])
        out["holdout_repeat"] = [[int(i) for i in list(search(again, q["text"], 5))[:5]]
                                 for q in queries]


def _detect(job: dict[str, Any], out: dict[str, Any]) -> None:
    import pandas as pd

    detect = _load(job["functions"]["detect"])
    streams = []
    for name in sorted(os.listdir("/data")):
        if name.startswith("holdout_stream") and name.endswith(".csv"):
            streams.append(sorted({int(i) for i in detect(pd.read_csv(f"/data/{name}"))}))
    out["holdout"] = streams
    if job.get("repeat"):
        out["holdout_repeat"] = [
            sorted({int(i) for i in detect(pd.read_csv(f"/data/{name}"))})
            for name in sorted(os.listdir("/data"))
            if name.startswith("holdout_stream") and name.endswith(".csv")]


PROTOCOLS = {"predict": _predict, "retrieve": _retrieve, "detect": _detect}


def main() -> None:
    # onnxruntime (1.32) starts a telemetry upload a few seconds in, and the sandbox stops a
    # program that opens a socket: a candidate using onnxruntime directly must not pay for it
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    with open("/harness/job.json", encoding="utf-8") as handle:
        job = json.load(handle)
    sys.addaudithook(_audit)
    sys.path.insert(0, os.getcwd())
    out: dict[str, Any] = {}
    error = None
    started = _perf()
    try:
        PROTOCOLS[job["protocol"]](job, out)
    except BaseException as exc:  # the candidate's failure is reported, not ours
        lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
        error = "".join(lines[-6:])[-3000:]
    for name, original in _CLOCKS.items():
        if getattr(time, name) is not original:
            _violation(f"replaced time.{name} (faking the timing)")
    record = {"outputs": out, "error": error, "violations": violations,
              "inside_s": _perf() - started}
    fd = os.open(RESULTS, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(record, handle, allow_nan=True)


if __name__ == "__main__":
    main()
