"""Models from the Hugging Face hub: a Whisper size (``large-v3``) or a repository id, fetched into the
store's ``hub/`` folder when allowed, found there when not, and from the first fetch on verified like an
imported model (their files' sha256 recorded beside them, checked on every load).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

from stt_cli.errors import ModelUnavailableError
from stt_cli.fileio import atomic_write_text, sha256_file
from stt_cli.models.bundled import IMPORT_RECORD, checked_sha256, import_record
from stt_cli.models.local import ResolvedModel, resolve_local, store_dir

# What faster-whisper loads of a CTranslate2 Whisper repository (the rest is left on the hub).
_FILES = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json", "vocabulary.*"]


def repository(name: str) -> str | None:
    """The hub repository of a Whisper size name or a repository id (``None`` if it is neither)."""
    from faster_whisper.utils import _MODELS

    return name if "/" in name else _MODELS.get(name)


def fetch(name: str, *, cache: Path, offline: bool, progress: bool) -> Path:
    """The folder of ``name``'s files in ``cache``, downloading them unless ``offline``.

    Raises:
        Exception: whatever huggingface_hub raises when the model is not there and cannot be fetched.
    """
    from huggingface_hub import snapshot_download

    repo = repository(name)
    if repo is None:
        raise ValueError(f"{name} is no Whisper size or hub repository")
    with _progress_bars(progress):
        folder = snapshot_download(repo, allow_patterns=_FILES, local_files_only=offline, cache_dir=str(cache))
    return Path(folder)


def resolve_hub(name: str, *, bundled: list[str], offline: bool, progress: bool = False) -> ResolvedModel:
    """Find (or fetch) a hub model and check its files against the checksums recorded on its first fetch.

    Raises:
        ModelUnavailableError: unknown, not here and not fetchable, or damaged since it was fetched.
    """
    if repository(name) is None:
        raise ModelUnavailableError(
            f"unknown model '{name}'; use a bundled model ({', '.join(bundled)}), a Whisper size such as "
            "large-v3, a Hugging Face id such as Systran/faster-whisper-small, or a model folder"
        )
    cache = store_dir() / "hub"
    try:
        folder = fetch(name, cache=cache, offline=offline, progress=progress)
    except Exception as e:  # huggingface_hub raises many kinds; all mean "not available here"
        how = (
            f"on a machine with internet run `stt models download {name}` with STT_MODELS_DIR pointing at a "
            f"shared folder, then copy {cache} here (or `stt models import` its folder)"
        )
        where = "offline mode is on and it is not in the store" if offline else "it could not be downloaded"
        raise ModelUnavailableError(
            f"model '{name}' is not available: {where} ({type(e).__name__}); {how}, or use a bundled "
            f"model ({', '.join(bundled)})"
        ) from e
    _check_or_record(folder, name)
    resolved = resolve_local(name, folder)
    return ResolvedModel(name, resolved.path, resolved.sha256, "hub", resolved.english_only)


def _check_or_record(folder: Path, name: str) -> None:
    """Verify the files against the record written when they were fetched; write it on the first fetch (the
    hub's own transfer is checked against the repository's sha256 by huggingface_hub)."""
    if (folder / IMPORT_RECORD).is_file():
        for relative, digest in import_record(folder, name).items():
            if checked_sha256(folder / relative, name) != digest:
                raise ModelUnavailableError(
                    f"model '{name}': {folder / relative} fails its sha256 check (damaged or altered since it "
                    f"was fetched); delete {folder} and download it again"
                )
        return
    files = {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()}
    record = {"source": f"hub:{repository(name)}", "files": files}
    atomic_write_text(folder / IMPORT_RECORD, json.dumps(record, indent=2) + "\n")


@contextlib.contextmanager
def _progress_bars(show: bool) -> Iterator[None]:
    from huggingface_hub.utils import are_progress_bars_disabled, disable_progress_bars, enable_progress_bars

    was_disabled = are_progress_bars_disabled()
    (enable_progress_bars if show else disable_progress_bars)()
    try:
        yield
    finally:
        (disable_progress_bars if was_disabled else enable_progress_bars)()
