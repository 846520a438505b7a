"""The coverage check's judgements and its splice, pure logic: where the decoder skipped speech that VAD
heard, and how a second decode of that stretch is put into the transcript. No model, no audio."""

from __future__ import annotations

from stt_cli.asr.chunking import Chunk
from stt_cli.asr.edit import in_time_order, middle_of, pieces, same_text
from stt_cli.types import Segment

# s of VAD speech without a word that counts as skipped. 4 s let short English answers between Indonesian ones
# vanish (2 of 7 clips, 2.1 and 3.3 s, in bench.indonesian --mixed); at 2 s the 3.3 s one comes back and the
# 13.6-minute English file of bench.long gives the same text, 2 retries and time as at 4 s. 1 s brought the
# 2.1 s one back too, but cost 7 retries and 27 % more time there, and put a wrong-language phrase in the mix.
COVERAGE_GAP = 2.0
# A stretch decoded again can come back with a shorter hole still in it (Whisper heard the Indonesian on either
# side of an English answer and skipped the answer again): that hole is tried once more, on its own.
COVERAGE_ROUNDS = 2
_LONG_WORD = 2.5  # s; no word lasts this long: a "word" timed so long spans speech Whisper skipped
_SHORT_WORD = 0.02  # s; a word squeezed to nothing beside a stretched one is misplaced, not heard there


def skipped_speech(chunk: Chunk, segments: list[Segment]) -> list[tuple[float, float]]:
    """Stretches of a chunk between recognised words that hold more than ``COVERAGE_GAP`` s of VAD speech.

    A "word" lasting over ``_LONG_WORD`` s covers nothing: Whisper's alignment stretches a word over speech
    the decoder skipped (measured: "the" timed over 9.6 s that hid a whole clause).
    """
    times = []
    for segment in segments:
        if not segment.words:  # without word times the segment is all there is to go by
            times.append((segment.start, segment.end))
        times += [(w.start, w.end) for w in segment.words if _SHORT_WORD < w.end - w.start <= _LONG_WORD]
    times.sort()
    edges = [chunk.start, *(t for pair in times for t in pair), chunk.end]
    gaps = []
    for a, b in zip(edges[0::2], edges[1::2], strict=True):
        if b - a > COVERAGE_GAP and chunk.speech_seconds(a, b) > COVERAGE_GAP:
            gaps.append((a, b))
    return gaps


def splice(segments: list[Segment], found: list[Segment], gap: tuple[float, float]) -> list[Segment]:
    """Put the segments ``found`` in a gap into the transcript, in time order.

    The gap may lie inside a segment (its words on both sides): that segment is split there. Words timed inside
    the gap (one stretched over it, one squeezed to nothing at its edge) are dropped: the new decode heard
    them again, with the words they were hiding.
    """
    kept = pieces(segments, lambda w: not gap[0] <= middle_of(w) <= gap[1])
    kept = [piece for s in kept for piece in _split_at(s, gap[0])]
    # The new decode starts and ends in the middle of speech, so it may hear again the word on either side of
    # the gap, a little displaced: a first or last word equal to its neighbour is that neighbour.
    heard = [w for s in found for w in s.words]
    around = [w for s in kept for w in s.words]
    echoes = set()
    if heard and (left := [w for w in around if w.end <= gap[0] + 0.01]) and same_text(heard[0], left[-1]):
        echoes.add(id(heard[0]))
    if heard and (right := [w for w in around if w.start >= gap[1] - 0.01]) and same_text(heard[-1], right[0]):
        echoes.add(id(heard[-1]))
    found = pieces(found, lambda w: id(w) not in echoes)
    return in_time_order([*kept, *found])


def _split_at(segment: Segment, time: float) -> list[Segment]:
    """The segment as two, its words before ``time`` and after (one piece when all are on one side)."""
    if not segment.words or segment.words[-1].start < time or segment.words[0].start >= time:
        return [segment]
    return pieces([segment], lambda w: w.start < time) + pieces([segment], lambda w: w.start >= time)
