"""Disguised copies of a Python solution, at four strengths, for the labelled similarity set.

1. ``renamed``: every name the author chose is renamed (the entry point and its parameters
   stay, since graders call them by name), comments and layout kept;
2. ``stripped``: also docstrings, comments and annotations dropped, the program re-printed;
3. ``reordered``: also independent neighbouring statements swapped and helpers moved;
4. ``rewritten``: also ``x += y`` written out, comparisons turned round and a dead statement
   added to each function.

Every copy is still a working program: the same function, the same behaviour.
"""

from __future__ import annotations

import ast
import io
import random
import tokenize

STRENGTHS = ("renamed", "stripped", "reordered", "rewritten")

_WORDS = ("alpha", "beta", "gamma", "delta", "item", "value", "thing", "acc", "tmp", "cur",
          "prev", "nxt", "left", "right", "arr", "mat", "vec", "res", "out", "buf", "idx",
          "pos", "cnt", "total", "part", "head", "tail", "node", "key", "val", "elem", "data")


def _bound_names(tree: ast.AST, keep: set[str]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names - keep


def _mapping(names: set[str], rng: random.Random) -> dict[str, str]:
    words = list(_WORDS)
    rng.shuffle(words)
    out = {}
    for i, name in enumerate(sorted(names)):
        out[name] = f"{words[i % len(words)]}_{i}"
    return out


def _rename_tokens(source: str, mapping: dict[str, str]) -> str:
    """Rename at the token level, so comments and layout stay as they were."""
    result = []
    previous = ""
    imported_module = False
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        text = tok.string
        if tok.type == tokenize.NAME and text in mapping and previous != ".":
            # ``import numpy`` → ``import numpy as x``
            text = f"{text} as {mapping[text]}" if imported_module else mapping[text]
        imported_module = (tok.type == tokenize.NAME and tok.string == "import") or (
            imported_module and tok.type == tokenize.OP and tok.string == ",")
        if tok.type == tokenize.NAME and tok.string == "as":
            imported_module = False
        previous = tok.string
        result.append((tok.type, text))
    return tokenize.untokenize(result)


class _Renamer(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.mapping.get(node.arg, node.arg)
        node.annotation = None
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.mapping.get(node.name, node.name)
        node.returns = None
        body = node.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
        self.generic_visit(node)
        return node

    def visit_alias(self, node: ast.alias) -> ast.alias:
        base = (node.asname or node.name).split(".")[0]
        if base in self.mapping and "." not in node.name:
            node.asname = self.mapping[base]
        return node

    def visit_Call(self, node: ast.Call) -> ast.Call:
        if isinstance(node.func, ast.Name) and node.func.id in self.mapping:
            for kw in node.keywords:
                if kw.arg in self.mapping:
                    kw.arg = self.mapping[kw.arg]
        self.generic_visit(node)
        return node

    def visit_AnnAssign(self, node: ast.AnnAssign) -> ast.AST:
        self.generic_visit(node)
        if node.value is None:
            return ast.Pass()
        return ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)


def _strip_module_docstring(tree: ast.Module) -> None:
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        tree.body = body[1:]


def _reads_writes(stmt: ast.stmt) -> tuple[set[str], set[str]]:
    reads, writes = set(), set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name):
            (writes if isinstance(node.ctx, ast.Store) else reads).add(node.id)
        if isinstance(node, ast.Attribute | ast.Subscript) and isinstance(node.ctx, ast.Store):
            base = node.value
            while isinstance(base, ast.Attribute | ast.Subscript):
                base = base.value
            if isinstance(base, ast.Name):
                writes.add(base.id)
        if isinstance(node, ast.Call):  # a call may change what it is given
            for arg in node.args:
                if isinstance(arg, ast.Name):
                    writes.add(arg.id)
            if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name):
                writes.add(node.func.value.id)
    return reads, writes


def _independent(a: ast.stmt, b: ast.stmt) -> bool:
    simple = (ast.Assign, ast.AugAssign, ast.Expr)
    if not (isinstance(a, simple) and isinstance(b, simple)):
        return False
    ra, wa = _reads_writes(a)
    rb, wb = _reads_writes(b)
    return not (wa & (rb | wb)) and not (wb & ra)


def _reorder(body: list[ast.stmt], rng: random.Random) -> list[ast.stmt]:
    body = list(body)
    i = 0
    while i < len(body) - 1:
        if _independent(body[i], body[i + 1]) and rng.random() < 0.7:
            body[i], body[i + 1] = body[i + 1], body[i]
            i += 2
        else:
            i += 1
    for stmt in body:
        for field in ("body", "orelse", "finalbody"):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt):
                setattr(stmt, field, _reorder(inner, rng))
    return body


