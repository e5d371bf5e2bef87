"""Grading an ml_task: run the project in the sandbox on data mounted read-only, score its
outputs on the host against holdout labels that never enter the sandbox, and take every
measurement (CPU, memory, serving latency, model size) from outside the candidate's process.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import math
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hireloop.core import (
    CriterionScore,
    Exercise,
    Grade,
    Hidden,
    Outcome,
    Submission,
    Variant,
)
from hireloop.core.kind import LogSink, TrialResult
from hireloop.kinds.ml_task.harness import RESULTS, TICK
from hireloop.kinds.ml_task.spec import BUILTIN_METRICS, CriterionSpec, ScoringSpec

if TYPE_CHECKING:
    from hireloop.kinds.ml_task.kind import MlTaskConfig, MlTaskKind

SERVE_GROUPS = 20
"""serving requests are timed in this many groups, each between two markers the host clocks"""
LATENCY_NOISE_RATIO = 2.0
"""the same model served twice on a 2-core host measured up to 1.3x (idle) and 1.6x (busy CI)
apart in p95, so by default a latency gain at or below this earns nothing"""
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
    """One variant's data: the public dir (trials), the grading dir (public + holdout
    features) and the secret (labels), which stays on the host."""

    public_dir: Path
    grade_dir: Path
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
        data = content if isinstance(content, bytes) else str(content).encode("utf-8")
        target.write_bytes(data)
        target.chmod(0o644)


def dataset(exercise: Exercise, variant: Variant) -> Dataset:
    """The variant's data, generated once per process from the seed."""
    task = task_module(exercise)
    key = (exercise.id, variant.seed, hashlib.sha256(
        exercise.hidden.read_bytes("task.py") + json.dumps(
            dict(variant.params), sort_keys=True, default=str).encode()).hexdigest())
    with _lock:
        if key in _datasets:
            return _datasets[key]
    try:
        made = task["generate"](variant.seed, dict(variant.params))
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
        _write_dir(base / "grade", {**public, **holdout})
        _datasets[key] = Dataset(base / "public", base / "grade", secret)
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
        if name in config.readonly or name == RESULTS:
            continue
        total += len(data)
        files[name] = data
    if total > MAX_PROJECT_BYTES:
        return f"the project is larger than {MAX_PROJECT_BYTES // 1_000_000} MB"
    return files


def harness_source() -> bytes:
    """The in-sandbox harness, as shipped."""
    return (resources.files("hireloop.kinds.ml_task") / "harness.py").read_bytes()


@dataclass
class Measured:
    """One project's runs, as the host measured them."""

    outputs: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    """the project's own failure (a traceback, or the sandbox's verdict)"""
    violations: list[str] = field(default_factory=list)
    cpu_s: float = 0.0
    memory_mb: float = 0.0
    wall_s: float = 0.0
    model_bytes: int | None = None
    latency_p95_s: float | None = None
    """serving: p95 over groups of the host-clocked time per request"""
    serve_cpu_s: float | None = None
    modes: set[str] = field(default_factory=set)


def _limits(config: MlTaskConfig) -> Any:
    from hireloop.sandbox import Limits

    return Limits(time_s=config.time_s, wall_s=config.time_s * 3 + 10,
                  memory_mb=config.memory_mb, pids=64, output_bytes=1 << 20,
                  file_size_mb=64, tmp_mb=256, cpus=1.0)


def _run(files: dict[str, bytes], config: MlTaskConfig, data: Path, job: dict[str, Any],
         on_output: Any = None) -> Any:
    from hireloop import sandbox

    return sandbox.run_python(
        None, script="/harness/ml_harness.py", files=files, limits=_limits(config),
        mounts={"/data": data}, collect=[RESULTS, "model.pkl"],
        readonly_files={"ml_harness.py": harness_source(),
                        "job.json": json.dumps(job).encode()},
        on_output=on_output, unsafe=False)


