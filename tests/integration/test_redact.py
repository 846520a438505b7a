"""``stt redact`` on a real recording that says names: a hearing built from the Common Voice clips that say
Tom, Mary, Pak Tanaka and Jack, transcribed by the bundled model with speakers, one named after a witness and a
case detail naming one. Every term is out of every format and of the public audio transcribed again, the times
are the record's, the audio is the recording's own outside the covered stretches, and a term that cannot be
found, or one still heard, leaves nothing public."""

from __future__ import annotations

import json
import re

import av
import docx
import numpy as np
import pytest

from stt_cli.errors import RedactionError
from stt_cli.fileio import sha256_file
from stt_cli.options import AsrOptions, OutputFormat, OutputOptions
from stt_cli.pipeline import Transcriber
from stt_cli.redact import CopyOptions, file_text, make_public_copy, read_terms
from stt_cli.writers.pages import lay_out
from stt_cli.writers.reading import read_transcript
from tests.support.cli import error_lines, stt
from tests.support.hearings import DATA, build

SAYING_NAMES = ("19761313", "20953431", "20954110", "20957359", "20966798", "20986036", "20993968", "19059415")
# As the bundled base model writes them on this hearing ("Mereen" for one "Mary", "Patan Akas" for "Pak Tanaka"):
# the clerk lists the spellings the transcript has, as the README says.
TERMS = """# protected names
Tom = initials
Mary | Mereen = Saksi Korban
Tanaka | Patan Akas
Jack = [nama disamarkan]
"""
SAID = re.compile(r"\b(tom|mary|mereen|tanaka|patan|akas|jack)\b", re.IGNORECASE)
FORMATS = "json,txt,srt,vtt,docx,html,bas,review"


