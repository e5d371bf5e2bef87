"""The spoken grader: decode, transcribe, grade the transcript with the text grader, then add
delivery (and, for research talks, structure and slides), each piece of evidence carrying the
moment in the recording where it was said.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from hireloop.core import CriterionScore, Exercise, Grade, Outcome, Submission, Variant
from hireloop.core.grade import TranscriptLine
from hireloop.kinds.text.grader import grade_text
from hireloop.kinds.text.kind import TextConfig, TextKind
from hireloop.nlp.text import Sentence, split_sentences, words
from hireloop.speech.audio import Audio, AudioError, decode
from hireloop.speech.delivery import SINGLE_FILLERS, DeliveryReport, analyse_delivery, clock
from hireloop.speech.transcribe import Transcript, transcribe
from hireloop.speech.vad import speech_seconds

if TYPE_CHECKING:
    from hireloop.kinds.spoken.kind import SpokenConfig, SpokenKind

MIN_SPEECH_S = 1.0
"""less voice activity than this is no answer (silence, noise, a cough)"""
MIN_WORDS = 5
SILENT_RMS = 0.002
"""a recording quieter than this throughout is silent (about -54 dBFS)"""
DELIVERY_SHARE = 0.15
"""delivery's share of the score; research talks give another PRESENTATION_SHARE to structure"""
PRESENTATION_SHARE = 0.2
WORDS_PER_SECOND_MAX = 4.0
"""the text grader's word limit for an answer of max_seconds (fast speech: 240 a minute)"""


@dataclass(frozen=True)
class TimedText:
    """The transcript as the text grader reads it (filler sounds left out), and a map from each
    character back to the time it was said."""

    text: str
    starts: list[int]
    """character offset of each kept word"""
    times: list[tuple[float, float]]
    """(start, end) in seconds of each kept word"""

    @classmethod
    def of(cls, transcript: Transcript) -> TimedText:
        parts: list[str] = []
        starts: list[int] = []
        times: list[tuple[float, float]] = []
        offset = 0
        for w in transcript.words:
            core = re.sub(r"[^\w']", "", w.word.lower())
            if core in SINGLE_FILLERS - {"basically", "literally"}:
                continue  # "um," is a sound, not part of the answer's sentences
            if parts:
                offset += 1
            starts.append(offset)
            times.append((w.start, w.end))
            parts.append(w.word)
            offset += len(w.word)
        text = " ".join(parts)
        text = re.sub(r"^([a-z])", lambda m: m.group(1).upper(), text)
        return cls(text=text, starts=starts, times=times)

    def time_at(self, offset: int) -> float:
        """When the word at character ``offset`` began."""
        if not self.times:
            return 0.0
        i = max(0, bisect.bisect_right(self.starts, offset) - 1)
        return self.times[i][0]

    def end_at(self, offset: int) -> float:
        """When the word holding the character before ``offset`` ended."""
        if not self.times:
            return 0.0
        i = max(0, bisect.bisect_right(self.starts, max(offset - 1, 0)) - 1)
        return self.times[i][1]

    def stamp(self, quote: str) -> str:
        """``[m:ss] quote`` when the quote is found in the transcript, else the quote."""
        found = self.text.find(quote)
        return f"[{clock(self.time_at(found))}] {quote}" if found >= 0 and quote else quote

    def stamp_quotes(self, line: str) -> str:
        """Prefix with the time of the first “quoted” sentence in ``line``, if it was said."""
        match = re.search(r"“([^”]{8,})”", line)
        if match is None:
            return line
        found = self.text.find(match.group(1).rstrip("…").strip())
        return f"[{clock(self.time_at(found))}] {line}" if found >= 0 else line

    def lines(self) -> list[TranscriptLine]:
        """The transcript, sentence by sentence, with times."""
        return [TranscriptLine(start=self.time_at(s.start), end=self.end_at(s.end), text=s.text)
                for s in split_sentences(self.text)]


def _recording(submission: Submission) -> tuple[str, bytes] | None:
    from hireloop.kinds.spoken.kind import RECORDING_SUFFIXES

    named = [(n, d) for n, d in submission.files.items()
             if PurePath(n).suffix.lower() in RECORDING_SUFFIXES]
    if named:
        return named[0]
    others = [(n, d) for n, d in submission.files.items()
              if PurePath(n).suffix.lower() != ".pdf"]
    return others[0] if others else None


