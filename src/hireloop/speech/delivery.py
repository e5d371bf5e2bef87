"""Delivery analytics, the way a speaking coach gives them: pace over time, filler words, long
pauses, talk time against the limit, repeated phrases and most-used words, each with plain
feedback. Measured from word timings and voice activity, never from a face or a tone of voice.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from hireloop.speech.transcribe import Transcript
from hireloop.speech.vad import pauses as find_pauses

LONG_PAUSE_S = 2.0
PACE_WINDOW_S = 30.0
SLOW_WPM = 110
FAST_WPM = 175
MANY_FILLERS_PER_MIN = 4.0
SINGLE_FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "mm",
                            "basically", "literally"})
"""words that are fillers wherever they stand"""
SET_OFF_FILLERS = frozenset({"like", "you know", "i mean", "so", "right", "okay"})
"""words that are fillers when set off by commas or standing alone before one ("so, um")"""
_STOP = frozenset("""a an the of to in on for and or but is are was were be been it its it's this
that these those with as by at from which what how why when who so we i you he she they them
our my me us his her there here about also just very really more some any all if because not
do does did have has had will would should can could then than into up out i'm we're it's that's
there's don't didn't""".split())  # noqa: SIM905 - a word list reads best as text


def clock(seconds: float) -> str:
    """``m:ss`` for a time in the recording."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _core(token: str) -> str:
    return re.sub(r"^[^\w']+|[^\w']+$", "", token.lower().replace("’", "'"))


def filler_positions(tokens: list[str]) -> list[tuple[int, int, str]]:
    """(first token, token count, filler) for each filler word or phrase in ``tokens``."""
    found: list[tuple[int, int, str]] = []
    cores = [_core(t) for t in tokens]
    i = 0
    while i < len(tokens):
        core = cores[i]
        pair = f"{core} {cores[i + 1]}" if i + 1 < len(tokens) else ""
        before_comma = i == 0 or tokens[i - 1].endswith((",", ".", "?", "!"))
        if core in SINGLE_FILLERS:
            found.append((i, 1, core))
            i += 1
            continue
        if pair in SET_OFF_FILLERS and before_comma and tokens[i + 1].endswith(","):
            found.append((i, 2, pair))
            i += 2
            continue
        if core in SET_OFF_FILLERS and tokens[i].endswith(",") and (
                before_comma or core in ("like",)):
            found.append((i, 1, core))
        i += 1
    return found


@dataclass(frozen=True)
class Finding:
    """One piece of delivery feedback."""

    topic: str
    """pace, fillers, pauses, talk-time, repetition"""
    message: str
    severity: str
    """info, suggestion or issue"""


@dataclass
class DeliveryReport:
    """The delivery of one spoken answer."""

    words: int
    talk_time_s: float
    """from the first word to the last"""
    limit_s: float | None
    words_per_minute: float
    pace_over_time: list[tuple[float, float]]
    """(window start in seconds, words per minute in that window)"""
    fillers: dict[str, int]
    filler_count: int
    fillers_per_minute: float
    long_pauses: list[tuple[float, float]]
    """(where it starts in seconds, how long in seconds)"""
    repeated_phrases: list[tuple[str, int]]
    most_used_words: list[tuple[str, int]]
    cut_at_s: float | None = None
    findings: list[Finding] = field(default_factory=list)
    score: float = 1.0
    """in [0, 1]: 1 when nothing in the delivery gets in the listener's way"""

    def as_json(self) -> dict[str, Any]:
        """A plain dictionary (JSON-ready)."""
        return asdict(self)

    def metrics_line(self) -> str:
        """One line of the measurements for interviewers."""
        return (f"Delivery: {self.words} words in {self.talk_time_s:.0f} s"
                + (f" (limit {self.limit_s:.0f} s)" if self.limit_s else "")
                + f", {self.words_per_minute:.0f} words/min, {self.filler_count} filler words "
                f"({self.fillers_per_minute:.1f}/min), {len(self.long_pauses)} pauses over "
                f"{LONG_PAUSE_S:.0f} s")


def _repeated(tokens: list[str]) -> list[tuple[str, int]]:
    cores = [_core(t) for t in tokens]
    cores = [c for c in cores if c and c not in SINGLE_FILLERS]
    counts: Counter[str] = Counter()
    for n in (3, 4, 5):
        for i in range(len(cores) - n + 1):
            window = cores[i:i + n]
            if sum(w not in _STOP for w in window) >= 2:
                counts[" ".join(window)] += 1
    repeated = [(g, c) for g, c in counts.items() if c >= 2]
    # keep the longest phrase of each family ("the model is" inside "the model is biased")
    repeated.sort(key=lambda gc: (-len(gc[0].split()), -gc[1], gc[0]))
    kept: list[tuple[str, int]] = []
    for gram, count in repeated:
        if not any(gram in longer and count <= c for longer, c in kept):
            kept.append((gram, count))
    kept.sort(key=lambda gc: (-gc[1], -len(gc[0]), gc[0]))
    return kept[:5]


def _most_used(tokens: list[str]) -> list[tuple[str, int]]:
    counts = Counter(c for c in (_core(t) for t in tokens)
                     if len(c) > 2 and c not in _STOP and c not in SINGLE_FILLERS
                     and not c.isdigit())
    return [(w, n) for w, n in sorted(counts.items(), key=lambda wn: (-wn[1], wn[0]))
            if n >= 2][:8]


