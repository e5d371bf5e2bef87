"""``hireloop serve``, ``hireloop worker``, ``hireloop user add`` and ``hireloop db upgrade``."""

from __future__ import annotations

import logging
import os
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hireloop.config import Settings, get_settings

console = Console(stderr=True, highlight=False)
user_app = typer.Typer(help="Team members (admins and interviewers).", no_args_is_help=True)
db_app = typer.Typer(help="The web platform's database.", no_args_is_help=True)


def _settings(data_dir: Path | None) -> Settings:
    """The settings, with ``--data-dir`` in force everywhere: for this process's later
    ``get_settings()`` calls (the installation key, what sandboxes hide) and for the processes
    it starts, as if ``HIRELOOP_DATA_DIR`` had been set."""
    if data_dir is not None:
        import os

        os.environ["HIRELOOP_DATA_DIR"] = str(data_dir.resolve())
        get_settings.cache_clear()
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="Where the database, queue and uploads live "
    "(default: HIRELOOP_DATA_DIR or ~/.local/share/hireloop).")]


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: DataDir = None,
    grading_threads: Annotated[int | None, typer.Option(
        help="Grading threads in this process (default: HIRELOOP_GRADING_THREADS, 2).")] = None,
) -> None:
    """Run the web app (and, by default, grading) on the embedded default: SQLite in the
    data dir and an in-process job queue; PostgreSQL and Redis when configured.

    Started as root, grading and trial runs go to a privileged child process and the web
    process drops to HIRELOOP_USER (docs/operating.md, "Privilege separation")."""
    import socket

    import uvicorn

    from hireloop.db import open_database
    from hireloop.hiring import service
    from hireloop.web import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = _settings(data_dir)
    threads = settings.grading_threads if grading_threads is None else grading_threads
    console.print(f"hireloop: database {_redact(settings.db_url())}; queue "
                  f"{'Redis' if settings.redis_url else 'SQLite in ' + str(settings.data_dir)}")
    privileged = os.geteuid() == 0
    with open_database(settings.db_url()).session() as s:
        if not service.has_admin(s):
            token = service.new_setup_token(s)
            base = (settings.base_url or f"http://{_display_host(host)}:{port}").rstrip("/")
            console.print(
                "\n[bold]No admin yet.[/] Open this one-time link to create the first admin:\n"
                f"  {base}/setup/{token}\n"
                "(or run `hireloop user add --admin EMAIL`)\n")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    grader = None
    if privileged:
        from hireloop import privsep
        from hireloop.jobs.runtime import make_huey

        user = privsep.web_user(settings.user)
        for queue in ("hireloop", "hireloop-trials"):  # made here, then handed to the web user
            make_huey(settings, queue).pending_count()
        privsep.prepare_data_dir(settings.data_dir, user)
        if threads > 0:
            grader = privsep.start_grader(settings.data_dir, threads)
        import sys

        privsep.expose([Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
                        *[Path(p) for p in sys.path if p], settings.data_dir,
                        *settings.bank_roots(), *settings.loop_dirs(),
                        settings.principles_path().parent], user)
        privsep.drop_to(user)
        console.print(f"hireloop: web process {os.getpid()} runs as {user.name} (uid "
                      f"{user.uid}); grading and trial runs in process "
                      f"{grader.pid if grader else '(none: workers elsewhere)'} as root")
        threads = 0
    platform = service.Platform.create(settings)
    app = create_app(settings, platform, grading_threads=threads)
    config = uvicorn.Config(app, log_level="info", proxy_headers=False,
                            timeout_graceful_shutdown=10)
    server = uvicorn.Server(config)
    if grader is not None:
        _watch(grader, server)
    server.run(sockets=[listener])
    if grader is not None and grader.poll() is not None and grader.returncode != 0:
        raise typer.Exit(1)


def _watch(grader: Any, server: Any) -> None:
    """Stop serving when the privileged grading process dies (a supervisor restarts both)."""
    def wait() -> None:
        code = grader.wait()
        if not server.should_exit:
            console.print(f"[red]error:[/] the grading process exited ({code}); stopping")
            server.should_exit = True

    threading.Thread(target=wait, name="hireloop-grader-watch", daemon=True).start()


def _display_host(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104 - only displayed


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def worker(
    threads: Annotated[int, typer.Option(help="Grading threads in this worker.")] = 2,
    data_dir: DataDir = None,
) -> None:
    """Run grading workers against the shared database and queue (scale-out: set
    HIRELOOP_DATABASE_URL and HIRELOOP_REDIS_URL on every machine)."""
    from hireloop.jobs import JobRunner, Runtime
    from hireloop.privsep import die_with_parent

    die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = _settings(data_dir)
    if threads < 1:
        raise typer.BadParameter("a worker needs at least one thread", param_hint="--threads")
    if not settings.redis_url:
        console.print("[yellow]note:[/] HIRELOOP_REDIS_URL is not set: this worker consumes the "
                      f"SQLite queue in {settings.data_dir}, so it must run on the same machine "
                      "as `hireloop serve`.")
    runtime = Runtime.create(settings)
    runner = JobRunner(runtime, threads, settings.trial_threads)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    runner.start()
    console.print(f"hireloop worker {runtime.worker_id}: {threads} grading thread(s), "
                  f"{settings.trial_threads} trial thread(s); Ctrl-C stops it")
    stop.wait()
    runner.stop()


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="The team member's email (their sign-in).")],
    admin: Annotated[bool, typer.Option("--admin", help="Make them an admin.")] = False,
    name: Annotated[str, typer.Option(help="Their name.")] = "",
    data_dir: DataDir = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Add an admin or interviewer; asks for the password (never put it on the command line)."""
    import sys

    from hireloop.db import open_database
    from hireloop.hiring import service

    settings = _settings(data_dir)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(settings.db_url())
    try:
        with db.session() as s:
            user = service.create_user(s, email, password, "admin" if admin else "interviewer",
                                       name)
            console.print(f"added {user.role} {user.email}")
    except service.ServiceError as exc:
        console.print(f"[red]error:[/] {exc.message}")
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDir = None) -> None:
    """Create or migrate the database to the newest schema (serve and worker do it too)."""
    from hireloop.db import open_database

    settings = _settings(data_dir)
    open_database(settings.db_url())
    console.print(f"database at the newest schema: {_redact(settings.db_url())}")


def mount(app: typer.Typer) -> None:
    """Add these commands to the ``hireloop`` command."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.add_typer(user_app, name="user")
    app.add_typer(db_app, name="db")
