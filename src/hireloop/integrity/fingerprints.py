"""Fingerprints of answers: winnowed k-grams of normalised Python tokens, word shingles of prose.

A fingerprint is a set of stable 63-bit hashes, each with the span of the original text it
came from, so two answers that share hashes can be shown side by side with the shared parts
highlighted. Hashes are the same in every process and on every machine (BLAKE2b, never
Python's ``hash``), because the platform keeps them in its database as an index.

Code is compared after normalisation, as MOSS, JPlag and Dolos do: every name the author chose
becomes ``N`` (keywords, builtins and attribute names stay, since renaming them changes what
the code does), every number ``#`` and every string ``S``; comments, docstrings, type
annotations, blank lines and indentation are dropped, and ``;`` reads as a line break. So
renaming, removing comments and docstrings and re-printing a program leave its token stream
unchanged, and reordering independent statements keeps every k-gram inside a statement.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import keyword
import re
import token
import tokenize
from dataclasses import dataclass

CODE_K = 10
"""tokens in a code k-gram"""
CODE_WINDOW = 4
"""winnowing window: every run of ``CODE_K + CODE_WINDOW - 1`` shared tokens is caught"""
TEXT_K = 5
"""words in a prose shingle"""

_KEEP_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_DROP = {token.COMMENT, token.NL, token.INDENT, token.DEDENT, token.ENCODING, token.ENDMARKER}
_STRINGISH = {token.STRING, *(getattr(token, n) for n in
                              ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                              if hasattr(token, n))}
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


def stable_hash(text: str) -> int:
    """A 63-bit hash of ``text``, the same in every process (fits a signed 64-bit column)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True)
class _Token:
    text: str
    start: int
    end: int


def _line_offsets(source: str) -> list[int]:
    offsets = [0, 0]  # tokenize counts rows from 1
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _ignored_spans(source: str) -> list[tuple[int, int, int, int]]:
    """(row, col, end_row, end_col) of docstrings and annotations: not part of what code does."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    spans: list[tuple[int, int, int, int]] = []

    def add(node: ast.expr | ast.stmt | None) -> None:
        if node is not None and node.end_lineno is not None:
            spans.append((node.lineno, node.col_offset, node.end_lineno,
                          node.end_col_offset or 0))

    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = node.body
            if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                    and isinstance(body[0].value.value, str)):
                add(body[0])
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            add(node.returns)
        elif isinstance(node, ast.arg):
            add(node.annotation)
        elif isinstance(node, ast.AnnAssign) and node.value is None and node.simple:
            add(node)  # a bare declaration ``x: int`` does nothing
        elif isinstance(node, ast.AnnAssign):
            add(node.annotation)
    return spans


def _inside(row: int, col: int, spans: list[tuple[int, int, int, int]]) -> bool:
    return any((r0, c0) <= (row, col) < (r1, c1) for r0, c0, r1, c1 in spans)


def code_tokens(source: str) -> list[_Token]:
    """The normalised tokens of Python source, each with its span in ``source``.

    Source that does not tokenise to the end keeps the tokens read before the problem.
    """
    offsets = _line_offsets(source)
    ignored = _ignored_spans(source)
    out: list[_Token] = []
    previous_op = ""
    for tok in _tokens(source):
        kind = tok.type
        if kind in _DROP:
            continue
        (row, col), (end_row, end_col) = tok.start, tok.end
        if ignored and _inside(row, col, ignored):
            continue
        start, end = offsets[row] + col, offsets[end_row] + end_col
        if kind == token.NAME:
            text = tok.string if (tok.string in _KEEP_NAMES or previous_op == ".") else "N"
        elif kind == token.NUMBER:
            text = "#"
        elif kind in _STRINGISH:
            if out and out[-1].text == "S":  # implicit concatenation, f-string parts
                out[-1] = _Token("S", out[-1].start, end)
                continue
            text = "S"
        elif kind == token.NEWLINE or tok.string == ";":
            if not out or out[-1].text == ";":
                continue
            text = ";"
        elif kind == token.OP and tok.string in ("->", ":") and ignored and \
                _follows_ignored(row, col, ignored):
            continue  # the ``->`` or ``:`` that introduced a dropped annotation
        else:
            text = tok.string
        previous_op = tok.string if kind == token.OP else ""
        out.append(_Token(text, start, end))
    return out


def _tokens(source: str) -> list[tokenize.TokenInfo]:
    """Python's tokens of ``source``, up to the first error (unfinished code still counts)."""
    out: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            out.append(tok)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def _follows_ignored(row: int, col: int, spans: list[tuple[int, int, int, int]]) -> bool:
    """Whether an annotation starts right after ``(row, col)`` (the ``->`` or ``:`` before it)."""
    return any(r0 == row and 0 < c0 - col <= 3 for r0, c0, _r1, _c1 in spans)


def _winnow(hashes: list[int], window: int) -> list[int]:
    """Indices of the hashes winnowing selects: the rightmost minimum of every window."""
    if len(hashes) <= window:
        return [min(range(len(hashes)), key=lambda i: (hashes[i], -i))] if hashes else []
    chosen: list[int] = []
    last = -1
    for start in range(len(hashes) - window + 1):
        best = start
        for i in range(start + 1, start + window):
            if hashes[i] <= hashes[best]:
                best = i
        if best != last:
            chosen.append(best)
            last = best
    return chosen


def code_fingerprint(source: str, k: int = CODE_K, window: int = CODE_WINDOW) -> Fingerprint:
    """Winnowed k-grams of the normalised tokens of Python source."""
    tokens = code_tokens(source)
    texts = [t.text for t in tokens]
    grams = [stable_hash(" ".join(texts[i:i + k])) for i in range(len(texts) - k + 1)]
    chosen = _winnow(grams, window)
    return Fingerprint(
        medium="code",
        hashes=tuple(grams[i] for i in chosen),
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
    hashes: list[int] = []
    spans: list[Span] = []
    for i in range(len(words) - k + 1):
        hashes.append(stable_hash(" ".join(w for w, _s, _e in words[i:i + k])))
        spans.append(Span(words[i][1], words[i + k - 1][2]))
    return Fingerprint(medium="text", hashes=tuple(hashes), spans=tuple(spans), units=len(words))
