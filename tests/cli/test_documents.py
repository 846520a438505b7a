"""The document a court files: DOCX with the case header, speaker turns with timecodes, and 25 numbered lines a
page, read back with python-docx and drawn by LibreOffice; TXT with timecodes; case details and start times."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from stt_cli.media.decode import load_audio
from tests.support.cli import error_lines, stt
from tests.support.media import write_tracks
from tests.support.rooms import microphones

FAST = ["--model", "tiny.en"]
LIBRISPEECH = Path(__file__).resolve().parent.parent / "data" / "en_librispeech"
CLIPS = ["1089-134686-0000.flac", "61-70968-0000.flac", "1089-134691-0000.flac", "61-70968-0000.flac"]
CASE = 'case_number = "123/Pid.B/2026/PN Jkt.Pst"\ncourt = "Central Jakarta District Court"\njudge = "Ahmad"\n'


def _hearing(folder: Path, name: str = "hearing.mp4", created: str | None = None) -> Path:
    """Two microphones, two LibriSpeech readers taking turns (about 45 s), in an MP4 a recorder could write."""
    turns = [(i % 2, load_audio(LIBRISPEECH / clip).samples) for i, clip in enumerate(CLIPS)]
    signal, _ = microphones(turns, 2, gap=3.0)
    path = write_tracks(folder / name, [signal], codec="aac", rate=16_000, layout="stereo")
    if created:
        tagged = path.with_name("tagged" + path.suffix)
        import av

        with av.open(str(path)) as source, av.open(str(tagged), "w") as target:
            target.metadata["creation_time"] = created
            stream = target.add_stream_from_template(source.streams.audio[0])
            for packet in source.demux(source.streams.audio[0]):
                if packet.dts is not None:
                    packet.stream = stream
                    target.mux(packet)
        tagged.replace(path)
    return path


@pytest.fixture(scope="module")
def filed(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("filed")
    path = _hearing(folder)
    (folder / "hearing.meta.toml").write_text(CASE + 'certified_by = "Rina, clerk"\n', encoding="utf-8")
    result = stt("transcribe", path, *FAST, "--channel-speakers", "Judge,Witness", "-f", "json,docx,txt", "-q",
                 "--timecodes", "--start-time", "2026-11-03T09:12:00", "--mark-pauses", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


def _lines(document: docx.Document) -> list[list[str]]:
    """The document's pages, as the text of their numbered lines."""
    pages: list[list[str]] = []
    for paragraph in document.paragraphs:
        if not pages or paragraph.paragraph_format.page_break_before:
            pages.append([])
        pages[-1].append(paragraph.text)
    return pages


def test_the_document_has_the_case_header_numbered_lines_and_timed_turns(filed):
    document = docx.Document(str(filed / "hearing.docx"))
    pages = _lines(document)
    assert len(pages) >= 2
    for page in pages:
        numbers = [int(line[:2]) for line in page]
        assert numbers == list(range(1, len(page) + 1)) and len(page) <= 25
    assert all(len(page) == 25 for page in pages[:-1])
    text = [line[5:] for page in pages for line in page]
    assert text[0].strip() == "TRANSCRIPT OF PROCEEDINGS"
    assert "Case number: 123/Pid.B/2026/PN Jkt.Pst" in text and "Court: Central Jakarta District Court" in text
    turns = [line for line in text if line.startswith("[09:1")]
    assert len(turns) >= 4 and all(" JUDGE: " in t or " WITNESS: " in t for t in turns)
    assert any(line.startswith("[Pause ") for line in text)  # 3 s between turns, marked from 2 s
    assert "Rina, clerk" in text and "[END OF TRANSCRIPT]" in "\n".join(text)
    assert max(len(line) for line in text) <= 56
    header = document.sections[0].header.paragraphs[0]
    assert "123/Pid.B/2026/PN Jkt.Pst" in header.text and 'w:instr="NUMPAGES"' in header._p.xml
    assert document.core_properties.title.endswith("123/Pid.B/2026/PN Jkt.Pst")
    data = json.loads((filed / "hearing.json").read_text())
    assert data["case"]["fields"]["judge"] == "Ahmad"
    assert data["case"]["start_time"] == "2026-11-03T09:12:00" and data["case"]["start_time_source"] == "given"
    txt = (filed / "hearing.txt").read_text()
    assert txt.startswith("[09:12:0") and "] Judge: " in txt


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="needs LibreOffice")
def test_libreoffice_draws_the_same_pages_and_lines(filed, tmp_path):
    """Looked at as a rendered page: LibreOffice lays out as many pages as stt numbered, every numbered line
    on one printed line (no line wrapped again), and the header's fields filled in."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(filed / "hearing.docx")], check=True, capture_output=True, timeout=180)  # fmt: skip
    pdf = tmp_path / "hearing.pdf"
    pages = _lines(docx.Document(str(filed / "hearing.docx")))
    drawn = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    printed = drawn.stdout.split("\f")[: len(pages) + 1]
    assert len([p for p in printed if p.strip()]) == len(pages)
    for number, (page, text) in enumerate(zip(pages, printed, strict=False), start=1):
        assert f"page {number} of {len(pages)}" in text
        numbered = [re.match(r"\s*(\d{1,2})(\s|$)", line) for line in text.splitlines()]
        assert [int(m.group(1)) for m in numbered if m] == list(range(1, len(page) + 1))


def test_render_writes_the_same_document_and_takes_new_case_details(filed, tmp_path):
    out = tmp_path / "again"
    assert stt("render", filed / "hearing.json", "-f", "docx,txt", "--timecodes", "--mark-pauses", "2",
               "-o", out).exit_code == 0  # fmt: skip
    assert (out / "hearing.docx").read_bytes() == (filed / "hearing.docx").read_bytes()
    assert (out / "hearing.txt").read_bytes() == (filed / "hearing.txt").read_bytes()
    result = stt(
        "render", filed / "hearing.json", "-f", "docx", "-o", out, "--overwrite", "--meta", "place=Room 3"
    )
    assert result.exit_code == 0, result.output
    lines = [line[5:] for page in _lines(docx.Document(str(out / "hearing.docx"))) for line in page]
    assert "Place: Room 3" in lines and "Case number: 123/Pid.B/2026/PN Jkt.Pst" in lines


def test_the_recorders_creation_time_gives_wall_clock_timecodes(tmp_path):
    path = _hearing(tmp_path, created="2026-11-03T02:12:00.000000Z")
    assert stt("transcribe", path, *FAST, "-f", "json", "-q").exit_code == 0
    case = json.loads(path.with_suffix(".json").read_text())["case"]
    assert case["start_time_source"] == "container"
    from datetime import datetime

    assert datetime.fromisoformat(case["start_time"]) == datetime.fromisoformat("2026-11-03T02:12:00+00:00")


def test_a_damaged_case_file_fails_its_recording_alone(tmp_path):
    good, bad = _hearing(tmp_path, "good.mp4"), _hearing(tmp_path, "bad.mp4")
    bad.with_name("bad.meta.json").write_text("{not json", encoding="utf-8")
    result = stt("transcribe", good, bad, *FAST, "-f", "docx", "-q")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert "bad.meta.json" in line
    assert good.with_suffix(".docx").exists() and not bad.with_suffix(".docx").exists()
