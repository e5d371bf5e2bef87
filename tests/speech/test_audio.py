"""Decoding: browser formats read, every unusable file refused with its reason."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from hireloop.speech.audio import SAMPLE_RATE, AudioError, AudioProblem, decode
from tests.speech.espeak import wav_bytes

SCRIPTS = "scripts/make_spoken_samples.py"


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def ogg(samples: np.ndarray) -> bytes:
    import importlib.util
    spec = importlib.util.spec_from_file_location("make", SCRIPTS)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.encode_ogg(samples)


def problem(data: bytes, **limits: float) -> AudioError:
    with pytest.raises(AudioError) as info:
        decode(data, name="answer.x", **limits)  # type: ignore[arg-type]
    return info.value


def test_wav_and_ogg_opus_decode_to_16k_mono_of_the_same_length() -> None:
    samples = tone(3.0)
    for data in (wav_bytes(samples), ogg(samples)):
        audio = decode(data)
        assert abs(audio.duration_s - 3.0) < 0.05
        assert audio.samples.dtype == np.float32
        assert audio.rms > 0.1


def test_a_stereo_44k_webm_from_a_browser_is_resampled_to_16k_mono() -> None:
    import io

    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="webm") as out:
        stream = out.add_stream("libopus", rate=48000, layout="stereo")
        t = np.arange(int(2.0 * 48000)) / 48000
        pcm = (np.tile(0.3 * np.sin(2 * np.pi * 220 * t), (2, 1)) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.T.reshape(1, -1).copy(), format="s16",
                                           layout="stereo")
        frame.sample_rate = 48000
        for p in stream.encode(frame):
            out.mux(p)
        for p in stream.encode(None):
            out.mux(p)
    audio = decode(buf.getvalue())
    assert audio.container.startswith("matroska")
    assert audio.codec == "opus"
    assert abs(audio.samples.size / SAMPLE_RATE - 2.0) < 0.1


def test_empty_file_is_refused_as_empty() -> None:
    assert problem(b"").problem is AudioProblem.EMPTY


def test_a_text_file_is_refused_as_not_audio_naming_the_file() -> None:
    error = problem(b"these are my notes, not a recording\n" * 20)
    assert error.problem is AudioProblem.NOT_AUDIO
    assert "answer.x" in error.message
    assert "webm" in error.message


def test_a_truncated_wav_is_refused_as_truncated() -> None:
    data = wav_bytes(tone(4.0))
    error = problem(data[: len(data) // 2])
    assert error.problem is AudioProblem.TRUNCATED
    assert "again" in error.message


def test_a_truncated_ogg_recording_is_refused_as_truncated() -> None:
    data = ogg(tone(4.0))
    assert problem(data[: int(len(data) * 0.6)]).problem is AudioProblem.TRUNCATED


def test_an_unsupported_codec_is_refused_naming_the_codecs_accepted() -> None:
    data = bytearray(wav_bytes(tone(1.0)))
    fmt = data.find(b"fmt ")
    data[fmt + 8:fmt + 10] = struct.pack("<H", 0x9999)  # an audio format tag no decoder knows
    error = problem(bytes(data))
    assert error.problem is AudioProblem.UNSUPPORTED_CODEC
    assert "opus" in error.message


def test_a_recording_far_over_the_limit_is_refused_before_grading() -> None:
    error = problem(wav_bytes(tone(30.0)), max_seconds=10)
    assert error.problem is AudioProblem.TOO_LONG
    assert "30 s" in error.message
    assert "10 s" in error.message


def test_a_recording_slightly_over_the_limit_is_cut_at_the_limit() -> None:
    audio = decode(wav_bytes(tone(10.5)), max_seconds=10)
    assert audio.cut_at_s == 10
    assert audio.samples.size == 10 * SAMPLE_RATE


def test_a_file_over_the_size_limit_is_refused_without_decoding() -> None:
    error = problem(wav_bytes(tone(3.0)), max_bytes=10_000)
    assert error.problem is AudioProblem.TOO_LARGE
    assert "MB" in error.message


def test_a_video_without_sound_is_refused_as_having_no_sound_track() -> None:
    import io

    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="matroska") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((48, 64, 3), np.uint8), format="rgb24")
            for p in stream.encode(frame):
                out.mux(p)
        for p in stream.encode(None):
            out.mux(p)
    assert problem(buf.getvalue()).problem is AudioProblem.NO_AUDIO_TRACK
