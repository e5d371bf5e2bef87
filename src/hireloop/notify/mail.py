"""Mail: invitations and reminders over SMTP, through the outbox.

An invitation mail is rendered when the invitation is made (``invitation``, called by
``hiring.service.invite`` and ``resend`` in their transaction) and added to the outbox with
everything it needs (recipient, subject, text, link): what the candidate gets is fixed when the
change commits. The grading processes' delivery thread sends it (``send``, registered as the
``mail`` channel's sender) and retries it with backoff while the server is unreachable.

Reminders (``scan_reminders``, run by the same processes' keeper thread) go out
``mail_reminders`` hours before an invitation's deadline, each once (its ``dedupe_key``), only
for invitations that were mailed, and never once the candidate has submitted every stage or the
invitation was withdrawn or decided: those events cancel reminders still waiting.

Templates (subject and plain-text body) are the admins' (``mail_templates``) or the shipped
defaults, with a fixed set of ``{placeholders}`` substituted by ``render``: no attribute
access, no indexing, no format specs, no code. An unknown placeholder is refused when saved.
"""

from __future__ import annotations

import csv
import email.policy
import io
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from string import Formatter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireloop.config import Settings
from hireloop.db import Database
from hireloop.db.models import Interview, MailTemplate, OutboxItem, Team, utcnow
from hireloop.notify import events
from hireloop.notify.outbox import (
    DeliveryError,
    PermanentDeliveryError,
    enqueue,
    register_sender,
)

KINDS = ("invitation", "reminder")
"""the mails whose wording admins edit"""
EVENTS = {"invitation": "mail.invitation", "reminder": "mail.reminder", "test": "mail.test"}
"""the outbox ``event`` of each kind of mail"""

PLACEHOLDERS = {
    "candidate_name": "the candidate's name as invited",
    "loop_name": "the loop's title",
    "link": "the candidate's personal invitation link",
    "deadline": "when the link stops working (e.g. 2026-12-20 17:00 UTC)",
    "team_name": "the loop's hiring team (without a team: the sender's name)",
}
"""what a template may use, and what each stands for (shown on the template page)"""

DEFAULTS: dict[str, tuple[str, str]] = {
    "invitation": (
        "Your interview for {loop_name}",
        "Hello {candidate_name},\n\n"
        "{team_name} invites you to an interview: {loop_name}.\n\n"
        "Open this personal link to begin (please do not share it):\n{link}\n\n"
        "The link works until {deadline}. You may take the stages whenever it suits you "
        "before then; each stage's timer starts only when you open that stage.\n\n"
        "Best regards,\n{team_name}\n"),
    "reminder": (
        "Reminder: your interview for {loop_name} closes on {deadline}",
        "Hello {candidate_name},\n\n"
        "A reminder that your interview for {loop_name} is still open, until {deadline}.\n\n"
        "Your personal link:\n{link}\n\n"
        "If you have already finished, or no longer wish to take part, please ignore this "
        "message.\n\n"
        "Best regards,\n{team_name}\n"),
}
MAX_SUBJECT = 300
MAX_BODY = 20_000
MAX_CSV_ROWS = 500
MAX_CSV_BYTES = 1_000_000
PREVIEW_ROWS = 3


class MailError(ValueError):
    """Input that cannot be used (a template, an address, a CSV file), with the reason."""


# --- templates ------------------------------------------------------------------------------

