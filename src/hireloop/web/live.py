"""Live rooms on the web: scheduling a live stage, the room's page, its websocket (the
y-websocket protocol), the shared run, the interviewers' marks and the end of the room.

Every route loads the room through ``hireloop.live.rooms.room_for`` (``room.join`` or
``room.lead``), so the candidate, the stage's interviewers and admins are the only ones in.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request, WebSocket
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from pydantic import BaseModel, Field

from hireloop.db.models import LiveRoom
from hireloop.hiring import security, service
from hireloop.hiring.authz import ANONYMOUS, Principal, allowed
from hireloop.hiring.service import Conflict, Platform
from hireloop.live import coverage, documents, progress, rooms
from hireloop.live.server import LiveHub
from hireloop.web.deps import Csrf, Id, PlatformDep, PrincipalDep, SessionDep, TeamReader
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)

COLOURS = ("#d1242f", "#0969da", "#1a7f37", "#8250df", "#bf3989", "#9a6700")


def hub(request: Request | WebSocket) -> LiveHub:
    live: LiveHub = request.app.state.live
    return live


def _iso(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def room_summary(room: LiveRoom) -> dict[str, Any]:
    """What everyone in the room may know of it."""
    return {"id": room.id, "state": rooms.room_state(room), "starts_at": _iso(room.starts_at),
            "ends_at": _iso(rooms.ends_at(room)), "minutes": room.minutes,
            "meeting_link": room.meeting_link, "ended_at": _iso(room.ended_at)}


# --- scheduling (the interview's page) ------------------------------------------------------

@router.get("/team/interviews/{interview_id}/live")
def live_stages(request: Request, interview_id: Id, me: TeamReader,
                s: SessionDep) -> HTMLResponse:
    """The interview's live stages: schedule, room link (a part of the interview's page)."""
    interview = service.interview_for(s, me, interview_id)
    scheduled = rooms.candidate_rooms(s, interview)
    stages = [{"index": i, "name": st["name"], "minutes": st["minutes"],
               "room": scheduled.get(i)}
              for i, st in enumerate(interview.plan) if st.get("live")]
    scope = service.interview_scope(interview)
    return page(request, "live/_stages.html", interview=interview, stages=stages,
                manages=allowed(me, "interview.invite", scope),
                members=service.assignable_users(s, interview),
                joinable={i: allowed(me, "room.join", rooms.room_scope(r))
                          for i, r in scheduled.items()},
                states={i: rooms.room_state(r) for i, r in scheduled.items()})


@router.post("/team/interviews/{interview_id}/live/{index}", dependencies=[Csrf])
def schedule(interview_id: Id, index: Id, me: TeamReader, s: SessionDep,
             starts_at: Annotated[str, Form(max_length=40)],
             interviewers: Annotated[list[int], Form()],
             minutes: Annotated[int | None, Form(ge=1, le=rooms.MAX_MINUTES)] = None,
             meeting_link: Annotated[str, Form(max_length=600)] = "") -> Response:
    interview = service.interview_for(s, me, interview_id, "interview.invite")
    rooms.schedule(s, interview, index, starts_at=rooms.parse_start(starts_at),
                   minutes=minutes, interviewers=interviewers, meeting_link=meeting_link)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}#live", 303)


# --- the room -------------------------------------------------------------------------------

@router.get("/live/{room_id}")
def room_page(request: Request, room_id: Id, me: PrincipalDep, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    room = rooms.room_for(s, me, room_id)
    leads = allowed(me, "room.lead", rooms.room_scope(room))
    from hireloop.web.take import view_of

    items = []
    for answer in rooms.room_answers(room):
        view, _ = view_of(platform, answer)
        item: dict[str, Any] = {"answer": answer, "view": view}
        if leads:  # the rubric checklist: interviewers only
            item["checklist"] = rooms.checklist(platform, answer.exercise_id)
        items.append(item)
    interview = room.interview
    name = (me.name or me.email or "Interviewer") if me.is_team else interview.candidate.name
    colour = COLOURS[(me.user_id or 0) % len(COLOURS)] if me.is_team else COLOURS[0]
    return page(request, "live/room.html", room=room, summary=room_summary(room),
                stage=interview.plan[room.stage_index], items=items, leads=leads,
                user={"name": name, "colour": colour},
                marks=rooms.marks_of(s, room) if leads else [])


@router.get("/live/{room_id}/state")
def room_state(room_id: Id, me: PrincipalDep, s: SessionDep) -> JSONResponse:
    return JSONResponse(room_summary(rooms.room_for(s, me, room_id)))


class RunRequest(BaseModel):
    answer_id: int = Field(ge=0, le=2**31 - 1)


@router.post("/live/{room_id}/run", dependencies=[Csrf])
def shared_run(request: Request, room_id: Id, body: RunRequest, me: PrincipalDep,
               s: SessionDep, platform: PlatformDep) -> JSONResponse:
    """Run the visible tests (or the project) of the document as it stands, once, for
    everyone in the room: the log goes into the shared document."""
    room = rooms.room_for(s, me, room_id)
    rooms.require_open(room)
    answer = next((a for a in rooms.room_answers(room) if a.id == body.answer_id), None)
    if answer is None:
        raise service.NotFound(f"no answer {body.answer_id} in this room")
    from hireloop.web.take import view_of

    view_of(platform, answer)  # the exercise must still be usable
    rooms.save_drafts(s, room)
    trial_id = service.request_trial(s, platform, answer, f"room:{room.id}").id
    s.commit()
    platform.runtime.enqueue_trial(trial_id)
    hub(request).submit(hub(request).follow_run, room_id, body.answer_id, trial_id)
    return JSONResponse({"started": True, "trial_id": trial_id})


@router.post("/live/{room_id}/end", dependencies=[Csrf])
def end(request: Request, room_id: Id, me: PrincipalDep, s: SessionDep,
        platform: PlatformDep) -> Response:
    """The interviewer ends the room: the document as it stands is the answer."""
    room = rooms.room_for(s, me, room_id, "room.lead")
    if room.ended_at is not None:
        raise Conflict("this room has already ended")
    jobs = rooms.end_room(s, platform, room, by=me)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    closing = hub(request).submit(hub(request).closed, room_id)
    with contextlib.suppress(Exception):  # the clock closes it anyway within a second
        closing.result(timeout=5)
    if "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(f"/live/{room_id}", 303)
    return JSONResponse({"ended": True, "jobs": len(jobs)})


class MarkRequest(BaseModel):
    answer_id: int = Field(ge=0, le=2**31 - 1)
    criterion: str = Field(min_length=1, max_length=300)
    points: float = Field(ge=0, le=1000)
    evidence: str = Field(min_length=1, max_length=5000)


@router.post("/live/{room_id}/marks", dependencies=[Csrf])
def add_mark(room_id: Id, body: MarkRequest, me: PrincipalDep,
             s: SessionDep) -> JSONResponse:
    """An interviewer scores a criterion with the evidence they saw (an override once the
    grade arrives)."""
    room = rooms.room_for(s, me, room_id, "room.lead")
    mark = rooms.add_mark(s, room, me, answer_id=body.answer_id, criterion=body.criterion,
                          points=body.points, evidence=body.evidence)
    s.commit()
    return JSONResponse({"id": mark.id, "recorded": mark.recorded})


# --- live feedback while practising ---------------------------------------------------------

COVERAGE_PER_HOUR = 1200
"""coverage readings a practicer may ask for in an hour (one every 3 s)"""


class DraftText(BaseModel):
    text: str = Field(max_length=200_000)


@router.post("/practice/answers/{answer_id}/coverage", dependencies=[Csrf])
def practice_coverage(request: Request, answer_id: Id, body: DraftText, me: PrincipalDep,
                      s: SessionDep, platform: PlatformDep) -> JSONResponse:
    """How much of the exercise's key points the draft covers so far, and the authored hints
    of the others (never a key point's wording): the practice page asks when the writer
    pauses."""
    from hireloop.web.take import _practice_answer, _practice_id

    practice_id = _practice_id(request, platform, me)
    answer = _practice_answer(s, practice_id, answer_id, platform)
    if answer.submitted_at is not None:
        raise Conflict("this attempt was submitted; its feedback is on the page")
    service.check_answer_size(platform.settings, body.text, {})
    if security.rate_limited(s, f"coverage:{practice_id}", COVERAGE_PER_HOUR, 3600):
        s.commit()
        raise service.TooMany("too many coverage readings this hour; keep writing")
    s.commit()
    found = coverage.of_draft(platform, answer.exercise_id, answer.seed, body.text)
    if found is None:
        raise service.NotFound("this exercise has no key points to measure a draft against")
    return JSONResponse(coverage.for_practicers(found))


# --- live progress for the team's pages ----------------------------------------------------

@router.get("/team/events")
def events(request: Request, me: TeamReader, s: SessionDep,
           interview: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
           seconds: Annotated[float, Query(gt=0, le=3600)] = 300,
           ids: Annotated[str | None, Query(max_length=2400, pattern=r"^[0-9]+(,[0-9]+)*$",
                                            description="the interviews a dashboard page "
                                            "shows (at most 200)")] = None
           ) -> StreamingResponse:
    """Server-sent events: the progress of the interviews the dashboard shows (or of one
    interview), each change as it happens, and ``finished`` notices. The stream ends after
    ``seconds``; browsers reconnect by themselves."""
    if interview is not None:
        service.interview_for(s, me, interview)  # 404 for an interview one may not see
    shown = ([int(i) for i in ids.split(",") if len(i) <= 10 and int(i) < 2**31]
             [:progress.LIMIT] if ids else None)
    s.close()  # the stream reads in sessions of its own
    platform: Platform = request.app.state.platform
    return StreamingResponse(progress.stream(platform, me, interview, seconds, shown),
                             media_type="text/event-stream",
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})


# --- the websocket -----------------------------------------------------------------------------

def socket_principal(websocket: WebSocket) -> Principal:
    """Who opened the websocket: the session cookie (browsers) or a bearer token."""
    settings = websocket.app.state.settings
    platform: Platform = websocket.app.state.platform
    header = websocket.headers.get("authorization", "")
    bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
    token = bearer or websocket.cookies.get(
        security.cookie_name(security.SESSION_COOKIE, settings.secure))
    with platform.db.session(write=False) as s:
        found = service.credential_for(s, settings, token, bearer=bearer is not None)
    return found.principal if found is not None else ANONYMOUS


def _same_origin(websocket: WebSocket) -> bool:
    """A browser's websocket must come from our own pages (no cross-site websocket
    hijacking); clients that send no Origin (scripts with a bearer token) are not browsers."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    host = websocket.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


@router.websocket("/live/{room_id}/ws/{doc}")
async def room_socket(websocket: WebSocket, room_id: int, doc: str) -> None:
    """The y-websocket endpoint: ``shared`` for everyone in the room, ``panel`` for its
    interviewers. Refused before the handshake (403) for anyone else or a closed room."""
    platform: Platform = websocket.app.state.platform
    if doc not in documents.DOCS or not _same_origin(websocket) or not 0 <= room_id < 2**31:
        await websocket.close(code=1008)
        return

    def admit() -> bool:
        me = socket_principal(websocket)
        with platform.db.session(write=False) as s:
            try:
                room = rooms.room_for(s, me, room_id,
                                      "room.lead" if doc == documents.PANEL else "room.join")
            except service.ServiceError:
                return False
            return rooms.room_state(room) == "open"

    if not await asyncio.to_thread(admit):
        await websocket.close(code=1008)
        return
    await websocket.accept()
    await hub(websocket).serve(websocket, room_id, doc)
