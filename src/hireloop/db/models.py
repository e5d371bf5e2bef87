"""The tables of the web platform (SQLAlchemy 2). Alembic migrations live beside this file.

Everything a person did is kept: overrides and notes are appended, never updated in place, so
the scorecard can show who changed what and why.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    """Now, in UTC, without microseconds noise in the database."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """The declarative base; its metadata is what Alembic migrates."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp that reads back in UTC on every database (SQLite keeps none)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        del dialect
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        del dialect
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Team(Base):
    """A hiring team: its hiring managers act on its loops and their interviews."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(Base):
    """A member of the hiring team: admin, hiring manager (of a team) or interviewer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | hiring_manager | interviewer
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), nullable=True)
    """the team whose loops a hiring manager acts on (interviewers: the team they belong to)"""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    """false: deactivated by an admin; signs in no more, every session and token stops"""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team | None] = relationship()


class PasswordReset(Base):
    """A one-time link an admin made for a user to set a new password (SHA-256 stored)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ApiToken(Base):
    """A long-lived API token of a team member for scripts and integrations. Only its
    SHA-256 is stored; it acts with its owner's role and team, and stops when revoked or
    when its owner is deactivated."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SetupToken(Base):
    """A one-time link that creates the first admin (printed by the first ``hireloop serve``)."""

    __tablename__ = "setup_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebSession(Base):
    """A signed-in browser: a team member, a candidate (through an invitation) or a practicer.

    Only the SHA-256 of the cookie's token is stored, so a database leak opens no session.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                                nullable=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LoopRecord(Base):
    """A loop the team assembled (from a built-in template or from scratch)."""

    __tablename__ = "loops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    template: Mapped[str | None] = mapped_column(String(200), nullable=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    """a ``hireloop.bank.loops.Loop`` as JSON (validated on every write)"""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), nullable=True)
    """the team whose hiring managers act on this loop (none: admins only)"""
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)


class Candidate(Base):
    """A person being interviewed."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interviews: Mapped[list[Interview]] = relationship(back_populates="candidate",
                                                       cascade="all, delete-orphan")


