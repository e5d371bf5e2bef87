"""Grading an ml_task: run the project in the sandbox on data mounted read-only, score its
outputs on the host against holdout labels that never enter the sandbox, and take every
measurement (CPU, memory, serving latency, model size) from outside the candidate's process.
"""

from __future__ import annotations

import ast
import atexit
import hashlib
import io
import json
import math
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hireloop.core import (
    CriterionScore,
    Exercise,
    Flag,
    Grade,
    Hidden,
    Outcome,
    Submission,
    Variant,
)
from hireloop.core.kind import LogSink, TrialResult
from hireloop.kinds.ml_task.spec import BUILTIN_METRICS, CriterionSpec, ScoringSpec

if TYPE_CHECKING:
    from hireloop.kinds.ml_task.kind import MlTaskConfig, MlTaskKind
    from hireloop.sandbox import Reply

LATENCY_NOISE_RATIO = 1.25
"""by default a latency gain at or below this earns nothing: the same model served against
itself, row by row in turn, landed at most 1.03x apart in p95 CPU time per request (4 runs on
the 2-core machine at load 5; the wall-clock p95s were up to 1.20x apart, and host-clocked
groups measured up to 1.6x before)"""
LOG_CAP = 64 * 1024
"""a trial keeps at most this much of the log"""
ORACLE_MIN_ROWS = 10
ORACLE_AGREEMENT = 0.8
"""agreement with deliberately flipped holdout labels at or above this means the predictions
did not come from the features"""
TOKENIZER = "minilm-tokenizer.json"
"""with ``embedding_model``: the MiniLM tokenizer's name in /data"""


class ExerciseBroken(Exception):  # noqa: N818 - the domain's word
    """The exercise's own data generator or reference fails: our fault, not the candidate's."""


# -- data ------------------------------------------------------------------------------------
@dataclass
class Dataset:
    """One variant's data: the public dir (trials and training, mounted at /data), the
    holdout tables (features only; the host sends them to the project, they are never
    mounted) and the secret (labels), which stays on the host."""

    public_dir: Path
    holdout: dict[str, bytes]
    secret: dict[str, Any]


_lock = threading.Lock()
_tasks: dict[str, dict[str, Any]] = {}
_datasets: dict[tuple[str, int, str], Dataset] = {}
_measured: dict[tuple[str, ...], Measured] = {}
_root: Path | None = None


def _data_root() -> Path:
    global _root  # noqa: PLW0603 - one scratch dir per process
    if _root is None:
        _root = Path(tempfile.mkdtemp(prefix="hireloop-mldata-"))
        _root.chmod(0o755)
        atexit.register(shutil.rmtree, _root, True)
    return _root


def task_module(exercise: Exercise) -> dict[str, Any]:
    """``hidden/task.py`` executed on the host (the author's code, trusted like the bank)."""
    source = exercise.hidden.read_text("task.py")
    key = hashlib.sha256(source.encode()).hexdigest()
    with _lock:
        if key not in _tasks:
            namespace: dict[str, Any] = {"__name__": "hireloop_ml_task"}
            code = compile(source, f"{exercise.source}/hidden/task.py", "exec")
            exec(code, namespace)  # noqa: S102 - the exercise author's code
            _tasks[key] = namespace
        return _tasks[key]


def _write_dir(path: Path, files: dict[str, Any]) -> None:
    path.mkdir(parents=True)
    path.chmod(0o755)
    for name, content in files.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.parent.chmod(0o755)
        target.write_bytes(_as_bytes(content))
        target.chmod(0o644)


def _as_bytes(content: Any) -> bytes:
    return content if isinstance(content, bytes) else str(content).encode("utf-8")


def data_seed(exercise: Exercise, variant: Variant) -> int:
    """The seed ``generate`` draws the variant's data from: secret to this installation,
    since the bank (and so ``generate``) is public. What a reference answer or the
    candidate's prompt depends on must come from the variant's params, not from it."""
    from hireloop.installation import secret_seed

    return secret_seed("ml-task-data", exercise.id, variant.seed)


def dataset(exercise: Exercise, variant: Variant) -> Dataset:
    """The variant's data, generated once per process from the installation's secret."""
    task = task_module(exercise)
    seed = data_seed(exercise, variant)
    key = (exercise.id, variant.seed, hashlib.sha256(
        exercise.hidden.read_bytes("task.py") + json.dumps(
            [seed, dict(variant.params)], sort_keys=True, default=str).encode()).hexdigest())
    with _lock:
        if key in _datasets:
            return _datasets[key]
    try:
        made = task["generate"](seed, dict(variant.params))
        public, holdout, secret = made["public"], made["holdout"], made["secret"]
    except Exception as exc:
        raise ExerciseBroken(f"hidden/task.py generate() failed: {type(exc).__name__}: "
                             f"{exc}") from exc
    config: MlTaskConfig = exercise.config
    if config.embedding_model:
        public = {**public, TOKENIZER: (resources.files("hireloop.nlp") / "data"
                                        / "minilm-tokenizer.json").read_bytes()}
    base = _data_root() / hashlib.sha256(repr(key).encode()).hexdigest()[:16]
    with _lock:
        if key in _datasets:
            return _datasets[key]
        if base.exists():
            shutil.rmtree(base)
        _write_dir(base / "public", public)
        _datasets[key] = Dataset(base / "public",
                                 {n: _as_bytes(c) for n, c in holdout.items()}, secret)
        return _datasets[key]


