"""Live progress for the team's pages: where each interview stands (stage, time left, last
save, grading), streamed as server-sent events, with a ``finished`` event when a candidate
hands in the last stage or the last grading job of an interview is done."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from hireloop.db.models import Interview, utcnow
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.hiring.service import Platform
from hireloop.live import rooms

EVERY_S = 1.0
"""how often the stream looks at the interviews"""
KEEPALIVE_S = 15.0
"""a comment line this often keeps proxies from closing a quiet stream"""
LIMIT = 200
"""the newest interviews a dashboard's stream follows"""


def progress(s: Session, interview: Interview) -> dict[str, Any]:
    """Where an interview stands now."""
    now = utcnow()
    status = service.interview_status(interview)
    current: dict[str, Any] | None = None
    scheduled = rooms.candidate_rooms(s, interview)
    for run in interview.stages:
        state = service.stage_state(interview, run)
        name = interview.plan[run.index]["name"]
        if state in ("in_progress", "time_up"):
            deadline = service.stage_deadline(interview, run)
            left = max(0, int((deadline - now).total_seconds())) if deadline else None
            current = {"index": run.index, "name": name, "state": state, "seconds_left": left}
            break
        room = scheduled.get(run.index)
        if state == "live" and room is not None and rooms.room_state(room, now) == "open":
            left = int((rooms.ends_at(room) - now).total_seconds())
            current = {"index": run.index, "name": name, "state": "live",
                       "seconds_left": max(0, left)}
            break
    saved = [a.saved_at for a in interview.answers if a.saved_at is not None]
    activity = last_activity(interview)
    grading = {"queued": 0, "running": 0, "graded": 0, "failed": 0}
    for answer in interview.answers:
        job = service.latest_job(answer)
        if job is not None:
            grading[job.state] = grading.get(job.state, 0) + 1
    return {"id": interview.id, "candidate": interview.candidate.name, "status": status,
            "stage": current,
            "last_saved": max(saved).astimezone(UTC).isoformat() if saved else None,
            "last_activity": activity and {"what": activity[0],
                                           "at": activity[1].astimezone(UTC).isoformat()},
            "grading": grading,
            "graded": status in ("submitted", "decided") and grading["queued"] == 0
            and grading["running"] == 0 and grading["graded"] + grading["failed"] > 0}


def last_activity(interview: Interview) -> tuple[str, datetime] | None:
    """The candidate's latest step and when: ``saved`` (an answer), ``started`` or
    ``handed in`` (a stage), ``opened`` (consented to the interview); None before any."""
    steps = [("opened", interview.consented_at)]
    steps += [("saved", a.saved_at) for a in interview.answers]
    for run in interview.stages:
        steps += [("started", run.started_at), ("handed in", run.submitted_at)]
    found = [(what, at) for what, at in steps if at is not None]
    return max(found, key=lambda step: step[1]) if found else None


def ago(iso: str, now: datetime | None = None) -> str:
    """How long ago, as the dashboard says it (``progress.js`` says it the same way)."""
    then = datetime.fromisoformat(iso)
    seconds = max(0, round(((now or utcnow()) - then).total_seconds()))
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{int(seconds / 60 + 0.5)} min ago"
    return then.strftime("%Y-%m-%d %H:%M UTC")


def describe(p: dict[str, Any], now: datetime | None = None) -> str:
    """An interview's progress in one line, as ``progress.js`` writes it on the dashboard's
    "Now" column: the current stage and its time left, the last activity, the grading."""
    parts = []
    stage = p["stage"]
    if stage:
        left = stage["seconds_left"]
        parts.append(stage["name"] + (" (live)" if stage["state"] == "live" else "")
                     + (f", {left // 60}:{left % 60:02d} left" if left is not None else ""))
    if p["last_activity"]:
        parts.append(f"{p['last_activity']['what']} {ago(p['last_activity']['at'], now)}")
    g = p["grading"]
    pending = g["queued"] + g["running"]
    if pending:
        parts.append(f"grading {pending} ({g['running']} running)")
    elif g["graded"] or g["failed"]:
        parts.append(f"{g['graded']} graded" + (f", {g['failed']} failed" if g["failed"]
                                                 else ""))
    return " · ".join(parts) or "—"


def snapshot(platform: Platform, me: Principal, interview_id: int | None,
             ids: list[int] | None = None) -> dict[int, Any]:
    """The progress of one interview, of these (those a dashboard page shows), or of the
    newest ``LIMIT`` that ``me`` may see."""
    with platform.db.session(write=False) as s:
        if interview_id is not None:
            found = [service.interview_for(s, me, interview_id)]
        else:
            found = service.visible_interviews(s, me, limit=LIMIT, ids=ids)
        # blind review: the candidate is "Candidate N" to whoever may not see them yet
        return {i.id: {**progress(s, i), "candidate": service.candidate_identity(me, i)["name"]}
                for i in found}


def finished(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """What finished between two looks at an interview, in words (None: nothing)."""
    if before["status"] != "submitted" and after["status"] == "submitted":
        return f"{after['candidate']} handed in the last stage"
    if not before["graded"] and after["graded"]:
        return f"{after['candidate']}'s answers are graded"
    return None


def _event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


async def stream(platform: Platform, me: Principal, interview_id: int | None,
                 seconds: float, ids: list[int] | None = None) -> AsyncIterator[str]:
    """The events of one page: every interview's progress first, then each change, and a
    ``finished`` event when something finished; ends after ``seconds`` (the browser's
    EventSource reconnects by itself)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    last: dict[int, Any] = {}
    quiet = loop.time()
    first = True
    while loop.time() < end:
        try:
            now = await asyncio.to_thread(snapshot, platform, me, interview_id, ids)
        except service.ServiceError:
            yield _event("gone", {"id": interview_id})
            return
        for key, value in now.items():
            before = last.get(key)
            if before != value:
                yield _event("progress", value)
                quiet = loop.time()
                done = None if before is None else finished(before, value)
                if done:
                    yield _event("finished", {"id": key, "message": done})
        if first:
            yield _event("ready", {"interviews": len(now)})
            first = False
        last = now
        if loop.time() - quiet > KEEPALIVE_S:
            yield ": keepalive\n\n"
            quiet = loop.time()
        await asyncio.sleep(EVERY_S)
