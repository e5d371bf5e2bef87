"""Grading code: run the candidate's functions in the sandbox on every case, compare on the host.

Expected outputs never enter the sandbox: the harness returns what the code produced and the
host compares (DESIGN.md, core idea 6). Expected values the author did not write come from the
reference solution, run in the sandbox on the same machine; its timings set the limits of the
`large` cases, so a naive solution times out where the reference does not.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from hireloop.core import CriterionScore, Exercise, Grade, Submission, Variant
from hireloop.core.kind import LogSink, TrialResult
from hireloop.kinds.code import compare

if TYPE_CHECKING:
    from hireloop.kinds.code.kind import CodeCase, CodeConfig, CodeKind
    from hireloop.sandbox import RunResult

MAX_SOURCE_BYTES = 200_000
PERF_FACTOR = 8.0
"""a `large` case may take this many times the reference's time ..."""
PERF_FLOOR_S = 0.5
"""... but never less than this"""
RESULTS_MB = 128
"""room for the results the harness writes (large arrays travel as raw bytes)"""
STARTUP_S = 3.0
"""CPU budget for starting Python and importing numpy, beside the cases' own time"""
CATEGORY_ORDER = ("large", "edge", "numerical", "basic")
CATEGORY_NAMES = {"large": "large inputs", "edge": "edge cases", "numerical": "numerical "
                  "stability", "basic": "basic behaviour", "other": "other cases"}
VERDICT_WORDS = {"wrong": "wrong answer", "error": "raised an error", "timeout": "too slow "
                 "(time limit)", "memory": "memory limit exceeded", "output_limit": "too much "
                 "output", "killed": "stopped by the sandbox", "import_error": "did not load"}


class ReferenceFailed(Exception):  # noqa: N818 - the domain's word
    """The exercise's own reference solution fails: the exercise is broken, not the answer."""


@dataclass(frozen=True)
class Prepared:
    """A case as it is sent to the sandbox."""

    index: int
    case: CodeCase
    visible: bool
    timeout_s: float


@dataclass
class CaseOutcome:
    """One case's verdict."""

    prepared: Prepared
    verdict: str
    """passed, wrong, error, timeout, memory, output_limit, killed, import_error"""
    credit: float = 0.0
    candidate_detail: str = ""
    interviewer_detail: str = ""
    seconds: float | None = None

    @property
    def category(self) -> str:
        tags = self.prepared.case.tags
        return next((t for t in CATEGORY_ORDER if t in tags), tags[0] if tags else "other")


