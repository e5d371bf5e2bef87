"""A loop definition checked for people: each problem names the stage as people count it
("Stage 2", not ``stage[1]``), the setting in words and the exercise id the bank lacks.

The form editor shows each problem next to its field (``LoopProblem.key``); the TOML editor
and the API show the same sentences (``str(problem)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hireloop.bank.loader import Bank
from hireloop.bank.loops import LoadedLoop, Loop, exercise_problem, stage_problems

LOOP_FIELDS = {
    "title": "the title",
    "role": "the role",
    "description": "the description",
    "feedback": "the feedback policy",
    "blind": "blind review",
    "principles": "the principles file",
    "pass_rule": "the pass rule",
    "pass_rule.min_overall": "the pass rule's minimum overall score",
    "pass_rule.min_stage": "the pass rule's minimum score per stage",
    "stage": "the stages",
}
STAGE_FIELDS = {
    "name": "the stage name",
    "minutes": "the time limit",
    "weight": "the weight",
    "exercises": "the exercises",
    "pick": "the picks",
    "principle": "the principle",
    "description": "the stage description",
    "live": "live",
    "screening": "screening",
}
PICK_FIELDS = {
    "count": "the number of exercises",
    "competency": "the competency",
    "level": "the level",
    "kind": "the kind",
}


NO_EXERCISE = ("a stage needs at least one exercise: add one from the bank or a pick (by "
               "competency, level and kind)")


@dataclass(frozen=True)
class LoopProblem:
    """One problem with a loop definition."""

    message: str
    """what is wrong, in words, without the stage"""
    stage: int | None = None
    """the stage's index (0 for Stage 1), or None for the loop's own settings"""
    field: str = ""
    """the setting: a loop key (``title``, ``pass_rule.min_overall``), a stage key
    (``minutes``, ``exercises``) or a pick's (``pick.2.count``)"""

    @property
    def key(self) -> str:
        """Where the form shows it: ``title``, ``stage.1.minutes``, ``stage.1.pick.0.count``."""
        if self.stage is None:
            return self.field
        return f"stage.{self.stage}.{self.field}" if self.field else f"stage.{self.stage}"

    def __str__(self) -> str:
        if self.stage is None:
            return self.message[:1].upper() + self.message[1:]
        where = f"Stage {self.stage + 1}"
        parts = self.field.split(".")
        if len(parts) >= 2 and parts[0] == "pick" and parts[1].isdigit():
            where += f", pick {int(parts[1]) + 1}"
        return f"{where}: {self.message}"


