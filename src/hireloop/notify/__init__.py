"""Notifications: an e-mail outbox over SMTP, signed webhooks with retries.

Every mail and webhook call is a row of the ``outbox`` table, added in the same transaction as
the change that caused it (``outbox.enqueue``), and delivered by a thread of each grading
process (``outbox.DeliveryThread``), so the web process needs no SMTP credentials or outbound
network. ``events.emit`` is what the hiring service calls at each interview event.
"""

from __future__ import annotations

import importlib

SENDER_MODULES = ("hireloop.notify.webhooks", "hireloop.notify.mail")
"""the modules that register a sender (and event listeners) when imported"""


def load_senders() -> None:
    """Import every sender module, so its channel and listeners are registered."""
    for name in SENDER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # a missing dependency of an existing module is a bug
                raise
