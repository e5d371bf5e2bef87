"""The candidate's side (an interview through its link) and practice (no account needed)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.core import Competency
from hireloop.db.models import Answer, Interview, utcnow
from hireloop.hiring import security, service
from hireloop.hiring.authz import Principal, Scope, allowed
from hireloop.hiring.service import Conflict, Forbidden, NotFound, Platform
from hireloop.web.deps import Csrf, Id, PlatformDep, PrincipalDep, SessionDep, read_cookie
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)

PRACTICE_SEED_BASE = 1_000_000_000
"""practice draws variant seeds from here up; interviews draw below 2**31 at random, so a
practicer sees other variants' numbers far more often than an interview's"""


class Draft(BaseModel):
    """An autosave: the answer as text and/or text files, and the revision it replaces."""

    text: str | None = None
    files: dict[str, str] = Field(default_factory=dict)
    revision: int | None = None


# --- helpers --------------------------------------------------------------------------------

def _candidate(me: Principal, s: Session) -> Interview:
    if me.role != "candidate" or me.interview_id is None:
        if me.role == "anonymous":
            raise HTTPException(401, "open your invitation link first")
        raise HTTPException(403, "this page is for candidates")
    interview = s.get(Interview, me.interview_id)
    if interview is None or not allowed(me, "interview.take",
                                        Scope(interview_id=interview.id)):
        raise HTTPException(403, "this interview is not yours")
    return interview


def view_of(platform: Platform, answer: Answer) -> Any:
    exercise = platform.bank.get(answer.exercise_id)
    kind = platform.bank.kinds.get(exercise.meta.kind)
    if kind is None:
        raise service.Conflict(platform.bank.kinds.why_missing(exercise.meta.kind))
    return kind.render(exercise, platform.bank.variant(exercise, answer.seed)), kind


def candidate_feedback(answer: Answer) -> dict[str, Any] | None:
    """What a candidate may read of a grade: score, criteria points and feedback. Never the
    evidence lists, the interviewer notes or the flags (they can quote hidden tests, rubric
    notes or key points). Text and spoken graders name key points by public labels and give
    hints; a grade stored by an older grader, which named criteria by the key point itself,
    shows neither names nor per-criterion feedback."""
    grade = service.automatic_grade(answer)
    if grade is None:
        return None
    if _names_key_points(grade.grader):
        return {
            "outcome": grade.outcome.value,
            "score": service.answer_score(answer),
            "message": grade.message,
            "feedback": [f for f in grade.feedback if not f.startswith(("You covered:",
                                                                        "To improve, address:"))],
            "criteria": [{"name": f"Criterion {i}", "points": c.points,
                          "max_points": c.max_points, "feedback": None}
                         for i, c in enumerate(grade.criteria, start=1)],
        }
    return {
        "outcome": grade.outcome.value,
        "score": service.answer_score(answer),
        # why it could not be graded, for the candidate to act on; never our own failure's
        # message, which may name a hidden case or file
        "message": grade.message if grade.outcome == "not_gradable" else None,
        "feedback": grade.feedback,
        "criteria": [{"name": c.name, "points": c.points, "max_points": c.max_points,
                      "feedback": c.feedback} for c in grade.criteria],
    }


def _names_key_points(grader: str) -> bool:
    """Whether a grade comes from a text or spoken grader that still named criteria by their
    key points (version 1)."""
    return grader in ("text@1", "spoken@1")


def job_state(answer: Answer) -> str:
    job = service.latest_job(answer)
    if job is None:
        return "saved" if answer.saved_at else "not started"
    return job.state


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


# --- trial runs (visible tests, a project run), through the bounded trial queue -------------

def start_trial(s: Session, platform: Platform, answer: Answer, owner: str) -> dict[str, Any]:
    """Queue a trial run of the answer as saved (a grading process runs it); the page then
    polls its state."""
    view_of(platform, answer)  # the exercise must still be usable
    run = service.request_trial(s, platform, answer, owner)
    s.commit()
    platform.runtime.enqueue_trial(run.id)
    return {"started": True, "trial_id": run.id}


def practice_owner(request: Request) -> str:
    """Whose quota a practice trial or upload counts against: the address."""
    from hireloop.web.deps import client_ip

    return f"address:{client_ip(request)}"


# --- the invitation link, consent and overview -------------------------------------------

@router.get("/i/{token}")
def open_link(request: Request, token: str, s: SessionDep, platform: PlatformDep) -> Response:
    try:
        interview = service.open_invitation(s, token, platform.settings)
    except service.ServiceError as exc:
        return page(request, "error.html", status_code=exc.status, status=exc.status,
                    message=exc.message)
    session_token = service.start_session(s, platform.settings, interview_id=interview.id)
    s.commit()
    response = RedirectResponse("/take", 303)
    from hireloop.web.pages import _cookie

    _cookie(response, request, security.SESSION_COOKIE, session_token,
            platform.settings.session_hours)
    return response


@router.get("/take")
def overview(request: Request, me: PrincipalDep, s: SessionDep,
             platform: PlatformDep) -> HTMLResponse:
    interview = _candidate(me, s)
    jobs = service.settle_expired(s, interview)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    if interview.consented_at is None:
        return page(request, "take/consent.html", interview=interview,
                    kinds=sorted({a.exercise_id.split("/")[0] for a in interview.answers}),
                    minutes=sum(st["minutes"] for st in interview.plan),
                    retention_days=platform.settings.retention_days,
                    recording_days=platform.settings.recording_retention_days,
                    llm=platform.settings.llm_enabled)
    stages = [{"index": r.index, "name": interview.plan[r.index]["name"],
               "minutes": interview.plan[r.index]["minutes"],
               "count": len(interview.plan[r.index]["exercises"]),
               "state": service.stage_state(interview, r),
               "spoken": _speaks(platform, interview, r.index)} for r in interview.stages]
    from hireloop.live.rooms import candidate_rooms
    from hireloop.web.completion import finished

    return page(request, "take/overview.html", interview=interview, stages=stages,
                rooms=candidate_rooms(s, interview), finished=finished(interview))


def _speaks(platform: Platform, interview: Interview, index: int) -> bool:
    """Whether a stage has an answer given aloud (the overview offers a microphone check)."""
    for answer in interview.answers:
        if answer.stage_index == index:
            try:
                speaks = view_of(platform, answer)[0].input_kind == "audio"
            except Exception:  # an exercise gone from the bank: no check for it
                speaks = False
            if speaks:
                return True
    return False


@router.post("/take/consent", dependencies=[Csrf])
def give_consent(me: PrincipalDep, s: SessionDep) -> Response:
    service.consent(_candidate(me, s))
    s.commit()
    return RedirectResponse("/take", 303)


@router.post("/take/review-request", dependencies=[Csrf])
def ask_for_review(me: PrincipalDep, s: SessionDep) -> Response:
    service.request_human_review(_candidate(me, s))
    s.commit()
    return RedirectResponse("/take?review=1", 303)


# --- a stage ------------------------------------------------------------------------------

@router.get("/take/stage/{index}")
def stage_page(request: Request, index: Id, me: PrincipalDep, s: SessionDep,
               platform: PlatformDep) -> HTMLResponse:
    interview = _candidate(me, s)
    run = service.start_stage(interview, index)
    s.commit()
    answers = [a for a in interview.answers if a.stage_index == index]
    items = [{"answer": a, "view": view_of(platform, a)[0], "state": job_state(a),
              "feedback": candidate_feedback(a) if service.feedback_visible(interview, index)
              else None} for a in answers]
    return page(request, "take/stage.html", interview=interview, run=run, index=index,
                stage=interview.plan[index], items=items,
                state=service.stage_state(interview, run),
                deadline=_iso(service.stage_deadline(interview, run)),
                feedback_policy=interview.loop_snapshot.get("feedback", "after_submission"),
                max_answer_kb=platform.settings.max_answer_kb)


@router.post("/take/stage/{index}/submit", dependencies=[Csrf])
def submit_stage(index: Id, me: PrincipalDep, s: SessionDep,
                 platform: PlatformDep) -> Response:
    interview = _candidate(me, s)
    jobs = service.submit_stage(s, interview, index)
    s.commit()
    for job in jobs:
        platform.runtime.enqueue(job)
    from hireloop.web.completion import finished

    return RedirectResponse("/take/done" if finished(interview) else f"/take/stage/{index}", 303)


@router.get("/take/stage/{index}/status")
def stage_status(request: Request, index: Id, me: PrincipalDep,
                 s: SessionDep) -> HTMLResponse:
    interview = _candidate(me, s)
    answers = [a for a in interview.answers if a.stage_index == index]
    visible = service.feedback_visible(interview, index)
    items = [{"answer": a, "state": job_state(a),
              "feedback": candidate_feedback(a) if visible else None} for a in answers]
    return page(request, "take/_status.html", items=items, index=index,
                pending=any(i["state"] in ("queued", "running") for i in items))


def _save(s: Session, platform: Platform, interview: Interview, answer: Answer,
          draft: Draft) -> JSONResponse:
    service.autosave(platform, interview, answer, text=draft.text, files=draft.files,
                     revision=draft.revision)
    s.commit()  # on disk before the browser hears "saved"
    return JSONResponse({"saved": True, "revision": answer.revision,
                         "saved_at": _iso(answer.saved_at)})


@router.post("/take/answers/{answer_id}/save", dependencies=[Csrf])
def save_answer(answer_id: Id, draft: Draft, me: PrincipalDep, s: SessionDep,
                platform: PlatformDep) -> JSONResponse:
    interview = _candidate(me, s)
    return _save(s, platform, interview, service.candidate_answer(s, interview, answer_id),
                 draft)


@router.post("/take/answers/{answer_id}/trial", dependencies=[Csrf])
def trial(answer_id: Id, me: PrincipalDep, s: SessionDep,
          platform: PlatformDep) -> JSONResponse:
    interview = _candidate(me, s)
    answer = service.candidate_answer(s, interview, answer_id)
    if service.stage_state(interview, service.stage_run(interview, answer.stage_index)) != \
            "in_progress":
        raise Conflict("trial runs are for a stage in progress")
    return JSONResponse(start_trial(s, platform, answer, f"interview:{interview.id}"))


@router.get("/take/answers/{answer_id}/trial")
def trial_state(answer_id: Id, me: PrincipalDep, s: SessionDep,
                since: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JSONResponse:
    interview = _candidate(me, s)
    answer = service.candidate_answer(s, interview, answer_id)
    return JSONResponse(service.trial_state(s, answer, since))


# --- integrity signals (pastes, time away, the typing timeline) ------------------------------

@router.post("/take/answers/{answer_id}/signals", dependencies=[Csrf])
async def record_signals(request: Request, answer_id: Id, me: PrincipalDep,
                         s: SessionDep) -> JSONResponse:
    """A batch of the signals the stage page recorded for one of the candidate's own answers
    (``hireloop.integrity.signals`` describes the format and the caps). Refused while the
    answer could not be saved either; a malformed or oversized batch stores nothing."""
    from hireloop.integrity import signals

    interview = _candidate(me, s)
    answer = service.candidate_answer(s, interview, answer_id)
    run = service.stage_run(interview, answer.stage_index)
    state = service.stage_state(interview, run)
    deadline = service.stage_deadline(interview, run)
    if answer.submitted_at is not None or state not in ("in_progress", "time_up") or (
            deadline is not None
            and utcnow() > deadline + timedelta(seconds=service.GRACE_S)):
        raise Conflict("signals are recorded only while the answer can still change")
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > signals.MAX_BATCH_BYTES:
        raise service.TooLarge(f"a signal batch may be at most "
                               f"{signals.MAX_BATCH_BYTES // 1024} KiB")
    try:
        batch = signals.parse_batch(await request.body())
        stored = signals.store(s, answer.id, batch)
    except signals.BadSignals as exc:
        s.rollback()
        return JSONResponse({"detail": exc.message}, status_code=exc.status)
    s.commit()
    return JSONResponse({"stored": stored, "seq": batch.seq})


# --- attachments (a research talk's slides) ---------------------------------------------------

def _attachment(platform: Platform, answer: Answer) -> Response:
    """The exercise's attachment the view names (``fields.slides``), and nothing else of it."""
    view, _ = view_of(platform, answer)
    name = view.fields.get("slides")
    exercise = platform.bank.get(answer.exercise_id)
    if not name or name not in exercise.public_files:
        raise NotFound("this exercise has no attachment")
    media = "application/pdf" if str(name).endswith(".pdf") else "application/octet-stream"
    return Response(exercise.public_files[name], media_type=media,
                    headers={"content-disposition": f'inline; filename="{name}"'})


