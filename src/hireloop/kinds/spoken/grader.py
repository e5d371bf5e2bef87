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
from hireloop.speech.transcribe import Transcript, Word, transcribe
from hireloop.speech.vad import speech_seconds

if TYPE_CHECKING:
    from hireloop.kinds.spoken.kind import SpokenConfig, SpokenKind

MIN_SPEECH_S = 1.0
"""less voice activity than this is no answer (silence, noise, a cough)"""
MIN_WORDS = 5
_HALLUCINATED = re.compile(
    r"(?:thank\s+you|thanks)(?:\s+so\s+much)?\s+for\s+watching[.!,]?(?:\s+and)?|"
    r"(?:and\s+)?(?:I'll\s+)?see\s+you\s+(?:in\s+the\s+next\s+(?:video|one)|next\s+time)[.!,]?|"
    r"please\s+subscribe[.!,]?", re.IGNORECASE)
"""stock phrases Whisper writes over silence and noise (from its training data)"""
SPEECH_SLACK_S = 0.5
"""a word counts as heard when it lies within this of a region where voice detection heard
speech"""
LOOP_REPEATS = 4
"""four words repeated this often: the recogniser is looping, not transcribing"""
MIN_CONFIDENCE = 0.65
"""a mean word probability below this: the recogniser could not follow the speech"""
MIN_HEARD_S = 8.0
"""below this much speech, coverage is not checked (short answers are refused by MIN_WORDS)"""
MIN_COVERED = 0.5
"""a transcript whose words cover less than this share of the speech heard is unreliable"""
MIN_WORDS_PER_S = 0.8
"""fewer words than this per second of speech heard: the transcript lost most of what was said
(people speak about 2 to 3 words a second)"""
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
    transcript = _heard(transcript)
    unheard = _no_answer(name, audio, transcript) or _unreliable(name, transcript)
    if unheard is not None:
        return Grade.not_gradable(exercise.id, seed, grader, unheard)

    timed = TimedText.of(transcript)
    text_exercise = dataclasses.replace(exercise, config=TextConfig(
        genre=config.genre, audience=config.audience, principle=config.principle,
        min_words=0, max_words=max(1, int(config.max_seconds * WORDS_PER_SECOND_MAX))))
    text_kind = TextKind()
    content = grade_text(text_kind, text_exercise, variant,
                         Submission(exercise_id=exercise.id, seed=seed, text=timed.text),
                         spoken=True)
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
                                 notes=notes, flags=content.flags)
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


def _heard(transcript: Transcript) -> Transcript:
    """The transcript without the words said where voice detection heard no speech: Whisper
    fills long pauses with text from its training data ("thank you for watching, see you in
    the next video" over and over)."""
    if not transcript.speech:
        return transcript
    kept = [w for w in transcript.words
            if any(w.end > start - SPEECH_SLACK_S and w.start < end + SPEECH_SLACK_S
                   for start, end in transcript.speech)]
    kept = _unlooped(kept)
    text = " ".join(w.word for w in kept)
    for match in reversed(list(_HALLUCINATED.finditer(text))):
        # drop the words of a stock phrase the recogniser invents ("thanks for watching")
        start = len(text[:match.start()].split())
        end = start + len(match.group(0).split())
        kept = kept[:start] + kept[end:]
    if len(kept) == len(transcript.words):
        return transcript
    return dataclasses.replace(transcript, words=kept, text=" ".join(w.word for w in kept))


def _unlooped(said: list[Word]) -> list[Word]:
    """The words with every run of a phrase repeated three times or more in a row kept once
    (the recogniser's loops: "see you in the next video, see you in the next video, ...")."""
    cores = [re.sub(r"[^\w']", "", w.word.lower()) for w in said]
    out: list[Word] = []
    i = 0
    while i < len(said):
        step = 1
        for n in range(2, 9):
            gram = cores[i:i + n]
            if len(gram) < n:
                break
            repeats = 1
            while cores[i + repeats * n:i + (repeats + 1) * n] == gram:
                repeats += 1
            if repeats >= 3:
                out.extend(said[i:i + n])
                step = repeats * n
                break
        else:
            out.append(said[i])
        if step == 1 and (not out or out[-1] is not said[i]):
            out.append(said[i])
        i += step
    return out


def _covered_seconds(transcript: Transcript) -> float:
    """Seconds of the speech that voice detection heard that some transcribed word falls in."""
    covered = 0.0
    for start, end in transcript.speech:
        spans = sorted((max(start, w.start), min(end, w.end)) for w in transcript.words
                       if w.end > start and w.start < end)
        reach = start
        for first, last in spans:
            begin = max(first, reach)
            if last > begin:
                covered += last - begin
                reach = last
    return covered


def _unreliable(name: str, transcript: Transcript) -> str | None:
    """Why the transcript cannot stand for what was said, or None when it can.

    Whisper fails quietly: speech it cannot follow (another language, very fast speech) comes
    back as a few words, or as its priming prompt repeated. Grading that would give a zero with
    feedback on words never said, so such a recording is not gradable.
    """
    from hireloop.nlp.language import LanguageUnavailable, other_language
    from hireloop.nlp.language import name as language_name
    from hireloop.speech.transcribe import FILLER_PROMPT

    heard = speech_seconds(transcript.speech)
    said = words(transcript.text)
    prompt = [w.lower() for w in words(FILLER_PROMPT)]
    looped = _loops(said)
    confidence = (sum(w.probability for w in transcript.words) / len(transcript.words)
                  if transcript.words else 1.0)
    if _echoes(said, prompt) or looped >= LOOP_REPEATS or (
            len(said) >= 20 and confidence < MIN_CONFIDENCE):
        return (f"{name} could not be transcribed reliably: the speech recogniser "
                + ("repeated its own prompt instead of your words" if _echoes(said, prompt)
                   else "went round in a loop" if looped >= LOOP_REPEATS
                   else "was unsure of most words")
                + ", which happens with speech in another language or with heavy noise. "
                "Record your answer again, in English, close to the microphone")
    if heard >= MIN_HEARD_S:
        covered = _covered_seconds(transcript)
        if covered < MIN_COVERED * heard or len(said) < MIN_WORDS_PER_S * heard:
            return (f"{name} could not be transcribed reliably: voice detection heard "
                    f"{heard:.0f} s of speech but the transcript covers {covered:.0f} s of it "
                    f"({len(said)} words). Speak a little more slowly and clearly, in English, "
                    "and record your answer again")
    try:
        foreign = other_language(transcript.text, "en")
    except LanguageUnavailable:
        foreign = None
    if foreign is not None:
        return (f"{name} seems to be in {language_name(foreign.code)}; this exercise is graded "
                "in English: please record your answer in English")
    return None


def _echoes(said: list[str], prompt: list[str], n: int = 5) -> bool:
    """Whether five words in a row of the priming prompt come back in the transcript."""
    lowered = [w.lower() for w in said]
    grams = {tuple(prompt[i:i + n]) for i in range(len(prompt) - n + 1)}
    return any(tuple(lowered[i:i + n]) in grams for i in range(len(lowered) - n + 1))


def _loops(said: list[str], n: int = 4) -> int:
    """The most times any run of four words repeats in the transcript."""
    lowered = [w.lower() for w in said]
    counts: dict[tuple[str, ...], int] = {}
    for i in range(len(lowered) - n + 1):
        gram = tuple(lowered[i:i + n])
        counts[gram] = counts.get(gram, 0) + 1
    return max(counts.values(), default=0)


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
