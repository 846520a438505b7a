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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.pages import Page, lay_out, words_for

FONT = "Courier New"  # LibreOffice draws it with the metric-compatible Liberation Mono
FONT_POINTS = 12
EM_WIDTH = 0.6  # a Courier character is 0.6 em wide
LINE_POINTS = 24  # double spacing, as court transcripts are typed
A4 = (595.3, 841.9)  # points
LEFT, RIGHT, TOP = 90.0, 54.0, 90.0  # margins in points; the line numbers sit in the left one
LEAST_BOTTOM = 54.0  # points: the bottom margin never smaller, so the footer (recording, sha256) has its room
NUMBER_POINTS = 36.0  # the gutter for the numbers, inside the left margin
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entry times: the earliest a zip can hold


@dataclass(frozen=True)
class Geometry:
    """How a page holds ``lines`` numbered lines: double spacing in 12 pt as far as 28 lines a page fit; more
    lines a page are closer together, and their font smaller so a line is never taller than its pitch (at 60
    lines, 11.5 pt lines of 9.6 pt type). The bottom margin takes what is left, so a page holds exactly its
    lines in Word and LibreOffice (at 30-60 a page it once went negative, and LibreOffice drew 6 lines a page).

    Attributes:
        lines: numbered lines a page.
        pitch: points from one line to the next.
        font: the type's size in points.
    """

    lines: int
    pitch: float
    font: float

    @classmethod
    def of(cls, lines: int) -> Geometry:
        pitch = min(LINE_POINTS, (A4[1] - TOP - LEAST_BOTTOM) / (lines + 0.5))
        return cls(lines, pitch, min(FONT_POINTS, round(pitch / 1.2, 1)))

    @property
    def char(self) -> float:
        return self.font * EM_WIDTH

    @property
    def width(self) -> int:
        """Characters per line that fit between the number gutter and the right margin, less one: a line that
        exactly fills the width wraps in some word processors (56 on A4 at 12 pt)."""
        return int((A4[0] - LEFT - RIGHT - NUMBER_POINTS) / self.char) - 1

    @property
    def bottom(self) -> float:
        """The bottom margin: room for exactly the page's lines and half a line more, so no page holds fewer."""
        return A4[1] - TOP - self.pitch * (self.lines + 0.5)


def text_width(lines_per_page: int = 25) -> int:
    """Characters per line of a page of ``lines_per_page`` numbered lines."""
    return Geometry.of(lines_per_page).width


class DocxWriter(ResultWriter):
    extension = "docx"

    def render(self, transcript: Transcript) -> str:
        raise TypeError("DOCX is binary: use render_bytes")  # the base class's write uses render_bytes

    def render_bytes(self, transcript: Transcript, target: Path | None = None) -> bytes:
        geometry = Geometry.of(self.options.lines_per_page)
        pages = lay_out(
            transcript, width=geometry.width, lines_per_page=geometry.lines, mark_pauses=self.options.mark_pauses
        )
        return fixed_zip(_document(transcript, pages, geometry))


def _document(transcript: Transcript, pages: list[Page], geometry: Geometry) -> bytes:
    import docx
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    document = docx.Document()
    _page_setup(document, geometry)
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(geometry.font)
    fmt = style.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(geometry.pitch)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = False  # a widow rule would move lines between pages and break page:line
    fmt.left_indent, fmt.first_line_indent = Pt(NUMBER_POINTS), Pt(-NUMBER_POINTS)
    body = document.paragraphs[0] if document.paragraphs else None
    first = True
    for page in pages:
        for number, line in enumerate(page.lines, start=1):
            paragraph = body if (first and body is not None) else document.add_paragraph()
            paragraph.add_run(f"{number:>2}".ljust(int(NUMBER_POINTS / geometry.char)) + xml_safe(line.text))
            if number == 1 and not first:
                paragraph.paragraph_format.page_break_before = True
            first = False
    _running_header(document, transcript)
    _properties(document, transcript)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _page_setup(document: Any, geometry: Geometry) -> None:
    from docx.shared import Pt

    section = document.sections[0]
    section.page_width, section.page_height = Pt(A4[0]), Pt(A4[1])
    section.left_margin, section.right_margin, section.top_margin = Pt(LEFT), Pt(RIGHT), Pt(TOP)
    section.bottom_margin = Pt(geometry.bottom)
    section.header_distance = section.footer_distance = Pt(36)


def _running_header(document: Any, transcript: Transcript) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    words = words_for(transcript.language)
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    case_number = transcript.case.get("case_number")
    # One line, whatever the value holds (12 line breaks in it grew the header into every page's lines).
    shown = " ".join((case_number or "").split())
    shown = shown if len(shown) <= 70 else shown[:69] + "…"
    header.add_run(xml_safe(f"{shown} · ") if shown else "").font.size = Pt(9)
    header.add_run(f"{words['page']} ").font.size = Pt(9)
    add_field(header, "PAGE")
    header.add_run(f" {words['of']} ").font.size = Pt(9)
    add_field(header, "NUMPAGES")
    footer = section.footer.paragraphs[0]
    name = transcript.input.path.replace("\\", "/").rsplit("/", 1)[-1]
    tool = transcript.provenance.tool if transcript.provenance else "stt"
    footer.add_run(xml_safe(f"{name} · sha256 {transcript.input.sha256} · {tool}")).font.size = Pt(7)


def add_field(paragraph: Any, instruction: str, points: float = 9) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``, ``PAGEREF``) the word processor fills in, in ``points`` type."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    size = OxmlElement("w:rPr")
    half_points = OxmlElement("w:sz")
    half_points.set(qn("w:val"), str(round(points * 2)))
    size.append(half_points)
    run.append(size)
    text = OxmlElement("w:t")
    text.text = "1" if instruction in ("PAGE", "NUMPAGES") else "?"  # what shows until the field is updated
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


def xml_safe(text: str) -> str:
    """``text`` with what a document's XML cannot hold (control characters, lone surrogates) shown as U+FFFD:
    the reader checks a transcript's own text, and this keeps anything else from failing a whole document."""
    return "".join(
        "\ufffd"
        if (ord(ch) < 32 and ch not in "\t\n") or 0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff"
        else ch
        for ch in text
    )


def fixed_zip(data: bytes) -> bytes:
    """The same package with every entry's time fixed, so equal documents are equal files."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))
    return out.getvalue()
