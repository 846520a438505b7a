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
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from stt_cli.errors import OutputClashError, OutputEditedError, OutputUnwritableError
from stt_cli.fileio import atomic_write_text, check_name_fits, sha256_file, shown, text_of
from stt_cli.media import sniff
from stt_cli.options import OutputFormat
from stt_cli.records.corrected import corrected_of
from stt_cli.records.sidecars import backup_path
from stt_cli.version import TOOL

RECORD_VERSION = 1


class OutputState(StrEnum):
    missing = "missing"
    ours = "ours"  # exactly as stt wrote it
    edited = "edited"  # stt wrote it, someone changed it since
    foreign = "foreign"  # a file stt's record does not vouch for (not written by stt, or the record is gone)


@dataclass(frozen=True)
class Entry:
    """One output as stt wrote it: its name, its sha256 then, and the settings it was made with.

    ``words`` is for the kept transcript only: the digest of the settings that shape its words (not its
    speakers), so that a rerun that changes only who speaks finds the speakers again on them (see ``reuse``).
    """

    file: str
    sha256: str
    fingerprint: str
    words: str | None = None


@dataclass(frozen=True)
class Record:
    """What a record vouches for.

    Attributes:
        fingerprint: the settings digest of the last run that wrote (see :func:`fingerprint`).
        input_size: size of the transcribed bytes.
        input_sha256: their sha256.
        outputs: format -> the output as written. Outputs of earlier runs with other formats are carried
            over with their own settings, so that stt still knows them for its own.
        transcript: the whole transcript kept beside the record (see ``reuse``), its fingerprint being the
            digest of the settings that shape the transcript (not of those that only shape a format).
        duration: seconds of audio transcribed (for ``stt status``'s hours done).
        input_path: where the recording was, as given and made absolute (``None``: not known, a record made by
            ``stt render``), and as given: another recording of the same name (an SD card's ``REC001`` of
            another day) is told from this recording changed by it.
    """

    fingerprint: str
    input_size: int
    input_sha256: str
    outputs: dict[str, Entry]
    transcript: Entry | None = None
    duration: float | None = None
    input_path: str | None = None
    input_given: str | None = None

    def of_another_recording(self, source: Path) -> bool:
        """Whether the record is of another recording than ``source`` (by where it was), whatever its bytes."""
        if self.input_path is not None:
            return self.input_path != text_of(source.resolve())
        return self.input_given is not None and self.input_given != text_of(source)


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
        made_with = str(data["fingerprint"])
        outputs = {
            fmt: Entry(str(o["file"]), str(o["sha256"]), str(o.get("fingerprint", made_with)))
            for fmt, o in data["outputs"].items()
        }
        known, kept = data["input"], data.get("transcript")
        transcript = None
        if kept:
            words = kept.get("words")
            transcript = Entry(str(kept["file"]), str(kept["sha256"]), str(kept["fingerprint"]),
                               str(words) if words else None)  # fmt: skip
        duration = known.get("duration")
        where, given = known.get("absolute"), known.get("path")
        return Record(made_with, int(known["size_bytes"]), str(known["sha256"]), outputs, transcript,
                      None if duration is None else float(duration), None if where is None else str(where),
                      None if given is None else str(given))  # fmt: skip
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def same_recording(record: Record | None, content: Content) -> bool:
    """Whether ``record`` was made from this very content (size first, then the sha256 of every byte)."""
    if record is None:
        return False
    try:
        return content.size == record.input_size and content.sha256() == record.input_sha256
    except OSError:
        return False


class Content(Protocol):
    """A recording as the batch knows it: its path, its size, and its sha256, hashed at most once."""

    @property
    def path(self) -> Path: ...

    @property
    def size(self) -> int: ...

    def sha256(self) -> str: ...


