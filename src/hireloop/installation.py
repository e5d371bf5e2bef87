"""The installation's secret: what generated hidden data is drawn from.

The built-in bank is public (it is in hireloop's repository), and so are its generators of
hidden test cases and holdout data. If their seeds were public too, a candidate could run
them and know every hidden input and label. So every seed that draws hidden data mixes in a
key that only this installation holds: ``HIRELOOP_INSTALLATION_KEY`` (hex), or else the file
``<data dir>/installation.key``, made once with 32 random bytes and readable by its owner only.
Every process that grades for the same platform (web server and workers) must share the key,
or the same submission could be graded on different cases; the data directory is shared
anyway (docs/operating.md). The data directory is never visible to sandboxed code.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path

__all__ = ["KEY_FILE", "fixed_key", "installation_key", "secret_seed"]

KEY_FILE = "installation.key"
_lock = threading.Lock()
_cache: dict[str, bytes] = {}


def _key_file(data_dir: Path) -> bytes:
    path = data_dir / KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    tmp = data_dir / f".{KEY_FILE}.{os.getpid()}.{threading.get_ident()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, key.hex().encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # never replaces a key another process wrote first
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return _read(path)


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{path} does not hold a hex key; delete it to make a new one "
                         "(hidden cases drawn with the old one change)") from None
    if len(key) < 16:
        raise ValueError(f"{path} holds a key of {len(key)} bytes; at least 16 are needed")
    return key


_fixed = threading.local()


@contextlib.contextmanager
def fixed_key(key: bytes) -> Iterator[None]:
    """Draw with ``key`` instead of the installation's secret inside this block, in this
    thread only (for ``hireloop bank check``, whose samples must get the same data on every
    machine; grading in other threads keeps the secret)."""
    stack: list[bytes] = getattr(_fixed, "stack", [])
    _fixed.stack = [*stack, key]
    try:
        yield
    finally:
        _fixed.stack = stack


def installation_key() -> bytes:
    """This installation's secret key (made on first use)."""
    from hireloop.config import get_settings

    stack: list[bytes] = getattr(_fixed, "stack", [])
    if stack:
        return stack[-1]

    settings = get_settings()
    configured = settings.installation_key.get_secret_value() \
        if settings.installation_key is not None else ""
    cache_key = configured or str(settings.data_dir.resolve())
    with _lock:
        if cache_key not in _cache:
            if configured:
                try:
                    key = bytes.fromhex(configured.strip())
                except ValueError:
                    raise ValueError("HIRELOOP_INSTALLATION_KEY must be hex") from None
                if len(key) < 16:
                    raise ValueError("HIRELOOP_INSTALLATION_KEY must hold at least 16 bytes")
                _cache[cache_key] = key
            else:
                _cache[cache_key] = _key_file(settings.data_dir)
        return _cache[cache_key]


def secret_seed(*parts: object) -> int:
    """A seed in [0, 2**63) that only this installation can compute from ``parts``
    (e.g. ``("code-case", exercise_id, variant_seed, case_name)``)."""
    message = json.dumps([str(p) for p in parts]).encode()
    digest = hmac.new(installation_key(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1
