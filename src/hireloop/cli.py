"""The ``hireloop`` command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from hireloop import __version__
from hireloop.config import get_settings

app = typer.Typer(
    help="hireloop: interviews and assessments for AI/ML roles. Practise with "
    "`hireloop practice`; check exercises with `hireloop bank check`.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
bank_app = typer.Typer(help="List, show and check the exercise bank.", no_args_is_help=True)
loop_app = typer.Typer(help="Interview loop templates.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure graders against human scores.", no_args_is_help=True)
app.add_typer(bank_app, name="bank")
app.add_typer(eval_app, name="eval")
app.add_typer(loop_app, name="loop")

console = Console()
err_console = Console(stderr=True, highlight=False)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error and exit."""
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def print_json(data: Any) -> None:
    """JSON on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def version_callback(value: bool) -> None:
    if value:
        console.print(f"hireloop {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option(
        "--version", callback=version_callback, is_eager=True, help="Show the version.")] = False,
) -> None:
    """hireloop."""


def _bank() -> Any:
    from hireloop.bank import load_bank

    settings = get_settings()
    bank = load_bank(settings.bank_roots(), principles_file=settings.principles_path())
    for problem in bank.problems:
        err_console.print(f"[yellow]warning:[/] {problem}")
    return bank


def _warn_unusable(bank: Any) -> None:
    broken = [e for e in bank.entries.values() if not e.ok]
    if broken:
        err_console.print(f"[yellow]warning:[/] {len(broken)} exercise(s) unavailable; "
                          "`hireloop bank check` says why:")
        for entry in broken[:5]:
            reason = entry.unavailable or (str(entry.errors[0]) if entry.errors else "")
            err_console.print(f"  {entry.id}: {reason}")


def _resolve_exercise(bank: Any, ref: str) -> Any:
    """An exercise by id, or by a path to its directory (for authors)."""
    path = Path(ref)
    if (path / "exercise.toml").is_file():
        from hireloop.bank import bank_for_paths

        bank = bank_for_paths([path], principles_file=get_settings().principles_path())
        entries = list(bank.entries.values())
        if len(entries) != 1 or not entries[0].ok:
            problems = [str(e) for e in entries[0].errors] if entries else []
            if entries and entries[0].unavailable:
                problems.append(entries[0].unavailable)
            fail(f"{ref} is not a valid exercise:\n  " + "\n  ".join(problems))
        return bank, entries[0].exercise
    try:
        return bank, bank.get(ref)
    except KeyError as exc:
        fail(str(exc.args[0]))


@app.command("kinds")
def kinds_command(as_json: JsonFlag = False) -> None:
    """List the installed exercise kinds and any plugin that failed to load."""
    from hireloop.plugins import load_kinds

    registry = load_kinds()
    rows = [{**k.describe(), "plugin": registry.origins[n]}
            for n, k in sorted(registry.kinds.items())]
    problems = [{"plugin": p.plugin, "message": p.message} for p in registry.problems]
    if as_json:
        print_json({"kinds": rows, "problems": problems})
        return
    table = Table(header_style="bold")
    for col in ("Kind", "Version", "Grading", "Plugin"):
        table.add_column(col)
    for row in rows:
        table.add_row(row["name"], row["version"],
                      "yes" if row["grading"] else f"not yet: {row['note']}", row["plugin"])
    console.print(table)
    for p in problems:
        err_console.print(f"[red]plugin {p['plugin']} failed:[/] {p['message']}")


@bank_app.command("list")
def bank_list(
    kind: Annotated[str | None, typer.Option(help="Only this kind.")] = None,
    competency: Annotated[str | None, typer.Option(help="Only this competency.")] = None,
    level: Annotated[str | None, typer.Option(help="Only this level.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the usable exercises of the bank."""
    from hireloop.core import Competency, Level

    if competency is not None and competency not in {c.value for c in Competency}:
        fail(f"unknown competency {competency!r}; one of: "
             + ", ".join(c.value for c in Competency))
    if level is not None and level not in {v.value for v in Level}:
        fail(f"unknown level {level!r}; one of: " + ", ".join(v.value for v in Level))
    bank = _bank()
    _warn_unusable(bank)
    rows = []
    for exercise in sorted(bank.exercises.values(), key=lambda e: e.id):
        meta = exercise.meta
        if kind and meta.kind != kind:
            continue
        if competency and competency not in meta.competencies:
            continue
        if level and meta.level != level:
            continue
        grader = bank.kinds.get(meta.kind)
        rows.append({
            "id": exercise.id, "kind": meta.kind, "title": meta.title,
            "competencies": [str(c) for c in meta.competencies], "level": str(meta.level),
            "minutes": meta.minutes, "variants": exercise.has_variants,
            "gradable": grader is not None and grader.grading_unavailable is None,
        })
    if as_json:
        print_json(rows)
        return
    table = Table(header_style="bold", title=f"{len(rows)} exercises")
    for col in ("Id", "Kind", "Level", "Min", "Competencies", "Title"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(r["id"] + (" [dim](variants)[/]" if r["variants"] else ""), r["kind"],
                      r["level"], str(r["minutes"]), ", ".join(r["competencies"]), r["title"])
    console.print(table)


@bank_app.command("show")
def bank_show(
    exercise: Annotated[str, typer.Argument(help="Exercise id, or the path to its directory.")],
    seed: Annotated[int, typer.Option(help="The variant to show.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Show an exercise as a candidate sees it (never its hidden parts)."""
    from hireloop.display import show_exercise

    bank, ex = _resolve_exercise(_bank(), exercise)
    kind = bank.kinds.get(ex.kind)
    view = kind.render(ex, bank.variant(ex, seed))
    if as_json:
        print_json(view.model_dump(mode="json"))
        return
    show_exercise(console, view)


@bank_app.command("check")
def bank_check(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="Exercise directories or bank folders (default: every configured bank).")] = None,
    as_json: JsonFlag = False,
    jobs: Annotated[int, typer.Option(
        "--jobs", "-j", min=1, max=64,
        help="Check this many exercises at once, in separate processes.")] = 1,
) -> None:
    """Validate exercises and run every sample through its kind's grader. Exit 1 on a problem."""
    from hireloop.bank import bank_for_paths
    from hireloop.bank.check import check_bank
    from hireloop.bank.loops import check_loop, load_loops

    settings = get_settings()
    try:
        bank = (bank_for_paths(paths, principles_file=settings.principles_path()) if paths
                else _bank())
    except FileNotFoundError as exc:
        fail(str(exc))
    entries = [*bank.entries.values(), *bank.duplicates]
    if not entries:
        fail("no exercises found (an exercise is a folder with an exercise.toml)")
    with Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), console=err_console,
                  transient=True, disable=as_json or not err_console.is_terminal) as progress:
        task = progress.add_task("", total=len(entries))

        def advance(name: str) -> None:
            progress.update(task, advance=1, description=name)

        reports = check_bank(bank, progress=advance, jobs=jobs,
                             principles_file=settings.principles_path())
    loop_reports: list[dict[str, Any]] = []
    if not paths:
        for loaded in load_loops(settings.loop_dirs()).values():
            errors = check_loop(loaded, bank)
            loop_reports.append({"id": loaded.id, "ok": not errors,
                                 "errors": [str(e) for e in errors]})
    ok = (all(r.ok for r in reports) and all(r["ok"] for r in loop_reports)
          and not bank.problems)
    if as_json:
        print_json({"ok": ok, "exercises": [r.as_json() for r in reports],
                    "loops": loop_reports, "problems": [str(p) for p in bank.problems]})
        raise typer.Exit(0 if ok else 1)
    table = Table(header_style="bold", expand=True)
    for col in ("Exercise", "Kind", "Result", "Details"):
        table.add_column(col, overflow="fold")
    for r in sorted(reports, key=lambda r: (r.ok, r.id)):
        skipped = sum(s.skipped for s in r.samples)
        passed = sum(s.ok for s in r.samples)
        failed = [s for s in r.samples if not s.ok and not s.skipped]
        result = "[green]ok[/]" if r.ok else "[red]FAIL[/]"
        details = "\n".join(r.errors[:8])
        details += "".join(f"\nsample {s.name} (seed {s.seed}): expected {s.expected}; got {s.got}"
                           for s in failed)
        summary = f"{passed} passed" + (f", {skipped} skipped" if skipped else "")
        if r.warnings:
            summary += f"; {len(r.warnings)} warning(s): " + "; ".join(r.warnings[:3])
        table.add_row(r.id, r.kind or "?", result, (details.strip() or summary))
    console.print(table)
    for lr in loop_reports:
        if not lr["ok"]:
            console.print(f"[red]loop {lr['id']}:[/] " + "; ".join(lr["errors"]))
    n_ok = sum(r.ok for r in reports)
    n_samples = sum(len(r.samples) for r in reports)
    n_skipped = sum(s.skipped for r in reports for s in r.samples)
    console.print(f"{n_ok}/{len(reports)} exercises ok; {n_samples} sample runs, "
                  f"{n_skipped} skipped (kinds whose grader has not landed)"
                  + (f"; {len(loop_reports)} loops checked" if loop_reports else ""))
    raise typer.Exit(0 if ok else 1)


