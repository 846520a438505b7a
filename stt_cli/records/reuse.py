"""Transcripts kept for reuse, so a recording is recognised once: a rerun that only asks for another format, and
a byte-identical copy under another name, are rendered from the transcript already made.

Every finished file keeps its whole transcript beside its resume record, as a hidden
``.<stem>.stt.transcript.json`` (the JSON format, whether or not JSON was asked for), and the record holds its
sha256 and the digest of the settings that shaped it. It is used again only when the recording's sha256, those
settings and the kept file's own sha256 all match; anything else means transcribing again.

A transcript a person corrected (``stt edit``: its JSON has ``edits``) is the record: while it is the JSON
beside the recording and of this very recording (its sha256), every other format is rendered from it, whatever
the settings (only ``--overwrite`` transcribes again, and then keeps the corrected JSON aside).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import SttError
from stt_cli.fileio import atomic_write_text, sha256_file, text_of
from stt_cli.records import resume
from stt_cli.records.corrected import corrected_of
from stt_cli.records.sidecars import RECORD_GLOB, Sidecars
from stt_cli.types import Transcript
from stt_cli.writers.json import transcript_json
from stt_cli.writers.reading import read_transcript


@dataclass(frozen=True)
class Reused:
    """A transcript found for a recording, and what to tell the user about it."""

    transcript: Transcript
    note: str


def keep(sidecars: Sidecars, transcript: Transcript, fingerprint: str) -> resume.Entry:
    """Write the transcript beside its record (atomically) and return the record's entry for it."""
    path = sidecars.transcript
    atomic_write_text(path, transcript_json(transcript))
    return resume.Entry(path.name, sha256_file(path), fingerprint)


def find(content: resume.Content, sidecars: Sidecars, fingerprint: str) -> Reused | None:
    """A transcript of this very content made with these settings: the input's own (a rerun for other
    formats), else another input's in the same folder (a renamed or copied recording). The recording is hashed
    only when some record there keeps a transcript."""
    source, record_file = content.path, sidecars.record
    records = [record_file, *sorted(p for p in record_file.parent.glob(RECORD_GLOB) if p != record_file)]
    found_records = [(path, resume.read_record(path)) for path in records]
    if not any(r is not None and r.transcript is not None for _, r in found_records):
        return None
    sha256 = content.sha256()
    for path, record in found_records:
        found = _usable(record, path.parent, fingerprint, sha256)
        if found is None:
            continue
        if path == record_file:
            return Reused(_as_input(found, source), "rendered from its kept transcript: no speech recognition ran")
        note = (
            f"the same recording as {found.input.path} (sha256 {sha256[:12]}…): its transcript was reused, "
            "not transcribed again"
        )
        reused = _as_input(found, source)
        return Reused(dataclasses.replace(reused, warnings=(*reused.warnings, note)), note)
    return None


def corrected(json_path: Path, content: resume.Content) -> Reused | None:
    """The corrected transcript at ``json_path`` (where this recording's JSON goes), if it is one of this
    recording."""
    if not json_path.is_file() or (found := corrected_of(json_path, content.sha256())) is None:
        return None
    note = (
        f"rendered from {json_path.name} as corrected in stt edit (revision {found.revision}): no speech "
        "recognition ran"
    )
    return Reused(_as_input(found, content.path), note)


def _usable(record: resume.Record | None, folder: Path, fingerprint: str, sha256: str) -> Transcript | None:
    if record is None or record.transcript is None or record.input_sha256 != sha256:
        return None
    entry = record.transcript
    path = folder / entry.file
    try:
        if entry.fingerprint != fingerprint or sha256_file(path) != entry.sha256:
            return None
        return read_transcript(path)
    except (OSError, SttError):  # a kept transcript that cannot be read is simply not used
        return None


def _as_input(transcript: Transcript, source: Path) -> Transcript:
    return dataclasses.replace(transcript, input=dataclasses.replace(transcript.input, path=text_of(source)))
