"""The JSON API (``/api/v1``): everything the pages do, for integrations and scripts.

Authenticate with ``POST /api/v1/auth/login`` and send ``Authorization: Bearer <token>``; a
browser session cookie works too (then state-changing calls need the ``X-CSRF-Token`` header).
Candidates authenticate with ``POST /api/v1/take/open`` and their invitation token.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from hireloop.db.models import Candidate, Interview, LoopRecord, Note
from hireloop.hiring import security, service
from hireloop.hiring.service import TooMany
from hireloop.reports.scorecard import build_scorecard, csv_rows
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
from hireloop.web.pages import LOGIN_LIMIT, invite_link
from hireloop.web.take import Draft, _candidate, candidate_feedback, job_state, view_of

router = APIRouter(prefix="/api/v1", dependencies=[Csrf])


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
    role: Literal["admin", "interviewer"] = "interviewer"
    name: Annotated[str, Field(max_length=200)] = ""


class NewLoop(BaseModel):
    template: str | None = None
    """a built-in loop template's id (see GET /api/v1/templates)"""
    definition: dict[str, Any] | None = None
    """a loop as in loops/*.toml, as JSON"""
    title: Annotated[str | None, Field(max_length=200)] = None


class LoopDefinition(BaseModel):
    definition: dict[str, Any]


class Invite(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(max_length=320)]
    loop_id: Annotated[int, Field(ge=0, le=2**31 - 1)]


class OverrideIn(BaseModel):
    answer_id: Annotated[int, Field(ge=0, le=2**31 - 1)]
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


def _loop_json(record: LoopRecord) -> dict[str, Any]:
    return {"id": record.id, "title": record.title, "template": record.template,
            "definition": record.definition, "updated_at": record.updated_at.isoformat()}


def _interview_summary(interview: Interview) -> dict[str, Any]:
    return {"id": interview.id, "candidate": {"id": interview.candidate.id,
                                              "name": interview.candidate.name,
                                              "email": interview.candidate.email},
            "loop_id": interview.loop_id, "loop": interview.loop_snapshot.get("title"),
            "status": service.interview_status(interview),
            "expires_at": interview.expires_at.isoformat(),
            "decision": interview.decision}


# --- auth ---------------------------------------------------------------------------------

@router.post("/auth/login", response_model=Token, tags=["auth"])
def login(body: Login, request: Request, s: SessionDep, platform: PlatformDep) -> Token:
    """Exchange an email and password for a bearer token."""
    limited = (security.rate_limited(s, f"login-ip:{client_ip(request)}", *LOGIN_LIMIT)
               or security.rate_limited(s, f"login:{body.email.strip().lower()}",
                                        *LOGIN_LIMIT))
    s.commit()
    if limited:
        raise TooMany("too many sign-in attempts; wait a few minutes and try again")
    user = service.authenticate(s, body.email, body.password)
    if user is None:
        s.commit()
        raise service.ServiceError("wrong email or password")
    token = service.start_session(s, platform.settings, user_id=user.id)
    s.commit()
    return Token(token=token, role=user.role, expires_in_hours=platform.settings.session_hours)


@router.get("/me", tags=["auth"])
def me(principal: PrincipalDep) -> dict[str, Any]:
    """Who the token or cookie belongs to."""
    return {"role": principal.role, "email": principal.email, "user_id": principal.user_id,
            "interview_id": principal.interview_id}


@router.post("/users", tags=["users"], status_code=201)
def add_user(body: NewUser, me: Admin, s: SessionDep) -> dict[str, Any]:
    """Add a team member (admins only)."""
    user = service.create_user(s, body.email, body.password, body.role, body.name)
    s.commit()
    return {"id": user.id, "email": user.email, "role": user.role}


# --- bank and loops -------------------------------------------------------------------------

@router.get("/bank/exercises", tags=["bank"])
def exercises(me: TeamReader, platform: PlatformDep) -> list[dict[str, Any]]:
    """The usable exercises (public metadata only)."""
    return [{"id": e.id, "title": e.meta.title, "kind": e.meta.kind, "level": e.meta.level,
             "competencies": list(e.meta.competencies), "minutes": e.meta.minutes}
            for e in sorted(platform.bank.exercises.values(), key=lambda e: e.id)]


