"""The model store as a whole: what is in it, whether it is intact, and bringing models in.

``models/__init__.py`` finds and loads one model; this module answers ``stt models list / verify / import``.
Imported models get a record of their files' sha256 (``.stt-files.json``) so that ``verify`` and every later
load can tell a damaged copy from a good one, as the manifest does for the bundled models.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import ModelUnavailableError, UsageError
from stt_cli.fileio import atomic_write_text, current_umask, sha256_file
from stt_cli.models.bundled import IMPORT_RECORD, import_record, load_manifest
from stt_cli.models.find import resolve, resolve_pipeline
from stt_cli.models.local import REQUIRED_FILES, store_dir

_RESERVED = {"hub", "diarization"}


@dataclass(frozen=True)
class StoredModel:
    """One model the store can serve.

    Attributes:
        name: what ``--model`` (or ``--diarization-model``) takes.
        kind: ``"speech"`` or ``"diarization"``.
        origin: ``"bundled"``, ``"imported"`` or ``"hub"``.
        path: its folder.
        size_bytes: total size of its files.
        sha256: of ``model.bin`` (speech) or of all files (diarization).
        languages: ``"en"``, ``"multilingual"`` or ``""`` (diarization).
        problem: why it cannot be used, or ``None``.
    """

    name: str
    kind: str
    origin: str
    path: Path | None
    size_bytes: int
    sha256: str | None
    languages: str
    problem: str | None = None


@dataclass(frozen=True)
class FileCheck:
    model: str
    path: Path
    ok: bool
    detail: str


def inventory() -> list[StoredModel]:
    """Every bundled, imported and downloaded model, each checked as a load would check it (nothing is
    written: a bundled model not yet joined has its parts verified instead).

    Raises:
        ModelUnavailableError: the bundled manifest is missing or damaged.
    """
    found: list[StoredModel] = []
    manifest = load_manifest()
    for name, entry in manifest.get("models", {}).items():
        found.append(_speech(name, "bundled", entry.get("languages", "")))
    try:
        pipeline = resolve_pipeline(None)
        folder = Path(pipeline.source)
        found.append(StoredModel("bundled", "diarization", "bundled", folder, _size(folder), pipeline.sha256, ""))
    except ModelUnavailableError as e:
        found.append(StoredModel("bundled", "diarization", "bundled", None, 0, None, "", str(e)))
    store = store_dir()
    for folder in _folders(store):
        taken = folder.name in manifest.get("models", {}) or folder.name in _RESERVED
        if not taken and (folder / "model.bin").is_file():
            found.append(_speech(folder.name, "imported", ""))
    for snapshot in sorted((store / "hub").glob("models--*/snapshots/*")):
        if (snapshot / "model.bin").is_file():
            name = snapshot.parent.parent.name.removeprefix("models--").replace("--", "/")
            found.append(_speech(str(snapshot), "hub", "", display=name))
    return found


def _folders(store: Path) -> list[Path]:
    try:
        return sorted(p for p in store.iterdir() if p.is_dir()) if store.is_dir() else []
    except OSError:  # an unreadable store: doctor says so on its own line
        return []


def _speech(name: str, origin: str, languages: str, display: str | None = None) -> StoredModel:
    try:
        resolved = resolve(name, assemble=False)
    except ModelUnavailableError as e:
        return StoredModel(display or name, "speech", origin, None, 0, None, languages, str(e))
    languages = languages or ("en" if resolved.english_only else "multilingual")
    size = _size(resolved.path) or _bundled_size(name)
    return StoredModel(display or name, "speech", origin, resolved.path, size, resolved.sha256, languages)


def _bundled_size(name: str) -> int:
    entry = load_manifest().get("models", {}).get(name, {})
    return sum(int(spec.get("size", 0)) for spec in entry.get("files", {}).values())


def verify() -> list[FileCheck]:
    """Recompute the sha256 of every file the manifest or an import record lists."""
    checks: list[FileCheck] = []
    manifest = load_manifest()
    for model in inventory():
        if model.path is None:
            checks.append(FileCheck(model.name, Path("-"), False, model.problem or "not found"))
            continue
        if model.origin == "bundled" and model.kind == "speech":
            expected = {f: s["sha256"] for f, s in manifest["models"][model.name]["files"].items()}
        elif model.kind == "diarization":
            expected = {f: s["sha256"] for f, s in manifest["pipelines"]["bundled"]["files"].items()}
        elif model.origin == "imported":
            expected = import_record(model.path, model.name)  # resolved above: readable
        else:
            checks.append(FileCheck(model.name, model.path, True, "no recorded checksums (downloaded)"))
            continue
        checks += [_check_file(model, relative, digest) for relative, digest in expected.items()]
    return checks


def _check_file(model: StoredModel, relative: str, digest: str) -> FileCheck:
    assert model.path is not None
    path = model.path / relative
    if not path.exists() and model.origin == "bundled":
        return FileCheck(model.name, path, True, "parts verified; joined into the store on first use")
    try:
        ok = path.is_file() and sha256_file(path) == digest
    except OSError as e:
        return FileCheck(model.name, path, False, f"cannot be read ({e.strerror or e})")
    if ok:
        return FileCheck(model.name, path, True, "ok")
    detail = "missing" if not path.exists() else f"sha256 differs from the recorded {digest[:12]}…"
    return FileCheck(model.name, path, False, detail)


def import_model(source: Path, name: str | None = None) -> StoredModel:
    """Copy a CTranslate2 Whisper model folder (from another machine) into the store, with its checksums.

    Raises:
        UsageError: the folder is not a model, or the name is taken.
        ModelUnavailableError: the store is not writable.
    """
    missing = [f for f in REQUIRED_FILES if not (source / f).is_file()]
    if not source.is_dir() or missing:
        raise UsageError(
            f"{source} is not a CTranslate2 Whisper model folder (needs {', '.join(missing or ['a folder'])})"
        )
    name = name or source.name
    if "/" in name or name in _RESERVED or name in load_manifest().get("models", {}):
        raise UsageError(f"'{name}' cannot be used as a model name here; choose another with `name`")
    target = store_dir() / name
    if target.exists():
        raise UsageError(f"the store already has a model called '{name}' ({target}); choose another with `name`")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{name}."))
        copy = staging / "model"
        shutil.copytree(source, copy)
        _share(copy)  # a store is shared by a team's accounts: a copied 0600 file would lock the others out
        files = {str(p.relative_to(copy)): sha256_file(p) for p in sorted(copy.rglob("*")) if p.is_file()}
        atomic_write_text(
            copy / IMPORT_RECORD, json.dumps({"source": str(source), "files": files}, indent=2) + "\n"
        )
        copy.rename(target)  # whole or not at all: a half-copied model never appears under its name
        shutil.rmtree(staging, ignore_errors=True)
    except OSError as e:
        raise ModelUnavailableError(
            f"cannot import into {target.parent} ({e.strerror or e}); set STT_MODELS_DIR to a writable folder"
        ) from e
    return _speech(name, "imported", "")


def _share(folder: Path) -> None:
    umask = current_umask()
    for path in [folder, *folder.rglob("*")]:
        path.chmod((0o755 if path.is_dir() else 0o644) & ~umask)


def _size(folder: Path) -> int:
    try:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    except OSError:
        return 0
