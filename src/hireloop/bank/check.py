"""`hireloop bank check`: validate exercises and run every sample through its kind's grader.

Beyond each sample's own band, two rules hold for every exercise, an author's included:

- **roles** (text and spoken): a ``gaming`` sample must be not gradable or score at most
  :data:`GAMING_CEILING`, a ``wrong`` one at most :data:`WRONG_CEILING`, and every ``exemplary``
  sample at least :data:`MARGIN` above all of them, whatever bands the samples declare;
- **hints**: every key point of every rubric (a hidden TOML file with ``[[key_point]]``
  tables: text and spoken rubrics, ml_task explanation rubrics) has a ``hint`` that does not
  repeat the point, since candidates read hints and never the points themselves.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import jinja2

from hireloop.bank.grading import GradingUnavailable, grade
from hireloop.bank.loader import Bank, LoadedExercise
from hireloop.core import Exercise, Kind, Outcome, SampleSpec

CHECK_KEY = hashlib.sha256(b"hireloop bank check").digest()
"""The installation key samples are graded with: public, so that every machine draws the same
generated cases and data for a sample and an author can write a reference answer for them.
Real grading draws with the installation's own secret key."""


AT_MOST_SLACK = 0.005
"""``at_most`` allows this much above the other sample's score: a few bytes more or less of
source (a size criterion) must not fail a check about cheating"""


GAMING_CEILING = 0.25
"""the most a gaming sample may score (or it is not gradable)"""
WRONG_CEILING = 0.45
"""the most a confidently wrong sample may score"""
MARGIN = 0.3
"""how far every exemplary sample must score above every gaming and wrong sample"""
ROLE_KINDS = frozenset({"text", "spoken"})
"""kinds whose samples' roles are held to the ceilings and the margin"""
HINTS_REQUIRED = True
"""whether a key point without a hint is an error (True) or only a warning (False)"""


@dataclass
class SampleResult:
    """One sample graded against one variant."""

    name: str
    seed: int
    expected: str
    got: str
    ok: bool
    skipped: bool = False
    outcome: str | None = None
    """the grade's outcome (None when the sample could not be graded)"""
    score: float | None = None
    role: str | None = None


