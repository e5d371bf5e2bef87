"""Variants: parameters drawn from a seed, so two candidates see different numbers or wording.

The same exercise id and seed give the same parameters on every machine: the generator is seeded
with a hash of both, never with Python's randomised ``hash``.
"""

from __future__ import annotations

import ast
import hashlib
import math
import operator
import random
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Scalar = int | float | str | bool


class ParamSpec(BaseModel):
    """How one parameter is drawn. Exactly one of ``int``, ``float`` or ``choice``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    int_range: Annotated[list[int] | None, Field(alias="int")] = None
    """inclusive ``[low, high]`` for an integer"""
    float_range: Annotated[list[float] | None, Field(alias="float")] = None
    """``[low, high]`` for a float"""
    decimals: int | None = Field(default=None, ge=0, le=10)
    """round a float to this many decimals (default 3)"""
    choice: list[Scalar] | None = None
    """pick one of these values"""

    @model_validator(mode="after")
    def _exactly_one(self) -> ParamSpec:
        given = [n for n, v in (("int", self.int_range), ("float", self.float_range),
                                ("choice", self.choice)) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of int = [lo, hi], float = [lo, hi], choice = [...]")
        for name, rng in (("int", self.int_range), ("float", self.float_range)):
            if rng is not None and (len(rng) != 2 or rng[0] > rng[1]):
                raise ValueError(f"{name} needs [low, high] with low <= high")
        if self.choice is not None and not self.choice:
            raise ValueError("choice needs at least one value")
        if self.decimals is not None and self.float_range is None:
            raise ValueError("decimals goes with float = [lo, hi]")
        return self

    def draw(self, rng: random.Random) -> Scalar:
        """Draw a value from ``rng``."""
        if self.int_range is not None:
            return rng.randint(self.int_range[0], self.int_range[1])
        if self.float_range is not None:
            value = rng.uniform(self.float_range[0], self.float_range[1])
            return round(value, 3 if self.decimals is None else self.decimals)
        assert self.choice is not None
        return self.choice[rng.randrange(len(self.choice))]


class VariantSpec(BaseModel):
    """The ``[variants]`` table of ``exercise.toml``."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, ParamSpec] = Field(default_factory=dict)
    """parameters drawn from the seed, by name"""
    derived: dict[str, str] = Field(default_factory=dict)
    """values computed from the params with a safe arithmetic expression, by name"""

    @model_validator(mode="after")
    def _names(self) -> VariantSpec:
        for name in [*self.params, *self.derived]:
            if not name.isidentifier() or name.startswith("_"):
                raise ValueError(f"parameter name {name!r} must be a plain identifier")
        clash = set(self.params) & set(self.derived)
        if clash:
            raise ValueError(f"{sorted(clash)} defined both as params and derived")
        if not self.params:
            raise ValueError("a [variants] table needs at least one entry in [variants.params]")
        return self


def _rng_for(exercise_id: str, seed: int) -> random.Random:
    digest = hashlib.sha256(f"{exercise_id}\0{seed}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def draw_params(exercise_id: str, seed: int, spec: VariantSpec | None) -> dict[str, Any]:
    """The parameters of variant ``seed`` of an exercise: the same on every machine."""
    if spec is None:
        return {}
    rng = _rng_for(exercise_id, seed)
    values: dict[str, Any] = {name: p.draw(rng) for name, p in sorted(spec.params.items())}
    for name, expr in spec.derived.items():
        values[name] = evaluate(expr, values)
    return values


class ExpressionError(ValueError):
    """An expression that is not safe arithmetic, or that fails to evaluate."""


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
    ast.Eq: operator.eq, ast.NotEq: operator.ne,
}
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "round": round, "abs": abs, "min": min, "max": max, "sqrt": math.sqrt, "log": math.log,
    "log2": math.log2, "log10": math.log10, "exp": math.exp, "floor": math.floor,
    "ceil": math.ceil,
}


def evaluate(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate arithmetic over ``names``: numbers, operators, comparisons, a few functions.

    Nothing else is allowed (no attributes, no subscripts, no other calls), so an exercise file
    can never run code on the host.
    """
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not an expression: {expression!r} ({exc.msg})") from None

    def walk(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in names:
                return names[node.id]
            raise ExpressionError(f"unknown name {node.id!r} in {expression!r}")
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 100:
                raise ExpressionError(f"exponent too large in {expression!r}")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            return _UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.Compare) and all(type(o) in _COMPARE for o in node.ops):
            left = walk(node.left)
            for op, comp in zip(node.ops, node.comparators, strict=True):
                right = walk(comp)
                if not _COMPARE[type(op)](left, right):
                    return False
                left = right
            return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in FUNCTIONS
            and not node.keywords
        ):
            return FUNCTIONS[node.func.id](*(walk(a) for a in node.args))
        raise ExpressionError(
            f"{expression!r}: only numbers, parameter names, arithmetic, comparisons and "
            f"{', '.join(sorted(FUNCTIONS))}() are allowed"
        )

    try:
        return walk(tree)
    except ExpressionError:
        raise
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise ExpressionError(f"{expression!r} failed: {exc}") from None
