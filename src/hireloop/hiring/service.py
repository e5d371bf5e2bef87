"""The platform's operations, shared by the JSON API and the pages (one place for each rule).

Every function takes an open SQLAlchemy session; the caller commits. Errors are
``ServiceError`` subclasses carrying the HTTP status a front end should answer with and a
message a person can act on.
"""

from __future__ import annotations

import json
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hireloop.bank.loops import LoadedLoop, Loop, check_loop, load_loops, resolve_loop
from hireloop.config import Settings
from hireloop.core import Grade
from hireloop.core.errors import pydantic_errors
from hireloop.db.models import (
    Answer,
    Candidate,
    GradingJob,
    Interview,
    LoopRecord,
    Note,
    Override,
    SetupToken,
    StageRun,
    Upload,
    User,
    WebSession,
    utcnow,
)
from hireloop.hiring import security
from hireloop.hiring.authz import Principal
from hireloop.jobs import Runtime

GRACE_S = 120
"""after a stage's time is up, saves are still accepted this long (clock skew, slow networks)"""
DECISIONS = ("advance", "hold", "reject")


class ServiceError(Exception):
    """A request that cannot be carried out, with the status and a message for people."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 404


class Forbidden(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 403


class Invalid(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 422


class Conflict(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 409


class TooLarge(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 413


class Gone(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 410


class TooMany(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 429


@dataclass
class Platform:
    """One running platform: settings, the grading runtime (database, bank, queue), loops."""

    settings: Settings
    runtime: Runtime
    templates: dict[str, LoadedLoop] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, runtime: Runtime | None = None) -> Platform:
        """Open everything the settings name."""
        runtime = runtime or Runtime.create(settings)
        return cls(settings, runtime, load_loops(settings.loop_dirs()))

    @property
    def db(self) -> Any:
        return self.runtime.db

    @property
    def bank(self) -> Any:
        return self.runtime.bank

    def usable_templates(self) -> dict[str, Loop]:
        """Built-in and configured loop templates that fit the bank."""
        return {i: t.loop for i, t in self.templates.items()
                if t.loop is not None and not check_loop(t, self.bank)}


# --- users and sessions -----------------------------------------------------------------

def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise Invalid(f"{email!r} is not an email address")
    return email


def create_user(s: Session, email: str, password: str, role: str, name: str = "") -> User:
    """A new team member; the email must be new and the password long enough."""
    email = normalise_email(email)
    if role not in ("admin", "interviewer"):
        raise Invalid("the role must be admin or interviewer")
    problem = security.password_problem(password)
    if problem:
        raise Invalid(problem)
    if s.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"there is already a user {email}")
    user = User(email=email, name=name.strip()[:200], role=role,
                password_hash=security.hash_password(password))
    s.add(user)
    s.flush()
    return user


def authenticate(s: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for both mistakes)."""
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    user = s.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        security.verify_password(_DUMMY_HASH, password)  # same time as a wrong password
        return None
    if not security.verify_password(user.password_hash, password):
        return None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    return user


_DUMMY_HASH = security.hash_password("not a real password, only for timing")


def has_admin(s: Session) -> bool:
    """Whether the first admin exists."""
    count = s.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
    return bool(count)


def new_setup_token(s: Session) -> str:
    """A one-time link token for creating the first admin (older unused ones stop working)."""
    s.execute(update(SetupToken).where(SetupToken.used_at.is_(None)).values(used_at=utcnow()))
    token = security.new_token()
    s.add(SetupToken(token_hash=security.token_hash(token)))
    s.flush()
    return token


def use_setup_token(s: Session, token: str, email: str, password: str, name: str) -> User:
    """Create the first admin through the one-time link."""
    row = s.scalar(select(SetupToken).where(SetupToken.token_hash == security.token_hash(token)))
    if row is None or row.used_at is not None or has_admin(s):
        raise Gone("this setup link was used already or replaced; ask the operator to run "
                   "`hireloop user add --admin EMAIL`")
    user = create_user(s, email, password, "admin", name)
    row.used_at = utcnow()
    return user


def start_session(s: Session, settings: Settings, *, user_id: int | None = None,
                  interview_id: int | None = None) -> str:
    """A new signed-in session; returns its token (for the cookie or a bearer header)."""
    token = security.new_token()
    s.add(WebSession(token_hash=security.token_hash(token), user_id=user_id,
                     interview_id=interview_id, csrf_token=security.new_token(),
                     expires_at=utcnow() + timedelta(hours=settings.session_hours)))
    s.flush()
    return token


