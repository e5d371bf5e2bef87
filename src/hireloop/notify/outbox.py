"""The transactional outbox: mails and webhook calls as rows, delivered with retries.

``enqueue`` adds an item in the caller's transaction, so an item exists exactly when the change
that caused it committed. ``deliver_due`` (run every couple of seconds by a thread of each
grading process) claims due items with a conditional UPDATE (pending → sending), so two
processes never send the same item; it sends outside any database transaction and records the
outcome: delivered, pending again after ``backoff`` (``DeliveryError``), or failed
(``PermanentDeliveryError``, or ``outbox_max_attempts`` tries). An item left ``sending`` by a
process that died is claimed again after ``RECLAIM_AFTER``. Each try is an ``OutboxAttempt``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireloop.config import Settings
from hireloop.db import Database
from hireloop.db.models import OutboxAttempt, OutboxItem, utcnow

log = logging.getLogger("hireloop.notify")

CHANNELS = ("mail", "webhook")
STATUSES = ("pending", "sending", "delivered", "failed", "cancelled")
RECLAIM_AFTER = timedelta(minutes=5)
"""an item ``sending`` this long was claimed by a process that died: it is claimed again"""
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=6)
POLL_S = 2.0
"""how often the delivery thread looks for due items"""


class DeliveryError(Exception):
    """A delivery failed for now: it is tried again after ``backoff``."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


class PermanentDeliveryError(DeliveryError):
    """A delivery that no retry would fix: the item fails at once."""


class OutboxError(ValueError):
    """An action on an item that its status does not allow (retrying a delivered item)."""


Sender = Callable[[Settings, OutboxItem], int | None]
"""delivers one item: returns (an HTTP status, or None) when delivered, raises
``DeliveryError`` or ``PermanentDeliveryError`` otherwise"""

_SENDERS: dict[str, Sender] = {}


def register_sender(channel: str, send: Sender) -> None:
    """Make ``send`` the sender of ``channel`` in this process."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    _SENDERS[channel] = send


def backoff(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed try: 30 s, 1 min, 2 min, 4 min, ...
    doubling, at most 6 hours."""
    if attempts < 1:
        return timedelta(0)
    delay: timedelta = FIRST_RETRY * (2 ** min(attempts - 1, 20))
    return min(delay, MAX_RETRY)


