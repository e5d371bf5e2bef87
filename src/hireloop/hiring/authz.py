"""Who may do what: one check for every object access (DESIGN.md, security).

A request's principal is anonymous, a candidate (holding one interview, through its invitation
link), an interviewer, a hiring manager, an admin, or the metrics reader (a configured token
that may read the platform's status and nothing else). Routes and services name an action and,
for actions on an object, the ``Scope`` of that object: the loop's team, the interview, the
interviewers assigned to it. ``allowed`` is the only place that decides:

- admins act on everything;
- hiring managers act on the loops of their team and on those loops' interviews (inviting,
  assigning interviewers, reviewing, deciding);
- interviewers see and act on the interviews they are assigned to, and nothing else of loops;
- candidates reach only their own interview (``owns`` is checked for every answer, stage and
  upload they touch);
- a live stage's room is joined by its candidate, the interviewers scheduled on that stage and
  admins; only those interviewers and admins lead it (the interviewers' panel, ending it), so a
  hiring manager who is not on the stage stays out, whatever their team;
- audits (self-identification counted in aggregate) are for admins only;
- everybody may practise (unless practice is closed, which the practice routes check).

Listing queries (``hireloop.hiring.service.visible_*``) narrow the database query to the same
rule, and keep only rows ``allowed`` accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["anonymous", "candidate", "interviewer", "hiring_manager", "admin", "metrics"]
TEAM_ROLES = ("interviewer", "hiring_manager", "admin")
"""the roles of team members (users with an account)"""

_EVERYONE = frozenset({"anonymous", "candidate", "interviewer", "hiring_manager", "admin"})
_TEAM = frozenset(TEAM_ROLES)

# action -> roles that may ever do it; ``_SCOPED`` actions also need the object's scope to fit
_POLICY: dict[str, frozenset[str]] = {
    "team.read": _TEAM,              # the team's pages at all (dashboard, bank, own tokens)
    "loop.create": frozenset({"hiring_manager", "admin"}),
    "loop.read": frozenset({"hiring_manager", "admin"}),
    "loop.write": frozenset({"hiring_manager", "admin"}),
    "interview.invite": frozenset({"hiring_manager", "admin"}),  # invite, resend, revoke, assign
    "interview.read": _TEAM,
    "interview.act": _TEAM,          # notes, overrides, regrades, decisions
    "users.manage": frozenset({"admin"}),
    "teams.manage": frozenset({"admin"}),
    "candidates.delete": frozenset({"admin"}),
    "audit.read": frozenset({"admin"}),  # self-identification in aggregate: audits only
    "bank.reload": frozenset({"admin"}),
    "status.read": frozenset({"admin", "metrics"}),
    "tokens.own": _TEAM,             # create and revoke one's own API tokens
    # webhooks: admins for every loop, hiring managers for their team's loops; only admins
    # read a webhook's secret again after it was shown
    "webhooks.manage": frozenset({"hiring_manager", "admin"}),
    "webhooks.reveal": frozenset({"admin"}),
    "interview.take": frozenset({"candidate"}),
    "room.join": frozenset({"candidate", *_TEAM}),  # a live stage's room: editor, shared run
    "room.lead": _TEAM,              # the interviewers' panel, marks, ending the room
    "practice": _EVERYONE,
}
_SCOPED = frozenset({"loop.create", "loop.read", "loop.write", "interview.invite",
                     "interview.read", "interview.act", "interview.take", "room.join",
                     "room.lead", "webhooks.manage"})
_ROOM = frozenset({"room.join", "room.lead"})


@dataclass(frozen=True)
class Principal:
    """The one making a request."""

    role: Role
    user_id: int | None = None
    interview_id: int | None = None
    email: str | None = None
    name: str | None = None
    team_id: int | None = None
    """the team of a hiring manager or interviewer"""
    csrf_exempt: bool = False
    """authenticated by a bearer token: no ambient credential to forge"""

    @property
    def is_team(self) -> bool:
        """An interviewer, a hiring manager or an admin."""
        return self.role in TEAM_ROLES


@dataclass(frozen=True)
class Scope:
    """What an action touches: a loop's team, or an interview (its loop's team and the
    interviewers assigned to it)."""

    team_id: int | None = None
    interview_id: int | None = None
    assignees: frozenset[int] = field(default_factory=frozenset)
    room_interviewers: frozenset[int] = field(default_factory=frozenset)
    """a live room's scope: the interviewers scheduled on its stage"""


ANONYMOUS = Principal("anonymous")


def role_may(principal: Principal, action: str) -> bool:
    """Whether the principal's role may ever do ``action`` (on some object): what a route
    checks before it loads the object, on which ``allowed`` then decides."""
    roles = _POLICY.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")
    return principal.role in roles


def allowed(principal: Principal, action: str, scope: Scope | None = None) -> bool:
    """Whether ``principal`` may do ``action`` (on the object ``scope`` describes)."""
    roles = _POLICY.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")
    if principal.role not in roles:
        return False
    if action not in _SCOPED or principal.role == "admin":
        return True
    if scope is None:
        return False  # an action on an object is never allowed without knowing the object
    if principal.role == "candidate":
        return scope.interview_id is not None and principal.interview_id == scope.interview_id
    if action in _ROOM:
        return principal.user_id is not None and principal.user_id in scope.room_interviewers
    if principal.role == "hiring_manager":
        return principal.team_id is not None and scope.team_id == principal.team_id
    if principal.role == "interviewer":
        return (scope.interview_id is not None and principal.user_id is not None
                and principal.user_id in scope.assignees)
    return False
