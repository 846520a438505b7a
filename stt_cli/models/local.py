"""A model folder on disk: what a found model is, where the store is, and checking a folder holds a CTranslate2
Whisper model."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import ModelUnavailableError
from stt_cli.models.bundled import checked_sha256

REPO_MODELS_DIR = Path(__file__).resolve().parents[2] / "models"  # a checkout's writable store
REQUIRED_FILES = ("model.bin", "config.json")


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk and checked.

    Attributes:
        name: what the user asked for.
        path: the folder faster-whisper loads.
        sha256: digest of ``model.bin``.
        origin: ``"bundled"``, ``"imported"``, ``"local"`` or ``"hub"``.
        english_only: True for ``*.en`` models.
    """

    name: str
    path: Path
    sha256: str
    origin: str
    english_only: bool


def store_dir() -> Path:
    """Where models are kept: ``$STT_MODELS_DIR``, else the repository's ``models/`` when it is writable,
    else the user's cache (``$XDG_CACHE_HOME/stt/models``, by default ``~/.cache/stt/models``)."""
    env = os.environ.get("STT_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    if REPO_MODELS_DIR.is_dir() and os.access(REPO_MODELS_DIR, os.W_OK):
        return REPO_MODELS_DIR
    return Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "stt" / "models"


def resolve_local(name: str, folder: Path) -> ResolvedModel:
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelUnavailableError(
            f"model folder {folder} lacks {', '.join(missing)}; point `model` at a CTranslate2 Whisper "
            "model folder (as converted by ct2-transformers-converter)"
        )
    return ResolvedModel(
        name=name,
        path=folder.resolve(),
        sha256=checked_sha256(folder / "model.bin", name),
        origin="local",
        english_only=english_only(folder),
    )


def english_only(folder: Path) -> bool:
    # Multilingual Whisper vocabularies have 51865+ tokens; English-only ones have 51864.
    try:
        with (folder / "config.json").open(encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError):
        return False
    return folder.name.endswith(".en") or config.get("vocab_size") == 51864
