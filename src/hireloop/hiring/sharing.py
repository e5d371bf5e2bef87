"""Read-only share links to a scorecard.

A team member who may act on an interview makes a link that expires after 1, 7 or 30 days;
anyone holding it reads the scorecard without signing in (``hireloop.web.reports``) until it
expires or someone of the team revokes it. Like every other token of the platform, the link's
token is 256 random bits of which only the SHA-256 is stored, so reading the database opens no
scorecard. The link holder is treated as an anonymous reader: a blind loop's candidate stays
"Candidate N" until the decision, and the shared view leaves out what only the team reads
(rubric criteria and their evidence, overrides and their reasons, notes, integrity signals).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.db.models import Interview, ShareLink, utcnow
from hireloop.hiring import security
from hireloop.hiring.authz import ANONYMOUS, Principal
from hireloop.hiring.service import Gone, Invalid, NotFound

EXPIRY_DAYS = (1, 7, 30)
"""the lifetimes a team member may choose for a link, in days"""
LINK_PATH = "/shared/"
"""a link is ``{base URL}/shared/{token}``"""
READER = ANONYMOUS
"""who a link holder is when the scorecard is built for them (blind review applies)"""


def create(s: Session, me: Principal, interview: Interview, days: int) -> tuple[ShareLink, str]:
    """A new link to ``interview``'s scorecard, valid for ``days``; returns it and its token
    (shown once: only its hash is kept)."""
    if days not in EXPIRY_DAYS:
        raise Invalid("a share link lasts " + ", ".join(str(d) for d in EXPIRY_DAYS[:-1])
                      + f" or {EXPIRY_DAYS[-1]} days; choose one of them")
    token, now = security.new_token(), utcnow()
    link = ShareLink(interview_id=interview.id, token_hash=security.token_hash(token),
                     created_by=me.user_id, created_at=now,
                     expires_at=now + timedelta(days=days))
    s.add(link)
    s.flush()
    return link, token


def active(s: Session, interview: Interview) -> list[ShareLink]:
    """The interview's links that still open the scorecard, soonest to expire first."""
    return list(s.scalars(select(ShareLink).where(
        ShareLink.interview_id == interview.id, ShareLink.revoked_at.is_(None),
        ShareLink.expires_at > utcnow()).order_by(ShareLink.expires_at, ShareLink.id)))


def revoke(s: Session, me: Principal, interview: Interview, link_id: int) -> ShareLink:
    """Stop one of the interview's links now (revoking a revoked link changes nothing)."""
    link = s.get(ShareLink, link_id)
    if link is None or link.interview_id != interview.id:
        raise NotFound(f"no share link {link_id} on interview {interview.id}")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = utcnow(), me.user_id
    return link


def open_link(s: Session, token: str) -> tuple[ShareLink, Interview]:
    """The link a token opens and its interview, or why it opens nothing: not found (404) for
    a token that was never a link, gone (410) for one that expired or was revoked."""
    link = s.scalar(select(ShareLink).where(ShareLink.token_hash == security.token_hash(token)))
    if link is None:
        raise NotFound("this share link is not valid; check that you copied all of it, or ask "
                       "the hiring team for a new one")
    if link.revoked_at is not None:
        raise Gone("this link has expired: the hiring team revoked it on "
                   f"{link.revoked_at:%Y-%m-%d %H:%M} UTC. Ask them for a new one")
    if link.expires_at <= utcnow():
        raise Gone(f"this link has expired (on {link.expires_at:%Y-%m-%d %H:%M} UTC). Ask the "
                   "hiring team for a new one")
    interview = s.get(Interview, link.interview_id)
    if interview is None:  # pragma: no cover - the link is deleted with the interview
        raise NotFound("this share link is not valid")
    return link, interview
