"""Values across the sandbox boundary: one frame per value, JSON plus raw numeric buffers.

Used on both sides: the host imports it as ``hireloop.sandbox.wire``; inside a session's
sandbox it is mounted read-only as ``/.hireloop/wire.py`` and importable as ``wire`` by
worker scripts. Stdlib only; numpy when it is installed.

A frame is ``b"HLW1"``, the JSON document's length (u32) and the document, the number of
buffers (u32) and each buffer's length (u64), then the buffers. Numeric numpy arrays larger
than ``ARRAY_INLINE`` elements travel as raw bytes (a placeholder ``{"__nd__": i, "dtype",
"shape"}`` in the document), and so do ``bytes`` (``{"__bytes__": i}``); smaller arrays,
tuples and sets become lists.

``decode`` trusts nothing: what the host reads comes from code under test, so every size,
dtype and shape is checked, nesting deeper than the JSON parser allows is refused, and any
malformed frame raises ``WireError`` (a verdict on that output, never a crash of the grader).
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

__all__ = ["ARRAY_INLINE", "Channel", "WireError", "decode", "encode", "read_frame",
           "write_frame"]

MAGIC = b"HLW1"
ARRAY_INLINE = 2048
MAX_DEPTH = 64
_U32 = struct.Struct("!I")
_U64 = struct.Struct("!Q")
_LEN = struct.Struct("!Q")
_DTYPE_KINDS = "biuf"
_PLACEHOLDER = "__nd__"
_BYTES = "__bytes__"


class WireError(ValueError):
    """A frame that is not a well-formed value (what code under test sent, or too much)."""


def _np() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - numpy is always there where arrays travel
        return None
    return numpy


def encode(value: Any) -> bytes:
    """A frame holding ``value``. Raises TypeError for values that cannot travel."""
    buffers: list[bytes] = []
    np = _np()

    def numpy_or_set(v: Any) -> Any:
        """What ``json`` cannot write itself (called by its C encoder, only for those)."""
        placeholder = _buffered(v, buffers, np)
        if placeholder is not None:
            return placeholder
        if np is not None:
            if isinstance(v, np.ndarray):
                return v.tolist()
            if isinstance(v, np.generic):
                return v.item()
        if isinstance(v, set | frozenset):
            return sorted(v, key=lambda x: json.dumps(x, sort_keys=True, default=str))
        raise TypeError(f"returned a {type(v).__name__}, which cannot be compared")

    try:
        doc = json.dumps(value, default=numpy_or_set, allow_nan=True).encode("utf-8")
    except RecursionError:
        raise TypeError("the value is nested too deeply") from None
    except TypeError:
        # a dict whose keys json refuses (tuples...): the slow path names keys with str()
        buffers.clear()
        doc = json.dumps(_plain(value, buffers, np), allow_nan=True).encode("utf-8")
    parts = [MAGIC, _U32.pack(len(doc)), doc, _U32.pack(len(buffers))]
    parts += [_U64.pack(len(b)) for b in buffers]
    parts += buffers
    return b"".join(parts)


def _buffered(v: Any, buffers: list[bytes], np: Any) -> dict[str, Any] | None:
    """Bytes, or a large array of plain numbers, moved to a buffer of the frame: the
    placeholder that stands for it in the JSON part (None for anything else)."""
    if isinstance(v, bytes | bytearray | memoryview):
        buffers.append(bytes(v))
        return {_BYTES: len(buffers) - 1}
    if (np is not None and isinstance(v, np.ndarray) and v.dtype.kind in _DTYPE_KINDS
            and v.size > ARRAY_INLINE):
        data = np.ascontiguousarray(v, dtype=v.dtype.newbyteorder("<"))
        buffers.append(data.tobytes())
        return {_PLACEHOLDER: len(buffers) - 1, "dtype": data.dtype.str,
                "shape": list(data.shape)}
    return None


def _plain(v: Any, buffers: list[bytes], np: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        raise TypeError("the value is nested too deeply")
    if v is None or isinstance(v, bool | int | float | str):
        return v
    placeholder = _buffered(v, buffers, np)
    if placeholder is not None:
        return placeholder
    if np is not None:
        if isinstance(v, np.ndarray):
            return _plain(v.tolist(), buffers, np, depth + 1)
        if isinstance(v, np.generic):
            return _plain(v.item(), buffers, np, depth + 1)
    if isinstance(v, list | tuple):
        return [_plain(x, buffers, np, depth + 1) for x in v]
    if isinstance(v, set | frozenset):
        items = [_plain(x, buffers, np, depth + 1) for x in v]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True))
    if isinstance(v, dict):
        return {str(k): _plain(x, buffers, np, depth + 1) for k, x in v.items()}
    raise TypeError(f"returned a {type(v).__name__}, which cannot be compared")


def decode(frame: bytes | bytearray | memoryview, *, max_json: int = 8 << 20) -> Any:
    """The value a frame holds. Raises ``WireError`` for anything malformed or too large:
    a bad header, a JSON document over ``max_json`` bytes or nested deeper than the parser
    allows, a buffer whose dtype is not numeric or whose size does not match its shape.
    Arrays come back as writable numpy arrays."""
    mv = memoryview(frame)
    try:
        if len(mv) < 12 or bytes(mv[:4]) != MAGIC:
            raise WireError("not a value frame")
        (n_doc,) = _U32.unpack_from(mv, 4)
        if n_doc > max_json:
            raise WireError(f"the output's data is larger than {max_json} bytes")
        end = 8 + n_doc
        if end + 4 > len(mv):
            raise WireError("the frame is cut short")
        (n_buf,) = _U32.unpack_from(mv, end)
        pos = end + 4
        if n_buf > 4096 or pos + 8 * n_buf > len(mv):
            raise WireError("the frame's buffer table is malformed")
        lengths = [_U64.unpack_from(mv, pos + 8 * i)[0] for i in range(n_buf)]
        pos += 8 * n_buf
        if pos + sum(lengths) != len(mv):
            raise WireError("the frame's buffers do not add up to its size")
        buffers = []
        for n in lengths:
            buffers.append(mv[pos:pos + n])
            pos += n
        used: set[int] = set()

        def placeholders(obj: dict[str, Any]) -> Any:
            if _PLACEHOLDER in obj:
                return _array(obj, buffers, used)
            if _BYTES in obj:
                return _bytes(obj, buffers, used)
            return obj

        try:
            return json.loads(bytes(mv[8:end]).decode("utf-8"), object_hook=placeholders)
        except RecursionError:
            raise WireError("the value is nested too deeply") from None
        except WireError:
            raise
        except (ValueError, UnicodeDecodeError) as exc:
            raise WireError(f"the value is not well-formed ({exc})") from None
    except struct.error as exc:
        raise WireError(f"the frame is malformed ({exc})") from None


def _bytes(spec: dict[str, Any], buffers: list[memoryview], used: set[int]) -> bytes:
    index = spec.get(_BYTES)
    if set(spec) != {_BYTES} or not isinstance(index, int) or isinstance(index, bool) \
            or not 0 <= index < len(buffers) or index in used:
        raise WireError("a bytes placeholder is malformed")
    used.add(index)
    return bytes(buffers[index])


def _array(spec: dict[str, Any], buffers: list[memoryview], used: set[int]) -> Any:
    np = _np()
    index, dtype, shape = spec.get(_PLACEHOLDER), spec.get("dtype"), spec.get("shape")
    if np is None:
        raise WireError("an array arrived where numpy is not installed")
    if set(spec) != {_PLACEHOLDER, "dtype", "shape"} or not isinstance(index, int) \
            or isinstance(index, bool) or not 0 <= index < len(buffers) or index in used:
        raise WireError("an array placeholder is malformed")
    used.add(index)
    if not isinstance(dtype, str) or len(dtype) > 8:
        raise WireError("an array's dtype is malformed")
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise WireError(f"unknown array dtype {dtype!r}") from None
    if dt.kind not in _DTYPE_KINDS or dt.itemsize > 16 or dt.hasobject:
        raise WireError(f"arrays of dtype {dtype!r} are not accepted")
    if not isinstance(shape, list) or len(shape) > 32 or not all(
            isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise WireError("an array's shape is malformed")
    count = 1
    for d in shape:
        count *= d
    buf = buffers[index]
    if count * dt.itemsize != len(buf):
        raise WireError("an array's size does not match its shape")
    return np.frombuffer(buf, dtype=dt).reshape(shape).copy()


class Channel:
    """A worker script's end of a session: ``receive`` a request, ``reply`` to it.

    >>> ch = Channel.open()          # doctest: +SKIP  (the relay's first frame)
    >>> ch.reply(encode("ready"))    # doctest: +SKIP
    >>> while True:                  # doctest: +SKIP
    ...     ch.reply(encode(handle(decode(ch.receive()))))
    """

    def __init__(self, req_fd: int, rep_fd: int) -> None:
        self.req_fd = req_fd
        self.rep_fd = rep_fd
        self._nonce = b""

    @classmethod
    def open(cls, argv: list[str] | None = None) -> Channel:
        """The channel on the descriptors the relay gave (``sys.argv[1:3]``), after
        reading the relay's opening frame (whose reply is the worker's "ready")."""
        import sys

        args = argv if argv is not None else sys.argv
        ch = cls(int(args[1]), int(args[2]))
        ch.receive()
        return ch

    def receive(self) -> memoryview:
        """The next request's payload; EOFError when the relay closed the channel."""
        frame = memoryview(read_frame(self.req_fd))
        self._nonce = bytes(frame[:8])
        return frame[8:]

    def reply(self, payload: bytes) -> None:
        """Answer the request received last (exactly once)."""
        write_frame(self.rep_fd, self._nonce + payload)


def write_frame(fd: int, data: bytes) -> None:
    """Write one length-prefixed frame to a pipe (worker side)."""
    view = memoryview(_LEN.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def read_frame(fd: int) -> bytearray:
    """Read one length-prefixed frame from a pipe (worker side); EOFError at its end."""

    def exact(n: int) -> bytearray:
        buf = bytearray(n)
        view, got = memoryview(buf), 0
        while got < n:
            count = os.readv(fd, [view[got:got + (1 << 20)]])
            if not count:
                raise EOFError
            got += count
        return buf

    (n,) = _LEN.unpack(exact(_LEN.size))
    return exact(n)
