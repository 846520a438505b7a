"""Transcripts kept for reuse, so a recording is recognised once: a rerun that only asks for another format, and
a byte-identical copy under another name, are rendered from the transcript already made.

Every finished file keeps its whole transcript beside its resume record, as a hidden
``.<stem>.stt.transcript.json`` (the JSON format, whether or not JSON was asked for), and the record holds its
sha256, the digest of the settings that shaped it, and the digest of those that shaped its words. It is used
again whole only when the recording's sha256, those settings and the kept file's own sha256 all match. When
only who speaks changed (the number of speakers, the voice library or its voices, a roster, the names), its
words are used again and the speakers found again on them (:func:`find_words`): recognition, the hour-long part,
does not run again. Anything else means transcribing again.

A transcript a person corrected (``stt edit``: its JSON has ``edits``) is the record: while it is the JSON
beside the recording and of this very recording (its sha256), every other format is rendered from it, whatever
the settings (only ``--overwrite`` transcribes again, and then keeps the corrected JSON aside).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
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


def keep(sidecars: Sidecars, transcript: Transcript, fingerprint: str, words: str) -> resume.Entry:
    """Write the transcript beside its record (atomically) and return the record's entry for it (``words``:
    the digest of the settings that shaped its words)."""
    path = sidecars.transcript
    atomic_write_text(path, transcript_json(transcript))
    return resume.Entry(path.name, sha256_file(path), fingerprint, words)


def find(content: resume.Content, sidecars: Sidecars, fingerprint: str) -> Reused | None:
    """A transcript of this very content made with these settings: the input's own (a rerun for other
    formats), else another input's in the same folder (a renamed or copied recording). The recording is hashed
    only when some record there keeps a transcript."""
    found = _kept(content, sidecars, lambda entry: entry.fingerprint == fingerprint)
    if found is None:
        return None
    transcript, other = found
    if other is None:
        return Reused(transcript, "rendered from its kept transcript: no speech recognition ran")
    note = (
        f"the same recording as {other} (sha256 {content.sha256()[:12]}…): its transcript was reused, not "
        "transcribed again"
    )
    return Reused(dataclasses.replace(transcript, warnings=(*transcript.warnings, note)), note)


def find_words(content: resume.Content, sidecars: Sidecars, words: str) -> Reused | None:
    """A transcript of this very content whose words were made with these settings (``words``: their digest),
    its speakers made with others: the caller finds the speakers again on its words."""
    found = _kept(content, sidecars, lambda entry: entry.words == words)
    if found is None:
        return None
    return Reused(found[0], "speakers found again on the words of its kept transcript: no speech recognition ran")


def _kept(
    content: resume.Content, sidecars: Sidecars, matches: Callable[[resume.Entry], bool]
) -> tuple[Transcript, str | None] | None:
    """The first kept transcript of this content whose entry ``matches``, as this input's (the input's own
    record first, then the others in its folder), and the other recording's path when it was another's."""
    source, record_file = content.path, sidecars.record
    records = [record_file, *sorted(p for p in record_file.parent.glob(RECORD_GLOB) if p != record_file)]
    found_records = [(path, resume.read_record(path)) for path in records]
    if not any(r is not None and r.transcript is not None for _, r in found_records):
        return None
    sha256 = content.sha256()
    for path, record in found_records:
        found = _usable(record, path.parent, matches, sha256)
        if found is not None:
            return _as_input(found, source), None if path == record_file else found.input.path
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


def _usable(
    record: resume.Record | None, folder: Path, matches: Callable[[resume.Entry], bool], sha256: str
) -> Transcript | None:
    if record is None or record.transcript is None or record.input_sha256 != sha256:
        return None
    entry = record.transcript
    path = folder / entry.file
    try:
        if not matches(entry) or sha256_file(path) != entry.sha256:
            return None
        return read_transcript(path)
    except (OSError, SttError):  # a kept transcript that cannot be read is simply not used
        return None


def _as_input(transcript: Transcript, source: Path) -> Transcript:
    return dataclasses.replace(transcript, input=dataclasses.replace(transcript.input, path=text_of(source)))
