"""``hireloop transcribe FILE [--json]``: the transcript of a recording, with word timings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

err_console = Console(stderr=True, highlight=False)


def transcribe_command(
    file: Annotated[Path, typer.Argument(help="A recording: webm, ogg, mp4/m4a, wav, mp3, flac.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")] = False,
    model: Annotated[str | None, typer.Option(
        help="tiny.en or base (default: the HIRELOOP_WHISPER_MODEL setting).")] = None,
) -> None:
    """Transcribe a recording offline, with the time of every word."""
    from hireloop.config import get_settings
    from hireloop.speech.audio import AudioError, decode
    from hireloop.speech.delivery import clock
    from hireloop.speech.models import MODEL_NAMES, ModelUnavailable
    from hireloop.speech.transcribe import shared_model, transcribe

    settings = get_settings()
    name = model or settings.whisper_model
    if name not in MODEL_NAMES:
        _fail(f"--model: {name!r} is not a model; choose one of {', '.join(MODEL_NAMES)}")
    try:
        data = file.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror or exc}")
    try:
        audio = decode(data, name=str(file))
    except AudioError as exc:
        _fail(exc.message)
    try:
        loaded = shared_model(name, settings.data_dir)
    except ModelUnavailable as exc:
        _fail(str(exc), code=1)

    def progress(done: float, total: float) -> None:
        err_console.print(f"transcribed {clock(done)} of {clock(total)}", end="\r")

    result = transcribe(audio.samples, loaded, progress=progress if sys.stderr.isatty() else None)
    if as_json:
        sys.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n")
        return
    if not result.words:
        err_console.print(f"no speech was heard in {file}")
        return
    out = Console()
    for segment in result.segments:
        out.print(f"[bold][{clock(segment.start)}–{clock(segment.end)}][/] {segment.text}")
        words = [w for w in result.words if segment.start <= w.start <= segment.end]
        out.print("  " + " ".join(f"{w.word}[dim]@{w.start:.2f}[/]" for w in words),
                  highlight=False)
    out.print(f"[dim]{result.duration_s:.1f} s, Whisper {result.model}[/]")


def _fail(message: str, code: int = 2) -> typer.Exit:
    err_console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)
