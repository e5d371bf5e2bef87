"""The hiring team's pages: sign-in, loops, candidates and invitations, review, scorecards."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.db.models import Candidate, Note, SimilarityPrint, Team, User
from hireloop.hiring import security, service
from hireloop.hiring.authz import Principal, allowed, role_may
from hireloop.hiring.service import Invalid, ServiceError, TooMany
from hireloop.reports.scorecard import build_scorecard, competency_chart, to_csv
from hireloop.web.deps import (
    Admin,
    Csrf,
    Id,
    LoopCreator,
    PlatformDep,
    PrincipalDep,
    SessionDep,
    TeamReader,
    client_ip,
    cookie,
    read_cookie,
)
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)


def invite_link(request: Request, platform: Any, token: str) -> str:
    base = (platform.settings.base_url or str(request.base_url)).rstrip("/")
    return f"{base}/i/{token}"


def _cookie(response: Response, request: Request, name: str, value: str, hours: int) -> None:
    """Set one of our cookies: HttpOnly, SameSite=Lax, Path=/, and over HTTPS Secure with the
    ``__Host-`` prefix (``name`` is the plain name)."""
    response.set_cookie(cookie(request, name), value, max_age=hours * 3600, httponly=True,
                        samesite="lax", secure=request.app.state.settings.secure, path="/")


def sign_in_response(request: Request, s: Any, platform: Any, user: User,
                     target: str) -> Response:
    """Start a session for ``user`` and remember the browser (see the sign-in throttle)."""
    device = read_cookie(request, security.DEVICE_COOKIE) or security.new_token()
    security.sign_in_succeeded(s, user.email, client_ip(request), device)
    token = service.start_session(s, platform.settings, user_id=user.id)
    s.commit()
    response = RedirectResponse(target, 303)
    _cookie(response, request, security.SESSION_COOKIE, token, platform.settings.session_hours)
    _cookie(response, request, security.DEVICE_COOKIE, device, 24 * 365)
    return response


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
          email: Annotated[str, Form(max_length=320)],
          password: Annotated[str, Form(max_length=1024)],
          next: Annotated[str | None, Form(max_length=2000)] = None) -> Response:
    try:
        user = service.sign_in(s, email, password, client_ip(request),
                               read_cookie(request, security.DEVICE_COOKIE))
    except service.Unauthorized as exc:
        return page(request, "login.html", status_code=401, next=_safe_next(next),
                    error=exc.message, email=email, needs_setup=False)
    return sign_in_response(request, s, platform, user, _safe_next(next))


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, s: SessionDep) -> Response:
    service.end_session(s, read_cookie(request, security.SESSION_COOKIE))
    s.commit()
    response = RedirectResponse("/login", 303)
    response.delete_cookie(cookie(request, security.SESSION_COOKIE), path="/",
                           secure=request.app.state.settings.secure, httponly=True)
    return response


@router.get("/reset/{token}")
def reset_page(request: Request, token: str, s: SessionDep) -> HTMLResponse:
    _, user = service.password_reset_user(s, token)
    return page(request, "reset.html", token=token, email=user.email)


@router.post("/reset/{token}", dependencies=[Csrf])
def reset(request: Request, token: str, s: SessionDep, platform: PlatformDep,
          password: Annotated[str, Form(max_length=1024)]) -> Response:
    """Set a new password through an admin's one-time link, then sign in."""
    try:
        user = service.use_password_reset(s, token, password)
    except Invalid as exc:
        _, user = service.password_reset_user(s, token)
        return page(request, "reset.html", status_code=422, token=token, email=user.email,
                    error=exc.message)
    return sign_in_response(request, s, platform, user, "/team")


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
    return sign_in_response(request, s, platform, user, "/team")


# the dashboard (/team) and the comparison: hireloop.web.dashboard

# --- loops ---------------------------------------------------------------------------------

@router.get("/team/loops")
def loops_page(request: Request, me: LoopCreator, s: SessionDep,
               platform: PlatformDep) -> HTMLResponse:
    return page(request, "team/loops.html", loops=service.visible_loops(s, me),
                templates=platform.usable_templates(),
                teams=s.scalars(select(Team).order_by(Team.name)).all()
                if me.role == "admin" else [])


