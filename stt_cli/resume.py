"""Skip what is already done, and never destroy what a person changed: a small record beside each transcript.

After every requested output of an input is written, ``.<stem>.stt.json`` is written last (atomically) in the
same folder. It holds the size and sha256 of the bytes that were transcribed, a fingerprint of every setting
that shapes the text, and each output's sha256. A rerun skips the input when the record matches the input's
content, the settings and the outputs on disk. The content is always hashed again: a size and modification
time can be equal for two different recordings (a recorder's ``REC001.flac`` of another day, a file
restored with its old time), and a record must vouch only for bytes that were really heard.

The record also tells stt's outputs from a person's: an output whose sha256 differs from the recorded one
was edited since stt wrote it, and a file the record does not list was not written by stt at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_cli.fileio import NAME_MAX, atomic_write_text, sha256_file

RECORD_VERSION = 1


class OutputState(StrEnum):
    missing = "missing"
    ours = "ours"  # exactly as stt wrote it
    edited = "edited"  # stt wrote it, someone changed it since
    foreign = "foreign"  # a file stt's record does not vouch for (not written by stt, or the record is gone)


@dataclass(frozen=True)
class Record:
    """What a record vouches for.

    Attributes:
        fingerprint: the settings digest (see :func:`fingerprint`).
        input_size: size of the transcribed bytes.
        input_sha256: their sha256.
        outputs: format -> (file name, sha256 as written).
    """

    fingerprint: str
    input_size: int
    input_sha256: str
    outputs: dict[str, tuple[str, str]]


def record_path(source: Path, folder: Path) -> Path:
    """``<folder>/.<stem>.stt.json``; a stem too long for that (over ~240 bytes) is shortened with a digest."""
    name = f".{source.stem}.stt.json"
    if len(os.fsencode(name)) > NAME_MAX:
        digest = hashlib.sha256(os.fsencode(source.stem)).hexdigest()[:16]
        name = f".{os.fsencode(source.stem)[:100].decode('utf-8', 'ignore')}-{digest}.stt.json"
    return folder / name


def fingerprint(settings: dict[str, Any]) -> str:
    """A digest of the settings that shape the output, independent of key order."""
    canonical = json.dumps(settings, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_record(path: Path) -> Record | None:
    """The record at ``path``, or ``None`` when there is none or it cannot be trusted (damaged, old)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("record_version") != RECORD_VERSION:
            return None
        outputs = {fmt: (str(o["file"]), str(o["sha256"])) for fmt, o in data["outputs"].items()}
        known = data["input"]
        return Record(str(data["fingerprint"]), int(known["size_bytes"]), str(known["sha256"]), outputs)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def input_matches(record: Record | None, source: Path, settings_digest: str) -> bool:
    """Whether ``record`` was made from this very content with these settings."""
    if record is None or record.fingerprint != settings_digest:
        return False
    try:
        return source.stat().st_size == record.input_size and sha256_file(source) == record.input_sha256
    except OSError:
        return False


def output_state(record: Record | None, fmt: str, path: Path) -> OutputState:
    """Whether ``path`` (the output for ``fmt``) is missing, stt's own, edited since, or someone else's."""
    try:
        if not path.exists():
            return OutputState.missing
        if record is None or fmt not in record.outputs or record.outputs[fmt][0] != path.name:
            return OutputState.foreign
        if not path.is_file():
            return OutputState.foreign
        return OutputState.ours if sha256_file(path) == record.outputs[fmt][1] else OutputState.edited
    except OSError:
        return OutputState.foreign


def write_record(
    *,
    source: Path,
    size: int,
    sha256: str,
    outputs: dict[str, Path],
    kept: dict[str, tuple[str, str]],
    record: Path,
    settings_digest: str,
    tool: str,
) -> None:
    """Record that ``outputs`` were made from ``size`` bytes with digest ``sha256``, with these settings.

    ``kept`` are outputs a person edited and stt left alone: their old entries are carried over, so they are
    still recognised as edited (and kept) next time.
    """
    entries = {fmt: {"file": name, "sha256": digest} for fmt, (name, digest) in kept.items()}
    entries.update({fmt: {"file": path.name, "sha256": sha256_file(path)} for fmt, path in outputs.items()})
    data = {
        "record_version": RECORD_VERSION,
        "tool": tool,
        "fingerprint": settings_digest,
        "input": {"path": os.fsencode(source).decode("utf-8", "backslashreplace"), "size_bytes": size,
                  "sha256": sha256},
        "outputs": entries,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }  # fmt: skip
    atomic_write_text(record, json.dumps(data, indent=2) + "\n")
