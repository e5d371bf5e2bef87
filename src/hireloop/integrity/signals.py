"""Integrity signals: what the candidate's page records while an answer is written, for a
person to look at.

The page sends the events of one answer in batches (``POST /take/answers/{id}/signals``):

```json
{"page": "k3v9x0", "seq": 4, "t0": 1796000000000,
 "events": [["s", 0, "def f(x):\\n    "], ["e", 812, 15, 0, "r"], ["p", 2400, 318],
            ["e", 2401, 16, 0, "eturn x\\n"], ["a", 9000, 4100, "tab"]]}
```

``page`` names the page load (random), ``seq`` counts its batches from 0 (a batch sent again
is stored once), ``t0`` is the browser's clock in ms since 1970 and every event's second item
is ms since ``t0``. The events:

- ``["s", t, text]``: a snapshot, the whole answer as it stands (when the page opens, and every
  few minutes, so a playback can start anywhere and survives a lost batch);
- ``["e", t, at, removed, inserted]``: an edit: from character ``at`` (counted as JavaScript
  counts, in UTF-16 units), ``removed`` characters were replaced by the text ``inserted``;
- ``["p", t, size]``: a paste of ``size`` characters into the answer (its text arrives as the
  edit that follows);
- ``["a", t, ms, how]``: the candidate came back after ``ms`` away: ``tab`` (the page was
  hidden: another tab or window in front, or the screen locked) or ``window`` (the page stayed
  visible but the focus left the browser window).

Nothing here is read by grading: signals never change a score.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireloop.db.models import SignalBatch

MAX_BATCH_BYTES = 64 * 1024
"""the largest batch the server reads (the page sends one every few seconds)"""
MAX_EVENTS = 2_000
"""the most events in one batch"""
MAX_ANSWER_BYTES = 2 * 1024 * 1024
"""the most signal bytes stored for one answer; further batches are refused"""
MAX_MS = 24 * 3600 * 1000
"""the longest time an event may lie after ``t0``, and the longest absence"""
_PAGE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_T0_MIN, _T0_MAX = 1_500_000_000_000, 4_102_444_800_000  # 2017 .. 2100
_HOW = ("tab", "window")


class BadSignals(ValueError):  # noqa: N818 - reads as what it is, like the service's errors
    """A batch refused, with the HTTP status that says why (413 too large, 422 malformed)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Batch:
    page: str
    seq: int
    t0: int
    events: list[list[Any]]
    size: int