def grade_spoken(kind: SpokenKind, exercise: Exercise, variant: Variant,
                 submission: Submission) -> Grade:
    """Grade a recorded answer; every unusable recording is ``not_gradable`` with its reason."""
    from hireloop.nlp.embeddings import ModelUnavailable as EmbedderUnavailable
    from hireloop.speech.models import ModelUnavailable

    seed, grader = variant.seed, kind.grader_id
    config: SpokenConfig = exercise.config
    recording = _recording(submission)
    if recording is None:
        return Grade.not_gradable(exercise.id, seed, grader,
                                  "no recording was handed in: record or upload your answer")
    name, data = recording
    try:
        audio = decode(data, name=name, max_seconds=config.max_seconds,
                       max_bytes=config.max_bytes)
    except AudioError as exc:
        return Grade.not_gradable(exercise.id, seed, grader, exc.message)
    try:
        transcript = transcribe(audio.samples)
    except ModelUnavailable as exc:
        return Grade.failed(exercise.id, seed, grader, f"speech model unavailable: {exc}")
    unheard = _no_answer(name, audio, transcript)
    if unheard is not None:
        return Grade.not_gradable(exercise.id, seed, grader, unheard)

    timed = TimedText.of(transcript)
    text_exercise = dataclasses.replace(exercise, config=TextConfig(
        genre=config.genre, audience=config.audience, principle=config.principle,
        min_words=0, max_words=max(1, int(config.max_seconds * WORDS_PER_SECOND_MAX))))
    text_kind = TextKind()
    content = grade_text(text_kind, text_exercise, variant,
                         Submission(exercise_id=exercise.id, seed=seed, text=timed.text))
    if content.outcome is not Outcome.GRADED:
        message = content.message or "the transcript could not be graded"
        if content.outcome is Outcome.ERROR:
            return Grade.failed(exercise.id, seed, grader, message)
        return Grade.not_gradable(exercise.id, seed, grader, f"{name}: {message}")

    criteria = [c.model_copy(update={"evidence": [_stamp_evidence(timed, e)
                                                  for e in c.evidence]})
                for c in content.criteria]
    text_points = sum(c.max_points for c in criteria)
    gate = min(1.0, content.score / 0.5)
    delivery = analyse_delivery(transcript, limit_s=float(config.max_seconds),
                                cut_at_s=audio.cut_at_s)
    criteria.append(_delivery_criterion(delivery, text_points, gate))
    feedback = list(content.feedback)
    notes = [n for n in content.notes if not n.startswith("Measurements:")]
    notes += [n for n in content.notes if n.startswith("Measurements:")]
    feedback += [f.message for f in delivery.findings if f.severity != "info"]
    feedback += [f.message for f in delivery.findings if f.topic in ("pace", "words")
                 and f.severity == "info"]
    terms = _job_terms(timed.text)
    if terms:
        feedback.append("Job-related terms you used: " + ", ".join(terms) + ".")

    try:
        if config.genre == "research" or config.slides or _slides_file(submission):
            presentation = _presentation(exercise, submission, timed, text_points, gate)
            criteria.append(presentation[0])
            feedback += presentation[1]
            notes += presentation[2]
    except EmbedderUnavailable as exc:
        return Grade.failed(exercise.id, seed, grader, str(exc))
    except _SlidesUnreadableError as exc:
        return Grade.not_gradable(exercise.id, seed, grader, str(exc))

    notes.append(delivery.metrics_line())
    notes.append(f"Transcribed offline by Whisper {transcript.model} from {audio.container}/"
                 f"{audio.codec}, {audio.duration_s:.1f} s"
                 + ("; the video track is kept for human review only and was not analysed"
                    if audio.has_video else "") + ".")
    result = Grade.from_criteria(exercise.id, seed, grader, criteria, feedback=feedback,
                                 notes=notes)
    return result.model_copy(update={"transcript": timed.lines()})


def _no_answer(name: str, audio: Audio, transcript: Transcript) -> str | None:
    heard = speech_seconds(transcript.speech)
    if audio.rms < SILENT_RMS and (heard < MIN_SPEECH_S or not transcript.words):
        return (f"{name} is silent: no speech was heard. Check that the microphone is on and "
                "record your answer again")
    if heard < MIN_SPEECH_S or not transcript.words:
        return (f"no speech was heard in {name}, only noise or other sound: record your "
                "answer again somewhere quieter, close to the microphone")
    if len(words(transcript.text)) < MIN_WORDS:
        return (f"too little speech to grade in {name} (“{transcript.text}”): answer the "
                "question aloud in full sentences")
    return None


