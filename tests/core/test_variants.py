"""Variants: parameters drawn from a seed, the same on every machine; safe expressions."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from hireloop.core import ExpressionError, VariantSpec, evaluate
from hireloop.core.variants import draw_params

SPEC = VariantSpec.model_validate({
    "params": {"n": {"int": [10, 1000]}, "p": {"float": [0.1, 0.9], "decimals": 2},
               "who": {"choice": ["a nurse", "an executive", "a lawyer"]}},
    "derived": {"positives": "round(n * p)"},
})


def test_the_same_id_and_seed_give_the_same_params_in_another_process() -> None:
    here = draw_params("x/y", 7, SPEC)
    code = (
        "import json; from hireloop.core.variants import draw_params, VariantSpec;"
        f"spec = VariantSpec.model_validate({SPEC.model_dump(by_alias=True, exclude_none=True)!r});"
        "print(json.dumps(draw_params('x/y', 7, spec)))"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123"})
    assert json.loads(other.stdout) == here


def test_different_seeds_give_different_variants() -> None:
    drawn = {json.dumps(draw_params("x/y", seed, SPEC), sort_keys=True) for seed in range(20)}
    assert len(drawn) > 15


def test_params_stay_in_their_ranges_and_derived_values_follow() -> None:
    for seed in range(50):
        v = draw_params("x/y", seed, SPEC)
        assert 10 <= v["n"] <= 1000
        assert 0.1 <= v["p"] <= 0.9
        assert v["who"] in {"a nurse", "an executive", "a lawyer"}
        assert v["positives"] == round(v["n"] * v["p"])


@pytest.mark.parametrize("expression", [
    "__import__('os').system('true')", "n.__class__", "open('/etc/passwd')", "[1, 2][0]",
    "lambda: 1", "2 ** 10000",
])
def test_expressions_cannot_run_code(expression: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(expression, {"n": 3})


def test_expressions_do_arithmetic_and_allowed_functions() -> None:
    assert evaluate("tp / (tp + fp)", {"tp": 30, "fp": 10}) == 0.75
    assert evaluate("round(sqrt(x), 2)", {"x": 2}) == 1.41
    assert evaluate("min(a, b) < 3", {"a": 2, "b": 5}) is True


def test_a_division_by_zero_is_an_expression_error() -> None:
    with pytest.raises(ExpressionError, match="failed"):
        evaluate("1 / x", {"x": 0})


@pytest.mark.parametrize("bad", [
    {"params": {"n": {"int": [5, 1]}}},
    {"params": {"n": {"int": [1, 5], "choice": [1]}}},
    {"params": {"n": {}}},
    {"params": {"n": {"int": [1, 5], "decimals": 2}}},
    {"params": {}},
    {"params": {"n": {"int": [1, 2]}}, "derived": {"n": "1"}},
    {"params": {"n": {"int": [1, 2]}}, "colour": 1},
])
def test_malformed_variant_specs_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        VariantSpec.model_validate(bad)
