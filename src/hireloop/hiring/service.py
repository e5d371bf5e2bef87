"""The platform's operations, shared by the JSON API and the pages (one place for each rule).

Every function takes an open SQLAlchemy session; the caller commits. Errors are
``ServiceError`` subclasses carrying the HTTP status a front end should answer with and a
message a person can act on.
"""

from __future__ import annotations

import json
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hireloop.bank.loops import LoadedLoop, Loop, check_loop, load_loops, resolve_loop
from hireloop.config import Settings
from hireloop.core import Grade
from hireloop.db.models import (
    Answer,
    ApiToken,
    Assignment,
    BankReload,
    Candidate,
    GradingJob,
    Interview,
    LoopRecord,
    Note,
    Override,
    PasswordReset,
    RateHit,
    SetupToken,
    StageRun,
    Team,
    TrialRun,
    Upload,
    User,
    WebSession,
    utcnow,
)
from hireloop.hiring import security
from hireloop.hiring.authz import TEAM_ROLES, Principal, Scope, allowed
from hireloop.jobs import Runtime

GRACE_S = 120
"""after a stage's time is up, saves are still accepted this long (clock skew, slow networks)"""
DECISIONS = ("advance", "hold", "reject")


class ServiceError(Exception):
    """A request that cannot be carried out, with the status and a message for people."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Unauthorized(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 401


class NotFound(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 404


class Forbidden(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 403


class Invalid(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 422


class Conflict(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 409


class TooLarge(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 413


class Gone(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 410


class TooMany(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 429


class Unsupported(ServiceError):  # noqa: N818 - named after the HTTP status
    status = 415


@dataclass
class Platform:
    """One running platform: settings, the grading runtime (database, bank, queue), loops."""

    settings: Settings
    runtime: Runtime
    templates: dict[str, LoadedLoop] = field(default_factory=dict)

    @classmethod
    def create(cls, settings: Settings, runtime: Runtime | None = None) -> Platform:
        """Open everything the settings name."""
        runtime = runtime or Runtime.create(settings)
        return cls(settings, runtime, load_loops(settings.loop_dirs()))

    @property
    def db(self) -> Any:
        return self.runtime.db

    @property
    def bank(self) -> Any:
        return self.runtime.bank

    def usable_templates(self) -> dict[str, Loop]:
        """Built-in and configured loop templates that fit the bank."""
        return {i: t.loop for i, t in self.templates.items()
                if t.loop is not None and not check_loop(t, self.bank)}


# --- users and sessions -----------------------------------------------------------------

def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    email = email.strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise Invalid(f"{email!r} is not an email address")
    return email


ROLES = TEAM_ROLES
RESET_HOURS = 24
"""how long an admin's password-reset link stays valid"""


def create_user(s: Session, email: str, password: str, role: str, name: str = "",
                team_id: int | None = None) -> User:
    """A new team member; the email must be new and the password long enough. Hiring
    managers need a team (their team's loops are what they act on)."""
    email = normalise_email(email)
    if role not in ROLES:
        raise Invalid(f"the role must be one of {', '.join(ROLES)}")
    if role == "hiring_manager" and team_id is None:
        raise Invalid("a hiring manager needs a team")
    if team_id is not None and s.get(Team, team_id) is None:
        raise Invalid(f"no team {team_id}")
    problem = security.password_problem(password)
    if problem:
        raise Invalid(problem)
    if s.scalar(select(User).where(User.email == email)) is not None:
        raise Conflict(f"there is already a user {email}")
    user = User(email=email, name=name.strip()[:200], role=role, team_id=team_id,
                password_hash=security.hash_password(password))
    s.add(user)
    s.flush()
    return user


def create_team(s: Session, name: str) -> Team:
    """A new hiring team."""
    name = name.strip()[:200]
    if not name:
        raise Invalid("the team needs a name")
    if s.scalar(select(Team).where(Team.name == name)) is not None:
        raise Conflict(f"there is already a team {name!r}")
    team = Team(name=name)
    s.add(team)
    s.flush()
    return team


def get_user(s: Session, user_id: int) -> User:
    user = s.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _active_admins(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active.is_(True))) or 0


def _end_sessions(s: Session, user_id: int) -> None:
    s.execute(delete(WebSession).where(WebSession.user_id == user_id))


def update_user(s: Session, me: Principal, user: User, *, role: str | None = None,
                team_id: int | None = None, clear_team: bool = False,
                active: bool | None = None) -> User:
    """Change a member's role, team or whether they may sign in. Deactivating ends every
    session and API token of theirs at once; the last active admin stays."""
    if role is not None and role not in ROLES:
        raise Invalid(f"the role must be one of {', '.join(ROLES)}")
    if team_id is not None and s.get(Team, team_id) is None:
        raise Invalid(f"no team {team_id}")
    new_role = role or user.role
    new_team = None if clear_team else (team_id if team_id is not None else user.team_id)
    new_active = user.active if active is None else active
    if new_role == "hiring_manager" and new_team is None:
        raise Invalid("a hiring manager needs a team")
    losing_admin = user.role == "admin" and user.active and (
        new_role != "admin" or not new_active)
    if losing_admin and _active_admins(s) <= 1:
        raise Conflict("this is the last active admin; make another admin first")
    if user.id == me.user_id and not new_active:
        raise Conflict("you cannot deactivate yourself")
    user.role, user.team_id, user.active = new_role, new_team, new_active
    if not new_active or losing_admin or role is not None or team_id is not None or clear_team:
        _end_sessions(s, user.id)  # what they may do changed: sign in again
    if not new_active:
        s.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                         ApiToken.revoked_at.is_(None))
                  .values(revoked_at=utcnow()))
    s.flush()
    return user


def new_password_reset(s: Session, me: Principal, user: User) -> str:
    """A one-time link (its token) for ``user`` to set a new password; older ones stop."""
    s.execute(update(PasswordReset).where(PasswordReset.user_id == user.id,
                                          PasswordReset.used_at.is_(None))
              .values(used_at=utcnow()))
    token = security.new_token()
    s.add(PasswordReset(user_id=user.id, token_hash=security.token_hash(token),
                        created_by=me.user_id,
                        expires_at=utcnow() + timedelta(hours=RESET_HOURS)))
    s.flush()
    return token


def password_reset_user(s: Session, token: str) -> tuple[PasswordReset, User]:
    """The reset and its user, or Gone."""
    row = s.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == security.token_hash(token)))
    user = s.get(User, row.user_id) if row is not None else None
    if (row is None or user is None or row.used_at is not None or row.expires_at < utcnow()
            or not user.active):
        raise Gone("this password link was used already, replaced or has expired; ask an "
                   "admin for a new one")
    return row, user


