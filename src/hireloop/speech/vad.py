"""Where speech is: Silero voice activity detection (the ONNX model inside faster-whisper)."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt

from hireloop.speech.audio import SAMPLE_RATE

MIN_SILENCE_MS = 300
"""silences shorter than this stay inside a speech region"""
SPEECH_PAD_MS = 60
"""padding kept around each region: small, so pauses are measured close to their true length"""


def speech_regions(samples: npt.NDArray[np.float32]) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of speech, in order; [] for silence or noise."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if samples.size < SAMPLE_RATE // 10:
        return []
    options = VadOptions(threshold=0.5, min_speech_duration_ms=150,
                         min_silence_duration_ms=MIN_SILENCE_MS, speech_pad_ms=SPEECH_PAD_MS)
    chunks = get_speech_timestamps(samples, options, sampling_rate=SAMPLE_RATE)
    return [(round(c["start"] / SAMPLE_RATE, 2), round(c["end"] / SAMPLE_RATE, 2))
            for c in chunks]


def pauses(regions: list[tuple[float, float]], longer_than: float = 2.0
           ) -> list[tuple[float, float]]:
    """Silences between two stretches of speech longer than ``longer_than`` s: (start, length)."""
    found = []
    for (_, end), (start, _) in pairwise(regions):
        if start - end > longer_than:
            found.append((end, round(start - end, 2)))
    return found


def speech_seconds(regions: list[tuple[float, float]]) -> float:
    """Seconds of speech in all."""
    return float(np.sum([e - s for s, e in regions])) if regions else 0.0
