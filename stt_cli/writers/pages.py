"""A transcript laid out as a court files it: numbered lines, a fixed number per page, so that "page 12, line 4"
means the same on every printer. Pure text layout (no document library): the DOCX writer draws these pages.

stt wraps the lines itself, in a monospaced font, rather than leaving it to the word processor: Word and
LibreOffice wrap the same paragraph differently, and a citation must not depend on which one opened the file.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from stt_cli.review.spans import overlapping
from stt_cli.types import RetryReason, Transcript
from stt_cli.writers.turns import speaker_turns

_WORDS = {
    "id": {
        "title": "TRANSKRIP PERSIDANGAN",
        "recording": "Rekaman",
        "started": "Mulai",
        "duration": "Durasi",
        "pause": "Jeda",
        "inaudible": "tidak terdengar jelas",
        "overlap": "bicara bersamaan",
        "certification": "PERNYATAAN",
        "end": "AKHIR TRANSKRIP",
        "h": "jam",
        "min": "menit",
        "s": "detik",
        "case_number": "Nomor perkara",
        "court": "Pengadilan",
        "judge": "Hakim",
        "parties": "Para pihak",
        "hearing_date": "Tanggal sidang",
        "place": "Tempat",
        "clerk": "Panitera",
        "prosecutor": "Penuntut umum",
        "defence": "Penasihat hukum",
        "agenda": "Agenda",
        "page": "halaman",
        "of": "dari",
    },
    "en": {
        "title": "TRANSCRIPT OF PROCEEDINGS",
        "recording": "Recording",
        "started": "Started",
        "duration": "Duration",
        "pause": "Pause",
        "inaudible": "inaudible",
        "overlap": "crosstalk",
        "certification": "CERTIFICATION",
        "end": "END OF TRANSCRIPT",
        "h": "h",
        "min": "min",
        "s": "s",
        "case_number": "Case number",
        "court": "Court",
        "judge": "Judge",
        "parties": "Parties",
        "hearing_date": "Hearing date",
        "place": "Place",
        "clerk": "Clerk",
        "prosecutor": "Prosecutor",
        "defence": "Defence counsel",
        "agenda": "Agenda",
        "page": "page",
        "of": "of",
    },
}
CERTIFICATION_KEYS = ("certification", "certified_by")


@dataclass(frozen=True)
class Line:
    """One numbered line: its text and, for a line that starts a turn, the time it starts at (seconds)."""

    text: str
    start: float | None = None


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[Line, ...]


def words_for(language: str) -> dict[str, str]:
    """The document's own words in the transcript's language (Indonesian or English)."""
    return _WORDS["id" if language in ("id", "ms") else "en"]


def lay_out(transcript: Transcript, *, width: int, lines_per_page: int, mark_pauses: float) -> list[Page]:
    """The transcript's numbered lines, ``width`` characters at most, cut into pages."""
    words = words_for(transcript.language)
    lines = _header(transcript, width, words) + _body(transcript, width, mark_pauses, words)
    lines += _certification(transcript, width, words)
    return [
        Page(number=i // lines_per_page + 1, lines=tuple(lines[i : i + lines_per_page]))
        for i in range(0, len(lines), lines_per_page)
    ]


def _wrap(text: str, width: int, start: float | None = None) -> list[Line]:
    pieces = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    return [Line(piece, start if i == 0 else None) for i, piece in enumerate(pieces)]


def _header(transcript: Transcript, width: int, words: dict[str, str]) -> list[Line]:
    case = transcript.case
    lines = [Line(words["title"].center(width).rstrip()), Line("")]
    for key, value in case.fields:
        if key in CERTIFICATION_KEYS:
            continue
        label = words.get(key, key.replace("_", " ").capitalize())
        lines += _wrap(f"{label}: {value}", width)
    name = transcript.input.path.replace("\\", "/").rsplit("/", 1)[-1]
    lines += _wrap(f"{words['recording']}: {name} (sha256 {transcript.input.sha256[:16]}…)", width)
    if case.start_time:
        lines += _wrap(f"{words['started']}: {case.start_time.replace('T', ' ')[:19]}", width)
    lines += [Line(f"{words['duration']}: {_length(transcript.duration, words)}"), Line("")]
    return lines


def _body(transcript: Transcript, width: int, mark_pauses: float, words: dict[str, str]) -> list[Line]:
    events = _markers(transcript, mark_pauses, words)
    lines: list[Line] = []
    previous_end = 0.0
    for turn in speaker_turns(transcript.segments):
        while events and events[0][0] <= turn.start:
            lines += _wrap(events.pop(0)[1], width)
        if mark_pauses and turn.start - previous_end >= mark_pauses and previous_end > 0:
            lines += _wrap(f"[{words['pause']} {_length(turn.start - previous_end, words)}]", width)
        name = transcript.speaker_name(turn.speaker)
        lead = f"[{transcript.case.clock(turn.start)}] " + (f"{name.upper()}: " if name else "")
        lines += _wrap(lead + turn.text, width, turn.start)
        previous_end = turn.end
    for _, text in events:
        lines += _wrap(text, width)
    lines += [Line(""), Line(f"[{words['end']}]".center(width).rstrip())]
    return lines


def _markers(transcript: Transcript, mark_pauses: float, words: dict[str, str]) -> list[tuple[float, str]]:
    """Moments a reader must be told of, in time order: speech heard but not recognised, and crosstalk."""
    clock = transcript.case.clock
    found = [
        (r.start, f"[{words['inaudible']} {clock(r.start)}–{clock(r.end)}]")
        for r in transcript.retries
        if r.reason is RetryReason.coverage and r.words == 0
    ]
    for turn, other in overlapping(transcript.turns):
        names = f"{transcript.speaker_name(turn.speaker)}, {transcript.speaker_name(other.speaker)}"
        found.append((other.start, f"[{words['overlap']} {clock(other.start)}: {names}]"))
    return sorted(found)


def _certification(transcript: Transcript, width: int, words: dict[str, str]) -> list[Line]:
    text, by = transcript.case.get("certification"), transcript.case.get("certified_by")
    if not text and not by:
        return []
    lines = [Line(""), Line(words["certification"])]
    lines += _wrap(text, width) if text else []
    if by:
        lines += [Line(""), Line(""), Line("_" * min(width, 30)), *_wrap(by, width)]
    return lines


def _length(seconds: float, words: dict[str, str]) -> str:
    whole = round(seconds)
    if whole >= 3600:
        return f"{whole // 3600} {words['h']} {whole % 3600 // 60} {words['min']} {whole % 60} {words['s']}"
    if whole >= 60:
        return f"{whole // 60} {words['min']} {whole % 60} {words['s']}"
    return f"{whole} {words['s']}"