def use_password_reset(s: Session, token: str, password: str) -> User:
    """Set the new password through the link; every session of the user ends."""
    row, user = password_reset_user(s, token)
    problem = security.password_problem(password)
    if problem:
        raise Invalid(problem)
    user.password_hash = security.hash_password(password)
    row.used_at = utcnow()
    _end_sessions(s, user.id)
    s.flush()
    return user


def authenticate(s: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None (same answer for both mistakes)."""
    try:
        email = normalise_email(email)
    except Invalid:
        return None
    user = s.scalar(select(User).where(User.email == email))
    if user is None or not user.active:
        security.verify_password(_DUMMY_HASH, password)  # same time as a wrong password
        return None
    if not security.verify_password(user.password_hash, password):
        return None
    if security.needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    return user


def sign_in(s: Session, email: str, password: str, address: str,
            device: str | None) -> User:
    """Check a sign-in attempt against the throttle, then the password (pages and API).
    Commits the attempt's bookkeeping. Raises TooMany or Unauthorized."""
    refusal = security.sign_in_refusal(s, email, address, device)
    if refusal:
        raise TooMany(refusal)
    user = authenticate(s, email, password)
    if user is None:
        security.sign_in_failed(s, email, address)
        s.commit()
        raise Unauthorized("wrong email or password")
    return user


_DUMMY_HASH = security.hash_password("not a real password, only for timing")


def has_admin(s: Session) -> bool:
    """Whether the first admin exists."""
    count = s.scalar(select(func.count()).select_from(User).where(User.role == "admin"))
    return bool(count)


def new_setup_token(s: Session) -> str:
    """A one-time link token for creating the first admin (older unused ones stop working)."""
    s.execute(update(SetupToken).where(SetupToken.used_at.is_(None)).values(used_at=utcnow()))
    token = security.new_token()
    s.add(SetupToken(token_hash=security.token_hash(token)))
    s.flush()
    return token


def use_setup_token(s: Session, token: str, email: str, password: str, name: str) -> User:
    """Create the first admin through the one-time link."""
    row = s.scalar(select(SetupToken).where(SetupToken.token_hash == security.token_hash(token)))
    if row is None or row.used_at is not None or has_admin(s):
        raise Gone("this setup link was used already or replaced; ask the operator to run "
                   "`hireloop user add --admin EMAIL`")
    user = create_user(s, email, password, "admin", name)
    row.used_at = utcnow()
    return user


def start_session(s: Session, settings: Settings, *, user_id: int | None = None,
                  interview_id: int | None = None) -> str:
    """A new signed-in session; returns its token (for the cookie or a bearer header)."""
    token = security.new_token()
    s.add(WebSession(token_hash=security.token_hash(token), user_id=user_id,
                     interview_id=interview_id, csrf_token=security.new_token(),
                     expires_at=utcnow() + timedelta(hours=settings.session_hours)))
    s.flush()
    return token


@dataclass(frozen=True)
class Credential:
    """Who holds a session or API token, and the CSRF token bound to a session."""

    principal: Principal
    csrf: str | None


def credential_for(s: Session, settings: Settings, token: str | None, *,
                   bearer: bool = False) -> Credential | None:
    """Who holds this session or API token, or None when it is unknown, expired, revoked,
    its user deactivated, or its invitation closed."""
    if not token:
        return None
    digest = security.token_hash(token)
    if bearer and token.startswith(security.API_TOKEN_PREFIX):
        found = s.execute(
            select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == digest)).first()
        if found is None:
            return None
        api, user = found
        if api.revoked_at is not None or not user.active:
            return None
        now = utcnow()
        if api.last_used_at is None or now - api.last_used_at > timedelta(minutes=5):
            s.execute(update(ApiToken).where(ApiToken.id == api.id).values(last_used_at=now))
            s.commit()
        return Credential(Principal(user.role, user_id=user.id, email=user.email,  # type: ignore[arg-type]
                                    name=user.name, team_id=user.team_id, csrf_exempt=True),
                          None)
    row = s.execute(
        select(WebSession.expires_at, WebSession.user_id, WebSession.interview_id,
               WebSession.csrf_token, User.role, User.email, User.name, User.active,
               User.team_id)
        .outerjoin(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == digest)).first()
    if row is None or row.expires_at < utcnow():
        return None
    if row.user_id is not None:
        if row.role is None or not row.active:
            return None
        return Credential(Principal(row.role, user_id=row.user_id, email=row.email,
                                    name=row.name, team_id=row.team_id, csrf_exempt=bearer),
                          row.csrf_token)
    if row.interview_id is not None:
        interview = s.get(Interview, row.interview_id)
        if interview is None or invitation_closed(settings, interview):
            return None
        return Credential(Principal("candidate", interview_id=row.interview_id,
                                    csrf_exempt=bearer), row.csrf_token)
    return None


def end_session(s: Session, token: str | None) -> None:
    """Sign out."""
    if token:
        row = s.scalar(select(WebSession).where(
            WebSession.token_hash == security.token_hash(token)))
        if row is not None:
            s.delete(row)


# --- API tokens ----------------------------------------------------------------------------

def create_api_token(s: Session, me: Principal, name: str) -> tuple[ApiToken, str]:
    """A long-lived token for scripts, acting as ``me``; the token is shown only now."""
    if not allowed(me, "tokens.own") or me.user_id is None:
        raise Forbidden("only team members have API tokens")
    name = name.strip()[:200]
    if not name:
        raise Invalid("name the token after what will use it (e.g. 'ATS sync')")
    live = s.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == me.user_id, ApiToken.revoked_at.is_(None))) or 0
    if live >= 20:
        raise Conflict("you have 20 live API tokens; revoke one first")
    token = security.API_TOKEN_PREFIX + security.new_token()
    row = ApiToken(user_id=me.user_id, name=name, token_hash=security.token_hash(token))
    s.add(row)
    s.flush()
    return row, token


def api_tokens(s: Session, me: Principal) -> list[ApiToken]:
    """The caller's own tokens, newest first (revoked ones too)."""
    return list(s.scalars(select(ApiToken).where(ApiToken.user_id == me.user_id)
                          .order_by(ApiToken.id.desc())))


def revoke_api_token(s: Session, me: Principal, token_id: int) -> ApiToken:
    """Revoke one of one's own tokens (admins: anyone's)."""
    row = s.get(ApiToken, token_id)
    if row is None or (row.user_id != me.user_id and me.role != "admin"):
        raise NotFound(f"no API token {token_id}")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    s.flush()
    return row


# --- what a principal may see ------------------------------------------------------------

def loop_scope(record: LoopRecord) -> Scope:
    return Scope(team_id=record.team_id)


