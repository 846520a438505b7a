import dataclasses
import json
import os
from pathlib import Path

import pysrt
import pytest
import webvtt

from stt_cli.errors import OutputUnwritableError
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.types import Segment, Transcript, Word
from stt_cli.writers import WRITERS, atomic_write_text, get_writer, output_path
from stt_cli.writers.subtitles import SrtWriter, VttWriter
from stt_cli.writers.text import TxtWriter
from tests.support.builders import transcript


def test_timestamps_always_show_hours_with_the_format_s_decimal_marker():
    options = OutputOptions()
    assert SrtWriter(options).timestamp(3725.2504) == "01:02:05,250"
    assert VttWriter(options).timestamp(3725.2504) == "01:02:05.250"
    assert SrtWriter(options).timestamp(0.0006) == "00:00:00,001"


def test_srt_and_vtt_parse_with_their_reference_parsers(tmp_path):
    t = transcript()
    srt = SrtWriter(OutputOptions()).write(t, tmp_path / "h.srt")
    vtt = VttWriter(OutputOptions()).write(t, tmp_path / "h.vtt")
    subs = pysrt.open(str(srt), encoding="utf-8")
    assert [s.text for s in subs] == ["Order in court.", "Ja, Yang Mulia — saksi hadir."]
    assert subs[1].start.ordinal == 3725250
    captions = webvtt.read(str(vtt))
    assert [c.text for c in captions] == ["Order in court.", "Ja, Yang Mulia — saksi hadir."]
    assert captions[1].start == "01:02:05.250"


