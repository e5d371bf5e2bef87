"""Who may do what: one check for every object access (DESIGN.md, security).

A request's principal is anonymous, a candidate (holding one interview, through its invitation
link), an interviewer or an admin. Routes declare an action; ``allowed`` is the only place that
decides. Candidates reach objects only of their own interview: ``owns`` is checked for every
answer, stage and upload they touch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["anonymous", "candidate", "interviewer", "admin"]

# action -> roles allowed
_POLICY: dict[str, frozenset[str]] = {
    "team.read": frozenset({"interviewer", "admin"}),
    "team.write": frozenset({"interviewer", "admin"}),
    "users.manage": frozenset({"admin"}),
    "bank.reload": frozenset({"admin"}),
    "interview.take": frozenset({"candidate"}),
    "practice": frozenset({"anonymous", "candidate", "interviewer", "admin"}),
}


@dataclass(frozen=True)
class Principal:
    """The one making a request."""

    role: Role
    user_id: int | None = None
    interview_id: int | None = None
    email: str | None = None
    name: str | None = None
    csrf_exempt: bool = False
    """authenticated by a bearer token: no ambient credential to forge"""

    @property
    def is_team(self) -> bool:
        """An interviewer or an admin."""
        return self.role in ("interviewer", "admin")


ANONYMOUS = Principal("anonymous")


def allowed(principal: Principal, action: str, interview_id: int | None = None) -> bool:
    """Whether ``principal`` may do ``action`` (on the interview, for candidates)."""
    roles = _POLICY.get(action)
    if roles is None:
        raise KeyError(f"unknown action {action!r}")
    if principal.role not in roles:
        return False
    if principal.role == "candidate" and action == "interview.take":
        return interview_id is not None and principal.interview_id == interview_id
    return True
