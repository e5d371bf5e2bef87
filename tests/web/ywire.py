"""A y-websocket client for tests, over Starlette's test websockets: sync a document, send a
change, read everything a document holds as text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import (
    Doc,
    Map,
    Text,
    YMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)


def synced(socket: Any) -> Doc[Any]:
    """The server's document: answer its sync step 1, ask with ours, apply its step 2."""
    doc: Doc[Any] = Doc()
    first = socket.receive_bytes()
    reply = handle_sync_message(first[1:], doc)
    if reply is not None:
        socket.send_bytes(reply)
    socket.send_bytes(create_sync_message(doc))
    while True:
        message = socket.receive_bytes()
        if message[0] == YMessageType.SYNC:
            handle_sync_message(message[1:], doc)
            if message[1] == 1:  # sync step 2: the server's state
                return doc


def change(socket: Any, doc: Doc[Any], mutate: Callable[[Doc[Any]], None]) -> None:
    before = doc.get_state()
    mutate(doc)
    socket.send_bytes(create_update_message(doc.get_update(before)))


def until(socket: Any, doc: Doc[Any], read: Callable[[Doc[Any]], dict[str, Any]],
          key: str) -> dict[str, Any]:
    """Apply what the server sends until ``read(doc)`` has a non-empty ``key``."""
    while not (value := read(doc)).get(key):
        message = socket.receive_bytes()
        if message[0] == YMessageType.SYNC:
            handle_sync_message(message[1:], doc)
    return value


def everything(doc: Doc[Any]) -> str:
    """Every text and map value of a document, as one string (to search for secrets)."""
    parts = []
    for name in list(doc.keys()):
        if name.startswith("text-") or name == "notes":
            parts.append(str(doc.get(name, type=Text)))
        else:
            parts.append(repr(doc.get(name, type=Map).to_py()))
    return "\n".join(parts)
