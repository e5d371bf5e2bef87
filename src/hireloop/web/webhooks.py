"""Webhook pages: register an endpoint and its events, see its signing secret once (admins may
reveal it again), disable and enable it, send a test event, and read its delivery log (each
try's time, HTTP status, error and duration) with "Retry now".

Admins manage every webhook (one with no team receives every loop's events); hiring managers
manage their own team's, which receive only the events of their team's loops.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.db.models import OutboxAttempt, OutboxItem, Team, Webhook
from hireloop.hiring import service
from hireloop.hiring.authz import Principal, Scope, allowed
from hireloop.notify import outbox, webhooks
from hireloop.notify.events import EVENTS
from hireloop.web.deps import Csrf, Id, Need, PlatformDep, SessionDep
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)

Manager = Annotated[Principal, Depends(Need("webhooks.manage"))]
LOG_ROWS = 100
"""deliveries shown on a webhook's page (newest first)"""


def visible_webhooks(s: Session, me: Principal) -> list[Webhook]:
    """The webhooks ``me`` manages: all (admins) or their team's."""
    query = select(Webhook).order_by(Webhook.id)
    if me.role != "admin":
        if me.team_id is None:
            return []
        query = query.where(Webhook.team_id == me.team_id)
    return list(s.scalars(query))


def webhook_for(s: Session, me: Principal, webhook_id: int) -> Webhook:
    """A webhook ``me`` manages; any other is "not found" (revealing nothing)."""
    hook = s.get(Webhook, webhook_id)
    if hook is None or not allowed(me, "webhooks.manage", Scope(team_id=hook.team_id)):
        raise service.NotFound(f"no webhook {webhook_id}")
    return hook


def delivery_log(s: Session, hook: Webhook, limit: int = LOG_ROWS) -> list[dict[str, Any]]:
    """The webhook's newest deliveries, each with its tries."""
    items = list(s.scalars(select(OutboxItem).where(
        OutboxItem.channel == "webhook", OutboxItem.target == str(hook.id))
        .order_by(OutboxItem.id.desc()).limit(limit)))
    tries: dict[int, list[OutboxAttempt]] = {}
    if items:
        for attempt in s.scalars(select(OutboxAttempt).where(
                OutboxAttempt.item_id.in_([i.id for i in items])).order_by(OutboxAttempt.id)):
            tries.setdefault(attempt.item_id, []).append(attempt)
    return [{"item": i, "attempts": tries.get(i.id, [])} for i in items]


def _teams(s: Session, me: Principal) -> list[Team]:
    if me.role == "admin":
        return list(s.scalars(select(Team).order_by(Team.name)))
    return [t for t in [s.get(Team, me.team_id)] if t is not None] if me.team_id else []


def _latest(s: Session, hooks: list[Webhook]) -> dict[int, OutboxItem]:
    """Each webhook's newest delivery."""
    latest: dict[int, OutboxItem] = {}
    for hook in hooks:
        item = s.scalar(select(OutboxItem).where(
            OutboxItem.channel == "webhook", OutboxItem.target == str(hook.id))
            .order_by(OutboxItem.id.desc()).limit(1))
        if item is not None:
            latest[hook.id] = item
    return latest


def _list(request: Request, s: Session, me: Principal, status_code: int = 200,
          **context: Any) -> HTMLResponse:
    hooks = visible_webhooks(s, me)
    return page(request, "team/webhooks.html", status_code=status_code, hooks=hooks,
                latest=_latest(s, hooks), events=EVENTS, teams=_teams(s, me), **context)


@router.get("/team/webhooks")
def webhooks_page(request: Request, me: Manager, s: SessionDep) -> HTMLResponse:
    return _list(request, s, me, form={"events": list(EVENTS)})


@router.post("/team/webhooks", dependencies=[Csrf])
def create_webhook(request: Request, me: Manager, s: SessionDep, platform: PlatformDep,
                   url: Annotated[str, Form(max_length=2000)],
                   event: Annotated[list[str] | None, Form()] = None,
                   description: Annotated[str, Form(max_length=200)] = "",
                   team_id: Annotated[str, Form(max_length=20)] = "") -> Response:
    """A new webhook; its secret is shown on the page that follows, once."""
    form = {"url": url, "events": event or [], "description": description, "team_id": team_id}
    if me.role == "admin":
        team = int(team_id) if team_id.isdigit() else None
        if team is not None and s.get(Team, team) is None:
            return _list(request, s, me, 422, form=form, error=f"no team {team}")
    else:
        team = me.team_id
        if team is None:
            return _list(request, s, me, 422, form=form,
                         error="you belong to no team: ask an admin to add the webhook")
    try:
        hook = webhooks.create_webhook(s, platform.settings, url=url, events=event or [],
                                       description=description, team_id=team,
                                       created_by=me.user_id)
    except webhooks.WebhookError as exc:
        return _list(request, s, me, 422, form=form, error=str(exc))
    s.commit()
    return _detail(request, s, hook, secret=hook.secret, created=True)