@dataclass
class Execution:
    """What one program produced on a list of cases."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    modes: set[str] = field(default_factory=set)
    peak_memory_mb: float = 0.0
    cpu_s: float = 0.0


def harness_source() -> bytes:
    """The in-sandbox harness, as shipped."""
    return (resources.files("hireloop.kinds.code") / "harness.py").read_bytes()


_pool_lock = threading.Lock()
_pool: Any = None


def _runner() -> Any:
    """The warm pool when configured (practice mode), else the fresh-sandbox API."""
    global _pool  # noqa: PLW0603 - one pool per process
    from hireloop import sandbox
    from hireloop.config import get_settings

    workers = get_settings().sandbox_warm_workers
    if workers <= 0:
        return sandbox
    with _pool_lock:
        if _pool is None:
            _pool = sandbox.WarmPool(size=workers, tmp_mb=RESULTS_MB + 16)
        return _pool


def _run(source: str, config: CodeConfig, prepared: list[Prepared],
         generators: bytes | None) -> RunResult:
    from hireloop.sandbox import Limits

    job = {"entry": config.entry, "style": config.style, "cases": [
        {**p.case.model_dump(include={"args", "kwargs", "as_array", "init", "calls",
                                      "generator"}),
         "index": p.index, "timeout_s": p.timeout_s, "seed": p.index,
         "want_args": p.case.compare == "checker"}
        for p in prepared]}
    readonly = {"harness.py": harness_source()}
    if generators is not None:
        readonly["generators.py"] = generators
    budget = sum(p.timeout_s for p in prepared) + STARTUP_S
    # Memory: the candidate's limit plus room for the interpreter and the results file, which
    # lives on the sandbox's tmpfs and so counts against the same cgroup.
    limits = Limits(time_s=budget, wall_s=budget * 1.5 + 2,
                    memory_mb=config.memory_mb + RESULTS_MB + 64, output_bytes=64 * 1024,
                    file_size_mb=RESULTS_MB, tmp_mb=RESULTS_MB + 16, pids=16)
    runner = _runner()
    result: RunResult = runner.run_python(
        None, script="/harness/harness.py",
        files={"solution.py": source.encode("utf-8"), "job.json": json.dumps(job).encode()},
        limits=limits, collect=["results.jsonl"], readonly_files=readonly)
    return result


RUN_VERDICTS = {"time_limit": "timeout", "memory_limit": "memory",
                "output_limit": "output_limit", "killed": "killed",
                "runtime_error": "error"}


def execute(source: str, config: CodeConfig, prepared: list[Prepared],
            generators: bytes | None) -> Execution:
    """Run ``source`` on every case; a case that kills the run is charged with the run's
    verdict and the remaining cases run again in a fresh sandbox."""
    from hireloop.sandbox import SandboxError

    execution = Execution()
    pending = list(prepared)
    for _ in range(len(prepared) + 1):
        if not pending:
            break
        result = _run(source, config, pending, generators)
        execution.modes.add(result.mode)
        execution.peak_memory_mb = max(execution.peak_memory_mb, result.memory_mb)
        execution.cpu_s += result.cpu_s
        if result.verdict == "internal_error":
            raise SandboxError(f"the sandbox failed: {result.detail}")
        raw = result.files.get("results.jsonl", b"").decode("utf-8", "replace")
        for line in raw.splitlines():
            try:
                record = json.loads(line, object_hook=compare.decode)
            except json.JSONDecodeError:
                continue  # a line the run did not finish, or one the code wrote itself
            if not isinstance(record, dict) or not isinstance(record.get("index"), int):
                continue
            if record["index"] == -1:
                for p in pending:
                    execution.records[p.index] = record
                return execution
            if record["index"] in {p.index for p in pending}:
                execution.records.setdefault(record["index"], record)
        pending = [p for p in pending if p.index not in execution.records]
        if pending:
            verdict = RUN_VERDICTS.get(str(result.verdict), "error")
            detail = result.detail or result.stderr_text[-500:]
            execution.records[pending[0].index] = {"status": verdict, "error": detail}
            pending = pending[1:]
    return execution


_reference_cache: dict[str, Execution] = {}
_reference_lock = threading.Lock()


def reference_execution(exercise: Exercise, config: CodeConfig, prepared: list[Prepared],
                        generators: bytes | None) -> Execution:
    """The reference solution's outputs and timings (cached per exercise content)."""
    source = exercise.hidden.read_text("reference.py")
    key = hashlib.sha256(json.dumps(
        [source, config.model_dump(), [p.case.model_dump() for p in prepared],
         (generators or b"").decode("utf-8", "replace")], sort_keys=True, default=str,
    ).encode()).hexdigest()
    with _reference_lock:
        if key in _reference_cache:
            return _reference_cache[key]
    generous = [Prepared(p.index, p.case, p.visible, max(p.timeout_s, config.time_limit_s) * 5)
                for p in prepared]
    execution = execute(source, config, generous, generators)
    for p in prepared:
        record = execution.records.get(p.index, {})
        status = record.get("status")
        expects_raise = p.case.raises is not None
        if (status != "ok" and not expects_raise) or (expects_raise and status != "error"):
            raise ReferenceFailed(
                f"the reference solution fails case {p.case.name!r}: {status} "
                f"{record.get('error', '')}".strip())
    with _reference_lock:
        _reference_cache[key] = execution
    return execution


def _checker(exercise: Exercise) -> Any:
    namespace: dict[str, Any] = {"__name__": "hireloop_checker"}
    code = compile(exercise.hidden.read_text("checker.py"), f"{exercise.source}/hidden/checker.py",
                   "exec")
    exec(code, namespace)  # noqa: S102 - the exercise author's checker, trusted like the bank
    return namespace["check"]


