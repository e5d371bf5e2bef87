"""Reporting: the scorecard as a PDF, read-only share links to a scorecard, and a loop's
analytics page (docs/reports.md)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from hireloop.db.models import Interview
from hireloop.hiring import service, sharing
from hireloop.hiring.authz import Principal
from hireloop.reports.analytics import charts, loop_analytics, loop_interviews, minutes
from hireloop.reports.pdf import scorecard_pdf
from hireloop.reports.scorecard import build_scorecard, competency_chart
from hireloop.web.deps import Csrf, Id, PlatformDep, SessionDep, TeamReader
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)

PRIVATE = {"cache-control": "no-store", "x-robots-tag": "noindex, nofollow"}
"""a shared scorecard is nobody's to cache or index"""


def _filename(card: dict[str, Any]) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", str(card["candidate"]["name"])).strip("-").lower()
    return f"scorecard-{card['interview_id']}-{stem or 'candidate'}.pdf"


def _pdf(data: bytes, card: dict[str, Any], extra: dict[str, str] | None = None) -> Response:
    return Response(data, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="{_filename(card)}"', **(extra or {})})


# --- the PDF --------------------------------------------------------------------------------

@router.get("/team/interviews/{interview_id}/scorecard.pdf")
def scorecard_download(interview_id: Id, me: TeamReader, s: SessionDep,
                       platform: PlatformDep) -> Response:
    """The scorecard page as a PDF, built for the reader like the page (blind review too)."""
    from hireloop.integrity.signals import summaries

    interview = service.interview_for(s, me, interview_id)
    card = build_scorecard(interview, platform.bank, me)
    return _pdf(scorecard_pdf(card, competency_chart(card["competencies"]),
                              signals=summaries(s, [a.id for a in interview.answers])), card)


# --- share links ----------------------------------------------------------------------------

def share_url(request: Request, platform: Any, token: str) -> str:
    base = (platform.settings.base_url or str(request.base_url)).rstrip("/")
    return f"{base}{sharing.LINK_PATH}{token}"


@router.post("/team/interviews/{interview_id}/shares", dependencies=[Csrf])
def create_share(request: Request, interview_id: Id, me: TeamReader, s: SessionDep,
                 platform: PlatformDep,
                 days: Annotated[int, Form(ge=0, le=3650)] = 7) -> HTMLResponse:
    """A read-only link to the scorecard, shown once."""
    interview = service.interview_for(s, me, interview_id, "interview.act")
    link, token = sharing.create(s, me, interview, days)
    s.commit()
    who = service.candidate_identity(me, interview)
    return page(request, "team/share_created.html", interview=interview, link=link, who=who,
                url=share_url(request, platform, token), days=days)


@router.post("/team/interviews/{interview_id}/shares/{share_id}/revoke", dependencies=[Csrf])
def revoke_share(interview_id: Id, share_id: Id, me: TeamReader, s: SessionDep) -> Response:
    interview = service.interview_for(s, me, interview_id, "interview.act")
    sharing.revoke(s, me, interview, share_id)
    s.commit()
    return RedirectResponse(f"/team/interviews/{interview_id}/scorecard?revoked=1#shares", 303)


def _shared(request: Request, s: Any, token: str) -> tuple[Any, Interview] | HTMLResponse:
    try:
        return sharing.open_link(s, token)
    except service.ServiceError as exc:
        response = page(request, "shared/expired.html", status_code=exc.status,
                        status=exc.status, message=exc.message)
        response.headers.update(PRIVATE)
        return response


@router.get("/shared/{token}")
def shared_scorecard(request: Request, token: str, s: SessionDep,
                     platform: PlatformDep) -> HTMLResponse:
    """The scorecard, read-only, for whoever holds the link (no sign-in)."""
    opened = _shared(request, s, token)
    if isinstance(opened, HTMLResponse):
        return opened
    link, interview = opened
    card = build_scorecard(interview, platform.bank, sharing.READER)
    response = page(request, "shared/scorecard.html", card=card, link=link, token=token,
                    chart=competency_chart(card["competencies"]))
    response.headers.update(PRIVATE)
    return response


@router.get("/shared/{token}/scorecard.pdf", response_model=None)
def shared_scorecard_pdf(request: Request, token: str, s: SessionDep,
                         platform: PlatformDep) -> Response:
    """The shared view as a PDF (the same content as the shared page)."""
    opened = _shared(request, s, token)
    if isinstance(opened, HTMLResponse):
        return opened
    _, interview = opened
    card = build_scorecard(interview, platform.bank, sharing.READER)
    return _pdf(scorecard_pdf(card, competency_chart(card["competencies"]), full=False), card,
                PRIVATE)


def share_links(s: Any, me: Principal, interview: Interview) -> list[Any]:
    """The interview's active links, for the scorecard's list (empty for those who may not
    make them)."""
    from hireloop.hiring.authz import allowed

    if not allowed(me, "interview.act", service.interview_scope(interview)):
        return []
    return sharing.active(s, interview)


# --- analytics ------------------------------------------------------------------------------

@router.get("/team/loops/{loop_id}/analytics")
def analytics_page(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
                   platform: PlatformDep) -> HTMLResponse:
    record = service.loop_for(s, me, loop_id)
    visible = {i.id for i in service.visible_interviews(s, me, loop_id=record.id,
                                                         limit=100_000)}
    data = loop_analytics(loop_interviews(s, record.id, visible), platform.bank)
    return page(request, "team/analytics.html", loop=record, data=data, charts=charts(data),
                minutes=minutes)