@pytest.fixture(scope="module")
def record(tmp_path_factory):
    folder = tmp_path_factory.mktemp("redact")
    items = {i["file"]: i for i in json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["items"]}
    build(
        folder / "sidang.wav",
        [(str(n % 2), items[f"common_voice_id_{c}.flac"]) for n, c in enumerate(SAYING_NAMES)],
    )
    result = stt("transcribe", folder / "sidang.wav", "-l", "id", "--diarize", "--num-speakers", "2",
                 "--speaker-names", "Hakim,Mary", "--meta", "saksi=Tom", "-f", "json", "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder / "terms.txt").write_text(TERMS, encoding="utf-8")
    return folder / "sidang.json"


@pytest.fixture(scope="module")
def public(record, tmp_path_factory):
    folder = tmp_path_factory.mktemp("public")
    result = stt("redact", record, "--terms", record.with_name("terms.txt"), "-o", folder, "-f", FORMATS)
    assert result.exit_code == 0, result.output
    return folder


def test_the_record_says_the_names(record):
    # What the rest holds only means something if the names are there to take out.
    t = read_transcript(record)
    assert len(SAID.findall(t.text)) >= 6 and "Mary" in {s.name for s in t.speakers}


def test_every_term_is_out_of_every_format(public):
    names = sorted(p.name for p in public.iterdir())
    assert names == sorted(["sidang.flac", *(f"sidang.{e}" for e in ("json", "txt", "srt", "vtt", "docx", "html",
                                                                        "bas.docx", "review.tsv"))])  # fmt: skip
    for path in public.iterdir():
        if path.suffix == ".flac":
            continue
        assert not SAID.search(file_text(path)), path.name
        if path.suffix == ".docx":  # read back as Word reads it: body, tables, headers and footers
            document = docx.Document(str(path))
            parts = [p.text for p in document.paragraphs]
            parts += [c.text for table in document.tables for row in table.rows for c in row.cells]
            parts += [p.text for s in document.sections for p in (*s.header.paragraphs, *s.footer.paragraphs)]
            assert not SAID.search("\n".join(parts)), path.name
    t = read_transcript(public / "sidang.json")
    assert "T. berdiri" in t.text and "Saksi Korban" in t.text and "[nama disamarkan]" in t.text
    assert not t.corrections and not t.edits and "Mary" not in {s.name for s in t.speakers}


def test_the_copy_keeps_the_records_times_and_says_where_it_came_from(record, public):
    original, copy = read_transcript(record), read_transcript(public / "sidang.json")
    assert [(s.id, s.start, s.end, s.speaker) for s in copy.segments] == [
        (s.id, s.start, s.end, s.speaker) for s in original.segments
    ]
    assert copy.redaction is not None and copy.redaction.record_sha256 == sha256_file(record)
    assert copy.redaction.recording_sha256 == original.input.sha256 and copy.redaction.listened
    assert copy.input.sha256 == sha256_file(public / "sidang.flac")
    assert len(lay_out(copy, width=60, lines_per_page=25, mark_pauses=10.0)) == len(
        lay_out(original, width=60, lines_per_page=25, mark_pauses=10.0)
    )


def _samples(path):
    with av.open(str(path)) as c:
        return np.concatenate([f.to_ndarray().reshape(-1) for f in c.decode(audio=0)])


def test_the_audio_is_the_recordings_own_but_for_the_covered_stretches(record, public):
    original, copy = _samples(record.with_name("sidang.wav")), _samples(public / "sidang.flac")
    assert len(copy) == len(original)  # the timeline holds
    report = [line.split("\t") for line in record.with_name("sidang.redaction.tsv").read_text().splitlines()[2:]]
    inside, near = np.zeros(len(original), bool), np.zeros(len(original), bool)  # the report's times are to 1 ms
    for row in report:
        if row[2]:
            a, b = round(float(row[2]) * 16_000), round(float(row[3]) * 16_000)
            inside[a + 16 : b - 16], near[a - 16 : b + 16] = True, True
            assert float(row[2]) <= float(row[0]) - 0.2 and float(row[3]) >= float(row[1]) + 0.2  # the margin
    assert inside.any() and not copy[inside].any()
    assert np.array_equal(copy[~near], original[~near])  # lossless outside


def test_the_public_audio_transcribed_again_says_no_name(public):
    heard = Transcriber.load(AsrOptions(language="id")).transcribe(public / "sidang.flac")
    assert heard.segments and not SAID.search(heard.text), heard.text


def test_a_term_not_in_the_record_leaves_nothing_public(record, tmp_path):
    terms = tmp_path / "terms.txt"
    terms.write_text(TERMS + "Budi Santoso | Budi\n", encoding="utf-8")
    folder = tmp_path / "public"
    result = stt("redact", record, "--terms", terms, "-o", folder, "--report", tmp_path / "report.tsv")
    assert result.exit_code == 3
    assert error_lines(result) == [line for line in result.stderr.splitlines() if line.strip()]
    assert "[redaction_failed]" in result.stderr and "line 6 'Budi Santoso | Budi'" in result.stderr
    assert not folder.exists() or not any(folder.iterdir())
    assert not (tmp_path / "report.tsv").exists()


def test_a_name_still_heard_leaves_nothing_public(record, tmp_path):
    # The check that listens, given what it would hear if the cover had failed: the record's own recording,
    # really transcribed.
    transcriber = Transcriber.load(AsrOptions(language="id"))
    folder = tmp_path / "public"
    folder.mkdir()
    with pytest.raises(RedactionError, match="still heard in the public audio"):
        make_public_copy(record, read_terms(record.with_name("terms.txt")), folder,
                         OutputOptions(formats=(OutputFormat.json,)),
                         CopyOptions(recording=record.with_name("sidang.wav"), report=tmp_path / "report.tsv"),
                         lambda _: transcriber.transcribe(record.with_name("sidang.wav")))  # fmt: skip
    assert not any(folder.iterdir()) and not (tmp_path / "report.tsv").exists()


def test_the_record_is_never_changed_nor_its_folder_written_into(record, tmp_path):
    before = {p.name: sha256_file(p) for p in record.parent.iterdir() if p.is_file()}
    result = stt("redact", record, "--terms", record.with_name("terms.txt"), "-o", record.parent)
    assert result.exit_code == 2 and "the record's own folder" in result.stderr
    after = {p.name: sha256_file(p) for p in record.parent.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k in before} == before


def test_a_text_only_copy_says_it_has_no_audio(record, tmp_path):
    folder = tmp_path / "public"
    result = stt("redact", record, "--terms", record.with_name("terms.txt"), "-o", folder, "-f", "json,txt",
                 "--no-audio", "--name", "perkara-12", "--report", tmp_path / "report.tsv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["perkara-12.json", "perkara-12.txt"]
    copy = read_transcript(folder / "perkara-12.json")
    assert copy.redaction is not None and (copy.redaction.audio, copy.redaction.listened) == ("none", False)
    assert not SAID.search((folder / "perkara-12.txt").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad", ["no terms file", "not a record", "a name in the file name"])
def test_bad_input_is_one_line_and_nothing_written(record, tmp_path, bad):
    terms, transcript, extra = record.with_name("terms.txt"), record, []
    if bad == "no terms file":
        terms = tmp_path / "missing.txt"
    elif bad == "not a record":
        transcript = tmp_path / "sidang.json"
        transcript.write_text("{not json", encoding="utf-8")
    else:
        extra = ["--name", "sidang-Tom"]
    folder = tmp_path / "public"
    result = stt("redact", transcript, "--terms", terms, "-o", folder, "--report", tmp_path / "r.tsv", *extra)
    assert result.exit_code in (2, 3) and len(error_lines(result)) == 1, result.output
    assert "Traceback" not in result.output
    assert not folder.exists() or not any(folder.iterdir())
