"""The scorecard as a PDF: the same data as the page (``build_scorecard``), the same
competency chart (the page's own SVG, drawn into the PDF), laid out for A4.

Made with fpdf2, which is pure Python (no system libraries, no browser, no network: see
decision 57). Text is set in DejaVu Sans when the system has it (Debian's fonts-dejavu-core,
installed by the Docker image), so every name and symbol prints; without it the PDF falls back
to Helvetica and characters outside Latin-1 print as "?".

``full=False`` is the shared view (a share link): the header, the competency chart, the
stages and each exercise's score, and nothing that only the team reads (criteria and their
evidence, overrides, integrity signals).
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

log = logging.getLogger("hireloop.reports")

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts/dejavu"))
"""where DejaVu Sans is looked for (Debian, Fedora/Alpine, a hand install)"""


def _font_dir() -> Path | None:
    for folder in FONT_DIRS:
        if (folder / "DejaVuSans.ttf").is_file() and (folder / "DejaVuSans-Bold.ttf").is_file():
            return folder
    return None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class _Doc(FPDF):
    def __init__(self, title: str) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=15)
        self.set_title(title)
        self.set_creator("hireloop")
        self.set_author("hireloop")
        folder = _font_dir()
        self.unicode = folder is not None
        if folder is not None:
            self.add_font("DejaVu", "", str(folder / "DejaVuSans.ttf"))
            self.add_font("DejaVu", "B", str(folder / "DejaVuSans-Bold.ttf"))
            self.family = "DejaVu"
        else:
            log.warning("DejaVu Sans not found (install fonts-dejavu-core): the PDF uses "
                        "Helvetica and prints characters outside Latin-1 as '?'")
            self.family = "Helvetica"
        self.footer_text = "hireloop · automatic grades recommend; people decide"

    def text_of(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self.unicode:
            return text
        return (text.replace("—", "-").replace("–", "-").replace("“", '"')
                .replace("”", '"').replace("≥", ">=").replace("·", "-")
                .encode("latin-1", "replace").decode("latin-1"))

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, self.text_of(f"{self.footer_text} · page {self.page_no()}"),
                  align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 13) -> None:
        self.ln(2)
        self.set_font(self.family, "B", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), new_x=XPos.LMARGIN,
                        new_y=YPos.NEXT)
        self.set_font(self.family, "", 10)
        self.ln(1)

    def para(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, 5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 10)

    def grid(self, header: list[str], rows: list[list[Any]],
             widths: tuple[int, ...] | None = None) -> None:
        self.set_font(self.family, "", 9)
        with self.table(col_widths=widths, text_align="LEFT", line_height=5,
                        first_row_as_headings=True) as table:
            row = table.row()
            for cell in header:
                row.cell(self.text_of(cell))
            for values in rows:
                row = table.row()
                for cell in values:
                    row.cell(self.text_of(cell))
        self.set_font(self.family, "", 10)
        self.ln(2)


def summary_line(card: dict[str, Any]) -> str:
    """The line under the title, as the page writes it."""
    line = f"{card['loop']} · overall {_pct(card['overall'])}"
    if not card["complete"]:
        line += " (grading not complete)"
    if card["recommendation"]:
        rule = card["pass_rule"]
        line += (f" · {card['recommendation']} (overall ≥ {_pct(rule['min_overall'])}, every "
                 f"stage ≥ {_pct(rule['min_stage'])})")
    if card["decision"]:
        line += f" · decision: {card['decision']}"
    return line


def _ratings(doc: _Doc, card: dict[str, Any]) -> None:
    """The interviewers' ratings beside the automatic scores, as the page shows them to the
    reader (``card["ratings"]``, when the scorecard has them)."""
    rated = card.get("ratings")
    if not rated or not rated.get("competencies"):
        return
    scale = rated.get("scale") or []
    top = scale[-1]["value"] if scale else ""
    doc.heading("Interviewers' ratings")
    if scale:
        doc.para("Scale: " + ", ".join(f"{a['value']} ({a['label']})" for a in scale), size=8)
    if rated.get("hidden"):
        doc.para(f"{rated['hidden']} more interviewer rating(s) show once you submit yours.",
                 size=8)
    rows = []
    for competency in rated["competencies"]:
        mean = (rated.get("means") or {}).get(competency)
        given = [f"{s['ratings'][competency]['value']} · {s['ratings'][competency]['label']} "
                 f"— {s['rater'].get('name') or s['rater'].get('email')}: "
                 f"“{s['ratings'][competency]['justification']}”"
                 for s in rated.get("sets", []) if competency in s.get("ratings", {})]
        rows.append([competency, _pct(card["competencies"].get(competency)),
                     "—" if mean is None else f"{mean:.2f} / {top}",
                     "\n".join(given) or "no rating"])
    doc.grid(["Competency", "Automatic", "Mean of ratings", "Ratings and justifications"],
             rows, (35, 22, 28, 95))


def scorecard_pdf(card: dict[str, Any], chart_svg: str, *, full: bool = True,
                  signals: dict[int, Any] | None = None) -> bytes:
    """The scorecard ``card`` (from ``build_scorecard`` for the reader) as PDF bytes."""
    name = card["candidate"]["name"]
    doc = _Doc(f"Scorecard: {name}")
    doc.add_page()
    doc.heading(f"Scorecard: {name}", 16)
    doc.para(summary_line(card))

    doc.heading("By competency")
    if card["competencies"]:
        doc.image(io.BytesIO(chart_svg.encode()), w=min(doc.epw, 150))
    else:
        doc.para("No graded competencies yet.")
    doc.heading("By stage")
    doc.grid(["Stage", "Weight", "Score"],
             [[s["name"], f"{s['weight']:g}", _pct(s["score"])] for s in card["stages"]],
             (110, 35, 35))

    if not full:
        doc.heading("Exercises")
        doc.grid(["Stage", "Exercise", "Score"],
                 [[s["name"], a["title"], _pct(a["score"])]
                  for s in card["stages"] for a in s["answers"]], (50, 100, 30))
        doc.para("A read-only copy shared by the hiring team: the rubric's criteria, the "
                 "evidence and the team's notes are not part of it.", size=8)
        return bytes(doc.output())

    _ratings(doc, card)
    for number, stage in enumerate(card["stages"]):
        if number:
            doc.add_page()  # a stage per page, as the print layout breaks them
        doc.heading(f"Evidence · {stage['name']} — {_pct(stage['score'])}")
        for answer in stage["answers"]:
            doc.para(f"{answer['title']} — {_pct(answer['score'])}", size=11, bold=True)
            for c in answer["criteria"]:
                line = f"• {c['name']}: {c['points']:.2f} / {c['max_points']:.2f}"
                if c["override"]:
                    o = c["override"]
                    line += (f" (overridden from {c['auto_points']:.2f} by {o['by']}: "
                             f"“{o['reason']}”)")
                doc.para(line)
                for evidence in c["evidence"][:3]:
                    doc.set_x(doc.l_margin + 6)
                    doc.set_font(doc.family, "", 9)
                    doc.multi_cell(0, 4.5, doc.text_of(f"– {evidence}"), new_x=XPos.LMARGIN,
                                   new_y=YPos.NEXT)
                    doc.set_font(doc.family, "", 10)
            doc.ln(1)

    doc.add_page()
    doc.heading("Integrity signals")
    doc.para("Recorded while each code and text answer was written: pastes and time away "
             "from the page. For the interviewer to read with the answer; they change no "
             "score and decide nothing by themselves.", size=8)
    rows = []
    for stage in card["stages"]:
        for a in stage["answers"]:
            if a["kind"] not in ("code", "text"):
                continue
            sig = (signals or {}).get(a["answer_id"])
            if sig is not None and sig.recorded:
                rows.append([a["title"], sig.pastes, f"{sig.pasted_chars} ({sig.largest_paste})",
                             sig.away, f"{sig.away_text} ({sig.longest_away_text})",
                             sig.typed_chars])
            else:
                rows.append([a["title"], "none recorded", "", "", "", ""])
    doc.grid(["Exercise", "Pastes", "Characters pasted (largest)", "Times away",
              "Time away (longest)", "Characters typed"], rows, (50, 20, 30, 20, 30, 30))
    doc.heading("Overrides")
    if card["overrides"]:
        doc.grid(["When", "Who", "Exercise", "Criterion", "Points", "Reason"],
                 [[o["at"][:16], o["by"], o["exercise_id"], o["criterion"],
                   f"{o['points']:g} / {o['max_points']:g}", o["reason"]]
                  for o in card["overrides"]], (25, 30, 35, 30, 20, 40))
    else:
        doc.para("No overrides.")
    return bytes(doc.output())