@router.get("/take/answers/{answer_id}/attachment")
def attachment(answer_id: Id, me: PrincipalDep, s: SessionDep,
               platform: PlatformDep) -> Response:
    interview = _candidate(me, s)
    return _attachment(platform, service.candidate_answer(s, interview, answer_id))


@router.get("/practice/answers/{answer_id}/attachment")
def practice_attachment(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                        platform: PlatformDep) -> Response:
    return _attachment(platform, _practice_answer(s, _practice_id(request, platform, me),
                                                  answer_id, platform))


# --- recordings (chunked uploads) -----------------------------------------------------------

class UploadDone(BaseModel):
    mime: Annotated[str, Field(max_length=100)] = "application/octet-stream"
    duration_s: Annotated[float | None, Field(ge=0, le=86_400)] = None
    size: Annotated[int | None, Field(ge=0)] = None


def _upload_state(answer: Answer) -> JSONResponse:
    current = service.current_upload(answer)
    return JSONResponse({"received": current.size if current else 0})


async def _upload_chunk(request: Request, s: Session, platform: Platform, answer: Answer,
                        offset: int, quota: str | None = None) -> JSONResponse:
    """One chunk of a recording; ``quota`` names the practice address whose hourly upload
    allowance (``practice_upload_mb_per_hour``, counted in chunks of up to 1 MiB) it uses."""
    service.recording_limits(platform, answer)  # refuse before reading the body
    chunk = await request.body()
    if quota is not None:
        limited = security.rate_limited(s, f"practice-upload:{quota}",
                                        platform.settings.practice_upload_mb_per_hour, 3600)
        s.commit()
        if limited:
            raise service.TooMany("too many recordings uploaded from your address in the last "
                                  "hour; wait a little")
    try:
        received = service.append_chunk(s, platform, answer, offset, chunk)
    except Conflict as exc:  # tell the recorder where to resume
        current = service.current_upload(answer)
        return JSONResponse({"detail": exc.message,
                             "received": current.size if current else 0}, status_code=409)
    s.commit()
    return JSONResponse({"received": received})


