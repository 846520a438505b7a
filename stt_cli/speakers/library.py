"""The voice library: a folder with one JSON file per enrolled person, never any audio.

    DIR/library.json            {"format": 1, "encoder": {"name", "sha256"}, "created"}
    DIR/voices/<key>.json       {"format": 1, "name", "encoder", "enrolled", "updated", "clips": [...]}

Each clip enrolled keeps its own embedding and provenance (the recording's name and sha256, the seconds of
speech used, the transcript speaker it came from), so a person's voice is the seconds-weighted mean of their
clips and a wrong clip can be seen for what it is. Every write is atomic (a temporary file renamed into place):
a killed enrolment leaves the old entry or the new one. A library is tied to the encoder that made it: another
encoder's embeddings are not comparable, so such a library is refused, never silently mixed.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from stt_cli.errors import OutputUnwritableError, SpeakerLibraryError
from stt_cli.fileio import atomic_write_text

FORMAT = 1
_GENERATED = re.compile(r"(?i)^(speaker[ _]\d+|-)$")


@dataclass(frozen=True)
class Enrolment:
    """One clip's contribution to a voice.

    Attributes:
        source: the recording's file name (its folder is not kept: libraries travel between machines).
        sha256: the recording's digest.
        seconds: seconds of speech embedded.
        windows: embedding windows.
        vector: the clip's unit-length voiceprint.
        speaker: the transcript speaker it was taken from (``--from``), else ``None``.
        added: when, ISO 8601 UTC.
    """

    source: str
    sha256: str
    seconds: float
    windows: int
    vector: np.ndarray = field(repr=False)
    speaker: str | None = None
    added: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "seconds": round(self.seconds, 3),
            "windows": self.windows,
            "speaker": self.speaker,
            "added": self.added,
            "vector": [round(float(x), 6) for x in self.vector],
        }


@dataclass(frozen=True)
class Voice:
    """An enrolled person: their name, clips, and voiceprint (the clips' seconds-weighted mean direction)."""

    name: str
    clips: tuple[Enrolment, ...]
    enrolled: str
    updated: str

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.clips)

    @property
    def vector(self) -> np.ndarray:
        total = sum(c.vector * c.seconds for c in self.clips)
        return np.asarray(total / max(float(np.linalg.norm(total)), 1e-8), dtype=np.float32)


