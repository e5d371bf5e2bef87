"""Passwords, tokens, CSRF and rate limits.

- Passwords: argon2id (argon2-cffi's defaults), rehashed on login when the defaults change.
- Tokens (sessions, invitations, the first-admin link): 256 random bits; only their SHA-256 is
  stored, so reading the database opens nothing.
- CSRF: a token bound to the credential the browser holds. A signed-in browser (team member
  or candidate) must repeat its session's own ``csrf_token`` (stored with the session); a
  practicer, a token derived from their practice cookie; a browser with neither, the random
  ``hireloop_csrf`` cookie (double submit, for the sign-in and setup forms). A cookie planted
  by another origin of the same site therefore forges nothing once anyone is signed in, and
  the web layer also refuses state-changing requests whose ``Origin`` is not the server's.
  Requests authenticated by a bearer token (API clients) carry no ambient credentials and
  need no CSRF token.
- Cookies are named ``__Host-hireloop_*`` when served over HTTPS (no other host or path can
  set them).
- Sign-in throttling (``sign_in_refusal``) counts failures per account and address, per
  address, and per account; it never locks an account's owner out from elsewhere.
- Rate limits: rows in ``rate_hits``, so they hold across processes and restarts.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Sequence
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
DEVICE_COOKIE = "hireloop_device"
"""a random token a browser gets when its user signs in: while an account is under a guessing
attack, browsers that signed in to it before still may"""
MIN_PASSWORD = 10
API_TOKEN_PREFIX = "hlt_"  # noqa: S105 - a prefix, not a secret
"""long-lived API tokens start with this, so a leaked one is recognisable (and greppable)"""


def cookie_name(name: str, secure: bool) -> str:
    """The cookie's name: with the ``__Host-`` prefix over HTTPS, so that no other host,
    port or path of the site can plant or overwrite it (browsers enforce Secure, Path=/ and
    no Domain for such names)."""
    return f"__Host-{name}" if secure else name


def csrf_for(secret: str) -> str:
    """The CSRF token bound to a secret cookie (a practicer's): only its holder can know it."""
    return hashlib.sha256(b"hireloop-csrf\0" + secret.encode()).hexdigest()


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


def seen(session: Session, key: str, window_s: int) -> bool:
    """Whether ``key`` was recorded (``record``) within the window."""
    since = utcnow() - timedelta(seconds=window_s)
    return session.scalar(select(RateHit.id).where(RateHit.key == key, RateHit.at >= since)
                          .limit(1)) is not None


def count(session: Session, key: str, window_s: int) -> int:
    """How many times ``key`` was recorded within the window."""
    since = utcnow() - timedelta(seconds=window_s)
    return session.scalar(select(func.count()).select_from(RateHit).where(
        RateHit.key == key, RateHit.at >= since)) or 0


def record(session: Session, key: str) -> None:
    """Record one event at ``key`` (a failed sign-in, a browser that signed in)."""
    session.add(RateHit(key=key[:200], at=utcnow()))
    session.flush()


def forget(session: Session, key: str) -> None:
    """Drop every record at ``key``."""
    session.execute(delete(RateHit).where(RateHit.key == key[:200]))


# --- sign-in throttling --------------------------------------------------------------------

FAILURE_WINDOW_S = 15 * 60
PAIR_FAILURES = 10
"""wrong passwords for one account from one address in the window before that address is
refused for that account (the owner elsewhere is not)"""
ADDRESS_FAILURES = 50
"""wrong passwords from one address, whatever the accounts, in the window (password spraying)"""
ACCOUNT_WINDOW_S = 3600
ACCOUNT_FAILURES = 100
"""wrong passwords for one account from everywhere in an hour (OWASP ASVS 2.2.1); past it,
only browsers that signed in to the account before may try"""
KNOWN_DEVICE_S = 90 * 24 * 3600


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def sign_in_refusal(session: Session, email: str, address: str,
                    device: str | None) -> str | None:
    """Why this sign-in attempt is refused before the password is even checked, or None.

    Only failures count, and they count against the (account, address) pair, the address,
    and the account; so wrong passwords typed from one address never keep the account's
    owner out from another, and a guessing attack spread over many addresses still meets
    the account's own limit, past which browsers that signed in to it before get through."""
    account = _digest(email.strip().lower())
    if count(session, f"fail:{account}:{address}", FAILURE_WINDOW_S) >= PAIR_FAILURES:
        return "too many wrong passwords for this account from your address; wait 15 minutes"
    if count(session, f"fail-addr:{address}", FAILURE_WINDOW_S) >= ADDRESS_FAILURES:
        return "too many wrong passwords from your address; wait 15 minutes"
    if count(session, f"fail-acct:{account}", ACCOUNT_WINDOW_S) >= ACCOUNT_FAILURES and not (
            device and seen(session, f"device:{account}:{_digest(device)}", KNOWN_DEVICE_S)):
        return ("this account is under a password-guessing attack; sign in from a browser "
                "you used before, or ask an admin for a reset link")
    return None


def sign_in_failed(session: Session, email: str, address: str) -> None:
    """Count a wrong password."""
    account = _digest(email.strip().lower())
    for key in (f"fail:{account}:{address}", f"fail-addr:{address}", f"fail-acct:{account}"):
        record(session, key)


def sign_in_succeeded(session: Session, email: str, address: str, device: str) -> None:
    """Clear the address's failures on this account and remember the browser."""
    account = _digest(email.strip().lower())
    forget(session, f"fail:{account}:{address}")
    key = f"device:{account}:{_digest(device)}"
    forget(session, key)
    record(session, key)


# --- the client's address behind proxies --------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Sequence[str]) -> list[Network]:
    """Addresses and networks (``10.0.0.0/8``) of trusted proxies; raises ValueError."""
    return [ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip()]


def _in(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(peer: str | None, forwarded_for: str | None,
                   trusted: Sequence[Network]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the
    right-most address of ``X-Forwarded-For`` that is not itself a trusted proxy (addresses
    further left were written by the client and prove nothing)."""
    address = peer or "unknown"
    if not trusted or not forwarded_for or not _in(address, trusted):
        return address
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        address = hop
        if not _in(hop, trusted):
            break
    return address
