"""Webhooks: interview events POSTed as signed JSON to the endpoints teams register.

A delivery is an outbox item (channel ``webhook``, target: the webhook's id). Its body is
``{"id", "event", "occurred_at", "data"}``, fixed when the event happened; each try signs it
afresh: ``X-Hireloop-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``
with ``X-Hireloop-Timestamp`` (Unix seconds), ``X-Hireloop-Event`` and
``X-Hireloop-Delivery`` (the outbox item's id: a receiver dedupes on it). A 2xx answer
delivers it; a network error, a timeout, 408, 425, 429 or 5xx is retried with the outbox's
backoff; any other answer (redirects, which are not followed, and other 4xx) fails it at once.
Addresses are checked before every try (docs/integrations.md: server-side request forgery).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hireloop.config import Settings
from hireloop.db.models import Interview, OutboxItem, Webhook, utcnow
from hireloop.notify.events import EVENTS
from hireloop.notify.outbox import (
    DeliveryError,
    PermanentDeliveryError,
    enqueue,
    register_sender,
)

TEST_EVENT = "webhook.test"
"""the event of "Send a test event" (subscribed or not)"""
RETRIED_STATUSES = frozenset({408, 425, 429})
"""4xx answers that are retried (the rest of 4xx, and 3xx, fail at once)"""
USER_AGENT = "hireloop-webhooks/1"


class WebhookError(ValueError):
    """A webhook's URL or events are not acceptable; the message says why."""


class HostUnresolved(WebhookError):  # noqa: N818 - a WebhookError that may pass
    """The URL's host does not resolve (now): refused when saving, retried when sending."""


def new_secret() -> str:
    """A signing secret: ``whsec_`` and 43 URL-safe characters (256 bits)."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Hireloop-Signature`` of a body sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *,
           tolerance_s: int = 300, now: float | None = None) -> bool:
    """What a receiver does (docs/integrations.md): the signature matches, in constant time,
    and the timestamp is within ``tolerance_s`` of now (an old request replayed fails)."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError:
        return False
    return age <= tolerance_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


# --- addresses ---------------------------------------------------------------------------

def _allowed(settings: Settings, host: str, address: str | None) -> bool:
    """Whether the operator allowed ``host`` (or ``address``) for http and private addresses."""
    for entry in settings.webhook_allow_hosts:
        if entry.lower() == host.lower():
            return True
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        for candidate in (host, address):
            try:
                if candidate and ipaddress.ip_address(candidate) in network:
                    return True
            except ValueError:
                continue
    return False


def check_url(settings: Settings, url: str, *, resolve: bool = True) -> str:
    """``url`` if webhooks may be sent there, else ``WebhookError`` saying why: https (or
    http to an allowed host), no credentials in it, and (``resolve``) every address its host
    has is public unless the host is allowed in ``HIRELOOP_WEBHOOK_ALLOW_HOSTS``."""
    url = url.strip()
    if len(url) > 2000:
        raise WebhookError("the URL is longer than 2000 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookError(f"not a URL: {exc}") from None
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise WebhookError("the URL must start with https:// and name a host")
    if parts.username or parts.password:
        raise WebhookError("put no user name or password in the URL; receivers check the "
                             "signature instead")
    if parts.fragment:
        raise WebhookError("the URL must not have a #fragment")
    if parts.scheme == "http" and not _allowed(settings, host, None):
        raise WebhookError(f"plain http is only allowed to hosts in "
                             f"HIRELOOP_WEBHOOK_ALLOW_HOSTS; use https://{host}/...")
    if resolve:
        try:
            infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80),
                                       type=socket.SOCK_STREAM)
        except OSError as exc:
            raise HostUnresolved(f"the host {host!r} does not resolve ({exc})") from None
        for info in infos:
            address = str(info[4][0])
            if not ipaddress.ip_address(address).is_global and not _allowed(settings, host,
                                                                               address):
                raise WebhookError(
                    f"{host} resolves to {address}, a private, loopback or link-local "
                    "address; only hosts in HIRELOOP_WEBHOOK_ALLOW_HOSTS may be")
    return url


# --- registering ---------------------------------------------------------------------------

def check_events(events: list[str]) -> list[str]:
    """The chosen events, in their usual order; at least one, all known."""
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise WebhookError(f"unknown event {unknown[0]!r} (one of {', '.join(EVENTS)})")
    chosen = [e for e in EVENTS if e in events]
    if not chosen:
        raise WebhookError("choose at least one event")
    return chosen


def create_webhook(s: Session, settings: Settings, *, url: str, events: list[str],
                   description: str = "", team_id: int | None,
                   created_by: int | None) -> Webhook:
    """A new active webhook with a fresh secret (authorisation is the caller's)."""
    hook = Webhook(url=check_url(settings, url), events=check_events(events),
                   description=description.strip()[:200], secret=new_secret(),
                   team_id=team_id, active=True, created_by=created_by)
    s.add(hook)
    s.flush()
    return hook


