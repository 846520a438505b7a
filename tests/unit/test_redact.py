"""What ``stt redact`` takes out, and where it finds it: the terms file, near spellings and run-together names,
patterns, stretches by time, and the strings of the record that are not its text."""

from __future__ import annotations

import dataclasses

import pytest

from stt_cli.errors import UsageError
from stt_cli.redact.locate import locate, places, scrub
from stt_cli.redact.terms import EntryKind, parse_entry, read_terms
from stt_cli.redact.text import redact_words
from tests.support.builders import spoken, text_segment, transcript


def entries(*lines: str):
    return tuple(e for n, line in enumerate(lines, 1) if (e := parse_entry(line, n)))


def test_a_terms_file_reads_names_patterns_and_times(tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text("# the victim\nBudi Santoso | Budi = initials\n\n/\\d{16}/ = [NIK=16]\n"
                    "@ 0:12:30 - 0:14:05 = [sidang tertutup]\nSiti\n", encoding="utf-8")  # fmt: skip
    name, number, closed, plain = read_terms(path)
    assert (name.kind, name.line, name.written("id"), len(name.spellings)) == (EntryKind.words, 2, "B. S.", 2)
    assert number.kind is EntryKind.pattern and number.written("id") == "[NIK=16]"
    assert closed.span == (750.0, 845.0) and closed.written("id") == "[sidang tertutup]"
    assert plain.written("id") == "[disamarkan]" and plain.written("en") == "[redacted]"


@pytest.mark.parametrize(
    ("line", "says"),
    [("@ 0:14:05 - 0:12:30", "ends"), ("@ 12:30", "START - END"), ("/[/", "not a regular expression"),
     ("= Saksi", "names nothing"), ("@ noon - 13:00", "not a time"), ("/x", "between slashes")],
)  # fmt: skip
def test_a_line_that_is_not_an_entry_is_named(line, says):
    with pytest.raises(UsageError, match=f"line 7.*{says}"):
        parse_entry(line, 7)


def test_an_empty_terms_file_is_refused(tmp_path):
    (tmp_path / "t.txt").write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(UsageError, match="lists nothing"):
        read_terms(tmp_path / "t.txt")


def test_names_are_found_as_written_near_spelt_and_run_together():
    t = transcript((
        spoken(0.0, "Saudara Budi Santoso, silakan."),
        spoken(5.0, "Saudari Tanakka hadir."),  # one letter off a 6-letter name: misheard
        spoken(9.0, "Ya, BudiSantoso tadi."),  # run together
        spoken(13.0, "Tim dan Tom."),  # a name of 3 letters must be exact: Tim is someone else
    ))  # fmt: skip
    found = places(t)
    hits = locate(found, entries("Budi Santoso = initials", "Tanaka", "Tom"))
    assert [(h.heard, h.exact) for h in hits] == [
        ("Budi Santoso,", True),
        ("Tanakka", False),
        ("BudiSantoso", True),
        ("Tom.", True),
    ]
    out = redact_words(t, found, hits)
    assert [s.text for s in out] == ["Saudara B. S., silakan.", "Saudari [disamarkan] hadir.", "Ya, B. S. tadi.",
                                     "Tim dan [disamarkan]."]  # fmt: skip
    assert [(w.start, w.end) for w in out[0].words[1:2]] == [(0.4, t.segments[0].words[2].end)]


def test_a_number_said_in_groups_and_a_closed_stretch_are_taken_out():
    t = transcript((spoken(0.0, "NIK saya 3201 2345 6789 0001 benar."), spoken(20.0, "Sidang ditutup untuk umum."),
                    spoken(40.0, "Dibuka kembali.")))  # fmt: skip
    found = places(t)
    hits = locate(found, entries("/\\d{16}/ = [NIK]", "@ 0:19 - 0:30 = [sidang tertutup]"))
    assert [h.heard for h in hits] == ["3201 2345 6789 0001", "Sidang ditutup untuk umum."]
    assert [s.text for s in redact_words(t, found, hits)] == ["NIK saya [NIK] benar.", "[sidang tertutup].",
                                                               "Dibuka kembali."]  # fmt: skip


def test_a_segment_without_word_times_is_taken_out_by_its_words():
    t = transcript((text_segment("Saksi Budi hadir.", start=2.0, end=4.0),))
    found = places(t)
    hits = locate(found, entries("Budi"))
    assert (hits[0].start, hits[0].end) == (2.0, 4.0)  # the whole segment is covered in the audio
    assert redact_words(t, found, hits)[0].text == "Saksi [disamarkan] hadir."


def test_strings_of_the_record_are_scrubbed_with_their_punctuation():
    assert scrub("Saksi: Tom, hadir", entries("Tom = initials"), "id")[0] == "Saksi: T., hadir"
    assert scrub("SPEAKER_1", entries("Tom"), "id") == ("SPEAKER_1", [])
    assert scrub("<b>Tom</b> sidang_Tom Budi-Santoso", entries("Tom", "Budi Santoso"), "id")[0] == (
        "<b>[disamarkan]</b> sidang_[disamarkan] [disamarkan]"
    )


def test_a_hit_running_into_the_next_segment_is_written_once():
    first, second = spoken(0.0, "Namanya Budi"), spoken(1.0, "Santoso. Ya.")
    t = transcript((first, dataclasses.replace(second, id=1)))
    found = places(t)
    out = redact_words(t, found, locate(found, entries("Budi Santoso = Saksi")))
    assert [s.text for s in out] == ["Namanya Saksi", "Ya."]
