"""A person's corrections (``stt edit``): every operation keeps the transcript as the schema promises, records
what it was and what it became, and every saved revision can be read back, restored, and survives a kill."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path

import jsonschema
import pytest

from stt_cli.errors import UsageError
from stt_cli.options import OutputOptions
from stt_cli.review.edits import EditError, apply, problems
from stt_cli.review.history import LOG, Conflict, History
from stt_cli.review.page import changed_segments
from stt_cli.review.spans import review_spans
from stt_cli.types import NamedBy, Speaker, SpeakerTurn, Transcript
from stt_cli.writers.changes import ChangesWriter
from stt_cli.writers.json import transcript_json
from stt_cli.writers.pages import lay_out
from stt_cli.writers.reading import read_transcript
from stt_cli.writers.text import TxtWriter
from stt_cli.writers.turns import speaker_turns
from tests.support.builders import spoken, transcript

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "stt_cli/schema/transcript.schema.json").read_text())
GAP = 10.0


def hearing() -> Transcript:
    """Four segments of two speakers (the judge twice in a row), words low in confidence here and there."""
    lines = [
        (0.0, "SPEAKER_1", "Sidang dibuka dan terbuka untuk umum"),
        (4.0, "SPEAKER_1", "Saksi silakan duduk"),
        (8.0, "SPEAKER_2", "Terima kasih Yang Mulia saya hadir"),
        (14.0, "SPEAKER_1", "Sebutkan nama lengkap"),
    ]
    segments = []
    for i, (start, who, text) in enumerate(lines):
        s = spoken(start, text, id=i, speaker=who, speaker_confidence=0.9)
        words = tuple(
            dataclasses.replace(w, speaker=who, confidence=0.4 if j == 1 else 0.95) for j, w in enumerate(s.words)
        )
        segments.append(dataclasses.replace(s, words=words))
    turns = tuple(SpeakerTurn(s.start, s.end, s.speaker or "") for s in segments)
    speakers = (Speaker("SPEAKER_1", "Speaker 1", 7.0), Speaker("SPEAKER_2", "Speaker 2", 3.0))
    return transcript(tuple(segments), speakers=speakers, turns=turns, duration=20.0)


def run(t: Transcript, **op) -> Transcript:
    new = apply(t, op, GAP).transcript
    assert problems(new) == []
    return new


def test_a_corrected_word_is_verified_with_confidence_one_in_the_replaced_words_time():
    t = hearing()
    applied = apply(t, {"op": "replace", "seg": 0, "first": 1, "last": 2, "text": "dinyatakan dibuka"}, GAP)
    words = applied.transcript.segments[0].words
    assert [w.text.strip() for w in words[:4]] == ["Sidang", "dinyatakan", "dibuka", "terbuka"]
    assert all(w.verified and w.confidence == 1.0 for w in words[1:3]) and not words[0].verified
    assert words[1].start == t.segments[0].words[1].start and words[2].end == t.segments[0].words[2].end
    assert (applied.before, applied.after) == ("dibuka dan", "dinyatakan dibuka")
    assert applied.transcript.segments[0].text.startswith("Sidang dinyatakan dibuka terbuka")
    # The low-confidence word a person wrote over leaves the review list.
    assert not [s for s in review_spans(applied.transcript) if s.kind == "low_confidence" and s.start < 1.0]


def test_insert_delete_and_an_emptied_segment():
    t = run(hearing(), op="insert", seg=1, after=-1, text="Baik,")
    assert t.segments[1].text.startswith("Baik, Saksi")
    t = run(t, op="delete", seg=3, first=0, last=2)
    assert len(t.segments) == 3 and [s.id for s in t.segments] == [0, 1, 2]
    with pytest.raises(EditError, match="words 0 to"):
        apply(t, {"op": "delete", "seg": 0, "first": 3, "last": 99}, GAP)
    with pytest.raises(EditError, match="not one of"):
        apply(t, {"op": "format-disk"}, GAP)


def test_a_run_of_words_given_to_a_new_speaker_cuts_its_segment_and_the_turns_follow():
    t = hearing()
    applied = apply(t, {"op": "speaker", "seg": 2, "first": 2, "last": 4, "speaker": None, "name": "Saksi 1"}, GAP)
    new = applied.transcript
    assert problems(new) == []
    assert [s.speaker for s in new.segments] == ["SPEAKER_1", "SPEAKER_1", "SPEAKER_2", "SPEAKER_3", "SPEAKER_2",
                                                 "SPEAKER_1"]  # fmt: skip
    assert new.segments[3].text == "Yang Mulia saya"
    cut = new.segments[3]
    assert new.speakers[-1] == Speaker("SPEAKER_3", "Saksi 1", pytest.approx(cut.end - cut.start), NamedBy.person)
    inside = [
        x for x in new.turns if x.start <= new.segments[3].start + 0.01 and x.end >= new.segments[3].end - 0.01
    ]
    assert [x.speaker for x in inside] == ["SPEAKER_3"]  # what RTTM writes follows the person
    assert (applied.before, applied.after) == ("Speaker 2", "Saksi 1")


def test_rename_split_and_merge_a_turn():
    t = run(hearing(), op="rename", speaker="SPEAKER_1", name="Hakim Ketua")
    assert t.speakers[0].name == "Hakim Ketua" and t.speakers[0].named_by is NamedBy.person
    assert len(speaker_turns(t.segments, GAP)) == 3
    split = run(t, op="split", seg=0, at=3)
    assert [s.text for s in split.segments[:2]] == ["Sidang dibuka dan", "terbuka untuk umum"]
    assert len(speaker_turns(split.segments, GAP)) == 4  # the same speaker, a new paragraph
    merged = run(split, op="merge", seg=1)
    assert len(speaker_turns(merged.segments, GAP)) == 3
    assert merged.segments[0].text == "Sidang dibuka dan terbuka untuk umum Saksi silakan duduk"
    moved = run(merged, op="merge", seg=1)  # the witness's turn joins the judge's: a person said so
    assert {w.speaker for w in moved.segments[0].words} == {"SPEAKER_1"}
    with pytest.raises(EditError, match="first turn"):
        apply(t, {"op": "merge", "seg": 0}, GAP)


def test_a_checked_segment_leaves_the_review_list_and_marks_reach_the_documents():
    t = hearing()
    assert any(s.start < 1.0 for s in review_spans(t))
    t = run(t, op="check", seg=0)
    assert not any(s.start < 3.0 for s in review_spans(t)) and any(
        s.start < 1.0 for s in review_spans(t, checked=True)
    )
    t = run(t, op="mark", start=17.0, end=18.5, kind="crosstalk")
    text = TxtWriter(OutputOptions()).render(t)
    assert "[bicara bersamaan 00:00:17–00:00:18]" in text
    lines = [
        line.text for page in lay_out(t, width=60, lines_per_page=25, mark_pauses=10.0) for line in page.lines
    ]
    assert "[bicara bersamaan 00:00:17–00:00:18]" in lines
    with pytest.raises(EditError, match="not one of"):
        apply(t, {"op": "mark", "start": 1, "end": 2, "kind": "laughter"}, GAP)
    assert run(t, op="unmark", start=17.0, end=18.5).marks == ()


def test_any_sequence_of_operations_keeps_the_schema_and_reads_back_the_same():
    rng = random.Random(7)
    t = hearing()
    for _ in range(300):
        seg = rng.randrange(len(t.segments))
        count = len(t.segments[seg].words)
        first = rng.randrange(count)
        last = rng.randrange(first, count)
        run_of = {"seg": seg, "first": first, "last": last}
        op = rng.choice([
            {"op": "replace", **run_of, "text": rng.choice(["ya", "tidak ada", ""])},
            {"op": "insert", "seg": seg, "after": first - 1, "text": "eh"},
            {"op": "speaker", **run_of, "speaker": rng.choice(["SPEAKER_1", "SPEAKER_2"])},
            {"op": "speaker", "segs": [seg, min(seg + 1, len(t.segments) - 1)], "speaker": "SPEAKER_2"},
            {"op": "split", "seg": seg, "at": first}, {"op": "merge", "seg": seg}, {"op": "check", "seg": seg},
        ])  # fmt: skip
        if op["op"] == "replace" and count == last - first + 1 and len(t.segments) == 1:
            continue  # keep something to edit
        try:
            t = apply(t, op, GAP).transcript
        except EditError:
            continue
        assert problems(t) == [], op
    data = json.loads(transcript_json(t))  # (the hand-made transcript has no real settings: its parts checked)
    for part in ("segments", "speakers", "turns", "edits", "marks"):
        jsonschema.validate(data[part], SCHEMA["properties"][part])


def test_the_page_is_sent_only_the_segments_that_changed():
    t = hearing()
    new = run(t, op="split", seg=1, at=1)
    start, end, segments = changed_segments(t.segments, new.segments)
    assert (start, end, len(segments)) == (1, 2, 2)


# --- the history -------------------------------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path) -> Path:
    path = tmp_path / "hearing.json"
    path.write_text(transcript_json(hearing()), encoding="utf-8")
    return path


def test_each_save_is_a_revision_with_its_audit_entry_and_any_revision_can_be_restored(saved):
    history = History(saved, GAP)
    history.save(0, {"op": "replace", "seg": 0, "first": 0, "last": 0, "text": "Persidangan"}, "Panitera")
    history.save(1, {"op": "rename", "speaker": "SPEAKER_2", "name": "Saksi Budi"}, "Panitera")
    back = read_transcript(saved)
    assert back.revision == 2 and [e.op for e in back.edits] == ["replace", "rename"]
    assert back.edits[0].before == "Sidang" and back.edits[0].after == "Persidangan"
    assert back.edits[0].editor == "Panitera" and back.edits[0].at.endswith("Z")
    jsonschema.validate(json.loads(saved.read_text())["edits"], SCHEMA["properties"]["edits"])
    assert history.state_at(0).segments[0].text.startswith("Sidang dibuka")  # the machine's own words
    history.restore(2, 0, "Panitera")
    assert read_transcript(saved).segments[0].text.startswith("Sidang dibuka")
    assert [e.op for e in read_transcript(saved).edits] == ["replace", "rename", "restore"]
    table = ChangesWriter(OutputOptions()).render(read_transcript(saved)).splitlines()
    assert table[0].split("\t")[:4] == ["revision", "at", "editor", "op"]
    assert table[1].split("\t")[-2:] == ["Sidang", "Persidangan"] and len(table) == 4
    history.close()


def test_a_stale_page_and_a_change_from_outside_are_conflicts_that_save_nothing(saved):
    history = History(saved, GAP)
    history.save(0, {"op": "check", "seg": 0}, "A")
    with pytest.raises(Conflict, match=r"revision 0.*revision 1"):
        history.save(0, {"op": "check", "seg": 1}, "B")
    saved.write_text(saved.read_text().replace("Sidang", "Sidang!"), encoding="utf-8")  # another program
    with pytest.raises(Conflict, match="changed outside"):
        history.save(1, {"op": "check", "seg": 1}, "A")
    assert "Sidang!" in saved.read_text()
    history.close()


def test_one_editor_at_a_time(saved):
    history = History(saved, GAP)
    with pytest.raises(UsageError, match="open in another stt edit"):
        History(saved, GAP)
    history.close()
    History(saved, GAP).close()


def test_a_save_cut_short_after_its_log_line_is_finished_when_opened_again(saved):
    history = History(saved, GAP)
    history.save(0, {"op": "check", "seg": 0}, "A")
    before = saved.read_bytes()
    history.save(1, {"op": "replace", "seg": 1, "first": 0, "last": 0, "text": "Saudara"}, "A")
    history.close()
    saved.write_bytes(before)  # as if killed after the log line, before the JSON was renamed into place
    log = history.folder / LOG
    log.write_text(log.read_text() + '{"revision": 3, "base"', encoding="utf-8")  # and a line cut short
    again = History(saved, GAP)
    assert again.revision == 2 and read_transcript(saved).segments[1].text.startswith("Saudara")
    again.save(2, {"op": "check", "seg": 1}, "A")
    again.close()


def test_a_json_replaced_by_a_new_transcription_starts_a_new_history_and_keeps_the_old(saved):
    history = History(saved, GAP)
    history.save(0, {"op": "check", "seg": 0}, "A")
    history.close()
    anew = dataclasses.replace(hearing(), warnings=("transcribed again",))  # another run: other bytes
    saved.write_text(transcript_json(anew), encoding="utf-8")
    again = History(saved, GAP)
    assert again.revision == 0 and again.entries == []
    assert len(list(saved.parent.glob(".hearing.stt.revisions-*"))) == 1
    again.close()


def test_the_json_of_a_transcript_is_the_plain_encoder_s_byte_for_byte_with_segments_kept():
    from stt_cli.writers.json import transcript_dict

    t = hearing()
    for version in (t, run(t, op="split", seg=1, at=1), dataclasses.replace(t, segments=())):
        plain = json.dumps(transcript_dict(version), ensure_ascii=False, indent=2) + "\n"
        assert transcript_json(version) == plain
