"""The JSON API (``/api/v1``): everything the pages do, for integrations and scripts.

Authenticate with ``POST /api/v1/auth/login`` (a session token) or a long-lived API token made
on the API tokens page, and send ``Authorization: Bearer <token>``; a browser session cookie
works too (then state-changing calls need the ``X-CSRF-Token`` header and the page's origin).
Candidates authenticate with ``POST /api/v1/take/open`` and their invitation token; practicers
get a practice token from ``POST /api/v1/practice/start`` and send it as ``X-Practice-Token``.
Every error is ``{"detail": "..."}`` with a status each operation documents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from hireloop import __version__
from hireloop.db.models import Candidate, Note, Team, User
from hireloop.hiring import security, service
from hireloop.hiring.service import TooMany
from hireloop.reports.scorecard import build_scorecard, csv_rows
from hireloop.web import take as pages_take
from hireloop.web.deps import (
    Admin,
    Csrf,
    Id,
    LoopCreator,
    PlatformDep,
    PrincipalDep,
    SessionDep,
    StatusReader,
    TeamReader,
    client_ip,
)
from hireloop.web.pages import export, invite_link, recording_response
from hireloop.web.take import Draft, _candidate, candidate_feedback, job_state, view_of


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


_WHY = {401: "not signed in, or the token is unknown, expired or revoked",
        403: "signed in, but not allowed to do this (or the CSRF check failed)",
        404: "no such object, or not one you may see",
        409: "the object's state does not allow it (e.g. the stage was submitted)",
        410: "gone: the link was used, withdrawn, or the interview is closed",
        413: "too large: the answer, the file count or the upload is over its limit",
        415: "the upload is not an audio or video recording this exercise takes",
        422: "the request is invalid (the detail names the field)",
        429: "too many requests: a rate limit, a quota or a full queue; try again later"}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for the error statuses an operation may answer (422 always)."""
    return {code: {"model": Problem, "description": _WHY[code]}
            for code in sorted({*codes, 422})}


SIGNED_IN = (401, 403)
"""what any operation behind a sign-in may answer"""

router = APIRouter(prefix="/api/v1", dependencies=[Csrf], responses=errors(401, 403))
"""every operation may answer 401 (a bearer token that is unknown, expired or revoked) and 403
(a browser request that fails the CSRF or origin check)"""
Int = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Login(BaseModel):
    email: Annotated[str, Field(max_length=320)]
    password: Annotated[str, Field(max_length=1024)]


class Token(BaseModel):
    token: str
    role: str
    expires_in_hours: int


class NewUser(BaseModel):
    email: Annotated[str, Field(max_length=320)]
    password: Annotated[str, Field(max_length=1024)]
    role: Literal["admin", "hiring_manager", "interviewer"] = "interviewer"
    name: Annotated[str, Field(max_length=200)] = ""
    team_id: Int | None = None


class UserChange(BaseModel):
    role: Literal["admin", "hiring_manager", "interviewer"] | None = None
    team_id: Int | None = None
    """the team to move them to"""
    clear_team: bool = False
    """take them out of any team"""
    active: bool | None = None
    """false deactivates them: every session and API token of theirs stops at once"""


class NewTeam(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class NewApiToken(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class NewLoop(BaseModel):
    template: Annotated[str | None, Field(max_length=200)] = None
    """a built-in loop template's id (see GET /api/v1/templates)"""
    definition: dict[str, Any] | None = None
    """a loop as in loops/*.toml, as JSON"""
    title: Annotated[str | None, Field(max_length=200)] = None
    team_id: Int | None = None
    """the team it belongs to (admins; a hiring manager's loops are their team's)"""


class LoopDefinition(BaseModel):
    definition: dict[str, Any]


class Invite(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(max_length=320)]
    loop_id: Int
    interviewers: Annotated[list[Int], Field(max_length=50)] = Field(default_factory=list)
    """user ids of the loop's team to assign"""


class AssignmentIn(BaseModel):
    user_id: Int


class OverrideIn(BaseModel):
    answer_id: Int
    criterion: Annotated[str, Field(max_length=300)]
    points: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)]
    reason: Annotated[str, Field(min_length=1, max_length=5000)]


class NoteIn(BaseModel):
    body: Annotated[str, Field(min_length=1, max_length=20000)]


class DecisionIn(BaseModel):
    decision: Literal["advance", "hold", "reject"]
    reason: Annotated[str, Field(max_length=5000)] = ""


