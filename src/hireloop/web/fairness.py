"""Fairness pages: the candidate's voluntary self-identification form, the loop's audit
(tables, a chart of rates, a CSV export and a printable summary; admins only), and the first
screen's shortlist with its confirmed bulk decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from hireloop.fairness import rights, selfid
from hireloop.fairness.audit import to_csv
from hireloop.hiring import screening, service
from hireloop.hiring.service import Invalid
from hireloop.web.deps import (
    Admin,
    Auditor,
    Csrf,
    Id,
    PlatformDep,
    PrincipalDep,
    SessionDep,
    TeamReader,
)
from hireloop.web.render import page
from hireloop.web.take import _candidate, candidate_feedback

router = APIRouter(include_in_schema=False)


# --- the candidate's form -----------------------------------------------------------------

@router.get("/take/self-identification")
def self_id_form(request: Request, me: PrincipalDep, s: SessionDep) -> HTMLResponse:
    interview = _candidate(me, s)
    return page(request, "take/self_id.html", interview=interview, sexes=selfid.SEX,
                races=selfid.RACE_ETHNICITY, answers=selfid.own_answers(s, interview),
                saved=request.query_params.get("saved"))


@router.post("/take/self-identification", dependencies=[Csrf])
def self_id_save(request: Request, me: PrincipalDep, s: SessionDep,
                 sex: Annotated[str, Form(max_length=60)] = "",
                 race_ethnicity: Annotated[str, Form(max_length=60)] = "") -> Response:
    interview = _candidate(me, s)
    try:
        selfid.record(s, interview, sex=sex, race_ethnicity=race_ethnicity)
    except selfid.SelfIdError as exc:
        return page(request, "take/self_id.html", status_code=422, interview=interview,
                    sexes=selfid.SEX, races=selfid.RACE_ETHNICITY,
                    answers={"sex": None, "race_ethnicity": None}, error=str(exc))
    s.commit()
    return RedirectResponse("/take/self-identification?saved=1", 303)


# --- the audit ------------------------------------------------------------------------------

def _day(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise Invalid(f"{name} must be a date like 2026-01-31, not {value!r}") from None


def _audit(s: Any, me: Any, loop_id: int, since: str | None, until: str | None,
           mode: str | None) -> tuple[Any, dict[str, Any], dict[str, str]]:
    record = service.loop_for(s, me, loop_id)
    start, end = _day(since, "since"), _day(until, "until")
    mode = mode or "selection"
    if mode not in ("selection", "scoring"):
        raise Invalid(f"mode must be 'selection' or 'scoring', not {mode!r}")
    result = selfid.loop_audit(s, record.id, since=start,
                               until=end + timedelta(days=1) if end else None,
                               mode="scoring" if mode == "scoring" else "selection")
    return record, result, {"since": since or "", "until": until or "", "mode": mode}


@router.get("/team/loops/{loop_id}/audit")
def audit_page(request: Request, loop_id: Id, me: Auditor, s: SessionDep,
               since: str | None = None, until: str | None = None,
               mode: str | None = None) -> HTMLResponse:
    record, result, period = _audit(s, me, loop_id, since, until, mode)
    return page(request, "team/audit.html", loop=record, audit=result, period=period,
                alerts=selfid.alerts(result), min_decided=selfid.ALERT_MIN_DECIDED)


@router.get("/team/loops/{loop_id}/audit.csv")
def audit_csv(loop_id: Id, me: Auditor, s: SessionDep, since: str | None = None,
              until: str | None = None, mode: str | None = None) -> Response:
    _, result, period = _audit(s, me, loop_id, since, until, mode)
    body = to_csv(result) if result["n"] else "group,category,n\n"
    name = f"audit-loop-{loop_id}" + ("-scoring" if period["mode"] == "scoring" else "")
    return PlainTextResponse(body, media_type="text/csv", headers={
        "content-disposition": f'attachment; filename="{name}.csv"'})


@router.get("/team/loops/{loop_id}/audit/summary")
def audit_summary(request: Request, loop_id: Id, me: Auditor, s: SessionDep,
                  since: str | None = None, until: str | None = None,
                  mode: str | None = None) -> HTMLResponse:
    record, result, period = _audit(s, me, loop_id, since, until, mode)
    return page(request, "team/audit_summary.html", loop=record, audit=result, period=period,
                made_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))


# --- the first screen: the shortlist ----------------------------------------------------------

@router.get("/team/loops/{loop_id}/shortlist")
def shortlist_page(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
                   platform: PlatformDep) -> HTMLResponse:
    record = service.loop_for(s, me, loop_id)
    return page(request, "team/shortlist.html", loop=record,
                screening=screening.is_screening(record.definition),
                done=request.query_params.get("done"),
                **screening.shortlist(s, me, record, platform.bank))


@router.post("/team/loops/{loop_id}/shortlist/bulk", dependencies=[Csrf])
def shortlist_bulk(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
                   platform: PlatformDep,
                   decision: Annotated[str, Form(max_length=20)],
                   interview: Annotated[list[int] | None, Form()] = None,
                   reason: Annotated[str, Form(max_length=5000)] = "",
                   confirm: Annotated[str, Form(max_length=10)] = "") -> Response:
    """Several decisions at once: the first post shows what would be decided and asks the
    person to confirm; only the confirmed post decides (and is logged with who did it)."""
    record = service.loop_for(s, me, loop_id)
    chosen = list(dict.fromkeys(interview or []))
    listed = {e["interview_id"]: e for e in
              screening.shortlist(s, me, record, platform.bank)["ranked"]}
    if confirm != "yes":
        if decision not in screening.BULK_DECISIONS:
            raise Invalid(f"the decision must be one of {', '.join(screening.BULK_DECISIONS)}")
        return page(request, "team/shortlist_confirm.html", loop=record, decision=decision,
                    reason=reason, chosen=[listed[i] for i in chosen if i in listed],
                    unknown=[i for i in chosen if i not in listed])
    screening.bulk_decide(s, me, record, chosen, decision, reason)
    s.commit()
    return RedirectResponse(f"/team/loops/{loop_id}/shortlist?done={len(chosen)}", 303)


# --- the candidate's rights -------------------------------------------------------------------

@router.get("/take/my-data")
def my_data(me: PrincipalDep, s: SessionDep) -> Response:
    """Everything held about the candidate, as a JSON download."""
    import json

    interview = _candidate(me, s)
    body = json.dumps(rights.export(s, interview, candidate_feedback), indent=2,
                      ensure_ascii=False)
    return Response(body, media_type="application/json", headers={
        "content-disposition": f'attachment; filename="my-data-{interview.id}.json"'})


@router.post("/take/deletion-request", dependencies=[Csrf])
def deletion_request(me: PrincipalDep, s: SessionDep) -> Response:
    rights.request_deletion(s, _candidate(me, s))
    s.commit()
    return RedirectResponse("/take?deletion=1", 303)


# --- assessment quality ---------------------------------------------------------------------

@router.get("/team/quality")
def quality_page(request: Request, me: Admin, s: SessionDep) -> HTMLResponse:
    from hireloop.fairness.quality import HIGH_DIFFERENCE, LOW_KAPPA, MIN_ANSWERS, exercise_quality

    return page(request, "team/quality.html", rows=exercise_quality(s), low_kappa=LOW_KAPPA,
                high_difference=HIGH_DIFFERENCE, min_answers=MIN_ANSWERS)
