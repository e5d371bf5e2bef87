"""Transcription with faster-whisper: text, word timings, speech regions; offline, deterministic.

The model is loaded once per process and model name (``shared_model``). Decoding is greedy-free
beam search at temperature 0 only (no sampled fallbacks), so the same audio gives the same
transcript. A short prompt written with filler words makes Whisper keep the "um"s and "uh"s it
would otherwise tidy away: the delivery analysis needs them.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from hireloop.speech.audio import SAMPLE_RATE
from hireloop.speech.models import ModelName, model_dir
from hireloop.speech.vad import speech_regions

BEAM_SIZE = 5
FILLER_PROMPT = "Umm, let me think, like, hmm... Okay, uh, so here's what I'm, like, thinking."
"""primes the decoder to write disfluencies down (measured in benchmarks/speech.py)"""

Progress = Callable[[float, float], None]
"""receives (seconds transcribed, seconds in all) as transcription goes"""


@dataclass(frozen=True)
class Word:
    """One word as spoken, with its time in seconds from the start of the recording."""

    word: str
    """the word as transcribed, punctuation attached, no surrounding spaces"""
    start: float
    end: float
    probability: float


@dataclass(frozen=True)
class Segment:
    """A stretch of the transcript as the model produced it (roughly a sentence or two)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class Transcript:
    """What was said, when, and by which model."""

    text: str
    words: list[Word]
    segments: list[Segment]
    duration_s: float
    """the audio transcribed, in seconds"""
    model: str
    speech: list[tuple[float, float]] = field(default_factory=list)
    """regions where voice activity detection heard speech, (start, end) in seconds"""

    def as_json(self) -> dict[str, Any]:
        """The stable JSON form of ``hireloop transcribe --json``."""
        data = asdict(self)
        data["speech"] = [list(r) for r in self.speech]
        return data


@dataclass(frozen=True)
class LoadedModel:
    """A faster-whisper model ready to transcribe; not thread-safe, hence the lock."""

    name: str
    model: Any
    lock: threading.Lock


@lru_cache(maxsize=2)
def shared_model(name: ModelName, data_dir: Path) -> LoadedModel:
    """The model ``name``, loaded once per process (about 1 s for tiny.en, 2 s for base)."""
    from faster_whisper import WhisperModel

    path = model_dir(name, data_dir)
    threads = min(4, os.cpu_count() or 1)
    model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=threads,
                         num_workers=1, local_files_only=True)
    return LoadedModel(name=name, model=model, lock=threading.Lock())


def model_from_settings() -> LoadedModel:
    """The model the settings choose (``HIRELOOP_WHISPER_MODEL``)."""
    from hireloop.config import get_settings

    settings = get_settings()
    return shared_model(settings.whisper_model, settings.data_dir)


def transcribe(samples: npt.NDArray[np.float32], loaded: LoadedModel | None = None,
               progress: Progress | None = None) -> Transcript:
    """Transcribe 16 kHz mono samples; an empty transcript when no speech is heard."""
    loaded = loaded or model_from_settings()
    duration = samples.size / SAMPLE_RATE
    regions = speech_regions(samples)
    if not regions:
        return Transcript(text="", words=[], segments=[], duration_s=round(duration, 3),
                          model=loaded.name, speech=[])
    with loaded.lock:
        raw_segments, _info = loaded.model.transcribe(
            samples, language="en", task="transcribe", beam_size=BEAM_SIZE, temperature=0.0,
            word_timestamps=True, initial_prompt=FILLER_PROMPT,
            condition_on_previous_text=False, vad_filter=True,
            vad_parameters={"min_silence_duration_ms": 1000, "speech_pad_ms": 200})
        words: list[Word] = []
        segments: list[Segment] = []
        for seg in raw_segments:
            text = seg.text.strip()
            if not text:
                continue
            segments.append(Segment(round(float(seg.start), 2), round(float(seg.end), 2), text))
            for w in seg.words or []:
                token = w.word.strip()
                if token:
                    words.append(Word(token, round(float(w.start), 2), round(float(w.end), 2),
                                      round(float(w.probability), 3)))
            if progress is not None:
                progress(min(seg.end, duration), duration)
    text = re.sub(r"\s+", " ", " ".join(s.text for s in segments)).strip()
    return Transcript(text=text, words=words, segments=segments, duration_s=round(duration, 3),
                      model=loaded.name, speech=regions)