def interview_scope(interview: Interview) -> Scope:
    return Scope(team_id=interview.loop.team_id if interview.loop else None,
                 interview_id=interview.id,
                 assignees=frozenset(a.user_id for a in interview.assignments))


def check(me: Principal, action: str, scope: Scope, what: str) -> None:
    """Raise NotFound when ``me`` may not even see the object, Forbidden when they may see
    it but not do ``action`` on it."""
    if allowed(me, action, scope):
        return
    readable = ("loop.read" if scope.interview_id is None else "interview.read")
    if allowed(me, readable, scope):
        raise Forbidden(f"you may not do this on {what}")
    raise NotFound(f"no {what}")


def loop_for(s: Session, me: Principal, loop_id: int, action: str = "loop.read") -> LoopRecord:
    """A loop the principal may do ``action`` on (NotFound or Forbidden otherwise)."""
    record = get_loop(s, loop_id)
    check(me, action, loop_scope(record), f"loop {loop_id}")
    return record


def interview_for(s: Session, me: Principal, interview_id: int,
                  action: str = "interview.read") -> Interview:
    """An interview the principal may do ``action`` on (NotFound or Forbidden otherwise)."""
    interview = s.get(Interview, interview_id)
    if interview is None:
        raise NotFound(f"no interview {interview_id}")
    check(me, action, interview_scope(interview), f"interview {interview_id}")
    return interview


def team_answer_for(s: Session, me: Principal, answer_id: int) -> Answer:
    """An interview's answer the principal may review."""
    answer = s.get(Answer, answer_id)
    if answer is None or answer.interview_id is None:
        raise NotFound(f"no answer {answer_id}")
    interview_for(s, me, answer.interview_id)
    return answer


def _interview_filter(me: Principal) -> Any:
    """``allowed(me, "interview.read", ...)`` as a SQL condition on ``Interview`` (the
    listing queries narrow to it; ``hireloop.hiring.listing`` counts and pages with it)."""
    if me.role == "admin":
        return True
    if me.role == "hiring_manager":
        if me.team_id is None:
            return False  # a manager of no team manages no loop (not the loops of no team)
        return Interview.loop_id.in_(select(LoopRecord.id).where(
            LoopRecord.team_id == me.team_id))
    if me.role == "interviewer":
        return Interview.id.in_(select(Assignment.interview_id).where(
            Assignment.user_id == me.user_id))
    return False


def visible_interviews(s: Session, me: Principal, *, limit: int = 1000,
                       loop_id: int | None = None,
                       ids: list[int] | None = None) -> list[Interview]:
    """The interviews ``me`` may see (of one loop, or of these ids), newest first."""
    query = select(Interview).where(_interview_filter(me))
    if loop_id is not None:
        query = query.where(Interview.loop_id == loop_id)
    if ids is not None:
        query = query.where(Interview.id.in_(ids))
    rows = s.scalars(query.order_by(Interview.id.desc()).limit(limit)).all()
    return [i for i in rows if allowed(me, "interview.read", interview_scope(i))]


def visible_loops(s: Session, me: Principal, *, archived: bool | None = None) -> list[LoopRecord]:
    """The loops ``me`` may see."""
    query = select(LoopRecord)
    if me.role == "hiring_manager":
        query = query.where(LoopRecord.team_id == me.team_id)
    elif me.role != "admin":
        return []
    if archived is not None:
        query = query.where(LoopRecord.archived.is_(archived))
    rows = s.scalars(query.order_by(LoopRecord.id)).all()
    return [r for r in rows if allowed(me, "loop.read", loop_scope(r))]


def visible_candidates(s: Session, me: Principal) -> list[Candidate]:
    """Candidates with at least one interview ``me`` may see (admins: all)."""
    if me.role == "admin":
        return list(s.scalars(select(Candidate).order_by(Candidate.id.desc())))
    ids = {i.candidate_id for i in visible_interviews(s, me, limit=100_000)}
    if not ids:
        return []
    return list(s.scalars(select(Candidate).where(Candidate.id.in_(ids))
                          .order_by(Candidate.id.desc())))


def assignable_users(s: Session, interview: Interview) -> list[User]:
    """Who may be assigned to an interview: active interviewers and hiring managers of its
    loop's team."""
    team_id = interview.loop.team_id if interview.loop else None
    if team_id is None:
        return []
    return list(s.scalars(select(User).where(
        User.team_id == team_id, User.active.is_(True),
        User.role.in_(("interviewer", "hiring_manager"))).order_by(User.email)))


def assign(s: Session, interview: Interview, user_id: int) -> Assignment:
    """Assign an interviewer of the loop's team to the interview."""
    if user_id not in {u.id for u in assignable_users(s, interview)}:
        raise Invalid(f"user {user_id} is not an active member of this loop's team")
    existing = next((a for a in interview.assignments if a.user_id == user_id), None)
    if existing is not None:
        return existing
    row = Assignment(interview_id=interview.id, user_id=user_id)
    interview.assignments.append(row)
    s.flush()
    return row


def unassign(s: Session, interview: Interview, user_id: int) -> None:
    for row in list(interview.assignments):
        if row.user_id == user_id:
            interview.assignments.remove(row)
            s.delete(row)
    s.flush()


# --- loops -------------------------------------------------------------------------------