def principal_for(s: Session, token: str | None, *, bearer: bool = False) -> Principal | None:
    """Who holds this session token, or None when it is unknown or expired (one query)."""
    if not token:
        return None
    row = s.execute(
        select(WebSession.expires_at, WebSession.user_id, WebSession.interview_id,
               User.role, User.email, User.name, User.active, Interview.revoked_at)
        .outerjoin(User, User.id == WebSession.user_id)
        .outerjoin(Interview, Interview.id == WebSession.interview_id)
        .where(WebSession.token_hash == security.token_hash(token))).first()
    if row is None or row.expires_at < utcnow():
        return None
    if row.user_id is not None:
        if row.role is None or not row.active:
            return None
        return Principal(row.role, user_id=row.user_id, email=row.email, name=row.name,
                         csrf_exempt=bearer)
    if row.interview_id is not None and row.revoked_at is None:
        return Principal("candidate", interview_id=row.interview_id, csrf_exempt=bearer)
    return None


def end_session(s: Session, token: str | None) -> None:
    """Sign out."""
    if token:
        row = s.scalar(select(WebSession).where(
            WebSession.token_hash == security.token_hash(token)))
        if row is not None:
            s.delete(row)


# --- loops -------------------------------------------------------------------------------

def validate_loop(platform: Platform, data: dict[str, Any], source: str = "loop") -> Loop:
    """A loop definition checked in itself and against the bank, or Invalid listing why."""
    data = {k: v for k, v in data.items() if k != "id"}
    try:
        loop = Loop.model_validate({**data, "id": "web"})
    except ValidationError as exc:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in
                                pydantic_errors(source, exc))) from None
    errors = check_loop(LoadedLoop("web", platform.settings.data_dir / source, loop),
                        platform.bank)
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors))
    return loop


def loop_to_toml(loop: dict[str, Any]) -> str:
    """A loop definition as the TOML an author edits (the format of ``loops/*.toml``)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(str(v), ensure_ascii=False)

    lines: list[str] = []
    for key in ("title", "role", "description", "feedback", "principles"):
        if loop.get(key) not in (None, ""):
            lines.append(f"{key} = {value(loop[key])}")
    rule = loop.get("pass_rule") or {}
    if rule:
        lines += ["", "[pass_rule]"] + [f"{k} = {value(v)}" for k, v in rule.items()]
    for stage in loop.get("stage", []):
        lines += ["", "[[stage]]"]
        for key in ("name", "minutes", "weight", "principle", "description", "exercises"):
            if stage.get(key) not in (None, "", []):
                lines.append(f"{key} = {value(stage[key])}")
        for pick in stage.get("pick", []):
            lines.append("[[stage.pick]]")
            lines += [f"{k} = {value(v)}" for k, v in pick.items() if v is not None]
    return "\n".join(lines) + "\n"


def parse_loop_toml(text: str) -> dict[str, Any]:
    """Read the loop editor's TOML, with the parser's message on a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"the loop is not valid TOML: {exc}") from None


def _dump(loop: Loop) -> dict[str, Any]:
    return loop.model_dump(mode="json", exclude={"id"}, exclude_none=True)


def create_loop(s: Session, platform: Platform, user: Principal, *,
                template: str | None = None, definition: dict[str, Any] | None = None,
                title: str | None = None) -> LoopRecord:
    """A loop from a template (a copy the team then edits) or from a definition."""
    if template:
        loop = platform.usable_templates().get(template)
        if loop is None:
            raise NotFound(f"no usable loop template {template!r}")
        data = _dump(loop)
    elif definition is not None:
        data = _dump(validate_loop(platform, definition))
    else:
        raise Invalid("give a template or a definition")
    if title:
        data["title"] = title.strip()
        data = _dump(validate_loop(platform, data))
    record = LoopRecord(title=data["title"], template=template, definition=data,
                        created_by=user.user_id)
    s.add(record)
    s.flush()
    return record


def update_loop(platform: Platform, record: LoopRecord,
                definition: dict[str, Any]) -> LoopRecord:
    """Replace a loop's definition (invitations already sent keep the loop they were sent)."""
    data = _dump(validate_loop(platform, definition))
    record.definition, record.title, record.updated_at = data, data["title"], utcnow()
    return record


