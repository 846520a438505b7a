"""DOCX: the transcript a court files, written with python-docx from the pages of ``pages.py``.

Every line is its own paragraph in a monospaced font at an exact line height, with its number in the left
margin and a page break before each page's first line, so Word and LibreOffice show the same page:line for
every word. The running header carries the case number and "page X of Y" (Word fields); the footer names the
recording and its sha256. The file's bytes depend only on the transcript and the options: the package's dates
and the zip entries' times are fixed, so ``stt render`` gives the same file as ``stt transcribe``.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.pages import Page, lay_out, words_for

FONT = "Courier New"  # LibreOffice draws it with the metric-compatible Liberation Mono
FONT_POINTS = 12
CHAR_POINTS = 7.2  # a 12 pt Courier character is 0.6 em wide
LINE_POINTS = 24  # double spacing, as court transcripts are typed
A4 = (595.3, 841.9)  # points
LEFT, RIGHT, TOP = 90.0, 54.0, 90.0  # margins in points; the line numbers sit in the left one
NUMBER_POINTS = 36.0  # the gutter for the numbers, inside the left margin
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry times: the earliest a zip can hold


def text_width() -> int:
    """Characters per line that fit between the number gutter and the right margin, less one: a line that
    exactly fills the width wraps in some word processors (56 on A4)."""
    return int((A4[0] - LEFT - RIGHT - NUMBER_POINTS) / CHAR_POINTS) - 1


class DocxWriter(ResultWriter):
    extension = "docx"

    def render(self, transcript: Transcript) -> str:
        raise TypeError("DOCX is binary: use render_bytes")  # the base class's write uses render_bytes

    def render_bytes(self, transcript: Transcript, target: Path | None = None) -> bytes:
        pages = lay_out(
            transcript,
            width=text_width(),
            lines_per_page=self.options.lines_per_page,
            mark_pauses=self.options.mark_pauses,
        )
        return _fixed_zip(_document(transcript, pages, self.options.lines_per_page))


def _document(transcript: Transcript, pages: list[Page], lines_per_page: int) -> bytes:
    import docx
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    document = docx.Document()
    _page_setup(document, lines_per_page)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(FONT_POINTS)
    fmt = style.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(LINE_POINTS)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False  # a widow rule would move lines between pages and break page:line
    fmt.left_indent, fmt.first_line_indent = Pt(NUMBER_POINTS), Pt(-NUMBER_POINTS)
    body = document.paragraphs[0] if document.paragraphs else None
    first = True
    for page in pages:
        for number, line in enumerate(page.lines, start=1):
            paragraph = body if (first and body is not None) else document.add_paragraph()
            paragraph.add_run(f"{number:>2}".ljust(int(NUMBER_POINTS / CHAR_POINTS)) + line.text)
            if number == 1 and not first:
                paragraph.paragraph_format.page_break_before = True
            first = False
    _running_header(document, transcript)
    _properties(document, transcript)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_setup(document: Any, lines_per_page: int) -> None:
    from docx.shared import Pt

    section = document.sections[0]
    section.page_width, section.page_height = Pt(A4[0]), Pt(A4[1])
    section.left_margin, section.right_margin, section.top_margin = Pt(LEFT), Pt(RIGHT), Pt(TOP)
    # Room for exactly the page's lines and half a line more, so that no page ever holds fewer.
    section.bottom_margin = Pt(A4[1] - TOP - LINE_POINTS * (lines_per_page + 0.5))
    section.header_distance = section.footer_distance = Pt(36)


def _running_header(document: Any, transcript: Transcript) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    words = words_for(transcript.language)
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    case_number = transcript.case.get("case_number")
    header.add_run(f"{case_number} · " if case_number else "").font.size = Pt(9)
    header.add_run(f"{words['page']} ").font.size = Pt(9)
    _field(header, "PAGE")
    header.add_run(f" {words['of']} ").font.size = Pt(9)
    _field(header, "NUMPAGES")
    footer = section.footer.paragraphs[0]
    name = transcript.input.path.replace("\\", "/").rsplit("/", 1)[-1]
    tool = transcript.provenance.tool if transcript.provenance else "stt"
    footer.add_run(f"{name} · sha256 {transcript.input.sha256} · {tool}").font.size = Pt(7)


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) the word processor fills in."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    size = OxmlElement("w:rPr")
    points = OxmlElement("w:sz")
    points.set(qn("w:val"), "18")
    size.append(points)
    run.append(size)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _properties(document: Any, transcript: Transcript) -> None:
    words = words_for(transcript.language)
    properties = document.core_properties
    case_number = transcript.case.get("case_number")
    title = f"{words['title'].title()} {case_number}" if case_number else words["title"].title()
    # The core properties hold 255 characters; a case number joining several cases ("… jo. …") can be longer,
    # and the document itself shows it whole.
    properties.title = " ".join(title.split())[:255]
    properties.author = properties.last_modified_by = "stt"
    properties.comments = f"sha256 of the recording: {transcript.input.sha256}"
    made = transcript.provenance.finished_at if transcript.provenance else "2000-01-01T00:00:00+00:00"
    moment = datetime.fromisoformat(made.replace("Z", "+00:00")).replace(tzinfo=None, microsecond=0)
    properties.created = properties.modified = moment
    properties.revision = 1


def _fixed_zip(data: bytes) -> bytes:
    """The same package with every entry's time fixed, so equal documents are equal files."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return out.getvalue()
