"""The hiring team's pages: sign-in, loops, candidates and invitations, review, scorecards."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import select

from hireloop.db.models import Candidate, Interview, LoopRecord, Note, User
from hireloop.hiring import security, service
from hireloop.hiring.service import Invalid, ServiceError, TooMany
from hireloop.reports.scorecard import build_scorecard, competency_chart, to_csv
from hireloop.web.deps import (
    Admin,
    Csrf,
    Id,
    PlatformDep,
    PrincipalDep,
    SessionDep,
    TeamReader,
    TeamWriter,
    client_ip,
)
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)
LOGIN_LIMIT = (10, 300)
"""at most 10 sign-in attempts per address (and per email) in 5 minutes"""


def invite_link(request: Request, platform: Any, token: str) -> str:
    base = (platform.settings.base_url or str(request.base_url)).rstrip("/")
    return f"{base}/i/{token}"


def _cookie(response: Response, request: Request, name: str, value: str, hours: int) -> None:
    settings = request.app.state.settings
    secure = (settings.secure_cookies if settings.secure_cookies is not None
              else (settings.base_url or "").startswith("https://"))
    response.set_cookie(name, value, max_age=hours * 3600, httponly=True, samesite="lax",
                        secure=secure, path="/")


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/team"


@router.get("/")
def home(me: PrincipalDep) -> RedirectResponse:
    if me.is_team:
        return RedirectResponse("/team", 303)
    if me.role == "candidate":
        return RedirectResponse("/take", 303)
    return RedirectResponse("/login", 303)


# --- sign-in and the first admin ---------------------------------------------------------

@router.get("/login")
def login_page(request: Request, s: SessionDep, next: str | None = None) -> HTMLResponse:
    return page(request, "login.html", next=_safe_next(next), needs_setup=not
                service.has_admin(s))


@router.post("/login", dependencies=[Csrf])
def login(request: Request, s: SessionDep, platform: PlatformDep,
          email: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str | None, Form()] = None) -> Response:
    limited = (security.rate_limited(s, f"login-ip:{client_ip(request)}", *LOGIN_LIMIT)
               or security.rate_limited(s, f"login:{email.strip().lower()}", *LOGIN_LIMIT))
    s.commit()
    if limited:
        raise TooMany("too many sign-in attempts; wait a few minutes and try again")
    user = service.authenticate(s, email, password)
    if user is None:
        s.commit()
        return page(request, "login.html", status_code=401, next=_safe_next(next),
                    error="wrong email or password", email=email, needs_setup=False)
    token = service.start_session(s, platform.settings, user_id=user.id)
    s.commit()
    response = RedirectResponse(_safe_next(next), 303)
    _cookie(response, request, security.SESSION_COOKIE, token, platform.settings.session_hours)
    return response


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, s: SessionDep) -> Response:
    service.end_session(s, request.cookies.get(security.SESSION_COOKIE))
    s.commit()
    response = RedirectResponse("/login", 303)
    response.delete_cookie(security.SESSION_COOKIE, path="/")
    return response


@router.get("/setup/{token}")
def setup_page(request: Request, token: str, s: SessionDep) -> HTMLResponse:
    if service.has_admin(s):
        raise service.Gone("the first admin exists already; sign in instead")
    return page(request, "setup.html", token=token)


@router.post("/setup/{token}", dependencies=[Csrf])
def setup(request: Request, token: str, s: SessionDep, platform: PlatformDep,
          email: Annotated[str, Form()], password: Annotated[str, Form()],
          name: Annotated[str, Form()] = "") -> Response:
    try:
        user = service.use_setup_token(s, token, email, password, name)
    except Invalid as exc:
        return page(request, "setup.html", status_code=422, token=token, error=exc.message,
                    email=email, name=name)
    session_token = service.start_session(s, platform.settings, user_id=user.id)
    s.commit()
    response = RedirectResponse("/team", 303)
    _cookie(response, request, security.SESSION_COOKIE, session_token,
            platform.settings.session_hours)
    return response


# --- dashboard ---------------------------------------------------------------------------

@router.get("/team")
def dashboard(request: Request, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    interviews = s.scalars(select(Interview).order_by(Interview.id.desc()).limit(500)).all()
    rows = []
    for interview in interviews:
        card = build_scorecard(interview, platform.bank)
        rows.append({"interview": interview, "status": card["status"],
                     "overall": card["overall"], "complete": card["complete"]})
    loops = s.scalars(select(LoopRecord).where(LoopRecord.archived.is_(False))).all()
    return page(request, "team/dashboard.html", rows=rows, loops=loops)


# --- loops ---------------------------------------------------------------------------------

@router.get("/team/loops")
def loops_page(request: Request, me: TeamReader, s: SessionDep,
               platform: PlatformDep) -> HTMLResponse:
    loops = s.scalars(select(LoopRecord).order_by(LoopRecord.id)).all()
    return page(request, "team/loops.html", loops=loops,
                templates=platform.usable_templates())


@router.post("/team/loops", dependencies=[Csrf])
def create_loop(request: Request, me: TeamWriter, s: SessionDep, platform: PlatformDep,
                template: Annotated[str, Form()] = "",
                title: Annotated[str, Form()] = "") -> Response:
    if template:
        record = service.create_loop(s, platform, me, template=template, title=title or None)
    else:
        first = next(iter(platform.usable_templates()), None)
        if first is None:
            raise Invalid("no template fits the bank; write a loop file instead")
        record = service.create_loop(s, platform, me, template=first,
                                     title=title or "New loop")
        record.template = None
    s.commit()
    return RedirectResponse(f"/team/loops/{record.id}", 303)


def _bank_listing(platform: Any) -> list[dict[str, Any]]:
    return [{"id": e.id, "title": e.meta.title, "kind": e.meta.kind, "level": e.meta.level,
             "competencies": ", ".join(e.meta.competencies), "minutes": e.meta.minutes}
            for e in sorted(platform.bank.exercises.values(), key=lambda e: e.id)]


@router.get("/team/loops/{loop_id}")
def loop_page(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    record = service.get_loop(s, loop_id)
    return page(request, "team/loop.html", loop=record,
                toml=service.loop_to_toml(record.definition), exercises=_bank_listing(platform))


@router.post("/team/loops/{loop_id}", dependencies=[Csrf])
def save_loop(request: Request, loop_id: Id, me: TeamWriter, s: SessionDep,
              platform: PlatformDep, definition: Annotated[str, Form()]) -> Response:
    record = service.get_loop(s, loop_id)
    try:
        service.update_loop(platform, record, service.parse_loop_toml(definition))
    except Invalid as exc:
        return page(request, "team/loop.html", status_code=422, loop=record, toml=definition,
                    error=exc.message, exercises=_bank_listing(platform))
    s.commit()
    return RedirectResponse(f"/team/loops/{loop_id}?saved=1", 303)


@router.get("/team/loops/{loop_id}/export.{fmt}")
def export_loop(loop_id: Id, fmt: str, me: TeamReader, s: SessionDep,
                platform: PlatformDep) -> Response:
    record = service.get_loop(s, loop_id)
    interviews = s.scalars(select(Interview).where(Interview.loop_id == record.id)).all()
    cards = [build_scorecard(i, platform.bank) for i in interviews]
    return _export(cards, fmt, f"loop-{loop_id}")


def _export(cards: list[dict[str, Any]], fmt: str, stem: str) -> Response:
    if fmt == "json":
        return Response(json.dumps(cards, indent=2, default=str), media_type="application/json",
                        headers={"content-disposition": f'attachment; filename="{stem}.json"'})
    if fmt == "csv":
        return PlainTextResponse(to_csv(cards), media_type="text/csv",
                                 headers={"content-disposition":
                                          f'attachment; filename="{stem}.csv"'})
    raise service.NotFound("exports are .csv or .json")


# --- the bank -------------------------------------------------------------------------------

@router.get("/team/bank")
def bank_page(request: Request, me: TeamReader, platform: PlatformDep) -> HTMLResponse:
    broken = [e for e in platform.bank.entries.values() if not e.ok]
    return page(request, "team/bank.html", exercises=_bank_listing(platform), broken=broken,
                roots=platform.bank.roots)


@router.post("/team/bank/reload", dependencies=[Csrf])
def reload_bank(me: Admin, platform: PlatformDep) -> Response:
    from hireloop.bank import load_bank

    settings = platform.settings
    platform.runtime.bank = load_bank(settings.bank_roots(),
                                      principles_file=settings.principles_path())
    return RedirectResponse("/team/bank?reloaded=1", 303)


# --- candidates and invitations ----------------------------------------------------------

@router.get("/team/candidates/new")
def new_candidate_page(request: Request, me: TeamReader, s: SessionDep,
                       loop: int | None = None) -> HTMLResponse:
    loops = s.scalars(select(LoopRecord).where(LoopRecord.archived.is_(False))).all()
    return page(request, "team/invite.html", loops=loops, chosen=loop)


@router.post("/team/candidates", dependencies=[Csrf])
def invite(request: Request, me: TeamWriter, s: SessionDep, platform: PlatformDep,
           name: Annotated[str, Form()], email: Annotated[str, Form()],
           loop_id: Annotated[int, Form()]) -> Response:
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    try:
        interview, token = service.invite(s, platform, me, name=name, email=email,
                                          loop_id=loop_id)
    except ServiceError as exc:
        s.rollback()
        loops = s.scalars(select(LoopRecord).where(LoopRecord.archived.is_(False))).all()
        return page(request, "team/invite.html", status_code=exc.status, loops=loops,
                    chosen=loop_id, error=exc.message, name=name, email=email)
    s.commit()
    return page(request, "team/invited.html", interview=interview,
                link=invite_link(request, platform, token))


@router.get("/team/interviews/{interview_id}")
def interview_page(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
                   platform: PlatformDep) -> HTMLResponse:
    interview = service.get_interview(s, interview_id)
    jobs = service.settle_expired(s, interview)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    card = build_scorecard(interview, platform.bank)
    notes = s.scalars(select(Note).where(Note.interview_id == interview.id)
                      .order_by(Note.id)).all()
    answers = {a.id: a for a in interview.answers}
    return page(request, "team/interview.html", interview=interview, card=card, notes=notes,
                answers=answers, views=_views(platform, interview),
                decided_by=s.get(User, interview.decided_by) if interview.decided_by else None)


def _views(platform: Any, interview: Interview) -> dict[int, Any]:
    views = {}
    for answer in interview.answers:
        try:
            exercise = platform.bank.get(answer.exercise_id)
            kind = platform.bank.kinds.get(exercise.meta.kind)
            views[answer.id] = kind.render(exercise, platform.bank.variant(exercise,
                                                                           answer.seed))
        except Exception:  # the exercise left the bank: show the answer without its view
            views[answer.id] = None
    return views


@router.get("/team/interviews/{interview_id}/jobs")
def interview_jobs(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
                   platform: PlatformDep) -> HTMLResponse:
    """The live part of the review page (htmx polls it while jobs are pending)."""
    interview = service.get_interview(s, interview_id)
    card = build_scorecard(interview, platform.bank)
    response = page(request, "team/_jobs.html", interview=interview, card=card)
    pending = any(a["state"] in ("queued", "running") for st in card["stages"]
                  for a in st["answers"])
    if request.query_params.get("pending") and not pending:
        response.headers["HX-Refresh"] = "true"  # grades arrived: show them
    return response


@router.get("/team/answers/{answer_id}/recording")
def recording(answer_id: Id, me: TeamReader, s: SessionDep) -> Response:
    """A candidate's recording, for people to review (never analysed for faces or emotion)."""
    from fastapi.responses import FileResponse

    from hireloop.db.models import Answer

    answer = s.get(Answer, answer_id)
    upload = next((u for u in reversed(answer.uploads) if u.complete), None) if answer else None
    if upload is None:
        raise service.NotFound("no recording for this answer")
    return FileResponse(upload.path, media_type=upload.mime, filename=upload.name)