def _absorb(measured: Measured, result: Any) -> dict[str, Any] | None:
    from hireloop.sandbox import SandboxError

    if result.verdict == "internal_error":
        raise SandboxError(f"the sandbox failed: {result.detail}")
    measured.modes.add(result.mode)
    measured.memory_mb = max(measured.memory_mb, result.memory_mb)
    for line in result.stderr_text.splitlines():
        if line.startswith("[hireloop-audit] "):
            text = line.removeprefix("[hireloop-audit] ")
            if text not in measured.violations:
                measured.violations.append(text)
    record: dict[str, Any] | None = None
    raw = result.files.get(RESULTS)
    if raw:
        try:
            loaded = json.loads(raw)
            record = loaded if isinstance(loaded, dict) else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            record = None
    if record is not None:
        for text in record.get("violations") or []:
            if isinstance(text, str) and text not in measured.violations:
                measured.violations.append(text)
        if record.get("error"):
            measured.error = str(record["error"])
    if result.verdict != "ok" and measured.error is None:
        tail = result.stderr_text.strip()[-1500:]
        measured.error = f"{result.verdict}: {result.detail}" + (f"\n{tail}" if tail else "")
    elif result.verdict in ("time_limit", "memory_limit"):
        measured.error = f"{result.verdict}: {result.detail}"
    return record