@router.post("/team/loops", dependencies=[Csrf])
def create_loop(request: Request, me: LoopCreator, s: SessionDep, platform: PlatformDep,
                template: Annotated[str, Form(max_length=200)] = "",
                title: Annotated[str, Form(max_length=200)] = "",
                team_id: Annotated[str, Form(max_length=20)] = "") -> Response:
    team = int(team_id) if team_id.isdigit() else None
    if template:
        record = service.create_loop(s, platform, me, template=template, title=title or None,
                                     team_id=team)
    else:
        first = next(iter(platform.usable_templates()), None)
        if first is None:
            raise Invalid("no template fits the bank; write a loop file instead")
        record = service.create_loop(s, platform, me, template=first,
                                     title=title or "New loop", team_id=team)
        record.template = None
    s.commit()
    return RedirectResponse(f"/team/loops/{record.id}", 303)


def _bank_listing(platform: Any) -> list[dict[str, Any]]:
    return [{"id": e.id, "title": e.meta.title, "kind": e.meta.kind, "level": e.meta.level,
             "competencies": ", ".join(e.meta.competencies), "minutes": e.meta.minutes}
            for e in sorted(platform.bank.exercises.values(), key=lambda e: e.id)]


@router.get("/team/loops/{loop_id}")
def loop_page(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep, view: str = "") -> HTMLResponse:
    return loop_view(request, s, me, platform, service.loop_for(s, me, loop_id),
                     view="toml" if view == "toml" else "form")


def loop_view(request: Request, s: Any, me: Principal, platform: Any, record: Any,
              status_code: int = 200, **context: Any) -> HTMLResponse:
    """A loop's page: the form editor (``hireloop.web.loop_editor``) or, with
    ``view="toml"``, the loop as TOML; ``context`` replaces what either would show."""
    from hireloop.web import loop_editor

    audit_alerts: list[str] = []
    if allowed(me, "audit.read"):
        from hireloop.fairness import selfid

        audit_alerts = selfid.alerts(selfid.loop_audit(s, record.id))
    shown = {"view": "form", "toml": service.loop_to_toml(record.definition),
             **loop_editor.form_context(
                 platform, loop_editor.draft_from_definition(record.definition),
                 action=f"/team/loops/{record.id}/form")}
    shown.update(context)
    return page(request, "team/loop.html", status_code=status_code, loop=record,
                audit_alerts=audit_alerts, exercises=_bank_listing(platform), **shown)


@router.post("/team/loops/{loop_id}", dependencies=[Csrf])
def save_loop(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep,
              definition: Annotated[str, Form(max_length=200_000)]) -> Response:
    record = service.loop_for(s, me, loop_id, "loop.write")
    try:
        service.update_loop(platform, record, service.parse_loop_toml(definition))
    except Invalid as exc:
        return loop_view(request, s, me, platform, record, 422, view="toml", toml=definition,
                         error=exc.message, toml_problems=getattr(exc, "problems", []))
    s.commit()
    return RedirectResponse(f"/team/loops/{loop_id}?saved=1&view=toml", 303)


@router.get("/team/loops/{loop_id}/export.{fmt}")
def export_loop(loop_id: Id, fmt: str, me: TeamReader, s: SessionDep,
                platform: PlatformDep) -> Response:
    record = service.loop_for(s, me, loop_id)
    cards = [build_scorecard(i, platform.bank, me)
             for i in service.visible_interviews(s, me, loop_id=record.id, limit=100_000)]
    return export(cards, fmt, f"loop-{loop_id}")


def export(cards: list[dict[str, Any]], fmt: str, stem: str) -> Response:
    """Scorecards as a CSV or JSON download."""
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
def reload_bank(me: Admin, s: SessionDep, platform: PlatformDep) -> Response:
    service.request_bank_reload(s, me)
    s.commit()
    platform.runtime.reload_bank_if_asked()  # this process now; grading processes poll
    return RedirectResponse("/team/bank?reloaded=1", 303)


# --- candidates and invitations ----------------------------------------------------------

def _invitable_loops(s: Any, me: Any) -> list[Any]:
    return [r for r in service.visible_loops(s, me, archived=False)
            if allowed(me, "interview.invite", service.loop_scope(r))]