def _gave(value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        return ""
    return f" (you gave {value!r})"


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _message(label: str, error: Any, key: str) -> str:
    """A pydantic error about ``label`` in words."""
    kind = error.get("type", "")
    ctx = {k: _num(v) for k, v in (error.get("ctx") or {}).items()}
    if key == "minutes" and kind in ("greater_than_equal", "less_than_equal"):
        ctx = {k: f"{v} minute{'' if v == '1' else 's'}" for k, v in ctx.items()}
    value = error.get("input")
    if kind == "missing" or (kind == "string_too_short" and not str(value or "").strip()):
        return f"{label} is required"
    if kind == "string_too_short":
        return f"{label} must be at least {ctx.get('min_length')} characters{_gave(value)}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        unit = " of minutes" if key == "minutes" else ""
        return f"{label} must be a whole number{unit}{_gave(value)}"
    if kind in ("float_parsing", "float_type", "finite_number"):
        return f"{label} must be a number{_gave(value)}"
    if kind == "greater_than":
        return f"{label} must be more than {ctx.get('gt')}{_gave(value)}"
    if kind == "greater_than_equal":
        return f"{label} must be at least {ctx.get('ge')}{_gave(value)}"
    if kind == "less_than_equal":
        return f"{label} must be at most {ctx.get('le')}{_gave(value)}"
    if kind == "less_than":
        return f"{label} must be less than {ctx.get('lt')}{_gave(value)}"
    if kind in ("literal_error", "enum"):
        return f"{label} must be one of {ctx.get('expected')}{_gave(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} must be true or false{_gave(value)}"
    if kind in ("string_type",):
        return f"{label} must be text{_gave(value)}"
    if kind in ("list_type",):
        return f"{label} must be a list{_gave(value)}"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{label} must be a table of settings{_gave(value)}"
    if kind == "too_short" and key == "stage":
        return "a loop needs at least one stage"
    return f"{label}: {str(error.get('msg', 'invalid value')).removeprefix('Value error, ')}"


def _from_pydantic(error: Any) -> LoopProblem:
    loc = [str(p) if not isinstance(p, int) else p for p in error.get("loc", ())]
    kind = error.get("type", "")
    if len(loc) >= 2 and loc[0] == "stage" and isinstance(loc[1], int):
        stage, rest = loc[1], loc[2:]
        if not rest:
            if kind == "value_error":  # the stage's own check: no exercise at all
                return LoopProblem(NO_EXERCISE, stage, "exercises")
            return LoopProblem(_message("the stage", error, ""), stage, "")
        key = str(rest[0])
        if kind == "extra_forbidden" and len(rest) == 1:
            return LoopProblem(f"unknown setting {key!r} (a stage's settings are "
                               f"{', '.join(STAGE_FIELDS)})", stage, key)
        if key == "pick" and len(rest) >= 2 and isinstance(rest[1], int):
            index = rest[1]
            if len(rest) == 2:
                return LoopProblem(_message("the pick", error, ""), stage, f"pick.{index}")
            sub = str(rest[2])
            if kind == "extra_forbidden":
                return LoopProblem(f"unknown setting {sub!r} (a pick's settings are "
                                   f"{', '.join(PICK_FIELDS)})", stage, f"pick.{index}.{sub}")
            return LoopProblem(_message(PICK_FIELDS.get(sub, sub), error, sub), stage,
                               f"pick.{index}.{sub}")
        if key == "exercises" and len(rest) >= 2:
            return LoopProblem(f"each exercise is an id in quotes{_gave(error.get('input'))}",
                               stage, "exercises")
        return LoopProblem(_message(STAGE_FIELDS.get(key, key), error, key), stage, key)
    key = ".".join(str(p) for p in loc)
    if kind == "extra_forbidden":
        return LoopProblem(f"unknown setting {key!r} (a loop's settings are "
                           f"{', '.join(k for k in LOOP_FIELDS if '.' not in k)})", None, key)
    if not loc and kind == "value_error":
        return LoopProblem(str(error.get("msg", "")).removeprefix("Value error, "))
    return LoopProblem(_message(LOOP_FIELDS.get(key, key), error, key), None, key)


def _exercise_problem(stage: int, what: str, exercise_id: str) -> LoopProblem:
    if what == "missing":
        return LoopProblem(f"no exercise {exercise_id!r} in the bank", stage, "exercises")
    return LoopProblem(f"exercise {exercise_id!r} is in the bank but cannot be used now (it "
                       "is invalid or its kind is unavailable; see the Bank page)", stage,
                       "exercises")


def _order(problem: LoopProblem) -> tuple[int, int]:
    return (-1 if problem.stage is None else problem.stage, 0)


def check(data: Any, bank: Bank, base: Path) -> tuple[Loop | None, list[LoopProblem]]:
    """The loop a definition describes, or every problem with it (against ``bank``; a
    principles file is looked for under ``base``)."""
    if not isinstance(data, dict):
        return None, [LoopProblem("a loop is a table of settings with [[stage]] tables")]
    data = {k: v for k, v in data.items() if k != "id"}
    stages = data.get("stage")
    problems: list[LoopProblem] = []
    principles = data.get("principles")
    if isinstance(principles, str) and (Path(principles).is_absolute()
                                        or ".." in Path(principles).parts):
        problems.append(LoopProblem("the principles file must be a path inside the data "
                                    f"folder, without '..' (you gave {principles!r})", None,
                                    "principles"))
    if isinstance(stages, list):  # the models' own checks run last or name no stage
        for i, st in enumerate(stages):
            if not isinstance(st, dict):
                continue
            if not st.get("exercises") and not st.get("pick"):
                problems.append(LoopProblem(NO_EXERCISE, i, "exercises"))
            if i > 0 and st.get("screening") is True:
                problems.append(LoopProblem("only the first stage can be a screening stage",
                                            i, "screening"))
    try:
        loop = Loop.model_validate({**data, "id": "web"})
    except ValidationError as exc:
        found = [p for p in map(_from_pydantic, exc.errors())
                 if p not in problems and (p.stage is not None or p.field)]
        for i, st in enumerate(stages if isinstance(stages, list) else []):
            ids = st.get("exercises") if isinstance(st, dict) else None
            for ex_id in ids if isinstance(ids, list) else []:
                what = exercise_problem(ex_id, bank) if isinstance(ex_id, str) else None
                if what is not None:
                    found.append(_exercise_problem(i, what, ex_id))
        return None, sorted(problems + found, key=_order)
    if problems:
        return None, problems
    bank_problems, principle_errors = stage_problems(LoadedLoop("web", base / "loop", loop),
                                                     bank)
    for error in principle_errors:
        problems.append(LoopProblem(f"the principles file: {error.message}", None,
                                    "principles"))
    for p in bank_problems:
        if p.what in ("missing", "unavailable"):
            problems.append(_exercise_problem(p.stage, p.what, p.value))
        elif p.what == "short":
            problems.append(LoopProblem(
                f"asks for {p.value} but the bank has {p.found} such exercises", p.stage,
                f"pick.{p.pick}"))
        else:
            problems.append(LoopProblem(f"no principle {p.value!r} (see the principles "
                                        "file)", p.stage, "principle"))
    return (None if problems else loop), problems
