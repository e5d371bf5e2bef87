"""The rules of live rooms: scheduling a live stage, its window, who may join or lead it,
ending it (the shared document becomes the answer), and interviewers' rubric marks.

Who may do what is decided by ``hireloop.hiring.authz.allowed`` on the room's ``Scope``
(``room.join``: the candidate, the stage's interviewers, admins; ``room.lead``: the stage's
interviewers and admins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireloop.db.models import Answer, Interview, LiveMark, LiveRoom, Override, utcnow
from hireloop.hiring import service
from hireloop.hiring.authz import Principal, Scope, allowed
from hireloop.hiring.service import Conflict, Invalid, NotFound, Platform
from hireloop.live import documents

MAX_MINUTES = 480
"""the longest a room may be scheduled for"""


# --- who and when ---------------------------------------------------------------------------

def room_scope(room: LiveRoom) -> Scope:
    interview = room.interview
    return Scope(team_id=interview.loop.team_id if interview.loop else None,
                 interview_id=interview.id,
                 assignees=frozenset(a.user_id for a in interview.assignments),
                 room_interviewers=frozenset(int(u) for u in room.interviewers or []))


def room_for(s: Session, me: Principal, room_id: int, action: str = "room.join") -> LiveRoom:
    """A room the principal may do ``action`` in: 404 for one they may not join, 403 for one
    they may join but not lead."""
    room = s.get(LiveRoom, room_id)
    if room is None or not allowed(me, "room.join", room_scope(room)):
        raise NotFound(f"no live room {room_id}")
    if not allowed(me, action, room_scope(room)):
        raise service.Forbidden("only the stage's interviewers lead the room")
    if me.role == "candidate" and room.interview.consented_at is None:
        raise service.Forbidden("please read and accept how you will be assessed first "
                                "(open your invitation link)")
    return room


def ends_at(room: LiveRoom) -> datetime:
    return room.starts_at + timedelta(minutes=room.minutes)


def room_state(room: LiveRoom, now: datetime | None = None) -> str:
    """``scheduled`` (before its window), ``open``, or ``ended`` (ended early, or the window
    is over: the room then ends at the clock's next tick)."""
    now = now or utcnow()
    if room.ended_at is not None or now >= ends_at(room):
        return "ended"
    if now < room.starts_at:
        return "scheduled"
    return "open"


def require_open(room: LiveRoom) -> None:
    state = room_state(room)
    if state == "scheduled":
        raise Conflict(f"the room opens at {room.starts_at.strftime('%Y-%m-%d %H:%M')} UTC")
    if state == "ended":
        raise Conflict("this live stage has ended; its answer is being graded")


def rooms_of(s: Session, interview: Interview) -> list[LiveRoom]:
    return list(s.scalars(select(LiveRoom).where(LiveRoom.interview_id == interview.id)
                          .order_by(LiveRoom.stage_index)))


def candidate_rooms(s: Session, interview: Interview) -> dict[int, LiveRoom]:
    """The interview's rooms by stage index."""
    return {r.stage_index: r for r in rooms_of(s, interview)}


# --- scheduling -----------------------------------------------------------------------------

def parse_start(value: str) -> datetime:
    """A start time from a form (``2026-12-06T14:30``, UTC unless it names its offset)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"the start {value!r} is not a date and time like 2026-12-06T14:30"
                      ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def check_meeting_link(link: str | None) -> str | None:
    link = (link or "").strip()
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme != "https" or not parts.netloc or len(link) > 500:
        raise Invalid("the meeting link must be an https:// address (at most 500 characters)")
    return link


def schedule(s: Session, interview: Interview, index: int, *, starts_at: datetime,
             minutes: int | None, interviewers: list[int], meeting_link: str | None
             ) -> LiveRoom:
    """Schedule (or move) a live stage: its window, its interviewers (assigned to the interview
    too) and the meeting link. A room that has ended cannot move."""
    if not 0 <= index < len(interview.plan):
        raise NotFound(f"no stage {index}")
    if not service.is_live(interview, index):
        raise Invalid(f"stage {index + 1} is not live; mark it `live = true` in the loop")
    minutes = int(minutes or interview.plan[index]["minutes"])
    if not 1 <= minutes <= MAX_MINUTES:
        raise Invalid(f"a room lasts 1 to {MAX_MINUTES} minutes")
    people = list(dict.fromkeys(int(u) for u in interviewers))
    if not people:
        raise Invalid("a live stage needs at least one interviewer")
    for user_id in people:
        service.assign(s, interview, user_id)  # refuses anyone outside the loop's team
    room = s.scalar(select(LiveRoom).where(LiveRoom.interview_id == interview.id,
                                           LiveRoom.stage_index == index))
    if room is not None and room.ended_at is not None:
        raise Conflict("this live stage has ended; it cannot be moved")
    if room is None:
        room = LiveRoom(interview_id=interview.id, stage_index=index)
        s.add(room)
    room.starts_at, room.minutes, room.interviewers = starts_at, minutes, people
    room.meeting_link = check_meeting_link(meeting_link)
    s.flush()
    return room


# --- the room's answers ---------------------------------------------------------------------

def room_answers(room: LiveRoom) -> list[Answer]:
    return [a for a in room.interview.answers if a.stage_index == room.stage_index]


def end_room(s: Session, platform: Platform, room: LiveRoom,
             by: Principal | None = None) -> list[int]:
    """End a room once (any process may try; one conditional UPDATE wins): the shared
    document's final state becomes each answer, and the stage is handed in for grading.
    Returns the grading jobs to enqueue (none when another process ended it)."""
    won = s.execute(update(LiveRoom).where(LiveRoom.id == room.id, LiveRoom.ended_at.is_(None))
                    .values(ended_at=utcnow(), ended_by=by.user_id if by else None)
                    ).rowcount  # type: ignore[attr-defined]
    if not won:
        return []
    s.refresh(room)
    doc = documents.load(s, room.id, documents.SHARED)
    for answer in room_answers(room):
        text, files = documents.answer_content(doc, answer.id)
        if files:
            answer.files = service.clean_files(platform, answer, files)
            answer.text = None
        else:
            answer.text = text
        answer.revision += 1
        answer.saved_at = room.ended_at
    interview = room.interview
    run = service.stage_run(interview, room.stage_index)
    if run.started_at is None:
        run.started_at = room.starts_at
        service.stage_started(interview, run)
    return service.submit_stage(s, interview, room.stage_index, room_ended=True)


def due_rooms(s: Session) -> list[LiveRoom]:
    """Rooms whose window is over but that have not ended yet."""
    rows = s.scalars(select(LiveRoom).where(LiveRoom.ended_at.is_(None))).all()
    return [r for r in rows if room_state(r) == "ended"]


def save_drafts(s: Session, room: LiveRoom) -> None:
    """Copy the shared document into the answers' drafts (before a shared run)."""
    doc = documents.load(s, room.id, documents.SHARED)
    for answer in room_answers(room):
        text, files = documents.answer_content(doc, answer.id)
        answer.text, answer.files = (None, files) if files else (text, {})
        answer.revision += 1
        answer.saved_at = utcnow()


# --- the interviewers' rubric marks ---------------------------------------------------------

def add_mark(s: Session, room: LiveRoom, me: Principal, *, answer_id: int, criterion: str,
             points: float, evidence: str) -> LiveMark:
    """An interviewer's score for one criterion, with the evidence they saw; it becomes an
    override (reason: the evidence) when the answer's grade arrives."""
    answer = next((a for a in room_answers(room) if a.id == answer_id), None)
    if answer is None:
        raise NotFound(f"no answer {answer_id} in this room")
    criterion = criterion.strip()
    if not criterion:
        raise Invalid("name the criterion")
    if not 0 <= points <= 1000:
        raise Invalid("points must be between 0 and the criterion's maximum")
    evidence = evidence.strip()
    if not evidence:
        raise Invalid("a score needs the evidence you saw (it is kept as the override's reason)")
    assert me.user_id is not None
    mark = LiveMark(room_id=room.id, answer_id=answer.id, criterion=criterion[:300],
                    points=float(points), evidence=evidence[:5000], user_id=me.user_id)
    s.add(mark)
    s.flush()
    if answer.submitted_at is not None:
        record_marks(s, answer)
    return mark


def record_marks(s: Session, answer: Answer) -> int:
    """Turn the answer's pending live marks into overrides once it has a grade (the grading
    job calls this); marks naming no criterion of the grade stay pending. Returns how many."""
    grade = service.automatic_grade(answer)
    if grade is None:
        return 0
    criteria = {c.name: c for c in grade.criteria}
    done = 0
    for mark in s.scalars(select(LiveMark).where(LiveMark.answer_id == answer.id,
                                                 LiveMark.recorded.is_(False))
                          .order_by(LiveMark.id)):
        match = criteria.get(mark.criterion)
        if match is None:
            continue
        s.add(Override(answer_id=answer.id, criterion=mark.criterion,
                       points=min(mark.points, match.max_points), max_points=match.max_points,
                       reason=f"live interview: {mark.evidence}", user_id=mark.user_id))
        mark.recorded = True
        done += 1
    s.flush()
    return done


def record_job_marks(s: Session, job_id: int) -> int:
    """After a grading job: the live marks of its answer, as overrides."""
    from hireloop.db.models import GradingJob

    job = s.get(GradingJob, job_id)
    if job is None or not s.scalar(select(LiveMark.id).where(
            LiveMark.answer_id == job.answer_id, LiveMark.recorded.is_(False)).limit(1)):
        return 0
    return record_marks(s, job.answer)


def marks_of(s: Session, room: LiveRoom) -> list[dict[str, Any]]:
    rows = s.scalars(select(LiveMark).where(LiveMark.room_id == room.id).order_by(LiveMark.id))
    return [{"answer_id": m.answer_id, "criterion": m.criterion, "points": m.points,
             "evidence": m.evidence, "recorded": m.recorded} for m in rows]


# --- what the interviewers' panel shows -----------------------------------------------------

@dataclass(frozen=True)
class Point:
    """A criterion of the rubric checklist (interviewers only)."""

    label: str
    """the criterion's name in the grade ("Key point 2")"""
    text: str
    """what it asks for (the key point's wording)"""
    max_points: float
    hint: str | None


def checklist(platform: Platform, exercise_id: str) -> list[Point]:
    """An exercise's rubric as a checklist: the key points of a text (or spoken) exercise;
    other kinds' criteria come with their grade."""
    exercise = platform.bank.get(exercise_id)
    kind = platform.bank.kinds.get(exercise.meta.kind)
    load = getattr(kind, "load_rubric", None)
    if load is None:
        return []
    rubric, _errors = load(exercise)
    if rubric is None:
        return []
    from hireloop.kinds.text.grader import point_label

    return [Point(point_label(i), p.text, float(p.weight), p.hint)
            for i, p in enumerate(rubric.key_point)]


def follow_ups(points: list[Point], covered: set[str]) -> list[str]:
    """Questions an interviewer could ask about the points still missing, from their hints."""
    out = []
    for point in points:
        if point.label in covered:
            continue
        prompt = (point.hint or point.text).rstrip(". ")
        out.append(f"{point.label}: ask them to go further — {prompt}?")
    return out
