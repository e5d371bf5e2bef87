"""Decoding a recording (whatever the browser or the candidate sent) to 16 kHz mono samples.

PyAV (FFmpeg, shipped in its wheel) reads the container and decodes the first audio stream;
video streams are ignored here (video is kept for human review only). Every way a file can be
unusable has its own reason and a message the candidate can act on; nothing is guessed.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

SAMPLE_RATE = 16_000
"""what Whisper and Silero VAD take"""

ACCEPTED_FORMATS = ("webm", "ogg", "mp4", "m4a", "mov", "wav", "mp3", "flac")
"""file types the upload form offers (any file PyAV can decode is read, whatever its name)"""

ACCEPTED_CODECS = ("opus", "vorbis", "aac", "mp3", "flac", "pcm")
"""audio codecs that browsers record and the docs promise; others PyAV decodes are read too"""

OVER_LIMIT_TOLERANCE = 1.10
"""a recording up to 10% over the exercise's limit is graded (on its first max_seconds);
longer ones are refused (a browser stops at the limit, so far longer means a wrong file)"""

TRUNCATED_SHARE = 0.9
"""a file that decodes to less than this share of the duration its header declares was cut
short (an interrupted upload or recording)"""


class AudioProblem(StrEnum):
    """Why a recording cannot be used."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_AUDIO = "not_audio"
    NO_AUDIO_TRACK = "no_audio_track"
    UNSUPPORTED_CODEC = "unsupported_codec"
    TRUNCATED = "truncated"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"


class AudioError(Exception):
    """A recording that cannot be used, with the reason and a message for the candidate."""

    def __init__(self, problem: AudioProblem, message: str) -> None:
        super().__init__(message)
        self.problem = problem
        self.message = message


@dataclass(frozen=True)
class Audio:
    """A decoded recording."""

    samples: npt.NDArray[np.float32]
    """mono, 16 kHz, in [-1, 1]"""
    duration_s: float
    """the decoded duration (before any cut to the limit)"""
    container: str
    """the container PyAV found (e.g. ``matroska,webm``, ``wav``, ``ogg``)"""
    codec: str
    """the audio codec (e.g. ``opus``, ``pcm_s16le``)"""
    has_video: bool
    """whether the file also holds a video stream (kept for human review only)"""
    cut_at_s: float | None = None
    """when the recording ran past the limit, where it was cut for grading"""

    @property
    def rms(self) -> float:
        """Root mean square level of the whole recording (0 for digital silence)."""
        if self.samples.size == 0:
            return 0.0
        return float(np.sqrt(np.mean(np.square(self.samples, dtype=np.float64))))


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def decode(data: bytes, *, name: str = "recording", max_seconds: float | None = None,
           max_bytes: int | None = None) -> Audio:
    """Decode ``data`` to 16 kHz mono; raise ``AudioError`` with a clear message if it can't be.

    ``max_seconds``: recordings longer than this (plus 10%) are refused; slightly longer ones are
    cut there. ``max_bytes``: larger files are refused before decoding.
    """
    import av

    if not data:
        raise AudioError(AudioProblem.EMPTY, f"{name} is empty: nothing was recorded")
    if max_bytes is not None and len(data) > max_bytes:
        raise AudioError(AudioProblem.TOO_LARGE,
                         f"{name} is {_mb(len(data))}; the limit for this exercise is "
                         f"{_mb(max_bytes)}")
    cut = _cut_short(data)
    if cut is not None:
        raise AudioError(AudioProblem.TRUNCATED,
                         f"{name} is cut short: {cut}. Upload or record it again")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except av.error.InvalidDataError:
        raise AudioError(AudioProblem.NOT_AUDIO,
                         f"{name} is not an audio or video recording (no known format: expected "
                         f"one of {', '.join(ACCEPTED_FORMATS)})") from None
    except av.error.FFmpegError as exc:
        raise AudioError(AudioProblem.NOT_AUDIO,
                         f"{name} cannot be opened as a recording: {exc}") from None
    with container:
        fmt = container.format.name
        has_video = bool(container.streams.video)
        if not container.streams.audio:
            what = "a video without a sound track" if has_video else "no sound track"
            raise AudioError(AudioProblem.NO_AUDIO_TRACK,
                             f"{name} has {what}: record again with the microphone on")
        stream = container.streams.audio[0]
        codec_name = stream.codec_context.name if stream.codec_context else "unknown"
        declared = _declared_seconds(container, stream)
        if (max_seconds is not None and declared is not None
                and declared > max_seconds * OVER_LIMIT_TOLERANCE):
            raise _too_long(name, declared, max_seconds)
        return _decode_stream(container, stream, name=name, fmt=fmt, codec=codec_name,
                              has_video=has_video, declared=declared, max_seconds=max_seconds)


