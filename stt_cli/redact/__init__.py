"""A public copy of a record: the entries of ``--terms`` taken out of every format and covered in the audio, then
proven gone, or nothing public written at all.

1. ``terms.py`` reads what to take out; ``locate.py`` finds every place it is said (near spellings too).
2. ``text.py`` replaces those words at their own times and scrubs every other string of the record; the
   corrections and the audit trail are left out of the copy.
3. The audio is written whole with each stretch (and ``margin`` either side) silenced or toned
   (``media/excerpt.py``), its timeline kept, so every timecode of the copy holds in it.
4. Proof: every file of the copy is searched for every entry, and the copy's audio is transcribed again
   (``listen``) and searched too. A term that is not in the record, or one that survives, stops it all: the
   files are made in a hidden folder and only moved into place when every check passed.
5. The court's report (``<record>.redaction.tsv``, never in the public folder) lists every stretch taken out.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import RedactionError, UsageError
from stt_cli.options import OutputOptions
from stt_cli.redact.locate import Hit, locate, places, scrub
from stt_cli.redact.terms import Entry, EntryKind, read_terms
from stt_cli.redact.text import redact_words, scrub_value
from stt_cli.types import WORD_EDGE, Redaction, Transcript

__all__ = ["MARGIN", "CopyOptions", "PublicCopy", "Removed", "make_public_copy", "read_terms"]

# Seconds covered either side of each word taken out: a word's sound reaches beyond its times (WORD_EDGE, measured
# on this feature's test hearing). Transcribed again, no name was heard at any margin from 0, so being understood
# is not the bar; the syllable's edges are.
MARGIN = WORD_EDGE
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Removed:
    """One stretch taken out, for the court's report.

    Attributes:
        start, end: the words' own times (seconds).
        covered: the stretch of audio covered (with the margin), or ``None`` for a field of the record.
        line: the entry's line in the terms file.
        heard: what the record said there.
        written: what the copy says instead.
        how: ``exact``, ``near`` (a near spelling), ``time`` (a stretch by time) or ``field`` (a string of the
            record that is not its text: a speaker's name, a case detail, a setting).
    """

    start: float
    end: float
    covered: tuple[float, float] | None
    line: int
    heard: str
    written: str
    how: str


@dataclass(frozen=True)
class CopyOptions:
    """How a public copy is made.

    Attributes:
        recording: the record's recording (checked by the caller against its sha256); ``None``: text only.
        margin: seconds covered before and after each word taken out.
        tone: cover with a 1 kHz tone rather than silence.
        name: the copy's file name stem (default: the record's).
        report: where the court's report goes (default: ``<record>.redaction.tsv`` beside the record).
    """

    recording: Path | None = None
    margin: float = MARGIN
    tone: bool = False
    name: str | None = None
    report: Path | None = None


@dataclass(frozen=True)
class PublicCopy:
    """What ``make_public_copy`` wrote: the copy's transcript, its files (audio first, if any), the report."""

    transcript: Transcript
    files: tuple[Path, ...]
    removed: tuple[Removed, ...]
    report: Path


def make_public_copy(
    record: Path,
    entries: tuple[Entry, ...],
    folder: Path,
    output: OutputOptions,
    options: CopyOptions,
    listen: Callable[[Path], Transcript] | None,
) -> PublicCopy:
    """Write the public copy of the transcript JSON ``record`` into ``folder``.

    ``listen`` transcribes the copy's audio again for the proof (``None``: not listened, and the JSON says so).

    Raises:
        UsageError: the folder is the record's own, or the report would be inside it.
        RedactionError: an entry is not in the record, the copy's name holds one, or one survives in the
            copy's text or audio; nothing public was written.
        OutputUnwritableError: the folder cannot be written.
    """
    from stt_cli.fileio import sha256_file
    from stt_cli.review.history import now
    from stt_cli.writers.json import transcript_dict
    from stt_cli.writers.reading import read_transcript, transcript_from_dict

    t = read_transcript(record)
    recording, margin, tone = options.recording, options.margin, options.tone
    stem = options.name or record.stem
    report = options.report or record.with_name(f"{record.stem}.redaction.tsv")
    _check_places(record, folder, report)
    if scrub(stem, entries, t.language)[1]:
        raise RedactionError(f"the copy's file name {stem!r} holds a term: give it another with --name")
    found = places(t)
    hits = locate(found, entries)
    _all_found(entries, hits)
    spans = _covered(hits, margin, t.duration)
    removed = [_removed(h, spans, t.language) for h in hits]
    stage = folder / f".stt-redact-{os.getpid()}"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    try:
        audio = None
        public_input = dataclasses.replace(t.input, path=f"{stem}.flac" if recording else stem)
        if recording is not None:
            from stt_cli.media.excerpt import write_covered

            audio = stage / f"{stem}.flac"
            _, rate, channels = write_covered(recording, spans, audio, track=t.input.audio_track, tone=tone)
            public_input = dataclasses.replace(
                public_input, size_bytes=audio.stat().st_size, sha256=sha256_file(audio), container="flac",
                codec="flac", sample_rate=rate, channels=channels, audio_track=0, audio_tracks=1,
            )  # fmt: skip
        redaction = Redaction(
            record_sha256=sha256_file(record), recording_sha256=t.input.sha256, at=now(), spans=len(spans),
            seconds=sum(b - a for a, b in spans), audio="none" if audio is None else "tone" if tone else "silence",
            margin=margin, listened=listen is not None and audio is not None,
        )  # fmt: skip
        warning = (f"public copy: protected details taken out ({len(spans)} stretches); made from the record "
                   f"sha256 {redaction.record_sha256[:16]}…")  # fmt: skip
        drafted = dataclasses.replace(
            t, input=public_input, segments=redact_words(t, found, hits), corrections=(), edits=(),
            redaction=redaction, warnings=(*t.warnings, warning),
        )  # fmt: skip
        elsewhere: list[Hit] = []
        public = transcript_from_dict(scrub_value(transcript_dict(drafted), entries, t.language, elsewhere))
        removed += [Removed(0.0, 0.0, None, h.entry.line, h.heard, h.entry.written(t.language), "field")
                    for h in elsewhere]  # fmt: skip
        files = _write_formats(public, stage, stem, output)
        _nothing_left(files, entries, t.language)
        if audio is not None and listen is not None:
            _nothing_heard(listen(audio), entries, t.language)
        placed = [_place(f, folder) for f in ([audio] if audio else []) + files]
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    _write_report(report, removed, record)
    return PublicCopy(public, tuple(placed), tuple(removed), report)


