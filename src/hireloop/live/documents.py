"""The Yjs documents of a live room and where they are kept.

A room has two documents. ``shared`` is what everyone in the room sees: for each answer of the
stage, a map ``files-<answer id>`` naming its files and one text ``text-<answer id>/<file>``
per file (text and code answers have the single file ``answer``), and a map
``run-<answer id>`` with the shared run's state and log, written by the server. ``panel`` is
the interviewers' own: a text ``notes`` and, per text answer, a map ``coverage-<answer id>``
the server writes. The candidate's connection is never given the panel.

Every update is a row of ``live_updates`` (written before any other client receives it); a
document is the merge of its rows.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireloop.db.models import LiveUpdate

SHARED = "shared"
PANEL = "panel"
DOCS = (SHARED, PANEL)
SINGLE = "answer"
"""the one file of a text or code answer"""


def files_name(answer_id: int) -> str:
    return f"files-{answer_id}"


def text_name(answer_id: int, file: str) -> str:
    return f"text-{answer_id}/{file}"


def run_name(answer_id: int) -> str:
    return f"run-{answer_id}"


def coverage_name(answer_id: int) -> str:
    return f"coverage-{answer_id}"


def load(s: Session, room_id: int, doc: str) -> Doc[Any]:
    """A room's document as stored (every acknowledged update)."""
    ydoc: Doc[Any] = Doc()
    for data in s.scalars(select(LiveUpdate.data).where(
            LiveUpdate.room_id == room_id, LiveUpdate.doc == doc).order_by(LiveUpdate.id)):
        ydoc.apply_update(bytes(data))
    return ydoc


def seed_update(answers: list[tuple[int, str | None, dict[str, str] | None]]) -> bytes:
    """The first update of a shared document: each answer's starting text or files."""
    ydoc: Doc[Any] = Doc()
    for answer_id, text, files in answers:
        names = ydoc.get(files_name(answer_id), type=Map)
        if files:
            for name, content in files.items():
                names[name] = True
                ydoc.get(text_name(answer_id, name), type=Text).insert(0, content)
        else:
            names[SINGLE] = True
            ydoc.get(text_name(answer_id, SINGLE), type=Text).insert(0, text or "")
    return ydoc.get_update()


def answer_content(ydoc: Doc[Any], answer_id: int) -> tuple[str, dict[str, str]]:
    """An answer as the document holds it: its text, or its files (a ``files`` answer)."""
    names = sorted(ydoc.get(files_name(answer_id), type=Map).keys())
    texts = {n: str(ydoc.get(text_name(answer_id, n), type=Text)) for n in names}
    if names == [SINGLE] or not names:
        return texts.get(SINGLE, ""), {}
    return "", texts


def read_map(ydoc: Doc[Any], name: str) -> dict[str, Any]:
    return dict(ydoc.get(name, type=Map).to_py() or {})
