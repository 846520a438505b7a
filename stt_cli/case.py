"""What a filed transcript says about its hearing: the case's details (``--meta``, ``--meta-file``, a
``<stem>.meta.json`` or ``<stem>.meta.toml`` beside the recording) and when the recording started
(``--start-time``, or the container's ``creation_time`` tag, which courtroom recorders write), so that timecodes
can be read on the wall clock. Recorded in the transcript JSON and shown in the document's header.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stt_cli.errors import UsageError
from stt_cli.fileio import shown


@dataclass(frozen=True)
class CaseInfo:
    """The hearing's details and wall-clock start.

    Attributes:
        fields: ``(key, value)`` pairs in the order given (``case_number``, ``court``, ``judge``…).
        start_time: ISO 8601 wall-clock time of the recording's first sample, or ``None``.
        start_time_source: ``given`` (``--start-time``) or ``container`` (its ``creation_time`` tag).
    """

    fields: tuple[tuple[str, str], ...] = ()
    start_time: str | None = None
    start_time_source: str | None = None

    def get(self, key: str, default: str | None = None) -> str | None:
        return next((value for k, value in self.fields if k == key), default)

    def clock(self, seconds: float) -> str:
        """``hh:mm:ss`` of a moment: on the wall clock when the start is known, else elapsed."""
        if self.start_time is not None:
            return (datetime.fromisoformat(self.start_time) + timedelta(seconds=seconds)).strftime("%H:%M:%S")
        whole = int(seconds)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": dict(self.fields),
            "start_time": self.start_time,
            "start_time_source": self.start_time_source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseInfo:
        fields = tuple((str(k), str(v)) for k, v in dict(data.get("fields", {})).items())
        return cls(fields, data.get("start_time"), data.get("start_time_source"))


@dataclass(frozen=True)
class CaseOptions:
    """The case details a run was given: ``--meta`` pairs, a ``--meta-file``'s, and ``--start-time``."""

    given: tuple[tuple[str, str], ...] = ()
    from_file: tuple[tuple[str, str], ...] = ()
    start_time: str | None = None

    def fields_for(self, recording: Path) -> dict[str, str]:
        """The meta file's details, then those beside the recording, then ``--meta`` (each later one wins for a
        key it repeats).

        Raises:
            UsageError: the recording's own details file cannot be read.
        """
        merged = dict(self.from_file)
        own = beside(recording)
        merged.update(read_fields(own) if own else {})
        merged.update(self.given)
        return merged

    def settings(self, fields: dict[str, str]) -> dict[str, Any]:
        """What of the case shapes a recording's documents (for the resume fingerprint), from its
        :meth:`fields_for`."""
        return {"fields": fields, "start_time": self.start_time}

    def info(self, fields: dict[str, str], creation_time: str | None) -> CaseInfo:
        """The case of one recording (its :meth:`fields_for`), its start from ``start_time`` or else the
        container's tag."""
        merged = fields
        if self.start_time is not None:
            return CaseInfo(tuple(merged.items()), self.start_time, "given")
        started = _container_time(creation_time)
        return CaseInfo(tuple(merged.items()), started, "container" if started else None)


def read_fields(path: Path) -> dict[str, str]:
    """A flat JSON or TOML table of case details (a ``[case]`` table in TOML is read too).

    Raises:
        UsageError: unreadable, not JSON/TOML, or not a table of plain values.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text) if Path(path).suffix == ".toml" else json.loads(text)
        data = data.get("case", data) if isinstance(data, dict) else data
        if not isinstance(data, dict) or any(isinstance(v, dict | list) for v in data.values()):
            raise ValueError("it must be one table of KEY = value")
        return {str(k): str(v) for k, v in data.items()}
    except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"case details {shown(path)}: {e}") from e


def beside(recording: Path) -> Path | None:
    """``<stem>.meta.json`` or ``<stem>.meta.toml`` next to a recording, if there is one."""
    for suffix in (".meta.json", ".meta.toml"):
        candidate = recording.with_name(recording.stem + suffix)
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # a name too long to exist (a recording's name near the file system's limit)
            continue
    return None


def _container_time(tag: str | None) -> str | None:
    """A recorder's ``creation_time`` (usually UTC) as this machine's local time, or ``None`` if unusable."""
    if not tag:
        return None
    try:
        moment = datetime.fromisoformat(tag.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.year < 1990:  # an unset recorder clock writes 1970 or 1904: not a time to print on a record
        return None
    return moment.astimezone().isoformat() if moment.tzinfo else moment.isoformat()
