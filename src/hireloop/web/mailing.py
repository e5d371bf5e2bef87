"""Mail pages: the SMTP settings in force with a test mail, the mail outbox (admins), the
editable invitation and reminder templates (admins), and inviting a loop's candidates in bulk
from a CSV file (hiring managers and admins: upload, preview, confirm)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from starlette.datastructures import UploadFile

from hireloop.db.models import Interview, OutboxItem, RateHit, utcnow
from hireloop.hiring import security, service
from hireloop.hiring.service import Invalid, TooMany
from hireloop.notify import mail, outbox
from hireloop.web.deps import Admin, Csrf, Id, PlatformDep, SessionDep, TeamReader
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)

OUTBOX_ROWS = 200
"""the newest mails the outbox page lists"""


def _settings_shown(settings: Any) -> list[tuple[str, str]]:
    """The mail settings in force, as the page shows them (never the password)."""
    password = ("set (from a file)" if settings.smtp_password_file else
                "set" if settings.smtp_password else "none")
    return [("Server (HIRELOOP_SMTP_HOST, _PORT)",
             f"{settings.smtp_host}:{settings.smtp_port}" if settings.smtp_host else
             "none: mail is off"),
            ("Security (HIRELOOP_SMTP_SECURITY)", settings.smtp_security),
            ("User (HIRELOOP_SMTP_USER)", settings.smtp_user or "none (no sign-in)"),
            ("Password", password),
            ("Sender (HIRELOOP_MAIL_FROM, _FROM_NAME)",
             f"{settings.mail_from_name} <{settings.mail_from or 'not set'}>"),
            ("Links (HIRELOOP_BASE_URL)", settings.base_url or "not set"),
            ("Reminders (HIRELOOP_MAIL_REMINDERS)",
             ", ".join(f"{h} h" for h in settings.mail_reminders) + " before the deadline"
             if settings.mail_reminders else "none")]


def _mail_page(request: Request, s: Any, platform: Any, status_code: int = 200,
               **extra: Any) -> HTMLResponse:
    status = request.query_params.get("status") or ""
    query = select(OutboxItem).where(OutboxItem.channel == "mail")
    if status in outbox.STATUSES:
        query = query.where(OutboxItem.status == status)
    items = s.scalars(query.order_by(OutboxItem.id.desc()).limit(OUTBOX_ROWS)).all()
    counts = dict(s.execute(select(OutboxItem.status, func.count()).where(
        OutboxItem.channel == "mail").group_by(OutboxItem.status)).all())
    templates = {kind: mail.template(s, kind)[2] for kind in mail.KINDS}
    return page(request, "team/mail.html", status_code=status_code, items=items,
                counts=counts, statuses=outbox.STATUSES, status=status,
                settings_shown=_settings_shown(platform.settings),
                mail_on=mail.mail_on(platform.settings), templates=templates, **extra)


@router.get("/team/mail")
def mail_page(request: Request, me: Admin, s: SessionDep, platform: PlatformDep) -> HTMLResponse:
    return _mail_page(request, s, platform)


@router.post("/team/mail/test", dependencies=[Csrf])
def send_test_mail(request: Request, me: Admin, s: SessionDep, platform: PlatformDep,
              to: Annotated[str, Form(max_length=320)] = "") -> Response:
    """Queue a test mail (the delivery thread sends it; its row shows how that went)."""
    try:
        item = mail.queue_test_mail(s, platform.settings, to, me.email or f"user {me.user_id}")
    except mail.MailError as exc:
        s.rollback()
        return _mail_page(request, s, platform, 422, error=str(exc), to=to)
    s.commit()
    return RedirectResponse(f"/team/mail?tested={item.id}#outbox", 303)


def _item_action(s: Any, item_id: int, action: Any) -> None:
    item = s.get(OutboxItem, item_id)
    if item is None or item.channel != "mail":
        raise service.NotFound(f"no mail {item_id} in the outbox")
    try:
        action(s, item_id)
    except outbox.OutboxError as exc:
        raise service.Conflict(str(exc)) from None


@router.post("/team/mail/outbox/{mail_id}/retry", dependencies=[Csrf])
def retry_mail(mail_id: Id, me: Admin, s: SessionDep) -> Response:
    """Send a waiting or failed mail now."""
    _item_action(s, mail_id, outbox.retry_now)
    s.commit()
    return RedirectResponse("/team/mail#outbox", 303)


@router.post("/team/mail/outbox/{mail_id}/cancel", dependencies=[Csrf])
def cancel_mail(mail_id: Id, me: Admin, s: SessionDep) -> Response:
    """Never send a waiting or failed mail."""
    _item_action(s, mail_id, outbox.cancel)
    s.commit()
    return RedirectResponse("/team/mail#outbox", 303)


# --- templates ---------------------------------------------------------------------------------

def _sample_values(settings: Any) -> dict[str, str]:
    base = (settings.base_url or "https://hire.example.com").rstrip("/")
    return {"candidate_name": "Ada Lovelace", "loop_name": "ML engineer phone screen",
            "link": f"{base}/i/(the candidate's own link)",
            "deadline": mail.deadline_text(utcnow() + timedelta(days=settings.invite_days)),
            "team_name": "Research team"}


def _template_page(request: Request, kind: str, subject: str, body: str, default: bool,
                   settings: Any, status_code: int = 200, **extra: Any) -> HTMLResponse:
    preview = None
    if "error" not in extra:
        values = _sample_values(settings)
        preview = (mail.one_line(mail.render(subject, values)), mail.render(body, values))
    return page(request, "team/mail_template.html", status_code=status_code, kind=kind,
                subject=subject, body=body, default=default, preview=preview,
                placeholders=mail.PLACEHOLDERS, **extra)


def _kind(kind: str) -> str:
    if kind not in mail.KINDS:
        raise service.NotFound(f"no mail template {kind!r} (one of {', '.join(mail.KINDS)})")
    return kind


@router.get("/team/mail/templates/{kind}")
def template_page(request: Request, kind: str, me: Admin, s: SessionDep,
                  platform: PlatformDep) -> HTMLResponse:
    subject, body, default = mail.template(s, _kind(kind))
    return _template_page(request, kind, subject, body, default, platform.settings,
                          saved=request.query_params.get("saved"))


@router.post("/team/mail/templates/{kind}", dependencies=[Csrf])
def save_template(request: Request, kind: str, me: Admin, s: SessionDep, platform: PlatformDep,
                  subject: Annotated[str, Form(max_length=1000)] = "",
                  body: Annotated[str, Form(max_length=50_000)] = "",
                  action: Annotated[str, Form(max_length=20)] = "save") -> Response:
    """``action``: ``preview`` (render, store nothing), ``save``, or ``reset`` (back to the
    shipped wording)."""
    _kind(kind)
    if action == "reset":
        mail.reset_template(s, kind)
        s.commit()
        return RedirectResponse(f"/team/mail/templates/{kind}?saved=reset", 303)
    try:
        subject, body = mail.check_template(subject, body)
    except mail.MailError as exc:
        return _template_page(request, kind, subject, body, False, platform.settings, 422,
                              error=str(exc))
    if action == "preview":
        return _template_page(request, kind, subject, body, False, platform.settings,
                              previewing=True)
    mail.save_template(s, kind, subject, body, me.user_id)
    s.commit()
    return RedirectResponse(f"/team/mail/templates/{kind}?saved=1", 303)


# --- inviting from a CSV file ------------------------------------------------------------------

def _known(s: Any, loop_id: int) -> set[str]:
    """E-mails with an invitation to the loop that was not withdrawn."""
    from hireloop.db.models import Candidate

    return set(s.scalars(select(Candidate.email).join(Interview).where(
        Interview.loop_id == loop_id, Interview.revoked_at.is_(None))))


async def _csv_bytes(request: Request) -> bytes:
    form = await request.form()
    upload = form.get("csv_file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = await upload.read(mail.MAX_CSV_BYTES + 1)
        if data:
            return data
    text = form.get("csv_text")
    if isinstance(text, str) and text.strip():
        return text.encode("utf-8")
    raise Invalid("choose a CSV file (or paste its text)")


def _preview_rows(s: Any, settings: Any, record: Any, plan: mail.CsvPlan) -> list[dict[str, Any]]:
    """The first rows' mails exactly as they will be rendered (the link is made on confirm)."""
    from hireloop.db.models import Team

    team = s.get(Team, record.team_id) if record.team_id else None
    out = []
    for row in plan.rows[:mail.PREVIEW_ROWS]:
        deadline = row.deadline or utcnow() + timedelta(days=settings.invite_days)
        values = {"candidate_name": mail.one_line(row.name),
                  "loop_name": mail.one_line(record.title),
                  "link": f"{(settings.base_url or '').rstrip('/')}/i/(made when you confirm)",
                  "deadline": mail.deadline_text(deadline),
                  "team_name": mail.one_line(team.name if team else settings.mail_from_name)}
        subject, text = mail.rendered(s, "invitation", values)
        out.append({"row": row, "subject": subject, "text": text})
    return out


