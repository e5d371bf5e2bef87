"""An interactive mock interview in the terminal: prompt, answer, grade, evidence, progress."""

from __future__ import annotations

import os
import random
import secrets
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.prompt import Confirm, Prompt
from rich.table import Table

from hireloop.bank.grading import grade
from hireloop.bank.loader import Bank
from hireloop.bank.loops import Loop, resolve_loop
from hireloop.core import Competency, Exercise, Submission
from hireloop.display import show_exercise, show_grade
from hireloop.practice.history import History

END_OF_ANSWER = "."
EDITOR_COMMAND = ":e"


@dataclass(frozen=True)
class Planned:
    """An exercise to practise, with the variant to show and context to render it with."""

    exercise: Exercise
    seed: int
    principle: str | None = None


def gradable(bank: Bank) -> list[Exercise]:
    """The exercises open to practice (not interview-only) whose kind can grade now (practice
    needs instant feedback)."""
    out = []
    for exercise in bank.exercises.values():
        kind = bank.kinds.get(exercise.kind)
        if kind is not None and kind.grading_unavailable is None and exercise.meta.practice:
            out.append(exercise)
    return out


def choose_exercises(
    bank: Bank, history: History, competency: Competency | None, count: int,
    rng: random.Random,
) -> list[Exercise]:
    """Exercises for a session: matching the competency, least recently practised first."""
    pool = [e for e in gradable(bank) if competency is None or competency in e.meta.competencies]
    last = history.last_attempted()
    rng.shuffle(pool)
    pool.sort(key=lambda e: last.get(e.id, 0.0))
    return pool[:count]


def read_answer(console: Console, exercise: Exercise, starter: str | None,
                ask: Callable[[str], str]) -> str:
    """Take the answer inline (one line for choices; lines up to '.') or in $EDITOR."""
    if exercise.kind == "choice":
        return ask("Your answer")
    console.print(f"[dim]Type your answer; end with a line containing only '{END_OF_ANSWER}'. "
                  f"Or type '{EDITOR_COMMAND}' to write it in $EDITOR.[/]")
    lines: list[str] = []
    while True:
        line = ask("")
        if not lines and line.strip() == EDITOR_COMMAND:
            return edit_in_editor(starter or "", ".py" if exercise.kind == "code" else ".md")
        if line.strip() == END_OF_ANSWER:
            return "\n".join(lines)
        lines.append(line)


def edit_in_editor(initial: str, suffix: str) -> str:
    """Open $EDITOR (or $VISUAL, else vi) on a temporary file and return what was saved."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False, encoding="utf-8") as tmp:
        tmp.write(initial)
        path = Path(tmp.name)
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def show_progress(console: Console, history: History) -> None:
    """Progress per competency across every session."""
    progress = history.progress()
    if not progress:
        console.print("[dim]No graded attempts yet.[/]")
        return
    table = Table(title="Your progress by competency", header_style="bold")
    for col in ("Competency", "Attempts", "Mean", "Best", "Last", "Trend"):
        table.add_column(col, justify="left" if col == "Competency" else "right")
    for p in progress:
        trend = "–" if p.trend is None else f"{p.trend * 100:+.0f} pts"
        table.add_row(p.competency, str(p.attempts), f"{p.mean * 100:.0f}%",
                      f"{p.best * 100:.0f}%", f"{p.last * 100:.0f}%", trend)
    console.print(table)


def plan_session(
    bank: Bank, history: History, *, exercise_id: str | None, competency: Competency | None,
    loop: Loop | None, seed: int | None, count: int,
) -> list[Planned]:
    """What this session will ask, in order. Raises ValueError with a message for the user."""
    rng = random.Random(seed if seed is not None else secrets.randbits(32))
    if exercise_id is not None:
        exercise = bank.get(exercise_id)
        if not exercise.meta.practice:
            raise ValueError(f"{exercise_id!r} is for interviews only (practice = false in its "
                             "exercise.toml): it is never shown or graded in practice")
        kind = bank.kinds.get(exercise.kind)
        if kind is None or kind.grading_unavailable:
            reason = kind.grading_unavailable if kind else "kind not installed"
            raise ValueError(f"{exercise_id!r} cannot be practised yet: {reason}")
        return [Planned(exercise, seed if seed is not None else rng.randrange(1_000_000))]
    if loop is not None:
        planned: list[Planned] = []
        gradable_ids = {e.id for e in gradable(bank)}
        for stage in resolve_loop(loop, bank, rng.randrange(1_000_000)):
            for item in stage.exercises:
                if item.exercise_id in gradable_ids:
                    planned.append(Planned(bank.exercises[item.exercise_id], item.seed,
                                           stage.principle))
        if not planned:
            raise ValueError(f"loop {loop.id!r} has no exercise that can be graded yet")
        return planned
    chosen = choose_exercises(bank, history, competency, count, rng)
    if not chosen:
        what = f"competency {competency}" if competency else "the bank"
        raise ValueError(f"no gradable exercises for {what} yet")
    return [Planned(e, rng.randrange(1_000_000)) for e in chosen]


def run_session(
    console: Console, bank: Bank, history: History, plan: list[Planned],
    ask: Callable[[str], str] | None = None, confirm: Callable[[str], bool] | None = None,
) -> int:
    """Ask each planned exercise, grade it, show the evidence; returns how many were graded."""
    ask = ask or (lambda text: Prompt.ask(text, console=console))
    confirm = confirm or (lambda text: Confirm.ask(text, console=console, default=True))
    done = 0
    for index, item in enumerate(plan):
        exercise = item.exercise
        kind = bank.kinds.get(exercise.kind)
        assert kind is not None
        context = bank.context_for(exercise)
        if item.principle and item.principle in bank.principles:
            context["principle"] = bank.principles[item.principle].model_dump()
        variant = exercise.variant(item.seed, context)
        view = kind.render(exercise, variant)
        console.rule(f"Exercise {index + 1} of {len(plan)}")
        show_exercise(console, view)
        if view.input_kind == "audio":
            answer = ask("Path to your recording (webm, ogg, mp4, wav, mp3, flac)").strip()
            recording = Path(answer).expanduser()
            if not recording.is_file():
                console.print(f"[red]{answer}: no such file; skipping this exercise.[/]")
                continue
            submission = kind.read_submission(exercise, variant, recording)
        else:
            answer = read_answer(console, exercise, view.fields.get("starter"), ask)
            submission = Submission(exercise_id=exercise.id, seed=variant.seed, text=answer)
        result = grade(kind, exercise, variant, submission)
        show_grade(console, result)
        history.record(exercise, result, answer)
        done += 1
        if index + 1 < len(plan) and not confirm("Next exercise?"):
            break
    show_progress(console, history)
    return done