def _team_members(s: Any, me: Any) -> list[User]:
    query = select(User).where(User.active.is_(True),
                               User.role.in_(("interviewer", "hiring_manager")))
    if me.role != "admin":
        query = query.where(User.team_id == me.team_id)
    return list(s.scalars(query.order_by(User.email)))


@router.get("/team/candidates/new")
def new_candidate_page(request: Request, me: TeamReader, s: SessionDep,
                       loop: int | None = None) -> HTMLResponse:
    if not role_may(me, "interview.invite"):
        raise service.Forbidden("only hiring managers and admins invite candidates")
    return page(request, "team/invite.html", loops=_invitable_loops(s, me), chosen=loop,
                members=_team_members(s, me))


@router.post("/team/candidates", dependencies=[Csrf])
async def invite(request: Request, me: TeamReader, s: SessionDep, platform: PlatformDep,
                 name: Annotated[str, Form(max_length=200)],
                 email: Annotated[str, Form(max_length=320)],
                 loop_id: Annotated[int, Form(ge=0, le=2**31 - 1)]) -> Response:
    form = await request.form()
    interviewers = [int(v) for v in form.getlist("interviewers")
                    if isinstance(v, str) and v.isdigit()][:50]
    service.loop_for(s, me, loop_id, "interview.invite")
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    try:
        interview, token = service.invite(s, platform, me, name=name, email=email,
                                          loop_id=loop_id, interviewers=interviewers)
    except ServiceError as exc:
        s.rollback()
        return page(request, "team/invite.html", status_code=exc.status,
                    loops=_invitable_loops(s, me), chosen=loop_id, error=exc.message,
                    name=name, email=email, members=_team_members(s, me))
    s.commit()
    return page(request, "team/invited.html", interview=interview,
                link=invite_link(request, platform, token))


@router.get("/team/interviews/{interview_id}")
def interview_page(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
                   platform: PlatformDep) -> HTMLResponse:
    from hireloop.notify import mail

    interview = service.interview_for(s, me, interview_id)
    jobs = service.settle_expired(s, interview)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    card = build_scorecard(interview, platform.bank, me)
    notes = s.scalars(select(Note).where(Note.interview_id == interview.id)
                      .order_by(Note.id)).all()
    answers = {a.id: a for a in interview.answers}
    scope = service.interview_scope(interview)
    manages = allowed(me, "interview.invite", scope)
    return page(request, "team/interview.html", interview=interview, card=card, notes=notes,
                who=service.candidate_identity(me, interview),
                hide=_redactor(me, interview),
                answers=answers, views=_views(platform, interview),
                decided_by=s.get(User, interview.decided_by) if interview.decided_by else None,
                manages=manages, acts=allowed(me, "interview.act", scope),
                assignable=service.assignable_users(s, interview) if manages else [],
                similar=_similar(s, me, platform, interview),
                mails=mail.mails_of(s, interview.id) if manages else [])


def _similar(s: Session, me: Principal, platform: Any, interview: Any
             ) -> dict[int, list[dict[str, Any]]]:
    """What each answer was found alike, side by side: other answers of the exercise (their
    candidate named only to a reviewer who may see that interview) and the exercise's own
    solutions flagged in the grade."""
    from hireloop.integrity.store import matches_of, side_by_side, source_text

    panels: dict[int, list[dict[str, Any]]] = {}
    for answer_id, matches in matches_of(s, [a.id for a in interview.answers]).items():
        for m in matches:
            other = m["other"]
            seen = other.interview is not None and allowed(
                me, "interview.read", service.interview_scope(other.interview))
            panels.setdefault(answer_id, []).append({
                "code": "matches_submission", "similarity": m["similarity"],
                "method": m["method"], "regions": len(m["regions"]),
                "label": (f"{service.candidate_identity(me, other.interview)['name']}'s answer"
                          if seen
                          else "another candidate's answer (name hidden: you may not see "
                               "that interview)"),
                "link": f"/team/interviews/{other.interview_id}#answer-{other.id}" if seen
                        else None,
                **side_by_side(m["text"], m["other_text"], m["regions"])})
    prints = dict(s.execute(select(SimilarityPrint.answer_id, SimilarityPrint.text).where(
        SimilarityPrint.answer_id.in_([a.id for a in interview.answers]))).all())
    for answer in interview.answers:
        grade = answer.jobs[-1].grade if answer.jobs and answer.jobs[-1].grade else None
        for flag in (grade or {}).get("flags", []):
            other = flag.get("other") or {}
            if not flag.get("regions") or other.get("role") in (None, "submission"):
                continue
            try:
                exercise = platform.bank.get(answer.exercise_id)
                kind = platform.bank.kinds.get(exercise.meta.kind)
                right = source_text(kind, exercise, platform.bank.variant(exercise, answer.seed),
                                    other.get("name", ""))
            except Exception:  # the exercise left the bank
                right = None
            panels.setdefault(answer.id, []).append({
                "code": flag["code"], "similarity": flag.get("similarity", 0.0),
                "method": flag.get("method", ""), "regions": len(flag["regions"]),
                "label": f"{other.get('role', '').replace('_', ' ')} {other.get('name', '')}",
                "link": None,
                **side_by_side(prints.get(answer.id, answer.text or ""), right or "",
                               flag["regions"])})
    return panels