def test_json_is_utf8_and_round_trips(tmp_path):
    path = get_writer(OutputFormat.json, OutputOptions()).write(transcript(), tmp_path / "h.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert "Yang Mulia — saksi" in path.read_text(encoding="utf-8")  # not \u escaped
    assert data["segments"][0]["words"][2] == {
        "start": 1.2,
        "end": 1.6,
        "text": "court.",
        "probability": 0.8,
        "confidence": None,  # hand-made words are not calibrated; recognised ones are (test_review.py)
        "speaker": None,
    }
    assert data["text"] == "Order in court. Ja, Yang Mulia — saksi hadir."


def test_txt_has_one_line_per_segment(tmp_path):
    path = get_writer(OutputFormat.txt, OutputOptions()).write(transcript(), tmp_path / "h.txt")
    assert path.read_text(encoding="utf-8") == "Order in court.\nJa, Yang Mulia — saksi hadir.\n"


def test_empty_transcript_still_gives_valid_files(tmp_path):
    t = transcript(segments=())
    for fmt in OutputFormat:
        get_writer(fmt, OutputOptions()).write(t, tmp_path / f"e.{fmt.value}")
    assert len(pysrt.open(str(tmp_path / "e.srt"))) == 0
    assert len(webvtt.read(str(tmp_path / "e.vtt"))) == 0
    assert json.loads((tmp_path / "e.json").read_text())["segments"] == []


def test_output_goes_next_to_the_input_or_into_output_dir(tmp_path):
    source = Path("/recordings/day1/hearing.final.mp3")
    assert output_path(source, OutputFormat.srt, OutputOptions()) == Path("/recordings/day1/hearing.final.srt")
    moved = output_path(source, OutputFormat.vtt, OutputOptions(output_dir=tmp_path))
    assert moved == tmp_path / "hearing.final.vtt"
    assert {w.extension for w in WRITERS.values()} == {
        "changes.tsv",
        "bas.docx",
        "json",
        "srt",
        "vtt",
        "txt",
        "rttm",
        "docx",
        "review.tsv",
        "html",
    }


def test_atomic_write_replaces_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old")
    atomic_write_text(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only folders")
def test_unwritable_folder_is_a_clear_error_and_leaves_nothing(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputUnwritableError, match=r"--output-dir"):
            atomic_write_text(folder / "t.txt", "x")
    finally:
        folder.chmod(0o700)
    assert list(folder.iterdir()) == []


def test_output_below_a_file_is_a_clear_error_even_for_root(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OutputUnwritableError, match=r"cannot write the transcript"):
        atomic_write_text(blocker / "t.txt", "x")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def diarized() -> Transcript:
    from stt_cli.types import Speaker, SpeakerTurn

    words = (Word(0.5, 0.9, " Please", 0.9, "SPEAKER_1"), Word(0.9, 1.4, " sit.", 0.9, "SPEAKER_1"))
    answer = (Word(2.0, 2.6, " Thank", 0.9, "SPEAKER_2"), Word(2.6, 3.0, " you.", 0.9, "SPEAKER_2"))
    return dataclasses.replace(
        transcript(),
        segments=(
            Segment(id=0, start=0.5, end=1.4, text="Please sit.", words=words, speaker="SPEAKER_1"),
            Segment(id=1, start=2.0, end=3.0, text="Thank you.", words=answer, speaker="SPEAKER_2"),
        ),
        speakers=(Speaker("SPEAKER_1", "Judge", 1.2), Speaker("SPEAKER_2", "Witness <A & B>", 1.0)),
        turns=(SpeakerTurn(0.4, 1.6, "SPEAKER_1"), SpeakerTurn(1.9, 2.9, "SPEAKER_2")),
    )


def test_subtitles_and_text_say_who_speaks(tmp_path):
    t = diarized()
    options = OutputOptions()
    subs = pysrt.open(str(SrtWriter(options).write(t, tmp_path / "h.srt")), encoding="utf-8")
    assert [s.text for s in subs] == ["Judge: Please sit.", "Witness <A & B>: Thank you."]
    vtt = VttWriter(options).write(t, tmp_path / "h.vtt")
    assert "<v Witness &lt;A &amp; B&gt;>Thank you." in vtt.read_text()
    captions = webvtt.read(str(vtt))
    assert [c.voice for c in captions] == ["Judge", "Witness &lt;A &amp; B&gt;"]
    txt = get_writer(OutputFormat.txt, options).write(t, tmp_path / "h.txt").read_text()
    assert txt == "Judge: Please sit.\n\nWitness <A & B>: Thank you.\n"


def test_text_gives_each_speaker_turn_one_paragraph(tmp_path):
    """Consecutive segments of one speaker are one paragraph; a new speaker starts the next."""
    t = diarized()
    more = Segment(id=2, start=3.5, end=4.0, text="Go on.", speaker="SPEAKER_2")
    back = Segment(id=3, start=4.5, end=5.0, text="Objection.", speaker="SPEAKER_1")
    t = dataclasses.replace(t, segments=(*t.segments, more, back))
    txt = get_writer(OutputFormat.txt, OutputOptions()).write(t, tmp_path / "h.txt").read_text()
    assert txt.split("\n\n") == ["Judge: Please sit.", "Witness <A & B>: Thank you. Go on.", "Judge: Objection.\n"]
    plain = dataclasses.replace(t, segments=tuple(dataclasses.replace(s, speaker=None) for s in t.segments))
    assert TxtWriter(OutputOptions()).render(plain) == "Please sit.\nThank you.\nGo on.\nObjection.\n"


def test_speaker_label_counts_towards_the_line_width():
    from stt_cli.writers.cues import build_cues

    long_words = tuple(Word(i * 0.3, i * 0.3 + 0.2, f" word{i}", 0.9, "SPEAKER_1") for i in range(12))
    segment = Segment(id=0, start=0.0, end=3.6, text="x", words=long_words, speaker="SPEAKER_1")
    cues = build_cues(
        [segment], max_line_width=30, max_line_count=2, speaker_names={"SPEAKER_1": "Judge"}, prefix_width=7
    )
    assert all(len("Judge: " + c.lines[0]) <= 30 for c in cues)
    assert {c.speaker for c in cues} == {"Judge"}


def test_json_has_speakers_turns_and_speaker_per_word(tmp_path):
    data = json.loads(
        get_writer(OutputFormat.json, OutputOptions()).write(diarized(), tmp_path / "h.json").read_text()
    )
    assert data["speakers"][0] == {
        "id": "SPEAKER_1",
        "name": "Judge",
        "speaking_time": 1.2,
        "named_by": "order",
        "similarity": None,
    }
    assert data["turns"][1] == {"start": 1.9, "end": 2.9, "speaker": "SPEAKER_2"}
    assert data["segments"][1]["speaker"] == "SPEAKER_2"
    assert {w["speaker"] for w in data["segments"][1]["words"]} == {"SPEAKER_2"}


def test_rttm_lists_the_turns_and_parses(tmp_path):
    from pyannote.database.util import load_rttm

    path = get_writer(OutputFormat.rttm, OutputOptions()).write(diarized(), tmp_path / "h.rttm")
    assert path.read_text().splitlines()[0] == "SPEAKER hearing 1 0.400 1.200 <NA> <NA> SPEAKER_1 <NA> <NA>"
    [annotation] = load_rttm(str(path)).values()
    assert sorted(annotation.labels()) == ["SPEAKER_1", "SPEAKER_2"]
    assert annotation.label_duration("SPEAKER_2") == pytest.approx(1.0)


def test_a_transcript_read_back_from_its_json_renders_every_format_the_same(tmp_path):
    """The JSON keeps words stripped; read back, they get their spaces from the segment text again."""
    from stt_cli.writers import WRITERS
    from stt_cli.writers.reading import read_transcript

    t = diarized()
    squeezed = Segment(id=2, start=3.2, end=4.0, text="3,5 juta-nya?", speaker="SPEAKER_2",
                       words=(Word(3.2, 3.5, " 3,5", 0.8, "SPEAKER_2"), Word(3.5, 3.8, " juta", 0.7, "SPEAKER_2"),
                              Word(3.8, 4.0, "-nya?", 0.6, "SPEAKER_2")))  # fmt: skip
    t = dataclasses.replace(t, segments=(*t.segments, squeezed))
    options = OutputOptions()
    saved = get_writer(OutputFormat.json, options).write(t, tmp_path / "h.json")
    again = read_transcript(saved)
    assert again == t
    for fmt, writer in WRITERS.items():
        assert writer(options).render_bytes(again) == writer(options).render_bytes(t), fmt
