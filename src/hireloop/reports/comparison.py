"""Two to four candidates of one loop side by side: their competency profiles overlaid in one
chart (an SVG drawn here, like the scorecard's), their scores per stage, their integrity and
similarity flags and the decisions.

Every figure is the scorecard's own (``build_scorecard``), so the comparison never disagrees
with a candidate's scorecard; names are those the viewer may see (blind review).
"""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy.orm import Session

from hireloop.bank.loader import Bank
from hireloop.db.models import Interview
from hireloop.hiring import service
from hireloop.hiring.authz import Principal
from hireloop.reports.scorecard import build_scorecard

MIN, MAX = 2, 4
"""how many candidates a comparison shows"""

SERIES = (
    {"dash": "", "marker": "circle", "colour": "#1f4fb4"},
    {"dash": "8 4", "marker": "square", "colour": "#b4461f"},
    {"dash": "2 3", "marker": "triangle", "colour": "#1f7a3a"},
    {"dash": "10 3 2 3", "marker": "diamond", "colour": "#6a2fa0"},
)
"""each candidate's line: a dash pattern and a marker shape tell them apart without colour"""


def chosen_ids(raw: list[str]) -> list[int]:
    """The interview ids a comparison asks for, in order, without repeats; a value that is
    not an id is named."""
    ids: list[int] = []
    for given in raw:
        value = given.strip()
        if not value.isdigit() or int(value) >= 2**31:
            raise service.Invalid(f"{value[:40]!r} is not an interview id")
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def interviews_to_compare(s: Session, me: Principal, ids: list[int]) -> list[Interview]:
    """The interviews, each one ``me`` may read (404 otherwise), or why they cannot be
    compared: fewer than two, more than four, or of different loops."""
    if len(ids) < MIN:
        raise service.Invalid(
            f"choose at least {MIN} candidates to compare (you chose {len(ids)}): tick them "
            "on the Interviews page, then press Compare")
    if len(ids) > MAX:
        raise service.Invalid(
            f"compare at most {MAX} candidates at a time (you chose {len(ids)})")
    found = [service.interview_for(s, me, i) for i in ids]
    loops = {i.loop_id for i in found}
    if len(loops) > 1:
        described = "; ".join(
            f"{i.loop_snapshot.get('title', f'loop {i.loop_id}')}: "
            f"{service.candidate_identity(me, i)['name']}" for i in found)
        raise service.Invalid(
            "compare candidates of the same loop only (their stages and competencies differ "
            f"otherwise); these are of {len(loops)} loops ({described})")
    return found


def _flags(s: Session, interview: Interview, card: dict[str, Any]) -> list[str]:
    """What a reviewer should look at before comparing scores, in words."""
    from hireloop.integrity.signals import duration, summaries
    from hireloop.integrity.store import matches_of

    out = []
    ids = [a.id for a in interview.answers]
    matches = matches_of(s, ids)
    similar = [m["similarity"] for found in matches.values() for m in found]
    if similar:
        out.append(f"{len(similar)} answer match{'es' if len(similar) != 1 else ''} with "
                   f"another candidate's (up to {max(similar):.0%} alike)")
    codes: dict[str, int] = {}
    for answer in interview.answers:
        grade = service.automatic_grade(answer)
        for flag in grade.flags if grade else []:
            if flag.code != "matches_submission":  # counted above, from the stored matches
                codes[flag.code] = codes.get(flag.code, 0) + 1
    out += [f"{code.replace('_', ' ')}" + (f" ({n} answers)" if n > 1 else "")
            for code, n in sorted(codes.items())]
    found = [x for x in summaries(s, ids).values() if x.recorded]
    pastes = sum(x.pastes for x in found)
    if pastes:
        out.append(f"{pastes} paste{'s' if pastes != 1 else ''} "
                   f"({sum(x.pasted_chars for x in found)} characters)")
    away = sum(x.away for x in found)
    if away:
        out.append(f"away from the page {away} time{'s' if away != 1 else ''} "
                   f"({duration(sum(x.away_ms for x in found))})")
    if card["human_review_requested"]:
        out.append("the candidate asked for a human review")
    return out