def _upload_complete(s: Session, platform: Platform, answer: Answer,
                     done: UploadDone) -> JSONResponse:
    current = service.current_upload(answer)
    if done.size is not None and current is not None and current.size != done.size:
        raise Conflict(f"the server has {current.size} bytes, not {done.size}; upload again")
    upload = service.complete_upload(s, platform, answer, done.mime, done.duration_s)
    s.commit()
    return JSONResponse({"saved": True, "name": upload.name, "size": upload.size,
                         "mime": upload.mime, "revision": answer.revision})


def _in_progress(interview: Interview, answer: Answer) -> None:
    run = service.stage_run(interview, answer.stage_index)
    if service.stage_state(interview, run) != "in_progress":
        raise Conflict("uploads are for a stage in progress")


@router.get("/take/answers/{answer_id}/upload")
def upload_state(answer_id: Id, me: PrincipalDep, s: SessionDep) -> JSONResponse:
    interview = _candidate(me, s)
    return _upload_state(service.candidate_answer(s, interview, answer_id))


@router.post("/take/answers/{answer_id}/upload", dependencies=[Csrf])
async def upload_chunk(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                       platform: PlatformDep, offset: int = 0) -> JSONResponse:
    interview = _candidate(me, s)
    answer = service.candidate_answer(s, interview, answer_id)
    _in_progress(interview, answer)
    return await _upload_chunk(request, s, platform, answer, offset)


