"""Speech figures on espeak-ng speech: word error rate and real-time factor of tiny.en and base,
recall of pauses over 2 s, and the error of the filler-word count.

Run: .venv/bin/python benchmarks/speech.py [--models tiny.en,base]

The corpus is the built-in spoken exercises' sample scripts (bank/spoken/*/samples/*.txt) and
the scripts below: known texts with filler words ("um", "uh", "you know", "like,") and pauses of
2.5 to 4 s inserted (``[pause N]``), spoken by espeak-ng (en-us, 160 words a minute). WER is
computed on the words without fillers (fillers are scored by their own count), numbers written
as words on both sides; RTF is the
transcription time (voice activity detection included, model load excluded) over the audio
duration. Targets (issue #7): RTF <= 0.15 and WER <= 15% with the default model; pause recall
>= 0.9; filler count within +-1 per minute.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.speech.espeak import speak  # noqa: E402

from hireloop.speech.audio import SAMPLE_RATE  # noqa: E402
from hireloop.speech.delivery import analyse_delivery, filler_positions  # noqa: E402
from hireloop.speech.transcribe import shared_model, transcribe  # noqa: E402

EXTRA = [
    """
The validation loss stopped improving after the third epoch, so we added early stopping.
[pause 2.5]
Um, the learning rate schedule was, uh, too aggressive for the smaller batch size.
We halved it and the training curve became smooth again.
""",
    """
So, you know, the feature store serves the same features online and offline.
That removes training and serving skew, which was, um, our biggest source of silent errors.
[pause 4]
Uh, we also version every feature definition in git.
""",
    """
Precision is the share of flagged cases that are really positive.
Recall is the share of positive cases that we flag.
[pause 3]
Like, for a cancer screen, we care more about recall, because a missed case costs far more.
Um, so we pick a lower threshold and accept more false alarms.
""",
    """
Our retrieval system answers questions from the company handbook.
Uh, it first finds the five most relevant passages with embeddings.
[pause 3.5]
Then the language model writes an answer that cites those passages,
and, um, refuses when none is relevant.
""",
]


def scripts() -> list[tuple[str, str]]:
    found = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for p in sorted((ROOT / "bank" / "spoken").glob("*/samples/*.txt"))]
    return found + [(f"extra-{i}", s) for i, s in enumerate(EXTRA, start=1)]


ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"]
TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def say_number(n: int) -> str:
    """0-999 in words, as espeak-ng reads the scripts' numbers."""
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else " " + ONES[n % 10])
    rest = n % 100
    return f"{ONES[n // 100]} hundred" + ("" if rest == 0 else " " + say_number(rest))


def numbers_as_words(text: str) -> str:
    """Whisper writes "18%" where the script says "eighteen percent": score them alike."""
    text = re.sub(r"(\d)\s*%", r"\1 percent", text)
    return re.sub(r"\b\d{1,3}\b", lambda m: say_number(int(m.group(0))), text)


def spoken_words(text: str) -> list[str]:
    """Lower-case words without fillers and punctuation; numbers in words."""
    text = numbers_as_words(re.sub(r"\[pause [\d.]+\]", " ", text))
    tokens = [t for t in text.split() if t]
    fillers = {i + k for i, n, _ in filler_positions(tokens) for k in range(n)}
    kept = [t for i, t in enumerate(tokens) if i not in fillers]
    return [w for w in (re.sub(r"[^a-z0-9']", "", t.lower()) for t in kept) if w]


def wer(reference: list[str], hypothesis: list[str]) -> tuple[int, int]:
    """(edit distance in words, reference length)."""
    prev = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, start=1):
        cur = [i] + [0] * len(hypothesis)
        for j, h in enumerate(hypothesis, start=1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1], len(reference)


def render(script: str) -> tuple[np.ndarray, list[float]]:
    """The audio and where each inserted pause starts (seconds)."""
    pieces: list[np.ndarray] = [np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]
    pauses: list[float] = []
    for raw in script.strip().splitlines():
        line = raw.strip()
        pause = re.fullmatch(r"\[pause (\d+(?:\.\d+)?)\]", line)
        if pause:
            pauses.append(sum(p.size for p in pieces) / SAMPLE_RATE)
            pieces.append(np.zeros(int(float(pause.group(1)) * SAMPLE_RATE), dtype=np.float32))
        elif line:
            pieces.append(speak(line)[SAMPLE_RATE // 2:-SAMPLE_RATE // 2])
            pieces.append(np.zeros(int(0.25 * SAMPLE_RATE), dtype=np.float32))
    pieces.append(np.zeros(SAMPLE_RATE // 2, dtype=np.float32))
    return np.concatenate(pieces), pauses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="tiny.en,base")
    args = parser.parse_args()
    corpus = [(name, script, *render(script)) for name, script in scripts()]
    audio_s = sum(a.size for _, _, a, _ in corpus) / SAMPLE_RATE
    print(f"corpus: {len(corpus)} recordings, {audio_s:.0f} s of espeak-ng speech; "
          f"{os.cpu_count()} CPUs")
    data_dir = Path(tempfile.gettempdir()) / "hireloop-bench"
    for name in args.models.split(","):
        t = time.perf_counter()
        model = shared_model(name, data_dir)  # type: ignore[arg-type]
        load = time.perf_counter() - t
        transcribe(corpus[0][2], model)  # warm-up (first call allocates)
        errors = words = 0
        seconds = 0.0
        inserted = found = extra = 0
        filler_err: list[float] = []
        counted = expected_total = 0
        for _, script, audio, pauses in corpus:
            t = time.perf_counter()
            result = transcribe(audio, model)
            seconds += time.perf_counter() - t
            e, n = wer(spoken_words(script), spoken_words(result.text))
            errors += e
            words += n
            report = analyse_delivery(result)
            detected = [s for s, _ in report.long_pauses]
            inserted += len(pauses)
            hits = [p for p in pauses if any(abs(d - p) <= 0.75 for d in detected)]
            found += len(hits)
            extra += len(detected) - len(hits)
            tokens = [t for t in re.sub(r"\[pause [\d.]+\]", " ", script).split() if t]
            expected = len(filler_positions(tokens))
            minutes = audio.size / SAMPLE_RATE / 60
            filler_err.append((report.filler_count - expected) / minutes)
            counted += report.filler_count
            expected_total += expected
        print(f"{name}: load {load:.1f} s; RTF {seconds / audio_s:.3f} "
              f"({seconds:.1f} s for {audio_s:.0f} s); WER {100 * errors / words:.1f}% "
              f"({errors}/{words} words); pauses > 2 s recall {found / inserted:.2f} "
              f"({found}/{inserted}, {extra} extra); fillers counted {counted} of "
              f"{expected_total}, "
              f"error {(counted - expected_total) / (audio_s / 60):+.2f}/min over the corpus; "
              f"per recording |error|/min mean {np.mean(np.abs(filler_err)):.2f}, "
              f"max {np.max(np.abs(filler_err)):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
