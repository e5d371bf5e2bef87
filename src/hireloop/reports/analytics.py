"""Per-loop analytics from the interviews' own rows: the funnel, time spent per stage, the
score distribution per exercise and pass rates, with their charts as server-rendered SVG.

Definitions (docs/reports.md says the same for the people reading the page):

- funnel: *invited* counts every interview of the loop (withdrawn and expired ones too);
  *started*: a stage's timer started; *submitted*: every stage submitted; *decided*: a
  decision recorded. Each share is of the invited.
- time per stage: ``submitted_at - started_at`` of each submitted stage, in seconds; the
  median and the 90th percentile by linear interpolation between the closest ranks (numpy's
  default), over the stages that have both times.
- score distribution: each graded answer's final score (after overrides, as the scorecard
  shows it) in ten bins of ten points: [0, 10), [10, 20) … [90, 100]; answers still being
  graded, or whose grading failed, are not counted.
- pass rate per stage: of the interviews whose stage has a score, those scoring at least the
  loop's ``min_stage``; *meets the bar*: of the fully graded interviews, those the pass rule
  recommends; per decision: each decision's share of the decided interviews.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hireloop.bank.loader import Bank
from hireloop.bank.loops import PassRule
from hireloop.db.models import Answer, Interview, Override
from hireloop.reports.scorecard import build_scorecard

BINS = 10
DECISIONS = ("advance", "hold", "reject")


def quantile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile by linear interpolation between closest ranks (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def bin_of(score: float) -> int:
    """The histogram bin of a score in [0, 1] (1.0 falls in the last bin)."""
    return min(BINS - 1, max(0, math.floor(round(score * BINS, 9))))


def loop_interviews(s: Session, loop_id: int, visible: set[int]) -> list[Interview]:
    """The loop's interviews among ``visible`` ids, with what the figures read loaded in a few
    queries (not a handful per interview)."""
    rows = s.scalars(select(Interview).where(Interview.loop_id == loop_id).options(
        selectinload(Interview.stages), selectinload(Interview.candidate),
        selectinload(Interview.answers).selectinload(Answer.jobs),
        selectinload(Interview.answers).selectinload(Answer.overrides)
        .selectinload(Override.user))).all()
    return [i for i in rows if i.id in visible]


def loop_analytics(interviews: list[Interview], bank: Bank) -> dict[str, Any]:
    """Every figure of the analytics page for these interviews (one loop's)."""
    invited = len(interviews)
    started = sum(1 for i in interviews if any(r.started_at is not None for r in i.stages))
    submitted = sum(1 for i in interviews
                    if i.stages and all(r.submitted_at is not None for r in i.stages))
    decided = sum(1 for i in interviews if i.decision is not None)
    funnel = [{"step": step, "count": n, "share": n / invited if invited else None}
              for step, n in (("invited", invited), ("started", started),
                               ("submitted", submitted), ("decided", decided))]

    stages: dict[tuple[int, str], dict[str, Any]] = {}
    exercises: dict[str, dict[str, Any]] = {}
    complete = meets = 0
    for interview in sorted(interviews, key=lambda i: i.id):
        card = build_scorecard(interview, bank)
        rule = PassRule.model_validate(interview.loop_snapshot.get("pass_rule") or {})
        runs = {r.index: r for r in interview.stages}
        for index, stage in enumerate(card["stages"]):
            row = stages.setdefault((index, stage["name"]), {
                "index": index, "name": stage["name"], "seconds": [], "scored": 0,
                "passed": 0})
            run = runs.get(index)
            if run is not None and run.started_at and run.submitted_at:
                row["seconds"].append((run.submitted_at - run.started_at).total_seconds())
            if stage["score"] is not None:
                row["scored"] += 1
                row["passed"] += stage["score"] >= rule.min_stage
            for answer in stage["answers"]:
                ex = exercises.setdefault(answer["exercise_id"], {
                    "exercise_id": answer["exercise_id"], "title": answer["title"],
                    "scores": []})
                if answer["score"] is not None:
                    ex["scores"].append(answer["score"])
        if card["complete"] and card["overall"] is not None:
            complete += 1
            meets += card["recommendation"] == "meets the bar"

    stage_rows = []
    for row in sorted(stages.values(), key=lambda r: (r["index"], r["name"])):
        seconds = row.pop("seconds")
        stage_rows.append({**row, "timed": len(seconds), "median_s": quantile(seconds, 0.5),
                           "p90_s": quantile(seconds, 0.9),
                           "pass_rate": row["passed"] / row["scored"] if row["scored"]
                           else None})
    exercise_rows = []
    for ex in sorted(exercises.values(), key=lambda e: e["exercise_id"]):
        scores = ex.pop("scores")
        histogram = [0] * BINS
        for score in scores:
            histogram[bin_of(score)] += 1
        exercise_rows.append({**ex, "graded": len(scores), "histogram": histogram,
                              "mean": sum(scores) / len(scores) if scores else None,
                              "median": quantile(scores, 0.5)})
    decisions: list[dict[str, Any]] = []
    for d in DECISIONS:
        n = sum(1 for i in interviews if i.decision == d)
        decisions.append({"decision": d, "count": n, "share": n / decided if decided else None})
    return {"funnel": funnel, "stages": stage_rows, "exercises": exercise_rows,
            "decisions": decisions, "decided": decided, "complete": complete,
            "meets_bar": meets, "meets_bar_rate": meets / complete if complete else None}


# --- charts -------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def minutes(seconds: float | None) -> str:
    """Seconds as ``m:ss`` (or ``h:mm:ss``)."""
    if seconds is None:
        return "—"
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def bar_chart(rows: list[tuple[str, float, str]], label: str, *, scale: float | None = None,
              width: int = 520) -> str:
    """Horizontal bars: ``(name, value, text)`` per row, bars relative to ``scale`` (the
    largest value when None). ``label`` is the chart's accessible name."""
    bar_h, gap, label_w, text_w = 20, 8, 150, 90
    scale = scale if scale else max([v for _, v, _ in rows] + [0]) or 1
    height = max(1, len(rows)) * (bar_h + gap) + gap
    span = width - label_w - text_w
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="{escape(label)}">']
    for i, (name, value, text) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(0, round(span * min(1.0, value / scale)))
        parts.append(f'<text x="0" y="{y + 15}" font-size="13">{escape(name[:22])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{span}" height="{bar_h}" '
                     f'fill="#eef0f4"/>')
        if w:
            parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" '
                         f'fill="#3b6fd8"/>')
        parts.append(f'<text x="{label_w + span + 8}" y="{y + 15}" font-size="13">'
                     f'{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram_chart(counts: list[int], label: str, width: int = 420) -> str:
    """Vertical bars for the ten score bins, each labelled with its lower bound and count."""
    height, bottom, top = 150, 22, 16
    span = height - bottom - top
    peak = max([*counts, 0]) or 1
    step = width / len(counts)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="{escape(label)}">',
             f'<line x1="0" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
             f'stroke="#888"/>']
    for i, n in enumerate(counts):
        h = round(span * n / peak)
        x = round(i * step + 2)
        w = max(1, round(step - 4))
        if h:
            parts.append(f'<rect x="{x}" y="{height - bottom - h}" width="{w}" height="{h}" '
                         f'fill="#3b6fd8"/>')
        parts.append(f'<text x="{x}" y="{height - bottom - h - 3}" font-size="11">{n}</text>')
        parts.append(f'<text x="{x}" y="{height - 6}" font-size="11">{i * 100 // BINS}</text>')
    parts.append("</svg>")
    return "".join(parts)


