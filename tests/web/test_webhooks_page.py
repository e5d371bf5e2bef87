"""The webhooks page in Chromium against a real ``hireloop serve`` (whose grading process
delivers): an admin registers an endpoint and sees its secret, sends a test event that the
receiver first refuses (the log shows the 500 and the next try), retries it now (delivered),
disables the webhook (an invitation then sends nothing), and the page fits 360 px. And the
polling API an ATS uses, with a real token over HTTP."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from hireloop.notify.webhooks import verify
from tests.notify.receiver import Receiver
from tests.web.server import Api, Server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "webhooks"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"
QUIZ = "ml-foundations/screening-model-positive-posterior"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data = tmp_path_factory.mktemp("webhooks") / "data"
    running = Server(data, env={"HIRELOOP_WEBHOOK_ALLOW_HOSTS": "127.0.0.1"})
    running.start(threads=1)
    try:
        assert running.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                           stdin=PASSWORD + "\n").returncode == 0
        yield running
    finally:
        running.stop()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def _loop(admin: Api, title: str) -> int:
    return int(admin.call("POST", "/loops", {"definition": {
        "title": title, "role": "ML engineer",
        "stage": [{"name": "Quiz", "minutes": 20, "exercises": [QUIZ]}]}}, ok=201)["id"])


@pytest.mark.slow
def test_the_delivery_log_in_chromium_shows_a_failed_try_and_a_retry_delivers_it(
        server: Server, receiver: Receiver) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    admin_api = Api.login(server.url, ADMIN, PASSWORD)
    loop_id = _loop(admin_api, "Webhook page loop")
    receiver.statuses = [500]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        page = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url + "/login")
        page.fill("input[name=email]", ADMIN)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.click("nav >> text=Webhooks")
        page.fill("input[name=url]", "http://localhost/refused")  # not allowed: said so
        page.check("input[value='interview.invited']")
        page.click("button:has-text('Add webhook')")
        expect(page.locator("p.error")).to_contain_text("HIREL" "OOP_WEBHOOK_ALLOW_HOSTS")
        expect(page.locator("input[value='interview.invited']")).to_be_checked()
        page.fill("input[name=url]", receiver.url)
        page.fill("input[name=description]", "ATS sync")
        page.click("button:has-text('Add webhook')")
        secret = page.locator("#webhook-secret").input_value()
        assert secret.startswith("whsec_")

        page.click("button:has-text('Send a test event')")
        expect(page.locator("p.notice")).to_contain_text("test event is queued")
        row = page.locator("tr.delivery").first
        for _ in range(60):  # the grading process polls every 2 seconds
            page.reload()
            if row.locator("li.attempt").count():
                break
            page.wait_for_timeout(500)
        expect(row.locator("td.status")).to_contain_text("pending")
        expect(row.locator("td.status")).to_contain_text("next try")
        expect(row.locator("li.attempt")).to_contain_text("500")
        expect(row.locator("li.attempt")).to_contain_text("HTTP 500")
        row.locator("details.body summary").click()
        expect(row.locator("details.body pre")).to_contain_text('"event": "webhook.test"')
        page.screenshot(path=str(OUTPUT / "webhook-delivery-log.png"), full_page=True)

        row.locator("button:has-text('Retry now')").click()
        expect(page.locator("p.notice")).to_contain_text("queued again")
        for _ in range(60):
            page.reload()
            if page.locator("tr.delivery").first.get_attribute("data-status") == "delivered":
                break
            page.wait_for_timeout(500)
        row = page.locator("tr.delivery").first
        expect(row).to_have_attribute("data-status", "delivered")
        expect(row.locator("li.attempt")).to_have_count(2)
        expect(row.locator("li.attempt").nth(1)).to_contain_text("200")
        delivered = list(receiver.received)
        assert len(delivered) == 2
        assert {r.headers["X-Hireloop-Delivery"] for r in delivered} == {
            row.get_attribute("data-delivery")}
        for request in delivered:
            assert request.headers["X-Hireloop-Event"] == "webhook.test"
            assert verify(secret, request.headers["X-Hireloop-Timestamp"], request.body,
                          request.headers["X-Hireloop-Signature"])

        page.click("button:has-text('Disable')")
        expect(page.locator("#webhook-state")).to_have_text("disabled")
        admin_api.call("POST", "/interviews", {"name": "Quiet Q", "email": "q@example.com",
                                               "loop_id": loop_id}, ok=201)
        page.reload()
        expect(page.locator("tr.delivery")).to_have_count(1)  # nothing for a disabled one
        page.click("button:has-text('Enable')")
        expect(page.locator("#webhook-state")).to_have_text("active")
        admin_api.call("POST", "/interviews", {"name": "Loud L", "email": "l@example.com",
                                               "loop_id": loop_id}, ok=201)
        page.reload()
        expect(page.locator("tr.delivery")).to_have_count(2)
        expect(page.locator("tr.delivery").first).to_contain_text("interview.invited")

        for width in (360, 390):
            page.set_viewport_size({"width": width, "height": 800})
            for path in (page.url, server.url + "/team/webhooks"):
                page.goto(path)
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (path, width, overflow)
            page.screenshot(path=str(OUTPUT / f"webhooks-{width}.png"), full_page=True)
        expect(page.locator("td.last-delivery")).to_contain_text("interview.invited")
        page.click("table.webhooks a")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button:has-text('Delete')")
        expect(page.locator("p.notice")).to_contain_text("deleted")
        expect(page.locator("table.webhooks")).to_contain_text("No webhooks yet")
        browser.close()
    assert not errors, errors


def _iso(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def test_an_ats_polls_changed_interviews_and_pulls_scorecards_with_a_token(
        server: Server) -> None:
    admin = Api.login(server.url, ADMIN, PASSWORD)
    token = admin.call("POST", "/tokens", {"name": "ATS poller"}, ok=201)["token"]
    ats = Api(server.url, token)
    loop_id = _loop(admin, "Polling loop")
    start = datetime.now(UTC)
    first = admin.call("POST", "/interviews", {"name": "Pat Poll", "email": "pat@example.com",
                                               "loop_id": loop_id}, ok=201)
    second = admin.call("POST", "/interviews", {"name": "Ria Poll", "email": "ria@example.com",
                                                "loop_id": loop_id}, ok=201)
    changed = ats.call("GET", f"/interviews/changed?since={_iso(start)}")
    assert [i["id"] for i in changed["interviews"]] == [first["id"], second["id"]]
    assert changed["more"] is False
    page = ats.call("GET", f"/interviews/changed?since={_iso(start)}&limit=1")
    assert [i["id"] for i in page["interviews"]] == [first["id"]]
    assert page["more"] is True

    time.sleep(1.1)
    mark = changed["next_since"]
    later = datetime.now(UTC)
    candidate = Api.candidate(server.url, first["link"])
    candidate.call("POST", "/take/consent")
    candidate.call("POST", "/take/stages/0/start")
    now = ats.call("GET", f"/interviews/changed?since={_iso(later)}")
    assert [i["id"] for i in now["interviews"]] == [first["id"]]  # only the one that moved
    assert now["interviews"][0]["changed_at"] > mark
    assert now["interviews"][0]["status"] != "invited"

    card = ats.call("GET", now["interviews"][0]["scorecard"].removeprefix("/api/v1"))
    assert card["interview_id"] == first["id"]
    assert card["candidate"]["name"] == "Pat Poll"
    bad = httpx.get(f"{server.url}/api/v1/interviews/changed?since=yesterday",
                    headers={"authorization": f"Bearer {token}"})
    assert bad.status_code == 422
    assert "since" in bad.json()["detail"]
    anonymous = httpx.get(f"{server.url}/api/v1/interviews/changed")
    assert anonymous.status_code == 401