class _Rewriter(ast.NodeTransformer):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name):
            load = ast.Name(id=node.target.id, ctx=ast.Load())
            return ast.Assign(targets=[node.target],
                              value=ast.BinOp(left=load, op=node.op, right=node.value),
                              lineno=node.lineno)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        flip = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE,
                ast.Eq: ast.Eq, ast.NotEq: ast.NotEq}
        if len(node.ops) == 1 and type(node.ops[0]) in flip:
            return ast.Compare(left=node.comparators[0], ops=[flip[type(node.ops[0])]()],
                               comparators=[node.left])
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        self.generic_visit(node)
        dead = ast.parse(f"_checked_{self.rng.randrange(100)} = True").body[0]
        node.body.insert(min(1, len(node.body)), dead)
        return node


def disguise(source: str, entry: str, strength: str, seed: int = 0) -> str:
    """A disguised copy of ``source`` that keeps ``entry`` working."""
    if strength not in STRENGTHS:
        raise ValueError(f"strength must be one of {STRENGTHS}")
    rng = random.Random(seed)
    tree = ast.parse(source)
    keep = {entry}
    for node in ast.walk(tree):  # the entry's parameters: graders may pass them by name
        if isinstance(node, ast.FunctionDef) and node.name == entry:
            keep |= {a.arg for a in (*node.args.posonlyargs, *node.args.args,
                                      *node.args.kwonlyargs)}
    mapping = _mapping(_bound_names(tree, keep), rng)
    if strength == "renamed":
        return _rename_tokens(source, mapping)
    tree = _Renamer(mapping).visit(tree)
    _strip_module_docstring(tree)
    if strength in ("reordered", "rewritten"):
        defs = [s for s in tree.body if isinstance(s, ast.FunctionDef)]
        others = [s for s in tree.body if not isinstance(s, ast.FunctionDef)]
        rng.shuffle(defs)
        tree.body = _reorder(others, rng) + defs
        for d in defs:
            d.body = _reorder(d.body, rng)
    if strength == "rewritten":
        tree = _Rewriter(rng).visit(tree)
    ast.fix_missing_locations(tree)
    return ast.unparse(tree) + "\n"


PROSE_STRENGTHS = ("reflowed", "shuffled", "edited", "spliced")

_SWAPS = {
    "because": "since", "however": "but", "important": "crucial", "shows": "indicates",
    "large": "big", "small": "little", "use": "apply", "would": "will", "also": "too",
    "many": "numerous", "about": "around", "first": "firstly", "means": "implies",
    "check": "verify", "problem": "issue", "whether": "if", "need": "require",
    "model": "system", "data": "dataset", "results": "outcomes", "then": "next",
    "often": "frequently", "quickly": "fast", "show": "demonstrate", "each": "every",
    "improve": "boost", "reduce": "lower", "increase": "raise", "before": "prior to",
    "using": "with", "get": "obtain", "find": "discover", "makes": "renders",
}


def disguise_prose(text: str, strength: str, seed: int = 0, own: str = "") -> str:
    """A disguised copy of an answer in prose: ``reflowed`` (same words, new lines and case),
    ``shuffled`` (sentences in another order), ``edited`` (shuffled, words swapped for
    synonyms, a sentence in five dropped) or ``spliced`` (half the sentences, mixed into
    ``own``, an answer of one's own)."""
    from hireloop.nlp.text import split_sentences

    if strength not in PROSE_STRENGTHS:
        raise ValueError(f"strength must be one of {PROSE_STRENGTHS}")
    rng = random.Random(seed)
    sentences = [s.text for s in split_sentences(text)]
    if strength == "reflowed":
        return " ".join(s.lower() if i % 2 else s for i, s in enumerate(sentences))
    rng.shuffle(sentences)
    if strength == "shuffled":
        return "\n\n".join(sentences)
    if strength == "spliced":
        mine = [s.text for s in split_sentences(own)]
        kept = sentences[: max(1, len(sentences) // 2)]
        mixed = mine + kept
        rng.shuffle(mixed)
        return " ".join(mixed)
    edited = []
    for i, sentence in enumerate(sentences):
        if i % 5 == 4:
            continue
        words = sentence.split()
        edited.append(" ".join(_SWAPS.get(w.lower(), w) for w in words))
    return " ".join(edited)
