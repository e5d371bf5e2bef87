"""A small y-websocket client (asyncio, ``websockets``): joins a room's document, keeps it in
sync, sends local changes. The benchmark and the tests use it; a script may too (with an API
token as the bearer)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import websockets
from pycrdt import (
    Doc,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    handle_sync_message,
)


class RoomClient:
    """One client of one document: ``async with RoomClient(url, token) as client``."""

    def __init__(self, url: str, token: str | None = None) -> None:
        self.url = url
        self.headers = {"authorization": f"Bearer {token}"} if token else {}
        self.doc: Doc[Any] = Doc()
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self._socket: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def __aenter__(self) -> RoomClient:
        self._socket = await websockets.connect(self.url, additional_headers=self.headers,
                                                max_size=None, compression=None)
        self._reader = asyncio.create_task(self._read())
        await self._socket.send(create_sync_message(self.doc))
        await asyncio.wait_for(self.synced.wait(), 30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader

    async def _read(self) -> None:
        try:
            async for message in self._socket:
                if not isinstance(message, bytes) or message[0] != YMessageType.SYNC:
                    continue
                reply = handle_sync_message(message[1:], self.doc)
                if reply is not None:
                    await self._socket.send(reply)
                if message[1] == YSyncMessageType.SYNC_STEP2:
                    self.synced.set()
                self._changed.set()
        except websockets.ConnectionClosed as closed:
            self.close_code = closed.rcvd.code if closed.rcvd else None
        finally:
            if self._socket.close_code is not None:
                self.close_code = self._socket.close_code
            self.closed.set()
            self._changed.set()

    async def change(self, mutate: Callable[[Doc[Any]], None]) -> None:
        """Change the local document and send the change."""
        before = self.doc.get_state()
        mutate(self.doc)
        await self._socket.send(create_update_message(self.doc.get_update(before)))

    async def until(self, holds: Callable[[Doc[Any]], bool], timeout: float = 30) -> None:
        """Wait until the document satisfies ``holds`` (TimeoutError otherwise)."""
        async def wait() -> None:
            while not holds(self.doc):
                if self.closed.is_set():
                    raise ConnectionError(f"the room closed the connection ({self.close_code})")
                self._changed.clear()
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)
