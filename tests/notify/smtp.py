"""A real SMTP server for the mail tests: aiosmtpd on a free port, in a thread, keeping what
it receives. It can be started late (the server was down) on the port it was given, and
refuse chosen recipients (550)."""

from __future__ import annotations

import email
import email.policy
import time
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.web.server import free_port


class Inbox:
    """The handler: accepts every message, refuses the recipients in ``refuse``."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        del server, session, rcpt_options
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        del server, session
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def settings(self) -> dict[str, Any]:
        """Settings that send through this server (plain SMTP on the loopback)."""
        return {"smtp_host": "127.0.0.1", "smtp_port": self.port, "smtp_security": "none",
                "mail_from": "jobs@example.com", "mail_from_name": "Example Hiring",
                "base_url": "http://testserver", "smtp_timeout_s": 5}

    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        """Each message received: its envelope's recipients and the parsed message."""
        return [(list(e.rcpt_tos),
                 email.message_from_bytes(e.original_content.replace(b"\r\n", b"\n"),
                                          policy=email.policy.default))
                for e in self.inbox.envelopes]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages() if address in rcpt]

    def wait_for(self, count: int, timeout: float = 90.0) -> list[tuple[list[str],
                                                                        EmailMessage]]:
        deadline = time.monotonic() + timeout
        while len(self.inbox.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.messages()