class LoopInvalid(Invalid):
    """A loop definition with problems, each naming its stage and setting in words."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def validate_loop(platform: Platform, data: dict[str, Any]) -> Loop:
    """A loop definition checked in itself and against the bank, or LoopInvalid listing
    why (``hireloop.hiring.loop_check``: "Stage 2: no exercise 'x' in the bank")."""
    from hireloop.hiring import loop_check

    loop, problems = loop_check.check(data, platform.bank, platform.settings.data_dir)
    if loop is None:
        raise LoopInvalid(problems)
    return loop


def loop_to_toml(loop: dict[str, Any]) -> str:
    """A loop definition as the TOML an author edits (the format of ``loops/*.toml``)."""
    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(str(v), ensure_ascii=False)

    lines: list[str] = []
    for key in ("title", "role", "description", "feedback", "principles"):
        if loop.get(key) not in (None, ""):
            lines.append(f"{key} = {value(loop[key])}")
    if loop.get("blind"):
        lines.append("blind = true")
    rule = loop.get("pass_rule") or {}
    if rule:
        lines += ["", "[pass_rule]"] + [f"{k} = {value(v)}" for k, v in rule.items()]
    for stage in loop.get("stage", []):
        lines += ["", "[[stage]]"]
        for key in ("name", "minutes", "weight", "principle", "description", "exercises"):
            if stage.get(key) not in (None, "", []):
                lines.append(f"{key} = {value(stage[key])}")
        for flag in ("screening", "live"):
            if stage.get(flag):
                lines.append(f"{flag} = true")
        for pick in stage.get("pick", []):
            lines.append("[[stage.pick]]")
            lines += [f"{k} = {value(v)}" for k, v in pick.items() if v is not None]
    return "\n".join(lines) + "\n"


def parse_loop_toml(text: str) -> dict[str, Any]:
    """Read the loop editor's TOML, with the parser's message on a syntax error."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"the loop is not valid TOML: {exc}") from None


def _dump(loop: Loop) -> dict[str, Any]:
    return loop.model_dump(mode="json", exclude={"id"}, exclude_none=True)


def create_loop(s: Session, platform: Platform, user: Principal, *,
                template: str | None = None, definition: dict[str, Any] | None = None,
                title: str | None = None, team_id: int | None = None) -> LoopRecord:
    """A loop from a template (a copy the team then edits) or from a definition. It belongs
    to the creator's team (an admin may name any team, or none: admins only)."""
    if user.role == "hiring_manager":
        if team_id not in (None, user.team_id):
            raise Forbidden("hiring managers create loops for their own team")
        team_id = user.team_id
    if team_id is not None and s.get(Team, team_id) is None:
        raise Invalid(f"no team {team_id}")
    if not allowed(user, "loop.create", Scope(team_id=team_id)):
        raise Forbidden("you may not create loops")
    if template:
        loop = platform.usable_templates().get(template)
        if loop is None:
            raise NotFound(f"no usable loop template {template!r}")
        data = _dump(loop)
    elif definition is not None:
        data = _dump(validate_loop(platform, definition))
    else:
        raise Invalid("give a template or a definition")
    if title:
        data["title"] = title.strip()
        data = _dump(validate_loop(platform, data))
    record = LoopRecord(title=data["title"], template=template, definition=data,
                        created_by=user.user_id, team_id=team_id)
    s.add(record)
    s.flush()
    return record


def update_loop(platform: Platform, record: LoopRecord,
                definition: dict[str, Any]) -> LoopRecord:
    """Replace a loop's definition (invitations already sent keep the loop they were sent)."""
    data = _dump(validate_loop(platform, definition))
    record.definition, record.title, record.updated_at = data, data["title"], utcnow()
    return record


def get_loop(s: Session, loop_id: int) -> LoopRecord:
    record = s.get(LoopRecord, loop_id)
    if record is None:
        raise NotFound(f"no loop {loop_id}")
    return record


# --- candidates and invitations ---------------------------------------------------------

def invite(s: Session, platform: Platform, user: Principal, *, name: str, email: str,
           loop_id: int, interviewers: list[int] | None = None,
           expires_at: datetime | None = None) -> tuple[Interview, str]:
    """A candidate (new or known by email) invited to a loop, with the interviewers assigned
    to it, and (when mail is on) the invitation mail in the outbox; returns the link's token.
    The link works until ``expires_at`` (default: ``invite_days`` from now)."""
    name = name.strip()
    if not name:
        raise Invalid("the candidate's name is required")
    email = normalise_email(email)
    record = loop_for(s, user, loop_id, "interview.invite")
    loop = validate_loop(platform, record.definition)
    seed = secrets.randbelow(2**31)
    try:
        plan = resolve_loop(loop, platform.bank, seed)
    except ValueError as exc:
        raise Invalid(str(exc)) from None
    candidate = s.scalar(select(Candidate).where(Candidate.email == email))
    if candidate is None:
        candidate = Candidate(name=name[:200], email=email, created_by=user.user_id)
        s.add(candidate)
        s.flush()
    token = security.new_token()
    interview = Interview(
        candidate_id=candidate.id, loop_id=record.id, loop_snapshot=record.definition,
        plan=[{"name": st.name, "minutes": st.minutes, "weight": st.weight,
               "principle": st.principle, "live": st.live,
               "exercises": [{"id": e.exercise_id, "seed": e.seed} for e in st.exercises]}
              for st in plan],
        token_hash=security.token_hash(token),
        expires_at=expires_at or utcnow() + timedelta(days=platform.settings.invite_days),
        created_by=user.user_id)
    s.add(interview)
    s.flush()
    for user_id in dict.fromkeys(interviewers or []):
        assign(s, interview, user_id)
    for index, stage in enumerate(interview.plan):
        s.add(StageRun(interview_id=interview.id, index=index))
        for ex in stage["exercises"]:
            s.add(Answer(interview_id=interview.id, stage_index=index, exercise_id=ex["id"],
                         seed=ex["seed"]))
    s.flush()
    from hireloop.notify import mail

    mail.invitation(s, platform.settings, interview, token)
    _emit(interview, "interview.invited")
    return interview, token


def _iso(at: datetime | None) -> str | None:
    return at.isoformat(timespec="seconds").replace("+00:00", "Z") if at else None


def _emit(interview: Interview, event: str, **data: Any) -> None:
    """Announce an interview event (webhooks, mail) in the transaction making the change."""
    from sqlalchemy.orm import object_session

    from hireloop.notify.events import emit

    session = object_session(interview)
    if session is None:
        raise RuntimeError(f"{event}: the interview is in no session")
    emit(session, event, interview, **data)


def get_interview(s: Session, interview_id: int) -> Interview:
    interview = s.get(Interview, interview_id)
    if interview is None:
        raise NotFound(f"no interview {interview_id}")
    return interview


def resend(platform: Platform, interview: Interview) -> str:
    """A new link (the old one stops working) with a fresh expiry; un-revokes. When mail is
    on, the new link is mailed (mails with the old link not sent yet are cancelled)."""
    token = security.new_token()
    interview.token_hash = security.token_hash(token)
    interview.expires_at = utcnow() + timedelta(days=platform.settings.invite_days)
    interview.revoked_at = None
    from sqlalchemy.orm import object_session

    from hireloop.notify import mail

    session = object_session(interview)
    if session is not None:
        mail.invitation(session, platform.settings, interview, token, replacing=True)
    return token


def revoke(s: Session, interview: Interview) -> None:
    """The link and every candidate session of it stop working."""
    interview.revoked_at = utcnow()
    for row in s.scalars(select(WebSession).where(WebSession.interview_id == interview.id)):
        s.delete(row)
    from hireloop.notify import mail

    mail.cancel_waiting(s, interview.id, ("invitation", "reminder"))
    s.flush()
    mail.forget_links(s, interview.id)


def submitted_at(interview: Interview) -> datetime | None:
    """When the last stage was submitted (None while any stage is open)."""
    runs = interview.stages
    if not runs or any(r.submitted_at is None for r in runs):
        return None
    return max(r.submitted_at for r in runs if r.submitted_at is not None)


def invitation_closed(settings: Settings, interview: Interview) -> str | None:
    """Why the invitation no longer opens anything (the candidate's sessions end too):
    withdrawn, decided, or ``close_after_submission_days`` after the last submission."""
    if interview.revoked_at is not None:
        return "this invitation was withdrawn by the hiring team"
    if interview.decision is not None:
        return ("this interview is closed: the hiring team has made its decision and will be "
                "in touch. Thank you for your time")
    done = submitted_at(interview)
    if done is not None and utcnow() >= done + timedelta(
            days=settings.close_after_submission_days):
        return ("this interview is closed: every stage was submitted. Thank you for your "
                "time; the hiring team will be in touch")
    return None


def open_invitation(s: Session, token: str, settings: Settings | None = None) -> Interview:
    """The interview an invitation link opens, or why it does not."""
    interview = s.scalar(select(Interview).where(
        Interview.token_hash == security.token_hash(token)))
    if interview is None:
        raise NotFound("this invitation link is not valid; check that you copied all of it, "
                       "or ask the hiring team for a new one")
    if interview.revoked_at is not None:
        raise Gone("this invitation was withdrawn by the hiring team")
    closed = invitation_closed(settings, interview) if settings is not None else None
    if closed:
        raise Gone(closed)
    if interview.expires_at < utcnow():
        raise Gone("this invitation link has expired; ask the hiring team to resend it")
    return interview


# --- taking an interview ----------------------------------------------------------------

def stage_deadline(interview: Interview, run: StageRun) -> datetime | None:
    """When a started stage's time is up."""
    if run.started_at is None:
        return None
    return run.started_at + timedelta(minutes=int(interview.plan[run.index]["minutes"]))


def is_live(interview: Interview, index: int) -> bool:
    """Whether a stage of the interview is live (done in a room, at its scheduled time)."""
    return bool(interview.plan[index].get("live"))


def stage_state(interview: Interview, run: StageRun) -> str:
    """locked, ready, in_progress, time_up or submitted; a live stage is ``live`` until its
    room ends (``hireloop.live.rooms`` says whether the room is open)."""
    if run.submitted_at is not None:
        return "submitted"
    if is_live(interview, run.index):
        return "live"
    earlier = [r for r in interview.stages if r.index < run.index
               and not is_live(interview, r.index)]
    if any(r.submitted_at is None for r in earlier):
        return "locked"
    if run.started_at is None:
        return "ready"
    deadline = stage_deadline(interview, run)
    assert deadline is not None
    return "time_up" if utcnow() > deadline else "in_progress"


def stage_run(interview: Interview, index: int) -> StageRun:
    for run in interview.stages:
        if run.index == index:
            return run
    raise NotFound(f"no stage {index}")


def consent(interview: Interview) -> None:
    if interview.consented_at is None:
        interview.consented_at = utcnow()


def start_stage(interview: Interview, index: int) -> StageRun:
    """Open a stage: its timer starts the first time."""
    if interview.consented_at is None:
        raise Forbidden("please read and accept how you will be assessed first")
    run = stage_run(interview, index)
    state = stage_state(interview, run)
    if state == "live":
        raise Conflict("this stage is live: join its room at the scheduled time")
    if state == "locked":
        raise Conflict("submit the earlier stages first")
    if state == "ready":
        run.started_at = utcnow()
        stage_started(interview, run)
    return run


def stage_started(interview: Interview, run: StageRun) -> None:
    """After ``run.started_at`` was set: the interview's first start is announced."""
    if not any(r.started_at for r in interview.stages if r is not run):
        _emit(interview, "interview.started",
              stage={"index": run.index, "name": interview.plan[run.index]["name"]})


def candidate_answer(s: Session, interview: Interview, answer_id: int) -> Answer:
    """An answer of this interview (any other is 'not found', to reveal nothing)."""
    answer = s.get(Answer, answer_id)
    if answer is None or answer.interview_id != interview.id:
        raise NotFound(f"no answer {answer_id} in this interview")
    return answer


def _answer_size(text: str | None, files: dict[str, str]) -> int:
    return len((text or "").encode()) + sum(len(k.encode()) + len(v.encode())
                                            for k, v in files.items())


def check_answer_size(settings: Settings, text: str | None, files: dict[str, str]) -> None:
    size = _answer_size(text, files)
    limit = settings.max_answer_kb * 1024
    if size > limit:
        raise TooLarge(f"this answer is {size / 1024:.0f} KB; the limit is "
                       f"{settings.max_answer_kb} KB. Shorten it and save again.")


def autosave(platform: Platform, interview: Interview, answer: Answer, *,
             text: str | None, files: dict[str, str] | None, revision: int | None) -> Answer:
    """Store a draft. Refused once the stage is submitted or its time (plus grace) is over."""
    run = stage_run(interview, answer.stage_index)
    state = stage_state(interview, run)
    if state == "submitted" or answer.submitted_at is not None:
        raise Conflict("this stage was submitted; answers can no longer change")
    if state in ("locked", "ready"):
        raise Conflict("open the stage before answering")
    if state == "live":
        raise Conflict("this stage is live: its room's shared editor saves the answer")
    deadline = stage_deadline(interview, run)
    if deadline is not None and utcnow() > deadline + timedelta(seconds=GRACE_S):
        raise Conflict("the time for this stage is over; your last saved answer is kept")
    files = clean_files(platform, answer, files)
    check_answer_size(platform.settings, text, files)
    if revision is not None and revision < answer.revision:
        raise Conflict(f"a newer save (revision {answer.revision}) exists; reload the page")
    answer.text, answer.files = text, files
    answer.revision += 1
    answer.saved_at = utcnow()
    return answer


def input_kind(platform: Platform, answer: Answer) -> str | None:
    """The answer widget the exercise's view asks for (None when it left the bank)."""
    try:
        exercise = platform.bank.get(answer.exercise_id)
        kind = platform.bank.kinds.get(exercise.meta.kind)
        if kind is None:
            return None
        view = kind.render(exercise, platform.bank.variant(exercise, answer.seed))
    except Exception:
        return None
    return str(view.input_kind)


def clean_files(platform: Platform, answer: Answer,
                files: dict[str, str] | None) -> dict[str, str]:
    """An answer's text files, checked: only for exercises that take files, at most
    ``max_answer_files`` of them, with safe relative names (sizes: ``check_answer_size``)."""
    if not files:
        return {}
    if input_kind(platform, answer) != "files":
        raise Invalid("this exercise takes no files; send the answer as text")
    limit = platform.settings.max_answer_files
    if len(files) > limit:
        raise TooLarge(f"this answer has {len(files)} files; the limit is {limit}")
    return _clean_files(files)


def _clean_files(files: dict[str, str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, content in (files or {}).items():
        if not isinstance(content, str):
            raise Invalid(f"file {name!r}: content must be text")
        if (not name or name.startswith(("/", ".")) or ".." in name.split("/")
                or "\\" in name or len(name) > 200):
            raise Invalid(f"file name {name!r} is not allowed")
        out[name] = content
    return out


def submit_stage(s: Session, interview: Interview, index: int, *,
                 room_ended: bool = False) -> list[int]:
    """Hand in a stage: every answer becomes a grading job. Returns the jobs to enqueue. A
    live stage is handed in only by its room's end (``room_ended``)."""
    run = stage_run(interview, index)
    state = stage_state(interview, run)
    if state == "submitted":
        return []
    if state == "live" and not room_ended:
        raise Conflict("this stage is live: it ends with its room")
    if state in ("locked", "ready"):
        raise Conflict("this stage is not open")
    run.submitted_at = utcnow()
    jobs = []
    for answer in interview.answers:
        if answer.stage_index == index and answer.submitted_at is None:
            answer.submitted_at = run.submitted_at
            job = GradingJob(answer_id=answer.id, state="queued")
            s.add(job)
            jobs.append(job)
    s.flush()
    if all(r.submitted_at is not None for r in interview.stages):
        _emit(interview, "interview.submitted",
              stage={"index": index, "name": interview.plan[index]["name"]},
              submitted_at=_iso(run.submitted_at))
    return [j.id for j in jobs]


def settle_expired(s: Session, interview: Interview) -> list[int]:
    """Submit stages whose time and grace are over (the candidate closed the tab)."""
    jobs: list[int] = []
    for run in interview.stages:
        if is_live(interview, run.index):
            continue  # a live stage ends with its room
        deadline = stage_deadline(interview, run)
        if (run.submitted_at is None and deadline is not None
                and utcnow() > deadline + timedelta(seconds=GRACE_S)):
            jobs += submit_stage(s, interview, run.index)
    return jobs


def request_human_review(interview: Interview) -> None:
    if interview.human_review_requested_at is None:
        interview.human_review_requested_at = utcnow()


def feedback_visible(interview: Interview, index: int) -> bool:
    """Whether the loop lets the candidate see feedback on a stage now."""
    policy = interview.loop_snapshot.get("feedback", "after_submission")
    if policy == "never":
        return False
    if policy == "immediately":
        return True
    return stage_run(interview, index).submitted_at is not None


# --- uploads (recordings) ---------------------------------------------------------------

MEDIA_TYPES = ("audio/webm", "video/webm", "audio/ogg", "audio/wav", "audio/mpeg",
               "audio/mp4", "video/mp4", "video/quicktime", "audio/flac")
"""what a recording may be served as: audio and video only, whatever the browser claimed"""
_EXTENSIONS = {"audio/webm": "webm", "video/webm": "webm", "audio/ogg": "ogg",
               "audio/wav": "wav", "audio/mpeg": "mp3", "audio/mp4": "m4a", "video/mp4": "mp4",
               "video/quicktime": "mov", "audio/flac": "flac"}


def sniff_media(head: bytes, claimed: str, video_allowed: bool) -> str | None:
    """The recording's media type read from its first bytes (the container's signature),
    or None when it is no audio or video container we accept. The browser's claim only
    chooses between the audio and the video type of the container it really is, and video
    only where the exercise allows it."""
    claimed = claimed.split(";", maxsplit=1)[0].strip().lower()
    wants_video = video_allowed and claimed.startswith("video/")
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # EBML: WebM (a Matroska profile)
        if b"webm" not in head[:64] and b"matroska" not in head[:64]:
            return None
        return "video/webm" if wants_video else "audio/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF
                                   and head[1] & 0xE0 == 0xE0 and head[1] & 0x06):
        return "audio/mpeg"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime" if video_allowed else None
        if brand in (b"M4A ", b"M4B "):
            return "audio/mp4"
        return "video/mp4" if wants_video else "audio/mp4"
    return None


def served_media_type(upload: Upload) -> str:
    """What a stored recording is served as: its sniffed type, never anything else."""
    return upload.mime if upload.mime in MEDIA_TYPES else "application/octet-stream"


def recording_limits(platform: Platform, answer: Answer) -> tuple[int, bool]:
    """The exercise's recording limit in bytes and whether it takes video; Unsupported when
    it takes no recording at all."""
    try:
        exercise = platform.bank.get(answer.exercise_id)
        kind = platform.bank.kinds.get(exercise.meta.kind)
        view = kind.render(exercise, platform.bank.variant(exercise, answer.seed)) \
            if kind is not None else None
    except Exception:
        view = None
    if view is None or view.input_kind != "audio":
        raise Unsupported("this exercise takes no recording; answer it in the form")
    limit = platform.settings.max_upload_mb * 1024 * 1024
    own = view.fields.get("max_bytes")
    if isinstance(own, int) and own > 0:
        limit = min(limit, own)
    return limit, bool(view.fields.get("video"))


def upload_path(platform: Platform, answer: Answer) -> Any:
    directory = platform.settings.data_dir / "uploads" / str(answer.interview_id or "practice")
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"answer-{answer.id}.part"


def current_upload(answer: Answer) -> Upload | None:
    return next((u for u in reversed(answer.uploads) if not u.complete), None)


def append_chunk(s: Session, platform: Platform, answer: Answer, offset: int,
                 chunk: bytes) -> int:
    """Add a chunk of a recording at ``offset``; returns the bytes received so far. Only
    exercises that take a recording accept one, up to their own limit (and the platform's
    ``max_upload_mb``)."""
    limit, _ = recording_limits(platform, answer)
    upload = current_upload(answer)
    if upload is None:
        if offset != 0:
            raise Conflict("an upload starts at offset 0")
        path = upload_path(platform, answer)
        path.write_bytes(b"")
        upload = Upload(answer_id=answer.id, name="recording", path=str(path))
        s.add(upload)
        s.flush()
    if offset != upload.size:
        raise Conflict(f"expected offset {upload.size}")
    if upload.size + len(chunk) > limit:
        raise TooLarge(f"the recording is larger than this exercise's limit of "
                       f"{limit / 1_000_000:.0f} MB; record a shorter answer")
    with open(upload.path, "r+b") as handle:
        handle.seek(offset)
        handle.write(chunk)
        handle.flush()
        import os

        os.fsync(handle.fileno())
    upload.size += len(chunk)
    return upload.size


def complete_upload(s: Session, platform: Platform, answer: Answer, mime: str,
                    duration_s: float | None) -> Upload:
    """Finish the recording: it replaces any earlier one (re-record). Its type is read from
    its bytes; a file that is no audio or video recording is refused and deleted."""
    import contextlib
    from pathlib import Path

    _, video = recording_limits(platform, answer)
    upload = current_upload(answer)
    if upload is None or upload.size == 0:
        raise Conflict("nothing was uploaded")
    with open(upload.path, "rb") as handle:
        head = handle.read(64)
    media = sniff_media(head, mime, video)
    if media is None:
        with contextlib.suppress(FileNotFoundError):
            Path(upload.path).unlink()
        s.delete(upload)
        s.commit()
        raise Unsupported("this file is not an audio or video recording we can read "
                          "(WebM, Ogg, MP4/M4A, WAV, MP3 or FLAC); record again")
    for old in answer.uploads:
        if old.complete:
            with contextlib.suppress(FileNotFoundError):
                Path(old.path).unlink()
            s.delete(old)
    final = Path(upload.path).with_suffix(f".{upload.id}.{_EXTENSIONS[media]}")
    Path(upload.path).rename(final)
    upload.path = str(final)
    upload.name = f"recording.{_EXTENSIONS[media]}"
    upload.mime, upload.duration_s, upload.complete = media, duration_s, True
    answer.revision += 1
    answer.saved_at = utcnow()
    return upload


# --- trial runs ------------------------------------------------------------------------------

TRIAL_STATES = ("queued", "running", "done")


def request_trial(s: Session, platform: Platform, answer: Answer, owner: str) -> TrialRun:
    """Queue a trial run of the answer as saved. Each owner (a candidate's interview, a
    practicer's address) has one waiting or running at a time and ``trials_per_hour``; the
    whole platform has at most ``trial_queue`` waiting or running. The caller commits, then
    enqueues the run's id."""
    settings = platform.settings
    pending = s.scalars(select(TrialRun).where(TrialRun.owner == owner,
                                               TrialRun.state != "done")).all()
    if pending:
        raise TooMany("a run of yours is still waiting or running; wait for its result")
    if security.rate_limited(s, f"trial:{owner}", settings.trials_per_hour, 3600):
        raise TooMany(f"at most {settings.trials_per_hour} runs an hour; wait a little")
    busy = s.scalar(select(func.count()).select_from(TrialRun).where(
        TrialRun.state != "done")) or 0
    if busy >= settings.trial_queue:
        raise TooMany("the runners are busy; try again in a minute")
    run = TrialRun(answer_id=answer.id, owner=owner[:200], state="queued", lines=[])
    s.add(run)
    s.flush()
    return run


def latest_trial(s: Session, answer: Answer) -> TrialRun | None:
    return s.scalar(select(TrialRun).where(TrialRun.answer_id == answer.id)
                    .order_by(TrialRun.id.desc()).limit(1))


def trial_state(s: Session, answer: Answer, since: int = 0) -> dict[str, Any]:
    """The latest trial run of an answer, for the page's polling."""
    run = latest_trial(s, answer)
    if run is None:
        return {"state": None, "running": False, "lines": [], "next": 0, "result": None}
    lines = list(run.lines or [])
    since = max(0, min(since, len(lines)))
    return {"state": run.state, "running": run.state != "done", "lines": lines[since:],
            "next": len(lines), "result": run.result}


# --- the bank ----------------------------------------------------------------------------------

def request_bank_reload(s: Session, me: Principal) -> int:
    """Ask every process to reload the bank folders (grading processes see it within a
    heartbeat); returns the reload's number."""
    row = BankReload(by=me.user_id)
    s.add(row)
    s.flush()
    return row.id


# --- review -----------------------------------------------------------------------------

def identity_hidden(me: Principal, interview: Interview) -> bool:
    """Blind review: a blind loop's candidate is "Candidate N" to everyone but admins until the
    interview's decision is recorded."""
    return (bool(interview.loop_snapshot.get("blind")) and me.role != "admin"
            and interview.decision is None)


def candidate_identity(me: Principal, interview: Interview) -> dict[str, Any]:
    """The candidate's name and email as ``me`` may see them: ``{"name", "email", "blind"}``."""
    if identity_hidden(me, interview):
        return {"name": f"Candidate {interview.id}", "email": "", "blind": True}
    return {"name": interview.candidate.name, "email": interview.candidate.email,
            "blind": False}


def candidate_listing(me: Principal, candidate: Candidate,
                      interviews: list[Interview]) -> dict[str, Any]:
    """A candidate as a list shows them to ``me``: hidden behind the first blind interview
    of theirs that ``me`` sees (their other interviews would otherwise name them)."""
    hidden = next((i for i in interviews if identity_hidden(me, i)), None)
    if hidden is not None:
        return {"id": candidate.id, "name": f"Candidate {hidden.id}", "email": "",
                "blind": True}
    return {"id": candidate.id, "name": candidate.name, "email": candidate.email,
            "blind": False}


def latest_job(answer: Answer) -> GradingJob | None:
    return answer.jobs[-1] if answer.jobs else None


def automatic_grade(answer: Answer) -> Grade | None:
    job = latest_job(answer)
    if job is None or job.grade is None:
        return None
    return Grade.model_validate(job.grade)


def effective_criteria(answer: Answer) -> list[dict[str, Any]]:
    """Each criterion: the automatic points, the override in force (newest), the final points."""
    grade = automatic_grade(answer)
    if grade is None:
        return []
    newest: dict[str, Override] = {}
    for row in answer.overrides:
        newest[row.criterion] = row
    rows = []
    for c in grade.criteria:
        o = newest.get(c.name)
        rows.append({"name": c.name, "auto_points": c.points, "max_points": c.max_points,
                     "points": o.points if o else c.points, "evidence": c.evidence,
                     "feedback": c.feedback,
                     "override": None if o is None else {
                         "points": o.points, "reason": o.reason, "by": o.user.email,
                         "at": o.created_at.isoformat()}})
    return rows


def answer_score(answer: Answer) -> float | None:
    """The answer's score after overrides; None when there is no usable grade."""
    grade = automatic_grade(answer)
    if grade is None or grade.outcome == "error":
        return None
    if grade.outcome == "not_gradable":
        return 0.0
    rows = effective_criteria(answer)
    total = sum(r["max_points"] for r in rows)
    if total <= 0:
        return grade.score
    return float(sum(r["points"] for r in rows)) / float(total)


def automatic_score(answer: Answer) -> float | None:
    """The answer's automatic score before any override (what the tool itself produced);
    None when there is no usable grade."""
    grade = automatic_grade(answer)
    if grade is None or grade.outcome == "error":
        return None
    if grade.outcome == "not_gradable":
        return 0.0
    return grade.score


def automatic_overall(interview: Interview) -> float | None:
    """The interview's overall automatic score: each stage's mean answer score, weighted by
    the stage weights as on the scorecard, before any override. None until every answer of
    every stage has a usable automatic grade."""
    stages: list[tuple[float, float | None]] = []
    for index, planned in enumerate(interview.plan):
        scores = [automatic_score(a) for a in interview.answers if a.stage_index == index]
        if not scores or any(score is None for score in scores):
            return None
        stages.append((float(planned["weight"]),
                       sum(s for s in scores if s is not None) / len(scores)))
    return weighted_overall(stages)


def weighted_overall(stages: list[tuple[float, float | None]]) -> float | None:
    """The overall score of (weight, stage score) pairs: the weighted mean of the stages that
    have a score; None when none has."""
    scored = [(w, s) for w, s in stages if s is not None]
    weights = sum(w for w, _ in scored)
    return sum(w * s for w, s in scored) / weights if scored and weights else None


def override(s: Session, answer: Answer, user: Principal, *, criterion: str, points: float,
             reason: str) -> Override:
    """An interviewer's score for one criterion, with the reason (both kept)."""
    reason = reason.strip()
    if not reason:
        raise Invalid("an override needs a reason")
    grade = automatic_grade(answer)
    if grade is None:
        raise Conflict("this answer has no automatic grade yet")
    match = next((c for c in grade.criteria if c.name == criterion), None)
    if match is None:
        raise Invalid(f"no criterion {criterion!r} in this grade")
    if not (0 <= points <= match.max_points):
        raise Invalid(f"points must be between 0 and {match.max_points:g}")
    assert user.user_id is not None
    row = Override(answer_id=answer.id, criterion=criterion, points=float(points),
                   max_points=match.max_points, reason=reason[:5000], user_id=user.user_id)
    s.add(row)
    s.flush()
    return row


def add_note(s: Session, interview: Interview, user: Principal, body: str) -> Note:
    body = body.strip()
    if not body:
        raise Invalid("the note is empty")
    assert user.user_id is not None
    note = Note(interview_id=interview.id, user_id=user.user_id, body=body[:20000])
    s.add(note)
    s.flush()
    return note


def decide(interview: Interview, user: Principal, decision: str,
           reason: str) -> None:
    if decision not in DECISIONS:
        raise Invalid(f"the decision must be one of {', '.join(DECISIONS)}")
    interview.decision, interview.decision_reason = decision, reason.strip()[:5000]
    interview.decided_by, interview.decided_at = user.user_id, utcnow()
    _emit(interview, "interview.decided", decision=decision,
          decided_at=_iso(interview.decided_at))


def regrade(s: Session, answer: Answer) -> int:
    """Grade a submitted answer again (e.g. after a grader fix); returns the job id."""
    if answer.submitted_at is None:
        raise Conflict("the answer has not been submitted")
    job = GradingJob(answer_id=answer.id, state="queued")
    s.add(job)
    s.flush()
    return job.id


def interview_status(interview: Interview) -> str:
    """invited, in_progress, submitted, decided, revoked or expired."""
    if interview.decision:
        return "decided"
    if interview.revoked_at is not None:
        return "revoked"
    runs = interview.stages
    if runs and all(r.submitted_at is not None for r in runs):
        return "submitted"
    if any(r.started_at is not None for r in runs) or interview.consented_at:
        return "in_progress"
    if interview.expires_at < utcnow():
        return "expired"
    return "invited"


# --- data protection --------------------------------------------------------------------

def delete_candidate(s: Session, candidate: Candidate) -> int:
    """Delete a candidate and everything of theirs: interviews, answers, grades, overrides,
    notes, sessions and recording files. Returns the number of interviews deleted."""
    import contextlib
    from pathlib import Path

    count = 0
    for interview in list(candidate.interviews):
        for answer in interview.answers:
            for upload in answer.uploads:
                with contextlib.suppress(FileNotFoundError):
                    Path(upload.path).unlink()
        s.delete(interview)
        count += 1
    s.delete(candidate)
    s.flush()
    return count


def purge_recordings(s: Session, settings: Settings) -> int:
    """Delete recordings of graded answers older than ``recording_retention_days`` (their
    transcripts and grades stay). Returns how many were deleted."""
    import contextlib
    from pathlib import Path

    cutoff = utcnow() - timedelta(days=settings.recording_retention_days)
    deleted = 0
    for upload in s.scalars(select(Upload).where(Upload.complete.is_(True),
                                                 Upload.created_at <= cutoff)).all():
        job = latest_job(upload.answer)
        if job is None or job.state not in ("graded", "failed"):
            continue  # never before its grade exists
        with contextlib.suppress(FileNotFoundError):
            Path(upload.path).unlink()
        s.delete(upload)
        deleted += 1
    return deleted


def purge_practice(s: Session, settings: Settings) -> int:
    """Delete practice answers older than ``practice_retention_days`` (with their recordings,
    grades and trial runs), unfinished uploads older than a day, and rate-limit records older
    than the longest window. Returns the number of practice answers deleted."""
    import contextlib
    from pathlib import Path

    now = utcnow()
    cutoff = now - timedelta(days=settings.practice_retention_days)
    old = s.scalars(select(Answer).where(
        Answer.practice_id.is_not(None),
        (Answer.created_at.is_(None) | (Answer.created_at < cutoff)),
        (Answer.saved_at.is_(None) | (Answer.saved_at < cutoff))).limit(5000)).all()
    for answer in old:
        for upload in answer.uploads:
            with contextlib.suppress(FileNotFoundError):
                Path(upload.path).unlink()
        s.delete(answer)
    for upload in s.scalars(select(Upload).where(Upload.complete.is_(False),
                                                 Upload.created_at < now - timedelta(days=1))):
        with contextlib.suppress(FileNotFoundError):
            Path(upload.path).unlink()
        s.delete(upload)
    s.execute(delete(TrialRun).where(TrialRun.state == "done",
                                     TrialRun.queued_at < now - timedelta(days=1)))
    s.execute(delete(RateHit).where(RateHit.at < now - timedelta(
        seconds=security.KNOWN_DEVICE_S)))
    s.flush()
    return len(old)


def purge_expired(s: Session, settings: Settings) -> int:
    """Delete interviews older than the retention period (stated on the consent page), and
    candidates left with none. Returns the number of interviews deleted."""
    import contextlib
    from pathlib import Path

    cutoff = utcnow() - timedelta(days=settings.retention_days)
    old = s.scalars(select(Interview).where(Interview.created_at < cutoff)).all()
    touched = set()
    for interview in old:
        for answer in interview.answers:
            for upload in answer.uploads:
                with contextlib.suppress(FileNotFoundError):
                    Path(upload.path).unlink()
        touched.add(interview.candidate_id)
        s.delete(interview)
    s.flush()
    for candidate_id in touched:
        candidate = s.get(Candidate, candidate_id)
        if candidate is not None and not candidate.interviews:
            s.delete(candidate)
    return len(old)