@router.post("/take/answers/{answer_id}/upload/complete", dependencies=[Csrf])
def upload_complete(answer_id: Id, done: UploadDone, me: PrincipalDep,
                    s: SessionDep, platform: PlatformDep) -> JSONResponse:
    interview = _candidate(me, s)
    answer = service.candidate_answer(s, interview, answer_id)
    _in_progress(interview, answer)
    return _upload_complete(s, platform, answer, done)


# --- practice -------------------------------------------------------------------------------

def _practice_id(request: Request, platform: Platform, me: Principal) -> str | None:
    """The practicer: the hash of their practice cookie (browsers) or ``X-Practice-Token``
    header (API clients)."""
    if not platform.settings.public_practice and not me.is_team:
        raise Forbidden("practice is open to signed-in team members only on this server")
    token = (request.headers.get("x-practice-token")
             or read_cookie(request, security.PRACTICE_COOKIE))
    return security.token_hash(token[:200]) if token else None


def _practice_answer(s: Session, practice_id: str | None, answer_id: int,
                     platform: Platform) -> Answer:
    """The practice answer, when it is the practicer's and its exercise is open to practice
    (an interview-only exercise is never shown or graded in practice)."""
    answer = s.get(Answer, answer_id)
    if answer is None or practice_id is None or answer.practice_id != practice_id:
        raise NotFound(f"no practice answer {answer_id}")
    if answer.exercise_id in platform.bank.exercises and \
            not platform.bank.get(answer.exercise_id).meta.practice:
        raise NotFound(f"no practice answer {answer_id}: its exercise is for interviews only")
    return answer