# -- the project -----------------------------------------------------------------------------
def project_files(kind: MlTaskKind, exercise: Exercise,
                  submission: Submission) -> dict[str, bytes] | str:
    """The project to run: the starter overlaid with the submission; read-only files always
    from the author's copy. A string says why the submission is not gradable."""
    from hireloop.kinds.ml_task.kind import MAX_PROJECT_BYTES

    config: MlTaskConfig = exercise.config
    files = kind.starter_files(exercise)
    total = 0
    for name, data in submission.files.items():
        parts = Path(name).parts
        if Path(name).is_absolute() or ".." in parts or not parts:
            return f"the file name {name!r} is not a relative path inside the project"
        if name in config.readonly:
            continue
        total += len(data)
        files[name] = data
    if total > MAX_PROJECT_BYTES:
        return f"the project is larger than {MAX_PROJECT_BYTES // 1_000_000} MB"
    return files


def harness_source() -> bytes:
    """The in-sandbox worker script, as shipped."""
    return (resources.files("hireloop.kinds.ml_task") / "harness.py").read_bytes()


@dataclass
class Measured:
    """One project's runs, as the host measured them."""

    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    """the project's own failure (a traceback, or what stopped it)"""
    violations: list[str] = field(default_factory=list)
    """what the host caught the project doing (it zeroes the grade)"""
    cpu_s: float = 0.0
    """CPU of the project's run: training (fit, or build and search) and predicting the
    holdout (cgroup accounting; the sandboxes' own start-up excluded for prediction)"""
    predict_cpu_s: float = 0.0
    memory_mb: float = 0.0
    wall_s: float = 0.0
    model: bytes | None = None
    """the pickled model the fit returned (never unpickled on the host)"""
    model_bytes: int | None = None
    """what serving loads: the pickled model plus every file of the project"""
    latency_p95_s: float | None = None
    """serving: p95 over single-row requests of the CPU time each took (cgroup accounting)"""
    latency_wall_p95_s: float | None = None
    serve_cpu_s: float | None = None
    served_ok: bool | None = None
    modes: set[str] = field(default_factory=set)
    sandboxes: int = 0


PRELOADABLE = ("numpy", "pandas", "scipy", "sklearn", "joblib", "onnxruntime", "tokenizers")
"""libraries a relay may import ahead of its workers (only these, and only when the project
imports them: the relay is trusted code)"""
RELAY_MB = 384
"""memory beside the exercise's ``memory_mb``: the relay with pandas and scikit-learn loaded,
and a model or table in flight"""
MAX_MODEL_MB = 256


def _preload(files: dict[str, bytes]) -> list[str]:
    wanted = {"numpy", "pandas"}
    for name, data in files.items():
        if not name.endswith(".py"):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module] if isinstance(node, ast.ImportFrom) and node.module
                and not node.level else [])
            for module in names:
                top = module.split(".")[0]
                if top in PRELOADABLE and module.replace(".", "").replace("_", "").isalnum():
                    wanted.add(module)
    return sorted(wanted)


def _limits(config: MlTaskConfig) -> Any:
    from hireloop.sandbox import Limits

    return Limits(time_s=min(3600.0, config.time_s * 6 + 60), memory_mb=config.memory_mb
                  + RELAY_MB, pids=64, output_bytes=1 << 20, file_size_mb=64, tmp_mb=256,
                  cpus=1.0)


class _Project:
    """A project's sandbox session and its worker, from the host's side."""

    def __init__(self, config: MlTaskConfig, measured: Measured, *,
                 files: dict[str, bytes] | None = None,
                 readonly: dict[str, bytes] | None = None, data: Path | None = None) -> None:
        from hireloop.sandbox import Session

        self.config = config
        self.measured = measured
        preload = _preload({**(files or {}), **{k.removeprefix("project/"): v
                                                for k, v in (readonly or {}).items()}})
        self.session = Session(
            files=files or {}, readonly_files={**(readonly or {}),
                                               "ml_harness.py": harness_source()},
            limits=_limits(config), mounts={"/data": data} if data is not None else None,
            preload=preload, unsafe=False)
        measured.modes.add(self.session.mode)
        measured.sandboxes += 1
        self.last_start: Reply | None = None

    def start(self, job: dict[str, Any], *, cwd: str | None = None) -> str | None:
        """Start a fresh worker for ``job``; None, or why the project did not load."""
        from hireloop.sandbox import SandboxError, wire

        reply = self.last_start = self.session.start_worker(
            "/harness/ml_harness.py", [json.dumps(job)], cpu_s=self.config.time_s,
            max_reply=(MAX_MODEL_MB + 16) << 20, cwd=cwd, wipe=("/tmp", "/dev/shm"))  # noqa: S108
        if reply.status == "lost":
            raise SandboxError(reply.detail)
        if not reply.ok:
            return _stopped(reply)
        try:
            msg = wire.decode(reply.data)
        except wire.WireError as exc:
            return f"the project broke the harness's start-up message ({exc})"
        if isinstance(msg, dict) and msg.get("status") == "ready":
            return None
        if isinstance(msg, dict) and isinstance(msg.get("error"), str):
            return str(msg["error"])[-3000:]
        return "the project broke the harness's start-up message"

    def ask(self, request: dict[str, Any], *, cpu_s: float | None = None,
            max_json_mb: int = 64) -> tuple[bool, Any, Reply]:
        """One request: (ok, output or why not, the host's measurements)."""
        from hireloop.sandbox import SandboxError, wire

        cpu = cpu_s if cpu_s is not None else self.config.time_s
        reply = self.session.request(wire.encode(request), cpu_s=cpu,
                                     wall_s=cpu * 3 + 10, max_reply=(MAX_MODEL_MB + 16) << 20)
        if reply.status == "lost":
            raise SandboxError(reply.detail)
        if not reply.ok:
            return False, _stopped(reply), reply
        try:
            msg = wire.decode(reply.data, max_json=max_json_mb << 20)
        except wire.WireError as exc:
            return False, f"the output could not be read: {exc}", reply
        if not isinstance(msg, dict) or msg.get("status") not in ("ok", "error", "memory"):
            return False, "the reply was not an answer to the request", reply
        if msg["status"] != "ok":
            return False, str(msg.get("error", msg["status"]))[-3000:], reply
        return True, msg.get("output"), reply

    def close(self) -> None:
        self.measured.memory_mb = max(self.measured.memory_mb, self.session.memory_peak_mb())
        self.session.close()


