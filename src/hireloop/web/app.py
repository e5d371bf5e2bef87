"""The FastAPI application: middleware, error pages, routers, and the grading threads."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hireloop import __version__
from hireloop.config import Settings
from hireloop.hiring import security
from hireloop.hiring.service import Platform, ServiceError
from hireloop.jobs import JobRunner
from hireloop.live.server import LiveHub
from hireloop.web.render import make_env, page

log = logging.getLogger("hireloop.web")
STATIC = Path(__file__).parent / "static"
CHUNK_LIMIT = 2 * 1024 * 1024
"""the largest request body on upload routes (the recorder sends 1 MiB chunks)"""

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


class BodyTooLarge(Exception):  # noqa: N818 - a signal, not an error
    pass


class LimitsAndHeaders:
    """Finds the client's address and scheme (believing forwarded headers only from trusted
    proxies), caps request bodies (a clear 413 instead of a full disk), sets the CSRF cookie
    and the security headers on every response."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.secure = settings.secure
        self.csrf_cookie = security.cookie_name(security.CSRF_COOKIE, self.secure)
        self.trusted = security.parse_networks(settings.trusted_proxies)

    def _forwarded(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        peer = scope.get("client")
        host = peer[0] if peer else None
        forwarded = headers.get(b"x-forwarded-for")
        address = security.client_address(
            host, forwarded.decode("latin-1") if forwarded else None, self.trusted)
        if address != host:
            scope["client"] = (address, 0)
            proto = headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower()
            if proto in ("http", "https"):
                scope["scheme"] = proto

    def limit_for(self, path: str) -> int:
        if "/upload" in path:
            return CHUNK_LIMIT
        # answers are capped by the service with a precise message; leave room for encoding
        return self.settings.max_answer_kb * 1024 * 4 + 64 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        headers = dict(scope.get("headers") or [])
        if self.trusted:
            self._forwarded(scope, headers)
        length = headers.get(b"content-length")
        too_big = JSONResponse(
            {"detail": f"the request is larger than {limit // 1024} KB; shorten the answer "
                       "or split the upload"}, status_code=413)
        if length is not None and length.isdigit() and int(length) > limit:
            await too_big(scope, receive, send)
            return
        cookie_header = headers.get(b"cookie", b"").decode("latin-1")
        has_csrf = f"{self.csrf_cookie}=" in cookie_header
        new_csrf = None if has_csrf else security.new_token()
        if new_csrf:
            scope.setdefault("state", {})["csrf"] = new_csrf
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    # same-origin: no referrer (nor invitation token) leaves for another site,
                    # and browsers keep sending our own Origin on our forms' POSTs (with
                    # no-referrer they send "Origin: null", which the CSRF check refuses)
                    (b"referrer-policy", b"same-origin"),
                    (b"content-security-policy", CSP.encode()),
                ]
                if new_csrf:
                    cookie = (f"{self.csrf_cookie}={new_csrf}; Path=/; SameSite=Lax; "
                              f"HttpOnly{'; Secure' if self.secure else ''}")
                    extra.append((b"set-cookie", cookie.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except BodyTooLarge:
            await too_big(scope, receive, send)


def create_app(settings: Settings, platform: Platform | None = None, *,
               grading_threads: int | None = None) -> FastAPI:
    """The app; with ``grading_threads`` > 0 it also grades in-process (the embedded default)."""
    platform = platform or Platform.create(settings)
    threads = settings.grading_threads if grading_threads is None else grading_threads

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        trial_threads = settings.trial_threads if threads > 0 else 0
        runner = JobRunner(platform.runtime, threads, trial_threads)
        runner.start()
        app.state.runner = runner
        live = LiveHub(platform)
        app.state.live = live
        await live.start()
        try:
            yield
        finally:
            await live.stop()
            runner.stop()

    app = FastAPI(title="hireloop", version=__version__, lifespan=lifespan,
                  description="Interviews and assessments for AI/ML roles. Authenticate with "
                              "`POST /api/v1/auth/login` (or a long-lived API token made on "
                              "the API tokens page) and send the token as a bearer token. "
                              "Errors are `{\"detail\": \"...\"}` with the status that "
                              "says why.",
                  docs_url=None, openapi_url="/api/openapi.json", redoc_url=None)
    app.state.platform = platform
    kind_dirs = []
    for kind in platform.bank.kinds.kinds.values():
        directory = kind.web_templates()
        if directory is not None:
            kind_dirs.append(directory)
    app.state.jinja = make_env(kind_dirs)
    app.state.settings = settings

    from hireloop.web import api, completion, fairness, live, pages, take

    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(take.router)
    app.include_router(completion.router)
    app.include_router(fairness.router)
    app.include_router(live.router)
    from hireloop.web import loop_editor
    app.include_router(loop_editor.router)
    from hireloop.web import reports as reporting
    app.include_router(reporting.router)
    from hireloop.web import dashboard
    app.include_router(dashboard.router)
    from hireloop.web import ratings as interviewer_ratings
    app.include_router(interviewer_ratings.router)
    from hireloop.web import mailing
    app.include_router(mailing.router)
    from hireloop.web import webhooks as webhook_pages
    app.include_router(webhook_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(LimitsAndHeaders, settings=settings)

    @app.get("/healthz", tags=["health"], include_in_schema=False)
    def healthz() -> dict[str, Any]:
        """Liveness, and nothing more (the details: ``GET /api/v1/status``)."""
        return {"status": "ok"}

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        return _error(request, exc.status, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401 and _browser(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()) if p != 'body')}: {e.get('msg')}"
            for e in exc.errors())
        return _error(request, 422, problems or "invalid request")

    return app


def _browser(request: Request) -> bool:
    return (not request.url.path.startswith("/api/")
            and "text/html" in request.headers.get("accept", "")
            and request.headers.get("hx-request") is None)


def _error(request: Request, status: int, message: str) -> Response:
    if _browser(request):
        return page(request, "error.html", status_code=status, status=status, message=message)
    return JSONResponse({"detail": message}, status_code=status)
