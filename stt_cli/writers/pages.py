"""A transcript laid out as a court files it: numbered lines, a fixed number per page, so that "page 12, line 4"
means the same on every printer. Pure text layout (no document library): the DOCX writer draws these pages.

stt wraps the lines itself, in a monospaced font, rather than leaving it to the word processor: Word and
LibreOffice wrap the same paragraph differently, and a citation must not depend on which one opened the file.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass

from stt_cli.case import ANSWERING
from stt_cli.languages import document_language
from stt_cli.review.spans import overlapping
from stt_cli.types import Mark, RetryReason, Transcript
from stt_cli.writers.turns import Turn, paragraph_gap, speaker_turns

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
        "note": "Catatan",
        "date": "Tanggal",
        "crosstalk": "bicara bersamaan",
        "index": "INDEKS",
        "witnesses": "Saksi, ahli dan terdakwa, dalam urutan didengar",
        "pauses": "Jeda dan bagian tidak terdengar",
        "corrected": "Dikoreksi",
        "corrected_by": "{n} perubahan oleh {who} (revisi {revision}, terakhir {last} UTC), sambil mendengarkan "
        "rekaman",
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
        "note": "Note",
        "date": "Date",
        "crosstalk": "crosstalk",
        "index": "INDEX",
        "witnesses": "Witnesses, experts and the accused, in the order heard",
        "pauses": "Recesses and inaudible passages",
        "corrected": "Corrected",
        "corrected_by": "{n} changes by {who} (revision {revision}, last {last} UTC), listening to the recording",
    },
}
CERTIFICATION_KEYS = ("certification", "certified_by")


@dataclass(frozen=True)
class Line:
    """One numbered line: its text and, for a line of speech, the stretch of the recording it holds (seconds:
    from its first word's start to its last word's end) and who speaks (the speaker id): what ``stt cite``
    gives for a page:line."""

    text: str
    start: float | None = None
    end: float | None = None
    speaker: str | None = None


@dataclass(frozen=True)
class Page:
    number: int
    lines: tuple[Line, ...]


def words_for(language: str) -> dict[str, str]:
    """The document's own words in the transcript's language (Indonesian or English)."""
    return _WORDS[document_language(language)]


def lay_out(transcript: Transcript, *, width: int, lines_per_page: int, mark_pauses: float) -> list[Page]:
    """The transcript's numbered lines, ``width`` columns at most, cut into pages."""
    words = words_for(transcript.language)
    lines = _header(transcript, width, words) + _body(transcript, width, mark_pauses, words)
    certification = _certification(transcript, width, words)
    if not certification:
        lines = _end_not_alone(lines, lines_per_page)
    lines += certification
    pages = _paged(lines, lines_per_page, 0)
    index = _index(transcript, pages, width, words)
    return pages + _paged(index, lines_per_page, len(pages)) if index else pages