@router.post("/team/interviews/{interview_id}/resend", dependencies=[Csrf])
def resend(request: Request, interview_id: Id, me: TeamWriter, s: SessionDep,
           platform: PlatformDep) -> HTMLResponse:
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    interview = service.get_interview(s, interview_id)
    token = service.resend(platform, interview)
    s.commit()
    return page(request, "team/invited.html", interview=interview,
                link=invite_link(request, platform, token), resent=True)


@router.post("/team/interviews/{interview_id}/revoke", dependencies=[Csrf])
def revoke(interview_id: Id, me: TeamWriter, s: SessionDep) -> Response:
    service.revoke(s, service.get_interview(s, interview_id))
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}", 303)


@router.post("/team/interviews/{interview_id}/answers/{answer_id}/override",
             dependencies=[Csrf])
def override(request: Request, interview_id: Id, answer_id: Id, me: TeamWriter,
             s: SessionDep, criterion: Annotated[str, Form()],
             points: Annotated[float, Form()], reason: Annotated[str, Form()] = "") -> Response:
    interview = service.get_interview(s, interview_id)
    answer = next((a for a in interview.answers if a.id == answer_id), None)
    if answer is None:
        raise service.NotFound(f"no answer {answer_id} in interview {interview_id}")
    service.override(s, answer, me, criterion=criterion, points=points, reason=reason)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#answer-{answer_id}", 303)


