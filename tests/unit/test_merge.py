"""Putting speakers on words: overlaps, ties, gaps, zero-length words, lone words, numbering. No model."""

from __future__ import annotations

import dataclasses

import pytest

from stt_cli.diarization.assign import attribute, pick_speaker, split_by_speaker
from stt_cli.review.spans import SPEAKER_UNCERTAIN
from stt_cli.types import Segment, SpeakerTurn
from tests.support.builders import segment, word

A, B = "SPEAKER_00", "SPEAKER_01"
TURNS = [SpeakerTurn(0.0, 2.0, A), SpeakerTurn(2.0, 4.0, B), SpeakerTurn(5.0, 7.0, A)]


w = word
seg = segment


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (0.5, 1.0, A),  # inside a turn
        (1.8, 2.5, B),  # straddles: more of it in B
        (1.5, 2.1, A),  # straddles: more of it in A
        (4.3, 4.4, B),  # in the gap, nearer the end of B
        (4.8, 4.9, A),  # in the gap, nearer the start of the next A
        (9.0, 9.5, A),  # after the last turn
        (3.0, 3.0, B),  # zero-length word inside a turn
    ],
)
def test_largest_overlap_then_nearest_turn(start, end, expected):
    assert pick_speaker(start, end, TURNS) == expected


def test_ties_keep_the_previous_speaker_else_the_earlier_turn():
    assert pick_speaker(1.9, 2.1, TURNS) == A  # equal overlap: earlier turn
    assert pick_speaker(1.9, 2.1, TURNS, previous=B) == B  # equal overlap: the speaker keeps the floor
    assert pick_speaker(2.0, 2.0, TURNS) == A  # zero-length word on the boundary
    assert pick_speaker(2.0, 2.0, TURNS, previous=B) == B
    assert pick_speaker(4.5, 4.5, TURNS, previous=A) == A  # exactly halfway through a gap


def test_no_turns_means_no_speaker():
    assert pick_speaker(1.0, 2.0, []) is None


def test_a_segment_is_cut_where_the_speaker_changes():
    segment = seg(
        w(0.2, 0.6, " Is"), w(0.6, 1.0, " that"), w(1.0, 1.5, " right?"), w(2.2, 2.6, " Yes,"), w(2.6, 3.5, " it")
    )
    pieces = split_by_speaker(segment, TURNS)
    assert [(p.speaker, p.text) for p in pieces] == [(A, "Is that right?"), (B, "Yes, it")]
    assert pieces[0].start == segment.start and pieces[-1].end == segment.end
    for piece in pieces:
        assert all(word.speaker == piece.speaker for word in piece.words)
        assert piece.start <= piece.words[0].start and piece.words[-1].end <= piece.end


def test_a_lone_word_on_a_turn_edge_stays_with_its_neighbours():
    # "so" sits mostly in B's turn by a hair, between A's words: a diarization wobble, not a reply.
    turns = [SpeakerTurn(0.0, 1.05, A), SpeakerTurn(1.05, 1.25, B), SpeakerTurn(1.25, 3.0, A)]
    segment = seg(w(0.2, 1.0, " and"), w(1.0, 1.3, " so"), w(1.3, 2.0, " on"))
    assert [(p.speaker, p.text) for p in split_by_speaker(segment, turns)] == [(A, "and so on")]


def test_a_one_word_answer_inside_its_own_turn_is_kept():
    turns = [SpeakerTurn(0.0, 1.5, A), SpeakerTurn(1.6, 2.2, B), SpeakerTurn(2.3, 4.0, A)]
    segment = seg(w(0.2, 1.4, " Understood?"), w(1.7, 2.1, " Yes."), w(2.4, 3.0, " Good."))
    assert [(p.speaker, p.text) for p in split_by_speaker(segment, turns)] == [
        (A, "Understood?"),
        (B, "Yes."),
        (A, "Good."),
    ]


def test_a_segment_without_word_timings_takes_the_speaker_of_its_span():
    segment = Segment(id=0, start=2.1, end=3.9, text="no words here")
    [piece] = split_by_speaker(segment, TURNS)
    assert (piece.speaker, piece.text) == (B, "no words here")


