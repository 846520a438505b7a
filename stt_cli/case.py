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

# The roles of an Indonesian hearing, as the berita acara sidang names them; any other role key is shown with
# its words capitalised (``juru_sita`` -> "Juru Sita"). Who answers in the question-and-answer record.
ROLES = {
    "hakim_ketua": "Hakim Ketua", "hakim_anggota": "Hakim Anggota", "panitera_pengganti": "Panitera Pengganti",
    "penuntut_umum": "Penuntut Umum", "penasihat_hukum": "Penasihat Hukum", "terdakwa": "Terdakwa",
    "saksi": "Saksi", "ahli": "Ahli", "penerjemah": "Penerjemah",
}  # fmt: skip
ANSWERING = ("saksi", "ahli", "terdakwa")  # those examined: their turns are the answers
_NAMED = ("saksi", "ahli", "terdakwa")  # shown with their name: "Saksi 2 (Budi Santoso)"


@dataclass(frozen=True)
class Participant:
    """One person of the case roster (``--roster``).

    Attributes:
        role: ``hakim_ketua``, ``hakim_anggota``, ``panitera_pengganti``, ``penuntut_umum``, ``penasihat_hukum``,
            ``terdakwa``, ``saksi``, ``ahli``, ``penerjemah``, or another (lower case, ``_`` between words).
        name: the person's name as the record writes it.
        voice: their name in the voice library, if enrolled.
        order: for witnesses and experts, the order in which they are called (1, 2…).
        speaks: whether they are expected to speak (a panitera pengganti who only writes: ``false``).
    """

    role: str
    name: str
    voice: str | None = None
    order: int | None = None
    speaks: bool = True

    @property
    def label(self) -> str:
        """How every format names them: "Hakim Ketua", "Saksi 2 (Budi Santoso)", "Terdakwa (Andi)"."""
        base = ROLES.get(self.role) or self.role.replace("_", " ").title()
        if self.order is not None and self.role in ("saksi", "ahli", "hakim_anggota"):
            base = f"{base} {self.order}"
        return f"{base} ({self.name})" if self.role in _NAMED else base

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "name": self.name, "voice": self.voice, "order": self.order,
                "speaks": self.speaks}  # fmt: skip


@dataclass(frozen=True)
class CaseInfo:
    """The hearing's details and wall-clock start.

    Attributes:
        fields: ``(key, value)`` pairs in the order given (``case_number``, ``court``, ``judge``…).
        start_time: ISO 8601 wall-clock time of the recording's first sample, or ``None``.
        start_time_source: ``given`` (``--start-time``) or ``container`` (its ``creation_time`` tag).
        roster: the case roster (``--roster``): who takes part, in its order.
    """

    fields: tuple[tuple[str, str], ...] = ()
    start_time: str | None = None
    start_time_source: str | None = None
    roster: tuple[Participant, ...] = ()

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
            "roster": [p.to_dict() for p in self.roster],
        }


@dataclass(frozen=True)
class CaseOptions:
    """The case details a run was given: ``--meta`` pairs, a ``--meta-file``'s, and ``--start-time``."""

    given: tuple[tuple[str, str], ...] = ()
    from_file: tuple[tuple[str, str], ...] = ()
    start_time: str | None = None
    roster: tuple[Participant, ...] = ()

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
        return {"fields": fields, "start_time": self.start_time, "roster": [p.to_dict() for p in self.roster]}

    def info(self, fields: dict[str, str], creation_time: str | None) -> CaseInfo:
        """The case of one recording (its :meth:`fields_for`), its start from ``start_time`` or else the
        container's tag."""
        merged = fields
        if self.start_time is not None:
            return CaseInfo(tuple(merged.items()), self.start_time, "given", self.roster)
        started = _container_time(creation_time)
        return CaseInfo(tuple(merged.items()), started, "container" if started else None, self.roster)


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


def read_roster(path: Path) -> tuple[Participant, ...]:
    """A case roster: a TOML file of ``[[participant]]`` tables (or JSON ``{"participant": [...]}``), each with
    ``role`` and ``name`` and optionally ``voice``, ``order`` and ``speaks``.

    Raises:
        UsageError: unreadable, not TOML/JSON, or a participant without a role or name, or with a value of the
            wrong kind, or two witnesses of one order.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        data = tomllib.loads(text) if Path(path).suffix == ".toml" else json.loads(text)
        listed = data.get("participant") if isinstance(data, dict) else None
        if not isinstance(listed, list) or not listed:
            raise ValueError("it lists no [[participant]] (each with role and name)")
        people = tuple(_participant(entry, i) for i, entry in enumerate(listed))
    except (OSError, ValueError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"roster {shown(path)}: {e}") from e
    orders = [(p.role, p.order) for p in people if p.order is not None]
    if len(orders) != len(set(orders)):
        raise UsageError(f"roster {shown(path)}: two participants of one role share an order")
    return people


def _participant(entry: object, index: int) -> Participant:
    place = f"participant {index + 1}"
    if not isinstance(entry, dict):
        raise ValueError(f"{place} is not a table")
    extra = sorted(set(entry) - {"role", "name", "voice", "order", "speaks"})
    if extra:
        raise ValueError(
            f"{place}: {extra[0]!r} is not a field of a participant (role, name, voice, order, speaks)"
        )
    role, name, voice = entry.get("role"), entry.get("name"), entry.get("voice")
    if not isinstance(role, str) or not role.strip() or not all(ch.isalnum() or ch == "_" for ch in role.strip()):
        raise ValueError(f"{place}: role {role!r} is not a role such as hakim_ketua or saksi")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{place}: a name is needed")
    if voice is not None and (not isinstance(voice, str) or not voice.strip()):
        raise ValueError(f"{place}: voice {voice!r} is not a name in the voice library")
    order, speaks = entry.get("order"), entry.get("speaks", True)
    if order is not None and (isinstance(order, bool) or not isinstance(order, int) or order < 1):
        raise ValueError(f"{place}: order {order!r} is not 1, 2, 3…")
    if not isinstance(speaks, bool):
        raise ValueError(f"{place}: speaks {speaks!r} is not true or false")
    check_fields([("name", name)])
    return Participant(
        role.strip().lower(), " ".join(name.split()), voice.strip() if voice else None, order, speaks
    )
