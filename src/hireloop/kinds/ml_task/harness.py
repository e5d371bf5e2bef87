"""The worker script of the ml_task kind. It runs INSIDE the sandbox, under the session relay
(``hireloop.sandbox.session``), as ``/harness/ml_harness.py``: it imports the candidate's
project and answers the host's requests one at a time. Stdlib, numpy, pandas and the
sandbox's ``wire`` module only; this file is read as text and mounted read-only.

Phases (the host starts a fresh worker, often in a fresh sandbox, for each):

- ``fit``: training data in /data (public files only). ``fit`` trains and replies with the
  pickled model; ``build`` + ``search`` (retrieve) index /data's documents and answer the
  queries the host sends; ``detect`` finds changes in a stream the host sends.
- ``predict``: the project and ``model.pkl`` read-only, no data at all: ``predict`` answers
  for one table the host sends (the holdout, or the holdout with one column permuted).
- ``serve``: the same, one row per request, as a server would be called.

Nothing secret is in this process or near it: holdout labels stay on the host, which scores
the outputs; CPU, memory and latency are measured by the host from outside; each table is
predicted by a worker that has seen no other. The candidate's code runs in this process, so
it could change what this script replies: that changes only its own outputs.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import pickle
import sys
import traceback
from typing import Any

import wire  # /.hireloop/wire.py in the sandbox

MAX_MODEL_MB = 256


def _load(ref: str) -> Any:
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


def plain(value: Any) -> Any:
    """Outputs as plain data: arrays and frames become lists (a probability column for a
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


def _table(data: bytes) -> Any:
    import pandas as pd

    return pd.read_csv(io.BytesIO(data))


def _row(spec: dict[str, Any]) -> Any:
    import pandas as pd

    return pd.DataFrame([spec["values"]], columns=spec["columns"])


def _jsonl(path: str) -> list[Any]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


class Worker:
    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.fns = job["functions"]
        self.model: Any = None
        self.index: Any = None
        phase = job["phase"]
        if job["protocol"] == "predict":
            if phase == "fit":
                self.fit = _load(self.fns["fit"])
                self.predict = _load(self.fns["predict"])
            else:
                self.predict = _load(self.fns["predict"])
                with open(job["model"], "rb") as handle:
                    self.model = pickle.load(handle)  # noqa: S301 - the candidate's own model
        elif job["protocol"] == "retrieve":
            self.build, self.search = _load(self.fns["build"]), _load(self.fns["search"])
        else:
            self.detect = _load(self.fns["detect"])

    def handle(self, request: dict[str, Any]) -> Any:
        op = request["op"]
        if op == "fit":
            import pandas as pd

            train = pd.read_csv(os.path.join("/data", self.job.get("train", "train.csv")))
            model = self.fit(train.copy())
            data = pickle.dumps(model)
            if len(data) > MAX_MODEL_MB << 20:
                raise ValueError(f"the pickled model is larger than {MAX_MODEL_MB} MB")
            return {"model": data}
        if op == "predict":
            return plain(self.predict(self.model, _table(request["table"])))
        if op == "row":
            return plain(self.predict(self.model, _row(request)))
        if op == "build":
            docs = _jsonl("/data/docs.jsonl")
            self.index = self.build([d["text"] for d in docs])
            return len(docs)
        if op == "search":
            return [[int(i) for i in list(self.search(self.index, q, 5))[:5]]
                    for q in request["queries"]]
        if op == "detect":
            return sorted({int(i) for i in self.detect(_table(request["table"]))})
        raise ValueError(f"unknown request {op!r}")


def _failure(exc: BaseException) -> Any:
    lines = traceback.format_exception(type(exc), exc, exc.__traceback__)
    text = "".join(lines[-6:])[-3000:]
    if isinstance(exc, MemoryError):
        return wire.encode({"status": "memory", "error": text})
    return wire.encode({"status": "error", "error": text})


def main() -> None:
    # onnxruntime (1.32) starts a telemetry upload a few seconds in, and the sandbox stops a
    # program that opens a socket: a candidate using onnxruntime directly must not pay for it
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    channel = wire.Channel.open()
    job = json.loads(sys.argv[3])
    sys.path.insert(0, os.getcwd())
    try:
        worker = Worker(job)
    except BaseException as exc:  # the project's failure to load
        channel.reply(_failure(exc))
        return
    channel.reply(wire.encode({"status": "ready"}))
    while True:
        try:
            request = wire.decode(channel.receive(), max_json=1 << 30)
        except EOFError:
            return
        try:
            output = worker.handle(request)
            reply = wire.encode({"status": "ok", "output": output})
        except BaseException as exc:  # the project's failure, reported, not ours
            reply = _failure(exc)
        channel.reply(reply)


if __name__ == "__main__":
    main()
