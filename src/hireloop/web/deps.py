"""Request plumbing shared by pages and the API: the platform, the session, the principal,
CSRF, cookies, the client's address, and turning service errors into answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from hireloop.hiring import security
from hireloop.hiring.authz import ANONYMOUS, Principal, role_may
from hireloop.hiring.service import Platform, credential_for


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


WRITING_PAGES = frozenset({"/take", "/take/stage/{index}", "/team/interviews/{interview_id}",
                           "/i/{token}"})
"""GET routes that may write (start a stage's timer, submit a stage whose time is over, start
a candidate's session)"""


def get_session(request: Request) -> Iterator[Session]:
    """A database session for the request; routes commit what they change before answering,
    so an acknowledged save is on disk. Requests that change state get a writing session."""
    platform = get_platform(request)
    route = request.scope.get("route")
    writes = request.method not in ("GET", "HEAD", "OPTIONS") or (
        getattr(route, "path", None) in WRITING_PAGES)
    session = (platform.db.write_sessions if writes else platform.db.sessions)()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def cookie(request: Request, name: str) -> str:
    """The name of one of our cookies as this server sets it (``__Host-`` over HTTPS)."""
    return security.cookie_name(name, request.app.state.settings.secure)


def read_cookie(request: Request, name: str) -> str | None:
    return request.cookies.get(cookie(request, name))


_bearer_scheme = HTTPBearer(auto_error=False, scheme_name="bearer",
                            description="A session token from `POST /api/v1/auth/login`, a "
                            "candidate's token from `POST /api/v1/take/open`, a long-lived "
                            "API token (`hlt_…`, made on the API tokens page), or the metrics "
                            "token (`HIRELOOP_METRICS_TOKEN`, for `GET /api/v1/status` only)")


def get_principal(request: Request, session: Annotated[Session, Depends(get_session)],
                  bearer: Annotated[HTTPAuthorizationCredentials | None,
                                    Depends(_bearer_scheme)] = None) -> Principal:
    """Who is asking: a bearer token (API clients) or the session cookie (browsers)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    settings = request.app.state.settings
    token = bearer.credentials if bearer is not None else None
    principal: Principal | None = None
    if token:
        metrics = settings.metrics_token
        if metrics is not None and security.same(token, metrics.get_secret_value()):
            principal = Principal("metrics", csrf_exempt=True)
        else:
            found = credential_for(session, settings, token, bearer=True)
            if found is None:
                raise HTTPException(401, "the bearer token is unknown, expired or revoked")
            principal = found.principal
    else:
        found = credential_for(session, settings, read_cookie(request, security.SESSION_COOKIE))
        if found is not None:
            principal, request.state.session_csrf = found.principal, found.csrf
    principal = principal or ANONYMOUS
    request.state.principal = principal
    return principal


SessionDep = Annotated[Session, Depends(get_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
PlatformDep = Annotated[Platform, Depends(get_platform)]


def csrf_token(request: Request) -> str:
    """The CSRF token this browser must repeat, bound to the credential it holds: its
    session's own token when signed in, one derived from its practice cookie when it
    practises, else the random ``hireloop_csrf`` cookie (double submit)."""
    bound = getattr(request.state, "session_csrf", None)
    if bound:
        return str(bound)
    practice = read_cookie(request, security.PRACTICE_COOKIE)
    if practice:
        return security.csrf_for(practice)
    return (getattr(request.state, "csrf", None)
            or read_cookie(request, security.CSRF_COOKIE) or "")


def server_origin(request: Request) -> str:
    """This server's origin as browsers see it: the configured base URL's, else the request's
    own scheme and host (the scheme from a trusted proxy, see ``HIRELOOP_TRUSTED_PROXIES``)."""
    base = request.app.state.settings.base_url
    if base:
        parts = urlsplit(base)
        return f"{parts.scheme}://{parts.netloc}".lower()
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}".lower()


def _sent_origin(request: Request) -> str | None:
    origin = request.headers.get("origin")
    if origin is not None:
        return origin.strip().lower()
    referer = request.headers.get("referer")
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower()
    return None


async def check_csrf(request: Request, principal: PrincipalDep) -> None:
    """Every state-changing browser request comes from this server's own origin and repeats
    the CSRF token bound to the browser's credential (in a field or a header)."""
    if request.method in ("GET", "HEAD", "OPTIONS") or principal.csrf_exempt:
        return
    ambient = any(read_cookie(request, name) for name in
                  (security.SESSION_COOKIE, security.PRACTICE_COOKIE))
    if request.url.path.startswith("/api/") and not ambient:
        return  # no ambient credential rides along: nothing to forge
    origin = _sent_origin(request)
    if origin is not None and origin != server_origin(request):
        raise HTTPException(403, "this request came from another site or port "
                                 f"({origin}); open the page on {server_origin(request)}")
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not security.same(csrf_token(request), sent):
        raise HTTPException(403, "the form expired or came from another site (CSRF check "
                                 "failed); reload the page and try again")


Csrf = Depends(check_csrf)


class Need:
    """A dependency asserting the principal's role may do an action at all; the service then
    checks the object (``allowed`` decides both)."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __call__(self, principal: PrincipalDep) -> Principal:
        if not role_may(principal, self.action):
            if principal.role == "anonymous":
                raise HTTPException(401, "sign in first")
            raise HTTPException(403, "you are not allowed to do this")
        return principal


TeamReader = Annotated[Principal, Depends(Need("team.read"))]
LoopCreator = Annotated[Principal, Depends(Need("loop.create"))]
Admin = Annotated[Principal, Depends(Need("users.manage"))]
StatusReader = Annotated[Principal, Depends(Need("status.read"))]
Auditor = Annotated[Principal, Depends(Need("audit.read"))]


def client_ip(request: Request) -> str:
    """The client's address (behind a trusted proxy: the address it forwarded)."""
    return request.client.host if request.client else "unknown"


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(
        "/api/")


def as_json(value: Any) -> Any:
    return value


Id = Annotated[int, Path(ge=0, le=2**31 - 1, description="an id")]
"""a path id; out-of-range numbers are a 422, not a database error"""
