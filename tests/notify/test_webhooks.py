"""Webhooks through the whole app: a team registers an endpoint on the page, and a real HTTP
receiver sees each of the five events of a real interview (invite → start → submit → graded →
decide), each signed as docs/integrations.md says a receiver verifies it. Plus the address
rules, the retry rules, and what a blind loop leaves out."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from typing import Any

import pytest
from sqlalchemy import select

from hireloop.config import Settings
from hireloop.db.models import Answer, OutboxItem
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.notify.webhooks import WebhookError, check_url, sign, verify
from tests.notify.receiver import Receiver
from tests.web.conftest import CHOICE, Site, builtin_bank, exercise_answers

EVENTS = ["interview.invited", "interview.started", "interview.submitted",
          "interview.graded", "interview.decided"]


def receiver_verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """docs/integrations.md's receiver, word for word: HMAC-SHA256 over timestamp "." body,
    compared in constant time; a timestamp older than five minutes is refused."""
    timestamp = headers["X-Hireloop-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(expected, headers["X-Hireloop-Signature"])


def _wait_for(receiver: Receiver, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.received) < count:
        assert time.monotonic() < deadline, [r.headers.get("X-Hireloop-Event")
                                             for r in receiver.received]
        time.sleep(0.1)


def _add_webhook(web: Any, url: str, events: list[str], team_id: int | None) -> str:
    response = web.form("/team/webhooks", {"url": url, "event": events,
                                           "team_id": "" if team_id is None else team_id})
    assert response.status_code == 200, response.text
    match = re.search(r'id="webhook-secret" readonly value="([^"]+)"', response.text)
    assert match is not None
    return match.group(1)


def _quiz_loop(site: Site, *, blind: bool = False) -> int:
    with site.platform.db.session() as s:
        definition: dict[str, Any] = {"title": "Quiz loop", "role": "ML engineer",
                                      "stage": [{"name": "Quiz", "minutes": 30,
                                                 "exercises": [CHOICE]}]}
        if blind:
            definition["blind"] = True
        return service.create_loop(s, site.platform, Principal("admin", user_id=1),
                                   definition=definition, team_id=site.ids["team"]).id


def test_a_receiver_sees_each_event_of_an_interview_signed(make_site: Any,
                                                           receiver: Receiver) -> None:
    site = make_site(webhook_allow_hosts=["127.0.0.1"], base_url="http://hire.example")
    admin = site.client()
    admin.login("admin@example.com")
    secret = _add_webhook(admin, receiver.url, EVENTS, site.ids["team"])
    other_team = site.add_team("Team B")
    _add_webhook(admin, receiver.url.replace("/hooks/", "/team-b/"), EVENTS, other_team)
    loop_id = _quiz_loop(site)

    manager = site.client()
    manager.login("manager@example.com")
    made = manager.json("POST", "/api/v1/interviews",
                        {"name": "Cy Candidate", "email": "cy@example.com", "loop_id": loop_id})
    assert made.status_code == 201, made.text
    interview_id, link = made.json()["id"], made.json()["link"]

    candidate = site.client()
    candidate.open_invitation(link)
    candidate.form("/take/consent")
    candidate.get("/take/stage/0")
    with site.platform.db.session() as s:
        answers = [{"id": a.id, "exercise_id": a.exercise_id, "seed": a.seed}
                   for a in s.query(Answer).filter_by(interview_id=interview_id)]
    good = exercise_answers(builtin_bank(), answers)
    for answer in answers:
        saved = candidate.json("POST", f"/take/answers/{answer['id']}/save", good[answer["id"]])
        assert saved.status_code == 200, saved.text
    candidate.form("/take/stage/0/submit")
    _wait_for(receiver, 3)
    site.wait_for_jobs()
    _wait_for(receiver, 4)
    decided = manager.json("POST", f"/api/v1/interviews/{interview_id}/decision",
                           {"decision": "advance", "reason": "strong quiz"})
    assert decided.status_code == 200, decided.text
    _wait_for(receiver, 5)
    time.sleep(2.5)  # one more poll of the delivery thread: nothing else arrives

    assert [r.path for r in receiver.received] == ["/hooks/hireloop"] * 5  # not team B's
    bodies = []
    for request in receiver.received:
        assert receiver_verifies(secret, request.headers, request.body)
        assert not receiver_verifies(secret + "x", request.headers, request.body)
        body = json.loads(request.body)
        assert request.headers["X-Hireloop-Event"] == body["event"]
        assert request.headers["Content-Type"] == "application/json"
        bodies.append(body)
    assert [b["event"] for b in bodies] == EVENTS
    deliveries = [r.headers["X-Hireloop-Delivery"] for r in receiver.received]
    assert len(set(deliveries)) == 5
    for body in bodies:
        data = body["data"]
        assert data["interview_id"] == interview_id
        assert data["loop"] == {"id": loop_id, "name": "Quiz loop"}
        assert data["candidate"]["name"] == "Cy Candidate"
        assert data["candidate"]["email"] == "cy@example.com"
        assert data["links"]["scorecard"] == (
            f"http://hire.example/api/v1/interviews/{interview_id}/scorecard")
        assert body["occurred_at"].endswith("Z")
    by_event = {b["event"]: b["data"] for b in bodies}
    assert by_event["interview.started"]["stage"] == {"index": 0, "name": "Quiz"}
    assert by_event["interview.submitted"]["stage"] == {"index": 0, "name": "Quiz"}
    assert by_event["interview.graded"]["score"] == pytest.approx(1.0)
    assert by_event["interview.graded"]["stages"] == [{"index": 0, "name": "Quiz",
                                                       "score": pytest.approx(1.0)}]
    assert by_event["interview.decided"]["decision"] == "advance"
    assert "strong quiz" not in json.dumps(bodies)  # the reason stays on the platform
    # the scorecard the links point to, over HTTP with the manager's API token
    token = manager.json("POST", "/api/v1/tokens", {"name": "ATS"}).json()["token"]
    ats = site.client().client
    card = ats.get(f"/api/v1/interviews/{interview_id}/scorecard",
                   headers={"Authorization": f"Bearer {token}"})
    assert card.status_code == 200
    assert card.json()["decision"] == "advance"


def test_a_blind_loops_events_name_no_candidate(make_site: Any, receiver: Receiver) -> None:
    site = make_site(webhook_allow_hosts=["127.0.0.1"])
    admin = site.client()
    admin.login("admin@example.com")
    _add_webhook(admin, receiver.url, ["interview.invited"], None)
    site.invite("Dee Blind", "dee@example.com", _quiz_loop(site, blind=True))
    site.invite("Eve Open", "eve@example.com", _quiz_loop(site))
    _wait_for(receiver, 2)
    blind, open_ = (json.loads(r.body)["data"] for r in receiver.received)
    assert blind["blind"] is True
    assert set(blind["candidate"]) == {"id"}
    assert "Dee" not in json.dumps(blind)
    assert "dee@" not in json.dumps(blind)
    assert open_["candidate"]["name"] == "Eve Open"


def test_webhooks_go_to_https_at_public_addresses_unless_the_operator_allows(
        tmp_path: Any) -> None:
    strict = Settings(data_dir=tmp_path)
    for url, why in [("http://ats.example.com/h", "plain http"),
                     ("https://127.0.0.1/h", "loopback"),
                     ("https://10.1.2.3/h", "private"),
                     ("https://169.254.169.254/latest/meta-data", "link-local"),
                     ("https://user:pw@ats.example.com/h", "password"),
                     ("ftp://ats.example.com/h", "https://")]:
        with pytest.raises(WebhookError, match=why.split()[0] if why != "https://" else why):
            check_url(strict, url)
    assert check_url(strict, "https://8.8.8.8/hook") == "https://8.8.8.8/hook"
    allowing = Settings(data_dir=tmp_path, webhook_allow_hosts=["127.0.0.1", "10.0.0.0/8"])
    assert check_url(allowing, "http://127.0.0.1:9/h") == "http://127.0.0.1:9/h"
    assert check_url(allowing, "https://10.1.2.3/h") == "https://10.1.2.3/h"


def test_the_signature_is_refused_when_body_time_or_secret_differ() -> None:
    body = b'{"event":"interview.invited"}'
    now = 1_800_000_000
    signature = sign("whsec_a", str(now), body)
    assert signature == "sha256=" + hmac.new(b"whsec_a", f"{now}.".encode() + body,
                                             hashlib.sha256).hexdigest()
    assert verify("whsec_a", str(now), body, signature, now=now + 10)
    assert not verify("whsec_a", str(now), body + b" ", signature, now=now)
    assert not verify("whsec_b", str(now), body, signature, now=now)
    assert not verify("whsec_a", str(now + 1), body, signature, now=now)
    assert not verify("whsec_a", str(now), body, signature, now=now + 301)  # a replay


@pytest.mark.parametrize(("status", "outcome"), [(500, "pending"), (503, "pending"),
                                                 (429, "pending"), (408, "pending"),
                                                 (404, "failed"), (401, "failed"),
                                                 (301, "failed"), (204, "delivered")])
def test_which_answers_are_retried(status: int, outcome: str, tmp_path: Any,
                                   receiver: Receiver) -> None:
    from hireloop.db import open_database
    from hireloop.notify.outbox import deliver_due, enqueue
    from hireloop.notify.webhooks import create_webhook

    settings = Settings(data_dir=tmp_path, webhook_allow_hosts=["127.0.0.1"])
    db = open_database(settings.db_url())
    with db.session() as s:
        hook = create_webhook(s, settings, url=receiver.url, events=EVENTS, team_id=None,
                              created_by=None)
        item = enqueue(s, "webhook", str(hook.id), "webhook.test", {"data": {}})
        assert item is not None
        item_id = item.id
    receiver.statuses = [status]
    deliver_due(db, settings, worker_id="w")
    with db.session(write=False) as s:
        row = s.get(OutboxItem, item_id)
        assert row is not None
        assert row.status == outcome
        if status == 301:
            assert "redirects are not followed" in (row.last_error or "")
    assert len(receiver.received) == 1  # a redirect is not followed


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_changed_interviews_are_those_with_a_change_at_or_after_the_time(
        make_site: Any, backend: str) -> None:
    from datetime import timedelta

    from hireloop.db.models import Interview, utcnow
    from hireloop.hiring.changes import changed_interviews
    from tests.web.conftest import postgres_url

    if backend == "postgresql" and postgres_url() is None:
        pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
    site = make_site(database_url=postgres_url() if backend == "postgresql" else None,
                     threads=0)
    admin = Principal("admin", user_id=site.ids["admin"])
    other = Principal("hiring_manager", user_id=99, team_id=site.add_team("Team B"))
    a, b = site.ids["a"], site.ids["b"]
    with site.platform.db.session() as s:
        everything = changed_interviews(s, admin, None)
        assert [i.id for i, _ in everything] == [a, b]
        invited_b = everything[1][1]
        assert changed_interviews(s, other, None) == []  # not their team's loop
        assert [i.id for i, _ in changed_interviews(s, admin, invited_b)] == [b]  # inclusive
        assert changed_interviews(s, admin, invited_b + timedelta(microseconds=1)) == []
    moment = utcnow()
    with site.platform.db.session() as s:
        interview = s.get(Interview, a)
        assert interview is not None
        service.consent(interview)
        service.start_stage(interview, 0)
    with site.platform.db.session() as s:
        rows = changed_interviews(s, admin, moment)
        assert [i.id for i, _ in rows] == [a]
        assert rows[0][1] >= moment
        assert [i.id for i, _ in changed_interviews(s, admin, None, limit=1)] == [b]


def test_a_host_that_does_not_resolve_is_retried_and_a_private_one_given_up(
        tmp_path: Any) -> None:
    from hireloop.db import open_database
    from hireloop.db.models import Webhook
    from hireloop.notify.outbox import deliver_due, enqueue

    settings = Settings(data_dir=tmp_path)
    db = open_database(settings.db_url())
    items = {}
    with db.session() as s:
        for name, url in (("unresolved", "https://no-such-host.invalid/h"),
                          ("private", "https://10.0.0.7/h")):  # saved before a rule changed
            hook = Webhook(url=url, events=EVENTS, secret="whsec_x", team_id=None)
            s.add(hook)
            s.flush()
            item = enqueue(s, "webhook", str(hook.id), "webhook.test", {"data": {}})
            assert item is not None
            items[name] = item.id
    deliver_due(db, settings, worker_id="w")
    with db.session(write=False) as s:
        unresolved, private = s.get(OutboxItem, items["unresolved"]), s.get(OutboxItem,
                                                                            items["private"])
        assert unresolved is not None
        assert private is not None
        assert unresolved.status == "pending"
        assert "does not resolve" in (unresolved.last_error or "")
        assert private.status == "failed"
        assert "private, loopback or link-local" in (private.last_error or "")


def test_deleting_a_candidate_deletes_the_webhook_deliveries_about_them(
        make_site: Any, receiver: Receiver) -> None:
    from hireloop.db.models import Candidate, Interview

    site = make_site(webhook_allow_hosts=["127.0.0.1"], threads=0)  # nothing is sent
    admin = site.client()
    admin.login("admin@example.com")
    _add_webhook(admin, receiver.url, ["interview.invited"], None)
    gone, _ = site.invite("Gus Gone", "gus@example.com", site.ids["loop"])
    kept, _ = site.invite("Kim Kept", "kim@example.com", site.ids["loop"])
    with site.platform.db.session() as s:
        about = {i.interview_id for i in s.scalars(select(OutboxItem))}
        assert about == {gone, kept}
        interview = s.get(Interview, gone)
        assert interview is not None
        service.delete_candidate(s, s.get(Candidate, interview.candidate_id))
    with site.platform.db.session() as s:
        left = s.scalars(select(OutboxItem)).all()
        assert [i.interview_id for i in left] == [kept]
        assert "Gus" not in str([i.payload for i in left])


def test_a_receiver_slower_than_the_timeout_is_tried_again(tmp_path: Any,
                                                           receiver: Receiver) -> None:
    from hireloop.db import open_database
    from hireloop.db.models import OutboxAttempt
    from hireloop.notify.outbox import deliver_due, enqueue
    from hireloop.notify.webhooks import create_webhook

    settings = Settings(data_dir=tmp_path, webhook_allow_hosts=["127.0.0.1"],
                        webhook_timeout_s=0.5)
    db = open_database(settings.db_url())
    with db.session() as s:
        hook = create_webhook(s, settings, url=receiver.url, events=EVENTS, team_id=None,
                              created_by=None)
        item = enqueue(s, "webhook", str(hook.id), "webhook.test", {"data": {}})
        assert item is not None
        item_id = item.id
    receiver.delay_s = 1.5
    deliver_due(db, settings, worker_id="w")
    with db.session(write=False) as s:
        row = s.get(OutboxItem, item_id)
        assert row is not None
        assert (row.status, row.last_error) == ("pending", "no answer within 0.5 s")
        attempt = s.scalars(select(OutboxAttempt)).one()
        assert attempt.status_code is None
        assert 400 <= attempt.duration_ms < 1400
