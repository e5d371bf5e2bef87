"""Which interviews changed since a moment: what an ATS polls (``GET
/api/v1/interviews/changed``) between webhook deliveries, or instead of them.

An interview's ``changed_at`` is the newest of: its invitation, a stage started or handed in,
a grading job finished, an override, a note, its decision, and its withdrawal. It is computed
from those rows (no column to keep up to date), for the interviews the reader may see.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, type_coerce, union_all
from sqlalchemy.orm import Session

from hireloop.db.models import (
    Answer,
    GradingJob,
    Interview,
    Note,
    Override,
    StageRun,
    UTCDateTime,
)
from hireloop.hiring import service
from hireloop.hiring.authz import Principal, allowed

MAX_LIMIT = 1000


def _moments() -> Any:
    def at(column: Any) -> Any:
        return type_coerce(column, UTCDateTime()).label("at")

    return union_all(
        select(Interview.id.label("iid"), at(Interview.created_at)),
        select(Interview.id, at(Interview.decided_at)),
        select(Interview.id, at(Interview.revoked_at)),
        select(StageRun.interview_id, at(StageRun.started_at)),
        select(StageRun.interview_id, at(StageRun.submitted_at)),
        select(Answer.interview_id, at(GradingJob.finished_at)).join(
            GradingJob, GradingJob.answer_id == Answer.id),
        select(Answer.interview_id, at(Override.created_at)).join(
            Override, Override.answer_id == Answer.id),
        select(Note.interview_id, at(Note.created_at)),
    ).subquery()


def changed_interviews(s: Session, me: Principal, since: datetime | None, *,
                       limit: int = 100) -> list[tuple[Interview, datetime]]:
    """The interviews ``me`` may see that changed at or after ``since`` (all: None), oldest
    change first, each with its ``changed_at``; at most ``limit``."""
    moments = _moments()
    changed_at = func.max(moments.c.at).label("changed_at")
    last = (select(moments.c.iid, changed_at).where(moments.c.iid.is_not(None),
                                                   moments.c.at.is_not(None))
            .group_by(moments.c.iid).subquery())
    query = (select(Interview, type_coerce(last.c.changed_at, UTCDateTime()))
             .join(last, last.c.iid == Interview.id)
             .where(service._interview_filter(me)))
    if since is not None:
        query = query.where(last.c.changed_at >= type_coerce(since, UTCDateTime()))
    rows = s.execute(query.order_by(last.c.changed_at, Interview.id)
                     .limit(max(1, min(limit, MAX_LIMIT)))).all()
    return [(i, at) for i, at in rows
            if allowed(me, "interview.read", service.interview_scope(i))]