def get_loop(s: Session, loop_id: int) -> LoopRecord:
    record = s.get(LoopRecord, loop_id)
    if record is None:
        raise NotFound(f"no loop {loop_id}")
    return record


# --- candidates and invitations ---------------------------------------------------------

def invite(s: Session, platform: Platform, user: Principal, *, name: str, email: str,
           loop_id: int) -> tuple[Interview, str]:
    """A candidate (new or known by email) invited to a loop; returns the link's token."""
    name = name.strip()
    if not name:
        raise Invalid("the candidate's name is required")
    email = normalise_email(email)
    record = get_loop(s, loop_id)
    loop = validate_loop(platform, record.definition)
    seed = secrets.randbelow(2**31)
    try:
        plan = resolve_loop(loop, platform.bank, seed)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    candidate = s.scalar(select(Candidate).where(Candidate.email == email))
    if candidate is None:
        candidate = Candidate(name=name[:200], email=email, created_by=user.user_id)
        s.add(candidate)
        s.flush()
    token = security.new_token()
    interview = Interview(
        candidate_id=candidate.id, loop_id=record.id, loop_snapshot=record.definition,
        plan=[{"name": st.name, "minutes": st.minutes, "weight": st.weight,
               "principle": st.principle,
               "exercises": [{"id": e.exercise_id, "seed": e.seed} for e in st.exercises]}
              for st in plan],
        token_hash=security.token_hash(token),
        expires_at=utcnow() + timedelta(days=platform.settings.invite_days),
        created_by=user.user_id)
    s.add(interview)
    s.flush()
    for index, stage in enumerate(interview.plan):
        s.add(StageRun(interview_id=interview.id, index=index))
        for ex in stage["exercises"]:
            s.add(Answer(interview_id=interview.id, stage_index=index, exercise_id=ex["id"],
                         seed=ex["seed"]))
    s.flush()
    return interview, token


def get_interview(s: Session, interview_id: int) -> Interview:
    interview = s.get(Interview, interview_id)
    if interview is None:
        raise NotFound(f"no interview {interview_id}")
    return interview


def resend(platform: Platform, interview: Interview) -> str:
    """A new link (the old one stops working) with a fresh expiry; un-revokes."""
    token = security.new_token()
    interview.token_hash = security.token_hash(token)
    interview.expires_at = utcnow() + timedelta(days=platform.settings.invite_days)
    interview.revoked_at = None
    return token


def revoke(s: Session, interview: Interview) -> None:
    """The link and every candidate session of it stop working."""
    interview.revoked_at = utcnow()
    for row in s.scalars(select(WebSession).where(WebSession.interview_id == interview.id)):
        s.delete(row)


def open_invitation(s: Session, token: str) -> Interview:
    """The interview an invitation link opens, or why it does not."""
    interview = s.scalar(select(Interview).where(
        Interview.token_hash == security.token_hash(token)))
    if interview is None:
        raise NotFound("this invitation link is not valid; check that you copied all of it, "
                       "or ask the hiring team for a new one")
    if interview.revoked_at is not None:
        raise Gone("this invitation was withdrawn by the hiring team")
    if interview.expires_at < utcnow():
        raise Gone("this invitation link has expired; ask the hiring team to resend it")
    return interview


# --- taking an interview ----------------------------------------------------------------

def stage_deadline(interview: Interview, run: StageRun) -> datetime | None:
    """When a started stage's time is up."""
    if run.started_at is None:
        return None
    return run.started_at + timedelta(minutes=int(interview.plan[run.index]["minutes"]))


def stage_state(interview: Interview, run: StageRun) -> str:
    """locked, ready, in_progress, time_up or submitted."""
    if run.submitted_at is not None:
        return "submitted"
    earlier = [r for r in interview.stages if r.index < run.index]
    if any(r.submitted_at is None for r in earlier):
        return "locked"
    if run.started_at is None:
        return "ready"
    deadline = stage_deadline(interview, run)
    assert deadline is not None
    return "time_up" if utcnow() > deadline else "in_progress"


def stage_run(interview: Interview, index: int) -> StageRun:
    for run in interview.stages:
        if run.index == index:
            return run
    raise NotFound(f"no stage {index}")


def consent(interview: Interview) -> None:
    if interview.consented_at is None:
        interview.consented_at = utcnow()