def _paged(lines: list[Line], lines_per_page: int, before: int) -> list[Page]:
    return [
        Page(number=before + i // lines_per_page + 1, lines=tuple(lines[i : i + lines_per_page]))
        for i in range(0, len(lines), lines_per_page)
    ]


def _index(transcript: Transcript, pages: list[Page], width: int, words: dict[str, str]) -> list[Line]:
    """With a roster: the people examined in the order heard, each at the page:line where their testimony starts,
    and the recesses and inaudible passages at theirs; on pages of its own after the transcript's (so the
    transcript's own page:line never move)."""
    if not any(s.role in ANSWERING for s in transcript.speakers):
        return []
    examined = {s.id for s in transcript.speakers if s.role in ANSWERING}
    heard: dict[str, str] = {}
    passages: list[tuple[str, str]] = []
    marked = (f"[{words['pause']} ", f"[{words['inaudible']} ")
    for page in pages:
        for number, line in enumerate(page.lines, start=1):
            if line.speaker in examined and line.speaker not in heard and line.text.startswith("["):
                heard[line.speaker] = f"{page.number}:{number}"
            elif line.text.startswith(marked):
                passages.append((line.text.strip("[]"), f"{page.number}:{number}"))
    rows = [(transcript.speaker_name(who) or who, at) for who, at in heard.items()]

    def listed(title: str, entries: list[tuple[str, str]]) -> list[Line]:
        dotted = [Line(f"{text} ".ljust(width - len(at) - 1, ".") + f" {at}") for text, at in entries]
        return [Line(title), *dotted, Line("")] if entries else []

    title = [Line(words["index"].center(width).rstrip()), Line("")]
    return title + listed(words["witnesses"], rows) + listed(words["pauses"], passages)


def _end_not_alone(lines: list[Line], lines_per_page: int) -> list[Line]:
    """The end marker never alone on the last page (``[..., last words, blank, marker]``): when it would be a
    page's first line, the blank line before it goes and it ends the page before, under the last words; when the
    blank line would be, the last words move down to the marker's page (the blank line taking their place)."""
    where = (len(lines) - 1) % lines_per_page
    if lines[-2].text or where > 1 or len(lines) < 3:
        return lines
    if where == 0:
        return [*lines[:-2], lines[-1]]
    return [*lines[:-3], lines[-2], lines[-3], lines[-1]]


def _spoken(lead: str, turn: Turn, width: int) -> list[Line]:
    """A turn's lines, each with the times of the words it holds (its lead, timecode and name, holds none).

    The lines are broken at spaces and a word never holds one, so each line's words are the next ones in the
    turn, as many as the line has (a word cut across lines, longer than a line, is counted where it starts).
    """
    pieces = wrap_columns(lead + turn.text, width)
    words = [w for s in turn.segments for w in s.words if w.text.strip()]
    if not words:
        return [Line(p, turn.start, turn.end, turn.speaker) for p in pieces]
    lines, taken, skip = [], 0, len(lead.split())
    for piece in pieces:
        count = len(piece.split())
        used, skip = max(0, count - skip), max(0, skip - count)
        mine = words[taken : taken + used] or [words[min(taken, len(words) - 1)]]
        taken += used
        lines.append(Line(piece, mine[0].start, mine[-1].end, turn.speaker))
    return lines


def _wrap(text: str, width: int, start: float | None = None) -> list[Line]:
    pieces = wrap_columns(text, width)
    return [Line(piece, start if i == 0 else None) for i, piece in enumerate(pieces)]


def columns(text: str) -> int:
    """The columns a monospaced page gives ``text``: 2 for a wide character (CJK, most emoji), which the word
    processor draws about twice as wide as a Courier letter, 0 for a combining mark, else 1."""
    return sum(_width(ch) for ch in text)


def _width(ch: str) -> int:
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def wrap_columns(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns (:func:`columns`), broken at spaces, and between two
    wide characters (Chinese and Japanese are written without spaces); a word longer than a line is broken.
    Text of one-column characters only is wrapped as :func:`textwrap.wrap` does, byte for byte."""
    if all(_width(ch) == 1 for ch in text):
        return textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    lines: list[str] = []
    line, gap = "", False
    for token in re.findall(r"\s+|[^\s]", text):
        if token.isspace():
            gap = bool(line)
            continue
        joined = f"{line} {token}" if gap else line + token
        if columns(joined) <= width:
            line, gap = joined, False
            continue
        if line:
            lines.append(line)
        line, gap = token, False
    if line:
        lines.append(line)
    return _rejoin_words(lines, width) or [""]


def _rejoin_words(lines: list[str], width: int) -> list[str]:
    """Lines built character by character, with narrow words kept whole where a line can hold them: a Latin
    word in CJK text moves to the next line rather than being cut (a word longer than a line is cut)."""
    out: list[str] = []
    for line in lines:
        if out and line and line[0].isalnum() and _width(line[0]) == 1 and out[-1] and out[-1][-1].isalnum():
            head, _, tail = out[-1].rpartition(" ")
            word = tail if head else ""
            if word and _width(word[-1]) == 1 and columns(word + line) <= width:
                out[-1] = head
                line = word + line
        out.append(line)
    return [x for x in out if x] or [""]


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
    lines += [Line(f"{words['duration']}: {_length(transcript.duration, words)}")]
    lines += _wrap(corrections_line(transcript, words), width) if transcript.edits else []
    for warning in transcript.warnings:  # what the reader must know: a truncated recording, no speech found
        lines += _wrap(f"{words['note']}: {warning}", width)
    return [*lines, Line("")]


def _body(transcript: Transcript, width: int, mark_pauses: float, words: dict[str, str]) -> list[Line]:
    events = _markers(transcript, mark_pauses, words)
    lines: list[Line] = []
    previous_end = 0.0
    for turn in speaker_turns(transcript.segments, paragraph_gap(mark_pauses)):
        while events and events[0][0] <= turn.start:
            lines += _wrap(events.pop(0)[1], width)
        if mark_pauses and turn.start - previous_end >= mark_pauses and previous_end > 0:
            lines += _wrap(f"[{words['pause']} {_length(turn.start - previous_end, words)}]", width)
        name = transcript.speaker_name(turn.speaker)
        lead = f"[{transcript.case.clock(turn.start)}] " + (f"{name.upper()}: " if name else "")
        lines += _spoken(lead, turn, width)
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
    found += [(m.start, mark_text(transcript, m, words)) for m in transcript.marks]
    return sorted(found)


def mark_text(transcript: Transcript, mark: Mark, words: dict[str, str]) -> str:
    """A stretch a person marked, as the documents print it (``[inaudible 10:02:03`` to ``10:02:05]``)."""
    clock = transcript.case.clock
    return f"[{words[mark.kind.value]} {clock(mark.start)}–{clock(mark.end)}]"


def corrections_line(transcript: Transcript, words: dict[str, str]) -> str:
    """What a person changed, for the header and the certification: how many changes, by whom, the last when."""
    who = ", ".join(dict.fromkeys(e.editor for e in transcript.edits))
    last = transcript.edits[-1].at.replace("T", " ").removesuffix("Z")[:16]
    told = words["corrected_by"].format(n=len(transcript.edits), who=who, revision=transcript.revision, last=last)
    return f"{words['corrected']}: {told}"


def _certification(transcript: Transcript, width: int, words: dict[str, str]) -> list[Line]:
    text, by = transcript.case.get("certification"), transcript.case.get("certified_by")
    if not text and not by:
        return []
    lines = [Line(""), Line(words["certification"])]
    lines += _wrap(text, width) if text else []
    lines += _wrap(corrections_line(transcript, words), width) if transcript.edits else []
    if by:
        lines += [Line(""), Line(""), Line("_" * min(width, 30)), *_wrap(by, width)]
    on = transcript.case.get("certified_on")
    lines += [Line(""), Line(f"{words['date']}: {on}" if on else f"{words['date']}: {'_' * min(width - 10, 20)}")]
    return lines


def _length(seconds: float, words: dict[str, str]) -> str:
    whole = round(seconds)
    if whole >= 3600:
        return f"{whole // 3600} {words['h']} {whole % 3600 // 60} {words['min']} {whole % 60} {words['s']}"
    if whole >= 60:
        return f"{whole // 60} {words['min']} {whole % 60} {words['s']}"
    return f"{whole} {words['s']}"
