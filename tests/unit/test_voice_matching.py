"""Voice matching and naming, on hand-made unit vectors (no model), and the library's bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest

from stt_cli.errors import SpeakerLibraryError
from stt_cli.speakers import Enrolment, Voice, VoiceLibrary, match_voices, name_speakers, solo_spans
from stt_cli.speakers.library import check_name
from stt_cli.types import Speaker, SpeakerTurn

ENCODER = ("campplus_cn_en_common", "a" * 64)


def _unit(*values: float) -> np.ndarray:
    v = np.zeros(192, np.float32)
    v[: len(values)] = values
    return v / np.linalg.norm(v)


def _voice(name: str, vector: np.ndarray) -> Voice:
    return Voice(name, (Enrolment("a.flac", "0" * 64, 10.0, 12, vector),), "", "")


def test_matching_is_one_to_one_and_the_less_alike_speaker_keeps_a_number():
    judge = _voice("Hakim Ahmad", _unit(1, 0, 0))
    found = {"SPEAKER_1": _unit(1, 0.3, 0), "SPEAKER_2": _unit(1, 0.6, 0), "SPEAKER_3": _unit(0, 0, 1)}
    matches = match_voices(found, [judge], threshold=0.5)
    assert matches["SPEAKER_1"].name == "Hakim Ahmad"  # the likelier of the two judge-like voices
    assert matches["SPEAKER_2"].name is None and matches["SPEAKER_2"].closest == "Hakim Ahmad"
    assert matches["SPEAKER_3"].name is None and matches["SPEAKER_3"].similarity == pytest.approx(0.0)


def test_the_best_total_assignment_wins_over_greedy_choices():
    # Taken in order, SPEAKER_1 would take A (0.73 against 0.69) and leave SPEAKER_2 with B at 0.11.
    a, b = _voice("A", _unit(1, 0, 0)), _voice("B", _unit(0, 1, 0))
    found = {"SPEAKER_1": _unit(0.95, 0.9, 0), "SPEAKER_2": _unit(0.9, 0.1, 0)}
    matches = match_voices(found, [a, b], threshold=0.5)
    assert (matches["SPEAKER_1"].name, matches["SPEAKER_2"].name) == ("B", "A")


def test_names_come_from_the_voice_then_the_given_list_then_the_number():
    speakers = [Speaker(f"SPEAKER_{i}", f"Speaker {i}", 5.0) for i in (1, 2, 3)]
    matches = match_voices({"SPEAKER_2": _unit(1, 0)}, [_voice("Hakim Ahmad", _unit(1, 0))])
    named = name_speakers(speakers, matches, ("Saksi",))
    assert [(s.name, s.named_by) for s in named] == [
        ("Saksi", "given"), ("Hakim Ahmad", "voice"), ("Speaker 3", "order"),
    ]  # fmt: skip
    assert named[1].similarity == pytest.approx(1.0)


def test_solo_spans_leave_out_overlapped_speech():
    turns = [SpeakerTurn(0.0, 10.0, "A"), SpeakerTurn(4.0, 6.0, "B"), SpeakerTurn(9.0, 12.0, "B")]
    assert solo_spans(turns, "A") == [(0.0, 4.0), (6.0, 9.0)]
    assert solo_spans(turns, "B") == [(10.0, 12.0)]


def test_the_library_adds_clips_to_a_name_and_removes_it(tmp_path):
    library = VoiceLibrary.open(tmp_path / "lib", ENCODER, create=True)
    library.enrol("Hakim  Ahmad", [Enrolment("a.flac", "0" * 64, 4.0, 5, _unit(1, 0))])
    library = VoiceLibrary.open(tmp_path / "lib", ENCODER)
    voice, _ = library.enrol("hakim ahmad", [Enrolment("b.flac", "1" * 64, 12.0, 15, _unit(0, 1))])
    assert voice.name == "Hakim Ahmad" and voice.seconds == 16.0 and len(voice.clips) == 2
    # Seconds-weighted: 12 s towards (0, 1) outweigh 4 s towards (1, 0).
    assert voice.vector[1] > voice.vector[0] > 0
    (stored,) = VoiceLibrary.open(tmp_path / "lib", ENCODER).voices
    assert np.allclose(stored.vector, voice.vector, atol=1e-5)
    with pytest.raises(SpeakerLibraryError, match="nobody named 'Jaksa' is enrolled"):
        library.remove("Jaksa")
    library.remove("HAKIM AHMAD")
    assert VoiceLibrary.open(tmp_path / "lib", ENCODER).voices == ()


@pytest.mark.parametrize("name", ["", "   ", "SPEAKER_2", "speaker 3", "x" * 101, "Hakim\x1b[31m"])
def test_names_stt_gives_unknown_speakers_or_unprintable_ones_are_refused(name):
    with pytest.raises(SpeakerLibraryError):
        check_name(name)


def test_no_library_in_a_folder_is_an_error_that_says_how_to_start_one(tmp_path):
    with pytest.raises(SpeakerLibraryError, match="stt speakers enroll NAME"):
        VoiceLibrary.open(tmp_path, ENCODER)


def test_a_library_is_written_only_once_someone_is_enrolled(tmp_path):
    library = VoiceLibrary.open(tmp_path / "lib", ENCODER, create=True)
    assert library.voices == () and not (tmp_path / "lib").exists()  # a failed first enrolment leaves nothing
    library.enrol("Hakim Ahmad", [Enrolment("a.flac", "0" * 64, 4.0, 5, _unit(1, 0))])
    assert [v.name for v in VoiceLibrary.open(tmp_path / "lib", ENCODER).voices] == ["Hakim Ahmad"]
