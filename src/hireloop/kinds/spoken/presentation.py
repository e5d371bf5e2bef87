"""Research presentations: does the talk cover motivation, method, evidence and limitations,
does it present its slides, and which follow-up questions should the live Q&A ask?

Each part is found by meaning (MiniLM similarity to a description of the part) confirmed by the
words such a part uses; the sentence that covers it is its evidence. Gaps become questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from hireloop.nlp.content import content_stems
from hireloop.nlp.embeddings import Embedder
from hireloop.nlp.text import Sentence
from hireloop.speech.slides import Slide


@dataclass(frozen=True)
class Part:
    """A part every research talk needs."""

    id: str
    name: str
    description: str
    cues: tuple[str, ...]
    """word stems that such a part uses (matched against the sentence's stems' starts)"""
    question: str
    """asked in the Q&A when the talk leaves the part out"""


PARTS = (
    Part("motivation", "Motivation",
         "Why this problem matters: the motivation, the cost of the problem today and the gap "
         "that existing work leaves.",
         ("motivat", "problem", "matter", "important", "gap", "cost", "challeng", "goal",
          "why", "need", "pain", "hard", "difficult", "expensive", "fail"),
         "Why does this problem matter, and what does existing work get wrong about it?"),
    Part("method", "Method",
         "What we did: the approach, the model, the data and how the experiment was set up.",
         ("method", "approach", "propos", "train", "model", "data", "architectur", "setup",
          "experiment", "design", "algorithm", "fine-tun", "evaluat", "built", "use"),
         "Walk us through the method: what exactly did you build or change, and on what data?"),
    Part("evidence", "Evidence",
         "The results that support the claim: measured improvements over a baseline, with "
         "numbers, on held-out data.",
         ("result", "improv", "percent", "accura", "baselin", "outperform", "significan",
          "reduc", "increas", "score", "measur", "show", "point", "f1", "recall", "precision"),
         "What is the strongest quantitative evidence for your claim, against which baseline, "
         "and how large is the effect compared with run-to-run noise?"),
    Part("limitations", "Limitations",
         "The limitations and weaknesses of the work: where it fails, what was not tested, "
         "threats to validity and future work.",
         ("limit", "weakness", "caveat", "fail", "only", "not test", "future", "threat",
          "bias", "however", "assum", "risk", "small", "generaliz", "generalis"),
         "What are the main limitations of this work, and under which conditions would you "
         "expect the result not to hold?"),
)
PART_SIMILARITY = 0.30
"""a sentence at least this similar to a part's description, using one of its cue words,
covers the part; one at least PART_STRONG similar covers it without cue words"""
PART_STRONG = 0.5
SLIDE_SIMILARITY = 0.45
"""a slide is presented when some stretch of two sentences of the talk is this similar to it"""


@dataclass
class PartCoverage:
    """Whether the talk covers one part, and the sentence that does."""

    part: Part
    covered: bool
    similarity: float
    evidence: Sentence | None


@dataclass
class SlideCoverage:
    """Whether the talk presents one slide, and where."""

    slide: Slide
    covered: bool
    similarity: float
    evidence: Sentence | None


@dataclass
class PresentationReport:
    """A research talk's structure, its slides and the questions its gaps raise."""

    parts: list[PartCoverage]
    slides: list[SlideCoverage] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        """Share of the four parts covered, with slides presented counting a quarter."""
        parts = sum(p.covered for p in self.parts) / len(self.parts)
        if not self.slides:
            return parts
        shown = sum(s.covered for s in self.slides) / len(self.slides)
        return 0.75 * parts + 0.25 * shown


def _has_cue(sentence: str, cues: tuple[str, ...]) -> bool:
    stems = content_stems(sentence)
    lowered = sentence.lower()
    return any(any(s.startswith(c) for s in stems) or (" " in c and c in lowered)
               for c in cues)


def analyse_presentation(sentences: list[Sentence], slides: list[Slide],
                         embedder: Embedder) -> PresentationReport:
    """Check a research talk (its transcript's sentences) for its parts and its slides."""
    texts = [s.text for s in sentences]
    if not texts:
        return PresentationReport(parts=[PartCoverage(p, False, 0.0, None) for p in PARTS],
                                  questions=[p.question for p in PARTS])
    vectors = embedder.embed(texts)
    parts_vec = embedder.embed([p.description for p in PARTS])
    sims = parts_vec @ vectors.T
    parts: list[PartCoverage] = []
    for i, part in enumerate(PARTS):
        best: tuple[float, int] | None = None
        for j in np.argsort(-sims[i]):
            sim = float(sims[i, j])
            if sim >= PART_STRONG or (sim >= PART_SIMILARITY and _has_cue(texts[j], part.cues)):
                best = (sim, int(j))
                break
        if best is None:
            parts.append(PartCoverage(part, False, round(float(sims[i].max()), 3), None))
        else:
            parts.append(PartCoverage(part, True, round(best[0], 3), sentences[best[1]]))
    report = PresentationReport(parts=parts)
    if slides:
        windows = [" ".join(texts[k:k + 2]) for k in range(len(texts))]
        window_vec = embedder.embed(windows)
        slide_vec = embedder.embed([s.text for s in slides])
        slide_sims = slide_vec @ window_vec.T
        for i, slide in enumerate(slides):
            j = int(np.argmax(slide_sims[i]))
            sim = float(slide_sims[i, j])
            covered = sim >= SLIDE_SIMILARITY
            report.slides.append(SlideCoverage(slide, covered, round(sim, 3),
                                               sentences[j] if covered else None))
    report.questions = follow_up_questions(report, " ".join(texts))
    return report


def follow_up_questions(report: PresentationReport, talk: str) -> list[str]:
    """Questions for the live Q&A, from the gaps in the talk (most important first)."""
    questions = [p.part.question for p in report.parts if not p.covered]
    evidence = next(p for p in report.parts if p.part.id == "evidence")
    if evidence.covered and not re.search(r"\d", talk):
        questions.append("You described the results without numbers: what exactly did you "
                         "measure, and what were the figures?")
    for s in report.slides:
        if not s.covered:
            questions.append(f"Slide {s.slide.number}, “{s.slide.title}”, was not discussed: "
                             "what does it show, and how does it bear on your conclusion?")
    if not questions:
        questions.append("Which single result, if it failed to replicate, would most change "
                         "your conclusions, and how would you check it?")
    return questions[:6]
