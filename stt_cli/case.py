"""What a filed transcript says about its hearing: the case's details (``--meta``, ``--meta-file``, a
``<stem>.meta.json`` or ``<stem>.meta.toml`` beside the recording) and when the recording started
(``--start-time``, or the container's ``creation_time`` tag, which courtroom recorders write), so that timecodes
can be read on the wall clock. Recorded in the transcript JSON and shown in the document's header.
"""

from __future__ import annotations

import contextlib
import json
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from stt_cli.errors import UsageError
from stt_cli.fileio import shown

LATEST_YEAR = 2999  # a recording's wall-clock start after this is a clock gone wrong, not a hearing


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
            with contextlib.suppress(OverflowError, ValueError):  # a start the checks let through: elapsed
                return (datetime.fromisoformat(self.start_time) + timedelta(seconds=seconds)).strftime("%H:%M:%S")
        whole = int(seconds)
        return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": dict(self.fields),
            "start_time": self.start_time,
            "start_time_source": self.start_time_source,
        }


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
    """A flat JSON or TOML table of case details: its plain values, and those of a ``[case]`` table in it (which
    win for a key given in both); a key set to ``null`` is left out. Saved with a byte-order mark (Windows
    Notepad) or not.

    Raises:
        UsageError: unreadable, not JSON/TOML, not a table of plain values, or a value with a control character.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = tomllib.loads(text) if Path(path).suffix == ".toml" else json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("it must be one table of KEY = value")
        nested = data.get("case")
        table: dict[str, object] = nested if isinstance(nested, dict) else {}
        merged = {**{k: v for k, v in data.items() if k != "case" or not isinstance(nested, dict)}, **table}
        if any(isinstance(v, dict | list) for v in merged.values()):
            raise ValueError("it must be one table of KEY = value (and a [case] table)")
        return check_fields((str(k), _plain(v)) for k, v in merged.items() if v is not None)
    except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"case details {shown(path)}: {e}") from e


def check_fields(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Case details as documents can hold them: text with line breaks but no other control character (a
    document's XML cannot hold one, and it would fail after the whole transcription).

    Raises:
        ValueError: a key or value with a control character, or an empty key.
    """
    fields = {}
    for key, value in pairs:
        if not key.strip() or any(unicodedata.category(ch) == "Cc" for ch in key):
            raise ValueError(f"the key {key!r} is empty or holds a control character")
        if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
            raise ValueError(f"{key} = {value!r} holds a control character")
        fields[key] = value
    return fields


def _plain(value: object) -> str:
    """A TOML or JSON value as the text a document shows (``true`` rather than Python's ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
    if not 1990 <= moment.year <= LATEST_YEAR:  # an unset recorder clock writes 1970 or 1904, a broken one 2106
        return None
    return moment.astimezone().isoformat() if moment.tzinfo else moment.isoformat()
