"""The outbox: an item exists iff its transaction committed, is claimed by one worker only,
is retried with backoff until delivered or given up, and survives the death of the process
that claimed it. Delivered through the real webhook sender to a real HTTP receiver."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hireloop.config import Settings
from hireloop.db import Database
from hireloop.db.models import OutboxAttempt, OutboxItem, Webhook, utcnow
from hireloop.notify import outbox
from hireloop.notify.outbox import backoff, cancel, deliver_due, enqueue, retry_now
from hireloop.notify.webhooks import create_webhook
from tests.notify.receiver import Receiver
from tests.web.conftest import _drop_postgres, _fresh_postgres, postgres_url


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Each test on SQLite and on PostgreSQL (where scripts/test provides one)."""
    url = f"sqlite:///{tmp_path / 'hireloop.db'}"
    if request.param == "postgresql":
        server = postgres_url()
        if server is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        url = _fresh_postgres(server)
    yield Settings(data_dir=tmp_path, database_url=url, webhook_allow_hosts=["127.0.0.1"],
                   webhook_timeout_s=5, grading_threads=0)
    if request.param == "postgresql":
        _drop_postgres(url)


def _hook(db: Database, settings: Settings, receiver: Receiver) -> int:
    with db.session() as s:
        return create_webhook(s, settings, url=receiver.url, events=["interview.invited"],
                              team_id=None, created_by=None).id


def _item(db: Database, hook_id: int, **kw: object) -> int:
    with db.session() as s:
        item = enqueue(s, "webhook", str(hook_id), "webhook.test",
                       {"id": "x", "event": "webhook.test", "data": {}}, **kw)  # type: ignore[arg-type]
        assert item is not None
        return item.id


def _get(db: Database, item_id: int) -> OutboxItem:
    with db.session(write=False) as s:
        item = s.get(OutboxItem, item_id)
        assert item is not None
        return item