def placeholders_in(text: str) -> list[str]:
    """The placeholders a template uses, checked: each must be one of ``PLACEHOLDERS``,
    written ``{name}`` (no ``.attribute``, ``[index]``, ``!conversion`` or ``:format``)."""
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        raise MailError("a single { or } is not allowed: write {{ or }} for a brace, or "
                          "{name} for a placeholder") from None
    used = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "") + (
            f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS:
            raise MailError(f"unknown placeholder {written}; use one of "
                              + ", ".join("{" + p + "}" for p in PLACEHOLDERS))
        if spec or conversion:
            raise MailError(f"placeholder {written}: write it as {{{name}}}, without a "
                              "format or conversion")
        used.append(name)
    return used


def render(text: str, values: dict[str, str]) -> str:
    """The template with its placeholders replaced (checked first, see ``placeholders_in``)."""
    placeholders_in(text)
    out = []
    for literal, name, _, _ in Formatter().parse(text):
        out.append(literal)
        if name is not None:
            out.append(values[name])
    return "".join(out)


def check_template(subject: str, body: str) -> tuple[str, str]:
    """A template as it will be stored, or ``MailError`` naming what is wrong."""
    subject, body = subject.strip(), body.replace("\r\n", "\n").strip() + "\n"
    if not subject:
        raise MailError("the subject is empty")
    if len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
        raise MailError(f"the subject is one line of at most {MAX_SUBJECT} characters")
    if not body.strip():
        raise MailError("the body is empty")
    if len(body) > MAX_BODY:
        raise MailError(f"the body is longer than {MAX_BODY} characters")
    for part, text in (("subject", subject), ("body", body)):
        try:
            placeholders_in(text)
        except MailError as exc:
            raise MailError(f"in the {part}: {exc}") from None
    if "link" not in placeholders_in(body):
        raise MailError("the body must contain {link}: without it the candidate cannot "
                          "open the interview")
    return subject, body


def template(s: Session, kind: str) -> tuple[str, str, bool]:
    """The subject and body in force for ``kind``, and whether they are the shipped default."""
    if kind not in KINDS:
        raise MailError(f"no mail template {kind!r} (one of {', '.join(KINDS)})")
    row = s.get(MailTemplate, kind)
    if row is None:
        return (*DEFAULTS[kind], True)
    return row.subject, row.body, False


def save_template(s: Session, kind: str, subject: str, body: str, user_id: int | None) -> None:
    """Store an admin's wording (checked) for ``kind``."""
    template(s, kind)
    subject, body = check_template(subject, body)
    row = s.get(MailTemplate, kind)
    if row is None:
        row = MailTemplate(kind=kind, subject=subject, body=body)
        s.add(row)
    row.subject, row.body, row.updated_by, row.updated_at = subject, body, user_id, utcnow()
    s.flush()


def reset_template(s: Session, kind: str) -> None:
    """Go back to the shipped wording."""
    template(s, kind)
    row = s.get(MailTemplate, kind)
    if row is not None:
        s.delete(row)
        s.flush()


def one_line(value: str) -> str:
    """A value safe in a header or a subject: control characters (line breaks) become spaces."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", value).split())


def deadline_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def values_for(s: Session, settings: Settings, interview: Interview, link: str) -> dict[str, str]:
    """The placeholders' values for a mail about ``interview``."""
    loop = interview.loop
    team = s.get(Team, loop.team_id) if loop is not None and loop.team_id else None
    title = str((interview.loop_snapshot or {}).get("title") or (loop.title if loop else ""))
    return {"candidate_name": one_line(interview.candidate.name),
            "loop_name": one_line(title),
            "link": link,
            "deadline": deadline_text(interview.expires_at),
            "team_name": one_line(team.name if team else settings.mail_from_name)}


def rendered(s: Session, kind: str, values: dict[str, str]) -> tuple[str, str]:
    """The subject and body of a ``kind`` mail with these values."""
    subject, body, _ = template(s, kind)
    return one_line(render(subject, values)), render(body, values)


# --- addresses ------------------------------------------------------------------------------

_ADDRESS = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@"
                      r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def address_problem(address: str) -> str | None:
    """Why ``address`` cannot receive mail from us (None: it can)."""
    if not address:
        return "the e-mail is empty"
    if not _ADDRESS.match(address) or ".." in address or address.startswith("."):
        return f"{address!r} is not an e-mail address"
    return None


# --- sending ----------------------------------------------------------------------------------

def mail_on(settings: Settings) -> bool:
    """Whether this platform sends mail (an SMTP server is configured)."""
    return bool(settings.smtp_host)


_POLICY = email.policy.SMTP.clone(max_line_length=998)
"""CRLF line ends; headers folded only past RFC 5322's hard limit (Python's folding at 78
moves a whole subject to a continuation line, which some clients show with a leading space)"""


def message(settings: Settings, item: OutboxItem) -> EmailMessage:
    """The mail an outbox item stands for: plain text, headers safe from injection."""
    payload = item.payload
    if not settings.mail_from:
        raise PermanentDeliveryError("no sender address: set HIRELOOP_MAIL_FROM")
    msg = EmailMessage(policy=_POLICY)
    try:
        msg["From"] = Address(display_name=one_line(settings.mail_from_name),
                              addr_spec=settings.mail_from)
        msg["To"] = Address(display_name=one_line(str(payload.get("to_name") or "")),
                            addr_spec=item.target)
    except (ValueError, IndexError) as exc:
        raise PermanentDeliveryError(f"an address cannot be used: {exc}") from None
    msg["Subject"] = one_line(str(payload["subject"]))
    msg["Date"] = format_datetime(utcnow())
    domain = settings.mail_from.rsplit("@", 1)[1]
    msg["Message-ID"] = make_msgid(idstring=f"outbox-{item.id}", domain=domain)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(str(payload["text"]))
    return msg


def _password(settings: Settings) -> str | None:
    if settings.smtp_password_file is not None:
        try:
            return settings.smtp_password_file.read_text().strip()
        except OSError as exc:
            raise DeliveryError(f"cannot read HIRELOOP_SMTP_PASSWORD_FILE: {exc}") from None
    if settings.smtp_password is not None:
        return settings.smtp_password.get_secret_value()
    return None


def _connect(settings: Settings) -> smtplib.SMTP:
    host, port, timeout = str(settings.smtp_host), settings.smtp_port, settings.smtp_timeout_s
    context = ssl.create_default_context()
    smtp: smtplib.SMTP
    if settings.smtp_security == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if settings.smtp_security == "starttls":
            smtp.starttls(context=context)
    if settings.smtp_user:
        smtp.login(settings.smtp_user, _password(settings) or "")
    return smtp


def send(settings: Settings, item: OutboxItem) -> None:
    """Deliver one mail item to the SMTP server (the ``mail`` channel's sender). A refusal of
    the recipient (5xx) is permanent; anything else (no connection, a timeout, 4xx, a wrong
    password an operator can fix) is retried."""
    if not mail_on(settings):
        raise DeliveryError("mail is off in this process: set HIRELOOP_SMTP_HOST")
    msg = message(settings, item)
    where = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        smtp = _connect(settings)
        try:
            smtp.send_message(msg, from_addr=settings.mail_from, to_addrs=[item.target])
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()))
        reason = f"the SMTP server refused {item.target}: {code} {_text(text)}"
        if code >= 500:
            raise PermanentDeliveryError(reason) from None
        raise DeliveryError(reason) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"the SMTP server refused the user name or password "
                            f"(HIRELOOP_SMTP_USER, HIRELOOP_SMTP_PASSWORD): {exc.smtp_code} "
                            f"{_text(exc.smtp_error)}") from None
    except smtplib.SMTPDataError as exc:
        reason = f"the SMTP server refused the message: {exc.smtp_code} {_text(exc.smtp_error)}"
        if exc.smtp_code >= 500:
            raise PermanentDeliveryError(reason) from None
        raise DeliveryError(reason) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"the SMTP server at {where} answered {exc.smtp_code} "
                            f"{_text(exc.smtp_error)}") from None
    except (smtplib.SMTPException, OSError, TimeoutError) as exc:
        raise DeliveryError(f"cannot send through the SMTP server at {where}: "
                            f"{type(exc).__name__}: {exc}") from None


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