def subscribers(s: Session, event: str, team_id: int | None) -> list[Webhook]:
    """The active webhooks that receive ``event`` of a loop of ``team_id``."""
    hooks = s.scalars(select(Webhook).where(
        Webhook.active.is_(True),
        or_(Webhook.team_id.is_(None), Webhook.team_id == team_id)
        if team_id is not None else Webhook.team_id.is_(None))
        .order_by(Webhook.id)).all()
    return [h for h in hooks if event in (h.events or [])]


def enqueue_event(s: Session, event: str, interview: Interview, body: dict[str, Any], *,
                  once: str | None = None) -> int:
    """One outbox item per subscribed webhook (called by ``events.emit``); with ``once``, at
    most one per webhook and key."""
    count = 0
    for hook in subscribers(s, event, interview.loop.team_id if interview.loop else None):
        key = f"webhook:{hook.id}:{once}" if once else None
        if enqueue(s, "webhook", str(hook.id), event, body, interview_id=interview.id,
                   dedupe_key=key) is not None:
            count += 1
    return count


def send_test(s: Session, hook: Webhook) -> OutboxItem:
    """Queue a ``webhook.test`` delivery to ``hook`` (even when it is disabled)."""
    body = {"id": secrets.token_hex(16), "event": TEST_EVENT,
            "occurred_at": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "data": {"webhook_id": hook.id, "message": "a test event from hireloop"}}
    item = enqueue(s, "webhook", str(hook.id), TEST_EVENT, body)
    assert item is not None
    return item


# --- sending -----------------------------------------------------------------------------

def _absolute(settings: Settings, body: dict[str, Any]) -> dict[str, Any]:
    base = (settings.base_url or "").rstrip("/")
    data = body.get("data")
    if not base or not isinstance(data, dict) or not isinstance(data.get("links"), dict):
        return body
    links = {k: base + v if isinstance(v, str) and v.startswith("/") else v
             for k, v in data["links"].items()}
    return {**body, "data": {**data, "links": links}}


def request_for(settings: Settings, hook: Webhook, item: OutboxItem,
                timestamp: str | None = None) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one try."""
    body = json.dumps(_absolute(settings, item.payload), separators=(",", ":"),
                      sort_keys=True).encode()
    timestamp = timestamp or str(int(time.time()))
    return body, {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                  "X-Hireloop-Event": item.event, "X-Hireloop-Delivery": str(item.id),
                  "X-Hireloop-Timestamp": timestamp,
                  "X-Hireloop-Signature": sign(hook.secret, timestamp, body)}


def _load_hook(settings: Settings, item: OutboxItem) -> Webhook:
    """The webhook as it is now (its URL, secret and state may have changed since the event):
    a sender gets only the settings, so it reads through its own engine, one per database."""
    from hireloop.db import open_database

    db = _databases.get(settings.db_url())
    if db is None:
        db = _databases[settings.db_url()] = open_database(settings.db_url(), upgrade=False)
    with db.session(write=False) as session:
        hook = session.get(Webhook, int(item.target))
        if hook is None:
            raise PermanentDeliveryError("the webhook was deleted")
        session.expunge(hook)
    return hook


_databases: dict[str, Any] = {}
_clients: dict[float, httpx.Client] = {}


def _client(timeout_s: float) -> httpx.Client:
    """One HTTP client per process (and timeout), so connections and the TLS context are
    reused; redirects are never followed and proxy settings from the environment ignored."""
    client = _clients.get(timeout_s)
    if client is None:
        client = _clients[timeout_s] = httpx.Client(
            timeout=timeout_s, follow_redirects=False, trust_env=False,
            headers={"Connection": "close"})
    return client


def send(settings: Settings, item: OutboxItem) -> int:
    """Deliver one item (the outbox's sender for ``webhook``)."""
    hook = _load_hook(settings, item)
    if not hook.active and item.event != TEST_EVENT:
        raise PermanentDeliveryError("the webhook is disabled")
    try:
        check_url(settings, hook.url)
    except HostUnresolved as exc:  # DNS may be back at the next try
        raise DeliveryError(str(exc)) from None
    except WebhookError as exc:
        raise PermanentDeliveryError(str(exc)) from None
    body, headers = request_for(settings, hook, item)
    try:
        response = _client(settings.webhook_timeout_s).post(hook.url, content=body,
                                                            headers=headers)
    except httpx.TimeoutException:
        raise DeliveryError(f"no answer within {settings.webhook_timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
    code = response.status_code
    if 200 <= code < 300:
        return code
    excerpt = response.text[:200].strip()
    message = f"HTTP {code}" + (f": {excerpt}" if excerpt else "")
    if 300 <= code < 400:
        raise PermanentDeliveryError(
            f"HTTP {code}: redirects are not followed; register the final URL "
            f"({response.headers.get('location', 'no Location')})", status_code=code)
    if code >= 500 or code in RETRIED_STATUSES:
        raise DeliveryError(message, status_code=code)
    raise PermanentDeliveryError(message, status_code=code)


register_sender("webhook", send)