def judge_case(prepared: Prepared, record: dict[str, Any], reference: dict[str, Any],
               checker: Any) -> CaseOutcome:
    """Compare one case's result with its expectation."""
    case = prepared.case
    status = record.get("status")
    outcome = CaseOutcome(prepared, "wrong", seconds=record.get("seconds"))
    if case.raises is not None:
        raised = record.get("raised") or []
        if status == "error" and case.raises in raised:
            outcome.verdict, outcome.credit = "passed", 1.0
        elif status == "ok":
            outcome.candidate_detail = f"expected {case.raises} to be raised; nothing was raised"
        else:
            outcome.verdict = str(status)
            outcome.candidate_detail = str(record.get("error", ""))[-400:]
        outcome.interviewer_detail = outcome.candidate_detail
        return outcome
    if status != "ok":
        outcome.verdict = str(status)
        outcome.candidate_detail = str(record.get("error", ""))[-600:]
        outcome.interviewer_detail = outcome.candidate_detail
        return outcome
    got = record.get("output")
    want = case.expected if case.expected is not None else reference.get("output")
    if case.compare == "close":
        ok: float = float(compare.close(got, want, case.rtol, case.atol))
    elif case.compare == "unordered":
        ok = float(compare.unordered(got, want))
    elif case.compare == "set":
        ok = float(compare.as_set(got, want))
    elif case.compare == "checker":
        try:
            verdict = checker(got, want, record.get("args", case.args))
            ok = float(max(0.0, min(1.0, float(verdict))))
        except Exception as exc:  # a checker that chokes on odd output: the output is wrong
            ok = 0.0
            outcome.interviewer_detail = f"checker raised {type(exc).__name__}: {exc}"
    else:
        ok = float(compare.exact(got, want))
    outcome.credit = ok
    if ok >= 1.0:
        outcome.verdict = "passed"
    else:
        detail = f"expected {compare.describe(want)}, got {compare.describe(got)}"
        outcome.candidate_detail = detail
        outcome.interviewer_detail = outcome.interviewer_detail or detail
    return outcome


def grade_code(kind: CodeKind, exercise: Exercise, variant: Variant,
               submission: Submission) -> Grade:
    """Grade a code submission on the exercise's visible and hidden cases."""
    from hireloop.sandbox import SandboxError, SandboxUnavailable

    seed, grader = variant.seed, kind.grader_id
    config: CodeConfig = exercise.config
    if submission.text is None:
        message = "the code is not UTF-8 text" if submission.files else "no code was given"
        return Grade.not_gradable(exercise.id, seed, grader, message)
    source = submission.text
    if not source.strip():
        return Grade.not_gradable(exercise.id, seed, grader, "no code was given")
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        return Grade.not_gradable(exercise.id, seed, grader,
                                  f"the code is larger than {MAX_SOURCE_BYTES // 1000} kB")
    prepared = kind.prepared_cases(exercise)
    generators = exercise.hidden.read_bytes("generators.py") \
        if exercise.hidden.has("generators.py") else None
    try:
        reference = reference_execution(exercise, config, prepared, generators)
        limits = [Prepared(p.index, p.case, p.visible, _case_timeout(p, config, reference))
                  for p in prepared]
        execution = execute(source, config, limits, generators)
    except SandboxUnavailable as exc:
        return Grade.failed(exercise.id, seed, grader,
                            f"cannot run code safely on this host: {exc} "
                            "(see `hireloop sandbox doctor`)")
    except (SandboxError, ReferenceFailed, OSError) as exc:
        return Grade.failed(exercise.id, seed, grader, str(exc))
    checker = _checker(exercise) if any(p.case.compare == "checker" for p in prepared) else None
    outcomes = [judge_case(p, execution.records.get(p.index, {"status": "error"}),
                           reference.records.get(p.index, {}), checker) for p in limits]
    return _grade(exercise, seed, grader, outcomes, execution)


def _case_timeout(p: Prepared, config: CodeConfig, reference: Execution) -> float:
    if "large" not in p.case.tags:
        return config.time_limit_s
    seconds = float(reference.records.get(p.index, {}).get("seconds") or 0.0)
    return max(PERF_FLOOR_S, PERF_FACTOR * seconds)