register_sender("mail", send)


# --- what goes into the outbox ---------------------------------------------------------------

def invitation(s: Session, settings: Settings, interview: Interview, token: str, *,
               replacing: bool = False) -> OutboxItem | None:
    """Add the invitation mail for ``interview`` (its link carries ``token``) to the outbox in
    the caller's transaction; ``replacing`` (a resent link) first cancels the unsent mails of
    the interview's earlier links. None when mail is off."""
    if not mail_on(settings):
        return None
    if replacing:
        cancel_waiting(s, interview.id, ("invitation", "reminder"))
    link = f"{str(settings.base_url).rstrip('/')}/i/{token}"
    subject, text = rendered(s, "invitation", values_for(s, settings, interview, link))
    return enqueue(s, "mail", interview.candidate.email, EVENTS["invitation"],
                   {"kind": "invitation", "to_name": interview.candidate.name,
                    "subject": subject, "text": text, "link": link},
                   interview_id=interview.id)


def queue_test_mail(s: Session, settings: Settings, to: str, requested_by: str) -> OutboxItem:
    """A test mail to ``to``, through the outbox like every other."""
    to = to.strip()
    problem = address_problem(to)
    if problem:
        raise MailError(problem)
    if not mail_on(settings):
        raise MailError("mail is off: set HIRELOOP_SMTP_HOST (docs/operating.md, "
                          "\"E-mail\")")
    item = enqueue(s, "mail", to, EVENTS["test"], {
        "kind": "test", "to_name": "", "subject": "hireloop test mail",
        "text": f"This is a test mail from hireloop at {settings.base_url}, sent at "
                f"{deadline_text(utcnow())} by {requested_by}.\n\nIf you can read it, "
                "invitations and reminders will reach candidates the same way.\n"})
    assert item is not None
    return item


