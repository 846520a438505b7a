"""A record's lines cited back to the recording: "page 12, lines 4 to 9" of the DOCX as the stretch of audio
they hold, who speaks in each, and the recording's sha256 (``stt cite``).

The lines are the DOCX's own: laid out again from the transcript JSON with the layout options it was written
with (``pages.lay_out`` is deterministic: the same transcript and options give the same pages), and, when the
DOCX is beside the JSON, checked line by line against what it holds, so a citation never points at other words
than the page shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import UsageError
from stt_cli.fileio import shown
from stt_cli.types import Transcript
from stt_cli.writers.docx import Geometry, xml_safe
from stt_cli.writers.pages import lay_out

_RANGE = re.compile(r"^\s*(\d+):(\d+)(?:\s*-\s*(?:(\d+):)?(\d+))?\s*$")


@dataclass(frozen=True)
class Cited:
    """One cited line: its page and line, its text, and the stretch it holds (seconds; ``None`` for a line
    that holds no speech: a header, a marker, a blank)."""

    page: int
    line: int
    text: str
    start: float | None
    end: float | None
    speaker: str | None


def parse_range(text: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """``12:4-12:9``, ``12:4-9`` or ``12:4`` as ``((page, line), (page, line))``.

    Raises:
        UsageError: not a page:line range, or one that ends before it starts.
    """
    found = _RANGE.match(text)
    if not found:
        raise UsageError(f"`range` {text!r}: give PAGE:LINE-PAGE:LINE, e.g. 12:4-12:9 (or 12:4-9, or 12:4)")
    page, line = int(found.group(1)), int(found.group(2))
    last_page = int(found.group(3)) if found.group(3) else page
    last_line = int(found.group(4)) if found.group(4) else line
    if (last_page, last_line) < (page, line) or page < 1 or line < 1:
        raise UsageError(f"`range` {text!r}: it must run forward from page 1, line 1")
    return (page, line), (last_page, last_line)


def cite(t: Transcript, first: tuple[int, int], last: tuple[int, int], *, lines_per_page: int,
         mark_pauses: float) -> list[Cited]:  # fmt: skip
    """The lines ``first`` to ``last`` of the transcript's DOCX laid out with these options.

    Raises:
        UsageError: the range is past the document's end, or a line past its page's.
    """
    geometry = Geometry.of(lines_per_page)
    pages = lay_out(t, width=geometry.width, lines_per_page=geometry.lines, mark_pauses=mark_pauses)
    for page, line in (first, last):
        if page > len(pages) or line > len(pages[page - 1].lines):
            size = f"{len(pages)} pages of {lines_per_page} lines; the last has {len(pages[-1].lines)}"
            raise UsageError(f"{page}:{line} is not in the document ({size})")
    return [
        Cited(p.number, n, line.text, line.start, line.end, t.speaker_name(line.speaker))
        for p in pages[first[0] - 1 : last[0]]
        for n, line in enumerate(p.lines, start=1)
        if first <= (p.number, n) <= last
    ]


def check_against(document: Path, cited: list[Cited]) -> None:
    """Raise unless the DOCX holds the cited lines at their page:line (it was laid out with these options).

    Raises:
        UsageError: it cannot be read, or a cited line differs.
    """
    import docx

    try:
        paragraphs = docx.Document(str(document)).paragraphs
    except Exception as e:  # python-docx raises several kinds for a damaged package
        raise UsageError(f"{shown(document)}: not a DOCX stt wrote ({type(e).__name__})") from None
    pages: list[list[str]] = []
    for paragraph in paragraphs:
        if not pages or paragraph.paragraph_format.page_break_before:
            pages.append([])
        pages[-1].append(paragraph.text)
    for line in cited:
        held = pages[line.page - 1] if line.page <= len(pages) else []
        there = held[line.line - 1] if line.line <= len(held) else ""
        if there[:2].strip() != str(line.line) or there[2:].strip() != xml_safe(line.text).strip():
            raise UsageError(
                f"{shown(document)} does not hold {line.page}:{line.line} as laid out now: it was written with "
                "other layout options (give its --lines-per-page and --mark-pauses) or edited"
            )