def charts(data: dict[str, Any]) -> dict[str, Any]:
    """The page's SVG charts, each with an accessible name that states its numbers."""
    funnel = data["funnel"]
    out: dict[str, Any] = {
        "funnel": bar_chart(
            [(f["step"], f["count"], f"{f['count']} ({_pct(f['share'])})") for f in funnel],
            "Funnel: " + ", ".join(f"{f['step']} {f['count']}" for f in funnel),
            scale=funnel[0]["count"] or 1),
        "time": bar_chart(
            [row for st in data["stages"] for row in (
                (f"{st['name']} median", st["median_s"] or 0, minutes(st["median_s"])),
                (f"{st['name']} p90", st["p90_s"] or 0, minutes(st["p90_s"])))],
            "Time per stage: " + "; ".join(
                f"{st['name']} median {minutes(st['median_s'])}, 90th percentile "
                f"{minutes(st['p90_s'])}" for st in data["stages"])),
        "pass": bar_chart(
            [(st["name"], st["pass_rate"] or 0, f"{_pct(st['pass_rate'])} of {st['scored']}")
             for st in data["stages"]]
            + [("meets the bar", data["meets_bar_rate"] or 0,
                f"{_pct(data['meets_bar_rate'])} of {data['complete']}")]
            + [(d["decision"], d["share"] or 0, f"{d['count']} ({_pct(d['share'])})")
               for d in data["decisions"]],
            "Pass rates: " + "; ".join(
                [f"{st['name']} {_pct(st['pass_rate'])}" for st in data["stages"]]
                + [f"meets the bar {_pct(data['meets_bar_rate'])}"]
                + [f"{d['decision']} {d['count']} of {data['decided']} decided"
                   for d in data["decisions"]]),
            scale=1.0),
        "exercises": {
            ex["exercise_id"]: histogram_chart(
                ex["histogram"],
                f"Scores of {ex['title']}: " + ", ".join(
                    f"{i * 100 // BINS}–{(i + 1) * 100 // BINS}%: {n}"
                    for i, n in enumerate(ex["histogram"])))
            for ex in data["exercises"]},
    }
    return out