def cancel_waiting(s: Session, interview_id: int, kinds: tuple[str, ...]) -> int:
    """Cancel the interview's mails of ``kinds`` not sent yet (pending, or given up)."""
    result = s.execute(
        update(OutboxItem).where(OutboxItem.interview_id == interview_id,
                                 OutboxItem.channel == "mail",
                                 OutboxItem.event.in_([EVENTS[k] for k in kinds]),
                                 OutboxItem.status.in_(("pending", "failed")))
        .values(status="cancelled", last_error="cancelled: the invitation changed or closed")
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def mails_of(s: Session, interview_id: int) -> list[OutboxItem]:
    """The interview's mails, oldest first (for its page)."""
    return list(s.scalars(select(OutboxItem).where(
        OutboxItem.interview_id == interview_id, OutboxItem.channel == "mail")
        .order_by(OutboxItem.id)))


LINK_REMOVED = "[link removed: the interview has closed]"


def forget_links(s: Session, interview_id: int) -> int:
    """Take the invitation link out of the interview's sent, failed and cancelled mails (the
    outbox's copy only: what the candidate received is theirs). The interview stores only its
    token's hash; once no reminder can be due, nothing needs the link, and a reader of the
    database should not find one that opens the interview. Returns how many mails changed."""
    items = list(s.scalars(select(OutboxItem).where(
        OutboxItem.interview_id == interview_id, OutboxItem.channel == "mail",
        OutboxItem.status.in_(("delivered", "failed", "cancelled")))
        .execution_options(populate_existing=True)))
    links = {str(i.payload["link"]) for i in items
             if i.payload.get("link") and i.payload["link"] != LINK_REMOVED}
    changed = 0
    for item in items:
        payload = dict(item.payload)
        text = str(payload.get("text") or "")
        for link in links:
            text = text.replace(link, LINK_REMOVED)
        if "link" in payload:
            payload["link"] = LINK_REMOVED
        if "text" in payload:
            payload["text"] = text
        if payload != item.payload:
            item.payload = payload
            changed += 1
    return changed


def _closing(s: Session, event: str, interview: Interview, data: dict[str, Any]) -> None:
    """An interview submitted or decided gets no more reminders, and the outbox forgets its
    link."""
    del data
    if event in ("interview.submitted", "interview.decided"):
        cancel_waiting(s, interview.id, ("reminder",))
        s.flush()
        forget_links(s, interview.id)


events.add_listener(_closing)


def _last_invitation(s: Session, interview: Interview) -> OutboxItem | None:
    """The interview's newest invitation mail, if it was delivered and carries the link in
    force."""
    from hireloop.hiring.security import token_hash

    item = s.scalars(select(OutboxItem).where(
        OutboxItem.interview_id == interview.id, OutboxItem.channel == "mail",
        OutboxItem.event == EVENTS["invitation"], OutboxItem.status != "cancelled")
        .order_by(OutboxItem.id.desc()).limit(1)).first()
    if item is None or item.status != "delivered":
        return None
    link = str(item.payload.get("link") or "")
    if token_hash(link.rsplit("/", 1)[-1]) != interview.token_hash:
        return None
    return item


def due_reminders(s: Session, settings: Settings, now: datetime | None = None) -> int:
    """Add the reminders due at ``now`` to the outbox; returns how many. For each open,
    mailed invitation whose deadline is less than one of ``mail_reminders`` hours away, the
    nearest such reminder is added once (if the invitation was mailed before its time)."""
    from hireloop.hiring.service import submitted_at

    hours = sorted(settings.mail_reminders)
    if not mail_on(settings) or not hours:
        return 0
    now = now or utcnow()
    found = s.scalars(select(Interview).where(
        Interview.revoked_at.is_(None), Interview.decision.is_(None),
        Interview.expires_at > now,
        Interview.expires_at <= now + timedelta(hours=hours[-1]))).all()
    added = 0
    for interview in found:
        if submitted_at(interview) is not None:
            continue
        due = [h for h in hours if interview.expires_at - timedelta(hours=h) <= now]
        nearest = min(due)
        invited = _last_invitation(s, interview)
        if invited is None or invited.created_at > interview.expires_at - timedelta(
                hours=nearest):
            continue  # not mailed by us, or mailed after this reminder's time: no reminder
        link = str(invited.payload["link"])
        subject, text = rendered(s, "reminder", values_for(s, settings, interview, link))
        item = enqueue(s, "mail", interview.candidate.email, EVENTS["reminder"],
                       {"kind": "reminder", "to_name": interview.candidate.name,
                        "subject": subject, "text": text, "hours": nearest},
                       interview_id=interview.id,
                       dedupe_key=f"reminder:{interview.id}:{nearest}h:"
                                  f"{int(interview.expires_at.timestamp())}")
        added += item is not None
    return added


def scan_reminders(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """``due_reminders`` in a transaction of its own (the keeper thread's call)."""
    if not mail_on(settings) or not settings.mail_reminders:
        return 0
    with db.session() as s:
        return due_reminders(s, settings, now)


# --- inviting from a CSV file ----------------------------------------------------------------

@dataclass
class CsvRow:
    line: int
    name: str
    email: str
    deadline: datetime | None = None


@dataclass
class CsvPlan:
    """What a CSV file would do: the rows to invite, the rows refused (by line) and why."""

    rows: list[CsvRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


COLUMNS = {"name": ("name", "full name", "candidate", "candidate name"),
           "email": ("email", "e-mail", "email address", "e-mail address", "mail"),
           "deadline": ("deadline", "expires", "due")}


def _deadline(value: str, now: datetime) -> datetime:
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            moment = datetime.fromisoformat(value).replace(hour=23, minute=59, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value)
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    except ValueError:
        raise MailError(f"deadline {value!r} is not a date (YYYY-MM-DD, or YYYY-MM-DD "
                          "HH:MM in UTC)") from None
    if moment <= now + timedelta(hours=1):
        raise MailError(f"deadline {value} has passed or is less than an hour away")
    if moment > now + timedelta(days=365):
        raise MailError(f"deadline {value} is more than a year away")
    return moment


def parse_csv(data: bytes, *, known: set[str] | None = None,
              now: datetime | None = None) -> CsvPlan:
    """Read a CSV of candidates (a header row naming ``name`` and ``email``, optionally
    ``deadline``), separated by commas, semicolons or tabs. Rows are numbered as a
    spreadsheet shows them (the header is line 1); a row is refused for a missing name, a
    bad e-mail, a bad deadline, or an e-mail seen on an earlier line or in ``known`` (those
    already invited to the loop)."""
    now = now or utcnow()
    if len(data) > MAX_CSV_BYTES:
        raise MailError(f"the file is larger than {MAX_CSV_BYTES // 1000} KB; split it")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MailError("the file is not UTF-8 text: save it as \"CSV UTF-8\"") from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise MailError("the file is empty: it needs a header row (name,email) and a row "
                          "per candidate")
    header_line = next(line for line in lines if line.strip())
    delimiter = max(",;\t", key=header_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    plan = CsvPlan()
    where: dict[str, int] = {}
    seen: dict[str, int] = {}
    start = 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            for column, names in COLUMNS.items():
                for i, title in enumerate(header):
                    if title in names and column not in where:
                        where[column] = i
            missing = [c for c in ("name", "email") if c not in where]
            if missing:
                raise MailError(f"line {line}: the header row needs the columns name and "
                                  f"email (missing: {', '.join(missing)}; found: "
                                  f"{', '.join(header) or 'nothing'})")
            plan.ignored_columns = [c for i, c in enumerate(header)
                                    if i not in where.values() and c]
            continue
        if len(plan.rows) + len(plan.errors) >= MAX_CSV_ROWS:
            raise MailError(f"more than {MAX_CSV_ROWS} candidates: split the file")

        def value(column: str, cells: list[str] = record) -> str:
            i = where.get(column)
            return cells[i].strip() if i is not None and i < len(cells) else ""

        name, email = one_line(value("name")), value("email").lower()
        if not name:
            plan.errors.append((line, "the name is missing"))
            continue
        problem = address_problem(email)
        if problem:
            plan.errors.append((line, problem))
            continue
        if email in seen:
            plan.errors.append((line, f"{email} is a duplicate of line {seen[email]}"))
            continue
        seen[email] = line
        if known and email in known:
            plan.errors.append((line, f"{email} is already invited to this loop"))
            continue
        row = CsvRow(line, name[:200], email)
        if value("deadline"):
            try:
                row.deadline = _deadline(value("deadline"), now)
            except MailError as exc:
                plan.errors.append((line, str(exc)))
                continue
        plan.rows.append(row)
    if header is None:
        raise MailError("the file is empty")
    return plan
