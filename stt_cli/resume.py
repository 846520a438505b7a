"""What a rerun does: skip what is already done, and never destroy what a person changed or write over a
recording. A small record beside each transcript says what stt wrote.

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

import contextlib
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_cli import sniff
from stt_cli.errors import OutputClashError, OutputEditedError, OutputUnwritableError
from stt_cli.fileio import NAME_MAX, atomic_write_text, check_name_fits, sha256_file, shown
from stt_cli.options import OutputFormat

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


def write_record(path: Path, record: Record, *, source: Path) -> None:
    """Write ``record`` (for the transcripts of ``source``) to ``path``, atomically, last of all the outputs.

    Its outputs should include those a person edited and stt left alone, with their old entries, so that they
    are still recognised as edited (and kept) next time.
    """
    from stt_cli import __version__

    data = {
        "record_version": RECORD_VERSION,
        "tool": f"stt {__version__}",
        "fingerprint": record.fingerprint,
        "input": {"path": os.fsencode(source).decode("utf-8", "backslashreplace"), "size_bytes": record.input_size,
                  "sha256": record.input_sha256},
        "outputs": {fmt: {"file": name, "sha256": digest} for fmt, (name, digest) in record.outputs.items()},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }  # fmt: skip
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")


@dataclass(frozen=True)
class Plan:
    """What to do for one input, decided before any work.

    Attributes:
        skip: everything asked for is current.
        write: the outputs to (re)write.
        kept: outputs a person edited that are left alone (their old record entries).
        aside: outputs to move aside before writing (``overwrite`` over edited or foreign files).
        warnings: what to tell the user about kept files.
    """

    skip: bool
    write: dict[OutputFormat, Path]
    kept: dict[str, tuple[str, str]]
    aside: tuple[Path, ...]
    warnings: tuple[str, ...]


def plan_outputs(
    source: Path,
    targets: dict[OutputFormat, Path],
    *,
    digest: str,
    overwrite: bool,
    protected: frozenset[tuple[int, int]],
) -> Plan:
    """Decide, before transcribing ``source``, which outputs to write and which to leave alone.

    ``protected`` holds ``(device, inode)`` of every input of the run: no output may ever replace one, nor
    any file that is a recording, and an output a person edited is never destroyed.

    Raises:
        OutputUnwritableError: an output's name is too long for the file system.
        OutputClashError: an output would replace an input or a recording.
        OutputEditedError: an output was edited (or not written by stt) and would have to be replaced.
    """
    record_file = record_path(source, next(iter(targets.values())).parent)
    for path in [*targets.values(), record_file]:
        try:
            check_name_fits(path)
        except OutputUnwritableError as e:
            raise e.for_input(source) from None
        _guard(protected, source, path)
        if path.is_dir():
            raise OutputUnwritableError(path, "a folder is in the way", source=source)
    record = read_record(record_file)
    states = {fmt: output_state(record, fmt.value, path) for fmt, path in targets.items()}
    for fmt, path in targets.items():
        if states[fmt] is OutputState.foreign and is_recording(path):
            raise OutputClashError(source, path, why="recording")
    changed = [fmt for fmt, s in states.items() if s in (OutputState.edited, OutputState.foreign)]
    if overwrite:
        return Plan(False, dict(targets), {}, tuple(targets[f] for f in changed), ())
    current = input_matches(record, source, digest)
    edited = [f for f in changed if states[f] is OutputState.edited]
    warnings = tuple(f"kept {shown(targets[f].name)}: it was changed since stt wrote it" for f in edited)
    if current and all(s in (OutputState.ours, OutputState.edited) for s in states.values()):
        return Plan(True, {}, {}, (), warnings)
    refused = next((f for f in changed if not current or states[f] is OutputState.foreign), None)
    if refused is not None:
        raise OutputEditedError(source, targets[refused], backup_path(targets[refused]))
    kept = {f.value: record.outputs[f.value] for f in edited} if record else {}
    return Plan(False, {f: p for f, p in targets.items() if f not in edited}, kept, (), warnings)


def _guard(protected: frozenset[tuple[int, int]], source: Path, target: Path) -> None:
    """Refuse an output path that is an input of this run (a recording named ``x.srt``, a summary named like
    the recording)."""
    with contextlib.suppress(OSError):
        info = target.stat()
        if (info.st_dev, info.st_ino) in protected:
            raise OutputClashError(source, target, why="input")


def is_recording(path: Path) -> bool:
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        return sniff.is_media_content(sniff.read_head(path))
    except OSError:
        return False


def backup_path(path: Path) -> Path:
    """Where an edited output is kept when ``overwrite`` replaces it: ``hearing.edited-<UTC time>.srt``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    stem, dot, ext = path.name.rpartition(".")
    return path.with_name(f"{stem}.edited-{stamp}{dot}{ext}" if dot else f"{path.name}.edited-{stamp}")
