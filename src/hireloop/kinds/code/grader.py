"""Grading code: the host is the judge; the sandbox only answers one case at a time.

The host holds its own copy of every input (generated hidden cases are drawn on the host,
from the installation's secret), sends one case to the candidate's code through a sandbox
session (``hireloop.sandbox.Session``), reads one reply on its own clock, and compares with
its own expectation: expected outputs, checkers and generators never enter the sandbox
(DESIGN.md, core idea 6). Each case's CPU time comes from the sandbox's cgroup, its wall
time from the host's clock; a case that runs over is killed from outside, charged, and the
rest go on in a new sandbox, within a budget for the whole submission. Expected values the
author did not write come from the reference solution, run the same way in a sandbox of its
own; its CPU times set the limits of the `large` cases.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any

from hireloop.core import CriterionScore, Exercise, Grade, Submission, Variant
from hireloop.core.kind import LogSink, TrialResult
from hireloop.kinds.code import compare

if TYPE_CHECKING:
    from hireloop.kinds.code.kind import CodeCase, CodeConfig, CodeKind
    from hireloop.sandbox import Reply, Session, SessionPool

MAX_SOURCE_BYTES = 200_000
PERF_FACTOR = 8.0
"""a `large` case may take this many times the reference's CPU time ..."""
PERF_FLOOR_S = 0.5
"""... but never less than this"""
STARTUP_CPU_S = 5.0
"""CPU time for loading the candidate's module (the interpreter and numpy are loaded already)"""
STARTUP_WALL_S = 8.0
OUTPUT_MB = 16
"""the largest reply to one case; more is `output_limit`, and nothing of it is decoded"""
OUTPUT_JSON_MB = 8
"""of which plain data (lists, numbers, text) at most this much; big arrays travel as bytes"""
SANDBOX_OVERHEAD_MB = 160
"""memory for the relay, the interpreter with numpy, and one reply in flight, beside the
exercise's own ``memory_mb``"""
CATEGORY_ORDER = ("large", "edge", "numerical", "basic")
CATEGORY_NAMES = {"large": "large inputs", "edge": "edge cases", "numerical": "numerical "
                  "stability", "basic": "basic behaviour", "other": "other cases"}
VERDICT_WORDS = {"wrong": "wrong answer", "error": "raised an error", "timeout": "too slow "
                 "(time limit)", "memory": "memory limit exceeded", "output_limit": "too much "
                 "output", "killed": "stopped by the sandbox", "import_error": "did not load",
                 "not_run": "not run (the submission's time budget ran out)"}
_REPLY_STATUSES = {"ok", "error", "memory"}


class ReferenceFailed(Exception):  # noqa: N818 - the domain's word
    """The exercise's own reference solution fails: the exercise is broken, not the answer."""


@dataclass(frozen=True)
class Prepared:
    """A case as the host holds it: its spec, its concrete inputs and its CPU limit."""

    index: int
    case: CodeCase
    visible: bool
    timeout_s: float
    inputs: dict[str, Any] = field(default_factory=dict)
    """what is sent to the code: ``args``/``kwargs``/``as_array`` or ``init``/``calls``
    (a generated case's inputs are drawn on the host)"""
    encoded: bytes = b""
    """``inputs`` as the frame sent (made once, by ``materialise``)"""

    def payload(self) -> bytes:
        from hireloop.sandbox import wire

        return self.encoded or wire.encode(self.inputs)

    def host_args(self) -> Any:
        """The inputs as a checker reads them, from the host's own copy (never the sandbox's):
        positional arguments, ``as_array`` ones as arrays, sent through the same encoding
        the code received them in."""
        import numpy as np

        from hireloop.sandbox import wire

        args = list(self.inputs.get("args") or [])
        for i in self.inputs.get("as_array") or []:
            if i < len(args):
                args[i] = np.asarray(args[i], dtype=float)
        return wire.decode(wire.encode(args), max_json=1 << 30)