def enqueue(session: Session, channel: str, target: str, event: str, payload: dict[str, Any],
            *, interview_id: int | None = None, dedupe_key: str | None = None,
            not_before: datetime | None = None) -> OutboxItem | None:
    """Add an item to deliver once the caller's transaction commits (not before
    ``not_before``). None when an item with ``dedupe_key`` exists already."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r} (one of {', '.join(CHANNELS)})")
    if dedupe_key is not None and session.scalar(
            select(OutboxItem.id).where(OutboxItem.dedupe_key == dedupe_key)) is not None:
        return None
    item = OutboxItem(channel=channel, target=str(target), event=event, payload=payload,
                      status="pending", attempts=0, next_attempt_at=not_before or utcnow(),
                      interview_id=interview_id, dedupe_key=dedupe_key)
    if dedupe_key is None:
        session.add(item)
        session.flush()
        return item
    try:
        with session.begin_nested():  # another transaction may add the same key meanwhile
            session.add(item)
    except IntegrityError:
        return None
    return item


def _due(now: datetime) -> Any:
    return or_(and_(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now),
               and_(OutboxItem.status == "sending", OutboxItem.claimed_at < now - RECLAIM_AFTER))


def claim_due(db: Database, *, worker_id: str, now: datetime | None = None, limit: int = 20,
              channels: tuple[str, ...] | None = None) -> list[OutboxItem]:
    """Claim up to ``limit`` due items of ``channels`` (default: those with a sender here)
    for ``worker_id``; each is claimed by one conditional UPDATE, so no two workers get the
    same item. Returns detached copies."""
    now = now or utcnow()
    channels = tuple(_SENDERS) if channels is None else channels
    if not channels:
        return []
    claimed: list[OutboxItem] = []
    with db.session() as session:
        # more candidates than needed: another worker may take some first
        ids = session.scalars(select(OutboxItem.id).where(
            OutboxItem.channel.in_(channels), _due(now))
            .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(3 * limit)).all()
        for item_id in ids:
            if len(claimed) >= limit:
                break
            won = session.execute(  # type: ignore[attr-defined]
                update(OutboxItem).where(OutboxItem.id == item_id, _due(now))
                .values(status="sending", claimed_by=worker_id, claimed_at=now,
                        attempts=OutboxItem.attempts + 1)
                .execution_options(synchronize_session=False)).rowcount
            if won:
                item = session.get(OutboxItem, item_id, populate_existing=True)
                assert item is not None
                claimed.append(item)
        for item in claimed:
            session.expunge(item)
    return claimed


def deliver_due(db: Database, settings: Settings, *, worker_id: str,
                now: datetime | None = None, limit: int = 20) -> int:
    """Claim due items, send each (outside any transaction), record the outcome; returns
    how many were tried."""
    from hireloop.notify import load_senders

    load_senders()
    items = claim_due(db, worker_id=worker_id, now=now, limit=limit)
    for item in items:
        deliver(db, settings, item, worker_id=worker_id, now=now)
    return len(items)


def deliver(db: Database, settings: Settings, item: OutboxItem, *, worker_id: str,
            now: datetime | None = None) -> str:
    """Send one claimed item and record the try; returns the item's new status."""
    started, clock = utcnow(), time.monotonic()
    status_code: int | None = None
    error: str | None = None
    permanent = False
    send = _SENDERS.get(item.channel)
    try:
        if send is None:
            raise DeliveryError(f"no sender for {item.channel!r} in this process")
        status_code = send(settings, item)
    except PermanentDeliveryError as exc:
        error, status_code, permanent = exc.message, exc.status_code, True
    except DeliveryError as exc:
        error, status_code = exc.message, exc.status_code
    except Exception as exc:  # a sender's bug: retried like a failure, and logged
        log.exception("delivering outbox item %s failed", item.id)
        error = f"{type(exc).__name__}: {exc}"
    duration_ms = int((time.monotonic() - clock) * 1000)
    finished = now or utcnow()
    if error is None:
        values: dict[str, Any] = {"status": "delivered", "delivered_at": utcnow(),
                                  "last_error": None}
    elif permanent or item.attempts >= settings.outbox_max_attempts:
        values = {"status": "failed", "last_error": error[:5000]}
    else:
        values = {"status": "pending", "last_error": error[:5000],
                  "next_attempt_at": finished + backoff(item.attempts)}
    with db.session() as session:
        session.add(OutboxAttempt(item_id=item.id, started_at=started, duration_ms=duration_ms,
                                  status_code=status_code, error=error and error[:5000],
                                  worker_id=worker_id))
        session.execute(
            update(OutboxItem).where(OutboxItem.id == item.id,
                                     OutboxItem.status == "sending",
                                     OutboxItem.claimed_by == worker_id)
            .values(claimed_by=None, claimed_at=None, **values)
            .execution_options(synchronize_session=False))
    if error is not None:
        log.info("outbox item %s (%s to %s) attempt %d: %s", item.id, item.channel,
                 item.target, item.attempts, error)
    return str(values["status"])


def retry_now(session: Session, item_id: int) -> OutboxItem:
    """Send an item again at once (one more try; a failure then counts as usual)."""
    item = session.get(OutboxItem, item_id)
    if item is None:
        raise OutboxError(f"no outbox item {item_id}")
    if item.status in ("delivered", "sending"):
        raise OutboxError(f"item {item_id} is {item.status}; there is nothing to retry")
    item.status, item.next_attempt_at = "pending", utcnow()
    item.claimed_by = item.claimed_at = None
    return item


def cancel(session: Session, item_id: int) -> OutboxItem:
    """Never send an item (pending or failed)."""
    item = session.get(OutboxItem, item_id)
    if item is None:
        raise OutboxError(f"no outbox item {item_id}")
    if item.status not in ("pending", "failed"):
        raise OutboxError(f"item {item_id} is {item.status}; only pending or failed items "
                          "can be cancelled")
    item.status = "cancelled"
    return item


class DeliveryThread:
    """The thread of a grading process that delivers due items every ``POLL_S`` seconds."""

    def __init__(self, db: Database, settings: Settings, worker_id: str,
                 poll_s: float = POLL_S) -> None:
        self.db, self.settings, self.worker_id, self.poll_s = db, settings, worker_id, poll_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hireloop-outbox", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = deliver_due(self.db, self.settings, worker_id=self.worker_id)
            except Exception:
                log.exception("outbox delivery failed")
                busy = 0
            if not busy:
                self._stop.wait(self.poll_s)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
