"""Passwords, tokens, CSRF and rate limits.

- Passwords: argon2id (argon2-cffi's defaults), rehashed on login when the defaults change.
- Tokens (sessions, invitations, the first-admin link): 256 random bits; only their SHA-256 is
  stored, so reading the database opens nothing.
- CSRF: double submit. Every browser gets a random ``hireloop_csrf`` cookie; every
  state-changing request must repeat it in the ``csrf_token`` form field or the
  ``X-CSRF-Token`` header. Requests authenticated by a bearer token (API clients) carry no
  ambient credentials and need no CSRF token.
- Rate limits: rows in ``rate_hits``, so they hold across processes and restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hireloop.db.models import RateHit, utcnow

_hasher = PasswordHasher()

CSRF_COOKIE = "hireloop_csrf"
SESSION_COOKIE = "hireloop_session"
PRACTICE_COOKIE = "hireloop_practice"
MIN_PASSWORD = 10


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant time in the hash library)."""
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash uses outdated parameters."""
    return _hasher.check_needs_rehash(stored)


def password_problem(password: str) -> str | None:
    """Why a new password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD:
        return f"the password must have at least {MIN_PASSWORD} characters"
    if len(password) > 1024:
        return "the password is too long (at most 1024 characters)"
    return None


def new_token() -> str:
    """A fresh unguessable token for a URL or a cookie."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False when either is missing)."""
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def rate_limited(session: Session, key: str, limit: int, window_s: int) -> bool:
    """Record an attempt at ``key``; True when more than ``limit`` fell in the window."""
    now = utcnow()
    since = now - timedelta(seconds=window_s)
    session.execute(delete(RateHit).where(RateHit.key == key, RateHit.at < since))
    count = session.scalar(select(func.count()).select_from(RateHit).where(
        RateHit.key == key, RateHit.at >= since)) or 0
    if count >= limit:
        return True
    session.add(RateHit(key=key, at=now))
    session.flush()
    return False
