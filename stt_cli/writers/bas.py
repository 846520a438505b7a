"""BAS, ``<stem>.bas.docx``: the berita acara persidangan an Indonesian court files, as a draft for the panitera
pengganti, written with python-docx.

Its parts follow the guides for panitera pengganti (the Badilag standard form and the courts' writing guides
the README names): the title "BERITA ACARA PERSIDANGAN", "Nomor: <case number>" and "Persidangan ke-n"; the
opening sentence (which court, sitting where, on which day and date, in which case); the bench and the officers
(*susunan persidangan*), each name with its office; who attended; the hearing opened and declared open to the
public; each witness's examination, their oath or affirmation, and the questions and answers in
question-and-answer form, each question with who asked it and each answer with the witness; the adjournment or
closing; "Demikian berita acara ini dibuat…"; the signatures of the panitera pengganti and the presiding judge.
What the recording cannot tell (a date, the accused's identity, a moment the transcript does not show) is a
marked placeholder for the clerk, never invented. A4, margins 4 cm left and 3 cm on the other sides, Arial
12 pt at 1.5 line spacing, page numbers in the footer: the usual form of Indonesian court documents.
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

from stt_cli.case import Participant
from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter
from stt_cli.writers.docx import add_field, fixed_zip, xml_safe
from stt_cli.writers.pages import corrections_line, mark_text, words_for
from stt_cli.writers.qa import Entry, Record, record_of
from stt_cli.writers.turns import paragraph_gap

_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
           "November", "Desember")  # fmt: skip
_OFFICERS = ("hakim_ketua", "hakim_anggota", "panitera_pengganti")
_PARTIES = ("penuntut_umum", "penasihat_hukum", "terdakwa", "penerjemah")
FONT = "Arial"  # LibreOffice draws it with the metric-compatible Liberation Sans


class BasWriter(ResultWriter):
    extension = "bas.docx"

    def render(self, transcript: Transcript) -> str:
        raise TypeError("BAS is binary: use render_bytes")

    def render_bytes(self, transcript: Transcript, target: Path | None = None) -> bytes:
        import docx

        document = docx.Document()
        _page(document)
        record = record_of(transcript, paragraph_gap(self.options.mark_pauses))
        _heading(document, transcript)
        _body(document, transcript, record)
        _closing(document, transcript, record)
        out = io.BytesIO()
        document.save(out)
        return fixed_zip(out.getvalue())


def _page(document: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin, section.top_margin, section.right_margin, section.bottom_margin = (
        Cm(4),
        Cm(3),
        Cm(3),
        Cm(3),
    )
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(12)
    style.paragraph_format.line_spacing = 1.5
    style.paragraph_format.space_after = Pt(0)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("- ")
    add_field(footer, "PAGE", points=11)
    footer.add_run(" -")


def _say(document: Any, *parts: tuple[str, str], align: str = "justify", indent: float = 0.0) -> Any:
    """A paragraph of runs, each ``(text, style)``: ``b`` bold, ``c`` a placeholder for the clerk, ``t`` a
    timecode, ``""`` plain."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
    from docx.shared import Cm, Pt, RGBColor

    paragraph = document.add_paragraph()
    paragraph.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                           "left": WD_ALIGN_PARAGRAPH.LEFT}[align]  # fmt: skip
    if indent:
        paragraph.paragraph_format.left_indent = Cm(indent)
    for text, style in parts:
        run = paragraph.add_run(xml_safe(text))
        run.bold = style == "b"
        if style == "c":
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
        if style == "t":
            run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x77, 0x77, 0x77)
    return paragraph


def _clerk(what: str) -> tuple[str, str]:
    return f"[{what}: diisi Panitera Pengganti]", "c"


def _heading(document: Any, t: Transcript) -> None:
    case = t.case
    _say(document, ("BERITA ACARA PERSIDANGAN", "b"), align="center")
    number = case.get("case_number")
    _say(document, ("Nomor: ", ""), (number, "") if number else _clerk("nomor perkara"), align="center")
    session = case.get("session")
    _say(document, ("Persidangan ke-", ""), (session, "") if session else _clerk("ke-"), align="center")
    _say(document, ("", ""))
    court = case.get("court")
    accused = [p.name for p in case.roster if p.role == "terdakwa"]
    _say(document, ("Persidangan ", ""), (court, "") if court else _clerk("nama pengadilan"),
         (" yang memeriksa dan mengadili perkara pada tingkat pertama, dilangsungkan di gedung yang ditentukan "
          "untuk itu, pada hari ", ""), *_day(t),
         (", dalam perkara terdakwa: ", ""), (", ".join(accused), "b") if accused else _clerk("nama terdakwa"),
         (".", ""))  # fmt: skip
    _say(document, ("", ""))
    _say(document, ("Susunan persidangan:", "b"), align="left")
    bench = [p for role in _OFFICERS for p in case.roster if p.role == role]
    for person in bench or [Participant("hakim_ketua", ""), Participant("panitera_pengganti", "")]:
        _officer(document, person)
    _say(document, ("", ""))
    present = [p for role in _PARTIES for p in case.roster if p.role == role]
    _say(document, ("Hadir pula: ", "b"),
         ("; ".join(f"{p.label.split(' (')[0]} {p.name}" for p in present) + "." if present
          else "[yang hadir: diisi Panitera Pengganti]", "" if present else "c"), align="left")  # fmt: skip


def _officer(document: Any, person: Participant) -> None:
    from docx.enum.text import WD_TAB_LEADER
    from docx.shared import Cm

    paragraph = _say(document, (person.name, "") if person.name else _clerk("nama"), align="left", indent=0.5)
    paragraph.paragraph_format.tab_stops.add_tab_stop(Cm(9.5), leader=WD_TAB_LEADER.DOTS)
    paragraph.add_run("\t" + person.label.split(" (")[0] + ";")


