"""The hiring team's dashboard (search, filters, sort and pages of interviews, each with its
live progress) and the side-by-side comparison of 2-4 candidates of a loop."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hireloop.hiring import listing, service
from hireloop.hiring.authz import role_may
from hireloop.live import progress
from hireloop.reports import comparison
from hireloop.reports.scorecard import build_scorecard
from hireloop.web.deps import PlatformDep, SessionDep, TeamReader
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)


@router.get("/team")
def dashboard(request: Request, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    """The interviews ``me`` may see, as the URL's search, filters, sort and page ask (the
    URL is the whole state: shareable, and the back button works)."""
    filters, errors = listing.parse(dict(request.query_params))
    found = listing.interviews(s, me, filters)
    rows = []
    for interview in found.interviews:
        card = build_scorecard(interview, platform.bank, me)
        now = progress.progress(s, interview)
        rows.append({"interview": interview, "status": card["status"],
                     "who": service.candidate_identity(me, interview),
                     "overall": card["overall"], "complete": card["complete"],
                     "submitted": service.submitted_at(interview),
                     "now": progress.describe(now)})
    loops = service.visible_loops(s, me, archived=False)
    return page(request, "team/dashboard.html", status_code=422 if errors else 200,
                rows=rows, loops=loops, listing=found, f=found.filters, errors=errors,
                loop_choices=listing.loops_of(s, me),
                statuses=listing.STATUSES, decisions=listing.DECISIONS, sorts=listing.SORTS,
                page_sizes=listing.PAGE_SIZES,
                can_invite=role_may(me, "interview.invite"))


@router.get("/team/compare")
def compare(request: Request, me: TeamReader, s: SessionDep,
            platform: PlatformDep) -> HTMLResponse:
    """2-4 candidates of one loop side by side (``?id=1&id=2``): the competency chart
    overlaid, scores per stage, integrity and similarity flags, decisions."""
    back = "/team"
    referer = request.headers.get("referer", "")
    if "/team?" in referer:
        back = "/team?" + referer.split("/team?", 1)[1]
    try:
        ids = comparison.chosen_ids(request.query_params.getlist("id"))
        chosen = comparison.interviews_to_compare(s, me, ids)
    except service.Invalid as exc:
        return page(request, "team/compare.html", status_code=exc.status, error=exc.message,
                    back=back)
    return page(request, "team/compare.html", back=back,
                **comparison.comparison(s, me, platform.bank, chosen))