def _stopped(reply: Reply) -> str:
    what = {"timeout": "time limit", "died": "the process ended", "output_limit":
            "output limit", "violation": "protocol violation"}.get(reply.status, reply.status)
    log = reply.log.strip()[-1500:]
    return f"{what}: {reply.detail}" + (f"\n{log}" if log else "")


def _permuted(table: bytes, column: str) -> bytes:
    import pandas as pd

    frame = pd.read_csv(io.BytesIO(table))
    rng = np.random.default_rng(12345)
    order = rng.permutation(len(frame))
    frame[column] = frame[column].to_numpy()[order]
    return str(frame.to_csv(index=False)).encode()


def _columns(table: bytes) -> list[str]:
    import pandas as pd

    return [str(c) for c in pd.read_csv(io.BytesIO(table), nrows=1).columns]


def measure(exercise: Exercise, files: dict[str, bytes], data: Dataset,
            scoring: ScoringSpec) -> Measured:
    """Run a project for grading, phase by phase, each in a sandbox that sees only what the
    phase needs: training on the public data (the model comes back pickled, never unpickled
    here); predicting each holdout table, sent by the host, in a fresh worker that has seen
    no other table and no training data."""
    config: MlTaskConfig = exercise.config
    checks: set[str] = {c.check for c in scoring.criterion}
    measured = Measured()
    started = time.monotonic()
    try:
        if config.protocol == "predict":
            _measure_predict(config, files, data, checks, measured)
        elif config.protocol == "retrieve":
            _measure_retrieve(config, files, data, checks, measured)
        else:
            _measure_detect(config, files, data, checks, measured)
    finally:
        measured.wall_s = time.monotonic() - started
    if measured.model is not None:
        measured.model_bytes = len(measured.model) + sum(len(b) for b in files.values())
    return measured


def _fit_job(config: MlTaskConfig, phase: str, **extra: Any) -> dict[str, Any]:
    return {"protocol": config.protocol, "functions": dict(config.functions), "phase": phase,
            **extra}


def _measure_predict(config: MlTaskConfig, files: dict[str, bytes], data: Dataset,
                     checks: set[str], measured: Measured) -> None:
    models: list[bytes] = []
    fit = _Project(config, measured, files=files, data=data.public_dir)
    try:
        for attempt in range(2 if "determinism" in checks else 1):
            why = fit.start(_fit_job(config, "fit"))
            if why is not None:
                measured.error = why
                return
            ok, got, _ = fit.ask({"op": "fit"})
            model = got.get("model") if ok and isinstance(got, dict) else None
            if not ok or not isinstance(model, bytes):
                measured.error = got if not ok else "fit did not return a model"
                return
            models.append(model)
            if attempt == 0:
                measured.cpu_s = fit.session.cpu_s
    finally:
        fit.close()
    measured.model = models[0]
    table = data.holdout["holdout.csv"]
    tables: list[tuple[str, bytes, int]] = [("holdout", table, 0)]
    if "leak" in checks:
        tables += [(f"permuted:{c}", _permuted(table, c), 0) for c in _columns(table)]
    if len(models) > 1:
        tables.append(("holdout_repeat", table, 1))
    readonly = {f"project/{n}": b for n, b in files.items()}
    readonly.update({f"model{i}.pkl": m for i, m in enumerate(models)})
    predict = _Project(config, measured, readonly=readonly)
    try:
        for key, content, which in tables:
            why = predict.start(_fit_job(config, "predict", model=f"/harness/model{which}.pkl"),
                                cwd="/harness/project")
            if why is not None:
                measured.error = measured.error or why
                if key == "holdout":
                    return
                continue
            ok, got, reply = predict.ask({"op": "predict", "table": content})
            if key == "holdout":
                # the project's own cost of predicting: loading the model and the table
                start = predict.last_start.cpu_s if predict.last_start else 0.0
                measured.cpu_s += start + reply.cpu_s
            if ok:
                measured.outputs[key] = got
            elif key == "holdout":
                measured.error = got
                return
    finally:
        measured.predict_cpu_s = predict.session.cpu_s
        predict.close()


def _queries(data: Dataset) -> list[str]:
    lines = data.holdout["queries.jsonl"].decode("utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def _measure_retrieve(config: MlTaskConfig, files: dict[str, bytes], data: Dataset,
                      checks: set[str], measured: Measured) -> None:
    queries = _queries(data)
    project = _Project(config, measured, files=files, data=data.public_dir)
    try:
        for key in ["holdout", *(["holdout_repeat"] if "determinism" in checks else [])]:
            why = project.start(_fit_job(config, "fit"))
            if why is not None:
                measured.error = why
                return
            ok, got, _ = project.ask({"op": "build"})
            if ok:
                ok, got, _ = project.ask({"op": "search", "queries": queries})
            if key == "holdout":
                measured.cpu_s = project.session.cpu_s
            if not ok:
                measured.error = got
                return
            measured.outputs[key] = got
    finally:
        project.close()


