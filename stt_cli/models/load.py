"""Loading what was resolved: the recogniser on its device, and the bundled speaker encoder."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_cli.errors import ModelUnavailableError
from stt_cli.models.bundled import load_manifest
from stt_cli.models.find import BUNDLED_PIPELINE, resolve_pipeline
from stt_cli.models.local import ResolvedModel
from stt_cli.options import AsrOptions, Device

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


def pick_device(device: Device) -> str:
    """``auto`` becomes ``cuda`` when CTranslate2 sees a GPU, else ``cpu``."""
    if device is not Device.auto:
        return device.value
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def pick_compute_type(compute_type: str, device: str) -> str:
    if compute_type != "auto":
        return compute_type
    return "float16" if device == "cuda" else "int8"


def load_whisper(model: ResolvedModel, options: AsrOptions) -> tuple[WhisperModel, str, str]:
    """Load the recogniser; return it with the device and compute type it runs on.

    Raises:
        ModelUnavailableError: CTranslate2 cannot load it on that device.
    """
    from faster_whisper import WhisperModel

    device = pick_device(options.device)
    compute_type = pick_compute_type(options.compute_type, device)
    try:
        whisper = WhisperModel(
            str(model.path),
            device=device,
            compute_type=compute_type,
            cpu_threads=options.cpu_threads,
            local_files_only=True,
        )
    except (RuntimeError, ValueError, OSError) as e:
        raise ModelUnavailableError(
            f"cannot load model '{model.name}' on {device} with compute type {compute_type}: "
            f"{str(e).splitlines()[0] if str(e) else type(e).__name__}; try `device` cpu or "
            "`compute_type` int8"
        ) from e
    return whisper, device, compute_type


VOICE_ENCODER = "campplus_cn_en_common"
_ENCODER_FILE = "embedding/pytorch_model.bin"


def voice_encoder_identity() -> tuple[str, str]:
    """The bundled speaker encoder's name and the sha256 of its weights, from the manifest (nothing loaded):
    what a voice library is checked against."""
    return VOICE_ENCODER, load_manifest()["pipelines"][BUNDLED_PIPELINE]["files"][_ENCODER_FILE]["sha256"]


def load_voice_encoder() -> tuple[str, str, Any]:
    """The bundled speaker encoder (the diarization bundle's CAM++), checked: its name, the sha256 of its
    weights, and the model ready to embed ``[B, 1, N]`` waveforms.

    Raises:
        ModelUnavailableError: a bundled file is missing or fails its sha256.
    """
    from stt_cli.privacy import keep_private

    pipeline = resolve_pipeline(None)  # checks every bundled file against the manifest
    _, sha256 = voice_encoder_identity()
    keep_private()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyannote's import-time torchcodec warning: stt decodes with PyAV
        from pyannote.audio.pipelines.utils import get_model

        model = get_model(str(Path(pipeline.source) / Path(_ENCODER_FILE).parent))
    model.eval()
    return VOICE_ENCODER, sha256, model
