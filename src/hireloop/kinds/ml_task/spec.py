"""The scoring spec of an ml_task exercise (``hidden/scoring.toml``): one entry per criterion."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Check = Literal["metric", "leak", "latency", "size", "budget", "determinism", "explanation",
                "custom"]

BUILTIN_METRICS = {
    # name: (label, higher is better)
    "accuracy": ("accuracy", True),
    "roc_auc": ("ROC-AUC", True),
    "average_precision": ("PR-AUC (average precision)", True),
    "f1": ("F1", True),
    "brier": ("Brier score", False),
    "r2": ("R²", True),
    "mae": ("mean absolute error", False),
    "recall_at_5": ("recall@5", True),
}


class CriterionSpec(BaseModel):
    """One ``[[criterion]]`` of ``hidden/scoring.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=3)]
    """as the interviewer reads it"""
    check: Check
    """what is measured (see docs/ml-task.md)"""
    points: Annotated[float, Field(gt=0)] = 1.0
    metric: str | None = None
    """metric / leak: a built-in metric or ``metric_<name>`` in hidden/task.py"""
    lower_is_better: bool | None = None
    """for a task.py metric (built-ins know their direction)"""
    rows: str | None = None
    """metric: score only these holdout rows (a mask named in the secret's ``segments``)"""
    threshold: float | None = None
    """metric: full credit at or beyond this value"""
    zero_at: float | None = None
    """metric: no credit at or before this value (linear in between; default: all or nothing)"""
    against: Literal["starter", "reference"] | None = None
    """metric: compare with the starter's or reference's value (``max_loss``); latency/size:
    the project the ratio is taken against"""
    max_loss: float | None = None
    """metric with ``against``: at most this much worse than that project"""
    column: str | None = None
    """leak: the column whose permutation must not change the predictions' quality"""
    max_change: Annotated[float, Field(ge=0)] = 0.01
    """leak: the largest mean absolute change of the predictions allowed when ``column`` is
    permuted across the holdout rows (0 for a model that does not use it)"""
    min_ratio: Annotated[float, Field(gt=0)] | None = None
    """latency/size: ``against``'s value divided by the candidate's must reach this"""
    zero_ratio: Annotated[float, Field(ge=1)] | None = None
    """latency/size: no credit at or below this ratio, linear up to ``min_ratio`` (default:
    ``LATENCY_NOISE_RATIO``, 1.25, for latency, above the measuring noise, and 1 for size,
    which is exact)"""
    cpu_s: Annotated[float, Field(gt=0)] | None = None
    """budget: CPU seconds of the project's run, training and predicting the holdout (cgroup
    accounting), allowed"""
    file: str | None = None
    """explanation: the project file graded by the text grader"""
    rubric: str = "explanation.toml"
    """explanation: the rubric under hidden/ (the text kind's rubric format)"""
    full_at: Annotated[float, Field(gt=0, le=1)] = 0.55
    """explanation: the text grader's score that earns full credit"""
    function: str | None = None
    """custom: ``check_<function>`` in hidden/task.py"""

    @model_validator(mode="after")
    def _needs(self) -> CriterionSpec:
        need = {
            "metric": ["metric"], "leak": ["metric", "column"],
            "latency": ["against", "min_ratio"], "size": ["against", "min_ratio"],
            "budget": ["cpu_s"], "explanation": ["file"], "custom": ["function"],
            "determinism": [],
        }[self.check]
        missing = [n for n in need if getattr(self, n) is None]
        if missing:
            raise ValueError(f"check = {self.check!r} needs {', '.join(missing)}")
        if self.check == "metric" and self.threshold is None and self.against is None:
            raise ValueError("check = 'metric' needs threshold, or against with max_loss")
        if self.against is not None and self.check == "metric" and self.max_loss is None:
            raise ValueError("a metric with `against` needs max_loss")
        if self.zero_ratio is not None:
            if self.check not in ("latency", "size"):
                raise ValueError("zero_ratio is for latency and size criteria only")
            if self.min_ratio is not None and self.zero_ratio >= self.min_ratio:
                raise ValueError(f"zero_ratio ({self.zero_ratio:g}) must be below min_ratio "
                                 f"({self.min_ratio:g})")
        return self


class ScoringSpec(BaseModel):
    """``hidden/scoring.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    criterion: Annotated[list[CriterionSpec], Field(min_length=1)]