def _check_places(record: Path, folder: Path, report: Path) -> None:
    if folder.resolve() == record.resolve().parent:
        raise UsageError(f"`output_dir` {folder} is the record's own folder: the public copy goes into another")
    if report.resolve().parent == folder.resolve():
        raise UsageError(
            f"the redaction report {report} would be in the public folder: it is for the court's file"
        )


def _all_found(entries: tuple[Entry, ...], hits: list[Hit]) -> None:
    """Fail closed on an entry said nowhere: it is misspelt, or the recogniser wrote it beyond recognition."""
    seen = {h.entry.line for h in hits}
    missing = [e for e in entries if e.kind is not EntryKind.time and e.line not in seen]
    if missing:
        listed = "; ".join(f"line {e.line} {e.shown!r}" for e in missing)
        raise RedactionError(f"not found in the transcript, so it cannot be taken out with confidence: {listed} "
                             "(add the spelling the transcript has, or a stretch @ START - END); nothing public "
                             "was written")  # fmt: skip


def _covered(hits: list[Hit], margin: float, duration: float) -> list[tuple[float, float]]:
    """The stretches of audio to cover: each hit's words with ``margin`` either side (a stretch by time as
    given, and its margin too), merged where they meet."""
    raw = []
    for h in hits:
        start, end = h.entry.span if h.entry.span is not None else (h.start, h.end)
        raw.append((max(0.0, min(start, h.start) - margin), min(duration, max(end, h.end) + margin)))
    merged: list[tuple[float, float]] = []
    for start, end in sorted(raw):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _removed(hit: Hit, spans: list[tuple[float, float]], language: str) -> Removed:
    covered = next((s for s in spans if s[0] <= hit.start and hit.end <= s[1]), None)
    how = "time" if hit.entry.kind is EntryKind.time else "exact" if hit.exact else "near"
    return Removed(hit.start, hit.end, covered, hit.entry.line, hit.heard, hit.entry.written(language), how)


def _write_formats(t: Transcript, stage: Path, stem: str, output: OutputOptions) -> list[Path]:
    from stt_cli.writers import WRITERS, get_writer

    return [get_writer(fmt, output).write(t, stage / f"{stem}.{WRITERS[fmt].extension}") for fmt in output.formats]


def file_text(path: Path) -> str:
    """The text a file of the copy holds, for the search: a DOCX's parts (body, headers, footers, properties)
    with their markup taken out; any other format as it is."""
    if path.suffix == ".docx":
        with zipfile.ZipFile(path) as z:
            parts = [z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml")]
        return " ".join(_TAGS.sub("", p.replace("</w:p>", " </w:p>")) for p in parts)
    return path.read_text(encoding="utf-8", errors="replace")


def _nothing_left(files: list[Path], entries: tuple[Entry, ...], language: str) -> None:
    for path in files:
        survivors = scrub(file_text(path), entries, language)[1]
        if survivors:
            h = survivors[0]
            raise RedactionError(f"{path.name}: line {h.entry.line} {h.entry.shown!r} is still there "
                                 f"({h.heard!r}); nothing public was written")  # fmt: skip


def _nothing_heard(heard: Transcript, entries: tuple[Entry, ...], language: str) -> None:
    """The copy's audio, transcribed again, says no entry (a near spelling of one counts)."""
    spoken = locate(places(heard), tuple(e for e in entries if e.kind is not EntryKind.time))
    if spoken:
        h = spoken[0]
        raise RedactionError(f"line {h.entry.line} {h.entry.shown!r} is still heard in the public audio at "
                             f"{h.start:.1f} s ({h.heard!r}): widen --margin, or take out a stretch there "
                             "(@ START - END); nothing public was written")  # fmt: skip


def _place(staged: Path, folder: Path) -> Path:
    target = folder / staged.name
    os.replace(staged, target)
    return target


def _write_report(report: Path, removed: list[Removed], record: Path) -> None:
    from stt_cli.fileio import atomic_write_text

    lines = ["start\tend\tcovered_from\tcovered_to\tline\thow\theard\twritten"]
    for r in sorted(removed, key=lambda r: (r.covered is None, r.start)):
        a, b = r.covered or ("", "")
        lines.append("\t".join([f"{r.start:.2f}", f"{r.end:.2f}", f"{a:.3f}" if a != "" else "",
                                f"{b:.3f}" if b != "" else "", str(r.line), r.how,
                                r.heard.replace("\t", " "), r.written]))  # fmt: skip
    atomic_write_text(report, f"# the stretches taken out of the public copy of {record.name}: for the court's "
                      "file only, never to be published\n" + "\n".join(lines) + "\n")  # fmt: skip