class OpenInvitation(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=200)]


class PracticeStart(BaseModel):
    competency: Annotated[str, Field(max_length=100)] = ""
    loop: Annotated[str, Field(max_length=200)] = ""


def _loop_json(record: Any) -> dict[str, Any]:
    return {"id": record.id, "title": record.title, "template": record.template,
            "team_id": record.team_id, "definition": record.definition,
            "updated_at": record.updated_at.isoformat()}


def _interview_summary(interview: Any, me: Any) -> dict[str, Any]:
    who = service.candidate_identity(me, interview)
    return {"id": interview.id, "candidate": {"id": interview.candidate.id,
                                              "name": who["name"], "email": who["email"],
                                              "blind": who["blind"]},
            "loop_id": interview.loop_id, "loop": interview.loop_snapshot.get("title"),
            "status": service.interview_status(interview),
            "expires_at": interview.expires_at.isoformat(),
            "interviewers": [a.user_id for a in interview.assignments],
            "decision": interview.decision}


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "team_id": user.team_id, "active": user.active}


def _token_json(row: Any) -> dict[str, Any]:
    return {"id": row.id, "name": row.name, "created_at": row.created_at.isoformat(),
            "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
            "revoked": row.revoked_at is not None}


# --- auth ---------------------------------------------------------------------------------

@router.post("/auth/login", response_model=Token, tags=["auth"], responses=errors(401, 429))
def login(body: Login, request: Request, s: SessionDep, platform: PlatformDep) -> Token:
    """Exchange an email and password for a bearer token (a session of
    ``HIRELOOP_SESSION_HOURS``; for scripts prefer an API token)."""
    user = service.sign_in(s, body.email, body.password, client_ip(request), None)
    token = service.start_session(s, platform.settings, user_id=user.id)
    s.commit()
    return Token(token=token, role=user.role, expires_in_hours=platform.settings.session_hours)