class Interview(Base):
    """One candidate taking one loop: the invitation, the plan, the answers and the decision."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"),
                                              index=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id"), index=True)
    loop_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    """the loop as it was when the invitation was made (later edits don't move the goalposts)"""
    plan: Mapped[list[Any]] = mapped_column(JSON)
    """the resolved stages: names, minutes, weights, exercise ids and variant seeds"""
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    human_review_requested_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decision: Mapped[str | None] = mapped_column(String(20), nullable=True)
    decision_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    candidate: Mapped[Candidate] = relationship(back_populates="interviews")
    loop: Mapped[LoopRecord] = relationship()
    stages: Mapped[list[StageRun]] = relationship(back_populates="interview",
                                                  order_by="StageRun.index",
                                                  cascade="all, delete-orphan")
    answers: Mapped[list[Answer]] = relationship(back_populates="interview",
                                                 order_by="Answer.id",
                                                 cascade="all, delete-orphan")
    assignments: Mapped[list[Assignment]] = relationship(back_populates="interview",
                                                         order_by="Assignment.id",
                                                         cascade="all, delete-orphan")


class Assignment(Base):
    """An interviewer assigned to an interview: they see it and act on it."""

    __tablename__ = "interview_assignments"
    __table_args__ = (UniqueConstraint("interview_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="assignments")
    user: Mapped[User] = relationship()


class StageRun(Base):
    """When a candidate started and submitted one stage (the timer runs from ``started_at``)."""

    __tablename__ = "stage_runs"
    __table_args__ = (UniqueConstraint("interview_id", "index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    interview: Mapped[Interview] = relationship(back_populates="stages")


class Answer(Base):
    """A candidate's (or practicer's) answer to one exercise variant: the draft, then the
    submission. ``revision`` counts acknowledged autosaves."""

    __tablename__ = "answers"
    __table_args__ = (Index("ix_answers_interview", "interview_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=True)
    practice_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """for practice answers: the SHA-256 of the practicer's cookie"""
    stage_index: Mapped[int] = mapped_column(Integer, default=0)
    exercise_id: Mapped[str] = mapped_column(String(300))
    seed: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    files: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """text files of the answer by name (project files of an ml_task)"""
    revision: Mapped[int] = mapped_column(Integer, default=0)
    saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow,
                                                        nullable=True)
    """when the answer was started (none for answers from before this column)"""

    interview: Mapped[Interview | None] = relationship(back_populates="answers")
    jobs: Mapped[list[GradingJob]] = relationship(
        back_populates="answer", order_by="GradingJob.id", cascade="all, delete-orphan")
    overrides: Mapped[list[Override]] = relationship(
        back_populates="answer", order_by="Override.id", cascade="all, delete-orphan")
    uploads: Mapped[list[Upload]] = relationship(
        back_populates="answer", order_by="Upload.id", cascade="all, delete-orphan")


class Upload(Base):
    """A file uploaded in chunks for an answer (a recording); the bytes live in the data dir."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(500))
    mime: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer, default=0)
    duration_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answer: Mapped[Answer] = relationship(back_populates="uploads")


class GradingJob(Base):
    """A durable grading job. The queue only carries its id; this row is the truth.

    state: queued → running → graded | failed. A job whose worker stops heartbeating goes back
    to queued (see ``hireloop.jobs``), so a crash loses none.
    """

    __tablename__ = "grading_jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    grade: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    answer: Mapped[Answer] = relationship(back_populates="jobs")


class TrialRun(Base):
    """A trial run (visible tests, a project run) waiting for, or run by, a grading process.

    The web app adds the row and queues its id; a grading process claims it (queued →
    running), appends to ``lines`` as the run logs, and stores ``result`` (→ done)."""

    __tablename__ = "trial_runs"
    __table_args__ = (Index("ix_trials_state", "state"), Index("ix_trials_owner", "owner"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    owner: Mapped[str] = mapped_column(String(200))
    """whose quota it counts against: ``interview:<id>`` or ``address:<ip>``"""
    state: Mapped[str] = mapped_column(String(20), default="queued")
    lines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    worker_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class BankReload(Base):
    """An admin reloaded the bank folders: every process reloads its bank when it sees a newer
    row (the grading processes poll on their heartbeat)."""

    __tablename__ = "bank_reloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                           nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Worker(Base):
    """A process running grading consumers; its heartbeat tells whether its jobs still live."""

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(200))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Override(Base):
    """An interviewer's score for one criterion, with the required reason. Kept forever; the
    newest per criterion counts, and the automatic grade stays beside it."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(300))
    points: Mapped[float] = mapped_column(Float)
    max_points: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answer: Mapped[Answer] = relationship(back_populates="overrides")
    user: Mapped[User] = relationship()


class Note(Base):
    """An interviewer's note on an interview."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class ShareLink(Base):
    """A read-only link to one interview's scorecard that anyone holding it may open without
    signing in, until ``expires_at`` or until a team member revokes it. Only the SHA-256 of
    the link's token is stored (``hireloop.hiring.sharing``)."""

    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"),
                                              index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   nullable=True)

    creator: Mapped[User | None] = relationship(foreign_keys=[created_by])


class LiveRoom(Base):
    """A live stage of one interview, scheduled: the window when its room is open, the
    interviewers who join it (besides the candidate and admins), the team's meeting link, and
    how it ended. The room's documents are the rows of ``live_updates``."""

    __tablename__ = "live_rooms"
    __table_args__ = (UniqueConstraint("interview_id", "stage_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"))
    stage_index: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer)
    interviewers: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """user ids of the stage's interviewers (each also assigned to the interview)"""
    meeting_link: Mapped[str | None] = mapped_column(String(500), nullable=True)
    """the video call of the team's own tool (https), shown to everyone in the room"""
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                 nullable=True)
    """the interviewer who ended it early (none: the window closed)"""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    interview: Mapped[Interview] = relationship()


class LiveUpdate(Base):
    """One Yjs update of a room's document, stored before any other client receives it.
    ``doc`` is ``shared`` (what everyone in the room edits) or ``panel`` (the interviewers'
    private notes and coverage)."""

    __tablename__ = "live_updates"
    __table_args__ = (Index("ix_live_updates_room", "room_id", "doc", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"))
    doc: Mapped[str] = mapped_column(String(20))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveMark(Base):
    """An interviewer's score for one rubric criterion during a live stage, with the evidence
    they saw. When the answer's grade arrives it becomes an ``Override`` (``recorded``)."""

    __tablename__ = "live_marks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"))
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(300))
    points: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded: Mapped[bool] = mapped_column(Boolean, default=False)


class RateHit(Base):
    """One attempt at a rate-limited action (login, invitation), for limits that hold across
    processes and restarts."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SimilarityPrint(Base):
    """An answer's fingerprint for the similarity check (``hireloop.integrity``), kept so a new
    answer is compared through the index instead of with every answer again."""

    __tablename__ = "similarity_prints"
    __table_args__ = (Index("ix_similarity_prints_exercise", "exercise_id", "scope"),)

    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           primary_key=True)
    exercise_id: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(20))
    """``interview`` or ``practice``: the two are never compared with each other"""
    medium: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    """what was compared (the code, the answer, the transcript): regions point into it"""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SimilarityHash(Base):
    """One fingerprint hash of an answer: the inverted index that finds the answers sharing
    fingerprints with a new one."""

    __tablename__ = "similarity_hashes"
    __table_args__ = (Index("ix_similarity_hashes_lookup", "exercise_id", "scope", "hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           index=True)
    exercise_id: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(20))
    hash: Mapped[int] = mapped_column(BigInteger)


class SimilarityMatch(Base):
    """Two answers found alike, seen from ``answer_id`` (each pair is stored both ways)."""

    __tablename__ = "similarity_matches"
    __table_args__ = (UniqueConstraint("answer_id", "other_answer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           index=True)
    other_answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                                 index=True)
    similarity: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(20))
    regions: Mapped[list[Any]] = mapped_column(JSON)
    """``[{"a": {start, end, lines}, "b": {...}}]``: a in this answer, b in the other"""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignalBatch(Base):
    """A batch of integrity signals the candidate's page recorded for one answer (pastes,
    time away from the page, the typing timeline; ``hireloop.integrity.signals``). Shown to
    reviewers; never read by grading."""

    __tablename__ = "signal_batches"
    __table_args__ = (UniqueConstraint("answer_id", "page", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"),
                                           index=True)
    page: Mapped[str] = mapped_column(String(32))
    """the page load that recorded it (a random id): a resent batch is stored once"""
    seq: Mapped[int] = mapped_column(Integer)
    t0: Mapped[int] = mapped_column(BigInteger)
    """the browser's clock (ms since 1970) that the events' times count from"""
    events: Mapped[list[Any]] = mapped_column(JSON)
    size: Mapped[int] = mapped_column(Integer)
    """the batch's bytes as stored (counted against the answer's cap)"""
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SelfIdentification(Base):
    """A candidate's voluntary self-identification (sex, race/ethnicity, the EEO-1
    categories), kept apart from the interview: no relationship from ``Interview`` reaches it,
    and only ``hireloop.fairness`` reads it, to count it in aggregate audits."""

    __tablename__ = "self_identifications"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    sex: Mapped[str | None] = mapped_column(String(40), nullable=True)
    """an EEO-1 sex category, "Prefer not to say", or none (not answered)"""
    race_ethnicity: Mapped[str | None] = mapped_column(String(60), nullable=True)
    """an EEO-1 race/ethnicity category, "Prefer not to say", or none (not answered)"""
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BulkAction(Base):
    """A decision a person confirmed for several interviews at once (from the shortlist): who,
    when, what, and for which interviews. Each interview's own decision row names them too."""

    __tablename__ = "bulk_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("loops.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    interview_ids: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class DeletionRequest(Base):
    """A candidate asked for their data to be deleted (from their own page); an admin deletes
    the candidate on the Candidates page, which removes this row with the interview."""

    __tablename__ = "deletion_requests"

    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxItem(Base):
    """A mail or webhook call to deliver (``hireloop.notify.outbox``): added in the same
    transaction as the change that caused it, retried with backoff until delivered, and kept
    as its delivery record. ``status``: pending → sending → delivered | pending (retry) |
    failed (gave up) | cancelled."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),
                      Index("ix_outbox_target", "channel", "target"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    """``mail`` or ``webhook``"""
    target: Mapped[str] = mapped_column(String(320))
    """an e-mail address, or the webhook's id as text"""
    event: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    """everything the sender needs, as it was when the item was added"""
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=True, index=True)
    """the interview it is about: deleting the candidate deletes their mails and calls"""
    dedupe_key: Mapped[str | None] = mapped_column(String(200), nullable=True, unique=True)
    """e.g. ``reminder:42:24h``: a second item with the same key is never added"""


