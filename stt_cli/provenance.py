"""Where a transcript came from, for the record: the recording, the models, and how and when it was made."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The tested environment (every package, pinned with its sha256): the repository's requirements.lock, which the
# wheel carries as package data (see .ci/lock for when it is refreshed).
LOCK = Path(__file__).parent / "assets" / "requirements.lock"
_NOT_LOCKED = {"stt-cli", "pip"}  # stt itself, and the installer that read the lock


@dataclass(frozen=True)
class ModelInfo:
    """Which model produced a transcript, for the record."""

    name: str
    path: str
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class InputInfo:
    """The recording a transcript was made from, so the transcript can be tied to it (and resumed).

    Attributes:
        path: as given (bytes that are not UTF-8 appear as ``\\xe9`` in the JSON).
        size_bytes: size of the bytes that were hashed and transcribed.
        sha256: their digest, taken before decoding; the file is checked unchanged after it.
        container: FFmpeg's container name.
        codec: the transcribed track's codec.
        declared_duration: seconds the container declares for that track.
        sample_rate: that track's native sample rate (Hz).
        channels: its native channel count.
        audio_track: which audio track was transcribed (0-based).
        audio_tracks: how many audio tracks the file has.
        start_offset: seconds of silence put before the track so times match the container's timeline.
        level_dbfs: the loud end of the recording's level (95th percentile of 20 ms frames), dBFS.
        peak_dbfs: the highest sample, dBFS.
        clipped_share: share of samples at full scale.
        creation_time: the container's ``creation_time`` tag (a recorder's wall-clock start), as written.
    """

    path: str
    size_bytes: int
    sha256: str
    container: str
    codec: str
    declared_duration: float | None
    sample_rate: int = 0
    channels: int = 0
    audio_track: int = 0
    audio_tracks: int = 1
    start_offset: float = 0.0
    level_dbfs: float | None = None
    peak_dbfs: float | None = None
    clipped_share: float | None = None
    creation_time: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "container": self.container,
            "codec": self.codec,
            "declared_duration": None if self.declared_duration is None else _round(self.declared_duration),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "audio_track": self.audio_track,
            "audio_tracks": self.audio_tracks,
            "start_offset": _round(self.start_offset),
            "level_dbfs": None if self.level_dbfs is None else round(self.level_dbfs, 1),
            "peak_dbfs": None if self.peak_dbfs is None else round(self.peak_dbfs, 1),
            "clipped_share": None if self.clipped_share is None else round(self.clipped_share, 6),
            "creation_time": self.creation_time,
        }


@dataclass(frozen=True)
class Provenance:
    """How and when a transcript was made, for the record a court may need.

    Attributes:
        tool: ``stt`` and its version.
        started_at: ISO 8601 UTC time the file was started.
        finished_at: ISO 8601 UTC time its transcript was complete (before writing).
        stage_seconds: wall-clock seconds per stage: ``decode`` (validation, hashing and decoding),
            ``transcribe``, and ``diarize`` when asked for.
        total_seconds: wall-clock seconds for the whole file.
        offline: whether downloads were forbidden (``--offline`` / ``STT_OFFLINE``).
        environment: the installed packages against the tested lock (:func:`environment`), so a court can
            reinstall exactly what made the transcript.
        mode: ``file`` (a recording transcribed whole), ``live`` (committed as it was heard), or
            ``live-final-pass`` (a live session's recording transcribed again afterwards), or
            ``speakers-again`` (an earlier transcript's words, of this very recording and made with the same
            recognition settings, with the speakers found again: no speech recognition ran).
    """

    tool: str
    started_at: str
    finished_at: str
    stage_seconds: dict[str, float]
    total_seconds: float
    offline: bool
    mode: str = "file"
    environment: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "total_seconds": round(self.total_seconds, 3),
            "offline": self.offline,
            "mode": self.mode,
            "environment": self.environment,
        }


@dataclass(frozen=True)
class Environment:
    """The installed packages measured against ``requirements.lock``.

    Attributes:
        lock_sha256: the lock's sha256 (``None`` when this install carries no lock).
        differences: each installed package whose version is not the lock's, or that the lock does not name
            (``"torchaudio 2.11.1 (lock: 2.11.0)"``); empty when the install is exactly the lock.
    """

    lock_sha256: str | None
    differences: tuple[str, ...]

    @property
    def matches(self) -> bool:
        return self.lock_sha256 is not None and not self.differences

    def to_dict(self) -> dict[str, Any]:
        return {"lock_sha256": self.lock_sha256, "matches_lock": self.matches,
                "differences": list(self.differences)}  # fmt: skip


@functools.cache
def environment() -> Environment:
    """This process's packages against the lock (read once: the installed set does not change under a run)."""
    from importlib.metadata import distributions

    try:
        text = LOCK.read_text(encoding="utf-8")
    except OSError:
        return Environment(None, ())
    locked = dict(re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", text, re.MULTILINE))
    locked = {_normal(name): version for name, version in locked.items()}
    installed: dict[str, str] = {}
    for dist in distributions():  # in path order: the first of a name is the one Python imports
        installed.setdefault(_normal(dist.metadata["Name"] or ""), dist.version)
    differences = []
    for name, version in sorted(installed.items()):
        if name in _NOT_LOCKED or not name:
            continue
        if name not in locked:
            differences.append(f"{name} {version} (not in the lock)")
        elif locked[name] != version:
            differences.append(f"{name} {version} (lock: {locked[name]})")
    return Environment(hashlib.sha256(text.encode("utf-8")).hexdigest(), tuple(differences))


def _normal(name: str) -> str:
    """A distribution's name as the lock writes it (PEP 503: ``PyYAML`` and ``pyyaml``, ``a.b`` and ``a-b``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def round_seconds(seconds: float) -> float:
    # Milliseconds are the resolution of every subtitle format; more digits only add noise to diffs.
    return round(seconds, 3)


def round_share(value: float | None) -> float | None:
    """A share or a confidence (0-1) to the 3 decimals the JSON keeps, so that a transcript read back from its
    JSON flags and averages exactly as the one written."""
    return None if value is None else round(value, 3)


_round = round_seconds
