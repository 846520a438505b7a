"""Nothing leaves the machine: every library stt loads is told not to phone home, before it is imported.

Court audio is confidential and may become evidence, and so is what a library would report about it
(durations, speaker counts, model names, a device id). Audited, library by library (November 2026):

- onnxruntime (loaded for Silero VAD): official Linux builds carry Microsoft's 1DS telemetry, on by default.
  Measured here: a 3.7-minute transcription made 4 DNS queries for its telemetry host and left a device id
  and queued events under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime/``. ``ORT_DISABLE_TELEMETRY=1``
  before onnxruntime initialises stops the uploader, the events and the identifier for the process.
- pyannote.audio 4: sends usage metrics to pyannote's servers unless ``PYANNOTE_METRICS_ENABLED=false``.
  Its ``pyannoteai`` pipelines upload the recording itself for diarization in the cloud: refused by name
  in ``models.resolve_pipeline``.
- huggingface_hub: telemetry on downloads unless ``HF_HUB_DISABLE_TELEMETRY=1``; it would also send a
  stored token to the hub implicitly (``HF_HUB_DISABLE_IMPLICIT_TOKEN=1``). stt only calls it to download a
  model the user named, and never with ``--offline``.
- FFmpeg (inside PyAV): would open network protocols from a file's *name* (``tcp:host:port``) or from a
  playlist or SDP file; stt opens recordings itself and allows only the ``file`` protocol (``media/decode.py``).
- torch, torchaudio, CTranslate2, faster-whisper, lightning: no telemetry; ``DO_NOT_TRACK=1`` is set as well
  for any library that honours that convention.

These are set unconditionally, over the user's own environment, on every run and not only with
``--offline``, from the moment ``stt_cli`` is imported (so library users are covered too).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

SETTINGS = {
    "ORT_DISABLE_TELEMETRY": "1",
    "PYANNOTE_METRICS_ENABLED": "false",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
}


def keep_private() -> None:
    """Set every library's off switch in this process's environment (idempotent)."""
    os.environ.update(SETTINGS)


@dataclass(frozen=True)
class Check:
    """One line of the audit: which library, whether it is quiet, and how that was established."""

    library: str
    ok: bool
    detail: str


def audit() -> list[Check]:
    """Check, library by library, that nothing will phone home (``stt doctor`` prints this)."""
    keep_private()
    checks = [_onnxruntime(), _pyannote(), _huggingface()]
    checks.append(Check("ffmpeg (PyAV)", True, "recordings opened by stt itself; only the file protocol allowed"))
    checks.append(Check("torch, ctranslate2", True, "no telemetry in these libraries"))
    return checks


def _onnxruntime() -> Check:
    if os.environ.get("ORT_DISABLE_TELEMETRY") != "1":
        return Check("onnxruntime", False, "ORT_DISABLE_TELEMETRY is not set")
    try:
        import onnxruntime

        onnxruntime.disable_telemetry_events()
    except Exception as e:  # a broken install: the import check elsewhere says so
        return Check("onnxruntime", False, f"cannot be imported ({type(e).__name__})")
    return Check("onnxruntime", True, "1DS telemetry disabled (ORT_DISABLE_TELEMETRY=1 before it loads)")


def _pyannote() -> Check:
    try:
        from pyannote.audio.telemetry.metrics import is_metrics_enabled
    except Exception as e:
        return Check("pyannote.audio", False, f"cannot be imported ({type(e).__name__})")
    if is_metrics_enabled():
        return Check("pyannote.audio", False, "usage metrics are enabled")
    return Check("pyannote.audio", True, "usage metrics off (PYANNOTE_METRICS_ENABLED=false)")


def _huggingface() -> Check:
    try:
        from huggingface_hub import constants
    except Exception as e:
        return Check("huggingface_hub", False, f"cannot be imported ({type(e).__name__})")
    if not constants.HF_HUB_DISABLE_TELEMETRY:
        return Check("huggingface_hub", False, "telemetry is enabled")
    return Check("huggingface_hub", True, "telemetry off; no token sent unless one is given")