def _detail(request: Request, s: Session, hook: Webhook, status_code: int = 200,
            **context: Any) -> HTMLResponse:
    return page(request, "team/webhook.html", status_code=status_code, hook=hook,
                log=delivery_log(s, hook), events=EVENTS,
                team=s.get(Team, hook.team_id) if hook.team_id else None, **context)


@router.get("/team/webhooks/{webhook_id}")
def webhook_page(request: Request, webhook_id: Id, me: Manager, s: SessionDep) -> HTMLResponse:
    hook = webhook_for(s, me, webhook_id)
    return _detail(request, s, hook, done=request.query_params.get("done"))


@router.post("/team/webhooks/{webhook_id}/active", dependencies=[Csrf])
def set_active(webhook_id: Id, me: Manager, s: SessionDep,
               active: Annotated[str, Form(max_length=5)] = "") -> Response:
    """Disable (deliveries waiting are given up when their turn comes) or enable."""
    hook = webhook_for(s, me, webhook_id)
    hook.active = active == "1"
    s.commit()
    return RedirectResponse(f"/team/webhooks/{hook.id}?done="
                            f"{'enabled' if hook.active else 'disabled'}", 303)


@router.post("/team/webhooks/{webhook_id}/test", dependencies=[Csrf])
def send_test(webhook_id: Id, me: Manager, s: SessionDep) -> Response:
    hook = webhook_for(s, me, webhook_id)
    webhooks.send_test(s, hook)
    s.commit()
    return RedirectResponse(f"/team/webhooks/{hook.id}?done=test", 303)


@router.post("/team/webhooks/{webhook_id}/secret", dependencies=[Csrf])
def rotate_secret(request: Request, webhook_id: Id, me: Manager, s: SessionDep) -> Response:
    """A new signing secret, shown once; the old one stops signing at once."""
    hook = webhook_for(s, me, webhook_id)
    hook.secret = webhooks.new_secret()
    s.commit()
    return _detail(request, s, hook, secret=hook.secret, rotated=True)


@router.post("/team/webhooks/{webhook_id}/reveal", dependencies=[Csrf])
def reveal_secret(request: Request, webhook_id: Id,
                  me: Annotated[Principal, Depends(Need("webhooks.reveal"))],
                  s: SessionDep) -> Response:
    """The signing secret again (admins only)."""
    hook = webhook_for(s, me, webhook_id)
    return _detail(request, s, hook, secret=hook.secret)


@router.post("/team/webhooks/{webhook_id}/delete", dependencies=[Csrf])
def delete_webhook(webhook_id: Id, me: Manager, s: SessionDep) -> Response:
    """Delete the webhook and its delivery log (nothing more is sent to it)."""
    hook = webhook_for(s, me, webhook_id)
    for item in s.scalars(select(OutboxItem).where(OutboxItem.channel == "webhook",
                                                   OutboxItem.target == str(hook.id))):
        s.delete(item)
    s.delete(hook)
    s.commit()
    return RedirectResponse("/team/webhooks?deleted=1", 303)


@router.post("/team/webhooks/{webhook_id}/deliveries/{item_id}/retry", dependencies=[Csrf])
def retry_delivery(webhook_id: Id, item_id: Id, me: Manager, s: SessionDep) -> Response:
    """Send a waiting or failed delivery at the next poll (about two seconds)."""
    hook = webhook_for(s, me, webhook_id)
    item = s.get(OutboxItem, item_id)
    if item is None or item.channel != "webhook" or item.target != str(hook.id):
        raise service.NotFound(f"no delivery {item_id} of this webhook")
    try:
        outbox.retry_now(s, item.id)
    except outbox.OutboxError as exc:
        raise service.Conflict(str(exc)) from None
    s.commit()
    return RedirectResponse(f"/team/webhooks/{hook.id}?done=retry", 303)
