"""Building a loop with a form (no TOML needed), and previewing any loop as a candidate.

The form is plain HTML: every button posts the whole form with an ``action`` (add a stage,
move one, add an exercise from the picker, save), the server applies it and shows the form
again, so it works without JavaScript; ``static/loop-editor.js`` only filters the picker as
you type. The form edits every field of ``hireloop.bank.loops.Loop``; problems come from
``hireloop.hiring.loop_check`` and are shown next to their field with what was typed kept.

The preview shows a loop's stages through the candidate's own templates (``take/stage.html``)
with exercises drawn as for a candidate with a given seed: nothing is stored, no interview is
created, and the timer is shown without running.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from hireloop.bank.loops import resolve_loop
from hireloop.core import Level
from hireloop.db.models import Answer, Team
from hireloop.hiring import service
from hireloop.hiring.service import LoopInvalid
from hireloop.web.deps import Csrf, Id, LoopCreator, PlatformDep, SessionDep, TeamReader
from hireloop.web.pages import _bank_listing, loop_view
from hireloop.web.render import page

router = APIRouter(include_in_schema=False)

MAX_STAGES = 40
MAX_PICKS = 10
MAX_EXERCISES = 60
FEEDBACK = {"immediately": "Immediately after each stage is graded",
            "after_submission": "After the candidate submits the stage",
            "never": "Never (the team reviews)"}
MINUTES = (5, 10, 15, 20, 30, 45, 60)
SEED = Annotated[int, Query(ge=0, le=2**31 - 1)]


# --- the form's contents ("the draft": strings as typed) -------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _blank_stage() -> dict[str, Any]:
    return {"name": "", "minutes": "", "weight": "", "description": "", "principle": "",
            "live": False, "screening": False, "exercises": [], "picks": []}


def draft_from_definition(definition: dict[str, Any]) -> dict[str, Any]:
    """A stored loop definition as the form shows it."""
    rule = definition.get("pass_rule") or {}
    stages = []
    for st in definition.get("stage") or []:
        stages.append({
            "name": _text(st.get("name")), "minutes": _text(st.get("minutes")),
            "weight": _text(st.get("weight")), "description": _text(st.get("description")),
            "principle": _text(st.get("principle")), "live": bool(st.get("live")),
            "screening": bool(st.get("screening")),
            "exercises": [str(x) for x in st.get("exercises") or []],
            "picks": [{k: _text(p.get(k)) for k in ("count", "competency", "level", "kind")}
                      for p in st.get("pick") or []]})
    return {"title": _text(definition.get("title")), "role": _text(definition.get("role")),
            "description": _text(definition.get("description")),
            "feedback": _text(definition.get("feedback")) or "after_submission",
            "blind": bool(definition.get("blind")),
            "principles": _text(definition.get("principles")),
            "min_overall": _text(rule.get("min_overall")),
            "min_stage": _text(rule.get("min_stage")), "stages": stages}


def _field(form: FormData, name: str, limit: int = 5000) -> str:
    value = form.get(name)  # browsers send a textarea's line ends as CRLF
    return value[:limit].replace("\r\n", "\n") if isinstance(value, str) else ""


def _count(form: FormData, name: str, cap: int) -> int:
    value = _field(form, name, 10)
    return min(int(value), cap) if value.isdigit() else 0


def draft_from_form(form: FormData) -> dict[str, Any]:
    """The form as posted (ids typed into "add by id" join the stage's exercises)."""
    draft: dict[str, Any] = {k: _field(form, k) for k in (
        "title", "role", "description", "feedback", "principles", "min_overall", "min_stage")}
    draft["blind"] = bool(_field(form, "blind"))
    stages = []
    for i in range(_count(form, "stage_count", MAX_STAGES)):
        p = f"s{i}."
        stage: dict[str, Any] = {k: _field(form, p + k) for k in (
            "name", "minutes", "weight", "description", "principle")}
        stage["live"] = bool(_field(form, p + "live"))
        stage["screening"] = bool(_field(form, p + "screening"))
        exercises = [v.strip() for v in form.getlist(p + "exercise")
                     if isinstance(v, str) and v.strip()]
        exercises += [x for x in re.split(r"[\s,]+", _field(form, p + "add_ids", 2000)) if x]
        stage["exercises"] = list(dict.fromkeys(exercises))[:MAX_EXERCISES]
        stage["picks"] = [{k: _field(form, f"{p}p{j}.{k}", 200)
                           for k in ("count", "competency", "level", "kind")}
                          for j in range(_count(form, p + "pick_count", MAX_PICKS))]
        stages.append(stage)
    draft["stages"] = stages
    return draft


def definition_from_draft(draft: dict[str, Any]) -> dict[str, Any]:
    """The loop definition a draft describes; what is left empty takes the loop's default,
    and what does not parse goes through as typed, for the check to name it."""
    definition: dict[str, Any] = {"title": draft["title"].strip(),
                                  "role": draft["role"].strip(),
                                  "feedback": draft["feedback"] or "after_submission"}
    if draft["description"].strip():  # kept as typed: a description may end in a newline
        definition["description"] = draft["description"]
    if draft["blind"]:
        definition["blind"] = True
    if draft["principles"].strip():
        definition["principles"] = draft["principles"].strip()
    rule = {k: draft[f"min_{k}"].strip() for k in ("overall", "stage")
            if draft[f"min_{k}"].strip()}
    if rule:
        definition["pass_rule"] = {f"min_{k}": v for k, v in rule.items()}
    stages = []
    for st in draft["stages"]:
        stage: dict[str, Any] = {"name": st["name"].strip()}
        for key in ("minutes", "weight", "principle"):
            if st[key].strip():
                stage[key] = st[key].strip()
        if st["description"].strip():
            stage["description"] = st["description"]
        for flag in ("live", "screening"):
            if st[flag]:
                stage[flag] = True
        if st["exercises"]:
            stage["exercises"] = list(st["exercises"])
        picks = [{k: v.strip() for k, v in p.items() if v.strip()} for p in st["picks"]]
        if picks:
            stage["pick"] = picks
        stages.append(stage)
    definition["stage"] = stages
    return definition


def apply(draft: dict[str, Any], action: str, target: int) -> int:
    """Apply a button's action to the draft; returns the stage the picker adds to."""
    stages = draft["stages"]
    verb, _, rest = action.partition(":")
    args = [int(x) for x in rest.split(":") if x.isdigit()] if verb != "add_exercise" else []

    def stage_at(i: int) -> dict[str, Any] | None:
        return stages[i] if 0 <= i < len(stages) else None

    if verb == "add_stage" and len(stages) < MAX_STAGES:
        stages.append(_blank_stage())
        return len(stages) - 1
    if verb == "add_exercise":
        if not stages:
            stages.append(_blank_stage())
        target = min(max(target, 0), len(stages) - 1)
        chosen = stages[target]["exercises"]
        if rest and rest not in chosen and len(chosen) < MAX_EXERCISES:
            chosen.append(rest)
        return target
    if not args or stage_at(args[0]) is None:
        return target
    i = args[0]
    stage = stages[i]
    if verb == "remove_stage":
        del stages[i]
        return min(target, max(len(stages) - 1, 0))
    if verb in ("stage_up", "stage_down"):
        j = i - 1 if verb == "stage_up" else i + 1
        if 0 <= j < len(stages):
            stages[i], stages[j] = stages[j], stages[i]
        return j if 0 <= j < len(stages) else i
    if verb == "add_pick" and len(stage["picks"]) < MAX_PICKS:
        stage["picks"].append({"count": "1", "competency": "", "level": "", "kind": ""})
    elif verb == "remove_pick" and len(args) > 1 and 0 <= args[1] < len(stage["picks"]):
        del stage["picks"][args[1]]
    elif verb == "remove_exercise" and len(args) > 1 and 0 <= args[1] < len(
            stage["exercises"]):
        del stage["exercises"][args[1]]
    return i


# --- the exercise picker (the bank page's own listing, filtered) -----------------------------

PICKER_FIELDS = ("q", "competency", "kind", "level", "minutes")


def picker_from_form(form: FormData | None) -> dict[str, str]:
    return {k: _field(form, f"picker_{k}", 200).strip() if form is not None else ""
            for k in PICKER_FIELDS}


def _matches(row: dict[str, Any], picker: dict[str, str]) -> bool:
    q = picker["q"].lower()
    minutes = int(picker["minutes"]) if picker["minutes"].isdigit() else None
    return ((not q or q in f"{row['id']} {row['title']}".lower())
            and (not picker["competency"]
                 or picker["competency"] in row["competencies"].split(", "))
            and (not picker["kind"] or row["kind"] == picker["kind"])
            and (not picker["level"] or str(row["level"]) == picker["level"])
            and (minutes is None or (row["minutes"] or 0) <= minutes))


def form_context(platform: Any, draft: dict[str, Any], *, action: str,
                 picker: dict[str, str] | None = None, target: int = 0,
                 problems: list[Any] | None = None) -> dict[str, Any]:
    """What ``team/_loop_form.html`` needs."""
    listing = _bank_listing(platform)
    picker = picker or dict.fromkeys(PICKER_FIELDS, "")
    rows = [{**row, "shown": _matches(row, picker)} for row in listing]
    errors: dict[str, list[str]] = {}
    for problem in problems or []:
        errors.setdefault(problem.key, []).append(problem.message)
    principles = sorted(platform.bank.principles)
    for st in draft["stages"]:  # a principle of the loop's own file stays choosable
        if st["principle"] and st["principle"] not in principles:
            principles.append(st["principle"])
    return {"draft": draft, "form_action": action, "problems": problems or [],
            "errors": errors, "picker": picker,
            "target": min(target, max(len(draft["stages"]) - 1, 0)), "rows": rows,
            "known": {row["id"]: row for row in listing},
            "competencies": sorted({c for row in listing
                                    for c in row["competencies"].split(", ") if c}),
            "kinds": sorted({row["kind"] for row in listing}),
            "levels": [str(level) for level in Level], "minute_choices": MINUTES,
            "feedback_choices": FEEDBACK, "principle_choices": principles}


# --- routes ---------------------------------------------------------------------------------

def _teams(s: Any, me: Any) -> list[Team]:
    return list(s.scalars(select(Team).order_by(Team.name))) if me.role == "admin" else []


@router.get("/team/new-loop")
def new_loop_page(request: Request, me: LoopCreator, s: SessionDep,
                  platform: PlatformDep) -> HTMLResponse:
    draft = draft_from_definition({"stage": [{}]})
    return page(request, "team/loop_new.html", teams=_teams(s, me), team_id="",
                **form_context(platform, draft, action="/team/new-loop"))


@router.post("/team/new-loop", dependencies=[Csrf])
async def new_loop(request: Request, me: LoopCreator, s: SessionDep,
                   platform: PlatformDep) -> Response:
    form = await request.form()
    draft, picker = draft_from_form(form), picker_from_form(form)
    team_field = _field(form, "team_id", 20)
    action = _field(form, "action", 300)
    target = apply(draft, action, _count(form, "picker_stage", MAX_STAGES))
    problems: list[Any] = []
    if action == "save":
        try:
            record = service.create_loop(s, platform, me,
                                         definition=definition_from_draft(draft),
                                         team_id=int(team_field) if team_field.isdigit()
                                         else None)
        except LoopInvalid as exc:
            s.rollback()
            problems = exc.problems
        else:
            s.commit()
            return RedirectResponse(f"/team/loops/{record.id}?saved=1", 303)
    return page(request, "team/loop_new.html", status_code=422 if problems else 200,
                teams=_teams(s, me), team_id=team_field,
                **form_context(platform, draft, action="/team/new-loop", picker=picker,
                               target=target, problems=problems))


@router.post("/team/loops/{loop_id}/form", dependencies=[Csrf])
async def save_loop_form(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
                         platform: PlatformDep) -> Response:
    record = service.loop_for(s, me, loop_id, "loop.write")
    form = await request.form()
    draft, picker = draft_from_form(form), picker_from_form(form)
    action = _field(form, "action", 300)
    target = apply(draft, action, _count(form, "picker_stage", MAX_STAGES))
    problems: list[Any] = []
    if action == "save":
        try:
            service.update_loop(platform, record, definition_from_draft(draft))
        except LoopInvalid as exc:
            s.rollback()
            problems = exc.problems
        else:
            s.commit()
            return RedirectResponse(f"/team/loops/{loop_id}?saved=1", 303)
    return loop_view(request, s, me, platform, record, 422 if problems else 200,
                     **form_context(platform, draft, action=f"/team/loops/{loop_id}/form",
                                    picker=picker, target=target, problems=problems))


# --- preview as candidate -------------------------------------------------------------------

def _plan(platform: Any, definition: dict[str, Any], seed: int) -> list[Any]:
    """The stages a candidate drawn with ``seed`` gets (as an invitation resolves them)."""
    loop = service.validate_loop(platform, definition)
    try:
        return resolve_loop(loop, platform.bank, seed)
    except ValueError as exc:
        raise service.Invalid(str(exc)) from None


def _template(platform: Any, template_id: str) -> dict[str, Any]:
    loop = platform.usable_templates().get(template_id)
    if loop is None:
        raise service.NotFound(f"no usable loop template {template_id!r}")
    return service._dump(loop)


def _overview(request: Request, platform: Any, definition: dict[str, Any], seed: int, *,
              base: str, back: str, name: str) -> HTMLResponse:
    return page(request, "team/loop_preview.html", definition=definition, name=name,
                base=base, back=back, seed=seed, plan=_plan(platform, definition, seed),
                titles={e.id: e.meta.title for e in platform.bank.exercises.values()})


def _stage_page(request: Request, platform: Any, definition: dict[str, Any], index: int,
                seed: int, *, base: str) -> HTMLResponse:
    """One stage through the candidate's own template, from answers that are never stored."""
    from hireloop.web.take import view_of

    plan = _plan(platform, definition, seed)
    if index >= len(plan):
        raise service.NotFound(f"the loop has {len(plan)} stages")
    stage = plan[index]
    items = []
    for number, planned in enumerate(stage.exercises, start=1):
        # never added to a session: the candidate's templates read it, nothing stores it
        answer = Answer(id=number, stage_index=index, exercise_id=planned.exercise_id,
                        seed=planned.seed, revision=0)
        items.append({"answer": answer, "view": view_of(platform, answer)[0],
                      "state": "not started", "feedback": None})
    stage_dict = {"name": stage.name, "minutes": stage.minutes, "weight": stage.weight,
                  "principle": stage.principle, "live": stage.live,
                  "exercises": [{"id": e.exercise_id, "seed": e.seed}
                                for e in stage.exercises]}
    stand_in = SimpleNamespace(id=None, loop_snapshot=definition, plan=[stage_dict])
    return page(request, "team/loop_preview_stage.html", interview=stand_in, run=None,
                index=index, stage=stage_dict, items=items, state="in_progress",
                deadline=None, max_answer_kb=platform.settings.max_answer_kb,
                feedback_policy=definition.get("feedback", "after_submission"),
                base=base, stages=len(plan), seed=seed)


@router.get("/team/loops/{loop_id}/preview")
def preview(request: Request, loop_id: Id, me: TeamReader, s: SessionDep,
            platform: PlatformDep, seed: SEED = 1) -> HTMLResponse:
    record = service.loop_for(s, me, loop_id)
    return _overview(request, platform, record.definition, seed, name=record.title,
                     base=f"/team/loops/{loop_id}/preview", back=f"/team/loops/{loop_id}")


@router.get("/team/loops/{loop_id}/preview/{index}")
def preview_stage(request: Request, loop_id: Id, index: Id, me: TeamReader, s: SessionDep,
                  platform: PlatformDep, seed: SEED = 1) -> HTMLResponse:
    record = service.loop_for(s, me, loop_id)
    return _stage_page(request, platform, record.definition, index, seed,
                       base=f"/team/loops/{loop_id}/preview")


@router.get("/team/templates/{template_id}/preview")
def preview_template(request: Request, template_id: Annotated[str, Path(max_length=200)],
                     me: LoopCreator, platform: PlatformDep, seed: SEED = 1) -> HTMLResponse:
    """A built-in (or configured) loop template, before a loop is made from it."""
    return _overview(request, platform, _template(platform, template_id), seed,
                     name=f"the template {template_id}", back="/team/loops",
                     base=f"/team/templates/{template_id}/preview")


@router.get("/team/templates/{template_id}/preview/{index}")
def preview_template_stage(request: Request, template_id: Annotated[str, Path(max_length=200)],
                           index: Id, me: LoopCreator, platform: PlatformDep,
                           seed: SEED = 1) -> HTMLResponse:
    return _stage_page(request, platform, _template(platform, template_id), index, seed,
                       base=f"/team/templates/{template_id}/preview")
