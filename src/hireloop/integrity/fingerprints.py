"""Fingerprints of answers: winnowed k-grams of normalised Python tokens, word shingles of prose.

A fingerprint is a set of stable 63-bit hashes, each with the span of the original text it
came from, so two answers that share hashes can be shown side by side with the shared parts
highlighted. Hashes are the same in every process and on every machine (a polynomial hash
over CRC-32s of the tokens, never Python's ``hash``), because the platform keeps them in
its database as an index.

Code is compared after normalisation, as MOSS, JPlag and Dolos do: every name the author chose
becomes ``N`` (keywords, builtins and attribute names stay, since renaming them changes what
the code does), every number ``#`` and every string ``S``; comments, docstrings, type
annotations, blank lines and indentation are dropped, and ``;`` reads as a line break. So
renaming, removing comments and docstrings and re-printing a program leave its token stream
unchanged, and reordering independent statements keeps every k-gram inside a statement.
"""

from __future__ import annotations

import ast
import bisect
import builtins
import keyword
import re
import zlib
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

CODE_K = 10
"""tokens in a code k-gram"""
CODE_WINDOW = 4
"""winnowing window: every run of ``CODE_K + CODE_WINDOW - 1`` shared tokens is caught"""
TEXT_K = 5
"""words in a prose shingle"""

_KEEP_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?")


@dataclass(frozen=True, order=True)
class Span:
    """Characters ``[start, end)`` of the original text."""

    start: int
    end: int


@dataclass(frozen=True)
class Fingerprint:
    """What an answer is compared by: hashes, each with the span it covers."""

    medium: str
    """``code`` or ``text``"""
    hashes: tuple[int, ...]
    """the selected hashes, in order of position (a hash may repeat)"""
    spans: tuple[Span, ...]
    """the original text each hash came from, one per hash"""
    units: int
    """how many tokens (code) or words (text) the answer has after normalisation"""

    def hash_set(self) -> frozenset[int]:
        """The distinct hashes."""
        return frozenset(self.hashes)

    def spans_of(self, shared: frozenset[int] | set[int]) -> list[Span]:
        """The spans of the hashes in ``shared``."""
        return [s for h, s in zip(self.hashes, self.spans, strict=True) if h in shared]


_BASE = np.uint64(1_000_003)


def _unit_id(text: str, cache: dict[str, int] = {}) -> int:  # noqa: B006 - a shared cache
    """A token's or word's number: CRC-32 of its text, the same in every process."""
    found = cache.get(text)
    if found is None:
        found = zlib.crc32(text.encode()) + 1
        if len(cache) < 1_000_000:
            cache[text] = found
    return found


def rolling_hashes(units: list[str], k: int) -> np.ndarray:
    """A hash of every run of ``k`` consecutive units: the polynomial Σ idᵢ·Bᵏ⁻¹⁻ⁱ modulo
    2⁶⁴ over the units' CRC-32s, halved to fit a signed 64-bit column. Plain integer arithmetic,
    so the same in every process, on every machine and in every Python version."""
    if len(units) < k:
        return np.zeros(0, dtype=np.int64)
    ids = np.fromiter((_unit_id(u) for u in units), dtype=np.uint64, count=len(units))
    n = len(units) - k + 1
    h = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _BASE + ids[j:j + n]
    return (h >> np.uint64(1)).astype(np.int64)


class _Token(NamedTuple):
    text: str
    start: int
    end: int


_PYTHON_TOKEN = re.compile(r"""
 (?P<comment>\#[^\r\n]*)
|(?P<string>(?:[rRbBuUfF]{1,2})?(?:\"\"\"(?:\\[\s\S]|[^\\])*?\"\"\"|'''(?:\\[\s\S]|[^\\])*?'''
    |"(?:\\[\s\S]|[^"\\\r\n])*"|'(?:\\[\s\S]|[^'\\\r\n])*'))
|(?P<number>0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
|(?P<name>[^\W\d]\w*)
|(?P<newline>\r?\n|\r)
|(?P<continuation>\\\r?\n)
|(?P<op>\*\*=|//=|>>=|<<=|->|:=|\.\.\.|[-+*/%&|^@<>=!]=|\*\*|//|<<|>>
    |[-+*/%&|^~@<>=.,:;()\[\]{}])
|(?P<space>[ \t\f]+)
|(?P<other>.)
""", re.VERBOSE)
"""one token of Python source, read with one regular expression (several times faster than
the ``tokenize`` module; a test holds the two to reading the bank's code alike)"""


def python_tokens(source: str) -> list[tuple[str, str, int, int]]:
    """(kind, text, start, end) of each token of Python source; ``newline`` only where a
    logical line ends (not inside brackets); comments and white space left out. Unfinished
    code (a string that never closes) ends where the problem starts."""
    out: list[tuple[str, str, int, int]] = []
    depth = 0
    for match in _PYTHON_TOKEN.finditer(source):
        kind = match.lastgroup or "other"
        if kind in ("comment", "space", "continuation"):
            continue
        text = match.group()
        if kind == "newline":
            if depth == 0 and out and out[-1][0] != "newline":
                out.append(("newline", "", match.start(), match.start()))
            continue
        if kind == "other":
            if text in "\"'":
                break  # a string that never closes
            continue
        if kind == "op":
            if text in "([{":
                depth += 1
            elif text in ")]}":
                depth = max(0, depth - 1)
        out.append((kind, text, match.start(), match.end()))
    return out


