"""Request plumbing shared by pages and the API: the platform, the session, the principal,
CSRF, and turning service errors into answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Request
from sqlalchemy.orm import Session

from hireloop.hiring import security
from hireloop.hiring.authz import ANONYMOUS, Principal, allowed
from hireloop.hiring.service import Platform, principal_for


def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


WRITING_PAGES = frozenset({"/take", "/take/stage/{index}", "/team/interviews/{interview_id}"})
"""GET routes that may write (start a stage's timer, submit a stage whose time is over)"""


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


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def get_principal(request: Request,
                  session: Annotated[Session, Depends(get_session)]) -> Principal:
    """Who is asking: a bearer token (API clients) or the session cookie (browsers)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = _bearer(request)
    principal = None
    if token:
        principal = principal_for(session, token, bearer=True)
        if principal is None:
            raise HTTPException(401, "the bearer token is unknown or expired")
    else:
        principal = principal_for(session, request.cookies.get(security.SESSION_COOKIE))
    principal = principal or ANONYMOUS
    request.state.principal = principal
    return principal


SessionDep = Annotated[Session, Depends(get_session)]
PrincipalDep = Annotated[Principal, Depends(get_principal)]
PlatformDep = Annotated[Platform, Depends(get_platform)]


async def check_csrf(request: Request, principal: PrincipalDep) -> None:
    """Every state-changing browser request repeats the CSRF cookie in a field or header."""
    if request.method in ("GET", "HEAD", "OPTIONS") or principal.csrf_exempt:
        return
    if (request.url.path.startswith("/api/")
            and security.SESSION_COOKIE not in request.cookies):
        return  # no ambient credential rides along: nothing to forge
    cookie = request.cookies.get(security.CSRF_COOKIE)
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    if not security.same(cookie, sent):
        raise HTTPException(403, "the form expired or came from another site (CSRF check "
                                 "failed); reload the page and try again")


Csrf = Depends(check_csrf)


class Need:
    """A dependency asserting the principal may do an action (``allowed`` decides)."""

    def __init__(self, action: str) -> None:
        self.action = action

    def __call__(self, principal: PrincipalDep) -> Principal:
        if not allowed(principal, self.action):
            if principal.role == "anonymous":
                raise HTTPException(401, "sign in first")
            raise HTTPException(403, "you are not allowed to do this")
        return principal


TeamReader = Annotated[Principal, Depends(Need("team.read"))]
TeamWriter = Annotated[Principal, Depends(Need("team.write"))]
Admin = Annotated[Principal, Depends(Need("users.manage"))]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith(
        "/api/")


def as_json(value: Any) -> Any:
    return value


Id = Annotated[int, Path(ge=0, le=2**31 - 1, description="an id")]
"""a path id; out-of-range numbers are a 422, not a database error"""