def start_stage(interview: Interview, index: int) -> StageRun:
    """Open a stage: its timer starts the first time."""
    if interview.consented_at is None:
        raise Forbidden("please read and accept how you will be assessed first")
    run = stage_run(interview, index)
    state = stage_state(interview, run)
    if state == "locked":
        raise Conflict("submit the earlier stages first")
    if state == "ready":
        run.started_at = utcnow()
    return run


def candidate_answer(s: Session, interview: Interview, answer_id: int) -> Answer:
    """An answer of this interview (any other is 'not found', to reveal nothing)."""
    answer = s.get(Answer, answer_id)
    if answer is None or answer.interview_id != interview.id:
        raise NotFound(f"no answer {answer_id} in this interview")
    return answer


def _answer_size(text: str | None, files: dict[str, str]) -> int:
    return len((text or "").encode()) + sum(len(k.encode()) + len(v.encode())
                                            for k, v in files.items())


def check_answer_size(settings: Settings, text: str | None, files: dict[str, str]) -> None:
    size = _answer_size(text, files)
    limit = settings.max_answer_kb * 1024
    if size > limit:
        raise TooLarge(f"this answer is {size / 1024:.0f} KB; the limit is "
                       f"{settings.max_answer_kb} KB. Shorten it and save again.")


def autosave(platform: Platform, interview: Interview, answer: Answer, *,
             text: str | None, files: dict[str, str] | None, revision: int | None) -> Answer:
    """Store a draft. Refused once the stage is submitted or its time (plus grace) is over."""
    run = stage_run(interview, answer.stage_index)
    state = stage_state(interview, run)
    if state == "submitted" or answer.submitted_at is not None:
        raise Conflict("this stage was submitted; answers can no longer change")
    if state in ("locked", "ready"):
        raise Conflict("open the stage before answering")
    deadline = stage_deadline(interview, run)
    if deadline is not None and utcnow() > deadline + timedelta(seconds=GRACE_S):
        raise Conflict("the time for this stage is over; your last saved answer is kept")
    files = _clean_files(files)
    check_answer_size(platform.settings, text, files)
    if revision is not None and revision < answer.revision:
        raise Conflict(f"a newer save (revision {answer.revision}) exists; reload the page")
    answer.text, answer.files = text, files
    answer.revision += 1
    answer.saved_at = utcnow()
    return answer


