"""The websocket side of live rooms: pycrdt-websocket rooms served on the FastAPI app over the
y-websocket protocol, with

- persistence before relay: an update a client sends is stored (``live_updates``, committed in
  groups) before the room applies it, so no other client ever receives an update a crash can
  lose; the server's own changes (seed, run log, coverage) are stored before they are applied;
- relay between processes: stored updates and awareness are published on Redis (when
  configured), and every process applies what the others publish to the rooms it serves;
- the room clock: rooms whose window is over end (once, whichever process gets there first)
  and their connections close;
- live coverage: a text answer's draft is graded off the request path once its writer pauses,
  and the result goes to the interviewers' panel document;
- the shared run: one trial run whose log is written into the shared document.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import struct
import time
from collections.abc import Callable, Coroutine
from typing import Any

from pycrdt import Channel, Doc, Map, YMessageType, YSyncMessageType, read_message
from pycrdt.websocket import YRoom
from sqlalchemy import insert, select
from starlette.websockets import WebSocket, WebSocketDisconnect

from hireloop.core import Submission
from hireloop.db.models import LiveRoom, LiveUpdate, TrialRun, utcnow
from hireloop.hiring.service import Platform
from hireloop.live import coverage, documents, rooms

log = logging.getLogger("hireloop.live")

CLOCK_S = 1.0
"""how often the room clock looks for rooms to end"""
COVERAGE_PAUSE_S = 0.5
"""a text answer's coverage is computed once its writer paused this long"""
RUN_POLL_S = 0.25
"""how often a shared run's log is copied into the document"""
CLOSE_AFTER_S = 0.3
"""how long an ended room's connections stay for its last message to reach them"""
CLOSED = 4000
"""the websocket close code of a room that is not open"""
RELAY_CHANNEL = "hireloop:live"
WARM_UP = " ".join(f"Sentence {n} of a paragraph that only loads and warms the models of the "
                   "text grader, so that the first real draft is graded quickly."
                   for n in range(1, 16))


