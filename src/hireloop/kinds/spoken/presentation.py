"""Research presentations: does the talk cover motivation, method, evidence and limitations,
does it present its slides, and which follow-up questions should the live Q&A ask?

Each part is found by the words such a part uses (motivation in the first half of the talk;
evidence with a figure); of the sentences that qualify, the one closest in meaning (MiniLM) to a
description of the part is its evidence. A slide is presented when the talk says what its bullet
lines say (meaning and words). Gaps become questions.
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
    """patterns (regular expressions, case-insensitive) of the words such a part uses"""
    question: str
    """asked in the Q&A when the talk leaves the part out"""


PARTS = (
    Part("motivation", "Motivation",
         "Why this problem matters: the motivation, the cost of the problem today and the gap "
         "that existing work leaves.",
         (r"problem", r"matter", r"\bcost", r"gap", r"challeng", r"\bgoal", r"set out",
          r"motivat", r"invent", r"hallucinat", r"wrong", r"\berror", r"mistake", r"\bfail",
          r"\bpain", r"expensive", r"\brisk", r"too slow", r"struggl", r"important"),
         "Why does this problem matter, and what does existing work get wrong about it?"),
    Part("method", "Method",
         "What we did: the approach, the model, the data and how the experiment was set up.",
         (r"\bmethod", r"approach", r"\bwe (?:\w+ )?(?:retriev|train|buil|us|propos|design|"
          r"fine-?tun|collect|label|compar|develop|replac|add|appl|introduc|combin|requir)",
          r"\bour (?:model|system|pipeline|method|approach)", r"the model must",
          r"architectur", r"experiment"),
         "Walk us through the method: what exactly did you build or change, and on what data?"),
    Part("evidence", "Evidence",
         "The results that support the claim: measured improvements over a baseline, with "
         "numbers, on held-out data.",
         (r"\bresult", r"improv", r"\bfell", r"\bdrop", r"reduc", r"increas", r"\brose",
          r"accura", r"baselin", r"outperform", r"significan", r"\bscore", r"held[- ]out",
          r"\bf1\b", r"recall", r"precision", r"compared with"),
         "What is the strongest quantitative evidence for your claim, against which baseline, "
         "and how large is the effect compared with run-to-run noise?"),
    Part("limitations", "Limitations",
         "The limitations and weaknesses of the work: where it fails, what was not tested, "
         "threats to validity and future work.",
         (r"limitation", r"weakness", r"caveat", r"\bonly (?:tested|on|in|for|work)",
          r"(?:have|has|did) not (?:tested|tried|evaluated|checked)", r"not (?:yet )?tested",
          r"future work", r"threat", r"drawback", r"does(?: not|n't) (?:work|generali)",
          r"fails? (?:when|on|for)", r"adds? (?:\w+ ){0,4}latency", r"downside"),
         "What are the main limitations of this work, and under which conditions would you "
         "expect the result not to hold?"),
)
NUMBER = re.compile(r"\d|\bpercent|\bhalf\b|\btwice\b|\btimes\b|\bfold\b",
                    re.IGNORECASE)
"""evidence needs a figure"""
SLIDE_SIMILARITY = 0.6
SLIDE_WORDS = 0.3
"""a slide is presented when a stretch of two sentences of the talk is this similar to it and
the talk uses this share of the content words of its bullet lines"""


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


def _qualifies(part: Part, sentence: str, index: int, count: int) -> bool:
    if not any(re.search(c, sentence, re.IGNORECASE) for c in part.cues):
        return False
    if part.id == "motivation" and index >= max(2, (count + 1) // 2):
        return False
    return not (part.id == "evidence" and not NUMBER.search(sentence))


def _body(slide: Slide) -> str:
    return slide.text[len(slide.title):].strip(" -")


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
        ok = [j for j, t in enumerate(texts) if _qualifies(part, t, j, len(texts))]
        if not ok:
            parts.append(PartCoverage(part, False, round(float(sims[i].max()), 3), None))
            continue
        j = max(ok, key=lambda k: float(sims[i, k]))
        parts.append(PartCoverage(part, True, round(float(sims[i, j]), 3), sentences[j]))
    report = PresentationReport(parts=parts)
    # title and section slides (a few words under the title) need no presenting
    content = [sl for sl in slides if len(content_stems(_body(sl))) >= 6]
    if content:
        windows = [" ".join(texts[k:k + 2]) for k in range(len(texts))]
        window_vec = embedder.embed(windows)
        slide_vec = embedder.embed([sl.text for sl in content])
        slide_sims = slide_vec @ window_vec.T
        talk = set(content_stems(" ".join(texts)))
        for i, slide in enumerate(content):
            j = int(np.argmax(slide_sims[i]))
            sim = float(slide_sims[i, j])
            body = content_stems(_body(slide))
            share = sum(b in talk for b in body) / len(body)
            covered = sim >= SLIDE_SIMILARITY and share >= SLIDE_WORDS
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