def practice_progress(s: Session, platform: Platform, practice_id: str | None) -> Any:
    if practice_id is None:
        return [], []
    answers = s.scalars(select(Answer).where(Answer.practice_id == practice_id,
                                             Answer.submitted_at.is_not(None))
                        .order_by(Answer.id)).all()
    history: list[dict[str, Any]] = []
    by_comp: dict[str, list[float]] = {}
    for a in answers:
        score = service.answer_score(a)
        entry = platform.bank.entries.get(a.exercise_id)
        meta = entry.exercise.meta if entry and entry.exercise else None
        history.append({"answer": a, "title": meta.title if meta else a.exercise_id,
                        "score": score, "state": job_state(a)})
        if score is not None and meta:
            for c in meta.competencies:
                by_comp.setdefault(str(c), []).append(score)
    progress = [{"competency": c, "attempts": len(v), "mean": sum(v) / len(v),
                 "last": v[-1], "trend": v[-5:]} for c, v in sorted(by_comp.items())]
    return history, progress


@router.get("/practice")
def practice_home(request: Request, me: PrincipalDep, s: SessionDep,
                  platform: PlatformDep) -> HTMLResponse:
    practice_id = _practice_id(request, platform, me)
    history, progress = practice_progress(s, platform, practice_id)
    return page(request, "practice/home.html", competencies=list(Competency),
                loops=platform.usable_templates(), history=history[-20:][::-1],
                progress=progress)


def start_practice(request: Request, me: Principal, s: Session, platform: Platform,
                   competency: str = "", loop: str = "") -> tuple[Answer, str | None]:
    """A practice answer to a fresh exercise of the choice; returns it and the new practice
    token when the practicer had none."""
    practice_id = _practice_id(request, platform, me)
    from hireloop.web.deps import client_ip

    limited = security.rate_limited(s, f"practice:{client_ip(request)}", 300, 3600)
    s.commit()
    if limited:
        raise service.TooMany("too many practice exercises from this address in the last "
                              "hour; wait a little and try again")
    token = None
    if practice_id is None:
        token = security.new_token()
        practice_id = security.token_hash(token)
    pool = [e for e in platform.bank.exercises.values()
            if e.meta.practice and platform.bank.kinds.get(e.meta.kind) is not None
            and not platform.bank.kinds.get(e.meta.kind).grading_unavailable]
    if loop:
        template = platform.usable_templates().get(loop)
        if template is None:
            raise NotFound(f"no loop {loop!r}")
        pool = [e for e in pool if any(p.matches(e) or e.id in st.exercises
                                       for st in template.stage for p in (st.pick or []))
                or any(e.id in st.exercises for st in template.stage)]
    elif competency:
        pool = [e for e in pool if competency in e.meta.competencies]
    if not pool:
        raise NotFound("no exercise to practise for that choice")
    done = set(s.scalars(select(Answer.exercise_id).where(Answer.practice_id == practice_id)))
    fresh = [e for e in pool if e.id not in done] or pool
    rng = random.SystemRandom()
    exercise = rng.choice(sorted(fresh, key=lambda e: e.id))
    answer = Answer(practice_id=practice_id, exercise_id=exercise.id,
                    seed=PRACTICE_SEED_BASE + rng.randrange(1_000_000_000))
    s.add(answer)
    s.commit()
    return answer, token