def _clean_files(files: dict[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, content in (files or {}).items():
        if not isinstance(content, str):
            raise Invalid(f"file {name!r}: content must be text")
        if (not name or name.startswith(("/", ".")) or ".." in name.split("/")
                or "\\" in name or len(name) > 200):
            raise Invalid(f"file name {name!r} is not allowed")
        out[name] = content
    return out


def submit_stage(s: Session, interview: Interview, index: int) -> list[int]:
    """Hand in a stage: every answer becomes a grading job. Returns the jobs to enqueue."""
    run = stage_run(interview, index)
    state = stage_state(interview, run)
    if state == "submitted":
        return []
    if state in ("locked", "ready"):
        raise Conflict("this stage is not open")
    run.submitted_at = utcnow()
    jobs = []
    for answer in interview.answers:
        if answer.stage_index == index and answer.submitted_at is None:
            answer.submitted_at = run.submitted_at
            job = GradingJob(answer_id=answer.id, state="queued")
            s.add(job)
            jobs.append(job)
    s.flush()
    return [j.id for j in jobs]


def settle_expired(s: Session, interview: Interview) -> list[int]:
    """Submit stages whose time and grace are over (the candidate closed the tab)."""
    jobs: list[int] = []
    for run in interview.stages:
        deadline = stage_deadline(interview, run)
        if (run.submitted_at is None and deadline is not None
                and utcnow() > deadline + timedelta(seconds=GRACE_S)):
            jobs += submit_stage(s, interview, run.index)
    return jobs


def request_human_review(interview: Interview) -> None:
    if interview.human_review_requested_at is None:
        interview.human_review_requested_at = utcnow()


def feedback_visible(interview: Interview, index: int) -> bool:
    """Whether the loop lets the candidate see feedback on a stage now."""
    policy = interview.loop_snapshot.get("feedback", "after_submission")
    if policy == "never":
        return False
    if policy == "immediately":
        return True
    return stage_run(interview, index).submitted_at is not None


# --- uploads (recordings) ---------------------------------------------------------------

def upload_path(platform: Platform, answer: Answer) -> Any:
    directory = platform.settings.data_dir / "uploads" / str(answer.interview_id or "practice")
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"answer-{answer.id}.part"


def current_upload(answer: Answer) -> Upload | None:
    return next((u for u in reversed(answer.uploads) if not u.complete), None)


def append_chunk(s: Session, platform: Platform, answer: Answer, offset: int,
                 chunk: bytes, max_bytes: int | None = None) -> int:
    """Add a chunk of a recording at ``offset``; returns the bytes received so far.
    ``max_bytes`` is the exercise's own limit (the platform's ``max_upload_mb`` always holds)."""
    upload = current_upload(answer)
    if upload is None:
        if offset != 0:
            raise Conflict("an upload starts at offset 0")
        path = upload_path(platform, answer)
        path.write_bytes(b"")
        upload = Upload(answer_id=answer.id, name="recording", path=str(path))
        s.add(upload)
        s.flush()
    if offset != upload.size:
        raise Conflict(f"expected offset {upload.size}")
    limit = platform.settings.max_upload_mb * 1024 * 1024
    if max_bytes is not None:
        limit = min(limit, max_bytes)
    if upload.size + len(chunk) > limit:
        raise TooLarge(f"the recording is larger than this exercise's limit of "
                       f"{limit / 1_000_000:.0f} MB; record a shorter answer")
    with open(upload.path, "r+b") as handle:
        handle.seek(offset)
        handle.write(chunk)
        handle.flush()
        import os

        os.fsync(handle.fileno())
    upload.size += len(chunk)
    return upload.size


def complete_upload(s: Session, answer: Answer, mime: str, duration_s: float | None) -> Upload:
    """Finish the recording: it replaces any earlier one (re-record)."""
    upload = current_upload(answer)
    if upload is None or upload.size == 0:
        raise Conflict("nothing was uploaded")
    extensions = {"audio/webm": "webm", "video/webm": "webm", "audio/ogg": "ogg",
                  "audio/mp4": "m4a", "video/mp4": "mp4", "audio/wav": "wav",
                  "audio/x-wav": "wav", "audio/mpeg": "mp3"}
    extension = extensions.get(mime.split(";", maxsplit=1)[0].strip(), "bin")
    for old in answer.uploads:
        if old.complete:
            s.delete(old)
    upload.name = f"recording.{extension}"
    upload.mime, upload.duration_s, upload.complete = mime[:100], duration_s, True
    answer.revision += 1
    answer.saved_at = utcnow()
    return upload


# --- review -----------------------------------------------------------------------------

def latest_job(answer: Answer) -> GradingJob | None:
    return answer.jobs[-1] if answer.jobs else None


def automatic_grade(answer: Answer) -> Grade | None:
    job = latest_job(answer)
    if job is None or job.grade is None:
        return None
    return Grade.model_validate(job.grade)


def effective_criteria(answer: Answer) -> list[dict[str, Any]]:
    """Each criterion: the automatic points, the override in force (newest), the final points."""
    grade = automatic_grade(answer)
    if grade is None:
        return []
    newest: dict[str, Override] = {}
    for row in answer.overrides:
        newest[row.criterion] = row
    rows = []
    for c in grade.criteria:
        o = newest.get(c.name)
        rows.append({"name": c.name, "auto_points": c.points, "max_points": c.max_points,
                     "points": o.points if o else c.points, "evidence": c.evidence,
                     "feedback": c.feedback,
                     "override": None if o is None else {
                         "points": o.points, "reason": o.reason, "by": o.user.email,
                         "at": o.created_at.isoformat()}})
    return rows


def answer_score(answer: Answer) -> float | None:
    """The answer's score after overrides; None when there is no usable grade."""
    grade = automatic_grade(answer)
    if grade is None or grade.outcome == "error":
        return None
    if grade.outcome == "not_gradable":
        return 0.0
    rows = effective_criteria(answer)
    total = sum(r["max_points"] for r in rows)
    if total <= 0:
        return grade.score
    return float(sum(r["points"] for r in rows)) / float(total)


def override(s: Session, answer: Answer, user: Principal, *, criterion: str, points: float,
             reason: str) -> Override:
    """An interviewer's score for one criterion, with the reason (both kept)."""
    reason = reason.strip()
    if not reason:
        raise Invalid("an override needs a reason")
    grade = automatic_grade(answer)
    if grade is None:
        raise Conflict("this answer has no automatic grade yet")
    match = next((c for c in grade.criteria if c.name == criterion), None)
    if match is None:
        raise Invalid(f"no criterion {criterion!r} in this grade")
    if not (0 <= points <= match.max_points):
        raise Invalid(f"points must be between 0 and {match.max_points:g}")
    assert user.user_id is not None
    row = Override(answer_id=answer.id, criterion=criterion, points=float(points),
                   max_points=match.max_points, reason=reason[:5000], user_id=user.user_id)
    s.add(row)
    s.flush()
    return row


def add_note(s: Session, interview: Interview, user: Principal, body: str) -> Note:
    body = body.strip()
    if not body:
        raise Invalid("the note is empty")
    assert user.user_id is not None
    note = Note(interview_id=interview.id, user_id=user.user_id, body=body[:20000])
    s.add(note)
    s.flush()
    return note


def decide(interview: Interview, user: Principal, decision: str,
           reason: str) -> None:
    if decision not in DECISIONS:
        raise Invalid(f"the decision must be one of {', '.join(DECISIONS)}")
    interview.decision, interview.decision_reason = decision, reason.strip()[:5000]
    interview.decided_by, interview.decided_at = user.user_id, utcnow()


def regrade(s: Session, answer: Answer) -> int:
    """Grade a submitted answer again (e.g. after a grader fix); returns the job id."""
    if answer.submitted_at is None:
        raise Conflict("the answer has not been submitted")
    job = GradingJob(answer_id=answer.id, state="queued")
    s.add(job)
    s.flush()
    return job.id


def interview_status(interview: Interview) -> str:
    """invited, in_progress, submitted, decided, revoked or expired."""
    if interview.decision:
        return "decided"
    if interview.revoked_at is not None:
        return "revoked"
    runs = interview.stages
    if runs and all(r.submitted_at is not None for r in runs):
        return "submitted"
    if any(r.started_at is not None for r in runs) or interview.consented_at:
        return "in_progress"
    if interview.expires_at < utcnow():
        return "expired"
    return "invited"


# --- data protection --------------------------------------------------------------------

def delete_candidate(s: Session, candidate: Candidate) -> int:
    """Delete a candidate and everything of theirs: interviews, answers, grades, overrides,
    notes, sessions and recording files. Returns the number of interviews deleted."""
    import contextlib
    from pathlib import Path

    count = 0
    for interview in list(candidate.interviews):
        for answer in interview.answers:
            for upload in answer.uploads:
                with contextlib.suppress(FileNotFoundError):
                    Path(upload.path).unlink()
        s.delete(interview)
        count += 1
    s.delete(candidate)
    s.flush()
    return count


def purge_recordings(s: Session, settings: Settings) -> int:
    """Delete recordings of graded answers older than ``recording_retention_days`` (their
    transcripts and grades stay). Returns how many were deleted."""
    import contextlib
    from pathlib import Path

    cutoff = utcnow() - timedelta(days=settings.recording_retention_days)
    deleted = 0
    for upload in s.scalars(select(Upload).where(Upload.complete.is_(True),
                                                 Upload.created_at <= cutoff)).all():
        job = latest_job(upload.answer)
        if job is None or job.state not in ("graded", "failed"):
            continue  # never before its grade exists
        with contextlib.suppress(FileNotFoundError):
            Path(upload.path).unlink()
        s.delete(upload)
        deleted += 1
    return deleted


def purge_expired(s: Session, settings: Settings) -> int:
    """Delete interviews older than the retention period (stated on the consent page), and
    candidates left with none. Returns the number of interviews deleted."""
    import contextlib
    from pathlib import Path

    cutoff = utcnow() - timedelta(days=settings.retention_days)
    old = s.scalars(select(Interview).where(Interview.created_at < cutoff)).all()
    touched = set()
    for interview in old:
        for answer in interview.answers:
            for upload in answer.uploads:
                with contextlib.suppress(FileNotFoundError):
                    Path(upload.path).unlink()
        touched.add(interview.candidate_id)
        s.delete(interview)
    s.flush()
    for candidate_id in touched:
        candidate = s.get(Candidate, candidate_id)
        if candidate is not None and not candidate.interviews:
            s.delete(candidate)
    return len(old)
