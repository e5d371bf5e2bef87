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
                seed: int) -> SampleResult:
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
    return SampleResult(sample.name, seed, expected, got,
                        ok=sample.accepts(result.outcome, result.score),
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
        hints = rubric_hint_problems(exercise)
        (report.errors if HINTS_REQUIRED else report.warnings).extend(hints)
        for sample in exercise.samples:
            for seed in sample.seeds:
                report.samples.append(_run_sample(bank, kind, exercise, sample, seed))
        if entry.kind in ROLE_KINDS:
            _role_rules(report.samples)
    report.ok = not report.errors and all(s.ok or s.skipped for s in report.samples)
    return report


def check_bank(
    bank: Bank, progress: Callable[[str], None] | None = None
) -> list[ExerciseReport]:
    """Check every exercise in the bank, duplicates included (they fail)."""
    reports = []
    for entry in [*bank.entries.values(), *bank.duplicates]:
        if progress is not None:
            progress(entry.id)
        reports.append(check_entry(bank, entry))
    return reports
