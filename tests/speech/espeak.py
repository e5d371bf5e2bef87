"""Test speech made with espeak-ng (Debian package, installed by scripts/test)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from hireloop.speech.audio import SAMPLE_RATE, decode


def speak(script: str, rate: int = 160) -> np.ndarray:
    """Sentences and ``[pause N]`` lines as 16 kHz mono samples."""
    assert shutil.which("espeak-ng"), "espeak-ng is missing: apt-get install espeak-ng"
    pieces = [np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]
    for raw in script.strip().splitlines():
        line = raw.strip()
        pause = re.fullmatch(r"\[pause (\d+(?:\.\d+)?)\]", line)
        if pause:
            pieces.append(np.zeros(int(float(pause.group(1)) * SAMPLE_RATE), dtype=np.float32))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            wav = Path(tmp) / "s.wav"
            subprocess.run(["espeak-ng", "-v", "en-us", "-s", str(rate), "-w", str(wav), line],
                           check=True)
            pieces.append(decode(wav.read_bytes()).samples)
    pieces.append(np.zeros(SAMPLE_RATE // 2, dtype=np.float32))
    return np.concatenate(pieces)


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit PCM WAV of the samples."""
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buf.getvalue()
