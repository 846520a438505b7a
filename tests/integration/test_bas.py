"""The berita acara persidangan (``-f bas``) of a real five-person hearing built from the Indonesian Common Voice
voices (the presiding judge, the prosecutor, counsel, two witnesses), transcribed with its roster by the real
model and the bundled diarization. The clerk names each speaker from the roster as ``stt edit`` does (the
``cast`` change, here from who really spoke); the BAS is then read back with python-docx and drawn as pages by
LibreOffice."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter

import pytest

from stt_cli.review.history import History
from stt_cli.writers.reading import read_transcript
from tests.support.cli import stt
from tests.support.hearings import build, clips, who_said

# Voices chosen apart: two of the corpus's voices are close enough that the diarization mixes them when they
# are the judge and the prosecutor; as the judge and a witness heard later they stay apart.
CAST = {"judge": "84d1fe116b60", "w1": "7154a5b04bd2", "prosecutor": "8eb6a0f8aa44", "counsel": "08b1f63d9c8e",
        "w2": "6013e4afd967"}  # fmt: skip
ORDER = ["judge", "prosecutor", "counsel", "judge", "w1", "judge", "w1", "prosecutor", "w1", "counsel", "w1",
         "judge", "w2", "prosecutor", "w2", "counsel", "w2", "judge"]  # fmt: skip
ROSTER = """
[[participant]]
role = "hakim_ketua"
name = "Dr. Siti Rahma, S.H., M.H."
[[participant]]
role = "panitera_pengganti"
name = "Rina Marlina, S.H."
speaks = false
[[participant]]
role = "penuntut_umum"
name = "Agus Wibowo, S.H."
[[participant]]
role = "penasihat_hukum"
name = "Maria Ulfa, S.H."
[[participant]]
role = "terdakwa"
name = "Joko Susilo"
speaks = false
[[participant]]
role = "saksi"
name = "Budi Santoso"
order = 1
[[participant]]
role = "saksi"
name = "Dewi Lestari"
order = 2
"""
PEOPLE = {"judge": 0, "prosecutor": 2, "counsel": 3, "w1": 5, "w2": 6}  # who -> roster index
START = "2026-11-03T09:12:00"


@pytest.fixture(scope="module")
def bas(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bas")
    voices = {who: iter(clips(voice)) for who, voice in CAST.items()}
    said = build(folder / "sidang.wav", [(who, next(voices[who])) for who in ORDER])
    (folder / "roster.toml").write_text(ROSTER, encoding="utf-8")
    result = stt("transcribe", folder / "sidang.wav", "--diarize", "-l", "id", "-f", "json", "--roster",
                 folder / "roster.toml", "--start-time", START, "--meta", "case_number=123/Pid.B/2026/PN Jkt.Pst",
                 "--meta", "court=Pengadilan Negeri Jakarta Pusat", "--meta", "session=3", "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    transcript = read_transcript(folder / "sidang.json")
    assert len(transcript.speakers) == 5  # the roster's five who speak
    # The clerk, who was there, names each speaker from the roster (the editor's "Is …" menu).
    history = History(folder / "sidang.json", 10.0)
    for speaker in transcript.speakers:
        heard = Counter(who_said(said, s.start, s.end) for s in transcript.segments if s.speaker == speaker.id)
        who = heard.most_common(1)[0][0]
        history.save(history.revision, {"op": "cast", "speaker": speaker.id, "participant": PEOPLE[who]}, "Rina")
    history.close()
    result = stt("render", folder / "sidang.json", "-f", "bas,docx", "-q")
    assert result.exit_code == 0, result.output
    return folder / "sidang.bas.docx", said


def _paragraphs(path) -> list[str]:
    import docx

    return [p.text for p in docx.Document(str(path)).paragraphs]


def test_the_bas_has_its_heading_the_bench_and_the_parties(bas):
    text = "\n".join(_paragraphs(bas[0]))
    for expected in ("BERITA ACARA PERSIDANGAN", "Nomor: 123/Pid.B/2026/PN Jkt.Pst", "Persidangan ke-3",
                     "Persidangan Pengadilan Negeri Jakarta Pusat yang memeriksa dan mengadili",
                     "pada hari Selasa, tanggal 3 November 2026", "dalam perkara terdakwa: Joko Susilo",
                     "Dr. Siti Rahma, S.H., M.H.\tHakim Ketua;", "Rina Marlina, S.H.\tPanitera Pengganti;",
                     "Hadir pula: Penuntut Umum Agus Wibowo, S.H.; Penasihat Hukum Maria Ulfa, S.H.; Terdakwa "
                     "Joko Susilo.",
                     "Demikian berita acara persidangan ini dibuat dengan sebenarnya"):  # fmt: skip
        assert expected in text, expected
    # What the recording does not say is left, marked, for the clerk: never made up.
    assert "[tidak terdengar dalam rekaman: periksa dan lengkapi]" in text
    assert "Dikoreksi: 5 perubahan oleh Rina" in text


def test_every_answer_is_the_witness_s_and_every_question_says_who_asked(bas):
    path, said = bas
    lines = _paragraphs(path)
    first = lines.index("Saksi 1 (Budi Santoso)")
    second = len(lines) - 1 - lines[::-1].index("Saksi 2 (Dewi Lestari)")  # (a slip of the diarization may
    assert first < second  # give witness 2 a turn early; the record then shows that examination as it was)
    entries = [(m.group(1), m.group(2), m.group(3)) for line in lines
               if (m := re.match(r"\[(\d\d:\d\d:\d\d)\] (Pertanyaan|Jawaban) ([^:]+): ", line))]  # fmt: skip
    answers = [(clock, who) for clock, kind, who in entries if kind == "Jawaban"]
    questions = [who for _, kind, who in entries if kind == "Pertanyaan"]
    assert len(answers) >= 7 and questions
    assert set(questions) <= {"Hakim Ketua", "Penuntut Umum", "Penasihat Hukum"}
    transcript = read_transcript(path.with_name("sidang.json"))
    right = 0
    for clock, who in answers:
        # The record says what the corrected transcript says: the answer is its speaker's, named by the clerk.
        # (Its segment is the one that starts in the printed second: a question ending just before it is not.)
        answer = next((s for s in transcript.segments
                       if transcript.case.clock(s.start) == clock and transcript.speaker_name(s.speaker) == who),
                      None)  # fmt: skip
        assert answer is not None, (clock, who)
        truth = who_said(said, answer.start, answer.end)
        right += {"w1": "Saksi 1 (Budi Santoso)", "w2": "Saksi 2 (Dewi Lestari)"}.get(truth or "") == who
    # Against who really spoke: 7 of 7 answers measured (6 of 8 with the diarization before issue 27, which gave
    # a turn of counsel to the second witness); the bound leaves room for another CPU's slips on these 3-5 s read
    # clips of five voices. The record shows them as heard.
    assert right >= 0.6 * len(answers)
    # In question-and-answer order: each answer is in its witness's examination, after its heading.
    heading = None
    for line in lines:
        if line in ("Saksi 1 (Budi Santoso)", "Saksi 2 (Dewi Lestari)"):
            heading = line
        elif " Jawaban " in line:
            assert heading is not None and f"Jawaban {heading}: " in line


def test_the_bas_signs_and_numbers_its_pages(bas, tmp_path):
    import docx

    document = docx.Document(str(bas[0]))
    cells = [c.text for c in document.tables[0].rows[0].cells]
    assert cells[0].startswith("Panitera Pengganti,") and cells[0].endswith("Rina Marlina, S.H.")
    assert cells[1].startswith("Hakim Ketua,") and cells[1].endswith("Dr. Siti Rahma, S.H., M.H.")
    assert "PAGE" in document.sections[0].footer._element.xml
    section = document.sections[0]
    assert (round(section.left_margin.cm), round(section.right_margin.cm), round(section.top_margin.cm)) == (
        4,
        3,
        3,
    )
    if not shutil.which("soffice") or not shutil.which("pdftoppm"):
        pytest.skip("needs LibreOffice and poppler to draw the pages")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(bas[0])],
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    pdf = tmp_path / "sidang.bas.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) >= 2 and re.search(r"-\s*2\s*-", text)  # numbered pages
    found = re.search(r"\d\. Saksi 1 \(Budi Santoso\), halaman (\d+)", text)
    assert found and 1 <= int(found.group(1)) <= len(pages)  # the index's page reference, filled in
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    assert sorted(p.name for p in tmp_path.glob("page-*.png"))  # looked at while building the layout


def test_the_docx_indexes_the_witnesses_at_the_page_and_line_their_testimony_starts(bas):
    lines = _paragraphs(bas[0].with_name("sidang.docx"))
    pages: list[list[str]] = [[]]
    import docx

    for paragraph in docx.Document(str(bas[0].with_name("sidang.docx"))).paragraphs:
        if paragraph.paragraph_format.page_break_before:
            pages.append([])
        pages[-1].append(paragraph.text[2:].strip())
    assert any(line.strip().endswith("INDEKS") for line in lines)
    for witness in ("Saksi 1 (Budi Santoso)", "Saksi 2 (Dewi Lestari)"):
        row = next(line for line in lines if witness in line and "...." in line)
        page, number = map(int, row.rsplit(" ", 1)[1].split(":"))
        assert re.match(rf"\[\d\d:\d\d:\d\d\] {re.escape(witness.upper())}: ", pages[page - 1][number - 1])
