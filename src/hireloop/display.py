"""Showing exercises and grades in the terminal (Rich), shared by the CLI and practice mode."""

from __future__ import annotations

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from hireloop.core import CandidateView, Grade, Outcome


def show_exercise(console: Console, view: CandidateView) -> None:
    """The exercise as a candidate sees it: header, prompt, options or starter."""
    comps = ", ".join(str(c) for c in view.competencies)
    subtitle = f"{view.kind} · {comps} · {view.level} · about {view.minutes} min"
    if view.seed:
        subtitle += f" · variant {view.seed}"
    parts: list[object] = [Markdown(view.prompt)]
    options = view.fields.get("options")
    if options:
        table = Table.grid(padding=(0, 2))
        for option in options:
            table.add_row(f"[bold cyan]{option['id']}[/]", Markdown(option["text"]))
        parts += ["", table]
    parts += ["", f"[dim]{view.answer_format}[/]"]
    console.print(Panel(Group(*parts), title=f"[bold]{view.title}[/]", subtitle=subtitle,  # type: ignore[arg-type]
                        title_align="left", subtitle_align="left"))


def show_grade(console: Console, grade: Grade, *, interviewer: bool = False) -> None:
    """A grade with its evidence: score, criteria, feedback (and notes for interviewers)."""
    if grade.outcome is Outcome.GRADED:
        colour = "green" if grade.score >= 0.7 else "yellow" if grade.score >= 0.4 else "red"
        headline = f"[bold {colour}]Score {grade.score * 100:.0f}%[/]"
    elif grade.outcome is Outcome.NOT_GRADABLE:
        headline = "[bold yellow]Not gradable[/]: " + (grade.message or "")
    else:
        headline = "[bold red]Grading error (not your fault)[/]: " + (grade.message or "")
    parts: list[object] = [headline]
    if grade.criteria:
        table = Table(show_header=True, header_style="bold", expand=True)
        table.add_column("Criterion")
        table.add_column("Points", justify="right", no_wrap=True)
        table.add_column("Evidence")
        for c in grade.criteria:
            table.add_row(c.name, f"{c.points:g} / {c.max_points:g}", "\n".join(c.evidence))
        parts += ["", table]
    if grade.feedback:
        parts += ["", "[bold]Feedback[/]", *[f"• {line}" for line in grade.feedback]]
    if interviewer and grade.notes:
        parts += ["", "[bold]Notes for the interviewer[/]", *[f"• {n}" for n in grade.notes]]
    if interviewer and grade.flags:
        parts += ["", "[bold yellow]Flags for a person to look at[/] (they change no score)",
                  *[f"• {escape(f.code)}: {escape(f.detail)}" for f in grade.flags]]
    console.print(Panel(Group(*parts), title="Result", subtitle=f"graded by {grade.grader}",  # type: ignore[arg-type]
                        title_align="left", subtitle_align="right"))