def stamp(path: Path) -> tuple[int, int, int] | None:
    """A record file's ``(inode, size, mtime)``: a record written since (by another worker) has another."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def output_state(record: Record | None, fmt: str, path: Path) -> OutputState:
    """Whether ``path`` (the output for ``fmt``) is missing, stt's own, edited since, or someone else's."""
    try:
        if not path.exists():
            return OutputState.missing
        if record is None or fmt not in record.outputs or record.outputs[fmt].file != path.name:
            return OutputState.foreign
        if not path.is_file():
            return OutputState.foreign
        return OutputState.ours if sha256_file(path) == record.outputs[fmt].sha256 else OutputState.edited
    except OSError:
        return OutputState.foreign


def write_record(path: Path, record: Record, *, source: Path) -> None:
    """Write ``record`` (for the transcripts of ``source``) to ``path``, atomically, last of all the outputs.

    Its outputs should include those a person edited and stt left alone, with their old entries, so that they
    are still recognised as edited (and kept) next time.
    """
    data = {
        "record_version": RECORD_VERSION,
        "tool": TOOL,
        "fingerprint": record.fingerprint,
        "input": {"path": text_of(source), "absolute": record.input_path, "size_bytes": record.input_size,
                  "sha256": record.input_sha256, "duration": record.duration},
        "outputs": {fmt: {"file": e.file, "sha256": e.sha256, "fingerprint": e.fingerprint}
                    for fmt, e in record.outputs.items()},
        "transcript": None if record.transcript is None else {
            "file": record.transcript.file, "sha256": record.transcript.sha256,
            "fingerprint": record.transcript.fingerprint, "words": record.transcript.words},
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }  # fmt: skip
    atomic_write_text(path, json.dumps(data, indent=2) + "\n")


@dataclass(frozen=True)
class Plan:
    """What to do for one input, decided before any work.

    Attributes:
        skip: everything asked for is current.
        write: the outputs to (re)write.
        kept: record entries to carry over: outputs a person edited that are left alone, and stt's own outputs
            of earlier runs in formats not asked for this time.
        aside: outputs to move aside before writing (``overwrite`` over edited or foreign files).
        warnings: what to tell the user about kept files.
    """

    skip: bool
    write: dict[OutputFormat, Path]
    kept: dict[str, Entry]
    aside: tuple[Path, ...]
    warnings: tuple[str, ...]


def plan_outputs(
    content: Content,
    targets: dict[OutputFormat, Path],
    record_file: Path,
    *,
    digest: str,
    overwrite: bool,
    protected: frozenset[tuple[int, int]],
) -> Plan:
    """Decide, before transcribing ``source``, which outputs to write and which to leave alone, from what its
    record (``record_file``) says stt wrote.

    ``protected`` holds ``(device, inode)`` of every input of the run: no output may ever replace one, nor
    any file that is a recording, and an output a person edited is never destroyed.

    Raises:
        OutputUnwritableError: an output's name is too long for the file system.
        OutputClashError: an output would replace an input or a recording.
        OutputEditedError: an output was edited (or not written by stt) and would have to be replaced.
    """
    source = content.path
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
        if states[fmt] is OutputState.foreign and sniff.is_recording(path):
            raise OutputClashError(source, path, why="recording")
    same = same_recording(record, content)
    if record is not None and not same and record.of_another_recording(source):
        # Another recording of this name wrote here: its transcripts are not this one's to replace, even with
        # overwrite (a shared output folder fed from SD cards that each start at REC001).
        there = next((targets[f] for f, s in states.items() if s is not OutputState.missing), None)
        if there is not None:
            raise OutputClashError(source, there, why="recording_of", by=record.input_given or record.input_path)
    changed = [fmt for fmt, s in states.items() if s in (OutputState.edited, OutputState.foreign)]
    carried = _carried(record, record_file.parent, {f.value for f in targets})
    if overwrite:
        return Plan(False, dict(targets), carried, tuple(targets[f] for f in changed), ())

    def fresh(fmt: OutputFormat) -> bool:  # made from this recording with these settings
        return same and record is not None and record.outputs[fmt.value].fingerprint == digest

    keep = [f for f in targets if states[f] in (OutputState.ours, OutputState.edited) and fresh(f)]
    corrected = _corrected(content, targets, [f for f in changed if f not in keep])
    keep += corrected
    edited = [f for f in keep if states[f] is OutputState.edited or f in corrected]
    why = {f: "corrected in stt edit, it is the record" if f in corrected else "it was changed since stt wrote it"
           for f in edited}  # fmt: skip
    warnings = tuple(f"kept {shown(targets[f].name)}: {why[f]}" for f in edited)
    if len(keep) == len(targets):
        return Plan(True, {}, {}, (), warnings)
    refused = next((f for f in changed if f not in keep), None)
    if refused is not None:
        raise OutputEditedError(source, targets[refused], backup_path(targets[refused]))
    # A kept file keeps the entry it had (or none that vouches for it): it stays a person's, never replaced.
    kept = {**carried, **{f.value: _entry_of(record, f, targets[f]) for f in edited}}
    return Plan(False, {f: p for f, p in targets.items() if f not in edited}, kept, (), warnings)


def _corrected(
    content: Content, targets: dict[OutputFormat, Path], changed: list[OutputFormat]
) -> list[OutputFormat]:
    """The JSON among the changed outputs when it is a corrected transcript of this recording."""
    if OutputFormat.json not in changed or corrected_of(targets[OutputFormat.json], content.sha256()) is None:
        return []
    return [OutputFormat.json]


def _entry_of(record: Record | None, fmt: OutputFormat, path: Path) -> Entry:
    if record is not None and fmt.value in record.outputs:
        return record.outputs[fmt.value]
    return Entry(path.name, "", "")  # no sha256: the file is never taken for stt's own


def _carried(record: Record | None, folder: Path, asked: set[str]) -> dict[str, Entry]:
    """Entries of outputs an earlier run wrote in formats not asked for now, whose files are still there."""
    if record is None:
        return {}
    return {
        fmt: entry
        for fmt, entry in record.outputs.items()
        if fmt not in asked and output_state(record, fmt, folder / entry.file) is not OutputState.missing
    }


def _guard(protected: frozenset[tuple[int, int]], source: Path, target: Path) -> None:
    """Refuse an output path that is an input of this run (a recording named ``x.srt``, a summary named like
    the recording)."""
    with contextlib.suppress(OSError):
        info = target.stat()
        if (info.st_dev, info.st_ino) in protected:
            raise OutputClashError(source, target, why="input")