def _pace(transcript: Transcript, start: float, end: float) -> list[tuple[float, float]]:
    windows: list[tuple[float, float]] = []
    t = start
    while t < end:
        stop = min(t + PACE_WINDOW_S, end)
        if stop - t >= 10 or not windows:
            n = sum(1 for w in transcript.words if t <= w.start < stop)
            windows.append((round(t, 1), round(n * 60 / max(stop - t, 1e-6), 1)))
        t += PACE_WINDOW_S
    return windows


def analyse_delivery(transcript: Transcript, *, limit_s: float | None = None,
                     cut_at_s: float | None = None) -> DeliveryReport:
    """Measure the delivery of a transcribed answer and say what to keep and what to change."""
    tokens = [w.word for w in transcript.words]
    fillers = filler_positions(tokens)
    filler_tokens = {i + k for i, n, _ in fillers for k in range(n)}
    spoken = [t for i, t in enumerate(tokens) if i not in filler_tokens]
    start = transcript.words[0].start if transcript.words else 0.0
    end = transcript.words[-1].end if transcript.words else 0.0
    talk = max(end - start, 0.0)
    minutes = max(talk / 60, 1e-6)
    wpm = round(len(spoken) / minutes, 1) if talk > 0 else 0.0
    pace = _pace(transcript, start, end) if talk > 0 else []
    by_kind = Counter(f for _, _, f in fillers)
    filler_rate = round(len(fillers) / minutes, 2) if talk > 0 else 0.0
    long_pauses = find_pauses(transcript.speech, LONG_PAUSE_S)
    report = DeliveryReport(
        words=len(spoken), talk_time_s=round(talk, 2), limit_s=limit_s, words_per_minute=wpm,
        pace_over_time=pace, fillers=dict(sorted(by_kind.items())), filler_count=len(fillers),
        fillers_per_minute=filler_rate, long_pauses=long_pauses,
        repeated_phrases=_repeated(tokens), most_used_words=_most_used(spoken),
        cut_at_s=cut_at_s)
    _judge(report)
    return report


def _judge(r: DeliveryReport) -> None:
    add = r.findings.append
    penalty = 0.0
    if r.words_per_minute < SLOW_WPM:
        add(Finding("pace", f"Your pace was {r.words_per_minute:.0f} words a minute, on the slow "
                    f"side; aim for about 130–160 so listeners stay with you.", "suggestion"))
        penalty += 0.2
    elif r.words_per_minute > FAST_WPM:
        add(Finding("pace", f"Your pace was {r.words_per_minute:.0f} words a minute, fast for a "
                    f"listener; slow down at the key points.", "suggestion"))
        penalty += 0.2
    else:
        add(Finding("pace", f"Your pace was {r.words_per_minute:.0f} words a minute: easy to "
                    "follow.", "info"))
    rates = [w for _, w in r.pace_over_time]
    if len(rates) >= 2 and max(rates) - min(rates) > 60:
        slowest = min(r.pace_over_time, key=lambda p: p[1])[0]
        fastest = max(r.pace_over_time, key=lambda p: p[1])[0]
        add(Finding("pace", f"Your pace changed a lot: fastest from {clock(fastest)}, slowest "
                    f"from {clock(slowest)}.", "suggestion"))
    if r.filler_count:
        listed = ", ".join(f"“{f}” ×{n}" for f, n in
                           sorted(r.fillers.items(), key=lambda fn: (-fn[1], fn[0])))
        many = r.fillers_per_minute > MANY_FILLERS_PER_MIN
        add(Finding("fillers", f"{r.filler_count} filler words ({r.fillers_per_minute:.1f} a "
                    f"minute): {listed}." + (" A short silent pause works better than a filler."
                                             if many else ""),
                    "issue" if many else "info"))
        if many:
            penalty += min(0.4, 0.05 * r.fillers_per_minute)
    else:
        add(Finding("fillers", "No filler words: clean delivery.", "info"))
    if r.long_pauses:
        where = ", ".join(f"{clock(s)} ({d:.1f} s)" for s, d in r.long_pauses[:5])
        add(Finding("pauses", f"{len(r.long_pauses)} pause(s) longer than {LONG_PAUSE_S:.0f} s, "
                    f"at {where}. A brief pause is fine; long ones lose the listener.",
                    "suggestion" if len(r.long_pauses) <= 2 else "issue"))
        penalty += min(0.3, 0.1 * len(r.long_pauses))
    if r.limit_s:
        share = r.talk_time_s / r.limit_s
        if r.cut_at_s is not None:
            add(Finding("talk-time", f"The recording ran past the {r.limit_s:.0f} s limit and "
                        f"was graded up to {clock(r.cut_at_s)}; plan to finish in time.",
                        "issue"))
            penalty += 0.2
        elif share < 0.25:
            add(Finding("talk-time", f"You spoke for {r.talk_time_s:.0f} s of the "
                        f"{r.limit_s:.0f} s available; a fuller answer would help.",
                        "suggestion"))
            penalty += 0.2
        else:
            add(Finding("talk-time", f"You spoke for {r.talk_time_s:.0f} s of the "
                        f"{r.limit_s:.0f} s available.", "info"))
    frequent = [(p, n) for p, n in r.repeated_phrases if n >= 3]
    if frequent:
        add(Finding("repetition", "You repeated "
                    + "; ".join(f"“{p}” {n} times" for p, n in frequent[:3])
                    + ". Vary the wording or move on once a point is made.", "suggestion"))
        penalty += 0.1
    if r.most_used_words:
        add(Finding("words", "Most-used words: "
                    + ", ".join(f"{w} ({n})" for w, n in r.most_used_words[:6]) + ".", "info"))
    r.score = round(max(0.0, 1.0 - penalty), 4)