@dataclass
class CaseOutcome:
    """One case's verdict."""

    prepared: Prepared
    verdict: str
    """passed, wrong, error, timeout, memory, output_limit, killed, import_error, not_run"""
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
    """What one program produced on a list of cases, as the host measured it."""

    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    modes: set[str] = field(default_factory=set)
    peak_memory_mb: float = 0.0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    sandboxes: int = 0
    budget_s: float = 0.0
    notes: list[str] = field(default_factory=list)


def harness_source() -> bytes:
    """The in-sandbox worker script, as shipped."""
    return (resources.files("hireloop.kinds.code") / "harness.py").read_bytes()


# -- inputs ----------------------------------------------------------------------------------
_generator_cache: dict[str, dict[str, Any]] = {}
_generator_lock = threading.Lock()


def _generators(exercise: Exercise) -> dict[str, Any]:
    """``hidden/generators.py`` executed on the host (author code, trusted like the bank)."""
    source = exercise.hidden.read_text("generators.py")
    key = hashlib.sha256(source.encode()).hexdigest()
    with _generator_lock:
        if key not in _generator_cache:
            namespace: dict[str, Any] = {"__name__": "hireloop_generators"}
            exec(compile(source, f"{exercise.source}/hidden/generators.py", "exec"),  # noqa: S102
                 namespace)
            _generator_cache[key] = namespace
        return _generator_cache[key]


_generated_cache: OrderedDict[tuple[str, str, int], tuple[dict[str, Any], int]] = OrderedDict()
_generated_bytes = 0
GENERATED_CACHE_BYTES = 128 << 20
"""how much generated input (encoded size) stays cached between grades of the same variant"""


