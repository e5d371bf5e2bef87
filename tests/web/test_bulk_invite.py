"""Inviting from a CSV file, in Chromium against the real ``hireloop serve`` with a real SMTP
server: the preview names each refused row by its line and why, shows the mails as they will
be sent, and changes nothing; the confirmation creates one interview and one mail per valid
row, and each mailed link opens its interview. The mail pages (templates, test mail, outbox)
through the app."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hireloop.db import open_database
from hireloop.db.models import Interview, OutboxItem
from tests.notify.smtp import SmtpServer
from tests.web.conftest import Site
from tests.web.server import Api, Server

CHROMIUM = Path("/usr/bin/chromium")
OUTPUT = Path(os.environ.get("HIRELOOP_TEST_OUTPUT",
                             Path(__file__).resolve().parents[2] / "test-output")) / "bulk-invite"
ADMIN, PASSWORD = "admin@example.com", "a long admin password"

CSV = """name,email,deadline,phone
Ada Lovelace,ada@example.com,,555-1234
Alan Turing,ALAN@example.com,2027-01-15,
,nameless@example.com,,
Grace Hopper,grace@example,,
Alan Again,alan@example.com,,
Known Person,known@example.com,,
Bad Date,bad-date@example.com,next week,
"Hopper, Grace",grace@example.com,,
"""
"""three valid rows (lines 2, 3 and 9) and five refused ones (lines 4 to 8)"""


def _width(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def _wait_delivered(db: Any, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db.session() as s:
            if len(s.scalars(select(OutboxItem).where(
                    OutboxItem.status == "delivered")).all()) >= count:
                return
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} mails delivered")


@pytest.mark.slow
def test_a_csv_is_previewed_by_line_then_invites_and_mails_each_valid_row(
        tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: apt-get install chromium (scripts/test does)")
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    smtp = SmtpServer().start()
    env = {f"HIRELOOP_{k.upper()}": str(v) for k, v in smtp.settings().items()}
    server = Server(tmp_path / "data", env=env)
    server.env["HIRELOOP_BASE_URL"] = server.url
    server.start(threads=1)
    try:
        added = server.cli("user", "add", "--admin", ADMIN, "--password-stdin",
                           stdin=PASSWORD + "\n")
        assert added.returncode == 0, added.stderr
        admin = Api.login(server.url, ADMIN, PASSWORD)
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Bulk loop", "role": "ML engineer",
            "stage": [{"name": "One", "minutes": 30,
                       "exercises": ["ml-foundations/probability-calibration"]}]}}, ok=201)
        admin.call("POST", "/interviews", {"name": "Known Person", "email": "known@example.com",
                                           "loop_id": loop["id"]}, ok=201)
        smtp.wait_for(1)
        csv_file = tmp_path / "candidates.csv"
        csv_file.write_text(CSV)
        db = open_database(f"sqlite:///{server.data_dir / 'hireloop.db'}", upgrade=False)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True)
            page = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url + "/login")
            page.fill("input[name=email]", ADMIN)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(re.compile(r"/team$"))
            page.goto(server.url + "/team/candidates/new")
            page.click("a[href$='/invite-csv']")  # the invitation page links the CSV page
            expect(page.locator("h1")).to_have_text("Invite candidates from a CSV file")
            page.set_input_files("input[name=csv_file]", str(csv_file))
            page.click("button:has-text('Preview')")
            expect(page.locator("h1")).to_have_text("Preview: invite 3 candidate(s) to Bulk loop")
            page.screenshot(path=str(OUTPUT / "preview-360.png"), full_page=True)
            assert _width(page) <= 360
            summary = page.locator("#bulk-summary").inner_text()
            assert summary.startswith("3 invitation(s) will be created and 3 mail(s) sent; "
                                      "5 row(s) with errors will be left out")
            refused = [[c.strip() for c in row.split("\t")] for row in
                       page.locator("#bulk-errors tbody tr").all_inner_texts()]
            assert refused == [
                ["4", "the name is missing"],
                ["5", "'grace@example' is not an e-mail address"],
                ["6", "alan@example.com is a duplicate of line 3"],
                ["7", "known@example.com is already invited to this loop"],
                ["8", "deadline 'next week' is not a date (YYYY-MM-DD, or YYYY-MM-DD HH:MM "
                      "in UTC)"]]
            assert page.locator("text=Ignored columns: phone").count() == 1
            invited = [row.split("\t")[:3] for row in
                       page.locator("#bulk-rows tbody tr").all_inner_texts()]
            assert invited == [["2", "Ada Lovelace", "ada@example.com"],
                               ["3", "Alan Turing", "alan@example.com"],
                               ["9", "Hopper, Grace", "grace@example.com"]]
            first = page.locator("article.mail-preview").first.inner_text()
            assert "Subject: Your interview for Bulk loop" in first
            assert "Hello Ada Lovelace," in first
            assert f"{server.url}/i/(made when you confirm)" in first
            with db.session() as s:  # the preview changed nothing
                assert len(s.scalars(select(Interview)).all()) == 1
            page.click("button:has-text('Yes, invite 3')")
            expect(page.locator("h1")).to_have_text("3 candidate(s) invited to Bulk loop")
            page.screenshot(path=str(OUTPUT / "done-360.png"), full_page=True)
            assert _width(page) <= 360
            assert "lines 4, 5, 6, 7, 8" in page.locator("main").inner_text()
            received = smtp.wait_for(4)
            assert len(received) == 4
            _wait_delivered(db, 4)
            # the outbox page shows each mail delivered
            page.goto(server.url + "/team/mail?status=delivered")
            expect(page.locator("#mail-outbox tbody tr")).to_have_count(4)
            page.screenshot(path=str(OUTPUT / "outbox-360.png"), full_page=True)
            assert _width(page) <= 360
            page.goto(server.url + "/team/mail/templates/invitation")
            page.fill("textarea[name=body]", "Hi {candidate_name}, {link} {salary}")
            page.click("button[value=preview]")
            expect(page.locator("p.error")).to_contain_text("unknown placeholder {salary}")
            page.fill("textarea[name=body]", "Hi {candidate_name}, start here: {link}")
            page.click("button[value=preview]")
            expect(page.locator("#preview-body")).to_have_text(re.compile(
                r"^Hi Ada Lovelace, start here: http://127\.0\.0\.1:\d+/i/"))
            page.screenshot(path=str(OUTPUT / "template-360.png"), full_page=True)
            assert _width(page) <= 360
            assert not errors, errors
            browser.close()
        by_address = {rcpt[0]: message for rcpt, message in received}
        assert sorted(by_address) == ["ada@example.com", "alan@example.com",
                                      "grace@example.com", "known@example.com"]
        assert by_address["grace@example.com"]["To"] == '"Hopper, Grace" <grace@example.com>'
        with db.session() as s:
            interviews = {i.candidate.email: i for i in s.scalars(select(Interview))}
            assert len(interviews) == 4
            assert interviews["alan@example.com"].expires_at.strftime("%Y-%m-%d %H:%M") == \
                "2027-01-15 23:59"
            mails = s.scalars(select(OutboxItem).where(OutboxItem.channel == "mail")).all()
            assert sorted(m.status for m in mails) == ["delivered"] * 4
        assert "2027-01-15 23:59 UTC" in by_address["alan@example.com"].get_content()
        for address in ("ada@example.com", "alan@example.com", "grace@example.com"):
            link = re.search(rf"{re.escape(server.url)}/i/\S+",
                             by_address[address].get_content())
            assert link, address
            opened = httpx.get(link.group(0), follow_redirects=False)
            assert opened.status_code == 303, (address, opened.text[:200])
        time.sleep(2.5)  # one more poll of the delivery thread: nothing is sent twice
        assert len(smtp.messages()) == 4
    finally:
        server.stop()
        smtp.stop()


def test_the_confirmation_refuses_more_invitations_than_the_hourly_limit_and_sends_nothing(
        make_site: Any) -> None:
    site: Site = make_site(threads=0, invites_per_hour=3)
    web = site.client()
    web.login("manager@example.com")
    rows = "\n".join(f"Person {n},p{n}@example.com" for n in range(3))
    answer = web.form(f"/team/loops/{site.ids['loop']}/invite-csv",
                      {"csv_text": f"name,email\n{rows}", "confirm": "yes"})
    assert answer.status_code == 200  # the manager's first three: within the limit
    more = web.form(f"/team/loops/{site.ids['loop']}/invite-csv",
                    {"csv_text": "name,email\nOne More,more@example.com", "confirm": "yes"})
    assert more.status_code == 429
    assert "1 invitations would pass your limit of 3 an hour (3 used)" in more.text
    with site.platform.db.session() as s:
        emails = {i.candidate.email for i in s.scalars(select(Interview))}
    assert "more@example.com" not in emails
    assert {"p0@example.com", "p1@example.com", "p2@example.com"} <= emails


def test_a_file_without_the_needed_columns_is_refused_with_what_it_has(
        make_site: Any) -> None:
    site: Site = make_site(threads=0)
    web = site.client()
    web.login("manager@example.com")
    answer = web.form(f"/team/loops/{site.ids['loop']}/invite-csv",
                      {"csv_text": "first;last;mail address\nA;B;a@example.com"})
    assert answer.status_code == 422
    assert ("line 1: the header row needs the columns name and email (missing: name, email; "
            "found: first, last, mail address)") in answer.text
    latin = web.client.post(f"/team/loops/{site.ids['loop']}/invite-csv",
                            data={"csrf_token": web.csrf},
                            files={"csv_file": ("c.csv", "name,email\nJos\xe9,j@example.com"
                                                .encode("latin-1"), "text/csv")},
                            headers={"accept": "text/html"})
    assert latin.status_code == 422
    assert "the file is not UTF-8 text" in latin.text
