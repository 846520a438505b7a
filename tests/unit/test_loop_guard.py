"""The loop guard's and the coverage check's judgements, on hand-made segments (no model)."""

from __future__ import annotations

import itertools

from stt_cli.asr.chunking import Chunk
from stt_cli.asr.coverage import skipped_speech, splice
from stt_cli.asr.loops import collapse_repeats, loops, repeated_runs
from stt_cli.types import Segment, Word
from tests.support.builders import spoken

words_segment = spoken


def test_repeated_runs_finds_the_longest_repeat_at_each_place():
    assert repeated_runs(["a", "b", "c", "a", "b", "c", "a", "b", "c", "d"]) == [(0, 3, 3)]
    assert repeated_runs(["no", "no", "no", "sir"]) == [(0, 1, 3)]
    assert repeated_runs(["one", "two", "three"]) == []


def test_speech_that_repeats_a_little_is_not_a_loop():
    for text in ("No, no, no, that is not what I said.", "I, I think so.", "Yes. Yes, Your Honour."):
        assert not loops([words_segment(0.0, text)], [])


def test_a_phrase_said_back_to_back_is_a_loop():
    assert loops([words_segment(0.0, "ask not what your country ask not what your country")], [])
    assert loops([words_segment(0.0, "the the the the the the")], [])
    assert not loops([words_segment(0.0, "here's some more words words words words")], [])  # said so
    # Across segments, and right after the previous chunk's text (Whisper echoing its prompt).
    assert loops([words_segment(0.0, "thank you very much"), words_segment(2.0, "thank you very much")], [])
    assert loops([words_segment(0.0, "the court is adjourned")], ["so", "the", "court", "is", "adjourned"])
    assert not loops([words_segment(0.0, "the court is adjourned")], ["please", "rise"])


def test_a_loop_compressing_too_well_counts_even_without_a_visible_repeat():
    segment = words_segment(0.0, "some text")
    assert loops([Segment(**{**segment.__dict__, "compression_ratio": 3.1})], [])


def test_collapse_keeps_one_copy_of_a_runaway_phrase_and_the_speech_around_it():
    phrase = "ask not what your country "
    looped = [words_segment(0.0, "he said " + phrase * 4 + "then")]
    (kept,) = collapse_repeats(looped, [])
    assert kept.text == "he said ask not what your country then"
    assert [w.text.strip() for w in kept.words] == kept.text.split()
    assert kept.start == looped[0].start and kept.end == looped[0].end
    # A chunk that only repeats, for the third time, the text before it disappears.
    echo = [words_segment(0.0, "the court is adjourned")]
    assert collapse_repeats(echo, ["the", "court", "is", "adjourned"] * 2) == []


def test_collapse_keeps_a_phrase_said_exactly_twice():
    # Every decode hearing it twice means it was most likely said twice.
    twice = [words_segment(0.0, "I don't know I don't know sir")]
    assert collapse_repeats(twice, []) == twice


def test_coverage_finds_speech_with_no_words_longer_than_the_coverage_gap():
    chunk = Chunk(index=0, first_sample=16_000 * 100, end_sample=16_000 * 126, speech=((100.0, 125.0),))
    heard = [words_segment(100.5, "good morning"), words_segment(124.0, "thank you")]
    (gap,) = skipped_speech(chunk, heard)
    assert gap == (heard[0].words[-1].end, heard[1].words[0].start)
    # The same gap with mostly silence in it is a pause, not skipped speech.
    quiet = Chunk(0, first_sample=16_000 * 100, end_sample=16_000 * 126, speech=((100.0, 102.0), (123.0, 125.0)))
    assert skipped_speech(quiet, heard) == []
    # Nothing heard at all in a chunk full of speech is skipped speech too.
    assert skipped_speech(chunk, []) == [(100.0, 126.0)]