@router.get("/templates", tags=["loops"])
def templates(me: TeamReader, platform: PlatformDep) -> list[dict[str, Any]]:
    """Loop templates that fit the bank."""
    return [{"id": i, "title": loop.title, "role": loop.role, "minutes": loop.minutes}
            for i, loop in platform.usable_templates().items()]


@router.get("/loops", tags=["loops"])
def loops(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    return [_loop_json(r) for r in s.scalars(select(LoopRecord).order_by(LoopRecord.id))]


@router.post("/loops", tags=["loops"], status_code=201)
def create_loop(body: NewLoop, me: TeamWriter, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    """A loop from a template or a definition (validated against the bank)."""
    record = service.create_loop(s, platform, me, template=body.template,
                                 definition=body.definition, title=body.title)
    s.commit()
    return _loop_json(record)


@router.get("/loops/{loop_id}", tags=["loops"])
def get_loop(loop_id: Id, me: TeamReader, s: SessionDep) -> dict[str, Any]:
    return _loop_json(service.get_loop(s, loop_id))


@router.put("/loops/{loop_id}", tags=["loops"])
def update_loop(loop_id: Id, body: LoopDefinition, me: TeamWriter, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    record = service.update_loop(platform, service.get_loop(s, loop_id), body.definition)
    s.commit()
    return _loop_json(record)


@router.get("/loops/{loop_id}/results", tags=["loops"])
def loop_results(loop_id: Id, me: TeamReader, s: SessionDep,
                 platform: PlatformDep) -> list[dict[str, Any]]:
    """Every interview of the loop as a scorecard."""
    record = service.get_loop(s, loop_id)
    return [build_scorecard(i, platform.bank) for i in
            s.scalars(select(Interview).where(Interview.loop_id == record.id))]


# --- candidates and interviews --------------------------------------------------------------

@router.get("/candidates", tags=["candidates"])
def candidates(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "email": c.email,
             "interviews": [i.id for i in c.interviews]}
            for c in s.scalars(select(Candidate).order_by(Candidate.id))]


@router.post("/interviews", tags=["interviews"], status_code=201)
def invite(body: Invite, request: Request, me: TeamWriter, s: SessionDep,
           platform: PlatformDep) -> dict[str, Any]:
    """Invite a candidate to a loop; the link is shown only in this answer."""
    if security.rate_limited(s, f"invite:{me.user_id}",
                              platform.settings.invites_per_hour, 3600):
        s.commit()
        raise TooMany("too many invitations in the last hour; wait and try again")
    interview, token = service.invite(s, platform, me, name=body.name, email=body.email,
                                      loop_id=body.loop_id)
    s.commit()
    return {**_interview_summary(interview), "link": invite_link(request, platform, token)}


@router.get("/interviews", tags=["interviews"])
def interviews(me: TeamReader, s: SessionDep) -> list[dict[str, Any]]:
    return [_interview_summary(i) for i in
            s.scalars(select(Interview).order_by(Interview.id.desc()).limit(1000))]


@router.get("/interviews/{interview_id}", tags=["interviews"])
def interview(interview_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> dict[str, Any]:
    """The interview with every answer, its grade per criterion with evidence, overrides."""
    item = service.get_interview(s, interview_id)
    answers = []
    for a in item.answers:
        grade = service.automatic_grade(a)
        job = service.latest_job(a)
        answers.append({
            "id": a.id, "stage_index": a.stage_index, "exercise_id": a.exercise_id,
            "seed": a.seed, "text": a.text, "files": a.files, "revision": a.revision,
            "uploads": [{"name": u.name, "size": u.size, "mime": u.mime} for u in a.uploads
                        if u.complete],
            "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
            "job": None if job is None else {"id": job.id, "state": job.state,
                                             "error": job.error},
            "grade": grade.model_dump(mode="json") if grade else None,
            "criteria": service.effective_criteria(a), "score": service.answer_score(a)})
    notes = s.scalars(select(Note).where(Note.interview_id == item.id).order_by(Note.id))
    return {**_interview_summary(item), "plan": item.plan, "answers": answers,
            "notes": [{"by": n.user.email, "body": n.body, "at": n.created_at.isoformat()}
                      for n in notes]}


@router.post("/interviews/{interview_id}/resend", tags=["interviews"])
def resend(interview_id: Id, request: Request, me: TeamWriter, s: SessionDep,
           platform: PlatformDep) -> dict[str, Any]:
    """A new link (the old one stops working)."""
    item = service.get_interview(s, interview_id)
    token = service.resend(platform, item)
    s.commit()
    return {**_interview_summary(item), "link": invite_link(request, platform, token)}


@router.post("/interviews/{interview_id}/revoke", tags=["interviews"])
def revoke(interview_id: Id, me: TeamWriter, s: SessionDep) -> dict[str, Any]:
    item = service.get_interview(s, interview_id)
    service.revoke(s, item)
    s.commit()
    return _interview_summary(item)


@router.post("/interviews/{interview_id}/overrides", tags=["interviews"], status_code=201)
def override(interview_id: Id, body: OverrideIn, me: TeamWriter,
             s: SessionDep) -> dict[str, Any]:
    """Override one criterion's points with a reason (the automatic grade is kept)."""
    item = service.get_interview(s, interview_id)
    answer = next((a for a in item.answers if a.id == body.answer_id), None)
    if answer is None:
        raise service.NotFound(f"no answer {body.answer_id} in interview {interview_id}")
    row = service.override(s, answer, me, criterion=body.criterion, points=body.points,
                           reason=body.reason)
    s.commit()
    return {"id": row.id, "criterion": row.criterion, "points": row.points}


@router.post("/interviews/{interview_id}/notes", tags=["interviews"], status_code=201)
def note(interview_id: Id, body: NoteIn, me: TeamWriter, s: SessionDep) -> dict[str, Any]:
    row = service.add_note(s, service.get_interview(s, interview_id), me, body.body)
    s.commit()
    return {"id": row.id}


@router.post("/interviews/{interview_id}/decision", tags=["interviews"])
def decision(interview_id: Id, body: DecisionIn, me: TeamWriter,
             s: SessionDep) -> dict[str, Any]:
    item = service.get_interview(s, interview_id)
    service.decide(item, me, body.decision, body.reason)
    s.commit()
    return _interview_summary(item)


@router.get("/interviews/{interview_id}/scorecard", tags=["interviews"])
def scorecard(interview_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> dict[str, Any]:
    return build_scorecard(service.get_interview(s, interview_id), platform.bank)


@router.get("/interviews/{interview_id}/rows", tags=["interviews"])
def rows(interview_id: Id, me: TeamReader, s: SessionDep,
         platform: PlatformDep) -> list[dict[str, Any]]:
    """The scorecard as flat rows (the CSV export's columns)."""
    return csv_rows(build_scorecard(service.get_interview(s, interview_id), platform.bank))


# --- the candidate's side -------------------------------------------------------------------

@router.post("/take/open", tags=["take"])
def take_open(body: OpenInvitation, s: SessionDep, platform: PlatformDep) -> dict[str, Any]:
    """Exchange an invitation token for a candidate bearer token."""
    item = service.open_invitation(s, body.token)
    token = service.start_session(s, platform.settings, interview_id=item.id)
    s.commit()
    return {"token": token, "interview_id": item.id}


@router.get("/take", tags=["take"])
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


@router.post("/take/consent", tags=["take"])
def take_consent(me: PrincipalDep, s: SessionDep) -> dict[str, Any]:
    service.consent(_candidate(me, s))
    s.commit()
    return {"consented": True}


@router.post("/take/stages/{index}/start", tags=["take"])
def take_start(index: Id, me: PrincipalDep, s: SessionDep) -> dict[str, Any]:
    item = _candidate(me, s)
    run = service.start_stage(item, index)
    s.commit()
    deadline = service.stage_deadline(item, run)
    return {"index": index, "deadline": deadline.isoformat() if deadline else None}


@router.put("/take/answers/{answer_id}", tags=["take"])
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


@router.post("/take/stages/{index}/submit", tags=["take"])
def take_submit(index: Id, me: PrincipalDep, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    item = _candidate(me, s)
    jobs = service.submit_stage(s, item, index)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    return {"submitted": True, "jobs": jobs}

