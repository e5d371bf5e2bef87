"""Mail: invitations and reminders reach a real SMTP server (aiosmtpd) through the outbox,
a server that is down gets the mail later exactly once, a crash between the invitation and
its sending loses nothing (the real ``hireloop serve``), templates are checked and rendered
without code, and headers cannot be injected."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hireloop.db import open_database
from hireloop.db.models import Interview, OutboxItem, utcnow
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.notify import mail
from hireloop.notify.outbox import deliver_due
from tests.notify.smtp import SmtpServer
from tests.web.conftest import Site, make_site, postgres_url  # noqa: F401 - the fixture
from tests.web.server import Api, Server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    yield server
    server.stop()


def _site(make_site: Any, smtp: SmtpServer, **extra: Any) -> Site:  # noqa: F811
    # no grading threads: no delivery thread either, so each test delivers when it says
    return make_site(threads=0, **{**smtp.settings(), **extra})


def _deliver(site: Site, now: Any = None) -> int:
    return deliver_due(site.platform.db, site.settings, worker_id="test", now=now)


def _mails(site: Site) -> list[OutboxItem]:
    with site.platform.db.session() as s:
        return list(s.scalars(select(OutboxItem).where(OutboxItem.channel == "mail")
                              .order_by(OutboxItem.id)))


def test_the_invitation_reaches_the_candidate_with_a_link_that_opens_the_interview(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)
    smtp.start()
    assert _deliver(site) == 2  # Ada's and Bob's invitations, made by the site
    (ada,) = smtp.to("ada@example.com")
    assert ada["To"] == "Ada Candidate <ada@example.com>"
    assert ada["From"] == "Example Hiring <jobs@example.com>"
    assert ada["Subject"] == "Your interview for Web test loop"
    assert ada.get_content_type() == "text/plain"
    body = ada.get_content()
    assert site.ids["link_a"] in body
    assert "Hello Ada Candidate" in body
    assert "Team A invites you" in body
    assert all(item.status == "delivered" and item.attempts == 1 for item in _mails(site))
    web = site.client()
    web.open_invitation(next(w for w in body.split() if w.startswith("http://testserver/i/")))
    assert web.get("/take").status_code == 200


def test_a_server_that_is_down_gets_the_mail_later_exactly_once(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)  # the SMTP server is not started: connections are refused
    t0 = utcnow()
    assert _deliver(site, t0) == 2
    waiting = _mails(site)
    assert [i.status for i in waiting] == ["pending", "pending"]
    assert all(i.attempts == 1 for i in waiting)
    assert f"cannot send through the SMTP server at 127.0.0.1:{smtp.port}" in str(
        waiting[0].last_error)
    assert "ConnectionRefused" in str(waiting[0].last_error)
    smtp.start()
    assert _deliver(site, t0 + timedelta(seconds=10)) == 0  # not before the backoff
    assert _deliver(site, t0 + timedelta(seconds=31)) == 2
    assert _deliver(site, t0 + timedelta(days=1)) == 0
    assert sorted(r for rcpt, _ in smtp.messages() for r in rcpt) == [
        "ada@example.com", "bob@example.com"]
    assert [(i.status, i.attempts, i.last_error) for i in _mails(site)] == [
        ("delivered", 2, None), ("delivered", 2, None)]


def test_a_recipient_the_server_refuses_fails_at_once_with_the_reason(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)
    smtp.inbox.refuse = {"bob@example.com"}
    smtp.start()
    _deliver(site)
    by_target = {i.target: i for i in _mails(site)}
    assert by_target["ada@example.com"].status == "delivered"
    bob = by_target["bob@example.com"]
    assert (bob.status, bob.attempts) == ("failed", 1)
    assert "refused bob@example.com: 550" in str(bob.last_error)


def _expiry(site: Site, interview_id: int) -> Any:
    with site.platform.db.session() as s:
        return s.get(Interview, interview_id).expires_at


def _reminders(site: Site, now: Any) -> int:
    return mail.scan_reminders(site.platform.db, site.settings, now)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_reminders_go_at_the_configured_hours_once_and_never_after_submission_or_withdrawal(
        make_site: Any, smtp: SmtpServer, backend: str) -> None:  # noqa: F811
    extra: dict[str, Any] = {}
    if backend == "postgresql":
        if postgres_url() is None:
            pytest.skip("set HIRELOOP_TEST_POSTGRES_URL (scripts/test does) to test PostgreSQL")
        extra["database_url"] = postgres_url()
    site = _site(make_site, smtp, mail_reminders=[72, 24], **extra)
    smtp.start()
    _deliver(site)  # the invitations
    deadline = _expiry(site, site.ids["a"])
    assert _reminders(site, deadline - timedelta(hours=73)) == 0
    assert _reminders(site, deadline - timedelta(hours=71)) == 2  # Ada and Bob
    assert _reminders(site, deadline - timedelta(hours=70)) == 0  # each once
    _deliver(site)
    (reminder,) = [m for m in smtp.to("ada@example.com") if m["Subject"].startswith("Remind")]
    assert reminder["Subject"] == ("Reminder: your interview for Web test loop closes on "
                                   f"{mail.deadline_text(deadline)}")
    assert site.ids["link_a"] in reminder.get_content()
    # Bob's invitation is withdrawn; Ada submits her only stage
    with site.platform.db.session() as s:
        service.revoke(s, s.get(Interview, site.ids["b"]))
    assert _reminders(site, deadline - timedelta(hours=23)) == 1  # Ada's 24-hour reminder
    with site.platform.db.session() as s:
        ada = s.get(Interview, site.ids["a"])
        service.consent(ada)
        service.start_stage(ada, 0)
        service.submit_stage(s, ada, 0)
    assert _deliver(site) == 0  # cancelled by the submission before it was sent
    assert _reminders(site, deadline - timedelta(hours=1)) == 0
    sent = [(rcpt, m["Subject"].split(":")[0]) for rcpt, m in smtp.messages()]
    assert sent == [(["ada@example.com"], "Your interview for Web test loop"),
                    (["bob@example.com"], "Your interview for Web test loop"),
                    (["ada@example.com"], "Reminder"), (["bob@example.com"], "Reminder")]
    cancelled = [i for i in _mails(site) if i.status == "cancelled"]
    assert [(i.target, i.event) for i in cancelled] == [("ada@example.com", "mail.reminder")]
    # both interviews closed (a submission, a withdrawal): the outbox no longer holds a link
    # that opens them, though the candidates' own mails keep theirs
    stored = repr([i.payload for i in _mails(site)])
    token_a, token_b = (site.ids[k].rsplit("/", 1)[1] for k in ("link_a", "link_b"))
    assert token_a not in stored
    assert token_b not in stored
    assert mail.LINK_REMOVED in stored


def test_no_reminder_before_the_invitation_was_delivered_or_when_it_came_after_its_time(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp, mail_reminders=[24])
    with site.platform.db.session() as s:  # deadlines 20 and 30 hours away
        who = Principal("admin", user_id=site.ids["admin"])
        soon, _ = service.invite(s, site.platform, who, name="Cy", email="cy@example.com",
                                 loop_id=site.ids["loop"],
                                 expires_at=utcnow() + timedelta(hours=20))
        later, _ = service.invite(s, site.platform, who, name="Di", email="di@example.com",
                                  loop_id=site.ids["loop"],
                                  expires_at=utcnow() + timedelta(hours=30))
        soon_id, later_id = soon.id, later.id
    in_7h = utcnow() + timedelta(hours=7)
    assert _reminders(site, in_7h) == 0  # the invitations are not delivered yet
    smtp.start()
    _deliver(site)
    assert _reminders(site, in_7h) == 1  # Di's; Cy was invited inside the last 24 hours
    assert [i.event for i in _mails(site) if i.interview_id == soon_id] == ["mail.invitation"]
    assert [i.event for i in _mails(site) if i.interview_id == later_id] == [
        "mail.invitation", "mail.reminder"]


def test_a_resent_link_is_mailed_and_mails_with_the_old_link_are_cancelled(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)
    with site.platform.db.session() as s:
        token = service.resend(site.platform, s.get(Interview, site.ids["a"]))
    smtp.start()
    _deliver(site)
    (mail_to_ada,) = smtp.to("ada@example.com")
    assert f"http://testserver/i/{token}" in mail_to_ada.get_content()
    assert [i.status for i in _mails(site) if i.target == "ada@example.com"] == [
        "cancelled", "delivered"]
    manager = site.client()  # the interview's page tells the team, without the address
    manager.login("manager@example.com")
    shown = manager.get(f"/team/interviews/{site.ids['a']}").text
    mails = re.search(r'<p id="mails"[^>]*>(.*?)</p>', shown, re.S)
    assert mails is not None
    assert re.fullmatch(r"Mails to the candidate: invitation [\d-]+ [\d:]+: cancelled · "
                        r"invitation [\d-]+ [\d:]+: delivered", mails.group(1))
    interviewer = site.client()
    interviewer.login("interviewer@example.com")
    assert 'id="mails"' not in interviewer.get(f"/team/interviews/{site.ids['a']}").text


def test_names_with_line_breaks_cannot_add_headers_or_recipients(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)
    with site.platform.db.session() as s:
        who = Principal("admin", user_id=site.ids["admin"])
        service.invite(s, site.platform, who, name="Eve\r\nBcc: thief@example.net\r\n\r\nHi",
                       email="eve@example.com", loop_id=site.ids["loop"])
    smtp.start()
    _deliver(site)
    ((rcpt, eve),) = [(r, m) for r, m in smtp.messages() if "eve@example.com" in r]
    assert rcpt == ["eve@example.com"]
    assert eve["Bcc"] is None
    assert "\n" not in eve["To"]
    assert "thief@example.net" in eve["To"]
    assert eve["To"].addresses[0].addr_spec == "eve@example.com"
    assert eve.get_content().startswith("Hello Eve Bcc: thief@example.net Hi,")


def test_a_template_with_an_unknown_placeholder_or_code_is_refused_with_its_name() -> None:
    body = "Hi {candidate_name}, open {link}"
    with pytest.raises(mail.MailError, match=r"unknown placeholder \{salary\}"):
        mail.check_template("Offer {salary}", body)
    with pytest.raises(mail.MailError, match=r"unknown placeholder \{link.__class__\}"):
        mail.check_template("x", "{link.__class__}")
    with pytest.raises(mail.MailError, match=r"unknown placeholder \{link\[0\]\}"):
        mail.check_template("x", "{link[0]}")
    with pytest.raises(mail.MailError, match=r"\{link:>99999\}.*without a format"):
        mail.check_template("x", "{link:>99999}")
    with pytest.raises(mail.MailError, match=r"single \{ or \}"):
        mail.check_template("x", "{link} {")
    with pytest.raises(mail.MailError, match=r"must contain \{link\}"):
        mail.check_template("x", "Hello")
    assert mail.check_template("  Hi {{you}} ", body) == ("Hi {{you}}", body + "\n")
    assert mail.render("{{literal}} {loop_name}", {"loop_name": "ML"}) == "{literal} ML"


def test_an_edited_template_words_the_next_invitations(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)
    with site.platform.db.session() as s:
        mail.save_template(s, "invitation", "{team_name}: {loop_name}",
                           "Dear {candidate_name},\n{link}\nby {deadline}", site.ids["admin"])
        who = Principal("admin", user_id=site.ids["admin"])
        cy, _ = service.invite(s, site.platform, who, name="Cy", email="cy@example.com",
                               loop_id=site.ids["loop"])
        deadline = mail.deadline_text(cy.expires_at)
    smtp.start()
    _deliver(site)
    (cy_mail,) = smtp.to("cy@example.com")
    assert cy_mail["Subject"] == "Team A: Web test loop"
    assert cy_mail.get_content().startswith("Dear Cy,\nhttp://testserver/i/")
    assert cy_mail.get_content().endswith(f"by {deadline}\n")
    (ada,) = smtp.to("ada@example.com")  # queued before the edit: as it was then
    assert ada["Subject"] == "Your interview for Web test loop"


def test_mail_settings_need_a_sender_and_the_base_url() -> None:
    from pydantic import ValidationError

    from hireloop.config import Settings

    with pytest.raises(ValidationError, match="HIRELOOP_MAIL_FROM"):
        Settings(smtp_host="smtp.example.com", base_url="https://hire.example.com")
    with pytest.raises(ValidationError, match="HIRELOOP_BASE_URL"):
        Settings(smtp_host="smtp.example.com", mail_from="jobs@example.com")
    with pytest.raises(ValidationError, match="hours before the deadline"):
        Settings(mail_reminders="three days")
    assert Settings(mail_reminders="24, 72 24").mail_reminders == [72, 24]
    assert Settings(mail_reminders="").mail_reminders == []


def _env(smtp: SmtpServer) -> dict[str, str]:
    return {f"HIRELOOP_{k.upper()}": str(v) for k, v in smtp.settings().items()}


@pytest.mark.slow
def test_an_invitation_committed_before_a_crash_is_mailed_after_the_restart(
        tmp_path: Path, smtp: SmtpServer) -> None:
    """The real ``hireloop serve``: a web-only process (no grading threads, so no delivery)
    commits the invitation and is killed; the next process with grading threads sends it."""
    server = Server(tmp_path / "data", env=_env(smtp))
    server.env["HIRELOOP_BASE_URL"] = server.url  # the mailed link opens this server
    server.start(threads=0)
    try:
        added = server.cli("user", "add", "--admin", "admin@example.com", "--password-stdin",
                           stdin="a long admin password\n")
        assert added.returncode == 0, added.stderr
        admin = Api.login(server.url, "admin@example.com", "a long admin password")
        loop = admin.call("POST", "/loops", {"definition": {
            "title": "Crash loop", "role": "ML engineer",
            "stage": [{"name": "One", "minutes": 30,
                       "exercises": ["ml-foundations/probability-calibration"]}]}}, ok=201)
        invited = admin.call("POST", "/interviews", {"name": "Kim", "email": "kim@example.com",
                                                     "loop_id": loop["id"]}, ok=201)
        server.kill9()
        db = open_database(f"sqlite:///{server.data_dir / 'hireloop.db'}", upgrade=False)
        with db.session() as s:
            (item,) = s.scalars(select(OutboxItem)).all()
            assert (item.status, item.attempts, item.target) == ("pending", 0, "kim@example.com")
        smtp.start()
        server.start(threads=1)
        ((rcpt, message),) = smtp.wait_for(1)
        assert rcpt == ["kim@example.com"]
        assert invited["link"].startswith(f"{server.url}/i/")
        assert invited["link"] in message.get_content()
        opened = httpx.get(invited["link"], follow_redirects=False)
        assert opened.status_code == 303, opened.text  # the mailed link opens the interview
        time.sleep(3)  # another poll of the delivery thread sends nothing more
        assert len(smtp.messages()) == 1
        with db.session() as s:
            assert s.get(OutboxItem, item.id).status == "delivered"
    finally:
        server.stop()


def test_the_template_page_previews_refuses_unknown_placeholders_and_saves(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp)
    web = site.client()
    web.login("admin@example.com")
    shown = web.get("/team/mail/templates/reminder")
    assert shown.status_code == 200
    assert "Reminder: your interview for ML engineer phone screen closes on" in shown.text
    refused = web.form("/team/mail/templates/reminder", {
        "subject": "Hi", "body": "{candidate_name}: {link} {password}", "action": "save"})
    assert refused.status_code == 422
    assert "in the body: unknown placeholder {password}" in refused.text
    preview = web.form("/team/mail/templates/reminder", {
        "subject": "Still time, {candidate_name}", "body": "Go: {link}", "action": "preview"})
    assert preview.status_code == 200
    assert "Still time, Ada Lovelace" in preview.text
    with site.platform.db.session() as s:
        assert mail.template(s, "reminder")[2]  # a preview stores nothing
    saved = web.form("/team/mail/templates/reminder", {
        "subject": "Still time, {candidate_name}", "body": "Go: {link}", "action": "save"})
    assert saved.status_code == 303
    with site.platform.db.session() as s:
        assert mail.template(s, "reminder") == ("Still time, {candidate_name}", "Go: {link}\n",
                                                False)
    assert web.form("/team/mail/templates/reminder", {"action": "reset"}).status_code == 303
    with site.platform.db.session() as s:
        assert mail.template(s, "reminder") == (*mail.DEFAULTS["reminder"], True)
    manager = site.client()
    manager.login("manager@example.com")
    assert manager.get("/team/mail/templates/reminder").status_code == 403


def test_the_mail_page_sends_a_test_mail_and_retries_or_cancels_waiting_ones(
        make_site: Any, smtp: SmtpServer) -> None:  # noqa: F811
    site = _site(make_site, smtp, smtp_password="s3cret-smtp-pass")
    web = site.client()
    web.login("admin@example.com")
    assert web.form("/team/mail/test", {"to": "not an address"}).status_code == 422
    assert web.form("/team/mail/test", {"to": "ops@example.com"}).status_code == 303
    _deliver(site)  # down: every mail waits with its error
    page = web.get("/team/mail").text
    assert "s3cret-smtp-pass" not in page
    assert "ConnectionRefusedError" in page
    _ada, bob, test = _mails(site)
    assert web.form(f"/team/mail/outbox/{bob.id}/cancel").status_code == 303
    assert web.form(f"/team/mail/outbox/{test.id}/retry").status_code == 303
    smtp.start()
    assert _deliver(site) == 1  # the retried one at once; Ada's waits for its backoff
    assert [rcpt for rcpt, _ in smtp.messages()] == [["ops@example.com"]]
    assert [i.status for i in _mails(site)] == ["pending", "cancelled", "delivered"]
    assert web.form(f"/team/mail/outbox/{test.id}/retry").status_code == 409  # delivered