def test_a_short_answer_with_no_words_is_skipped_speech_too():
    # A 2.1-3.3 s English answer between Indonesian ones was dropped by the decode held to Indonesian, and the
    # check, wanting 4 s, let it vanish (bench.indonesian --mixed).
    speech = ((0.0, 2.0), (4.5, 7.5), (9.0, 10.5))
    chunk = Chunk(index=0, first_sample=0, end_sample=16_000 * 21 // 2, speech=speech)
    heard = [words_segment(0.5, "saudara saksi silakan"), words_segment(9.2, "terima kasih")]
    (gap,) = skipped_speech(chunk, heard)
    assert gap == (heard[0].words[-1].end, heard[1].words[0].start)
    assert 2.0 < chunk.speech_seconds(*gap) < 4.0


def test_a_word_stretched_over_seconds_of_speech_covers_none_of_it():
    # Measured on base: "the" timed over 9.6 s that hid a whole clause the decoder skipped.
    chunk = Chunk(index=0, first_sample=0, end_sample=16_000 * 20, speech=((0.0, 20.0),))
    before, after = (
        words_segment(0.0, "as an example of fine typography"),
        words_segment(17.8, "type has never been"),
    )
    stretched = Segment(
        id=0, start=2.4, end=17.8, text="the", words=(Word(start=2.4, end=17.8, text=" the", probability=0.5),)
    )
    (gap,) = skipped_speech(chunk, [before, stretched, after])
    assert gap == (before.words[-1].end, 17.8)


def test_words_found_in_a_gap_inside_a_segment_go_between_its_words():
    # Whisper's segment ran "...fine typography, the earliest" with "the" stretched over a skipped clause.
    first = words_segment(0.0, "as an example of fine typography")
    stretched = Word(start=2.4, end=17.8, text=" the", probability=0.5)
    earliest = Word(start=17.8, end=17.8, text=" earliest", probability=0.9)  # squeezed to nothing
    type_ = Word(start=17.8, end=17.92, text=" type", probability=0.9)
    words = (*first.words, stretched, earliest, type_)
    text = "as an example of fine typography the earliest type"
    segment = Segment(id=0, start=0.0, end=17.92, text=text, words=words)
    (gap,) = skipped_speech(Chunk(0, first_sample=0, end_sample=16_000 * 18, speech=((0.0, 18.0),)), [segment])
    assert gap == (first.words[-1].end, 17.8)
    found = [words_segment(3.0, "the earliest book printed with movable types the gutenberg bible")]
    spliced = splice([segment], found, gap)
    text = " ".join(s.text for s in spliced)
    assert (
        text
        == "as an example of fine typography the earliest book printed with movable types the gutenberg bible type"
    )
    starts = [w.start for s in spliced for w in s.words]
    assert starts == sorted(starts)


def test_a_word_heard_again_at_the_edge_of_a_gap_is_kept_once():
    before, after = words_segment(0.0, "talking really slow"), words_segment(9.0, "thanks")
    found = [words_segment(1.3, "slow and slightly lower in intensity")]  # "slow" again, 0.1 s later
    spliced = splice([before, after], found, (before.words[-1].end, after.words[0].start))
    assert " ".join(s.text for s in spliced) == "talking really slow and slightly lower in intensity thanks"


def test_a_segment_opening_with_an_unsure_echo_of_the_last_word_loses_it():
    from dataclasses import replace

    from stt_cli.asr.edit import drop_boundary_echoes as _drop_boundary_echoes

    first = words_segment(0.0, "this is me talking really slow.")
    echo = words_segment(3.0, "Slow and slightly lower")
    unsure = replace(echo, words=(replace(echo.words[0], probability=0.011), *echo.words[1:]))
    kept = list(_drop_boundary_echoes([first, unsure]))
    assert kept[1].text == "and slightly lower" and kept[1].start == echo.words[1].start
    # Said twice with confidence ("No. No, sir."), both stay.
    assert (
        list(_drop_boundary_echoes([words_segment(0.0, "No."), words_segment(1.0, "No, sir.")]))[1].text
        == "No, sir."
    )


def test_only_the_segments_that_loop_are_decoded_again():
    from stt_cli.asr.loops import looping_spans

    fine = words_segment(0.0, "the witness may step down")
    looped = words_segment(3.0, "thank you very much thank you very much thank you")
    after = words_segment(9.0, "call the next witness")
    assert looping_spans([fine, looped, after], []) == [(looped.start, looped.end)]
    # A segment repeating the end of the one before it loops too, and so does one reading back the prompt.
    again = words_segment(3.0, "may step down")
    assert looping_spans([fine, again], []) == [(again.start, again.end)]
    prompt = ["the", "court", "will", "now", "hear", "the", "evidence", "of", "the", "first", "witness"]
    read_back = words_segment(0.0, "now hear the evidence of the first witness")
    assert looping_spans([read_back, after], prompt) == [(read_back.start, read_back.end)]
    assert looping_spans([fine, after], prompt) == []
    # Further into the chunk, words said again are taken as said again.
    assert looping_spans([fine, read_back], prompt) == []


def test_collapsing_a_loop_keeps_the_order_of_a_segment_cut_at_the_stretchs_edge():
    # Round 2, bug 15: "Thank you." at the end of a looping stretch was cut in two pieces that start at the same
    # instant ("Thank" 141.46-141.46 inside the stretch, "you." 141.46-141.66 outside), and the sort by start
    # put "you." first.
    from stt_cli.asr import _unloop
    from stt_cli.asr.whisper import RETRIES
    from tests.support.builders import segment, word

    loop = spoken(131.0, "ask not what your country " * 4, step=0.4)
    edge = segment(word(141.46, 141.46, " Thank"), word(141.46, 141.66, " you."), id=1)
    span = (131.0, 141.46)

    class Looping:  # every decode of the stretch loops again
        def decode(self, chunk, profile, *, span):
            return [loop]

    chunk = Chunk(index=0, first_sample=0, end_sample=16_000 * 150, speech=((131.0, 142.0),))
    segments, retry = _unloop(Looping(), chunk, [loop, edge], [], span)
    assert retry.attempts == tuple(p.name for p in RETRIES)
    texts = [w.text.strip() for s in segments for w in s.words]
    assert texts[-2:] == ["Thank", "you."]
    assert [(s.start, s.end) for s in segments] == sorted((s.start, s.end) for s in segments)


def test_looping_stretches_a_moment_apart_are_decoded_again_as_one():
    # A noisy first decode loops in bursts: on a remote-witness hearing 39 stretches a fraction of a second
    # apart were each retried alone (166 s, WER 34.1 %); joined, 6 retries (77 s, 17.8 %).
    from stt_cli.asr.loops import LONGEST_SPAN, SPAN_JOIN, looping_spans

    loop = "thank you very much thank you very much"
    bursts = [words_segment(at, loop) for at in (0.0, 5.0, 10.0)]
    gaps = [b.start - a.end for a, b in itertools.pairwise(bursts)]
    assert all(0 < gap < SPAN_JOIN for gap in gaps)
    assert looping_spans(bursts, []) == [(bursts[0].start, bursts[-1].end)]
    # Further apart with a segment heard well between them, or grown past one window, they stay apart.
    fine = words_segment(bursts[-1].end + 0.5, "call the next witness")
    far = words_segment(fine.end + SPAN_JOIN + 0.5, loop)
    assert looping_spans([*bursts, fine, far], [])[-1] == (far.start, far.end)
    chain = [words_segment(5.0 * i, loop) for i in range(8)]
    spans = looping_spans(chain, [])
    assert len(spans) > 1 and all(end - start <= LONGEST_SPAN for start, end in spans)


def test_looping_segments_back_to_back_are_decoded_again_as_one_however_far_apart():
    # A 30 s window that loops leaves the speech between its looping segments unheard. On the 3-speaker remote
    # Indonesian hearing each piece and each hole was decoded again alone: 15 retries, 2.3 times one plain
    # pass; joined, 9 retries.
    from stt_cli.asr.loops import LONGEST_SPAN, SPAN_JOIN, looping_spans

    def looping(at: float) -> Segment:  # Whisper gives every segment of a window the window's compression ratio
        return words_segment(at, "kami sudah melihat dari keputar", compression_ratio=3.0)

    window = [looping(at) for at in (78.0, 90.0, 100.0)]
    assert all(b.start - a.end > SPAN_JOIN for a, b in itertools.pairwise(window))
    assert looping_spans(window, []) == [(window[0].start, window[-1].end)]
    # Never past one window: the next looping segment, back to back but too far, starts a stretch of its own.
    beyond = looping(window[0].start + LONGEST_SPAN)
    assert looping_spans([*window, beyond], [])[-1] == (beyond.start, beyond.end)