def measure(exercise: Exercise, files: dict[str, bytes], data: Dataset,
            scoring: ScoringSpec) -> Measured:
    """Run a project for grading: fit and predict (permutations and a repeat when the scoring
    needs them), then, when it is served, a second run that only loads the pickled model."""
    config: MlTaskConfig = exercise.config
    checks = {c.check for c in scoring.criterion}
    serve = config.serve_requests > 0
    job = {"protocol": config.protocol, "functions": dict(config.functions), "mode": "grade",
           "permute": "leak" in checks, "repeat": "determinism" in checks, "save_model": serve}
    measured = Measured()
    result = _run(files, config, data.grade_dir, job)
    record = _absorb(measured, result)
    measured.cpu_s, measured.wall_s = result.cpu_s, result.wall_s
    if record is not None and isinstance(record.get("outputs"), dict):
        measured.outputs = record["outputs"]
    model = result.files.get("model.pkl")
    if model is not None:
        measured.model_bytes = len(model)
    if not serve or model is None or measured.error:
        return measured
    per = max(1, config.serve_requests // SERVE_GROUPS)
    ticks: list[float] = []
    pending = b""

    def clock(stream: str, chunk: bytes) -> None:
        nonlocal pending
        if stream != "stdout":
            return
        now = time.monotonic()
        pending = (pending + chunk)[-(len(TICK) * 4 + 4096):]
        while TICK in pending:
            ticks.append(now)
            pending = pending[pending.index(TICK) + len(TICK):]

    serve_job = {**job, "mode": "serve", "serve_groups": SERVE_GROUPS, "serve_per_group": per}
    serve_files = {**{n: b for n, b in files.items() if n.endswith(".py")}, "model.pkl": model}
    served = _run(serve_files, config, data.grade_dir, serve_job, on_output=clock)
    serve_record = _absorb(measured, served)
    measured.serve_cpu_s = served.cpu_s
    if serve_record is not None and isinstance(serve_record.get("outputs"), dict):
        measured.outputs["served"] = serve_record["outputs"].get("holdout")
    if len(ticks) > SERVE_GROUPS + 1:
        measured.violations.append(
            f"the output carried {len(ticks)} timing markers where the harness writes "
            f"{SERVE_GROUPS + 1}: the program forged markers to fake its latency")
    elif len(ticks) == SERVE_GROUPS + 1:
        per_request = np.diff(np.array(ticks)) / per
        measured.latency_p95_s = float(np.percentile(per_request, 95))
    return measured


def measured_project(exercise: Exercise, variant: Variant, which: str, files: dict[str, bytes],
                     data: Dataset, scoring: ScoringSpec) -> Measured:
    """The reference's or starter's measurements, once per process (the same machine and
    grading process as the candidate's)."""
    key = (exercise.id, str(variant.seed), which,
           hashlib.sha256(json.dumps(sorted((n, hashlib.sha256(b).hexdigest())
                                            for n, b in files.items())).encode()).hexdigest())
    with _lock:
        if key in _measured:
            return _measured[key]
    got = measure(exercise, files, data, scoring)
    if which == "reference" and (got.error or got.violations):
        raise ExerciseBroken(f"the reference solution fails: {got.error or got.violations}")
    with _lock:
        _measured[key] = got
    return got


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
            unit, what = 1000.0, "p95 latency"
        else:
            mine = float(cand.model_bytes) if cand.model_bytes else None
            theirs_v = float(against.model_bytes) if against.model_bytes else None
            unit, what = 1 / 1024, "pickled model size"
        if mine is None or theirs_v is None:
            return 0.0, [f"{what} not measured: {(cand.error or 'the model was not served')[:300]}"
                         ], f"Your model's {what} could not be measured."
        ratio = theirs_v / mine if mine > 0 else math.inf
        zero = spec.zero_ratio if spec.zero_ratio is not None else (
            LATENCY_NOISE_RATIO if spec.check == "latency" else 1.0)
        credit = 1.0 if ratio >= spec.min_ratio else (
            max(0.0, (ratio - zero) / (spec.min_ratio - zero)) if spec.min_ratio > zero else 0.0)
        shown = "ms" if spec.check == "latency" else "KiB"
        evidence = [f"{what}: {mine * unit:.3f} {shown} against the {spec.against}'s "
                    f"{theirs_v * unit:.3f} {shown}, measured by the host in the same process: "
                    f"{ratio:.1f}x better (target {spec.min_ratio:g}x; no credit at or below "
                    f"{zero:g}x" + (", the timing noise of a shared host)" if
                                    spec.check == "latency" and spec.zero_ratio is None else ")")]
        if spec.check == "latency":
            evidence.append(f"serving CPU (cgroup, whole serving run): {cand.serve_cpu_s:.2f} s "
                            f"against {against.serve_cpu_s or 0:.2f} s")
        return credit, evidence, (f"Your model's {what} improved {ratio:.1f}x (target "
                                  f"{spec.min_ratio:g}x).")
    if spec.check == "budget":
        assert spec.cpu_s is not None
        ok = cand.cpu_s <= spec.cpu_s and cand.error is None
        evidence = [f"CPU {cand.cpu_s:.2f} s for the whole run (cgroup accounting, outside the "
                    f"process) against a budget of {spec.cpu_s:g} s"]
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
    needed = {c.against for c in scoring.criterion if c.against is not None}
    try:
        data = dataset(exercise, variant)
        compared: dict[str, Measured] = {
            which: measured_project(
                exercise, variant, which,
                kind.reference_files(exercise) if which == "reference"
                else kind.starter_files(exercise), data, scoring)
            for which in sorted(needed)}
        candidate = measure(exercise, files, data, scoring)
    except SandboxUnavailable as exc:
        return Grade.failed(exercise.id, seed, grader, f"cannot run code safely on this host: "
                            f"{exc} (see `hireloop sandbox doctor`)")
    except (SandboxError, ExerciseBroken, OSError) as exc:
        return Grade.failed(exercise.id, seed, grader, str(exc))
    task = task_module(exercise)
    ctx = Context(exercise, variant, task, data.secret, files, kind.starter_files(exercise),
                  candidate, compared)
    cheats = list(candidate.violations)
    if candidate.outputs.get("holdout") is not None:
        oracle = oracle_check(data.secret, candidate.outputs["holdout"])
        if oracle:
            cheats.append(oracle)
    notes = [f"run: CPU {candidate.cpu_s:.2f} s, wall {candidate.wall_s:.2f} s, peak memory "
             f"{candidate.memory_mb:.0f} MB (cgroup accounting)"]
    for which, m in compared.items():
        notes.append(f"{which} measured in this process: CPU {m.cpu_s:.2f} s"
                     + (f", p95 latency {m.latency_p95_s * 1000:.3f} ms"
                        if m.latency_p95_s else "")
                     + (f", model {m.model_bytes / 1024:.0f} KiB" if m.model_bytes else ""))
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
    if cheats:
        for c in criteria:
            c.evidence.insert(0, "zeroed: the submission broke the exercise's rules")
            c.points = 0.0
        notes[:0] = [f"CHEATING CAUGHT: {c}" for c in cheats]
        feedback.append("Your submission broke the exercise's rules (it tried to use data or "
                        "measurements it must not touch) and scores 0; an interviewer will "
                        "review it.")
    else:
        if candidate.error:
            feedback.append("Your project failed on the grading data:\n"
                            + candidate.error[-600:])
        feedback += [f"{c.name}: {c.feedback}" for c in criteria if c.feedback]
    return Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                               notes=notes)


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
