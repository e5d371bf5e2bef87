"""A candidate's rights over their data: a copy of everything held about them (JSON, from
their own page) and a request for deletion, which an admin carries out (Candidates page).

The copy holds what the candidate gave (identity, answers, recordings' details, the voluntary
self-identification), what happened when (invitation, consent, stages, requests, decision) and
their grades as far as the loop lets candidates see grades. The team's internal notes, override
reasons and grader notes are not in it (they can quote hidden tests and rubrics); the copy says
so and how to ask the hiring team for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hireloop.db.models import DeletionRequest, Interview, utcnow
from hireloop.fairness import selfid
from hireloop.hiring import service


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export(s: Session, interview: Interview,
           candidate_feedback: Callable[[Any], Any]) -> dict[str, Any]:
    """Everything held about the candidate of ``interview``, for them; ``candidate_feedback``
    is what a candidate may read of an answer's grade (the web app's one rule for that)."""
    request = s.get(DeletionRequest, interview.id)
    answers = []
    for answer in interview.answers:
        answers.append({
            "stage": interview.plan[answer.stage_index]["name"],
            "exercise_id": answer.exercise_id,
            "text": answer.text,
            "files": answer.files,
            "saved_at": _iso(answer.saved_at),
            "submitted_at": _iso(answer.submitted_at),
            "recordings": [{"name": u.name, "size": u.size, "type": u.mime,
                            "seconds": u.duration_s, "uploaded_at": _iso(u.created_at)}
                           for u in answer.uploads if u.complete],
            "grade": candidate_feedback(answer)
            if service.feedback_visible(interview, answer.stage_index) else
            "not shown to candidates by this loop's feedback policy; ask the hiring team",
        })
    return {
        "candidate": {"name": interview.candidate.name, "email": interview.candidate.email},
        "interview": {
            "loop": interview.loop_snapshot.get("title"),
            "invited_at": _iso(interview.created_at),
            "link_expires_at": _iso(interview.expires_at),
            "consented_at": _iso(interview.consented_at),
            "human_review_requested_at": _iso(interview.human_review_requested_at),
            "deletion_requested_at": _iso(request.requested_at) if request else None,
            "decision": interview.decision,
            "decided_at": _iso(interview.decided_at),
            "stages": [{"name": interview.plan[r.index]["name"],
                        "started_at": _iso(r.started_at), "submitted_at": _iso(r.submitted_at)}
                       for r in interview.stages],
        },
        "answers": answers,
        "self_identification": selfid.own_answers(s, interview)
        if selfid.answered(s, interview) else None,
        "not_included": ("The hiring team's internal notes, the reasons given for changing a "
                         "score, and grader notes written for interviewers. Ask the hiring "
                         "team for them."),
        "exported_at": utcnow().isoformat(),
    }


def request_deletion(s: Session, interview: Interview) -> DeletionRequest:
    """Record the candidate's request (once; asking again keeps the first time)."""
    row = s.get(DeletionRequest, interview.id)
    if row is None:
        row = DeletionRequest(interview_id=interview.id)
        s.add(row)
        s.flush()
    return row


def requested(s: Session, candidate_ids: list[int]) -> set[int]:
    """Candidates (of these) with a pending deletion request."""
    from sqlalchemy import select

    if not candidate_ids:
        return set()
    rows = s.execute(select(Interview.candidate_id).join(
        DeletionRequest, DeletionRequest.interview_id == Interview.id).where(
        Interview.candidate_id.in_(candidate_ids)))
    return {row[0] for row in rows}