def _ignored_spans(source: str) -> list[tuple[int, int]]:
    """Character spans of docstrings and annotations: not part of what code does."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    lines = [0]
    for line in source.splitlines(keepends=True):
        lines.append(lines[-1] + len(line))
    spans: list[tuple[int, int]] = []

    def offset(lineno: int, byte_col: int) -> int:
        line = source[lines[lineno - 1]:lines[lineno] if lineno < len(lines) else len(source)]
        if line.isascii():
            return lines[lineno - 1] + byte_col
        # ast counts columns in UTF-8 bytes
        return lines[lineno - 1] + len(line.encode()[:byte_col].decode(errors="ignore"))

    def add(node: ast.expr | ast.stmt | None) -> None:
        if node is not None and node.end_lineno is not None and node.end_col_offset is not None:
            spans.append((offset(node.lineno, node.col_offset),
                          offset(node.end_lineno, node.end_col_offset)))

    def docstring(body: list[ast.stmt]) -> None:
        if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            add(body[0])

    # Docstrings and annotations hang off statements only: walking statement bodies (not
    # every expression, as ast.walk does) reaches all of them several times faster.
    docstring(tree.body)
    todo: list[ast.stmt] = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            docstring(node.body)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            add(node.returns)
            arguments = node.args
            for arg in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                        arguments.vararg, arguments.kwarg):
                if arg is not None:
                    add(arg.annotation)
        elif isinstance(node, ast.AnnAssign) and node.value is None and node.simple:
            add(node)  # a bare declaration ``x: int`` does nothing
        elif isinstance(node, ast.AnnAssign):
            add(node.annotation)
        for name in ("body", "orelse", "finalbody"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                todo.extend(s for s in inner if isinstance(s, ast.stmt))
        for handler in getattr(node, "handlers", ()):
            todo.extend(handler.body)
        for case in getattr(node, "cases", ()):
            todo.extend(case.body)
    return sorted(spans)


def code_tokens(source: str) -> list[_Token]:
    """The normalised tokens of Python source, each with its span in ``source``."""
    ignored = _ignored_spans(source)
    starts = [a for a, _b in ignored]
    out: list[_Token] = []
    previous = ""
    for kind, raw, start, end in python_tokens(source):
        if ignored:
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and start < ignored[i][1]:
                continue
            if raw in ("->", ":") and i + 1 < len(ignored) and 0 < starts[i + 1] - start <= 3:
                continue  # the ``->`` or ``:`` that introduced a dropped annotation
        if kind == "name":
            text = raw if (raw in _KEEP_NAMES or previous == ".") else "N"
        elif kind == "number":
            text = "#"
        elif kind == "string":
            if out and out[-1].text == "S":  # implicit concatenation
                out[-1] = _Token("S", out[-1].start, end)
                continue
            text = "S"
        elif kind == "newline" or raw == ";":
            if not out or out[-1].text == ";":
                continue
            text = ";"
        else:
            text = raw
        previous = raw
        out.append(_Token(text, start, end))
    return out


def _winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Indices of the hashes winnowing selects: the rightmost minimum of every window."""
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(hashes) <= window:
        return np.array([len(hashes) - 1 - int(np.argmin(hashes[::-1]))])
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    chosen: np.ndarray = np.arange(len(windows)) + (
        window - 1 - np.argmin(windows[:, ::-1], axis=1))
    keep = np.ones(len(chosen), dtype=bool)
    keep[1:] = chosen[1:] != chosen[:-1]
    return chosen[keep]


def code_fingerprint(source: str, k: int = CODE_K, window: int = CODE_WINDOW) -> Fingerprint:
    """Winnowed k-grams of the normalised tokens of Python source."""
    tokens = code_tokens(source)
    texts = [t.text for t in tokens]
    grams = rolling_hashes(texts, k)
    chosen = _winnow(grams, window).tolist()
    return Fingerprint(
        medium="code",
        hashes=tuple(grams[chosen].tolist()),
        spans=tuple(Span(tokens[i].start, tokens[i + k - 1].end) for i in chosen),
        units=len(tokens),
    )


def prose_words(text: str) -> list[tuple[str, int, int]]:
    """Words of prose, lower-cased, with their spans."""
    return [(m.group(0).lower().replace("’", "'"), m.start(), m.end())
            for m in _WORD.finditer(text)]


def text_fingerprint(text: str, k: int = TEXT_K) -> Fingerprint:
    """Every shingle of ``k`` consecutive words (case and punctuation ignored)."""
    words = prose_words(text)
    hashes = rolling_hashes([w for w, _s, _e in words], k).tolist()
    spans = [Span(words[i][1], words[i + k - 1][2]) for i in range(len(hashes))]
    return Fingerprint(medium="text", hashes=tuple(hashes), spans=tuple(spans), units=len(words))
