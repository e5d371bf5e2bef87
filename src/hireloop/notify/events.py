"""Interview events: what the hiring service announces, inside the transaction that made the
change. ``emit`` adds one webhook call per active webhook subscribed to the event (to the
outbox) and calls every listener (the mail module adds the invitation mail on
``interview.invited``).

A listener is ``fn(session, event, interview, data)``: ``data`` is the event's data as the
webhooks send it (``event_data``). Listeners run in the caller's transaction: what they add
commits, or is rolled back, with the change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from hireloop.db.models import Interview, utcnow

EVENTS = ("interview.invited", "interview.started", "interview.submitted",
          "interview.graded", "interview.decided")
"""the events webhooks subscribe to, in the order an interview meets them"""

Listener = Callable[[Session, str, Interview, dict[str, Any]], None]
_LISTENERS: list[Listener] = []


def add_listener(fn: Listener) -> None:
    """Call ``fn(session, event, interview, data)`` at every event (once per function)."""
    if fn not in _LISTENERS:
        _LISTENERS.append(fn)


def event_data(interview: Interview, **data: Any) -> dict[str, Any]:
    """What an event says about an interview: ids, the loop, the candidate (name and e-mail
    only when the loop is not blind), API paths, and the event's own fields (stage, score,
    decision). Paths are relative: the sender prefixes the platform's address."""
    blind = bool((interview.loop_snapshot or {}).get("blind"))
    candidate: dict[str, Any] = {"id": interview.candidate_id}
    if not blind:
        candidate["name"] = interview.candidate.name
        candidate["email"] = interview.candidate.email
    out: dict[str, Any] = {
        "interview_id": interview.id,
        "loop": {"id": interview.loop_id,
                 "name": str((interview.loop_snapshot or {}).get("title")
                             or (interview.loop.title if interview.loop else ""))},
        "candidate": candidate,
        "blind": blind,
        "links": {"interview": f"/api/v1/interviews/{interview.id}",
                  "scorecard": f"/api/v1/interviews/{interview.id}/scorecard"},
    }
    out.update(data)
    return out


def emit(session: Session, event: str, interview: Interview, *, once: str | None = None,
         **data: Any) -> None:
    """Announce ``event`` about ``interview`` in the caller's transaction. With ``once``, a
    webhook receives the event once per key however often it is emitted (two grading
    processes finishing an interview's last answers at the same moment both emit
    ``interview.graded``); listeners are called every time."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r} (one of {', '.join(EVENTS)})")
    from hireloop.notify import load_senders
    from hireloop.notify.webhooks import enqueue_event

    load_senders()
    session.flush()  # the interview's id and relationships are there to read
    data = event_data(interview, **data)
    body: dict[str, Any] = {"id": uuid.uuid4().hex, "event": event,
            "occurred_at": utcnow().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "data": data}
    enqueue_event(session, event, interview, body, once=once)
    for fn in list(_LISTENERS):
        fn(session, event, interview, data)