@router.post("/practice/start", dependencies=[Csrf])
def practice_start(request: Request, me: PrincipalDep, s: SessionDep, platform: PlatformDep,
                   competency: Annotated[str, Form(max_length=100)] = "",
                   loop: Annotated[str, Form(max_length=200)] = "") -> Response:
    answer, token = start_practice(request, me, s, platform, competency, loop)
    response = RedirectResponse(f"/practice/answers/{answer.id}", 303)
    if token:
        from hireloop.web.pages import _cookie

        _cookie(response, request, security.PRACTICE_COOKIE, token,
                24 * platform.settings.practice_retention_days)
    return response


@router.get("/practice/answers/{answer_id}")
def practice_answer_page(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                         platform: PlatformDep) -> HTMLResponse:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    view, _ = view_of(platform, answer)
    return page(request, "practice/answer.html", answer=answer, view=view,
                state=job_state(answer), feedback=candidate_feedback(answer),
                pending=job_state(answer) in ("queued", "running"),
                max_answer_kb=platform.settings.max_answer_kb)


@router.post("/practice/answers/{answer_id}/save", dependencies=[Csrf])
def practice_save(request: Request, answer_id: Id, draft: Draft, me: PrincipalDep,
                  s: SessionDep, platform: PlatformDep) -> JSONResponse:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    if answer.submitted_at is not None:
        raise Conflict("this attempt was submitted; start another to try again")
    files = service.clean_files(platform, answer, draft.files)
    service.check_answer_size(platform.settings, draft.text, files)
    answer.text, answer.files = draft.text, files
    answer.revision += 1
    answer.saved_at = utcnow()
    s.commit()
    return JSONResponse({"saved": True, "revision": answer.revision,
                         "saved_at": _iso(answer.saved_at)})


@router.post("/practice/answers/{answer_id}/submit", dependencies=[Csrf])
def practice_submit(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                    platform: PlatformDep) -> Response:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    if answer.submitted_at is None:
        answer.submitted_at = utcnow()
        job = service.regrade(s, answer)
        s.commit()
        platform.runtime.enqueue(job)
    return RedirectResponse(f"/practice/answers/{answer_id}", 303)


@router.get("/practice/answers/{answer_id}/status")
def practice_status(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                    platform: PlatformDep) -> HTMLResponse:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    state = job_state(answer)
    return page(request, "practice/_status.html", answer=answer, state=state,
                feedback=candidate_feedback(answer),
                pending=state in ("queued", "running"))


@router.get("/practice/answers/{answer_id}/upload")
def practice_upload_state(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                          platform: PlatformDep) -> JSONResponse:
    return _upload_state(_practice_answer(s, _practice_id(request, platform, me), answer_id,
                                          platform))


@router.post("/practice/answers/{answer_id}/upload", dependencies=[Csrf])
async def practice_upload_chunk(request: Request, answer_id: Id, me: PrincipalDep,
                                s: SessionDep, platform: PlatformDep,
                                offset: int = 0) -> JSONResponse:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    if answer.submitted_at is not None:
        raise Conflict("this attempt was submitted; start another to try again")
    return await _upload_chunk(request, s, platform, answer, offset,
                               quota=practice_owner(request))


@router.post("/practice/answers/{answer_id}/upload/complete", dependencies=[Csrf])
def practice_upload_complete(request: Request, answer_id: Id, done: UploadDone,
                             me: PrincipalDep, s: SessionDep,
                             platform: PlatformDep) -> JSONResponse:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    if answer.submitted_at is not None:
        raise Conflict("this attempt was submitted; start another to try again")
    return _upload_complete(s, platform, answer, done)


@router.post("/practice/answers/{answer_id}/trial", dependencies=[Csrf])
def practice_trial(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                   platform: PlatformDep) -> JSONResponse:
    practice_id = _practice_id(request, platform, me)
    answer = _practice_answer(s, practice_id, answer_id, platform)
    return JSONResponse(start_trial(s, platform, answer, practice_owner(request)))


@router.get("/practice/answers/{answer_id}/trial")
def practice_trial_state(request: Request, answer_id: Id, me: PrincipalDep, s: SessionDep,
                         platform: PlatformDep,
                         since: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> JSONResponse:
    answer = _practice_answer(s, _practice_id(request, platform, me), answer_id, platform)
    return JSONResponse(service.trial_state(s, answer, since))