def _generate(exercise: Exercise, case: Any, seed: int) -> dict[str, Any]:
    """A generated case's inputs: cached per (generators, case, seed), since the same variant
    is graded again and again and some generators take a third of a second; each caller gets
    its own deep copy, so nothing a checker does to its inputs reaches the next grade."""
    global _generated_bytes  # noqa: PLW0603 - one bounded cache per process
    from hireloop.sandbox import wire

    source = exercise.hidden.read_text("generators.py")
    key = (hashlib.sha256(source.encode()).hexdigest(), str(case.generator), seed)
    with _generator_lock:
        hit = _generated_cache.get(key)
        if hit is not None:
            _generated_cache.move_to_end(key)
            return copy.deepcopy(hit[0])
    try:
        made = _generators(exercise)[case.generator](seed)
    except Exception as exc:
        raise ReferenceFailed(f"generator {case.generator!r} of case {case.name!r} "
                              f"failed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(made, dict) or not set(made) <= {"args", "kwargs", "init", "calls"}:
        raise ReferenceFailed(f"generator {case.generator!r} must return a dict of "
                              "args/kwargs (or init/calls)")
    try:
        size = len(wire.encode(made))
    except TypeError as exc:
        raise ReferenceFailed(f"the inputs of case {case.name!r} cannot be sent: "
                              f"{exc}") from exc
    with _generator_lock:
        if key not in _generated_cache and size <= GENERATED_CACHE_BYTES // 4:
            _generated_cache[key] = (copy.deepcopy(made), size)
            _generated_bytes += size
            while _generated_bytes > GENERATED_CACHE_BYTES:
                _, (_, dropped) = _generated_cache.popitem(last=False)
                _generated_bytes -= dropped
    return made


def materialise(exercise: Exercise, variant: Variant, prepared: list[Prepared]) -> list[Prepared]:
    """Each case with its concrete inputs. A generated case calls its generator on the host
    with a seed only this installation can compute (the bank's generators are public)."""
    from hireloop.installation import secret_seed
    from hireloop.sandbox import wire

    out = []
    for p in prepared:
        case = p.case
        inputs: dict[str, Any] = {}
        if case.generator is not None:
            seed = secret_seed("code-case", exercise.id, variant.seed, case.name)
            inputs.update(_generate(exercise, case, seed))
        else:
            inputs.update(case.model_dump(include={"args", "kwargs", "init", "calls"}))
        if case.as_array:
            inputs["as_array"] = list(case.as_array)
        try:
            encoded = wire.encode(inputs)
        except TypeError as exc:
            raise ReferenceFailed(f"the inputs of case {case.name!r} cannot be sent: "
                                  f"{exc}") from exc
        out.append(replace(p, inputs=inputs, encoded=encoded))
    return out


# -- running ---------------------------------------------------------------------------------
def default_budget_s(prepared: list[Prepared]) -> float:
    """A submission's wall-clock budget when the exercise states none: loading it, plus
    twice every case's CPU limit (so a solution slowed by a busy machine still finishes)."""
    return round(STARTUP_WALL_S + 2 * sum(p.timeout_s for p in prepared), 1)


class _Runner:
    """Runs cases in sessions, starting a new sandbox or worker when one ends."""

    def __init__(self, source: str, config: CodeConfig, execution: Execution,
                 deadline: float) -> None:
        self.source = source
        self.config = config
        self.execution = execution
        self.deadline = deadline
        self.session: Session | None = None
        self.worker_ready = False

    def _limits(self) -> Any:
        from hireloop.sandbox import Limits

        cap = max(30.0, self.deadline - time.monotonic() + STARTUP_CPU_S)
        return Limits(time_s=min(3600.0, cap), memory_mb=self.config.memory_mb
                      + SANDBOX_OVERHEAD_MB, pids=32, output_bytes=1 << 20,
                      file_size_mb=16, tmp_mb=64)

    def close(self) -> None:
        if self.session is not None:
            self.execution.peak_memory_mb = max(self.execution.peak_memory_mb,
                                                self.session.memory_peak_mb())
            self.execution.cpu_s += self.session.cpu_s
            pool = _pool()
            if pool is not None and self.session.alive:
                pool.give_back(self.session)
            else:
                self.session.close()
            self.session = None
        self.worker_ready = False

    def start(self) -> dict[str, Any] | None:
        """A ready worker: None, or the record every remaining case gets (it did not load)."""
        from hireloop.sandbox import Session, wire

        if self.session is not None and not self.session.alive:
            self.close()
        if self.session is None:
            files = {"solution.py": self.source.encode("utf-8")}
            readonly = {"harness.py": harness_source()}
            pool = _pool()
            if pool is not None:
                self.session = pool.take(files=files, readonly_files=readonly,
                                         memory_mb=self.config.memory_mb + SANDBOX_OVERHEAD_MB)
            else:
                self.session = Session(files=files, readonly_files=readonly,
                                       limits=self._limits())
            self.execution.modes.add(self.session.mode)
            self.execution.sandboxes += 1
        job = json.dumps({"entry": self.config.entry, "style": self.config.style})
        wall = min(STARTUP_WALL_S, max(0.5, self.deadline - time.monotonic()))
        reply = self.session.start_worker("/harness/harness.py", [job], cpu_s=STARTUP_CPU_S,
                                          wall_s=wall, max_reply=OUTPUT_MB << 20,
                                          wipe=("/tmp", "/dev/shm"))  # noqa: S108
        if reply.status == "lost":
            from hireloop.sandbox import SandboxError

            raise SandboxError(reply.detail)
        if reply.ok:
            try:
                msg = wire.decode(reply.data)
            except wire.WireError as exc:
                return {"status": "import_error", "error": f"loading your code broke the "
                        f"grader's start-up message ({exc})"}
            if isinstance(msg, dict) and msg.get("status") == "ready":
                self.worker_ready = True
                return None
            if isinstance(msg, dict) and msg.get("status") == "import_error":
                return {"status": "import_error", "error": str(msg.get("error", ""))[-2000:]}
            return {"status": "import_error", "error": "loading your code broke the grader's "
                    "start-up message"}
        if reply.status == "timeout":
            return {"status": "import_error", "error": f"loading your code took too long "
                    f"({reply.detail}; code at the top level of the module runs when it "
                    "loads)"}
        return {"status": "import_error", "error": f"loading your code failed: {reply.detail}"
                + _log_tail(reply)}

    def run_case(self, p: Prepared, payload: bytes) -> dict[str, Any]:
        from hireloop.sandbox import SandboxError, wire

        assert self.session is not None
        remaining = self.deadline - time.monotonic()
        wall = min(2 * p.timeout_s + 1, remaining)
        reply = self.session.request(payload, cpu_s=p.timeout_s, wall_s=max(0.05, wall),
                                     max_reply=OUTPUT_MB << 20)
        self.execution.wall_s += reply.wall_s
        seconds = reply.cpu_s
        if reply.status == "reply":
            try:
                record = wire.decode(reply.data, max_json=OUTPUT_JSON_MB << 20)
            except wire.WireError as exc:
                return {"status": "malformed", "error": f"the output could not be read: {exc}",
                        "seconds": seconds}
            if not isinstance(record, dict) or record.get("status") not in _REPLY_STATUSES:
                return {"status": "malformed", "error": "the reply was not an answer to the "
                        "case", "seconds": seconds}
            clean: dict[str, Any] = {"status": record["status"], "seconds": seconds}
            if record["status"] == "ok":
                clean["output"] = record.get("output")
            elif record["status"] == "error":
                clean["error"] = str(record.get("error", ""))[-3000:]
                raised = record.get("raised")
                clean["raised"] = [str(r) for r in raised[:64]] \
                    if isinstance(raised, list) else []
            return clean
        self.worker_ready = False
        if reply.status == "timeout":
            if reply.cause == "wall" and wall < 2 * p.timeout_s + 1:
                return {"status": "not_run", "error": "the submission's time budget ran out "
                        "during this case", "seconds": seconds}
            return {"status": "timeout", "error": f"stopped: {reply.detail}",
                    "seconds": seconds}
        if reply.status == "output_limit":
            return {"status": "output_limit", "error": f"the output is larger than "
                    f"{OUTPUT_MB} MB", "seconds": seconds}
        if reply.status == "died":
            status = {"memory": "memory", "killed": "killed", "cpu": "timeout"}.get(
                reply.cause, "error")
            return {"status": status, "error": reply.detail + _log_tail(reply),
                    "seconds": seconds}
        if reply.status == "violation":
            return {"status": "error", "error": f"the code broke the grading protocol: "
                    f"{reply.detail}", "seconds": seconds}
        raise SandboxError(f"the sandbox failed: {reply.detail}")


_pool_lock = threading.Lock()
_pools: dict[int, Any] = {}


def _pool() -> SessionPool | None:
    """Sessions started ahead of time when ``HIRELOOP_SANDBOX_WARM_WORKERS`` asks for them
    (practice mode's instant feedback), one pool per process."""
    import os

    from hireloop.config import get_settings
    from hireloop.sandbox import Limits, SessionPool

    size = get_settings().sandbox_warm_workers
    if size <= 0:
        return None
    with _pool_lock:
        if os.getpid() not in _pools:
            _pools[os.getpid()] = SessionPool(size, limits=Limits(
                time_s=3600, memory_mb=256 + SANDBOX_OVERHEAD_MB, pids=32,
                output_bytes=1 << 20, file_size_mb=16, tmp_mb=64))
        pool: SessionPool = _pools[os.getpid()]
        return pool


def _log_tail(reply: Reply) -> str:
    lines = [ln for ln in reply.log.strip().splitlines() if ln.strip()][-6:]
    return ("\n" + "\n".join(lines)[-800:]) if lines else ""


def execute(source: str, config: CodeConfig, prepared: list[Prepared],
            budget_s: float | None = None) -> Execution:
    """Run ``source`` on every case, one request per case, within ``budget_s`` of wall time
    for the whole submission (default: ``config.budget_s`` or ``default_budget_s``). A case
    that ends its worker or sandbox is charged with what ended it; the rest go on."""
    budget = budget_s or config.budget_s or default_budget_s(prepared)
    execution = Execution(budget_s=budget)
    started = time.monotonic()
    runner = _Runner(source, config, execution, started + budget)
    try:
        pending = list(prepared)
        while pending:
            if time.monotonic() >= runner.deadline:
                for p in pending:
                    execution.records[p.index] = {"status": "not_run", "error": (
                        f"not run: the submission used up its time budget of {budget:g} s")}
                break
            if not runner.worker_ready:
                failed = runner.start()
                if failed is not None:
                    for p in pending:
                        execution.records[p.index] = dict(failed)
                    break
            p = pending.pop(0)
            execution.records[p.index] = runner.run_case(p, p.payload())
    finally:
        runner.close()
        execution.wall_s = time.monotonic() - started
    return execution


# -- the reference ---------------------------------------------------------------------------
_reference_cache: dict[str, Execution] = {}
_reference_lock = threading.Lock()


def reference_execution(exercise: Exercise, config: CodeConfig,
                        prepared: list[Prepared]) -> Execution:
    """The reference solution's outputs and CPU times on exactly these inputs (cached per
    exercise content and inputs)."""
    source = exercise.hidden.read_text("reference.py")
    digest = hashlib.sha256()
    digest.update(json.dumps([source, config.model_dump()], sort_keys=True,
                             default=str).encode())
    for p in prepared:
        digest.update(p.case.model_dump_json().encode())
        digest.update(p.payload())
    key = digest.hexdigest()
    with _reference_lock:
        if key in _reference_cache:
            return _reference_cache[key]
    generous = [replace(p, timeout_s=max(p.timeout_s, config.time_limit_s) * 5)
                for p in prepared]
    execution = execute(source, config, generous,
                        budget_s=STARTUP_WALL_S + 4 * sum(p.timeout_s for p in generous))
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


# -- judging ---------------------------------------------------------------------------------
def judge_case(prepared: Prepared, record: dict[str, Any], reference: dict[str, Any],
               checker: Any) -> CaseOutcome:
    """Compare one case's result with the host's expectation. Whatever the output is, the
    answer is a verdict on the case: a comparison or checker that chokes on it makes the
    output wrong, never the grade an error."""
    case = prepared.case
    status = record.get("status")
    outcome = CaseOutcome(prepared, "wrong", seconds=record.get("seconds"))
    if status == "malformed":
        outcome.candidate_detail = str(record.get("error", ""))[-400:]
        outcome.interviewer_detail = outcome.candidate_detail
        return outcome
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
    try:
        if case.compare == "close":
            ok: float = float(compare.close(got, want, case.rtol, case.atol))
        elif case.compare == "unordered":
            ok = float(compare.unordered(got, want))
        elif case.compare == "set":
            ok = float(compare.as_set(got, want))
        elif case.compare == "checker":
            try:
                verdict = checker(got, want, prepared.host_args())
                ok = float(max(0.0, min(1.0, float(verdict))))
            except Exception as exc:  # a checker that chokes on odd output: it is wrong
                ok = 0.0
                outcome.interviewer_detail = f"checker raised {type(exc).__name__}: {exc}"
        else:
            ok = float(compare.exact(got, want))
    except (ValueError, TypeError, RecursionError, OverflowError, MemoryError) as exc:
        ok = 0.0
        outcome.interviewer_detail = f"the output could not be compared: {type(exc).__name__}"
    if math.isnan(ok):  # from a checker
        ok = 0.0
    outcome.credit = ok
    if ok >= 1.0:
        outcome.verdict = "passed"
    else:
        try:
            detail = f"expected {compare.describe(want)}, got {compare.describe(got)}"
        except (ValueError, TypeError, RecursionError, OverflowError):
            detail = f"expected {compare.describe(want)}, got an output that cannot be shown"
        outcome.candidate_detail = detail
        outcome.interviewer_detail = outcome.interviewer_detail or detail
    return outcome


def _prepare(kind: CodeKind, exercise: Exercise, variant: Variant,
             visible_only: bool = False) -> list[Prepared]:
    prepared = kind.prepared_cases(exercise)
    if visible_only:
        prepared = [p for p in prepared if p.visible]
    return materialise(exercise, variant, prepared)


def grade_code(kind: CodeKind, exercise: Exercise, variant: Variant,
               submission: Submission) -> Grade:
    """Grade a code submission on the exercise's hidden cases (visible ones are reported)."""
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
    try:
        prepared = _prepare(kind, exercise, variant)
        reference = reference_execution(exercise, config, prepared)
        limits = [replace(p, timeout_s=_case_timeout(p, config, reference)) for p in prepared]
        execution = execute(source, config, limits)
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
    """Criteria per category of the hidden cases. Visible cases are public (every candidate
    can run them, and the built-in bank is public), so they earn nothing; their results are
    in the feedback. An exercise with no hidden cases is scored on its visible ones."""
    scored = [o for o in outcomes if not o.prepared.visible] or outcomes
    criteria: list[CriterionScore] = []
    categories: dict[str, list[CaseOutcome]] = {}
    for outcome in scored:
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
    visible = [o for o in outcomes if o.prepared.visible]
    n_passed = sum(o.verdict == "passed" for o in scored)
    feedback = [f"Passed {n_passed} of {len(scored)} hidden tests."
                if len(scored) < len(outcomes) or not visible
                else f"Passed {n_passed} of {len(scored)} tests."]
    if visible and len(scored) < len(outcomes):
        feedback.append(f"Visible tests (not scored): {sum(o.verdict == 'passed' for o in visible)}"
                        f" of {len(visible)} passed.")
    imports = [o for o in outcomes if o.verdict == "import_error"]
    if imports:
        feedback.append("Your code did not load: " + imports[0].candidate_detail)
    else:
        failing: dict[tuple[str, str], int] = {}
        for o in scored:
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
        if any(o.verdict == "not_run" for o in outcomes):
            feedback.append(f"Grading stopped when your submission used up its time budget "
                            f"of {execution.budget_s:g} s.")
    notes = [f"hidden case {o.prepared.case.name!r}: {o.verdict} — {o.interviewer_detail}"
             for o in outcomes if not o.prepared.visible and o.verdict != "passed"
             and o.interviewer_detail]
    notes.append(f"peak memory {execution.peak_memory_mb:.0f} MB, CPU {execution.cpu_s:.2f} s, "
                 f"wall {execution.wall_s:.2f} s of a {execution.budget_s:g} s budget, "
                 f"{execution.sandboxes} sandbox(es)")
    if "unsafe" in execution.modes:
        notes.append("WARNING: this code ran WITHOUT the sandbox (unsafe mode)")
    return Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                               notes=notes)


def trial_code(kind: CodeKind, exercise: Exercise, variant: Variant, submission: Submission,
               log: LogSink | None = None) -> TrialResult:
    """Run the visible tests only (what the candidate's "Run visible tests" button does)."""
    from hireloop.sandbox import SandboxError, SandboxUnavailable

    config: CodeConfig = exercise.config
    source = submission.text or ""
    if not source.strip():
        return TrialResult(passed=False, summary="there is no code to run yet")
    if len(source.encode("utf-8")) > MAX_SOURCE_BYTES:
        return TrialResult(passed=False,
                           summary=f"the code is larger than {MAX_SOURCE_BYTES // 1000} kB")
    if log:
        log("running the visible tests in the sandbox…")
    try:
        visible = _prepare(kind, exercise, variant, visible_only=True)
        if not visible:
            return TrialResult(passed=None, summary="this exercise has no visible tests")
        reference = reference_execution(exercise, config, visible)
        execution = execute(source, config, visible)
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