def test_backoff_doubles_from_30_seconds_up_to_6_hours() -> None:
    assert [backoff(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert backoff(11) == timedelta(hours=6)
    assert backoff(100) == timedelta(hours=6)


def test_an_item_exists_only_if_its_transaction_committed(db: Database, settings: Settings,
                                                          receiver: Receiver) -> None:
    hook = _hook(db, settings, receiver)

    def failing_change() -> None:
        with db.session() as s:
            enqueue(s, "webhook", str(hook), "webhook.test", {"data": {}})
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with db.session(write=False) as s:
        assert s.scalars(select(OutboxItem)).all() == []
    assert deliver_due(db, settings, worker_id="w") == 0
    assert receiver.received == []


def test_a_dedupe_key_adds_an_item_once(db: Database, settings: Settings,
                                        receiver: Receiver) -> None:
    hook = _hook(db, settings, receiver)
    _item(db, hook, dedupe_key="reminder:1:24h")
    with db.session() as s:
        assert enqueue(s, "webhook", str(hook), "webhook.test", {},
                       dedupe_key="reminder:1:24h") is None
    with db.session(write=False) as s:
        assert len(s.scalars(select(OutboxItem)).all()) == 1


def test_a_failed_try_is_retried_after_the_backoff_and_delivered_once(
        db: Database, settings: Settings, receiver: Receiver) -> None:
    receiver.statuses = [500]
    item_id = _item(db, _hook(db, settings, receiver))
    t0 = utcnow()
    assert deliver_due(db, settings, worker_id="w", now=t0) == 1
    item = _get(db, item_id)
    assert (item.status, item.attempts, item.last_error) == ("pending", 1, "HTTP 500: ok")
    assert item.next_attempt_at == t0 + timedelta(seconds=30)
    assert deliver_due(db, settings, worker_id="w", now=t0 + timedelta(seconds=29)) == 0
    assert deliver_due(db, settings, worker_id="w", now=t0 + timedelta(seconds=31)) == 1
    item = _get(db, item_id)
    assert (item.status, item.attempts, item.last_error) == ("delivered", 2, None)
    assert deliver_due(db, settings, worker_id="w", now=t0 + timedelta(hours=7)) == 0
    assert receiver.deliveries() == [str(item_id), str(item_id)]
    with db.session(write=False) as s:
        attempts = s.scalars(select(OutboxAttempt).order_by(OutboxAttempt.id)).all()
    assert [(a.status_code, a.error) for a in attempts] == [(500, "HTTP 500: ok"), (200, None)]


def test_a_permanent_failure_gives_up_at_once_and_retry_now_sends_again(
        db: Database, settings: Settings, receiver: Receiver) -> None:
    receiver.statuses = [400]
    item_id = _item(db, _hook(db, settings, receiver))
    deliver_due(db, settings, worker_id="w")
    item = _get(db, item_id)
    assert (item.status, item.attempts, item.last_error) == ("failed", 1, "HTTP 400: ok")
    assert deliver_due(db, settings, worker_id="w", now=utcnow() + timedelta(days=1)) == 0
    with db.session() as s:
        retry_now(s, item_id)
    deliver_due(db, settings, worker_id="w")
    assert _get(db, item_id).status == "delivered"
    with db.session() as s, pytest.raises(outbox.OutboxError, match="delivered"):
        retry_now(s, item_id)


def test_an_item_is_given_up_after_the_most_attempts(db: Database, settings: Settings,
                                                     receiver: Receiver) -> None:
    settings = settings.model_copy(update={"outbox_max_attempts": 3})
    receiver.statuses = [503, 503, 503, 503]
    item_id = _item(db, _hook(db, settings, receiver))
    now = utcnow()
    for _ in range(3):
        deliver_due(db, settings, worker_id="w", now=now)
        now += timedelta(hours=7)
    item = _get(db, item_id)
    assert (item.status, item.attempts) == ("failed", 3)
    assert deliver_due(db, settings, worker_id="w", now=now + timedelta(days=1)) == 0
    assert len(receiver.received) == 3


def test_a_cancelled_item_is_never_sent(db: Database, settings: Settings,
                                        receiver: Receiver) -> None:
    item_id = _item(db, _hook(db, settings, receiver))
    with db.session() as s:
        cancel(s, item_id)
    assert deliver_due(db, settings, worker_id="w") == 0
    assert _get(db, item_id).status == "cancelled"
    assert receiver.received == []


def test_two_delivery_threads_never_send_the_same_item(db: Database, settings: Settings,
                                                       receiver: Receiver) -> None:
    receiver.delay_s = 0.01
    hook = _hook(db, settings, receiver)
    ids = [_item(db, hook) for _ in range(40)]
    start = threading.Barrier(2)
    crashed: list[BaseException] = []

    def unfinished() -> int:
        with db.session(write=False) as s:
            return len(s.scalars(select(OutboxItem.id).where(
                OutboxItem.status.in_(("pending", "sending")))).all())

    def work(name: str) -> None:
        start.wait()
        try:  # a round may find every due row taken by the other worker: go on until done
            while deliver_due(db, settings, worker_id=name, limit=3) or unfinished():
                pass
        except BaseException as exc:
            crashed.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert crashed == []
    assert sorted(receiver.deliveries(), key=int) == [str(i) for i in ids]
    with db.session(write=False) as s:
        items = s.scalars(select(OutboxItem)).all()
        workers = {a.worker_id for a in s.scalars(select(OutboxAttempt))}
    assert {(i.status, i.attempts) for i in items} == {("delivered", 1)}
    assert workers == {"w0", "w1"}  # both took part


def test_an_item_claimed_by_a_killed_process_is_claimed_again_after_five_minutes(
        db: Database, settings: Settings, receiver: Receiver) -> None:
    item_id = _item(db, _hook(db, settings, receiver))
    script = textwrap.dedent(f"""
        import sys, time
        from hireloop.db import open_database
        from hireloop.notify.outbox import claim_due
        db = open_database({settings.db_url()!r}, upgrade=False)
        claimed = claim_due(db, worker_id="doomed", channels=("webhook",))
        print(len(claimed), flush=True)
        time.sleep(60)  # "sending" when it is killed
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "1"
    finally:
        proc.kill()
        proc.wait()
    item = _get(db, item_id)
    assert (item.status, item.claimed_by, item.attempts) == ("sending", "doomed", 1)
    claimed_at = item.claimed_at
    assert claimed_at is not None
    assert deliver_due(db, settings, worker_id="w", now=claimed_at + timedelta(minutes=4)) == 0
    assert deliver_due(db, settings, worker_id="w", now=claimed_at + timedelta(minutes=6)) == 1
    item = _get(db, item_id)
    assert (item.status, item.attempts, item.claimed_by) == ("delivered", 2, None)
    assert receiver.deliveries() == [str(item_id)]


def test_a_deleted_webhooks_items_fail_without_a_request(db: Database, settings: Settings,
                                                         receiver: Receiver) -> None:
    hook = _hook(db, settings, receiver)
    item_id = _item(db, hook)
    with db.session() as s:
        s.delete(s.get(Webhook, hook))
    deliver_due(db, settings, worker_id="w")
    item = _get(db, item_id)
    assert (item.status, item.last_error) == ("failed", "the webhook was deleted")
    assert receiver.received == []