def _measure_detect(config: MlTaskConfig, files: dict[str, bytes], data: Dataset,
                    checks: set[str], measured: Measured) -> None:
    streams = sorted(n for n in data.holdout if n.startswith("holdout_stream")
                     and n.endswith(".csv"))
    project = _Project(config, measured, files=files, data=data.public_dir)
    try:
        for key in ["holdout", *(["holdout_repeat"] if "determinism" in checks else [])]:
            why = project.start(_fit_job(config, "fit"))
            if why is not None:
                measured.error = why
                return
            found = []
            for name in streams:
                ok, got, _ = project.ask({"op": "detect", "table": data.holdout[name]})
                if not ok:
                    measured.error = got
                    return
                found.append(got)
            measured.outputs[key] = found
            if key == "holdout":
                measured.cpu_s = project.session.cpu_s
    finally:
        project.close()


def measured_project(exercise: Exercise, variant: Variant, which: str, files: dict[str, bytes],
                     data: Dataset, scoring: ScoringSpec) -> Measured:
    """The reference's or starter's measurements, once per process (its serving is measured
    again beside each candidate's, see ``serve``)."""
    key = (exercise.id, str(variant.seed), which,
           hashlib.sha256(json.dumps(sorted((n, hashlib.sha256(b).hexdigest())
                                            for n, b in files.items())).encode()
                          + json.dumps(sorted(data.holdout)).encode()).hexdigest(),
           str(id(data)))
    with _lock:
        if key in _measured:
            return _measured[key]
    got = measure(exercise, files, data, scoring)
    if which == "reference" and (got.error or got.violations):
        raise ExerciseBroken(f"the reference solution fails: {got.error or got.violations}")
    with _lock:
        _measured[key] = got
    return got


# -- serving ---------------------------------------------------------------------------------
SERVE_TOLERANCE = 1e-6
"""a served prediction must equal the model's scored prediction for that row this closely"""


def serve(config: MlTaskConfig, data: Dataset, projects: dict[str, tuple[dict[str, bytes],
                                                                           Measured]],
          seed: int) -> None:
    """Serve each project's pickled model one row per request, the projects taking turns row
    by row (so a busy machine slows them alike), in sandboxes that hold the project and its
    model only: no training data, no holdout table. Each request's CPU time comes from the
    sandbox's cgroup; each served prediction must equal what the same model predicted for
    that row when it was scored, or the project's latency is not credited."""
    import pandas as pd

    table = pd.read_csv(io.BytesIO(data.holdout["holdout.csv"]))
    rng = np.random.default_rng(seed)
    count = min(config.serve_requests, len(table))
    rows = rng.choice(len(table), size=count, replace=False)
    columns = [str(c) for c in table.columns]
    records = table.to_dict(orient="split")["data"]
    open_: dict[str, _Project] = {}
    cpu: dict[str, list[float]] = {name: [] for name in projects}
    wall: dict[str, list[float]] = {name: [] for name in projects}
    try:
        for name, (files, measured) in projects.items():
            if measured.model is None or measured.outputs.get("holdout") is None:
                continue
            readonly = {f"project/{n}": b for n, b in files.items()}
            readonly["model0.pkl"] = measured.model
            project = _Project(config, measured, readonly=readonly)
            open_[name] = project
            why = project.start(_fit_job(config, "serve", model="/harness/model0.pkl"),
                                cwd="/harness/project")
            if why is not None:
                measured.error = measured.error or f"serving: {why}"
                project.close()
                del open_[name]
        mismatches: dict[str, list[str]] = {name: [] for name in open_}
        for i, row in enumerate(rows):
            order = list(open_)
            if i % 2:
                order.reverse()
            for name in order:
                project = open_[name]
                if not project.session.alive:
                    continue
                values = [_json_value(v) for v in records[int(row)]]
                ok, got, reply = project.ask({"op": "row", "columns": columns,
                                              "values": values}, cpu_s=5.0, max_json_mb=1)
                if not ok:
                    projects[name][1].error = projects[name][1].error or f"serving: {got}"
                    mismatches[name].append(f"row {int(row)}: {str(got)[:200]}")
                    continue
                cpu[name].append(reply.cpu_s)
                wall[name].append(reply.wall_s)
                scored = projects[name][1].outputs["holdout"][int(row)]
                if not _same(got, scored):
                    mismatches[name].append(f"row {int(row)}: served {str(got)[:60]}, scored "
                                            f"{str(scored)[:60]}")
        for name, project in open_.items():
            measured = projects[name][1]
            measured.serve_cpu_s = project.session.cpu_s
            if cpu[name] and not mismatches[name]:
                measured.latency_p95_s = float(np.percentile(cpu[name], 95))
                measured.latency_wall_p95_s = float(np.percentile(wall[name], 95))
            measured.served_ok = not mismatches[name] and len(cpu[name]) == count
            if mismatches[name]:
                measured.violations.append(
                    f"the served model's answers differ from the predictions it was scored on "
                    f"({len(mismatches[name])} of {count} rows, e.g. {mismatches[name][0]}): "
                    "what was timed is not the model that was scored")
    finally:
        for project in open_.values():
            project.close()


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _same(served: Any, scored: Any) -> bool:
    if isinstance(served, list) and len(served) == 1:
        served = served[0]
    try:
        a, b = float(served), float(scored)
    except (TypeError, ValueError):
        return bool(served == scored)
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= SERVE_TOLERANCE * (1 + abs(b))


# -- metrics ---------------------------------------------------------------------------------
def _rows(secret: dict[str, Any], rows: str | None, n: int) -> np.ndarray:
    if rows is None:
        return np.arange(n)
    return np.asarray(secret["segments"][rows], dtype=int)