def _cut_short(data: bytes) -> str | None:
    """Evidence in the container itself that the file ends early, or None.

    WAV says how many bytes of sound follow; an Ogg stream's last page carries an end-of-stream
    flag. (MP4 and WebM declare their duration, which ``decode`` compares with what it reads; a
    browser's streamed WebM declares none, so its upload must be checked for completeness.)
    """
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        declared = int.from_bytes(data[4:8], "little") + 8
        if declared not in (0xFFFFFFFF + 8, 8) and len(data) < declared:
            return f"its header promises {declared:,} bytes but the file has {len(data):,}"
        return None
    if data[:4] == b"OggS":
        last = data.rfind(b"OggS")
        header = data[last:last + 27]
        if len(header) < 27:
            return "its last Ogg page is incomplete"
        segments = header[26]
        table = data[last + 27:last + 27 + segments]
        if len(table) < segments or len(data) < last + 27 + segments + sum(table):
            return "its last Ogg page is incomplete"
        if not header[5] & 0x04:
            return "the Ogg stream has no end (the recording or the upload was interrupted)"
    return None


def _declared_seconds(container: object, stream: object) -> float | None:
    duration = getattr(stream, "duration", None)
    time_base = getattr(stream, "time_base", None)
    if duration and time_base:
        return float(duration * time_base)
    container_duration = getattr(container, "duration", None)
    if container_duration:
        return float(container_duration) / 1_000_000
    return None


def _too_long(name: str, seconds: float, max_seconds: float) -> AudioError:
    return AudioError(AudioProblem.TOO_LONG,
                      f"{name} lasts {seconds:.0f} s; the limit for this exercise is "
                      f"{max_seconds:.0f} s. Record a shorter answer")


def _decode_stream(container: object, stream: object, *, name: str, fmt: str, codec: str,
                   has_video: bool, declared: float | None,
                   max_seconds: float | None) -> Audio:
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    chunks: list[npt.NDArray[np.float32]] = []
    total = 0
    hard_cap = None if max_seconds is None else int(max_seconds * OVER_LIMIT_TOLERANCE
                                                    * SAMPLE_RATE) + 1
    broken: str | None = None
    try:
        for frame in container.decode(stream):  # type: ignore[attr-defined]
            for out in resampler.resample(frame):
                chunk = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                chunks.append(chunk)
                total += chunk.size
            if hard_cap is not None and total > hard_cap:
                raise _too_long(name, total / SAMPLE_RATE, max_seconds or 0.0)
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
    except av.error.DecoderNotFoundError:
        raise AudioError(AudioProblem.UNSUPPORTED_CODEC,
                         f"{name} uses the audio codec {codec!r}, which cannot be decoded here; "
                         f"use one of {', '.join(ACCEPTED_CODECS)}") from None
    except av.error.FFmpegError as exc:
        broken = str(exc)
    samples = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
    decoded = samples.size / SAMPLE_RATE
    if codec in ("none", "unknown", "") and samples.size == 0:
        raise AudioError(AudioProblem.UNSUPPORTED_CODEC,
                         f"{name} holds audio in a codec that cannot be decoded here; use one of "
                         f"{', '.join(ACCEPTED_CODECS)}")
    if broken is not None or (declared and decoded < declared * TRUNCATED_SHARE):
        said = f"it declares {declared:.1f} s but only {decoded:.1f} s could be read" \
            if declared else f"only {decoded:.1f} s could be read ({broken})"
        raise AudioError(AudioProblem.TRUNCATED,
                         f"{name} is cut short or damaged: {said}. Upload or record it again")
    if samples.size == 0:
        raise AudioError(AudioProblem.EMPTY, f"{name} holds no sound: nothing was recorded")
    cut_at = None
    if max_seconds is not None and decoded > max_seconds:
        samples = samples[: int(max_seconds * SAMPLE_RATE)]
        cut_at = float(max_seconds)
    np.clip(samples, -1.0, 1.0, out=samples)
    return Audio(samples=samples, duration_s=round(decoded, 3), container=fmt, codec=codec,
                 has_video=has_video, cut_at_s=cut_at)
