"""A real, local OpenAI-compatible HTTP server with scripted replies, for testing the LLM judge.

It listens on 127.0.0.1 on an ephemeral port and implements ``POST /v1/chat/completions`` in the
OpenAI wire format. Each request takes the next scripted :class:`Scripted` step (a reply text, an
HTTP error, a delay) and is recorded with its headers and JSON body, so tests can assert what the
judge sent. A request with nothing left in the script gets HTTP 500 so a test fails loudly.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Scripted:
    """What the server does for one request."""

    content: str | None = None
    """the assistant message's text (a 200 reply)"""
    status: int = 200
    """an HTTP status other than 200 answers with an OpenAI-style error body"""
    error: str = "scripted failure"
    delay_s: float = 0.0
    """seconds to wait before answering (to exceed the client's timeout)"""
    model: str = "fake-judge-served"
    raw: bytes | None = None
    """a 200 reply with exactly this body instead of a chat completion"""


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    """header names in lower case"""
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """Every message's content, joined: what the model was shown."""
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))


@dataclass
class FakeLLM:
    """The server's script and its record of requests."""

    base_url: str = ""
    script: deque[Scripted] = field(default_factory=deque)
    requests: list[Recorded] = field(default_factory=list)
    closing: threading.Event = field(default_factory=threading.Event)

    def reply(self, *steps: Scripted | str) -> None:
        """Queue the next replies (a plain string is a 200 reply with that text)."""
        for step in steps:
            self.script.append(Scripted(content=step) if isinstance(step, str) else step)


def _handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def _send_raw(self, data: bytes) -> None:
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = {"unparsed": raw.decode(errors="replace")}
            headers = {k.lower(): v for k, v in self.headers.items()}
            fake.requests.append(Recorded(self.path, headers, body))
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "x"}})
                return
            step = fake.script.popleft() if fake.script else Scripted(
                status=500, error="the test scripted no reply for this request")
            if step.delay_s:
                fake.closing.wait(step.delay_s)
            if step.raw is not None:
                self._send_raw(step.raw)
                return
            if step.status != 200:
                self._send(step.status, {"error": {
                    "message": step.error, "type": "invalid_request_error", "code": None}})
                return
            self._send(200, {
                "id": f"chatcmpl-{len(fake.requests)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": step.model,
                "system_fingerprint": "fp_fake",
                "choices": [{
                    "index": 0,
                    "message": {"role": "assistant", "content": step.content},
                    "finish_reason": "stop",
                    "logprobs": None,
                }],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

    return Handler


def loopback_works() -> bool:
    """Whether 127.0.0.1 can be reached (not so in a bare ``unshare --net`` namespace)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            with socket.create_connection(listener.getsockname()[:2], timeout=1):
                return True
        except OSError:
            return False


@contextmanager
def serve() -> Iterator[FakeLLM]:
    """Run the server for the duration of the ``with`` block."""
    fake = FakeLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    host, port = server.server_address[:2]
    fake.base_url = f"http://{host!s}:{port}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.closing.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