def _redactor(me: Principal, interview: Any) -> Any:
    """Blind review: what the reviewer reads of the candidate's text, personal details
    redacted (graders and admins read the original)."""
    from hireloop.fairness.redact import redact

    if not service.identity_hidden(me, interview):
        return lambda text: text
    name, email = interview.candidate.name, interview.candidate.email
    return lambda text: redact(text, name=name, email=email)


def _views(platform: Any, interview: Any) -> dict[int, Any]:
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
    interview = service.interview_for(s, me, interview_id)
    card = build_scorecard(interview, platform.bank, me)
    response = page(request, "team/_jobs.html", interview=interview, card=card)
    pending = any(a["state"] in ("queued", "running") for st in card["stages"]
                  for a in st["answers"])
    if request.query_params.get("pending") and not pending:
        response.headers["HX-Refresh"] = "true"  # grades arrived: show them
    return response


@router.get("/team/answers/{answer_id}/signals")
def answer_signals(request: Request, answer_id: Id, me: TeamReader,
                   s: SessionDep) -> HTMLResponse:
    """How the answer was written: the summary of its integrity signals and their playback
    (loaded into the review page; ``hireloop.integrity.signals``). Never changes a score."""
    from hireloop.integrity import signals

    answer = service.team_answer_for(s, me, answer_id)
    found = signals.batches_of(s, [answer.id])[answer.id]
    # blind review: the typed text is not redacted step by step, so it waits for the decision
    blind = answer.interview is not None and service.identity_hidden(me, answer.interview)
    return page(request, "team/_signals.html", answer=answer, blind=blind,
                summary=signals.summarise(found),
                timeline=[] if blind else signals.timeline(found))


def recording_response(s: Any, me: Any, answer_id: int) -> Response:
    """A candidate's recording for people to review (never analysed for faces or emotion),
    served as the audio or video type read from its bytes, as a download."""
    from fastapi.responses import FileResponse

    answer = service.team_answer_for(s, me, answer_id)
    upload = next((u for u in reversed(answer.uploads) if u.complete), None)
    if upload is None:
        raise service.NotFound("no recording for this answer")
    name = upload.name
    if answer.interview is not None and service.identity_hidden(me, answer.interview):
        name = f"recording-{answer.id}"  # blind review: the file's own name may name them
    return FileResponse(upload.path, media_type=service.served_media_type(upload),
                        filename=name, content_disposition_type="attachment")


@router.get("/team/answers/{answer_id}/recording")
def recording(answer_id: Id, me: TeamReader, s: SessionDep) -> Response:
    return recording_response(s, me, answer_id)


@router.post("/team/interviews/{interview_id}/resend", dependencies=[Csrf])
def resend(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
           platform: PlatformDep) -> HTMLResponse:
    interview = service.interview_for(s, me, interview_id, "interview.invite")
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    token = service.resend(platform, interview)
    s.commit()
    return page(request, "team/invited.html", interview=interview,
                link=invite_link(request, platform, token), resent=True)


@router.post("/team/interviews/{interview_id}/revoke", dependencies=[Csrf])
def revoke(interview_id: Id, me: TeamReader, s: SessionDep) -> Response:
    service.revoke(s, service.interview_for(s, me, interview_id, "interview.invite"))
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}", 303)