@router.post("/team/interviews/{interview_id}/answers/{answer_id}/regrade",
             dependencies=[Csrf])
def regrade(interview_id: Id, answer_id: Id, me: TeamWriter, s: SessionDep,
            platform: PlatformDep) -> Response:
    interview = service.get_interview(s, interview_id)
    answer = next((a for a in interview.answers if a.id == answer_id), None)
    if answer is None:
        raise service.NotFound(f"no answer {answer_id} in interview {interview_id}")
    job = service.regrade(s, answer)
    s.commit()
    platform.runtime.enqueue(job)
    return RedirectResponse(f"/team/interviews/{interview_id}#answer-{answer_id}", 303)


@router.post("/team/interviews/{interview_id}/notes", dependencies=[Csrf])
def add_note(interview_id: Id, me: TeamWriter, s: SessionDep,
             body: Annotated[str, Form()]) -> Response:
    service.add_note(s, service.get_interview(s, interview_id), me, body)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#notes", 303)


@router.post("/team/interviews/{interview_id}/decision", dependencies=[Csrf])
def decide(interview_id: Id, me: TeamWriter, s: SessionDep,
           decision: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    service.decide(service.get_interview(s, interview_id), me, decision, reason)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#decision", 303)


@router.get("/team/interviews/{interview_id}/scorecard")
def scorecard(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    interview = service.get_interview(s, interview_id)
    card = build_scorecard(interview, platform.bank)
    return page(request, "team/scorecard.html", interview=interview, card=card,
                chart=competency_chart(card["competencies"]))


@router.get("/team/interviews/{interview_id}/export.{fmt}")
def export_interview(interview_id: Id, fmt: str, me: TeamReader, s: SessionDep,
                     platform: PlatformDep) -> Response:
    interview = service.get_interview(s, interview_id)
    return _export([build_scorecard(interview, platform.bank)], fmt,
                   f"interview-{interview_id}")


# --- users -----------------------------------------------------------------------------------

@router.get("/team/users")
def users_page(request: Request, me: Admin, s: SessionDep) -> HTMLResponse:
    return page(request, "team/users.html", users=s.scalars(select(User).order_by(User.id)).all())


@router.post("/team/users", dependencies=[Csrf])
def add_user(request: Request, me: Admin, s: SessionDep, email: Annotated[str, Form()],
             password: Annotated[str, Form()], role: Annotated[str, Form()] = "interviewer",
             name: Annotated[str, Form()] = "") -> Response:
    try:
        service.create_user(s, email, password, role, name)
    except ServiceError as exc:
        s.rollback()
        return page(request, "team/users.html", status_code=exc.status, error=exc.message,
                    users=s.scalars(select(User).order_by(User.id)).all())
    s.commit()
    return RedirectResponse("/team/users", 303)


@router.post("/team/candidates/{candidate_id}/delete", dependencies=[Csrf])
def delete_candidate(candidate_id: Id, me: Admin, s: SessionDep,
                     confirm: Annotated[str, Form()] = "") -> Response:
    """Delete a candidate and all their data (a data-protection request)."""
    candidate = s.get(Candidate, candidate_id)
    if candidate is None:
        raise service.NotFound(f"no candidate {candidate_id}")
    if confirm.strip().lower() != candidate.email.lower():
        raise Invalid("type the candidate's email to confirm the deletion")
    service.delete_candidate(s, candidate)
    s.commit()
    return RedirectResponse("/team/candidates?deleted=1", 303)


@router.get("/team/candidates")
def candidates_page(request: Request, me: TeamReader, s: SessionDep,
                    platform: PlatformDep) -> HTMLResponse:
    return page(request, "team/candidates.html",
                candidates=s.scalars(select(Candidate).order_by(Candidate.id.desc())).all(),
                retention_days=platform.settings.retention_days)

