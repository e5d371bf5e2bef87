"""Structured interviewer feedback (``hireloop.hiring.ratings``): the rating form of an
interview and its JSON API. The scorecard, its exports and the API scorecard show the ratings
through ``build_scorecard``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from hireloop.db.models import Interview
from hireloop.hiring import ratings, service
from hireloop.hiring.authz import Principal, allowed
from hireloop.hiring.service import ServiceError
from hireloop.web.api import SIGNED_IN, errors
from hireloop.web.deps import Csrf, Id, PlatformDep, SessionDep, TeamReader
from hireloop.web.render import page

pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", dependencies=[Csrf], responses=errors(401, 403),
                tags=["interviews"])
router = APIRouter()
"""both, for ``app.include_router``"""


def _state(s: SessionDep, interview: Interview, platform: Any,
           me: Principal) -> dict[str, Any]:
    """What the form and ``GET .../ratings`` show: the scale, the competencies, the viewer's
    own set (with its history) and the others' ratings the viewer may see."""
    sets = ratings.sets_of(s, interview)
    mine = ratings.own_set(sets, me)
    shown = ratings.for_viewer(interview, platform.bank, me)
    own = None
    if mine is not None:
        own = {"revision": mine.revision, "independent": mine.independent,
               "submitted_at": mine.created_at.isoformat(),
               "updated_at": mine.updated_at.isoformat(),
               "ratings": ratings.history(mine)[0]["ratings"],
               "history": ratings.history(mine)}
    return {"scale": shown["scale"],
            "competencies": [{"competency": c, "description": ratings.describe(c)}
                             for c in ratings.loop_competencies(interview, platform.bank)],
            "mine": own, "final": shown["final"],
            "others": [x for x in shown["sets"] if x["rater"]["user_id"] != me.user_id],
            "hidden": shown["hidden"], "means": shown["means"],
            "may_rate": allowed(me, "interview.act", service.interview_scope(interview))
            and me.user_id is not None}


def _form_page(request: Request, s: SessionDep, interview: Interview, platform: Any,
               me: Principal, status_code: int = 200, **extra: Any) -> HTMLResponse:
    return page(request, "team/ratings.html", status_code=status_code, interview=interview,
                who=service.candidate_identity(me, interview),
                state=_state(s, interview, platform, me), **extra)


@pages.get("/team/interviews/{interview_id}/ratings")
def ratings_page(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
                 platform: PlatformDep) -> HTMLResponse:
    interview = service.interview_for(s, me, interview_id)
    return _form_page(request, s, interview, platform, me)


@pages.post("/team/interviews/{interview_id}/ratings", dependencies=[Csrf])
async def rate(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
               platform: PlatformDep) -> Response:
    """Save the form: ``value:<competency>`` and ``justification:<competency>`` fields."""
    interview = service.interview_for(s, me, interview_id, "interview.act")
    form = await request.form()
    items: dict[str, dict[str, Any]] = {}
    for key, value in form.multi_items():
        field, _, competency = key.partition(":")
        if field in ("value", "justification") and competency and isinstance(value, str):
            items.setdefault(competency, {"competency": competency})[field] = value
    try:
        ratings.save(s, interview, platform.bank, me, list(items.values())[:100])
    except ServiceError as exc:
        s.rollback()
        entered = {c: {"value": i.get("value", ""), "justification": i.get("justification", "")}
                   for c, i in items.items()}
        return _form_page(request, s, interview, platform, me, status_code=exc.status,
                          error=exc.message, entered=entered)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}/scorecard?rated=1#ratings", 303)


class RatingIn(BaseModel):
    competency: Annotated[str, Field(max_length=60)]
    """a competency the loop assesses (``GET .../ratings`` lists them)"""
    value: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
    """a point of the scale (``GET .../ratings`` lists it)"""
    justification: Annotated[str, Field(max_length=20_000)]
    """what you saw that earns the rating (required)"""


class RatingsIn(BaseModel):
    ratings: Annotated[list[RatingIn], Field(max_length=100)]
    """one rating per competency the loop assesses"""


@api.get("/interviews/{interview_id}/ratings", responses=errors(*SIGNED_IN, 404))
def get_ratings(interview_id: Id, me: TeamReader, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    """The scale, the competencies to rate, your own ratings (with their history) and the
    others' ratings you may see: an interviewer assigned to the interview sees them once they
    have submitted their own (or once the decision is recorded)."""
    interview = service.interview_for(s, me, interview_id)
    return _state(s, interview, platform, me)


@api.put("/interviews/{interview_id}/ratings", responses=errors(*SIGNED_IN, 404, 409))
def put_ratings(interview_id: Id, body: RatingsIn, me: TeamReader, s: SessionDep,
                platform: PlatformDep) -> dict[str, Any]:
    """Submit or revise your ratings: every competency the loop assesses, each a point of the
    scale with a justification. Refused (409) once the decision is recorded."""
    interview = service.interview_for(s, me, interview_id, "interview.act")
    ratings.save(s, interview, platform.bank, me, [r.model_dump() for r in body.ratings])
    s.commit()
    return _state(s, interview, platform, me)


router.include_router(pages)
router.include_router(api)