@router.post("/team/interviews/{interview_id}/assignments", dependencies=[Csrf])
def assign(interview_id: Id, me: TeamReader, s: SessionDep,
           user_id: Annotated[int, Form(ge=0, le=2**31 - 1)],
           remove: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Assign an interviewer of the loop's team to the interview (or remove them)."""
    interview = service.interview_for(s, me, interview_id, "interview.invite")
    if remove:
        service.unassign(s, interview, user_id)
    else:
        service.assign(s, interview, user_id)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#assigned", 303)


def _answer_of(s: Any, me: Any, interview_id: int, answer_id: int) -> Any:
    interview = service.interview_for(s, me, interview_id, "interview.act")
    answer = next((a for a in interview.answers if a.id == answer_id), None)
    if answer is None:
        raise service.NotFound(f"no answer {answer_id} in interview {interview_id}")
    return answer


@router.post("/team/interviews/{interview_id}/answers/{answer_id}/override",
             dependencies=[Csrf])
def override(request: Request, interview_id: Id, answer_id: Id, me: TeamReader,
             s: SessionDep, criterion: Annotated[str, Form(max_length=300)],
             points: Annotated[float, Form(ge=0, le=1e6, allow_inf_nan=False)],
             reason: Annotated[str, Form(max_length=5000)] = "") -> Response:
    answer = _answer_of(s, me, interview_id, answer_id)
    service.override(s, answer, me, criterion=criterion, points=points, reason=reason)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#answer-{answer_id}", 303)


@router.post("/team/interviews/{interview_id}/answers/{answer_id}/regrade",
             dependencies=[Csrf])
def regrade(interview_id: Id, answer_id: Id, me: TeamReader, s: SessionDep,
            platform: PlatformDep) -> Response:
    answer = _answer_of(s, me, interview_id, answer_id)
    job = service.regrade(s, answer)
    s.commit()
    platform.runtime.enqueue(job)
    return RedirectResponse(f"/team/interviews/{interview_id}#answer-{answer_id}", 303)


@router.post("/team/interviews/{interview_id}/notes", dependencies=[Csrf])
def add_note(interview_id: Id, me: TeamReader, s: SessionDep,
             body: Annotated[str, Form(max_length=20000)]) -> Response:
    service.add_note(s, service.interview_for(s, me, interview_id, "interview.act"), me, body)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#notes", 303)


@router.post("/team/interviews/{interview_id}/decision", dependencies=[Csrf])
def decide(interview_id: Id, me: TeamReader, s: SessionDep,
           decision: Annotated[str, Form(max_length=20)],
           reason: Annotated[str, Form(max_length=5000)] = "") -> Response:
    service.decide(service.interview_for(s, me, interview_id, "interview.act"), me, decision,
                   reason)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#decision", 303)


@router.get("/team/interviews/{interview_id}/scorecard")
def scorecard(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    interview = service.interview_for(s, me, interview_id)
    card = build_scorecard(interview, platform.bank, me)
    from hireloop.integrity.signals import summaries
    from hireloop.web.reports import share_links

    return page(request, "team/scorecard.html", interview=interview, card=card,
                chart=competency_chart(card["competencies"]),
                signals=summaries(s, [a.id for a in interview.answers]),
                shares=share_links(s, me, interview))


@router.get("/team/interviews/{interview_id}/export.{fmt}")
def export_interview(interview_id: Id, fmt: str, me: TeamReader, s: SessionDep,
                     platform: PlatformDep) -> Response:
    interview = service.interview_for(s, me, interview_id)
    return export([build_scorecard(interview, platform.bank, me)], fmt,
                  f"interview-{interview_id}")


# --- users and teams (admins) ------------------------------------------------------------------

def _users_page(request: Request, s: Any, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return page(request, "team/users.html", status_code=status_code,
                users=s.scalars(select(User).order_by(User.id)).all(),
                teams=s.scalars(select(Team).order_by(Team.name)).all(),
                roles=service.ROLES, **extra)


@router.get("/team/users")
def users_page(request: Request, me: Admin, s: SessionDep) -> HTMLResponse:
    return _users_page(request, s)


def _team_field(value: str) -> int | None:
    return int(value) if value.isdigit() else None


@router.post("/team/users", dependencies=[Csrf])
def add_user(request: Request, me: Admin, s: SessionDep,
             email: Annotated[str, Form(max_length=320)],
             password: Annotated[str, Form(max_length=1024)],
             role: Annotated[str, Form(max_length=20)] = "interviewer",
             name: Annotated[str, Form(max_length=200)] = "",
             team_id: Annotated[str, Form(max_length=20)] = "") -> Response:
    try:
        service.create_user(s, email, password, role, name, _team_field(team_id))
    except ServiceError as exc:
        s.rollback()
        return _users_page(request, s, exc.status, error=exc.message)
    s.commit()
    return RedirectResponse("/team/users", 303)


@router.post("/team/users/{user_id}", dependencies=[Csrf])
def change_user(request: Request, user_id: Id, me: Admin, s: SessionDep,
                role: Annotated[str, Form(max_length=20)] = "",
                team_id: Annotated[str, Form(max_length=20)] = "",
                active: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Change a member's role and team, or deactivate (``active=no``) or reactivate them."""
    user = service.get_user(s, user_id)
    try:
        service.update_user(s, me, user, role=role or None, team_id=_team_field(team_id),
                            clear_team=team_id == "none",
                            active={"yes": True, "no": False}.get(active))
    except ServiceError as exc:
        s.rollback()
        return _users_page(request, s, exc.status, error=exc.message)
    s.commit()
    return RedirectResponse("/team/users", 303)


@router.post("/team/users/{user_id}/reset", dependencies=[Csrf])
def reset_link(request: Request, user_id: Id, me: Admin, s: SessionDep,
               platform: PlatformDep) -> Response:
    """A one-time link for the user to set a new password (shown once)."""
    user = service.get_user(s, user_id)
    token = service.new_password_reset(s, me, user)
    s.commit()
    base = (platform.settings.base_url or str(request.base_url)).rstrip("/")
    return _users_page(request, s, reset_for=user.email, reset_link=f"{base}/reset/{token}",
                       reset_hours=service.RESET_HOURS)


@router.post("/team/teams", dependencies=[Csrf])
def add_team(request: Request, me: Admin, s: SessionDep,
             name: Annotated[str, Form(max_length=200)]) -> Response:
    try:
        service.create_team(s, name)
    except ServiceError as exc:
        s.rollback()
        return _users_page(request, s, exc.status, error=exc.message)
    s.commit()
    return RedirectResponse("/team/users", 303)


# --- API tokens (each member's own) -------------------------------------------------------------

@router.get("/team/tokens")
def tokens_page(request: Request, me: TeamReader, s: SessionDep) -> HTMLResponse:
    return page(request, "team/tokens.html", tokens=service.api_tokens(s, me))


@router.post("/team/tokens", dependencies=[Csrf])
def new_token(request: Request, me: TeamReader, s: SessionDep,
              name: Annotated[str, Form(max_length=200)]) -> Response:
    try:
        row, token = service.create_api_token(s, me, name)
    except ServiceError as exc:
        s.rollback()
        return page(request, "team/tokens.html", status_code=exc.status, error=exc.message,
                    tokens=service.api_tokens(s, me))
    s.commit()
    return page(request, "team/tokens.html", tokens=service.api_tokens(s, me), created=row,
                token=token)


@router.post("/team/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(token_id: Id, me: TeamReader, s: SessionDep) -> Response:
    service.revoke_api_token(s, me, token_id)
    s.commit()
    return RedirectResponse("/team/tokens", 303)


# --- candidates (data protection) ---------------------------------------------------------------

@router.post("/team/candidates/{candidate_id}/delete", dependencies=[Csrf])
def delete_candidate(candidate_id: Id, me: Admin, s: SessionDep,
                     confirm: Annotated[str, Form(max_length=320)] = "") -> Response:
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
    candidates = service.visible_candidates(s, me)
    visible = {i.id for i in service.visible_interviews(s, me, limit=100_000)}
    listing = {c.id: service.candidate_listing(me, c, [i for i in c.interviews
                                                       if i.id in visible])
               for c in candidates}
    from hireloop.fairness import rights

    return page(request, "team/candidates.html", candidates=candidates, listing=listing,
                deletion_requested=rights.requested(s, [c.id for c in candidates])
                if me.role == "admin" else set(),
                retention_days=platform.settings.retention_days)
