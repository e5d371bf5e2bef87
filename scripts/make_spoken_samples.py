#!/usr/bin/env python3
"""Make the audio samples (and the slide deck) of the built-in spoken exercises.

For every ``bank/spoken/*/samples/*.txt`` it speaks the text with espeak-ng (Debian package
``espeak-ng``), inserting the pauses written as ``[pause N]`` lines, and writes ``NAME.ogg``
beside it: 16 kHz mono Opus at 24 kbit/s, a few tens of kilobytes each. Every exercise also gets
``silence.ogg`` (5 s of silence), and those whose samples list it ``noise.ogg`` (5 s of
noise). A
``slides.txt`` beside an ``exercise.toml`` becomes ``slides.pdf`` (one slide per block).

The outputs are committed; run this again only when a text changes:

    .venv/bin/python scripts/make_spoken_samples.py
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SPOKEN = ROOT / "bank" / "spoken"
RATE = 16_000
VOICE = ("-v", "en-us", "-s", "160")


def speak(text: str) -> np.ndarray:
    """espeak-ng's rendering of ``text`` at 16 kHz mono float32."""
    from hireloop.speech.audio import decode

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", *VOICE, "-w", str(wav), text], check=True)
        return decode(wav.read_bytes()).samples


def render(script: str) -> np.ndarray:
    """A script of sentences and ``[pause N]`` lines as one recording (0.5 s lead-in and out)."""
    pieces = [np.zeros(RATE // 2, dtype=np.float32)]
    for raw in script.splitlines():
        line = raw.strip()
        pause = re.fullmatch(r"\[pause (\d+(?:\.\d+)?)\]", line)
        if pause:
            pieces.append(np.zeros(int(float(pause.group(1)) * RATE), dtype=np.float32))
        elif line:
            pieces.append(speak(line))
            pieces.append(np.zeros(int(0.25 * RATE), dtype=np.float32))
    pieces.append(np.zeros(RATE // 2, dtype=np.float32))
    return np.concatenate(pieces)


def encode_ogg(samples: np.ndarray, bitrate: int = 24_000) -> bytes:
    """16 kHz mono Opus in Ogg, as browsers record it."""
    import av

    buf = io.BytesIO()
    with av.open(buf, "w", format="ogg") as out:
        stream = out.add_stream("libopus", rate=RATE, layout="mono")
        stream.bit_rate = bitrate
        pcm = (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buf.getvalue()


def noise(seconds: float, seed: int = 7) -> np.ndarray:
    """Low-passed random noise, like a fan or traffic, with no speech in it."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(int(seconds * RATE))
    kernel = np.ones(8) / 8
    return (np.convolve(white, kernel, mode="same") * 0.15).astype(np.float32)


def _pdf_text(value: str) -> str:
    value = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return value.encode("latin-1", "replace").decode("latin-1")


def make_pdf(slides: list[list[str]]) -> bytes:
    """A plain landscape PDF, one page per slide: a title line and bullet lines (Helvetica)."""
    objects: list[bytes] = []
    page_ids = []
    n = len(slides)
    font_id = 3 + 2 * n
    for i, lines in enumerate(slides):
        page_id, content_id = 3 + 2 * i, 4 + 2 * i
        page_ids.append(page_id)
        ops = ["BT", "/F1 28 Tf", "60 480 Td", f"({_pdf_text(lines[0])}) Tj", "/F1 18 Tf"]
        for line in lines[1:]:
            ops += ["0 -40 Td", f"(- {_pdf_text(line)}) Tj"]
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources "
                       f"<< /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>"
                       .encode())
        objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
                       + b"\nendstream")
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count {n} >>".encode(), *objects,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
            .encode())
    return bytes(out)


def main() -> int:
    exercises = sorted(p.parent for p in SPOKEN.glob("*/exercise.toml"))
    if not exercises:
        print(f"no spoken exercises under {SPOKEN}", file=sys.stderr)
        return 1
    for exercise in exercises:
        samples = exercise / "samples"
        for script in sorted(samples.glob("*.txt")):
            target = script.with_suffix(".ogg")
            audio = render(script.read_text(encoding="utf-8"))
            target.write_bytes(encode_ogg(audio))
            print(f"{target.relative_to(ROOT)}: {audio.size / RATE:.1f} s, "
                  f"{target.stat().st_size:,} bytes")
        (samples / "silence.ogg").write_bytes(encode_ogg(np.zeros(5 * RATE, dtype=np.float32)))
        if "noise.ogg" in (samples / "samples.toml").read_text(encoding="utf-8"):
            (samples / "noise.ogg").write_bytes(encode_ogg(noise(5.0)))
        deck = exercise / "slides.txt"
        if deck.is_file():
            blocks = [[line.strip() for line in block.splitlines() if line.strip()]
                      for block in re.split(r"\n\s*\n", deck.read_text(encoding="utf-8"))]
            blocks = [[line for line in b if not line.startswith("#")] for b in blocks]
            pdf = exercise / "slides.pdf"
            pdf.write_bytes(make_pdf([b for b in blocks if b]))
            print(f"{pdf.relative_to(ROOT)}: {pdf.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