def comparison(s: Session, me: Principal, bank: Bank,
               interviews: list[Interview]) -> dict[str, Any]:
    """What the comparison page shows, as plain data (``interviews_to_compare`` first)."""
    people = []
    for n, interview in enumerate(interviews):
        card = build_scorecard(interview, bank, me)
        people.append({"interview": interview, "card": card, "name": card["candidate"]["name"],
                       "series": SERIES[n], "flags": _flags(s, interview, card)})
    competencies = sorted({c for p in people for c in p["card"]["competencies"]})
    stages = []
    for index in range(max(len(p["card"]["stages"]) for p in people)):
        names = []
        for p in people:
            st = p["card"]["stages"]
            if index < len(st) and st[index]["name"] not in names:
                names.append(st[index]["name"])
        stages.append({"name": " / ".join(names),
                       "scores": [p["card"]["stages"][index]["score"]
                                  if index < len(p["card"]["stages"]) else None
                                  for p in people]})
    return {"people": people, "competencies": competencies, "stages": stages,
            "loop_title": interviews[0].loop_snapshot.get("title", ""),
            "chart": overlaid_chart([(p["name"], p["card"]["competencies"]) for p in people],
                                    competencies)}


def _marker(shape: str, x: float, y: float, colour: str, tip: str) -> str:
    r = 5.5
    title = f"<title>{escape(tip)}</title>"
    if shape == "circle":
        return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" '
                f'data-marker="circle">{title}</circle>')
    if shape == "square":
        return (f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" '
                f'fill="#fff" stroke="{colour}" stroke-width="2.5" data-marker="square">'
                f'{title}</rect>')
    if shape == "triangle":
        points = f"{x:.1f},{y - r - 1:.1f} {x - r - 1:.1f},{y + r:.1f} {x + r + 1:.1f},{y + r:.1f}"
        return (f'<polygon points="{points}" fill="{colour}" data-marker="triangle">'
                f'{title}</polygon>')
    points = f"{x:.1f},{y - r - 1:.1f} {x + r + 1:.1f},{y:.1f} {x:.1f},{y + r + 1:.1f} " \
             f"{x - r - 1:.1f},{y:.1f}"
    return (f'<polygon points="{points}" fill="#fff" stroke="{colour}" stroke-width="2.5" '
            f'data-marker="diamond">{title}</polygon>')


def overlaid_chart(series: list[tuple[str, dict[str, float]]], competencies: list[str],
                   width: int = 640) -> str:
    """Competency scores of several candidates in one SVG: a row per competency, the score
    from 0 to 100% across, one line per candidate through their scores, each with its own
    dash pattern and marker shape (and colour), and a legend naming them. A competency a
    candidate has no score for yet leaves a gap in their line."""
    label_w, right, top, row_h = 170, 24, 12, 34
    legend_h = 26 * len(series) + 8
    plot_h = max(1, len(competencies)) * row_h
    axis_y = top + plot_h + 6
    height = axis_y + 24 + legend_h
    span = width - label_w - right

    def x_of(score: float) -> float:
        return label_w + span * max(0.0, min(1.0, score))

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart compare-chart" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="Scores per competency, one line per candidate">']
    for tick in range(0, 101, 25):
        x = x_of(tick / 100)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{axis_y - 6}" '
                     f'stroke="#dde1e8"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 10}" font-size="11" '
                     f'text-anchor="middle">{tick}%</text>')
    for i, name in enumerate(competencies):
        y = top + i * row_h + row_h / 2
        parts.append(f'<text x="0" y="{y + 4:.1f}" font-size="13">{escape(name)}</text>')
    for n, (who, scores) in enumerate(series):
        style = SERIES[n]
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        points: list[list[tuple[float, float]]] = [[]]
        markers = []
        for i, name in enumerate(competencies):
            y = top + i * row_h + row_h / 2
            score = scores.get(name)
            if score is None:
                if points[-1]:
                    points.append([])
                continue
            points[-1].append((x_of(score), y))
            markers.append(_marker(style["marker"], x_of(score), y, style["colour"],
                                   f"{who}: {name} {score:.0%}"))
        parts.append(f'<g class="series" data-series="{n}" data-candidate="{escape(who)}">')
        for run in points:
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{path}" fill="none" '
                             f'stroke="{style["colour"]}" stroke-width="2"{dash}/>')
        parts += markers
        parts.append("</g>")
    legend_y = axis_y + 24
    parts.append('<g class="legend">')
    for n, (who, _) in enumerate(series):
        style = SERIES[n]
        y = legend_y + 26 * n + 10
        dash = f' stroke-dasharray="{style["dash"]}"' if style["dash"] else ""
        parts.append(f'<line x1="0" y1="{y}" x2="44" y2="{y}" stroke="{style["colour"]}" '
                     f'stroke-width="2"{dash}/>')
        parts.append(_marker(style["marker"], 22, y, style["colour"], who))
        parts.append(f'<text x="54" y="{y + 4}" font-size="13" data-legend="{n}">'
                     f'{escape(who)}</text>')
    parts.append("</g></svg>")
    return "".join(parts)