@router.post("/auth/logout", tags=["auth"], responses=errors(401))
def logout(request: Request, s: SessionDep) -> dict[str, Any]:
    """End the session whose bearer token this is (API tokens are revoked instead)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        service.end_session(s, header[7:].strip())
        s.commit()
    return {"signed_out": True}


@router.get("/me", tags=["auth"], responses=errors(401))
def me(principal: PrincipalDep) -> dict[str, Any]:
    """Who the token or cookie belongs to."""
    return {"role": principal.role, "email": principal.email, "user_id": principal.user_id,
            "team_id": principal.team_id, "interview_id": principal.interview_id}


@router.get("/tokens", tags=["auth"], responses=errors(*SIGNED_IN))
def tokens(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    """Your API tokens (never the tokens themselves: only their hashes are kept)."""
    return [_token_json(r) for r in service.api_tokens(s, me)]


@router.post("/tokens", tags=["auth"], status_code=201, responses=errors(*SIGNED_IN, 409))
def create_token(body: NewApiToken, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    """A long-lived API token acting as you; the token is in this answer only."""
    row, token = service.create_api_token(s, me, body.name)
    s.commit()
    return {**_token_json(row), "token": token}


@router.delete("/tokens/{token_id}", tags=["auth"], responses=errors(*SIGNED_IN, 404))
def revoke_token(token_id: Id, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    """Revoke one of your API tokens (admins: anyone's); it stops working at once."""
    row = service.revoke_api_token(s, me, token_id)
    s.commit()
    return _token_json(row)


@router.get("/status", tags=["status"], responses=errors(*SIGNED_IN))
def status(me: StatusReader, platform: PlatformDep) -> dict[str, Any]:
    """Versions, kinds, the database backend and the grading queue (admins, or the
    ``HIRELOOP_METRICS_TOKEN``)."""
    kinds = {k.name: k.version for k in platform.bank.kinds.kinds.values()}
    return {"status": "ok", "version": __version__, "kinds": kinds,
            "database": platform.db.engine.dialect.name,
            "queue": platform.runtime.queue_state()}


# --- users and teams (admins) --------------------------------------------------------------

@router.get("/users", tags=["users"], responses=errors(*SIGNED_IN))
def users(me: Admin, s: SessionDep) -> list[dict[str, Any]]:
    return [_user_json(u) for u in s.scalars(select(User).order_by(User.id))]


@router.post("/users", tags=["users"], status_code=201, responses=errors(*SIGNED_IN, 409))
def add_user(body: NewUser, me: Admin, s: SessionDep) -> dict[str, Any]:
    """Add a team member (admins only)."""
    user = service.create_user(s, body.email, body.password, body.role, body.name,
                               body.team_id)
    s.commit()
    return _user_json(user)


@router.patch("/users/{user_id}", tags=["users"], responses=errors(*SIGNED_IN, 404, 409))
def change_user(user_id: Id, body: UserChange, me: Admin, s: SessionDep) -> dict[str, Any]:
    """Change a member's role or team, or deactivate them (their sessions and API tokens
    end at once)."""
    user = service.update_user(s, me, service.get_user(s, user_id), role=body.role,
                               team_id=body.team_id, clear_team=body.clear_team,
                               active=body.active)
    s.commit()
    return _user_json(user)


@router.post("/users/{user_id}/reset", tags=["users"], responses=errors(*SIGNED_IN, 404))
def reset_link(user_id: Id, request: Request, me: Admin, s: SessionDep,
               platform: PlatformDep) -> dict[str, Any]:
    """A one-time link for the user to set a new password, valid 24 hours (in this answer
    only; older links stop working)."""
    user = service.get_user(s, user_id)
    token = service.new_password_reset(s, me, user)
    s.commit()
    base = (platform.settings.base_url or str(request.base_url)).rstrip("/")
    return {"user_id": user.id, "link": f"{base}/reset/{token}",
            "expires_in_hours": service.RESET_HOURS}


@router.get("/teams", tags=["users"], responses=errors(*SIGNED_IN))
def teams(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    return [{"id": t.id, "name": t.name} for t in s.scalars(select(Team).order_by(Team.id))]


@router.post("/teams", tags=["users"], status_code=201, responses=errors(*SIGNED_IN, 409))
def add_team(body: NewTeam, me: Admin, s: SessionDep) -> dict[str, Any]:
    team = service.create_team(s, body.name)
    s.commit()
    return {"id": team.id, "name": team.name}


# --- bank and loops -------------------------------------------------------------------------

@router.get("/bank/exercises", tags=["bank"], responses=errors(*SIGNED_IN))
def exercises(me: TeamReader, platform: PlatformDep) -> list[dict[str, Any]]:
    """The usable exercises (public metadata only)."""
    return [{"id": e.id, "title": e.meta.title, "kind": e.meta.kind, "level": e.meta.level,
             "competencies": list(e.meta.competencies), "minutes": e.meta.minutes}
            for e in sorted(platform.bank.exercises.values(), key=lambda e: e.id)]


@router.post("/bank/reload", tags=["bank"], responses=errors(*SIGNED_IN))
def reload_bank(me: Admin, s: SessionDep, platform: PlatformDep) -> dict[str, Any]:
    """Reload the bank folders here and, within a heartbeat, in every grading process."""
    number = service.request_bank_reload(s, me)
    s.commit()
    platform.runtime.reload_bank_if_asked()
    return {"reload": number, "exercises": len(platform.bank.exercises)}


@router.get("/templates", tags=["loops"], responses=errors(*SIGNED_IN))
def templates(me: TeamReader, platform: PlatformDep) -> list[dict[str, Any]]:
    """Loop templates that fit the bank."""
    return [{"id": i, "title": loop.title, "role": loop.role, "minutes": loop.minutes}
            for i, loop in platform.usable_templates().items()]


@router.get("/loops", tags=["loops"], responses=errors(*SIGNED_IN))
def loops(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    """The loops you may see (admins: all; hiring managers: their team's)."""
    return [_loop_json(r) for r in service.visible_loops(s, me)]


@router.post("/loops", tags=["loops"], status_code=201, responses=errors(*SIGNED_IN, 404))
def create_loop(body: NewLoop, me: LoopCreator, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    """A loop from a template or a definition (validated against the bank)."""
    record = service.create_loop(s, platform, me, template=body.template,
                                 definition=body.definition, title=body.title,
                                 team_id=body.team_id)
    s.commit()
    return _loop_json(record)


@router.get("/loops/{loop_id}", tags=["loops"], responses=errors(*SIGNED_IN, 404))
def get_loop(loop_id: Id, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    return _loop_json(service.loop_for(s, me, loop_id))


@router.put("/loops/{loop_id}", tags=["loops"], responses=errors(*SIGNED_IN, 404))
def update_loop(loop_id: Id, body: LoopDefinition, me: TeamReader, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    record = service.update_loop(platform, service.loop_for(s, me, loop_id, "loop.write"),
                                 body.definition)
    s.commit()
    return _loop_json(record)


@router.get("/loops/{loop_id}/results", tags=["loops"], responses=errors(*SIGNED_IN, 404))
def loop_results(loop_id: Id, me: TeamReader, s: SessionDep,
                 platform: PlatformDep) -> list[dict[str, Any]]:
    """Every interview of the loop as a scorecard."""
    record = service.loop_for(s, me, loop_id)
    return [build_scorecard(i, platform.bank, me)
            for i in service.visible_interviews(s, me, loop_id=record.id, limit=100_000)]


_EXPORT: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/json": {}},
          "description": "the scorecards as a download"}}


@router.get("/loops/{loop_id}/export", tags=["loops"], response_class=Response,
            responses={**_EXPORT, **errors(*SIGNED_IN, 404)})
def export_loop(loop_id: Id, me: TeamReader, s: SessionDep, platform: PlatformDep,
                format: Annotated[Literal["csv", "json"], Query()] = "csv") -> Response:
    """The loop's scorecards as a CSV or JSON download (what the Export buttons give)."""
    record = service.loop_for(s, me, loop_id)
    cards = [build_scorecard(i, platform.bank, me)
             for i in service.visible_interviews(s, me, loop_id=record.id, limit=100_000)]
    return export(cards, format, f"loop-{loop_id}")


# --- candidates and interviews --------------------------------------------------------------

@router.get("/candidates", tags=["candidates"], responses=errors(*SIGNED_IN))
def candidates(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    """Candidates with an interview you may see."""
    visible = {i.id for i in service.visible_interviews(s, me, limit=100_000)}
    return [{**service.candidate_listing(me, c, [i for i in c.interviews if i.id in visible]),
             "interviews": [i.id for i in c.interviews if i.id in visible]}
            for c in service.visible_candidates(s, me)]


@router.delete("/candidates/{candidate_id}", tags=["candidates"],
               responses=errors(*SIGNED_IN, 404))
def delete_candidate(candidate_id: Id, me: Admin, s: SessionDep) -> dict[str, Any]:
    """Delete a candidate and all their data (a data-protection request; admins)."""
    candidate = s.get(Candidate, candidate_id)
    if candidate is None:
        raise service.NotFound(f"no candidate {candidate_id}")
    deleted = service.delete_candidate(s, candidate)
    s.commit()
    return {"deleted_interviews": deleted}


@router.post("/interviews", tags=["interviews"], status_code=201,
             responses=errors(*SIGNED_IN, 404, 429))
def invite(body: Invite, request: Request, me: TeamReader, s: SessionDep,
           platform: PlatformDep) -> dict[str, Any]:
    """Invite a candidate to a loop; the link is shown only in this answer."""
    service.loop_for(s, me, body.loop_id, "interview.invite")
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    interview, token = service.invite(s, platform, me, name=body.name, email=body.email,
                                      loop_id=body.loop_id, interviewers=body.interviewers)
    s.commit()
    return {**_interview_summary(interview, me), "link": invite_link(request, platform, token)}


@router.get("/interviews", tags=["interviews"], responses=errors(*SIGNED_IN))
def interviews(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    """The interviews you may see (interviewers: those assigned to them)."""
    return [_interview_summary(i, me) for i in service.visible_interviews(s, me)]


@router.get("/interviews/changed", tags=["interviews"], responses=errors(*SIGNED_IN, 422))
def changed_interviews(
        me: TeamReader, s: SessionDep,
        since: Annotated[datetime | None, Query(
            description="ISO 8601 time (2026-12-06T09:00:00Z); none: from the start")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    """The interviews you may see that changed at or after ``since`` (invited, a stage
    started or handed in, graded, overridden, a note, decided, withdrawn), oldest change
    first. Poll again with ``since`` = the answer's ``next_since``; an interview may come
    twice (the bound is inclusive): keep the newest ``changed_at``. Each has its scorecard at
    ``/api/v1/interviews/{id}/scorecard``."""
    from hireloop.hiring.changes import changed_interviews as changed

    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    rows = changed(s, me, since, limit=limit)
    return {"interviews": [{**_interview_summary(i, me),
                            "changed_at": at.isoformat().replace("+00:00", "Z"),
                            "scorecard": f"/api/v1/interviews/{i.id}/scorecard"}
                           for i, at in rows],
            "next_since": (rows[-1][1].isoformat().replace("+00:00", "Z") if rows
                           else (since.isoformat().replace("+00:00", "Z") if since else None)),
            "more": len(rows) == limit}


@router.get("/interviews/{interview_id}", tags=["interviews"],
            responses=errors(*SIGNED_IN, 404))
def interview(interview_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> dict[str, Any]:
    """The interview with every answer, its grade per criterion with evidence, overrides."""
    item = service.interview_for(s, me, interview_id)
    blind = service.identity_hidden(me, item)
    from hireloop.fairness.redact import redact_tree

    def shown(value: Any) -> Any:  # blind review: personal details redacted
        return redact_tree(value, name=item.candidate.name,
                           email=item.candidate.email) if blind else value

    answers = []
    for a in item.answers:
        grade = service.automatic_grade(a)
        job = service.latest_job(a)
        answers.append({
            "id": a.id, "stage_index": a.stage_index, "exercise_id": a.exercise_id,
            "seed": a.seed, "text": shown(a.text), "files": shown(a.files),
            "revision": a.revision,
            "uploads": [({"name": f"recording-{a.id}", "mime": u.mime} if blind  # no details
                         else {"name": u.name, "size": u.size, "mime": u.mime})
                        for u in a.uploads if u.complete],
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
            "job": None if job is None else {"id": job.id, "state": job.state,
                                             "error": job.error},
            "grade": shown(grade.model_dump(mode="json")) if grade else None,
            "criteria": shown(service.effective_criteria(a)), "score": service.answer_score(a)})
    notes = s.scalars(select(Note).where(Note.interview_id == item.id).order_by(Note.id))
    return {**_interview_summary(item, me), "plan": item.plan, "answers": answers,
            "notes": [{"by": n.user.email, "body": n.body, "at": n.created_at.isoformat()}
                      for n in notes]}


@router.post("/interviews/{interview_id}/resend", tags=["interviews"],
             responses=errors(*SIGNED_IN, 404, 429))
def resend(interview_id: Id, request: Request, me: TeamReader, s: SessionDep,
           platform: PlatformDep) -> dict[str, Any]:
    """A new link (the old one stops working)."""
    item = service.interview_for(s, me, interview_id, "interview.invite")
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    token = service.resend(platform, item)
    s.commit()
    return {**_interview_summary(item, me), "link": invite_link(request, platform, token)}


@router.post("/interviews/{interview_id}/revoke", tags=["interviews"],
             responses=errors(*SIGNED_IN, 404))
def revoke(interview_id: Id, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    item = service.interview_for(s, me, interview_id, "interview.invite")
    service.revoke(s, item)
    s.commit()
    return _interview_summary(item, me)


@router.post("/interviews/{interview_id}/interviewers", tags=["interviews"],
             responses=errors(*SIGNED_IN, 404))
def assign(interview_id: Id, body: AssignmentIn, me: TeamReader,
           s: SessionDep) -> dict[str, Any]:
    """Assign an interviewer of the loop's team (hiring managers of the team, admins)."""
    item = service.interview_for(s, me, interview_id, "interview.invite")
    service.assign(s, item, body.user_id)
    s.commit()
    return _interview_summary(item, me)


@router.delete("/interviews/{interview_id}/interviewers/{user_id}", tags=["interviews"],
               responses=errors(*SIGNED_IN, 404))
def unassign(interview_id: Id, user_id: Id, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    item = service.interview_for(s, me, interview_id, "interview.invite")
    service.unassign(s, item, user_id)
    s.commit()
    return _interview_summary(item, me)


def _answer_of(s: Any, me: Any, interview_id: int, answer_id: int) -> Any:
    item = service.interview_for(s, me, interview_id, "interview.act")
    answer = next((a for a in item.answers if a.id == answer_id), None)
    if answer is None:
        raise service.NotFound(f"no answer {answer_id} in interview {interview_id}")
    return answer


@router.post("/interviews/{interview_id}/overrides", tags=["interviews"], status_code=201,
             responses=errors(*SIGNED_IN, 404, 409))
def override(interview_id: Id, body: OverrideIn, me: TeamReader,
             s: SessionDep) -> dict[str, Any]:
    """Override one criterion's points with a reason (the automatic grade is kept)."""
    answer = _answer_of(s, me, interview_id, body.answer_id)
    row = service.override(s, answer, me, criterion=body.criterion, points=body.points,
                           reason=body.reason)
    s.commit()
    return {"id": row.id, "criterion": row.criterion, "points": row.points}


@router.post("/interviews/{interview_id}/answers/{answer_id}/regrade", tags=["interviews"],
             responses=errors(*SIGNED_IN, 404, 409))
def regrade(interview_id: Id, answer_id: Id, me: TeamReader, s: SessionDep,
            platform: PlatformDep) -> dict[str, Any]:
    """Grade a submitted answer again; returns the new job."""
    job = service.regrade(s, _answer_of(s, me, interview_id, answer_id))
    s.commit()
    platform.runtime.enqueue(job)
    return {"job": job}


_MEDIA: dict[int | str, dict[str, Any]] = {
    200: {"content": {t: {} for t in service.MEDIA_TYPES},
          "description": "the recording, as the type read from its bytes"}}


@router.get("/answers/{answer_id}/recording", tags=["interviews"], response_class=Response,
            responses={**_MEDIA, **errors(*SIGNED_IN, 404)})
def recording(answer_id: Id, me: TeamReader, s: SessionDep) -> Response:
    """A candidate's recording, for people to review."""
    return recording_response(s, me, answer_id)


@router.post("/interviews/{interview_id}/notes", tags=["interviews"], status_code=201,
             responses=errors(*SIGNED_IN, 404))
def note(interview_id: Id, body: NoteIn, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    row = service.add_note(s, service.interview_for(s, me, interview_id, "interview.act"), me,
                           body.body)
    s.commit()
    return {"id": row.id}


@router.post("/interviews/{interview_id}/decision", tags=["interviews"],
             responses=errors(*SIGNED_IN, 404))
def decision(interview_id: Id, body: DecisionIn, me: TeamReader,
             s: SessionDep) -> dict[str, Any]:
    """Record the decision (the invitation link closes)."""
    item = service.interview_for(s, me, interview_id, "interview.act")
    service.decide(item, me, body.decision, body.reason)
    s.commit()
    return _interview_summary(item, me)


@router.get("/interviews/{interview_id}/scorecard", tags=["interviews"],
            responses=errors(*SIGNED_IN, 404))
def scorecard(interview_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> dict[str, Any]:
    return build_scorecard(service.interview_for(s, me, interview_id), platform.bank, me)


@router.get("/interviews/{interview_id}/rows", tags=["interviews"],
            responses=errors(*SIGNED_IN, 404))
def rows(interview_id: Id, me: TeamReader, s: SessionDep,
         platform: PlatformDep) -> list[dict[str, Any]]:
    """The scorecard as flat rows (the CSV export's columns)."""
    return csv_rows(build_scorecard(service.interview_for(s, me, interview_id), platform.bank,
                                    me))


@router.get("/interviews/{interview_id}/export", tags=["interviews"], response_class=Response,
            responses={**_EXPORT, **errors(*SIGNED_IN, 404)})
def export_interview(interview_id: Id, me: TeamReader, s: SessionDep, platform: PlatformDep,
                     format: Annotated[Literal["csv", "json"], Query()] = "csv") -> Response:
    """The scorecard as a CSV or JSON download."""
    item = service.interview_for(s, me, interview_id)
    return export([build_scorecard(item, platform.bank, me)], format,
                  f"interview-{interview_id}")


# --- the candidate's side -------------------------------------------------------------------

@router.post("/take/open", tags=["take"], responses=errors(404, 410))
def take_open(body: OpenInvitation, s: SessionDep, platform: PlatformDep) -> dict[str, Any]:
    """Exchange an invitation token for a candidate bearer token."""
    item = service.open_invitation(s, body.token, platform.settings)
    token = service.start_session(s, platform.settings, interview_id=item.id)
    s.commit()
    return {"token": token, "interview_id": item.id}


@router.get("/take", tags=["take"], responses=errors(*SIGNED_IN, 409))
def take(me: PrincipalDep, s: SessionDep, platform: PlatformDep) -> dict[str, Any]:
    """The candidate's interview: stages, exercises as the candidate sees them, states."""
    item = _candidate(me, s)
    stages = []
    for run in item.stages:
        state = service.stage_state(item, run)
        exercises = []
        if state not in ("locked", "ready"):
            for a in item.answers:
                if a.stage_index == run.index:
                    exercises.append({
                        "answer_id": a.id, "view": view_of(platform, a)[0].model_dump(
                            mode="json"),
                        "text": a.text, "files": a.files, "revision": a.revision,
                        "state": job_state(a),
                        "feedback": candidate_feedback(a)
                        if service.feedback_visible(item, run.index) else None})
        deadline = service.stage_deadline(item, run)
        stages.append({"index": run.index, "name": item.plan[run.index]["name"],
                       "minutes": item.plan[run.index]["minutes"], "state": state,
                       "deadline": deadline.isoformat() if deadline else None,
                       "exercises": exercises})
    return {"interview_id": item.id, "consented": item.consented_at is not None,
            "feedback": item.loop_snapshot.get("feedback"), "stages": stages}


@router.post("/take/consent", tags=["take"], responses=errors(*SIGNED_IN))
def take_consent(me: PrincipalDep, s: SessionDep) -> dict[str, Any]:
    service.consent(_candidate(me, s))
    s.commit()
    return {"consented": True}


@router.post("/take/review-request", tags=["take"], responses=errors(*SIGNED_IN))
def take_review_request(me: PrincipalDep, s: SessionDep) -> dict[str, Any]:
    """Ask for a human review of the automatic scores."""
    service.request_human_review(_candidate(me, s))
    s.commit()
    return {"requested": True}


@router.post("/take/stages/{index}/start", tags=["take"],
             responses=errors(*SIGNED_IN, 404, 409))
def take_start(index: Id, me: PrincipalDep, s: SessionDep) -> dict[str, Any]:
    item = _candidate(me, s)
    run = service.start_stage(item, index)
    s.commit()
    deadline = service.stage_deadline(item, run)
    return {"index": index, "deadline": deadline.isoformat() if deadline else None}


@router.put("/take/answers/{answer_id}", tags=["take"],
            responses=errors(*SIGNED_IN, 404, 409, 413))
def take_save(answer_id: Id, draft: Annotated[Draft, Body()], me: PrincipalDep,
              s: SessionDep, platform: PlatformDep) -> dict[str, Any]:
    """Autosave a draft; answered only once it is on disk."""
    item = _candidate(me, s)
    answer = service.candidate_answer(s, item, answer_id)
    service.autosave(platform, item, answer, text=draft.text, files=draft.files,
                     revision=draft.revision)
    s.commit()
    return {"saved": True, "revision": answer.revision,
            "saved_at": answer.saved_at.isoformat() if answer.saved_at else None}


@router.post("/take/stages/{index}/submit", tags=["take"],
             responses=errors(*SIGNED_IN, 404, 409))
def take_submit(index: Id, me: PrincipalDep, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    item = _candidate(me, s)
    jobs = service.submit_stage(s, item, index)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    return {"submitted": True, "jobs": jobs}


@router.post("/take/answers/{answer_id}/trial", tags=["take"],
             responses=errors(*SIGNED_IN, 404, 409, 429))
def take_trial(answer_id: Id, me: PrincipalDep, s: SessionDep,
               platform: PlatformDep) -> JSONResponse:
    """Queue a trial run (visible tests) of the saved answer; poll its state."""
    return pages_take.trial(answer_id, me, s, platform)


@router.get("/take/answers/{answer_id}/trial", tags=["take"],
            responses=errors(*SIGNED_IN, 404))
def take_trial_state(answer_id: Id, me: PrincipalDep, s: SessionDep,
                     since: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JSONResponse:
    """The latest trial run: its state, log lines from ``since`` on, and its result."""
    return pages_take.trial_state(answer_id, me, s, since)


_CHUNK = {"content": {"application/octet-stream": {"schema": {"type": "string",
                                                              "format": "binary"}}},
          "description": "up to 1 MiB of the recording, at ``offset``"}


@router.get("/take/answers/{answer_id}/upload", tags=["take"],
            responses=errors(*SIGNED_IN, 404))
def take_upload_state(answer_id: Id, me: PrincipalDep, s: SessionDep) -> JSONResponse:
    """How many bytes of the recording in progress the server has (to resume)."""
    return pages_take.upload_state(answer_id, me, s)


@router.post("/take/answers/{answer_id}/upload", tags=["take"], openapi_extra={
    "requestBody": _CHUNK}, responses=errors(*SIGNED_IN, 404, 409, 413, 415))
async def take_upload(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                      platform: PlatformDep,
                      offset: Annotated[int, Query(ge=0, le=2**40)] = 0) -> JSONResponse:
    """Send the next chunk of a recording (exercises that take one only)."""
    return await pages_take.upload_chunk(request, answer_id, me, s, platform, offset)


@router.post("/take/answers/{answer_id}/upload/complete", tags=["take"],
             responses=errors(*SIGNED_IN, 404, 409, 415))
def take_upload_complete(answer_id: Id, done: pages_take.UploadDone, me: PrincipalDep,
                         s: SessionDep, platform: PlatformDep) -> JSONResponse:
    """Finish the recording; its type is read from its bytes (audio and video only)."""
    return pages_take.upload_complete(answer_id, done, me, s, platform)


# --- practice (no account needed) -------------------------------------------------------------

PRACTICE = {"X-Practice-Token": "the practice token from POST /api/v1/practice/start"}


@router.post("/practice/start", tags=["practice"], status_code=201,
             responses=errors(403, 404, 429))
def practice_start(body: PracticeStart, request: Request, me: PrincipalDep, s: SessionDep,
                   platform: PlatformDep) -> dict[str, Any]:
    """A practice answer to a fresh exercise. Without an ``X-Practice-Token`` header a new
    practice token is made and returned (keep it: it is your practice identity)."""
    answer, token = pages_take.start_practice(request, me, s, platform, body.competency,
                                              body.loop)
    view, _ = view_of(platform, answer)
    return {"answer_id": answer.id, "practice_token": token,
            "view": view.model_dump(mode="json")}


def _practice(request: Request, me: Any, s: Any, platform: Any, answer_id: int) -> Any:
    return pages_take._practice_answer(
        s, pages_take._practice_id(request, platform, me), answer_id, platform)


@router.get("/practice/answers/{answer_id}", tags=["practice"], responses=errors(404))
def practice_answer(answer_id: Id, request: Request, me: PrincipalDep, s: SessionDep,
                    platform: PlatformDep) -> dict[str, Any]:
    """A practice answer: the exercise as shown, the draft, the grading state, feedback."""
    answer = _practice(request, me, s, platform, answer_id)
    view, _ = view_of(platform, answer)
    return {"answer_id": answer.id, "view": view.model_dump(mode="json"), "text": answer.text,
            "files": answer.files, "revision": answer.revision, "state": job_state(answer),
            "feedback": candidate_feedback(answer)}


@router.put("/practice/answers/{answer_id}", tags=["practice"],
            responses=errors(404, 409, 413))
def practice_save(answer_id: Id, draft: Annotated[Draft, Body()], request: Request,
                  me: PrincipalDep, s: SessionDep, platform: PlatformDep) -> JSONResponse:
    return pages_take.practice_save(request, answer_id, draft, me, s, platform)


@router.post("/practice/answers/{answer_id}/submit", tags=["practice"], responses=errors(404))
def practice_submit(answer_id: Id, request: Request, me: PrincipalDep, s: SessionDep,
                    platform: PlatformDep) -> dict[str, Any]:
    """Hand the attempt in for grading (poll GET /practice/answers/{id})."""
    pages_take.practice_submit(request, answer_id, me, s, platform)
    return {"submitted": True}


@router.post("/practice/answers/{answer_id}/trial", tags=["practice"],
             responses=errors(404, 409, 429))
def practice_trial(answer_id: Id, request: Request, me: PrincipalDep, s: SessionDep,
                   platform: PlatformDep) -> JSONResponse:
    return pages_take.practice_trial(request, answer_id, me, s, platform)


@router.get("/practice/answers/{answer_id}/trial", tags=["practice"], responses=errors(404))
def practice_trial_state(answer_id: Id, request: Request, me: PrincipalDep, s: SessionDep,
                         platform: PlatformDep,
                         since: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JSONResponse:
    return pages_take.practice_trial_state(request, answer_id, me, s, platform, since)


@router.post("/practice/answers/{answer_id}/upload", tags=["practice"], openapi_extra={
    "requestBody": _CHUNK}, responses=errors(404, 409, 413, 415, 429))
async def practice_upload(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                          platform: PlatformDep,
                          offset: Annotated[int, Query(ge=0, le=2**40)] = 0) -> JSONResponse:
    """Send the next chunk of a recording (spoken exercises only)."""
    return await pages_take.practice_upload_chunk(request, answer_id, me, s, platform, offset)


@router.post("/practice/answers/{answer_id}/upload/complete", tags=["practice"],
             responses=errors(404, 409, 415))
def practice_upload_complete(answer_id: Id, done: pages_take.UploadDone, request: Request,
                             me: PrincipalDep, s: SessionDep,
                             platform: PlatformDep) -> JSONResponse:
    return pages_take.practice_upload_complete(request, answer_id, done, me, s, platform)