def metric_value(task: dict[str, Any], secret: dict[str, Any], name: str, output: Any,
                 rows: str | None = None) -> float:
    """A metric of an output on the holdout (or a segment of it). Raises ValueError when the
    output has the wrong shape."""
    if name not in BUILTIN_METRICS:
        return float(task[f"metric_{name}"](secret, output, rows))
    if name == "recall_at_5":
        relevant = secret["relevant"]
        if not isinstance(output, list) or len(output) != len(relevant):
            raise ValueError(f"expected {len(relevant)} result lists, got "
                             f"{len(output) if isinstance(output, list) else type(output)}")
        idx = _rows(secret, rows, len(relevant))
        return float(np.mean([len(set(output[i][:5]) & set(relevant[i])) / len(relevant[i])
                              for i in idx]))
    labels = np.asarray(secret["labels"])
    try:
        pred = np.asarray(output, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError("predictions are not numbers") from None
    if pred.shape[0] != labels.shape[0]:
        raise ValueError(f"expected {labels.shape[0]} predictions, got {pred.shape[0]}")
    if not np.all(np.isfinite(pred)):
        raise ValueError("predictions contain NaN or infinity")
    idx = _rows(secret, rows, len(labels))
    y, p = labels[idx].astype(float), pred[idx]
    from sklearn import metrics

    if name == "accuracy":
        return float(np.mean((p >= 0.5).astype(float) == y))
    if name == "f1":
        return float(metrics.f1_score(y, p >= 0.5))
    if name == "roc_auc":
        return float(metrics.roc_auc_score(y, p))
    if name == "average_precision":
        return float(metrics.average_precision_score(y, p))
    if name == "brier":
        return float(np.mean((np.clip(p, 0, 1) - y) ** 2))
    if name == "r2":
        return float(metrics.r2_score(y, p))
    return float(np.mean(np.abs(y - p)))  # mae


def higher_is_better(spec: CriterionSpec) -> bool:
    if spec.metric in BUILTIN_METRICS:
        return BUILTIN_METRICS[spec.metric][1]
    return not spec.lower_is_better


def metric_label(spec: CriterionSpec) -> str:
    assert spec.metric is not None
    label = BUILTIN_METRICS.get(spec.metric, (spec.metric, True))[0]
    return f"{label} on segment {spec.rows!r}" if spec.rows else label


# -- integrity -------------------------------------------------------------------------------
def oracle_check(secret: dict[str, Any], output: Any) -> str | None:
    """Predictions that agree with labels flipped at random (which no model can infer from
    the features) were not produced from the features."""
    noise = secret.get("noise_rows")
    if not noise or len(noise) < ORACLE_MIN_ROWS:
        return None
    if "relevant" in secret:
        return _retrieval_oracle(secret, noise, output)
    if "labels" not in secret:
        return None
    try:
        pred = np.asarray(output, dtype=float).reshape(-1)
        labels = np.asarray(secret["labels"], dtype=float)
        if pred.shape != labels.shape:
            return None
    except (TypeError, ValueError):
        return None
    idx = np.asarray(noise, dtype=int)
    agree = float(np.mean((pred[idx] >= 0.5) == (labels[idx] >= 0.5)))
    if agree < ORACLE_AGREEMENT:
        return None
    return (f"the predictions agree with the holdout labels on {agree:.0%} of the "
            f"{len(idx)} rows whose labels were flipped at random when the data was made; "
            "no model can infer those from the features (an honest model agrees on few), so "
            "the predictions were hard-coded or copied from leaked labels")


def _retrieval_oracle(secret: dict[str, Any], noise: list[int], output: Any) -> str | None:
    """retrieve: ``noise_rows`` are decoy queries whose relevant document was drawn at random;
    an honest retriever returns it about k/len(docs) of the time."""
    relevant = secret["relevant"]
    if not isinstance(output, list) or len(output) != len(relevant):
        return None
    try:
        hits = [bool(set(relevant[i]) & set(output[i][:5])) for i in noise]
    except (TypeError, IndexError):
        return None
    agree = float(np.mean(hits))
    if agree < ORACLE_AGREEMENT:
        return None
    return (f"the results contain the articles labelled relevant for {agree:.0%} of the "
            f"{len(hits)} decoy queries, whose labels were drawn at random when the data was "
            "made; no retriever can find those from the text (an honest one finds few), so "
            "the results were hard-coded or copied from a leaked answer key")


# -- criteria --------------------------------------------------------------------------------
@dataclass
class Context:
    exercise: Exercise
    variant: Variant
    task: dict[str, Any]
    secret: dict[str, Any]
    files: dict[str, bytes]
    starter: dict[str, bytes]
    candidate: Measured
    compared: dict[str, Measured]


def _change(a: Any, b: Any) -> float:
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return math.inf
    if x.shape != y.shape or not x.size:
        return math.inf
    return float(np.mean(np.abs(x - y)))


def _credit_between(value: float, zero: float | None, full: float, higher: bool) -> float:
    met = value >= full if higher else value <= full
    if met:
        return 1.0
    if zero is None:
        return 0.0
    span = full - zero
    if span == 0:
        return 0.0
    return float(min(1.0, max(0.0, (value - zero) / span)))


def _score(spec: CriterionSpec, ctx: Context) -> tuple[float, list[str], str]:
    """Credit in [0, 1], evidence (interviewer) and feedback (candidate) for one criterion."""
    cand = ctx.candidate
    out = cand.outputs.get("holdout")
    if spec.check in ("metric", "leak"):
        assert spec.metric is not None
        label = metric_label(spec)
        if out is None:
            return 0.0, [f"no predictions: {(cand.error or 'none returned')[:300]}"], \
                "Your project produced no predictions for the holdout data."
        try:
            value = metric_value(ctx.task, ctx.secret, spec.metric, out, spec.rows)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            return 0.0, [f"predictions unusable: {exc}"], f"Your predictions were unusable: {exc}"
        higher = higher_is_better(spec)
        if spec.check == "leak":
            assert spec.column is not None
            permuted = cand.outputs.get(f"permuted:{spec.column}")
            if permuted is None:
                return 0.0, [f"no predictions with {spec.column!r} permuted"], \
                    "The permutation test could not run on your model."
            shuffled = metric_value(ctx.task, ctx.secret, spec.metric, permuted, spec.rows)
            change = _change(out, permuted)
            changes = sorted(((_change(out, values), key.removeprefix("permuted:"))
                              for key, values in cand.outputs.items()
                              if key.startswith("permuted:")), reverse=True)
            top = ", ".join(f"{c} {d:.3f}" for d, c in changes[:3])
            ok = change <= spec.max_change
            evidence = [f"permuting column {spec.column!r} across the holdout rows changed the "
                        f"predictions by {change:.4f} on average (allowed {spec.max_change:g}); "
                        f"{label} {value:.3f} → {shuffled:.3f}",
                        f"columns whose permutation moves the predictions most: {top}"]
            feedback = ("Your model does not depend on the problem column." if ok else
                        "Your model still depends on a column it must not use.")
            return (1.0 if ok else 0.0), evidence, feedback
        if spec.against is not None:
            theirs = ctx.compared[spec.against].outputs.get("holdout")
            base = metric_value(ctx.task, ctx.secret, spec.metric, theirs, spec.rows)
            assert spec.max_loss is not None
            loss = (base - value) if higher else (value - base)
            ok = loss <= spec.max_loss + 1e-12
            evidence = [f"{label} {value:.4f} against the {spec.against}'s {base:.4f} measured "
                        f"in the same process (loss {loss:+.4f}, allowed {spec.max_loss:g})"]
            return (1.0 if ok else 0.0), evidence, (
                f"{label} stayed within {spec.max_loss:g} of the {spec.against}." if ok else
                f"{label} fell more than {spec.max_loss:g} below the {spec.against}.")
        assert spec.threshold is not None
        credit = _credit_between(value, spec.zero_at, spec.threshold, higher)
        word = "at least" if higher else "at most"
        n = len(ctx.secret["segments"][spec.rows]) if spec.rows else len(out)
        evidence = [f"{label} on {n} hidden holdout rows: {value:.4f} (full credit when {word} "
                    f"{spec.threshold:g}"
                    + (f", none at {spec.zero_at:g})" if spec.zero_at is not None else ")")]
        feedback = (f"{label} on the hidden data met the target ({word} {spec.threshold:g})."
                    if credit >= 1 else f"{label} on the hidden data did not reach the target "
                    f"({word} {spec.threshold:g}).")
        return credit, evidence, feedback
    if spec.check in ("latency", "size"):
        assert spec.against is not None
        assert spec.min_ratio is not None
        against = ctx.compared[spec.against]
        mine: float | None
        if spec.check == "latency":
            mine, theirs_v = cand.latency_p95_s, against.latency_p95_s
            unit, what = 1000.0, "p95 CPU time per served request"
        else:
            mine = float(cand.model_bytes) if cand.model_bytes else None
            theirs_v = float(against.model_bytes) if against.model_bytes else None
            unit, what = 1 / 1024, "size of what serving loads (pickled model and project)"
        if cand.violations:
            return 0.0, [*cand.violations, f"{what}: not credited"], (
                "What was served is not the model that was scored, so it earns nothing here.")
        if mine is None or theirs_v is None:
            return 0.0, [f"{what} not measured: {(cand.error or 'the model was not served')[:300]}"
                         ], f"Your model's {what} could not be measured."
        ratio = theirs_v / mine if mine > 0 else math.inf
        zero = spec.zero_ratio if spec.zero_ratio is not None else (
            LATENCY_NOISE_RATIO if spec.check == "latency" else 1.0)
        credit = 1.0 if ratio >= spec.min_ratio else (
            max(0.0, (ratio - zero) / (spec.min_ratio - zero)) if spec.min_ratio > zero else 0.0)
        shown = "ms" if spec.check == "latency" else "KiB"
        how = ("measured by the host from the sandboxes' cgroups, the two models served "
               "row by row in turn" if spec.check == "latency" else "counted by the host")
        evidence = [f"{what}: {mine * unit:.3f} {shown} against the {spec.against}'s "
                    f"{theirs_v * unit:.3f} {shown}, {how}: {ratio:.1f}x better (target "
                    f"{spec.min_ratio:g}x; no credit at or below {zero:g}x"
                    + (", the measuring noise)" if
                       spec.check == "latency" and spec.zero_ratio is None else ")")]
        if spec.check == "latency":
            evidence.append(f"every served prediction equals the one the model was scored on; "
                            f"p95 wall time per request {(cand.latency_wall_p95_s or 0) * 1000:.2f}"
                            f" ms against {(against.latency_wall_p95_s or 0) * 1000:.2f} ms")
        return credit, evidence, (f"Your model's {what} improved {ratio:.1f}x (target "
                                  f"{spec.min_ratio:g}x).")
    if spec.check == "budget":
        assert spec.cpu_s is not None
        ok = cand.cpu_s <= spec.cpu_s and cand.error is None
        evidence = [f"CPU {cand.cpu_s:.2f} s for training and predicting (cgroup accounting, "
                    f"outside the process) against a budget of {spec.cpu_s:g} s"]
        if "reference" in ctx.compared:
            evidence.append(f"the reference used {ctx.compared['reference'].cpu_s:.2f} s")
        if cand.error:
            evidence.append(f"the run failed: {cand.error[:200]}")
        return (1.0 if ok else 0.0), evidence, (
            f"Your project stayed within the {spec.cpu_s:g} CPU-second budget." if ok else
            f"Your project did not finish within the {spec.cpu_s:g} CPU-second budget.")
    if spec.check == "determinism":
        again = cand.outputs.get("holdout_repeat")
        if out is None or again is None:
            return 0.0, ["the repeated fit did not produce outputs"], \
                "Determinism could not be checked."
        try:
            a = np.asarray(out, dtype=float)
            b = np.asarray(again, dtype=float)
            same = a.shape == b.shape and bool(np.allclose(a, b, rtol=0, atol=1e-9))
            diff = float(np.max(np.abs(a - b))) if a.shape == b.shape and a.size else 0.0
        except (TypeError, ValueError):
            same, diff = out == again, float("nan")
        evidence = [f"two fits in one run gave {'identical' if same else 'different'} "
                    f"outputs (largest difference {diff:.3g})"]
        return (1.0 if same else 0.0), evidence, (
            "Training is reproducible." if same else
            "Training twice gave different results: seed every source of randomness.")
    if spec.check == "explanation":
        return _explanation(spec, ctx)
    fn = ctx.task[f"check_{spec.function}"]
    credit, evidence, feedback = fn(ctx.secret, {"outputs": cand.outputs, "files": ctx.files,
                                                 "starter": ctx.starter})
    return float(max(0.0, min(1.0, credit))), list(evidence), str(feedback)


def _explanation(spec: CriterionSpec, ctx: Context) -> tuple[float, list[str], str]:
    from hireloop.kinds.text.grader import grade_text
    from hireloop.kinds.text.kind import TextConfig, TextKind

    assert spec.file is not None
    raw = ctx.files.get(spec.file, b"")
    if raw.strip() == ctx.starter.get(spec.file, b"").strip():
        return 0.0, [f"{spec.file} is unchanged from the starter"], \
            f"Write what was wrong and how you fixed it in {spec.file}."
    text_exercise = Exercise(
        id=ctx.exercise.id, path=ctx.exercise.path, source=ctx.exercise.source,
        meta=ctx.exercise.meta, config=TextConfig(genre="explanation", max_words=800),
        prompt=ctx.exercise.prompt,
        hidden=Hidden({"rubric.toml": ctx.exercise.hidden.read_bytes(spec.rubric)}))
    graded = grade_text(TextKind(), text_exercise, ctx.variant, Submission(
        exercise_id=ctx.exercise.id, seed=ctx.variant.seed,
        text=raw.decode("utf-8", "replace")))
    if graded.outcome is not Outcome.GRADED:
        return 0.0, [f"{spec.file}: {graded.message}"], f"{spec.file}: {graded.message}"
    credit = min(1.0, graded.score / spec.full_at)
    evidence = [f"text grader score {graded.score:.2f} (full credit at {spec.full_at:g})"]
    evidence += [f"{c.name}: {c.points:g}/{c.max_points:g}" + (
        f" — {c.evidence[0]}" if c.evidence else "") for c in graded.criteria]
    return credit, evidence, " ".join(graded.feedback[:2]) or "Explanation graded."


# -- grading ---------------------------------------------------------------------------------
def grade_ml_task(kind: MlTaskKind, exercise: Exercise, variant: Variant,
                  submission: Submission) -> Grade:
    """Grade a candidate's project."""
    from hireloop.installation import secret_seed
    from hireloop.sandbox import SandboxError, SandboxUnavailable

    seed, grader = variant.seed, kind.grader_id
    if submission.is_empty:
        return Grade.not_gradable(exercise.id, seed, grader, "no project was handed in")
    files = project_files(kind, exercise, submission)
    if isinstance(files, str):
        return Grade.not_gradable(exercise.id, seed, grader, files)
    scoring, errors = kind.load_scoring(exercise)
    if scoring is None:
        return Grade.failed(exercise.id, seed, grader,
                            "the scoring spec is broken: " + "; ".join(map(str, errors)))
    config: MlTaskConfig = exercise.config
    needed: set[str] = {c.against for c in scoring.criterion if c.against is not None}
    serving: list[str] = sorted({c.against for c in scoring.criterion
                      if c.check == "latency" and c.against is not None})
    try:
        data = dataset(exercise, variant)
        sides = {which: kind.reference_files(exercise) if which == "reference"
                 else kind.starter_files(exercise) for which in sorted(needed)}
        compared: dict[str, Measured] = {
            which: measured_project(exercise, variant, which, files_, data, scoring)
            for which, files_ in sides.items()}
        candidate = measure(exercise, files, data, scoring)
        if serving:
            # the baselines' serving is measured again, beside this candidate's, every time
            compared = {w: replace(m, latency_p95_s=None, latency_wall_p95_s=None,
                                   serve_cpu_s=None, served_ok=None,
                                   violations=list(m.violations), outputs=m.outputs)
                        for w, m in compared.items()}
            serve(config, data, {"candidate": (files, candidate),
                                 **{w: (sides[w], compared[w]) for w in serving}},
                  secret_seed("ml-task-serve", exercise.id, variant.seed))
            for w in serving:
                if compared[w].latency_p95_s is None:
                    raise ExerciseBroken(f"the {w}'s model could not be served: "
                                         f"{compared[w].error or compared[w].violations}")
    except SandboxUnavailable as exc:
        return Grade.failed(exercise.id, seed, grader, f"cannot run code safely on this host: "
                            f"{exc} (see `hireloop sandbox doctor`)")
    except (SandboxError, ExerciseBroken, OSError) as exc:
        return Grade.failed(exercise.id, seed, grader, str(exc))
    task = task_module(exercise)
    ctx = Context(exercise, variant, task, data.secret, files, kind.starter_files(exercise),
                  candidate, compared)
    flags: list[Flag] = []
    cheats: list[str] = []
    if candidate.outputs.get("holdout") is not None:
        oracle = oracle_check(data.secret, candidate.outputs["holdout"])
        if oracle:
            cheats.append(oracle)
            flags.append(Flag(code="hardcoded_labels", detail=oracle))
    for text in candidate.violations:
        flags.append(Flag(code="served_model_differs", detail=text))
    notes = [f"the project's run: CPU {candidate.cpu_s:.2f} s; all prediction workers: CPU "
             f"{candidate.predict_cpu_s:.2f} s; wall {candidate.wall_s:.2f} s in "
             f"{candidate.sandboxes} sandbox(es); peak memory {candidate.memory_mb:.0f} MB "
             "(cgroup accounting)"]
    for which, m in compared.items():
        notes.append(f"{which} measured on this host: CPU {m.cpu_s:.2f} s"
                     + (f", p95 CPU per served request {m.latency_p95_s * 1000:.3f} ms"
                        if m.latency_p95_s else "")
                     + (f", model and project {m.model_bytes / 1024:.0f} KiB"
                        if m.model_bytes else ""))
    if candidate.error:
        notes.append("the project failed: " + candidate.error[-800:])
    if "unsafe" in candidate.modes:
        notes.append("WARNING: this project ran WITHOUT the sandbox (unsafe mode)")
    criteria: list[CriterionScore] = []
    feedback: list[str] = []
    for spec in scoring.criterion:
        credit, evidence, said = _score(spec, ctx)
        criteria.append(CriterionScore(name=spec.name, points=round(spec.points * credit, 4),
                                       max_points=spec.points, evidence=evidence,
                                       feedback=said))
    _gate_properties(scoring, criteria)
    if cheats:
        for c in criteria:
            c.evidence.insert(0, "zeroed: the predictions were not produced from the features")
            c.points = 0.0
        notes[:0] = [f"CHEATING CAUGHT: {c}" for c in cheats]
        feedback.append("Your predictions match labels that cannot be inferred from the data, "
                        "so they were not produced by your model; the submission scores 0 and "
                        "an interviewer will review it.")
    else:
        if candidate.error:
            feedback.append("Your project failed on the grading data:\n"
                            + candidate.error[-600:])
        feedback += [f"{c.name}: {c.feedback}" for c in criteria if c.feedback]
    return Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                               notes=notes, flags=flags)


