import itertools

from stt_cli.types import Word
from stt_cli.writers.cues import MAX_PAUSE_IN_CUE, build_cues
from tests.support.builders import text_segment


def words_from(text: str, start: float = 0.0, step: float = 0.3, gap_after: dict[int, float] | None = None):
    words, t = [], start
    for i, token in enumerate(text.split()):
        words.append(Word(start=t, end=t + step * 0.8, text=f" {token}", probability=0.9))
        t += step + (gap_after or {}).get(i, 0.0)
    return tuple(words)


segment = text_segment


def test_lines_respect_width_and_cues_respect_line_count():
    text = "the quick brown fox jumps over the lazy dog and keeps on running far away from here today"
    cues = build_cues([segment(text, words_from(text))], max_line_width=20, max_line_count=2)
    assert len(cues) > 1
    for cue in cues:
        assert 1 <= len(cue.lines) <= 2
        assert all(len(line) <= 20 for line in cue.lines)
    assert " ".join(" ".join(c.lines) for c in cues) == text


def test_a_word_longer_than_the_line_gets_a_line_of_its_own():
    text = "see Pneumonoultramicroscopicsilicovolcanoconiosis now"
    cues = build_cues([segment(text, words_from(text))], max_line_width=12, max_line_count=1)
    assert [c.text for c in cues] == ["see", "Pneumonoultramicroscopicsilicovolcanoconiosis", "now"]


def test_cue_times_come_from_its_words():
    text = "one two three four"
    words = words_from(text, start=5.0)
    cues = build_cues([segment(text, words)], max_line_width=9, max_line_count=1)
    assert cues[0].start == words[0].start
    assert cues[-1].end == words[-1].end


def test_long_pause_starts_a_new_cue():
    text = "before the pause after it"
    words = words_from(text, gap_after={1: MAX_PAUSE_IN_CUE + 1.0})
    cues = build_cues([segment(text, words)], max_line_width=80, max_line_count=2)
    assert [c.text for c in cues] == ["before the", "pause after it"]


def test_sentence_end_closes_a_well_filled_cue():
    text = "This is a full sentence here. And another one."
    cues = build_cues([segment(text, words_from(text))], max_line_width=30, max_line_count=2)
    assert cues[0].text.endswith("here.")


def test_cues_never_overlap_and_never_span_segments():
    a_words = words_from("first segment text", start=0.0)
    # Whisper sometimes ends a word a little after the next segment starts.
    late = Word(start=a_words[-1].start, end=a_words[-1].end + 0.5, text=" text", probability=0.9)
    a_words = (*a_words[:-1], late)
    b_words = words_from("second one", start=late.end - 0.3)
    cues = build_cues(
        [segment("first segment text", a_words), segment("second one", b_words)],
        max_line_width=80,
        max_line_count=2,
    )
    assert [c.text for c in cues] == ["first segment text", "second one"]
    assert cues[0].end <= cues[1].start


def test_segment_without_words_is_wrapped_and_its_time_shared():
    text = "a segment that came without word timestamps and must still be wrapped"
    cues = build_cues([segment(text, start=10.0, end=16.0)], max_line_width=20, max_line_count=1)
    assert all(len(c.text) <= 20 for c in cues)
    assert cues[0].start == 10.0
    assert abs(cues[-1].end - 16.0) < 1e-9
    assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(cues))


def test_no_segments_no_cues():
    assert build_cues([], max_line_width=42, max_line_count=2) == []
