"""The candidate's completion page: what happens after the last stage is handed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hireloop.db.models import Interview
from hireloop.hiring import service
from hireloop.web.deps import PrincipalDep, SessionDep
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)


def finished(interview: Interview) -> bool:
    """Whether the candidate has handed in every stage they answer alone (live stages are
    held with the interviewers and end with their room)."""
    states = [service.stage_state(interview, run) for run in interview.stages]
    return bool(states) and all(state in ("submitted", "live") for state in states) \
        and any(state == "submitted" for state in states)


@router.get("/take/done")
def completion_page(request: Request, me: PrincipalDep, s: SessionDep) -> Response:
    """After the last stage: what happens next, that a person decides, feedback as the loop
    allows, and the candidate's rights (a human review, their data). Before that, the
    interview's own page."""
    from hireloop.live.rooms import candidate_rooms
    from hireloop.web.take import _candidate

    interview = _candidate(me, s)
    if interview.consented_at is None or not finished(interview):
        return RedirectResponse("/take", 303)
    rooms = candidate_rooms(s, interview)
    live = [{"name": interview.plan[r.index]["name"], "room": rooms.get(r.index)}
            for r in interview.stages if service.stage_state(interview, r) == "live"]
    submitted = [{"index": r.index, "name": interview.plan[r.index]["name"]}
                 for r in interview.stages if r.submitted_at is not None]
    return page(request, "take/done.html", interview=interview, live=live,
                submitted=submitted,
                feedback_policy=interview.loop_snapshot.get("feedback", "after_submission"))