PROPERTIES = ("leak", "determinism", "latency", "size")
"""criteria that describe a working model: a constant, hard-coded or broken predictor has them
for free (it is fast, small, reproducible and uses no column), so they earn credit only beside
some credit on the exercise's metrics"""


def _gate_properties(scoring: ScoringSpec, criteria: list[CriterionScore]) -> None:
    metrics = [c for spec, c in zip(scoring.criterion, criteria, strict=True)
               if spec.check == "metric"]
    if not metrics or any(c.points > 0 for c in metrics):
        return
    for spec, c in zip(scoring.criterion, criteria, strict=True):
        if spec.check in PROPERTIES and c.points > 0:
            c.points = 0.0
            c.evidence.insert(0, "no credit: the predictions earn nothing on the exercise's "
                              "metrics, and a model that predicts nothing useful has this "
                              "property for free")
            c.feedback = "Not credited: your model must first earn credit on the metrics."


# -- trial -----------------------------------------------------------------------------------
def run_trial(kind: MlTaskKind, exercise: Exercise, variant: Variant, submission: Submission,
              log: LogSink | None) -> TrialResult:
    """Run the project's command on the public data only, streaming its log line by line."""
    from hireloop import sandbox

    config: MlTaskConfig = exercise.config
    files = project_files(kind, exercise, submission)
    if isinstance(files, str):
        return TrialResult(passed=False, summary=files)
    data = dataset(exercise, variant)
    partial = {"stdout": "", "stderr": ""}

    def sink(stream: str, chunk: bytes) -> None:
        text = partial[stream] + chunk.decode("utf-8", "replace")
        *lines, partial[stream] = text.split("\n")
        if log is not None:
            for line in lines:
                log(line)

    argv = [sandbox.python_executable() if a in ("python", "python3") else a
            for a in config.run]
    try:
        result = sandbox.run(argv, files=files, limits=_limits(config),
                             mounts={"/data": data.public_dir}, on_output=sink, unsafe=False)
    except sandbox.SandboxUnavailable as exc:
        return TrialResult(passed=False, summary=f"cannot run code safely on this host: {exc}")
    if log is not None:
        for rest in partial.values():
            if rest:
                log(rest)
    text = (result.stdout_text + ("\n" if result.stderr else "") + result.stderr_text)
    summary = (f"{'finished' if result.ok else 'failed: ' + str(result.verdict)}"
               f"{' (' + result.detail + ')' if result.detail else ''}; CPU {result.cpu_s:.1f} s "
               f"of {config.time_s:g}, wall {result.wall_s:.1f} s, peak memory "
               f"{result.memory_mb:.0f} MB of {config.memory_mb}")
    return TrialResult(passed=None if result.ok else False, summary=summary,
                       log=text[-LOG_CAP:])