@app.command("grade")
def grade_command(
    exercise: Annotated[str, typer.Argument(help="Exercise id, or the path to its directory.")],
    file: Annotated[Path, typer.Argument(help="The submission: a file or a project directory.")],
    seed: Annotated[int, typer.Option(help="The variant the submission answers.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Grade one submission non-interactively."""
    from hireloop.bank.grading import GradingUnavailable, grade
    from hireloop.display import show_grade
    from hireloop.integrity import flag_grade

    if not file.exists():
        fail(f"{file}: no such file or directory")
    bank, ex = _resolve_exercise(_bank(), exercise)
    kind = bank.kinds.get(ex.kind)
    variant = bank.variant(ex, seed)
    try:
        submission = kind.read_submission(ex, variant, file)
        result = grade(kind, ex, variant, submission)
        if result.outcome != "error":
            result = flag_grade(kind, ex, variant, submission, result, name=str(file))
    except GradingUnavailable as exc:
        fail(f"{ex.id} cannot be graded yet: {exc}")
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")
    if as_json:
        print_json(result.model_dump(mode="json"))
    else:
        show_grade(console, result, interviewer=True)
    raise typer.Exit(0 if result.outcome != "error" else 1)


@app.command("similarity")
def similarity_command(
    exercise: Annotated[str, typer.Argument(help="Exercise id, or the path to its directory.")],
    paths: Annotated[list[Path], typer.Argument(
        help="Submissions: files or project directories (two or more, or one to compare with "
             "the exercise's own solutions).")],
    seed: Annotated[int, typer.Option(help="The variant the submissions answer.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Compare submissions with each other and with the exercise's reference, exemplary
    samples and known solutions; print the pairs above the threshold with the matched regions.
    Similarity informs a reviewer; it never changes a grade."""
    from hireloop.integrity import Document, Index, check_against, exercise_sources, threshold

    for path in paths:
        if not path.exists():
            fail(f"{path}: no such file or directory")
    bank, ex = _resolve_exercise(_bank(), exercise)
    kind = bank.kinds.get(ex.kind)
    variant = bank.variant(ex, seed)
    sources = exercise_sources(kind, ex, variant)
    if sources is None:
        fail(f"{ex.id} is a {ex.kind} exercise: its answers are not compared for similarity")
    index = Index(sources.medium, sources.ignore)
    for path in paths:
        try:
            submission = kind.read_submission(ex, variant, path)
        except OSError as exc:
            fail(f"cannot read {path}: {exc}")
        index.add(Document(str(path), kind.comparable_text(submission), sources.medium))
    matches = index.all_pairs()
    for document in index.documents:
        matches += check_against(document, sources.documents, sources.ignore)
    matches.sort(key=lambda m: -m.similarity)
    if as_json:
        print_json({"exercise": ex.id, "medium": sources.medium,
                    "threshold": threshold(sources.medium),
                    "compared": [d.name for d in index.documents],
                    "against": [{"name": d.name, "role": d.role} for d in sources.documents],
                    "pairs": [m.as_json() for m in matches]})
        return
    console.print(f"{len(index.documents)} submission(s) of [bold]{ex.id}[/] compared with each "
                  f"other and with {len(sources.documents)} of the exercise's own solution(s); "
                  f"threshold {threshold(sources.medium):.0%}.")
    if not matches:
        console.print("No pair above the threshold.")
        return
    for m in matches:
        console.print(f"\n[bold yellow]{m.similarity:.0%}[/] ({m.method}) "
                      f"[bold]{escape(m.a.name)}[/] ~ [bold]{escape(m.b.name)}[/]"
                      + (f" [dim]({m.b.role.replace('_', ' ')})[/]" if m.b.role != "submission"
                         else ""))
        for region in m.as_json()["regions"][:10]:
            a, b = region["a"], region["b"]
            console.print(f"  lines {a['lines'][0]}–{a['lines'][1]}  ~  "
                          f"lines {b['lines'][0]}–{b['lines'][1]}")
    console.print("\n[dim]Similar is not the same as copied: look at the regions before "
                  "concluding anything.[/]")


@app.command("audit")
def audit_command(
    path: Annotated[Path | None, typer.Argument(
        help="CSV with one row per candidate: an outcome or score column and one column per "
             "group. Leave it out to audit the platform's own decisions (--loop, --since, "
             "--until).")] = None,
    outcome: Annotated[str | None, typer.Option(
        help="Outcome column: 1 = selected/advanced, 0 = not (default: 'outcome').")] = None,
    score: Annotated[str | None, typer.Option(
        help="Score column: audit scoring rates (the share above the median of all "
             "candidates) instead of selection rates.")] = None,
    groups: Annotated[str | None, typer.Option(
        help="Group columns, comma-separated; the first two are also crossed "
             "(default: sex,race_ethnicity).")] = None,
    loop: Annotated[int | None, typer.Option(
        help="Platform audit: this loop's decided interviews (default: every loop).")] = None,
    since: Annotated[str | None, typer.Option(
        help="Platform audit: interviews invited on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[str | None, typer.Option(
        help="Platform audit: interviews invited on or before this date (YYYY-MM-DD).")] = None,
    scoring: Annotated[bool, typer.Option(
        "--scoring",
        help="Platform audit: scoring rates of the automatic overall score (the share above "
             "the median of every fully graded interview) instead of selection rates of the "
             "decisions.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Adverse-impact audit: selection or scoring rates per category, impact ratios against the
    highest rate, the four-fifths rule, the first two groups crossed, small categories and
    unknown answers. It informs; it does not certify compliance with any law."""
    from hireloop.fairness.audit import AuditError, read_csv, run_audit

    platform = loop is not None or since is not None or until is not None or scoring
    if path is not None and platform:
        fail("give a CSV file or --loop/--since/--until/--scoring (the platform's records), "
             "not both")
    if path is None:
        if outcome or score or groups:
            fail("--outcome, --score and --groups apply to a CSV file; name the file "
                 "(for the platform's scores, use --scoring)")
        result = _platform_audit(loop, since, until, "scoring" if scoring else "selection")
    else:
        try:
            data = read_csv(path, outcome=outcome, score=score,
                            groups=groups.split(",") if groups else None)
            result = run_audit(data)
        except AuditError as exc:
            fail(str(exc))
    if as_json:
        print_json(result)
        return
    if not result["n"]:
        for warning in result["warnings"]:
            console.print(f"[yellow]![/] {escape(warning)}")
        return
    what = "scoring rate (share above the median" + (
        f" {result['median']:g})" if "median" in result else ")")
    rate_name = what if result["mode"] == "scoring" else "selection rate"
    console.print(f"{result['n']} candidates; {rate_name} overall {result['rate']:.1%}.")
    for group, rows in result["groups"].items():
        table = Table(title=group, title_justify="left")
        for column in ("category", "n", "rate", "impact ratio", "< 4/5", "p (Fisher)", "note"):
            table.add_column(column, justify="left" if column in {"category", "note"}
                             else "right")
        for row in rows:
            ratio = row["impact_ratio"]
            table.add_row(
                escape(row["category"]), str(row["n"]), f"{row['rate']:.1%}",
                "—" if ratio is None else f"{ratio:.3f}",
                "[bold red]yes[/]" if row["below_four_fifths"] else "",
                "" if row["p_value"] is None else f"{row['p_value']:.3f}",
                "under 2%: left out" if row["excluded_small"] else "",
            )
        missing = result["unknown"][group]
        if missing["n"]:
            table.add_row("(unknown or declined)", str(missing["n"]), "", "", "", "",
                          escape(", ".join(f"{k}: {v}" for k, v in missing["values"].items())))
        console.print(table)
    for warning in result["warnings"]:
        console.print(f"[yellow]![/] {escape(warning)}")
    console.print("[dim]An audit informs; it does not certify compliance with any law.[/]")


def _platform_audit(loop: int | None, since: str | None, until: str | None,
                    mode: Literal["selection", "scoring"]) -> Any:
    """The audit of the platform's interviews: selection (decided interviews, advance vs
    reject) or scoring (fully graded interviews' automatic overall scores)."""
    from datetime import UTC, datetime, timedelta

    from hireloop.db import open_database
    from hireloop.fairness.selfid import loop_audit

    def day(value: str | None, name: str) -> datetime | None:
        if value is None:
            return None
        try:
            return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            fail(f"--{name} must be a date like 2026-01-31, not {value!r}")

    start, end = day(since, "since"), day(until, "until")
    from hireloop.db.models import LoopRecord

    with open_database(get_settings().db_url()).session(write=False) as s:
        if loop is not None and s.get(LoopRecord, loop) is None:
            fail(f"no loop {loop} (see the Loops page for the ids)")
        return loop_audit(s, loop, since=start, until=end + timedelta(days=1) if end else None,
                          mode=mode)


@app.command("quality")
def quality_command(as_json: JsonFlag = False) -> None:
    """Assessment quality per exercise, from the platform's database: override rate, agreement
    of the automatic score with the final one (quadratic weighted kappa, mean difference),
    re-grade consistency and the score spread; low agreement is flagged for the authors."""
    from hireloop.db import open_database
    from hireloop.fairness.quality import exercise_quality

    settings = get_settings()
    with open_database(settings.db_url()).session(write=False) as s:
        rows = exercise_quality(s)
    if as_json:
        print_json(rows)
        return
    if not rows:
        console.print("No graded interview answers yet.")
        return
    table = Table()
    for column in ("exercise", "graded", "overridden", "kappa", "mean |diff|", "re-grades",
                   "mean ± sd", "flag"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            r["exercise_id"], str(r["graded"]), f"{r['overridden']} ({r['override_rate']:.0%})",
            "—" if r["kappa"] is None else f"{r['kappa']:.2f}", f"{r['mean_abs_difference']:.2f}",
            str(r["regrades"]), f"{r['mean']:.2f} ± {r['sd']:.2f}",
            "[bold red]" + escape("; ".join(r["reasons"])) + "[/]" if r["flagged"] else "")
    console.print(table)


@app.command("practice")
def practice_command(
    competency: Annotated[str | None, typer.Option(help="Practise this competency.")] = None,
    exercise: Annotated[str | None, typer.Option(help="Practise this exercise (id).")] = None,
    loop: Annotated[str | None, typer.Option(help="Run a mock interview of this loop.")] = None,
    count: Annotated[int, typer.Option(min=1, max=50, help="How many exercises.")] = 3,
    seed: Annotated[int | None, typer.Option(help="Fix the random choices (for repeatability).")
                    ] = None,
) -> None:
    """A mock interview in the terminal: answer, get graded with evidence, track progress."""
    from hireloop.bank.loops import load_loops
    from hireloop.core import Competency
    from hireloop.practice import History
    from hireloop.practice.session import plan_session, run_session

    settings = get_settings()
    comp = None
    if competency is not None:
        try:
            comp = Competency(competency)
        except ValueError:
            fail(f"unknown competency {competency!r}; one of: "
                 + ", ".join(c.value for c in Competency))
    loop_obj = None
    if loop is not None:
        loops = load_loops(settings.loop_dirs())
        if loop not in loops:
            fail(f"no loop {loop!r}; see `hireloop loop list`")
        if loops[loop].loop is None:
            fail(f"loop {loop!r} is invalid: " + "; ".join(str(e) for e in loops[loop].errors))
        loop_obj = loops[loop].loop
    bank = _bank()
    history = History(settings.data_dir / "practice.sqlite")
    try:
        plan = plan_session(bank, history, exercise_id=exercise, competency=comp, loop=loop_obj,
                            seed=seed, count=count)
    except (KeyError, ValueError) as exc:
        fail(str(exc.args[0]) if exc.args else str(exc))
    try:
        run_session(console, bank, history, plan)
    except (KeyboardInterrupt, EOFError):
        console.print("\n[dim]Stopped. Answers graded so far are saved.[/]")
    finally:
        history.close()


@app.command("progress")
def progress_command(as_json: JsonFlag = False) -> None:
    """Your practice progress per competency, across sessions."""
    from dataclasses import asdict

    from hireloop.practice import History
    from hireloop.practice.session import show_progress

    history = History(get_settings().data_dir / "practice.sqlite")
    try:
        if as_json:
            print_json([asdict(p) for p in history.progress()])
        else:
            show_progress(console, history)
    finally:
        history.close()


@loop_app.command("list")
def loop_list(as_json: JsonFlag = False) -> None:
    """List the interview loop templates."""
    from hireloop.bank.loops import load_loops

    loops = load_loops(get_settings().loop_dirs())
    rows: list[dict[str, Any]] = []
    for loaded in loops.values():
        lp = loaded.loop
        rows.append({"id": loaded.id, "ok": lp is not None,
                     "title": lp.title if lp else None, "role": lp.role if lp else None,
                     "stages": [s.name for s in lp.stage] if lp else [],
                     "minutes": lp.minutes if lp else None,
                     "errors": [str(e) for e in loaded.errors]})
    if as_json:
        print_json(rows)
        return
    table = Table(header_style="bold")
    for col in ("Id", "Role", "Minutes", "Stages"):
        table.add_column(col, overflow="fold")
    for r in rows:
        if r["ok"]:
            table.add_row(r["id"], r["role"], str(r["minutes"]), " → ".join(r["stages"]))
        else:
            table.add_row(r["id"], "[red]invalid[/]", "", "; ".join(r["errors"]))
    console.print(table)


@loop_app.command("show")
def loop_show(
    loop: Annotated[str, typer.Argument(help="The loop's id (its file name).")],
    seed: Annotated[int, typer.Option(help="Resolve picks for this candidate seed.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    """Show a loop's stages and the exercises one candidate would get."""
    from hireloop.bank.loops import check_loop, load_loops, resolve_loop

    loops = load_loops(get_settings().loop_dirs())
    if loop not in loops:
        fail(f"no loop {loop!r}; see `hireloop loop list`")
    loaded = loops[loop]
    bank = _bank()
    errors = check_loop(loaded, bank)
    if errors or loaded.loop is None:
        fail("\n".join(str(e) for e in errors))
    plan = resolve_loop(loaded.loop, bank, seed)
    if as_json:
        print_json({"id": loop, "title": loaded.loop.title, "feedback": loaded.loop.feedback,
                    "pass_rule": loaded.loop.pass_rule.model_dump(),
                    "stages": [{"name": s.name, "minutes": s.minutes, "weight": s.weight,
                                "principle": s.principle,
                                "exercises": [{"id": e.exercise_id, "seed": e.seed}
                                              for e in s.exercises]} for s in plan]})
        return
    lp = loaded.loop
    console.print(f"[bold]{lp.title}[/] — {lp.role}, {lp.minutes} min, feedback: {lp.feedback}")
    if lp.description:
        console.print(lp.description)
    for stage in plan:
        console.print(f"\n[bold]{stage.name}[/] ({stage.minutes} min, weight {stage.weight:g})")
        for item in stage.exercises:
            ex = bank.exercises[item.exercise_id]
            console.print(f"  • {ex.id} [dim]({ex.kind}, {ex.meta.level})[/] {ex.meta.title}")
    console.print(f"\nPass: overall ≥ {lp.pass_rule.min_overall:.0%}, every stage ≥ "
                  f"{lp.pass_rule.min_stage:.0%}")


@eval_app.command("answers")
def eval_answers(
    file: Annotated[Path, typer.Argument(
        help="Tab-separated: question_id, question, reference_answer, student_answer, score"
        "[, label, split]")],
    cv: Annotated[int | None, typer.Option(
        "--cv", min=2, max=20, help="K-fold cross-validation grouped by question.")] = None,
    train_split: Annotated[str | None, typer.Option(
        "--train-split", help="Fit on the rows of this split; report the others.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Grade human-scored answers and report agreement (Pearson, Spearman, RMSE, QWK, F1)."""
    from hireloop.nlp.embeddings import ModelUnavailable, shared_embedder
    from hireloop.nlp.evaluation import EvalFileError, evaluate, measure, read_rows

    if cv is not None and train_split is not None:
        fail("use --cv or --train-split, not both")
    try:
        rows = read_rows(file)
    except EvalFileError as exc:
        fail(str(exc))
    try:
        embedder = shared_embedder()
    except ModelUnavailable as exc:
        fail(str(exc))
    with Progress(TextColumn("grading answers"), BarColumn(), MofNCompleteColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("", total=len(rows))
        measurements = measure(rows, embedder,
                               progress=lambda n: progress.update(task, completed=n))
    try:
        result = evaluate(rows, measurements, cv=cv, train_split=train_split)
    except EvalFileError as exc:
        fail(str(exc))
    if as_json:
        print_json(result.as_json())
        return
    table = Table(header_style="bold", title=f"{file.name}: {result.mode}")
    keys = [k for k in ("n", "pearson", "spearman", "rmse", "qwk", "macro_f1", "accuracy")
            if k in result.overall]
    table.add_column("rows")
    for key in keys:
        table.add_column(key, justify="right")
    table.add_row("overall", *[str(result.overall[k]) for k in keys])
    for split, metrics in result.splits.items():
        table.add_row(split, *[str(metrics.get(k, "")) for k in keys])
    console.print(table)


def _mount_optional_apps() -> None:
    from hireloop import server_cli

    server_cli.mount(app)
    try:
        from hireloop.sandbox.cli import sandbox_app
    except ImportError:
        return
    app.add_typer(sandbox_app, name="sandbox")


def _mount_speech() -> None:
    from hireloop.speech.cli import transcribe_command

    app.command("transcribe")(transcribe_command)


_mount_optional_apps()
_mount_speech()