class OutboxAttempt(Base):
    """One try at delivering an outbox item: when, how long, the HTTP status (webhooks) and
    the error, for the delivery log."""

    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"),
                                         index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    """none: delivered"""
    worker_id: Mapped[str] = mapped_column(String(100))


class Webhook(Base):
    """An endpoint that receives interview events as signed JSON POSTs
    (``hireloop.notify.webhooks``). With a team, only events of that team's loops."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[Any]] = mapped_column(JSON)
    """the event names it is subscribed to"""
    secret: Mapped[str] = mapped_column(String(100))
    """the HMAC-SHA256 signing key (kept as is: signing needs it)"""
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"),
                                                nullable=True)
    """none: every loop's events (admins only); else only that team's loops"""
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team | None] = relationship()


class RatingSet(Base):
    """One reviewer's structured feedback on one interview (``hireloop.hiring.ratings``): a
    rating per competency the loop assesses, each with its justification. One set per person
    and interview, editable until the decision; every revision's ratings are kept."""

    __tablename__ = "rating_sets"
    __table_args__ = (UniqueConstraint("interview_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"),
                                              index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    revision: Mapped[int] = mapped_column(Integer, default=1)
    """the revision in force (1 when first submitted, +1 for each edit)"""
    independent: Mapped[bool] = mapped_column(Boolean, default=True)
    """the revision in force was given before its author could see anyone else's ratings"""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    ratings: Mapped[list[InterviewerRating]] = relationship(
        back_populates="rating_set", order_by="InterviewerRating.id",
        cascade="all, delete-orphan")


class InterviewerRating(Base):
    """One competency's rating in one revision of a ``RatingSet``: the value on the scale
    (``hireloop.hiring.ratings.SCALE``) and the written justification. Never updated: an edit
    adds the next revision's rows."""

    __tablename__ = "interviewer_ratings"
    __table_args__ = (UniqueConstraint("set_id", "revision", "competency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("rating_sets.id", ondelete="CASCADE"),
                                        index=True)
    revision: Mapped[int] = mapped_column(Integer)
    competency: Mapped[str] = mapped_column(String(60))
    value: Mapped[int] = mapped_column(Integer)
    justification: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    rating_set: Mapped[RatingSet] = relationship(back_populates="ratings")


class MailTemplate(Base):
    """An admin's wording of one kind of mail (``invitation`` or ``reminder``): subject and
    plain-text body with ``{placeholders}`` (``hireloop.notify.mail``). No row: the shipped
    default is used."""

    __tablename__ = "mail_templates"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                   nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "Answer",
    "ApiToken",
    "Assignment",
    "BankReload",
    "Base",
    "BulkAction",
    "Candidate",
    "DeletionRequest",
    "GradingJob",
    "Interview",
    "InterviewerRating",
    "LiveMark",
    "LiveRoom",
    "LiveUpdate",
    "LoopRecord",
    "MailTemplate",
    "Note",
    "OutboxAttempt",
    "OutboxItem",
    "Override",
    "PasswordReset",
    "RateHit",
    "RatingSet",
    "SelfIdentification",
    "SetupToken",
    "ShareLink",
    "SignalBatch",
    "SimilarityHash",
    "SimilarityMatch",
    "SimilarityPrint",
    "StageRun",
    "Team",
    "TrialRun",
    "Upload",
    "User",
    "WebSession",
    "Webhook",
    "Worker",
    "utcnow",
]
