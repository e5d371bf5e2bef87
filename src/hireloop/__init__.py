"""hireloop: self-hosted interviews and assessments for AI/ML roles."""

import os as _os

# A self-hosted tool that handles candidates' data makes no outbound connection of its own.
# onnxruntime uploads telemetry a few seconds into a run unless this is set before it is
# imported (docs/decisions.md); every entry point imports this package first. The Hugging
# Face hub client (under faster-whisper) must never reach the network either: models ship in
# packages.
_os.environ["ORT_DISABLE_TELEMETRY"] = "1"
_os.environ["HF_HUB_OFFLINE"] = "1"
_os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