class Persister:
    """Stores updates in groups: every update waiting when a write starts goes in one
    transaction, and each sender resumes once its update is committed."""

    def __init__(self, platform: Platform) -> None:
        self.db = platform.db
        self.queue: asyncio.Queue[tuple[int, str, bytes, asyncio.Future[None]]] = \
            asyncio.Queue()

    async def store(self, room_id: int, doc: str, data: bytes) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait((room_id, doc, data, future))
        await future

    async def run(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await asyncio.to_thread(self._write, batch)
            except Exception as exc:  # the senders hear of it; their clients retry
                log.exception("storing %d live updates failed", len(batch))
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for *_, future in batch:
                if not future.done():
                    future.set_result(None)

    def _write(self, batch: list[tuple[int, str, bytes, asyncio.Future[None]]]) -> None:
        with self.db.session() as s:
            s.execute(insert(LiveUpdate), [{"room_id": r, "doc": d, "data": data,
                                            "created_at": utcnow()}
                                           for r, d, data, _ in batch])


class Client(Channel):
    """One browser (or y-websocket client) in a room: its updates are stored and published
    before the room sees them; nothing is accepted once the room is closed."""

    def __init__(self, hub: LiveHub, websocket: WebSocket, room_id: int, doc: str) -> None:
        self.hub, self.websocket, self.room_id, self.doc = hub, websocket, room_id, doc
        self._path = f"/live/{room_id}/ws/{doc}"
        self._lock = asyncio.Lock()

    @property
    def path(self) -> str:
        return self._path

    async def send(self, message: bytes) -> None:
        async with self._lock:
            await self.websocket.send_bytes(message)

    def __aiter__(self) -> Client:
        return self

    async def recv(self) -> bytes:
        return bytes(await self.__anext__())

    async def __anext__(self) -> bytes:
        while True:
            try:
                incoming = await self.websocket.receive()
            except (WebSocketDisconnect, RuntimeError):
                raise StopAsyncIteration from None
            if incoming["type"] == "websocket.disconnect":
                raise StopAsyncIteration
            message: bytes | None = incoming.get("bytes")
            if not message:
                continue
            if not self.hub.is_open(self.room_id):
                await self.close(CLOSED, "the room is closed")
                raise StopAsyncIteration
            if message[0] == YMessageType.SYNC and len(message) > 1 and message[1] in (
                    YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
                update = read_message(message[2:])
                if len(update) > 2:  # an empty update is two zero bytes
                    await self.hub.persister.store(self.room_id, self.doc, update)
                    await self.hub.publish(b"u", self.room_id, self.doc, update)
                    self.hub.touched(self.room_id, self.doc)
            elif message[0] == YMessageType.AWARENESS:
                await self.hub.publish(b"a", self.room_id, self.doc, message)
            return message

    async def close(self, code: int, reason: str) -> None:
        with contextlib.suppress(Exception):
            await self.websocket.close(code, reason)


class LiveHub:
    """The live rooms this process serves."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.persister = Persister(platform)
        self.origin = secrets.token_bytes(8)
        self.rooms: dict[tuple[int, str], YRoom] = {}
        self.clients: dict[int, set[Client]] = {}
        self.state: dict[int, str] = {}
        """each served room's state, refreshed by the clock"""
        self._loading: dict[tuple[int, str], list[bytes]] = {}
        self._lock = asyncio.Lock()
        self._tasks: list[asyncio.Task[Any]] = []
        self._redis: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.channel = RELAY_CHANNEL
        self._pauses: dict[int, float] = {}
        self._coverage_tasks: dict[int, asyncio.Task[Any]] = {}
        self._warm = False
        self.coverage_seconds: list[float] = []
        """how long each coverage computation took (for the status and the benchmark)"""

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self._tasks.append(asyncio.create_task(self.persister.run()))
        self._tasks.append(asyncio.create_task(self._clock()))
        url = self.platform.settings.redis_url
        if url:
            import redis.asyncio as aioredis

            self._redis = aioredis.from_url(url)
            self.channel = relay_channel(self.platform.settings.db_url())
            self._tasks.append(asyncio.create_task(self._subscribe()))

    async def stop(self) -> None:
        for task in [*self._tasks, *self._coverage_tasks.values()]:
            task.cancel()
        for room in list(self.rooms.values()):
            with contextlib.suppress(Exception):
                await room.stop()
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()

    def submit(self, work: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
        """Run ``work(*args)`` on this hub's event loop, from any thread (a route running in
        the thread pool); returns a ``concurrent.futures.Future``."""
        if self.loop is None:
            raise RuntimeError("the live hub has not started")
        return asyncio.run_coroutine_threadsafe(work(*args), self.loop)

    # --- rooms ----------------------------------------------------------------------------------

    def is_open(self, room_id: int) -> bool:
        return self.state.get(room_id) == "open"

    async def room(self, room_id: int, doc: str) -> YRoom:
        """The served room of a document, loaded from storage (seeded the first time)."""
        key = (room_id, doc)
        async with self._lock:
            served = self.rooms.get(key)
            if served is not None:
                return served
            self._loading[key] = []
            try:
                if doc == documents.SHARED:
                    await asyncio.to_thread(self._seed_once, room_id)
                ydoc = await asyncio.to_thread(self._load, room_id, doc)
                for early in self._loading[key]:
                    ydoc.apply_update(early)
            finally:
                del self._loading[key]
            served = YRoom(ready=True, ydoc=ydoc, log=log, exception_handler=_logged)
            self._tasks.append(asyncio.create_task(served.start()))
            await served.started.wait()
            self.rooms[key] = served
        if doc == documents.SHARED:
            self.touched(room_id, doc)  # first coverage now: the text grader warms up early
        return served

    def _load(self, room_id: int, doc: str) -> Doc[Any]:
        with self.platform.db.session(write=False) as s:
            return documents.load(s, room_id, doc)

    def _seed_once(self, room_id: int) -> None:
        """The shared document's first update (each answer's saved draft or starting text),
        stored once: the room's row is locked while it is checked and written, so two
        processes opening the room together do not both seed it."""
        from hireloop.web.take import view_of

        with self.platform.db.session() as s:
            room = s.scalar(select(LiveRoom).where(LiveRoom.id == room_id).with_for_update())
            if room is None or s.scalar(select(LiveUpdate.id).where(
                    LiveUpdate.room_id == room_id, LiveUpdate.doc == documents.SHARED).limit(1)):
                return
            start: list[tuple[int, str | None, dict[str, str] | None]] = []
            for answer in rooms.room_answers(room):
                view, _ = view_of(self.platform, answer)
                if view.input_kind == "files":
                    files = answer.files or {f["path"]: f["content"]
                                             for f in view.fields.get("files", [])
                                             if f.get("editable")}
                    start.append((answer.id, None, files))
                else:
                    starter = view.fields.get("starter") if view.input_kind == "code" else ""
                    start.append((answer.id, answer.text if answer.text is not None
                                  else starter, None))
            s.add(LiveUpdate(room_id=room_id, doc=documents.SHARED,
                             data=documents.seed_update(start)))

    async def serve(self, websocket: WebSocket, room_id: int, doc: str) -> None:
        """Serve one accepted websocket until it leaves or the room closes."""
        await self._refresh(room_id)
        client = Client(self, websocket, room_id, doc)
        if not self.is_open(room_id):
            await client.close(CLOSED, "the room is not open")
            return
        served = await self.room(room_id, doc)
        self.clients.setdefault(room_id, set()).add(client)
        try:
            await served.serve(client)
        finally:
            self.clients.get(room_id, set()).discard(client)

    async def change(self, room_id: int, doc: str, mutate: Callable[[Doc[Any]], None]) -> None:
        """A change of the server's own (a run's log, coverage, the end): made on a copy,
        stored and published, then applied to the served room, which relays it."""
        served = await self.room(room_id, doc)
        scratch: Doc[Any] = Doc()
        scratch.apply_update(served.ydoc.get_update())
        before = scratch.get_state()
        mutate(scratch)
        update = scratch.get_update(before)
        await self.persister.store(room_id, doc, update)
        await self.publish(b"u", room_id, doc, update)
        served.ydoc.apply_update(update)

    # --- relay between processes ------------------------------------------------------------

    async def publish(self, kind: bytes, room_id: int, doc: str, data: bytes) -> None:
        if self._redis is None:
            return
        header = self.origin + kind + struct.pack(">IB", room_id, documents.DOCS.index(doc))
        await self._redis.publish(self.channel, header + data)

    async def _subscribe(self) -> None:
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self._relayed(bytes(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the live relay lost Redis; reconnecting")
                await asyncio.sleep(1)

    async def _relayed(self, payload: bytes) -> None:
        origin, kind = payload[:8], payload[8:9]
        if origin == self.origin:
            return
        room_id, doc_index = struct.unpack(">IB", payload[9:14])
        data = payload[14:]
        key = (room_id, documents.DOCS[doc_index])
        if kind == b"u":
            if key in self._loading:
                self._loading[key].append(data)
            served = self.rooms.get(key)
            if served is not None:  # coverage is the receiving process's work, not ours
                served.ydoc.apply_update(data)
        elif kind == b"a":
            for client in list(self.clients.get(room_id, ())):
                if client.doc == key[1]:
                    with contextlib.suppress(Exception):
                        await client.send(data)

    # --- the room clock -------------------------------------------------------------------------

    async def _refresh(self, room_id: int) -> None:
        def read() -> str:
            with self.platform.db.session(write=False) as s:
                room = s.get(LiveRoom, room_id)
                return "ended" if room is None else rooms.room_state(room)

        self.state[room_id] = await asyncio.to_thread(read)

    async def _clock(self) -> None:
        while True:
            await asyncio.sleep(CLOCK_S)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the live room clock failed")

    async def tick(self) -> None:
        """End rooms whose window is over, and close the connections of ended rooms."""
        ended = await asyncio.to_thread(self._end_due)
        for room_id in list(self.clients) + list(ended):
            await self._refresh(room_id)
            if self.state.get(room_id) == "ended":
                await self.closed(room_id)

    def _end_due(self) -> list[int]:
        ended = []
        with self.platform.db.session(write=False) as s:  # looking takes no write lock
            due = rooms.due_rooms(s)
        for room in due:
            with self.platform.db.session() as s:
                fresh = s.get(LiveRoom, room.id)
                assert fresh is not None
                jobs = rooms.end_room(s, self.platform, fresh)
            for job in jobs:
                self.platform.runtime.enqueue(job)
            ended.append(room.id)
        return ended

    async def closed(self, room_id: int) -> None:
        """Tell the room it ended (in the shared document), then close its connections."""
        self.state[room_id] = "ended"
        if (room_id, documents.SHARED) in self.rooms:
            def mark(doc: Doc[Any]) -> None:
                doc.get("room", type=Map)["state"] = "ended"

            with contextlib.suppress(Exception):
                served = self.rooms[(room_id, documents.SHARED)]
                if served.ydoc.get("room", type=Map).get("state") != "ended":
                    await self.change(room_id, documents.SHARED, mark)
                    await asyncio.sleep(CLOSE_AFTER_S)  # the room relays it before it closes
        for client in list(self.clients.pop(room_id, ())):
            await client.close(CLOSED, "the room has ended")
        for doc in documents.DOCS:
            gone = self.rooms.pop((room_id, doc), None)
            if gone is not None:
                with contextlib.suppress(Exception):
                    await gone.stop()

    # --- live coverage of text answers ------------------------------------------------------

    def touched(self, room_id: int, doc: str) -> None:
        """The shared document changed: recompute coverage once the writing pauses."""
        if doc != documents.SHARED:
            return
        self._pauses[room_id] = time.monotonic()
        task = self._coverage_tasks.get(room_id)
        if task is None or task.done():
            self._coverage_tasks[room_id] = asyncio.create_task(self._coverage_after_pause(
                room_id))

    async def _coverage_after_pause(self, room_id: int) -> None:
        """Coverage after each pause; an edit made while it is computed brings another."""
        while True:
            wait = self._pauses[room_id] + COVERAGE_PAUSE_S - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            computed_for = self._pauses[room_id]
            await self._coverage_now(room_id)
            if self._pauses[room_id] == computed_for:
                return

    async def _coverage_now(self, room_id: int) -> None:
        served = self.rooms.get((room_id, documents.SHARED))
        if served is None:
            return
        snapshot: Doc[Any] = Doc()
        snapshot.apply_update(served.ydoc.get_update())
        try:
            started = time.monotonic()
            results = await asyncio.to_thread(self._coverage, room_id, snapshot)
            self.coverage_seconds.append(time.monotonic() - started)
            del self.coverage_seconds[:-1000]
        except Exception:
            log.exception("live coverage of room %s failed", room_id)
            return
        if not results:
            return

        def write(doc: Doc[Any]) -> None:
            for answer_id, result in results.items():
                target = doc.get(documents.coverage_name(answer_id), type=Map)
                for key, value in result.items():
                    target[key] = value

        await self.change(room_id, documents.PANEL, write)

    def _coverage(self, room_id: int, snapshot: Doc[Any]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        with self.platform.db.session(write=False) as s:
            room = s.get(LiveRoom, room_id)
            if room is None:
                return out
            for answer in rooms.room_answers(room):
                points = rooms.checklist(self.platform, answer.exercise_id)
                if not points:
                    continue
                if not self._warm:  # load the text grader's models before anyone waits
                    self.platform.runtime.grade_submission(Submission(
                        exercise_id=answer.exercise_id, seed=answer.seed,
                        text=WARM_UP))
                    self._warm = True
                text, _ = documents.answer_content(snapshot, answer.id)
                found = coverage.of_draft(self.platform, answer.exercise_id, answer.seed,
                                          text, points)
                if found is not None:
                    out[answer.id] = coverage.for_interviewers(found)
        return out

    # --- the shared run -------------------------------------------------------------------------

    async def follow_run(self, room_id: int, answer_id: int, trial_id: int) -> None:
        """Copy a trial run's state and log into the shared document until it is done."""
        seen: tuple[Any, ...] = ()
        while True:
            run = await asyncio.to_thread(self._trial, trial_id)
            if run is None:
                return
            current = (run["state"], len(run["log"]), run["summary"])
            if current != seen:
                seen = current

                def write(doc: Doc[Any], run: dict[str, Any] = run) -> None:
                    target = doc.get(documents.run_name(answer_id), type=Map)
                    for key, value in run.items():
                        target[key] = value

                await self.change(room_id, documents.SHARED, write)
            if run["state"] == "done":
                return
            await asyncio.sleep(RUN_POLL_S)

    def _trial(self, trial_id: int) -> dict[str, Any] | None:
        with self.platform.db.session(write=False) as s:
            run = s.get(TrialRun, trial_id)
            if run is None:
                return None
            result = run.result or {}
            return {"trial": run.id, "state": run.state, "log": "\n".join(run.lines or []),
                    "summary": str(result.get("summary") or ""),
                    "passed": result.get("passed")}


def relay_channel(database_url: str) -> str:
    """The Redis channel of one installation: Redis channels ignore the database number, so
    two installations on one Redis must not share one (their room ids would collide). The
    processes of an installation share its database, named by the same URL."""
    from hashlib import sha256
    from urllib.parse import urlsplit

    parts = urlsplit(database_url)
    where = f"{parts.scheme}://{parts.hostname}:{parts.port}{parts.path}"
    return f"{RELAY_CHANNEL}:{sha256(where.encode()).hexdigest()[:16]}"


def _logged(exception: Exception, logger: logging.Logger) -> bool:
    """A client's failure ends that client's connection, never the room."""
    logger.warning("live room: %s: %s", type(exception).__name__, exception)
    return True