def _day(t: Transcript) -> list[tuple[str, str]]:
    """``Senin, tanggal 3 November 2026`` from the recording's start, else the clerk's to fill."""
    if t.case.start_time is None:
        return [_clerk("hari"), (", tanggal ", ""), _clerk("tanggal")]
    moment = datetime.fromisoformat(t.case.start_time)
    return [(f"{_DAYS[moment.weekday()]}, tanggal {moment.day} {_MONTHS[moment.month - 1]} {moment.year}", "")]


def _body(document: Any, t: Transcript, record: Record) -> None:
    clock = t.case.clock
    _say(document, ("", ""))
    if record.opened is not None:
        _say(document, (f"[{clock(record.opened)}] ", "t"),
             ("Persidangan dibuka dan dinyatakan terbuka untuk umum oleh Hakim Ketua.", ""))  # fmt: skip
    else:
        _say(document, ("Persidangan dibuka dan dinyatakan terbuka untuk umum oleh Hakim Ketua ", ""),
             ("[tidak terdengar dalam rekaman: periksa dan lengkapi]", "c"), (".", ""))  # fmt: skip
    marks = sorted((m.start, mark_text(t, m, words_for("id"))) for m in t.marks)
    witness = 0
    for entry in record.entries:
        while marks and marks[0][0] <= entry.start:
            _say(document, (marks.pop(0)[1], "c"))
        if entry.kind == "examined":
            witness += 1
            _examined(document, t, record, entry, witness)
        else:
            _said(document, t, entry)
    for _, text in marks:
        _say(document, (text, "c"))


def _examined(document: Any, t: Transcript, record: Record, entry: Entry, number: int) -> None:
    _say(document, ("", ""))
    paragraph = _say(document, (entry.who, "b"), align="left")
    paragraph.paragraph_format.keep_with_next = True  # a witness's name never ends a page alone
    _bookmark(paragraph, number)
    sworn = record.sworn.get(entry.who)
    if sworn is not None:
        oath = "Sebelum memberikan keterangan, telah bersumpah/berjanji menurut agama/kepercayaannya."
        sworn_line = _say(document, (f"[{t.case.clock(sworn)}] ", "t"), (oath, ""))
    else:
        missing = ("[sumpah/janji dan identitas tidak terdengar dalam rekaman: lengkapi]", "c")
        sworn_line = _say(document, ("Sebelum memberikan keterangan, ", ""), missing, (".", ""))
    sworn_line.paragraph_format.keep_with_next = True


def _said(document: Any, t: Transcript, entry: Entry) -> None:
    label = {"question": f"Pertanyaan {entry.who}", "answer": f"Jawaban {entry.who}",
             "statement": entry.who, "unknown": f"{entry.who} [pembicara belum dikenali]"}[entry.kind]  # fmt: skip
    style = "c" if entry.kind == "unknown" else "b"
    _say(document, (f"[{t.case.clock(entry.start)}] ", "t"), (f"{label}: ", style), (entry.text, ""))


def _closing(document: Any, t: Transcript, record: Record) -> None:
    _say(document, ("", ""))
    if record.adjourned is not None:
        at, how = record.adjourned
        _say(document, (f"[{t.case.clock(at)}] ", "t"), (f"Hakim Ketua menyatakan persidangan {how}", ""),
             *([(" sampai hari ", ""), _clerk("hari, tanggal dan acara sidang berikutnya")] if how == "ditunda"
               else []), (".", ""))  # fmt: skip
    else:
        _say(document, ("Persidangan ditunda/ditutup ", ""), ("[tidak terdengar dalam rekaman: lengkapi]", "c"),
             (".", ""))  # fmt: skip
    _index(document, record)
    if t.edits:
        _say(document, ("", ""))
        _say(document, (corrections_line(t, words_for("id")) + ".", ""))
    _say(document, ("", ""))
    _say(document, ("Demikian berita acara persidangan ini dibuat dengan sebenarnya dan ditandatangani oleh Hakim "
                    "Ketua dan Panitera Pengganti.", ""))  # fmt: skip
    _say(document, ("", ""))
    _signatures(document, t)


def _index(document: Any, record: Record) -> None:
    """The witnesses heard, in order, each with the page their examination starts on (a PAGEREF the word
    processor fills in)."""
    examinations = [e.who for e in record.entries if e.kind == "examined"]
    if not examinations:
        return
    _say(document, ("", ""))
    _say(document, ("Saksi yang didengar:", "b"), align="left")
    for place, who in enumerate(dict.fromkeys(examinations), start=1):  # each once, where first examined
        paragraph = _say(document, (f"{place}. {who}, halaman ", ""), align="left", indent=0.5)
        add_field(paragraph, f"PAGEREF saksi_{examinations.index(who) + 1} \\h", points=12)


def _signatures(document: Any, t: Transcript) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    def name(role: str) -> str:
        return next((p.name for p in t.case.roster if p.role == role), "") or "(" + "." * 30 + ")"

    table = document.add_table(rows=1, cols=2)
    offices = (("Panitera Pengganti,", "panitera_pengganti"), ("Hakim Ketua,", "hakim_ketua"))
    for cell, (office, role) in zip(table.rows[0].cells, offices, strict=True):
        cell.paragraphs[0].text = office
        for _ in range(4):
            cell.add_paragraph("")
        signed = cell.add_paragraph(xml_safe(name(role)))
        signed.runs[0].bold = True
        for paragraph in cell.paragraphs:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _bookmark(paragraph: Any, number: int) -> None:
    """``saksi_<number>``: where the index's page reference points."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), f"saksi_{number}")
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)