def _grade(exercise: Exercise, seed: int, grader: str, outcomes: list[CaseOutcome],
           execution: Execution) -> Grade:
    criteria: list[CriterionScore] = []
    categories: dict[str, list[CaseOutcome]] = {}
    for outcome in outcomes:
        categories.setdefault(outcome.category, []).append(outcome)
    for category, items in categories.items():
        evidence = []
        for o in items:
            where = "visible" if o.prepared.visible else "hidden"
            line = f"{where} case {o.prepared.case.name!r}: {o.verdict}"
            if o.prepared.visible and o.candidate_detail:
                line += f" — {o.candidate_detail}"
            evidence.append(line)
        passed = sum(o.prepared.case.weight * o.credit for o in items)
        total = sum(o.prepared.case.weight for o in items)
        criteria.append(CriterionScore(
            name=f"Tests: {CATEGORY_NAMES.get(category, category)}",
            points=round(passed, 4), max_points=total, evidence=evidence,
            feedback=f"{sum(o.verdict == 'passed' for o in items)}/{len(items)} passed"))
    n_passed = sum(o.verdict == "passed" for o in outcomes)
    feedback = [f"Passed {n_passed} of {len(outcomes)} tests."]
    imports = [o for o in outcomes if o.verdict == "import_error"]
    if imports:
        feedback.append("Your code did not load: " + imports[0].candidate_detail)
    else:
        failing: dict[tuple[str, str], int] = {}
        for o in outcomes:
            if o.verdict != "passed":
                key = (CATEGORY_NAMES.get(o.category, o.category),
                       VERDICT_WORDS.get(o.verdict, o.verdict))
                failing[key] = failing.get(key, 0) + 1
        for (category, verdict), count in sorted(failing.items()):
            feedback.append(f"{count} test(s) on {category}: {verdict}.")
        for o in outcomes:
            if o.prepared.visible and o.verdict != "passed" and o.candidate_detail:
                feedback.append(f"Visible test {o.prepared.case.name!r}: {o.candidate_detail}")
        if any(o.verdict == "timeout" and o.category == "large" for o in outcomes):
            feedback.append("Large inputs have a time limit set from the reference solution "
                            "on this machine: look for a faster algorithm.")
    notes = [f"hidden case {o.prepared.case.name!r}: {o.verdict} — {o.interviewer_detail}"
             for o in outcomes if not o.prepared.visible and o.verdict != "passed"
             and o.interviewer_detail]
    notes.append(f"peak memory {execution.peak_memory_mb:.0f} MB, CPU {execution.cpu_s:.2f} s")
    if "unsafe" in execution.modes:
        notes.append("WARNING: this code ran WITHOUT the sandbox (unsafe mode)")
    return Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                               notes=notes)


def trial_code(kind: CodeKind, exercise: Exercise, variant: Variant, submission: Submission,
               log: LogSink | None = None) -> TrialResult:
    """Run the visible tests only (what the candidate's "Run visible tests" button does)."""
    from hireloop.sandbox import SandboxError, SandboxUnavailable

    del variant
    config: CodeConfig = exercise.config
    source = submission.text or ""
    if not source.strip():
        return TrialResult(passed=False, summary="there is no code to run yet")
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        return TrialResult(passed=False,
                           summary=f"the code is larger than {MAX_SOURCE_BYTES // 1000} kB")
    visible = [p for p in kind.prepared_cases(exercise) if p.visible]
    if not visible:
        return TrialResult(passed=None, summary="this exercise has no visible tests")
    generators = exercise.hidden.read_bytes("generators.py") \
        if exercise.hidden.has("generators.py") else None
    if log:
        log(f"running {len(visible)} visible test(s) in the sandbox…")
    try:
        reference = reference_execution(exercise, config, visible, generators)
        execution = execute(source, config, visible, generators)
    except SandboxUnavailable as exc:
        return TrialResult(passed=None, summary=f"code cannot run safely on this server: {exc}")
    except (SandboxError, ReferenceFailed, OSError) as exc:
        return TrialResult(passed=None, summary=f"the run failed on our side: {exc}")
    checker = _checker(exercise) if any(p.case.compare == "checker" for p in visible) else None
    outcomes = [judge_case(p, execution.records.get(p.index, {"status": "error"}),
                           reference.records.get(p.index, {}), checker) for p in visible]
    lines = []
    for o in outcomes:
        line = f"{o.prepared.case.name}: {o.verdict}"
        if o.candidate_detail:
            line += f" — {o.candidate_detail}"
        lines.append(line)
        if log:
            log(line)
    passed = sum(o.verdict == "passed" for o in outcomes)
    return TrialResult(passed=passed == len(outcomes),
                       summary=f"{passed} of {len(outcomes)} visible tests passed",
                       log="\n".join(lines))