@dataclass
class ExerciseReport:
    """The check of one exercise: its validation errors and its samples."""

    id: str
    kind: str | None
    ok: bool
    errors: list[str] = field(default_factory=list)
    samples: list[SampleResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    """problems that do not fail the check (yet): key points without hints"""

    def as_json(self) -> dict[str, object]:
        """The stable JSON form (see the issue: id, kind, ok, errors, samples)."""
        return asdict(self)


def _run_sample(bank: Bank, kind: Kind, exercise: Exercise, sample: SampleSpec,
                seed: int, scores: dict[tuple[str, int], float]) -> SampleResult:
    expected = sample.describe()
    variant = bank.variant(exercise, seed)
    path = exercise.path / sample.file
    try:
        if sample.template:
            source = path.read_text(encoding="utf-8")
            rendered = exercise.render(source, variant)
            with tempfile.TemporaryDirectory(prefix="hireloop-sample-") as tmp:
                target = Path(tmp) / path.name
                target.write_text(rendered, encoding="utf-8")
                submission = kind.read_submission(exercise, variant, target)
        else:
            submission = kind.read_submission(exercise, variant, path)
    except (OSError, jinja2.TemplateError, UnicodeDecodeError) as exc:
        return SampleResult(sample.name, seed, expected, f"could not read the sample: {exc}",
                            ok=False)
    try:
        result = grade(kind, exercise, variant, submission)
    except GradingUnavailable as exc:
        return SampleResult(sample.name, seed, expected, f"skipped: {exc}", ok=False, skipped=True)
    got = f"{result.outcome}, score {result.score:.3f}"
    if result.message:
        got += f" ({result.message})"
    ok = sample.accepts(result.outcome, result.score)
    if result.outcome is Outcome.GRADED:
        scores[(sample.name, seed)] = result.score
    if sample.at_most is not None:
        bound = scores.get((sample.at_most, seed))
        if bound is None:
            ok = False
            got += f"; sample {sample.at_most!r} has no graded score on seed {seed}"
        else:
            got += f" ({sample.at_most!r}: {bound:.3f})"
            ok = ok and result.score <= bound + AT_MOST_SLACK
    return SampleResult(sample.name, seed, expected, got, ok=ok,
                        outcome=str(result.outcome), score=result.score, role=sample.role)


def _role_rules(results: list[SampleResult]) -> None:
    """Hold gaming and wrong samples under their ceilings and exemplary ones above them."""
    for seed in sorted({r.seed for r in results}):
        ours = [r for r in results if r.seed == seed and r.outcome is not None]
        low = [r for r in ours if r.role in ("gaming", "wrong")
               and r.outcome == str(Outcome.GRADED)]
        for r in ours:
            if r.role == "gaming" and r.outcome == str(Outcome.GRADED) and \
                    r.score is not None and r.score > GAMING_CEILING + 1e-9:
                r.ok = False
                r.expected += f"; role gaming: at most {GAMING_CEILING:g} or not_gradable"
            elif r.role == "wrong" and (r.outcome != str(Outcome.GRADED) or (
                    r.score is not None and r.score > WRONG_CEILING + 1e-9)):
                r.ok = False
                r.expected += f"; role wrong: graded, at most {WRONG_CEILING:g}"
            elif r.role == "exemplary" and low and r.score is not None:
                top = max(low, key=lambda x: x.score or 0.0)
                if r.score < (top.score or 0.0) + MARGIN - 1e-9:
                    r.ok = False
                    r.expected += (f"; role exemplary: at least {MARGIN:g} above every gaming "
                                   f"and wrong sample ({top.name} scored {top.score:.3f})")


def rubric_hint_problems(exercise: Exercise) -> list[str]:
    """Key points without a hint, or whose hint repeats the point, in every rubric of the
    exercise (any hidden TOML file with ``[[key_point]]`` tables)."""
    from hireloop.nlp.content import content_stems

    problems: list[str] = []
    for name in exercise.hidden.names():
        if not name.endswith(".toml"):
            continue
        try:
            data = tomllib.loads(exercise.hidden.read_text(name))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue  # the kind's own check reports a broken file
        points = data.get("key_point")
        if not isinstance(points, list):
            continue
        where = f"{exercise.source}/hidden/{name}"
        for i, point in enumerate(points):
            if not isinstance(point, dict):
                continue
            label = f"key_point[{i}] {point.get('id', '?')!r}"
            hint = point.get("hint")
            if not isinstance(hint, str) or not hint.strip():
                problems.append(f"{where}: {label} has no hint (what candidates read instead "
                                "of the point: what to think about, not the answer)")
                continue
            said = set(content_stems(str(point.get("text", ""))))
            given = set(content_stems(hint))
            if len(said) >= 4 and len(said & given) >= 0.8 * len(said):
                problems.append(f"{where}: {label}: the hint repeats the point itself; say "
                                "what to think about, not the answer")
            elif re.search(r"\{\{|\{%", hint) and "{" not in str(point.get("text", "")):
                problems.append(f"{where}: {label}: the hint is a template but the point is not")
    return problems


def check_entry(bank: Bank, entry: LoadedExercise) -> ExerciseReport:
    """Check one loaded exercise: its errors, then each sample on each of its seeds."""
    report = ExerciseReport(id=entry.id, kind=entry.kind, ok=False,
                            errors=[str(e) for e in entry.errors])
    if entry.unavailable:
        report.errors.append(entry.unavailable)
    exercise = entry.exercise
    kind = bank.kinds.get(entry.kind) if entry.kind else None
    if exercise is not None and kind is not None and not report.errors:
        from hireloop.installation import fixed_key

        hints = rubric_hint_problems(exercise)
        (report.errors if HINTS_REQUIRED else report.warnings).extend(hints)
        scores: dict[tuple[str, int], float] = {}
        names = [s.name for s in exercise.samples]
        # samples others are bounded by go first
        ordered = sorted(exercise.samples, key=lambda s: s.at_most is not None)
        for sample in ordered:
            if sample.at_most is not None and sample.at_most not in names:
                report.errors.append(f"{exercise.source}/samples/samples.toml: sample "
                                     f"{sample.name!r}: at_most names no sample "
                                     f"({sample.at_most!r})")
        with fixed_key(CHECK_KEY):
            for sample in ordered:
                for seed in sample.seeds:
                    report.samples.append(_run_sample(bank, kind, exercise, sample, seed,
                                                      scores))
        if entry.kind in ROLE_KINDS:
            _role_rules(report.samples)
    report.ok = not report.errors and all(s.ok or s.skipped for s in report.samples)
    return report


def check_bank(
    bank: Bank, progress: Callable[[str], None] | None = None, jobs: int = 1,
    principles_file: Path | None = None,
) -> list[ExerciseReport]:
    """Check every exercise in the bank, duplicates included (they fail). With ``jobs`` > 1
    the exercises are checked by that many processes, each loading the same bank (roots and
    ``principles_file``); reports come back in the bank's order."""
    entries = [*bank.entries.values(), *bank.duplicates]
    if jobs <= 1:
        reports = []
        for entry in entries:
            if progress is not None:
                progress(entry.id)
            reports.append(check_entry(bank, entry))
        return reports
    import concurrent.futures
    import multiprocessing

    # the duplicates and broken entries need no grading: they are reported here
    graded = [e.id for e in bank.entries.values() if e.exercise is not None and not e.errors
              and not e.unavailable]
    done: dict[str, ExerciseReport] = {}
    context = multiprocessing.get_context("spawn")  # no threads of this process are copied
    with concurrent.futures.ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_load_for_checking,
            initargs=([str(r) for r in bank.roots], str(principles_file or ""))) as pool:
        futures = {pool.submit(_check_by_id, ex_id): ex_id for ex_id in graded}
        for future in concurrent.futures.as_completed(futures):
            report = future.result()
            done[report.id] = report
            if progress is not None:
                progress(report.id)
    reports = []
    for entry in entries:
        if entry.id in done and entry in bank.entries.values():
            reports.append(done.pop(entry.id))
        else:
            if progress is not None:
                progress(entry.id)
            reports.append(check_entry(bank, entry))
    return reports


_worker_bank: Bank | None = None


def _load_for_checking(roots: list[str], principles: str) -> None:
    from hireloop.bank.loader import load_bank

    global _worker_bank  # noqa: PLW0603 - one bank per checking process
    _worker_bank = load_bank([Path(r) for r in roots],
                             principles_file=Path(principles) if principles else None)


def _check_by_id(exercise_id: str) -> ExerciseReport:
    assert _worker_bank is not None
    return check_entry(_worker_bank, _worker_bank.entries[exercise_id])