def _int(value: Any, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadSignals(422, f"{what} must be a whole number from {low} to {high}")
    return value


def _event(raw: Any, i: int) -> list[Any]:
    where = f"event {i}"
    if not isinstance(raw, list) or not raw or not isinstance(raw[0], str):
        raise BadSignals(422, f"{where} must be a list starting with its type")
    kind, shape = raw[0], {"s": 3, "e": 5, "p": 3, "a": 4}.get(raw[0])
    if shape is None:
        raise BadSignals(422, f"{where}: unknown type {kind[:10]!r} (known: s, e, p, a)")
    if len(raw) != shape:
        raise BadSignals(422, f"{where} ({kind}) must have {shape} items, not {len(raw)}")
    t = _int(raw[1], 0, MAX_MS, f"{where}: the time")
    if kind == "s":
        if not isinstance(raw[2], str):
            raise BadSignals(422, f"{where}: a snapshot's text must be a string")
        return [kind, t, raw[2]]
    if kind == "e":
        at = _int(raw[2], 0, 10_000_000, f"{where}: the position")
        removed = _int(raw[3], 0, 10_000_000, f"{where}: the characters removed")
        if not isinstance(raw[4], str):
            raise BadSignals(422, f"{where}: an edit's inserted text must be a string")
        return [kind, t, at, removed, raw[4]]
    if kind == "p":
        return [kind, t, _int(raw[2], 0, 100_000_000, f"{where}: the paste's size")]
    if raw[3] not in _HOW:
        raise BadSignals(422, f"{where}: how must be one of {', '.join(_HOW)}")
    return [kind, t, _int(raw[2], 0, MAX_MS, f"{where}: the time away"), raw[3]]


def parse_batch(body: bytes) -> Batch:
    """The batch in ``body``, checked; :class:`BadSignals` says what is wrong with it."""
    if len(body) > MAX_BATCH_BYTES:
        raise BadSignals(413, f"a signal batch may be at most {MAX_BATCH_BYTES // 1024} KiB; "
                              f"this one is {len(body) // 1024} KiB")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadSignals(422, "a signal batch must be a JSON object") from None
    if not isinstance(data, dict):
        raise BadSignals(422, "a signal batch must be a JSON object")
    unknown = set(data) - {"page", "seq", "t0", "events"}
    if unknown:
        raise BadSignals(422, f"unknown field(s): {', '.join(sorted(unknown))[:200]}")
    page = data.get("page")
    if not isinstance(page, str) or not _PAGE.fullmatch(page):
        raise BadSignals(422, "page must be 1 to 32 letters, digits, - or _")
    seq = _int(data.get("seq"), 0, 1_000_000, "seq")
    t0 = _int(data.get("t0"), _T0_MIN, _T0_MAX, "t0 (ms since 1970)")
    events = data.get("events")
    if not isinstance(events, list):
        raise BadSignals(422, "events must be a list")
    if len(events) > MAX_EVENTS:
        raise BadSignals(413, f"a batch may hold at most {MAX_EVENTS} events, not {len(events)}")
    checked = [_event(e, i) for i, e in enumerate(events)]
    size = len(json.dumps(checked, separators=(",", ":"), ensure_ascii=False).encode())
    return Batch(page, seq, t0, checked, size)


def store(s: Session, answer_id: int, batch: Batch) -> bool:
    """Keep the batch with the answer; False when this page's batch ``seq`` is already kept.
    Refuses (413) a batch that would take the answer past :data:`MAX_ANSWER_BYTES`."""
    if s.scalar(select(SignalBatch.id).where(SignalBatch.answer_id == answer_id,
                                             SignalBatch.page == batch.page,
                                             SignalBatch.seq == batch.seq)) is not None:
        return False
    used = s.scalar(select(func.coalesce(func.sum(SignalBatch.size), 0))
                    .where(SignalBatch.answer_id == answer_id)) or 0
    if used + batch.size > MAX_ANSWER_BYTES:
        raise BadSignals(413, f"this answer's signals are full ({MAX_ANSWER_BYTES // 1024} KiB); "
                              "the answer itself still saves")
    s.add(SignalBatch(answer_id=answer_id, page=batch.page, seq=batch.seq, t0=batch.t0,
                      events=batch.events, size=batch.size))
    s.flush()
    return True


def batches_of(s: Session, answer_ids: list[int]) -> dict[int, list[SignalBatch]]:
    """The stored batches of each answer, in the order they were recorded."""
    found: dict[int, list[SignalBatch]] = {a: [] for a in answer_ids}
    if not answer_ids:
        return found
    for row in s.scalars(select(SignalBatch).where(SignalBatch.answer_id.in_(answer_ids))
                         .order_by(SignalBatch.id)):
        found[row.answer_id].append(row)
    return found


def timeline(batches: list[SignalBatch]) -> list[list[Any]]:
    """Every event with its time made absolute (ms since 1970), in the order of the clock;
    events of one time keep the order they were recorded in."""
    events = [[b.t0 + e[1], *e[2:], e[0]] for b in batches for e in b.events]
    indexed = sorted(enumerate(events), key=lambda p: (p[1][0], p[0]))
    return [[e[-1], e[0], *e[1:-1]] for _, e in indexed]


def duration(ms: int) -> str:
    """``1 min 05 s`` or ``4.2 s``."""
    if ms < 60_000:
        return f"{ms / 1000:.1f} s"
    minutes, seconds = divmod(round(ms / 1000), 60)
    return f"{minutes} min {seconds:02d} s"


def summaries(s: Session, answer_ids: list[int]) -> dict[int, Summary]:
    """The summary of each answer's signals (an answer with none has an empty one)."""
    return {a: summarise(found) for a, found in batches_of(s, answer_ids).items()}


@dataclass
class Summary:
    """What a reviewer reads first: pastes, time away, how much was typed."""

    pastes: int = 0
    pasted_chars: int = 0
    largest_paste: int = 0
    away: int = 0
    away_ms: int = 0
    longest_away_ms: int = 0
    edits: int = 0
    typed_chars: int = 0
    first: datetime | None = None
    last: datetime | None = None
    paste_times: list[datetime] = field(default_factory=list)

    @property
    def recorded(self) -> bool:
        return self.first is not None

    @property
    def away_text(self) -> str:
        return duration(self.away_ms)

    @property
    def longest_away_text(self) -> str:
        return duration(self.longest_away_ms)

    def as_dict(self) -> dict[str, Any]:
        return {"pastes": self.pastes, "pasted_chars": self.pasted_chars,
                "largest_paste": self.largest_paste, "away": self.away,
                "away_seconds": round(self.away_ms / 1000, 1),
                "longest_away_seconds": round(self.longest_away_ms / 1000, 1),
                "edits": self.edits, "typed_chars": self.typed_chars,
                "first": self.first.isoformat() if self.first else None,
                "last": self.last.isoformat() if self.last else None}


def summarise(batches: list[SignalBatch]) -> Summary:
    """The summary of an answer's signals. Characters a paste brought in count as pasted, not
    typed."""
    summary = Summary()
    pending_paste = False
    for event in timeline(batches):
        kind, at = event[0], datetime.fromtimestamp(event[1] / 1000, UTC)
        summary.first = summary.first or at
        summary.last = at
        if kind == "p":
            summary.pastes += 1
            summary.pasted_chars += event[2]
            summary.largest_paste = max(summary.largest_paste, event[2])
            summary.paste_times.append(at)
            pending_paste = True
        elif kind == "a":
            summary.away += 1
            summary.away_ms += event[2]
            summary.longest_away_ms = max(summary.longest_away_ms, event[2])
        elif kind == "e":
            summary.edits += 1
            if not pending_paste:
                summary.typed_chars += len(event[4])
            pending_paste = False
    return summary