@router.get("/team/loops/{loop_id}/invite-csv")
def bulk_page(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
              platform: PlatformDep) -> HTMLResponse:
    record = service.loop_for(s, me, loop_id, "interview.invite")
    return page(request, "team/bulk_invite.html", loop=record,
                mail_on=mail.mail_on(platform.settings), max_rows=mail.MAX_CSV_ROWS)


@router.post("/team/loops/{loop_id}/invite-csv", dependencies=[Csrf])
async def bulk_invite(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
                      platform: PlatformDep) -> Response:
    """Without ``confirm=yes``: the preview (what will be sent to whom, and each refused row
    by line). With it: every valid row invited and its mail queued, in one transaction."""
    record = service.loop_for(s, me, loop_id, "interview.invite")
    settings = platform.settings
    form = await request.form()
    confirm = form.get("confirm") == "yes"
    try:
        data = await _csv_bytes(request)
        plan = mail.parse_csv(data, known=_known(s, record.id))
    except (Invalid, mail.MailError) as exc:
        return page(request, "team/bulk_invite.html", status_code=422, loop=record,
                    mail_on=mail.mail_on(settings), max_rows=mail.MAX_CSV_ROWS,
                    error=str(exc))
    text = data.decode("utf-8-sig")
    if not confirm:
        return page(request, "team/bulk_preview.html", loop=record, plan=plan, csv_text=text,
                    previews=_preview_rows(s, settings, record, plan),
                    mail_on=mail.mail_on(settings))
    if not plan.rows:
        raise Invalid("no row of the file can be invited; correct it and upload it again")
    key = f"invite:{me.user_id}"
    used = security.count(s, key, 3600)
    if used + len(plan.rows) > settings.invites_per_hour:
        raise TooMany(f"{len(plan.rows)} invitations would pass your limit of "
                      f"{settings.invites_per_hour} an hour ({used} used); split the file or "
                      "wait")
    now = utcnow()
    s.add_all([RateHit(key=key, at=now) for _ in plan.rows])
    made = []
    for row in plan.rows:
        try:
            interview, token = service.invite(s, platform, me, name=row.name, email=row.email,
                                              loop_id=record.id, expires_at=row.deadline)
        except service.ServiceError as exc:
            s.rollback()
            raise Invalid(f"line {row.line}: {exc.message}; nothing was sent") from None
        made.append({"row": row, "interview": interview,
                     "link": None if mail.mail_on(settings) else
                     f"{(settings.base_url or str(request.base_url)).rstrip('/')}/i/{token}"})
    s.commit()
    return page(request, "team/bulk_done.html", loop=record, made=made, plan=plan,
                mail_on=mail.mail_on(settings))
