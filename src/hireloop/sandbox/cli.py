"""``hireloop sandbox``: run a file in the sandbox, check this host's protections.

Mounted by ``hireloop.cli`` as ``hireloop sandbox``; importing this module stays cheap
(the sandbox itself is imported when a command runs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["sandbox_app"]

sandbox_app = typer.Typer(
    help="Run untrusted code in the sandbox; check which protections this host supports.",
    no_args_is_help=True,
)

_TRIM = 2000


def _trim(text: str, limit: int = _TRIM) -> str:
    return text if len(text) <= limit else "…" + text[-limit:]


@sandbox_app.command("run")
def run_command(
    file: Annotated[Path, typer.Argument(help="The Python file to run; its directory is "
                                         "copied in as the work dir.", exists=True,
                                         dir_okay=False, readable=True)],
    time_s: Annotated[float, typer.Option("--time", help="CPU time limit (seconds).",
                                          min=0.01)] = 2.0,
    memory: Annotated[int, typer.Option("--memory", help="Memory limit (MB).", min=8)] = 256,
    wall: Annotated[float | None, typer.Option("--wall", help="Wall-clock limit (seconds); "
                                               "default 2 x time + 1.")] = None,
    stdin_file: Annotated[Path | None, typer.Option("--stdin", help="File fed to stdin.",
                                                    exists=True, dir_okay=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    unsafe: Annotated[bool, typer.Option(
        "--unsafe", help="Run WITHOUT isolation (rlimits only). Trusted code only.")] = False,
) -> None:
    """Run FILE.py in a fresh sandbox and print its verdict and measurements.

    Exit status: 0 when the verdict is ok, 1 for any other verdict, 2 when the sandbox
    cannot run here.
    """
    from . import Limits, SandboxUnavailable, run_file

    try:
        limits = Limits(time_s=time_s, memory_mb=memory, wall_s=wall)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    data = stdin_file.read_bytes() if stdin_file else None
    try:
        result = run_file(file, limits=limits, stdin=data, unsafe=True if unsafe else None)
    except SandboxUnavailable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(max_chars=_TRIM * 5), ensure_ascii=False)
                         + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        colour = "green" if result.ok else "red"
        table = Table(show_header=False, box=None)
        table.add_row("verdict", f"[bold {colour}]{result.verdict.value}[/]"
                      + (f"  ({result.detail})" if result.detail else ""))
        table.add_row("exit code", str(result.exit_code) if result.signal is None
                      else f"signal {result.signal}")
        table.add_row("cpu", f"{result.cpu_s:.3f} s")
        table.add_row("wall", f"{result.wall_s:.3f} s")
        table.add_row("peak memory", f"{result.memory_mb:.1f} MB")
        table.add_row("mode", result.mode)
        console.print(table)
        for name, text, cut in (("stdout", result.stdout_text, result.stdout_truncated),
                                ("stderr", result.stderr_text, result.stderr_truncated)):
            if text:
                console.rule(name + (" (truncated)" if cut else ""))
                console.print(_trim(text), markup=False, highlight=False)
    raise typer.Exit(0 if result.ok else 1)


@sandbox_app.command("doctor")
def doctor_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    probe: Annotated[bool, typer.Option(help="Also run real sandboxes to check from "
                                        "the inside.")] = True,
) -> None:
    """Report which protections this host supports (exit 1 if a required one is missing)."""
    from .doctor import doctor, full_protection

    checks = doctor(probe=probe)
    ok = full_protection(checks)
    if as_json:
        sys.stdout.write(json.dumps({
            "ok": ok,
            "checks": [{"protection": c.protection, "supported": c.supported,
                        "required": c.required, "detail": c.detail} for c in checks],
        }, indent=2) + "\n")
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="hireloop sandbox doctor")
        table.add_column("protection")
        table.add_column("", justify="center")
        table.add_column("detail", overflow="fold")
        for c in checks:
            mark = "[green]yes[/]" if c.supported else (
                "[red]NO[/]" if c.required else "[yellow]no[/]")
            table.add_row(c.protection, mark, c.detail)
        console = Console()
        console.print(table)
        console.print("[bold green]Candidate code can run isolated on this host.[/]" if ok
                      else "[bold red]Candidate code cannot run isolated here; hireloop "
                      "refuses to run it (see docs/sandbox.md).[/]")
    raise typer.Exit(0 if ok else 1)