def _stamp_evidence(timed: TimedText, evidence: str) -> str:
    prefix = "contradicts the point: "
    if evidence.startswith(prefix):
        stamped = timed.stamp(evidence[len(prefix):])
        if stamped.startswith("["):
            time, _, quote = stamped.partition("] ")
            return f"{time}] {prefix}{quote}"
        return evidence
    stamped = timed.stamp(evidence)
    return stamped if stamped != evidence else timed.stamp_quotes(evidence)


def _delivery_criterion(delivery: DeliveryReport, text_points: float,
                        gate: float) -> CriterionScore:
    max_points = round(text_points * DELIVERY_SHARE / (1 - DELIVERY_SHARE), 4)
    evidence = [f.message for f in delivery.findings if f.topic != "words"]
    evidence += [f"[{clock(s)}] pause of {d:.1f} s" for s, d in delivery.long_pauses]
    return CriterionScore(
        name="Delivery: pace, filler words, pauses, talk time",
        points=min(max_points, round(max_points * delivery.score * gate, 4)),
        max_points=max_points, evidence=evidence,
        feedback="How easy the answer was to follow aloud (earned in proportion to the content)")


def _job_terms(text: str) -> list[str]:
    from hireloop.nlp.communication import lexicon

    lex = lexicon()
    tokens = words(text)
    found: dict[str, None] = {}
    i = 0
    while i < len(tokens):
        hit = lex.find(tokens, i)
        if hit is None:
            i += 1
            continue
        found.setdefault(lex.terms[hit[0].term].name, None)
        i += hit[1]
    return list(found)[:12]


class _SlidesUnreadableError(Exception):
    """The slides handed in cannot be read (the message says why)."""


def _slides_file(submission: Submission) -> tuple[str, bytes] | None:
    pdfs = [(n, d) for n, d in submission.files.items() if n.lower().endswith(".pdf")]
    return pdfs[0] if pdfs else None


def _presentation(exercise: Exercise, submission: Submission, timed: TimedText,
                  text_points: float, gate: float
                  ) -> tuple[CriterionScore, list[str], list[str]]:
    from hireloop.kinds.spoken.presentation import analyse_presentation
    from hireloop.nlp.embeddings import shared_embedder
    from hireloop.speech.slides import SlidesError, read_slides

    config: SpokenConfig = exercise.config
    deck = _slides_file(submission)
    if deck is None and config.slides:
        deck = (config.slides, exercise.public_files[config.slides])
    slides = []
    if deck is not None:
        try:
            slides = read_slides(deck[1], deck[0])
        except SlidesError as exc:
            raise _SlidesUnreadableError(str(exc)) from None
    sentences: list[Sentence] = split_sentences(timed.text)
    report = analyse_presentation(sentences, slides, shared_embedder())
    max_points = round(text_points * PRESENTATION_SHARE / (1 - PRESENTATION_SHARE), 4)
    evidence: list[str] = []
    for p in report.parts:
        if p.evidence is not None:
            evidence.append(f"[{clock(timed.time_at(p.evidence.start))}] {p.part.name}: "
                            f"{p.evidence.text}")
        else:
            evidence.append(f"{p.part.name}: not found in the talk")
    for s in report.slides:
        where = (f"[{clock(timed.time_at(s.evidence.start))}] " if s.evidence is not None
                 else "")
        evidence.append(f"{where}slide {s.slide.number} “{s.slide.title}”: "
                        + ("presented" if s.covered else "not discussed"))
    covered = [p.part.name.lower() for p in report.parts if p.covered]
    missing = [p.part.name.lower() for p in report.parts if not p.covered]
    feedback = []
    if covered:
        feedback.append("Your talk covered: " + ", ".join(covered) + ".")
    if missing:
        feedback.append("A research talk also needs: " + ", ".join(missing) + ".")
    skipped = [s for s in report.slides if not s.covered]
    if skipped:
        feedback.append("Slides you did not talk about: "
                        + ", ".join(f"{s.slide.number} ({s.slide.title})" for s in skipped)
                        + ".")
    notes = ["Suggested follow-up questions for the Q&A: "
             + " | ".join(f"{i}. {q}" for i, q in enumerate(report.questions, start=1))]
    criterion = CriterionScore(
        name="Research talk: motivation, method, evidence, limitations"
             + (", slides presented" if report.slides else ""),
        points=min(max_points, round(max_points * report.score * gate, 4)),
        max_points=max_points, evidence=evidence,
        feedback="The parts every research talk needs, and the slides it presents")
    return criterion, feedback, notes
