"""Chunk planning, chunk-to-file time mapping and the overlap join, on synthetic masks (no model)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stt_cli.asr.chunking import Chunk, ChunkPlanner, ChunkPolicy, plan_cut
from stt_cli.asr.edit import join_overlap
from stt_cli.asr.vad import FRAME_SAMPLES, FRAME_SECONDS
from stt_cli.types import Segment
from tests.support.builders import segment, word

PER_SECOND = 1 / FRAME_SECONDS


def frames(seconds: float) -> int:
    return round(seconds * PER_SECOND)


def mask_of(*pattern: tuple[bool, float]) -> np.ndarray:
    """A speech mask from (speech?, seconds) pairs."""
    return np.concatenate([np.full(frames(s), speaking) for speaking, s in pattern])


@given(first=st.integers(0, 16_000 * 3 * 3600), t=st.floats(0, 600, allow_nan=False))
def test_chunk_time_round_trips_to_file_time(first, t):
    chunk = Chunk(index=0, first_sample=first, end_sample=first + 16_000 * 600)
    assert chunk.chunk_time(chunk.file_time(t)) == pytest.approx(t, abs=1e-9)
    assert chunk.file_time(chunk.chunk_time(chunk.start + t)) == pytest.approx(chunk.start + t, abs=1e-9)
    assert chunk.file_time(0.0) == first / 16_000


def stream(
    signal: np.ndarray, mask: np.ndarray, policy: ChunkPolicy, block: int
) -> list[tuple[Chunk, np.ndarray]]:
    """Feed a signal and its frame mask to a planner in blocks, as the pipeline does."""
    planner = ChunkPlanner(policy)
    out = []
    done_frames = 0
    for start in range(0, signal.shape[0], block):
        piece = signal[start : start + block]
        whole = (start + piece.shape[0]) // FRAME_SAMPLES
        out += planner.push(piece, mask[done_frames:whole])
        done_frames = whole
    out += planner.finish(mask[done_frames:])
    return out


@settings(max_examples=60, deadline=None)
@given(
    pattern=st.lists(st.tuples(st.booleans(), st.floats(0.05, 50.0)), min_size=1, max_size=12),
    block=st.integers(1_000, 16_000 * 40),
    max_seconds=st.sampled_from([10.0, 30.0, 60.0]),
)
def test_streamed_chunks_are_exact_slices_of_the_file_and_cover_all_speech(pattern, block, max_seconds):
    mask = mask_of(*pattern)
    signal = np.arange(mask.shape[0] * FRAME_SAMPLES, dtype=np.float32)  # sample i holds i
    policy = ChunkPolicy(max_seconds=max_seconds, overlap_seconds=2.0)
    chunks = stream(signal, mask, policy, block)
    for chunk in chunks:
        samples = chunk.samples
        # The samples are exactly the file's samples between the chunk's times.
        assert np.array_equal(samples, signal[chunk.first_sample : chunk.end_sample])
        assert samples[0] == chunk.start * 16_000
        assert chunk.duration <= max_seconds + 1e-9
    for before, after in itertools.pairwise(chunks):
        assert after.index == before.index + 1
        shared = before.end - after.start
        assert shared == pytest.approx(after.overlap, abs=1e-9) if after.overlap else shared <= 1e-9
    # Every speech frame is inside some chunk.
    covered = np.zeros_like(mask)
    for chunk in chunks:
        covered[chunk.first_sample // FRAME_SAMPLES : chunk.end_sample // FRAME_SAMPLES] = True
    assert not (mask & ~covered).any()


def test_silence_alone_makes_no_chunk_and_is_not_kept():
    planner = ChunkPlanner(ChunkPolicy())
    for _ in range(200):  # 100 minutes of silence in 30 s blocks
        assert list(planner.push(np.zeros(16_000 * 30, dtype=np.float32), np.zeros(frames(30), bool))) == []
    assert planner._samples.shape[0] < 16_000 * 31  # memory stays one block, not the recording
    assert list(planner.finish(np.zeros(0, bool))) == []


def test_a_long_silence_ends_a_chunk_and_is_not_transcribed():
    mask = mask_of((True, 8.0), (False, 10.0), (True, 8.0))
    cut = plan_cut(mask, ChunkPolicy(max_seconds=30.0), final=False)
    assert cut is not None
    assert cut.end * FRAME_SECONDS == pytest.approx(8.3, abs=0.05)  # speech plus a 0.3 s pad
    assert cut.resume * FRAME_SECONDS == pytest.approx(17.7, abs=0.05)
    assert cut.overlap == 0


def test_the_cut_goes_in_the_longest_pause_of_the_second_half():
    mask = mask_of((True, 5), (False, 0.6), (True, 12), (False, 0.4), (True, 6), (False, 1.5), (True, 10))
    cut = plan_cut(mask, ChunkPolicy(max_seconds=30.0), final=False)
    assert cut is not None
    pause = (5 + 0.6 + 12 + 0.4 + 6, 5 + 0.6 + 12 + 0.4 + 6 + 1.5)
    assert pause[0] < cut.end * FRAME_SECONDS <= pause[1]
    assert cut.overlap == 0


def test_speech_without_a_pause_is_cut_with_an_overlap():
    mask = mask_of((True, 70.0))
    cut = plan_cut(mask, ChunkPolicy(max_seconds=30.0, overlap_seconds=5.0), final=False)
    assert cut is not None
    assert (cut.first, cut.end * FRAME_SECONDS) == (0, pytest.approx(30.0, abs=0.05))
    assert cut.overlap * FRAME_SECONDS == pytest.approx(5.0, abs=0.05)
    assert cut.resume == cut.end - cut.overlap


def test_planner_waits_while_the_chunk_could_still_grow():
    assert plan_cut(mask_of((True, 12.0)), ChunkPolicy(max_seconds=30.0), final=False) is None
    final = plan_cut(mask_of((True, 12.0), (False, 2.0)), ChunkPolicy(max_seconds=30.0), final=True)
    assert final is not None and final.end * FRAME_SECONDS == pytest.approx(12.3, abs=0.05)


w = word
seg = segment


def joined(before: list[Segment], after: list[Segment], overlap: tuple[float, float]) -> list[str]:
    left, right = join_overlap(before, after, overlap)
    return [x.text.strip() for s in [*left, *right] for x in s.words]


def test_join_drops_words_both_chunks_heard_at_the_same_time():
    # Both chunks decoded 25..30 s and agree exactly.
    before = [seg(w(24.0, 24.5, " ask"), w(25.2, 25.6, " not"), w(26.0, 26.4, " what"), w(27.5, 27.9, " your"))]
    after = [seg(w(25.2, 25.6, " not"), w(26.0, 26.4, " what"), w(27.5, 27.9, " your"), w(28.6, 29.0, " country"))]
    assert joined(before, after, (25.0, 30.0)) == ["ask", "not", "what", "your", "country"]


def test_join_drops_near_duplicates_heard_a_little_apart():
    # The second decode puts "your" 0.2 s later and spells it with a capital and a comma.
    before = [seg(w(26.0, 26.4, " what"), w(27.35, 27.5, " your"))]
    after = [seg(w(27.55, 27.9, " Your,"), w(28.6, 29.0, " country"))]
    assert joined(before, after, (25.0, 30.0)) == ["what", "your", "country"]


def test_join_keeps_a_word_really_said_twice():
    # "that that": the speaker said it twice, at two different moments on either side of the middle.
    before = [seg(w(26.9, 27.3, " that"), w(27.3, 27.45, " that"))]
    after = [seg(w(26.95, 27.3, " that"), w(27.5, 27.8, " that"), w(28.0, 28.3, " is"))]
    assert joined(before, after, (25.0, 30.0)) == ["that", "that", "is"]
    # And one copy on each side of the middle, both kept.
    before = [seg(w(27.2, 27.45, " no"))]
    after = [seg(w(27.6, 27.9, " no"), w(28.0, 28.3, " sir"))]
    assert joined(before, after, (25.0, 30.0)) == ["no", "no", "sir"]


def test_join_without_word_times_splits_segments_at_the_middle():
    before = [Segment(id=0, start=20.0, end=27.0, text="first"), Segment(id=1, start=27.0, end=29.5, text="x")]
    after = [Segment(id=0, start=26.5, end=28.0, text="x"), Segment(id=1, start=28.0, end=33.0, text="second")]
    left, right = join_overlap(before, after, (25.0, 30.0))
    assert [s.text for s in [*left, *right]] == ["first", "x", "second"]


def test_join_keeps_what_only_the_earlier_chunk_heard_when_the_later_one_skipped_its_start():
    # Measured on an AMD EPYC (issue 10): the later chunk's decode began 3.7 s into the overlap (Whisper
    # dropped the half-sentence at its window start), and a cut at the overlap's middle lost "you, his belly
    # counseled him". These are the words both decodes really gave.
    before = [
        seg(w(45.3, 45.72, " country."), w(46.44, 47.02, " Stuff"), w(47.02, 47.2, " it"),
            w(47.2, 47.48, " into")),
        seg(w(47.48, 47.66, " you,"), w(47.96, 48.08, " his"), w(48.08, 48.38, " belly"),
            w(48.38, 48.98, " counseled"), w(48.98, 49.1, " him.")),
    ]  # fmt: skip
    after = [seg(w(48.72, 49.56, " He"), w(49.56, 50.4, " could"), w(50.4, 50.6, " wait"), w(50.6, 50.82, " no"))]
    assert joined(before, after, (45.024, 50.016)) == [
        "country.", "Stuff", "it", "into", "you,", "his", "belly", "counseled", "him.", "He", "could", "wait", "no"
    ]  # fmt: skip


def test_join_seams_where_both_decodes_agree_and_drops_a_looped_tail():
    # The earlier chunk repeated its last sentence squeezed into its final instant; the later one heard the
    # sentence once. The seam is the agreed word nearest the middle, so the loop goes with the earlier tail.
    said = [(30.0, " Mr."), (30.4, " Quilter"), (30.64, " is"), (30.9, " the"), (31.04, " apostle")]
    before = [seg(*(w(t, t + 0.2, x) for t, x in said)), seg(*(w(34.99, 34.99, x) for _, x in said))]
    after = [seg(*(w(t + 0.02, t + 0.22, x) for t, x in said), w(34.8, 35.3, " And"))]
    assert joined(before, after, (30.0, 35.0)) == ["Mr.", "Quilter", "is", "the", "apostle", "And"]