def test_speakers_are_numbered_in_order_of_first_appearance_and_named():
    # The pipeline's labels run the other way round: B speaks first.
    turns = [SpeakerTurn(0.0, 2.0, B), SpeakerTurn(2.0, 4.0, A), SpeakerTurn(6.0, 8.0, "SPEAKER_02")]
    segments = [seg(w(0.1, 1.0, " Order.")), seg(w(2.1, 3.0, " Thank"), w(3.0, 3.5, " you."))]
    found = attribute(segments, turns, turns, names=("Judge",))
    final, speakers, renamed = found.segments, found.speakers, found.turns
    assert [(s.speaker, s.text) for s in final] == [("SPEAKER_1", "Order."), ("SPEAKER_2", "Thank you.")]
    assert [s.id for s in final] == [0, 1]
    assert [(s.id, s.name, s.speaking_time) for s in speakers] == [
        ("SPEAKER_1", "Judge", 2.0),
        ("SPEAKER_2", "Speaker 2", 2.0),
        ("SPEAKER_3", "Speaker 3", 2.0),  # only in the diarization: numbered after the speakers of the text
    ]
    assert [t.speaker for t in renamed] == ["SPEAKER_1", "SPEAKER_2", "SPEAKER_3"]
    assert all(w.speaker == "SPEAKER_2" for w in final[1].words)


def test_no_diarization_turns_leaves_speakers_empty():
    found = attribute([seg(w(0.0, 1.0))], [], [])
    final, speakers, renamed = found.segments, found.speakers, found.turns
    assert final[0].speaker is None and speakers == () and renamed == ()


def test_speaker_confidence_comes_from_the_voices_not_the_turns_that_named_them():
    import numpy as np

    from stt_cli.diarization.evidence import Evidence

    # Windows every 0.5 s over 0-8 s; the voice of 0-2 s is clearly A, of 2-4 s barely B, 5-7 s A again.
    starts = np.arange(0.0, 6.6, 0.5)
    scores = np.array([[0.9, 0.1] if s < 1.1 or s >= 4.6 else [0.42, 0.48] for s in starts])
    evidence = Evidence(starts=starts, ends=starts + 1.5, scores=scores, labels=(A, B))
    segments = [
        seg(w(0.2, 1.0, " Order.")),
        seg(w(2.6, 3.0, " Yes"), w(3.0, 3.4, " sir.")),
        seg(w(5.5, 6.5, " Sit.")),
    ]
    clear, doubtful, again = attribute(segments, TURNS, TURNS, confidence=evidence.confidence).segments
    # The turns alone give every segment 1.0; the voices tell the doubtful one apart.
    assert {s.speaker_confidence for s in attribute(segments, TURNS, TURNS).segments} == {1.0}
    assert clear.speaker_confidence > 0.8 and again.speaker_confidence > 0.8
    raw = evidence.margin(dataclasses.replace(segments[1], speaker=B))
    assert raw is not None and 0.5 <= raw < 0.55  # barely more like its speaker's voice than the other's
    assert doubtful.speaker_confidence < SPEAKER_UNCERTAIN  # calibrated: in the review list
    # A segment no window reaches falls back to the turns.
    late = [seg(w(20.0, 20.5, " Later."))]
    by_turns = attribute(late, TURNS, TURNS).segments[0].speaker_confidence
    assert attribute(late, TURNS, TURNS, confidence=evidence.confidence).segments[0].speaker_confidence == by_turns


def test_evidence_for_a_segment_given_to_the_wrong_voice_is_under_a_tie():
    import numpy as np

    from stt_cli.diarization.evidence import Evidence

    starts = np.arange(0.0, 3.0, 0.5)
    evidence = Evidence(
        starts=starts, ends=starts + 1.5, scores=np.tile([0.8, 0.2], (len(starts), 1)), labels=(A, B)
    )
    given_to_b = seg(w(1.0, 2.0, " Hm."), speaker=B)
    assert evidence.margin(given_to_b) == pytest.approx(0.2)
    assert evidence.margin(seg(w(1.0, 2.0, " Hm."), speaker="SPEAKER_07")) is None