@dataclass(frozen=True)
class LibraryProblem:
    """An entry that could not be used (and was not): its file and why."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class VoiceLibrary:
    """A voice library folder, checked against the encoder that will compare voices with it.

    Build it with :meth:`open`. ``voices`` holds every usable entry, ``problems`` every damaged one.
    """

    folder: Path
    encoder: tuple[str, str]
    voices: tuple[Voice, ...]
    problems: tuple[LibraryProblem, ...]

    @classmethod
    def open(cls, folder: Path, encoder: tuple[str, str], *, create: bool = False) -> VoiceLibrary:
        """Open the library in ``folder`` for the encoder ``(name, sha256)``; with ``create``, an empty one if
        there is none yet (written by the first :meth:`enrol`).

        Raises:
            SpeakerLibraryError: no library there (and not ``create``), its index is damaged, or it was made
                by another encoder.
        """
        folder = Path(folder).expanduser()
        index = folder / "library.json"
        if not index.is_file():
            if not create:
                raise SpeakerLibraryError(
                    f"{folder}: no voice library here (no library.json); enrol someone first with "
                    f"`stt speakers enroll NAME CLIP... --speaker-library {folder}`"
                )
            # Nothing is written until someone is enrolled: a failed first enrolment leaves no empty library.
            return cls(folder=folder, encoder=encoder, voices=(), problems=())
        try:
            meta = json.loads(index.read_text(encoding="utf-8"))
            theirs = (str(meta["encoder"]["name"]), str(meta["encoder"]["sha256"]))
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SpeakerLibraryError(f"{index}: not a voice library index ({type(e).__name__}: {e})") from e
        if theirs != encoder:
            raise SpeakerLibraryError(
                f"{folder}: this library was made with the speaker encoder {theirs[0]} "
                f"(sha256 {theirs[1][:12]}…), and this stt has {encoder[0]} (sha256 {encoder[1][:12]}…): "
                "voices from different encoders cannot be compared; enrol the people again in a new library"
            )
        voices, problems = [], []
        for path in sorted((folder / "voices").glob("*.json")):
            try:
                voices.append(_read_voice(path, encoder))
            except (OSError, ValueError, KeyError, TypeError, SpeakerLibraryError) as e:
                problems.append(LibraryProblem(path, str(e) or type(e).__name__))
        return cls(folder=folder, encoder=encoder, voices=tuple(voices), problems=tuple(problems))

    @property
    def digest(self) -> str:
        """A digest of every voice the library holds (names, clips and voiceprints), so that a transcript
        named from it is known to be stale once a voice is enrolled, changed or removed."""
        held = [
            [v.name, [[c.sha256, c.speaker, round(c.seconds, 3), [round(float(x), 6) for x in c.vector]]
                      for c in v.clips]]
            for v in sorted(self.voices, key=lambda v: _key(v.name))
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(held, ensure_ascii=False).encode("utf-8")).hexdigest()

    def find(self, name: str) -> Voice | None:
        """The voice enrolled under ``name`` (compared without case), if any."""
        key = _key(name)
        return next((v for v in self.voices if _key(v.name) == key), None)

    def enrol(self, name: str, clips: list[Enrolment]) -> tuple[Voice, tuple[Enrolment, ...]]:
        """Add ``clips`` to ``name``'s voice (created if new) and write it: the voice as now stored, and the
        clips it already held (the same recording, and speaker, enrolled again), which are not added twice.

        Enrolments of one library are done one at a time (a lock file beside the index), each reading the
        voice as it is on disk then: two at once for the same person both keep their clips.

        Raises:
            SpeakerLibraryError: the name is not usable, or the entry cannot be written.
        """
        name = check_name(name)
        with self._locked():
            return self._enrol(name, clips)

    def _enrol(self, name: str, clips: list[Enrolment]) -> tuple[Voice, tuple[Enrolment, ...]]:
        now = _now()
        known = self._on_disk(name)
        held = {(c.sha256, c.speaker) for c in known.clips} if known else set()
        fresh = [c for c in clips if (c.sha256, c.speaker) not in held]
        again = tuple(c for c in clips if (c.sha256, c.speaker) in held)
        stamped = tuple(Enrolment(**{**c.__dict__, "added": c.added or now}) for c in fresh)
        if known is not None:
            voice = Voice(known.name, known.clips + stamped, known.enrolled, now if stamped else known.updated)
        else:
            voice = Voice(name, stamped, now, now)
        if not stamped:
            return voice, again
        record = {
            "format": FORMAT,
            "name": voice.name,
            "encoder": {"name": self.encoder[0], "sha256": self.encoder[1]},
            "enrolled": voice.enrolled,
            "updated": voice.updated,
            "clips": [c.to_dict() for c in voice.clips],
        }
        index = self.folder / "library.json"
        if not index.is_file():
            made = {"format": FORMAT, "encoder": {"name": self.encoder[0], "sha256": self.encoder[1]}}
            _write(index, {**made, "created": now})
        _write(self._path(voice.name), record)
        return voice, again

    def remove(self, name: str) -> Voice:
        """Delete ``name``'s entry.

        Raises:
            SpeakerLibraryError: nobody is enrolled under that name, or the entry cannot be deleted.
        """
        with self._locked():
            return self._remove(name)

    def _remove(self, name: str) -> Voice:
        voice = self._on_disk(name)
        if voice is None:
            known = ", ".join(v.name for v in self.voices) or "nobody yet"
            raise SpeakerLibraryError(f"{self.folder}: nobody named {name!r} is enrolled (enrolled: {known})")
        try:
            self._path(voice.name).unlink()
        except OSError as e:
            raise SpeakerLibraryError(f"{self._path(voice.name)}: cannot remove ({e.strerror})") from e
        return voice

    def _on_disk(self, name: str) -> Voice | None:
        """``name``'s voice as its entry holds it now (another enrolment may have written since this library
        was opened); ``None`` when there is none."""
        path = self._path(name)
        if not path.is_file():
            return None
        try:
            return _read_voice(path, self.encoder)
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SpeakerLibraryError(
                f"{path}: a damaged voice entry ({e}); remove the file to enrol again"
            ) from e

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """This library's writers one at a time (``flock`` on ``DIR/.lock``, released however the block ends)."""
        import fcntl

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = (self.folder / ".lock").open("a")
        except OSError as e:
            raise SpeakerLibraryError(f"{self.folder}: cannot write the voice library ({e.strerror})") from e
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _path(self, name: str) -> Path:
        key = _key(name)
        readable = re.sub(
            r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", key).encode("ascii", "ignore").decode()
        )
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]
        return self.folder / "voices" / f"{readable.strip('-')[:40] or 'voice'}-{digest}.json"


def check_name(name: str) -> str:
    """``name`` trimmed, if a person can be enrolled under it.

    Raises:
        SpeakerLibraryError: empty, too long, with control characters, or a name stt gives unknown speakers.
    """
    name = " ".join(name.split())
    if not name or len(name) > 100 or any(unicodedata.category(ch).startswith("C") for ch in name):
        raise SpeakerLibraryError(f"{name!r} cannot be a speaker's name: give 1-100 printable characters")
    if _GENERATED.match(name):
        raise SpeakerLibraryError(f"{name!r} is what stt calls an unknown speaker; enrol the person by name")
    return name


def _read_voice(path: Path, encoder: tuple[str, str]) -> Voice:
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("format") != FORMAT:
        raise ValueError(f"unknown entry format {record.get('format')!r}")
    if (record["encoder"]["name"], record["encoder"]["sha256"]) != encoder:
        raise ValueError("made with another speaker encoder")
    clips = []
    for clip in record["clips"]:
        vector = np.asarray(clip["vector"], dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        if vector.shape != (192,) or not np.isfinite(vector).all() or not 0.9 < norm < 1.1:
            raise ValueError("a clip's embedding is damaged (not 192 finite numbers of unit length)")
        seconds = float(clip["seconds"])
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError("a clip's seconds are not a positive number")
        clips.append(
            Enrolment(
                source=str(clip["source"]), sha256=str(clip["sha256"]), seconds=seconds,
                windows=int(clip["windows"]), vector=vector, speaker=clip.get("speaker"), added=str(clip["added"]),
            )
        )  # fmt: skip
    if not clips:
        raise ValueError("no clips")
    return Voice(check_name(str(record["name"])), tuple(clips), str(record["enrolled"]), str(record["updated"]))


def _write(path: Path, record: dict[str, Any]) -> None:
    try:
        atomic_write_text(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")
    except OutputUnwritableError as e:
        raise SpeakerLibraryError(f"{path}: cannot write the voice library ({e.detail})") from e


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", " ".join(name.split())).casefold()


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
