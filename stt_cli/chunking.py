"""Where to cut long audio, how chunk time maps back to file time, and how overlapping chunks are joined.

Whisper reads 30 s at a time. Left to itself on an hour of audio it carries its own mistakes forward (a
loop, a drifting timestamp) from one window to the next; cut blindly, it hears half a word at each cut and
says it twice when the windows overlap. So a chunk ends inside a silence that VAD found, never longer than
``max_seconds``; long silences between chunks are not sent to the recogniser at all. Only where someone
talks for ``max_seconds`` without a breath does a chunk end mid-speech, and then the next one starts
``overlap_seconds`` earlier and :func:`join_overlap` removes what both heard.

The planner is fed the decoded signal block by block with its VAD mask and keeps only what the next chunk
may need, so memory does not grow with the length of the recording. Sample and frame indices stay in here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

import numpy as np

from stt_cli.audio import SAMPLE_RATE
from stt_cli.types import Segment, Word
from stt_cli.vad import FRAME_SAMPLES, FRAME_SECONDS, NoVad, StreamingVad

_PAD = 0.3  # s of silence kept on each side of speech, so a chunk never starts or ends on a clipped phoneme
_LONG_SILENCE = 4.0  # s; a silence this long always ends a chunk (Whisper invents words on long silences)
_GOOD_PAUSE = 0.3  # s; a pause this long between sentences is a clean place to cut
_ANY_PAUSE = 0.1  # s; the shortest pause worth cutting at rather than cutting into a word


@dataclass(frozen=True)
class ChunkPolicy:
    """How long chunks may be.

    Attributes:
        max_seconds: the longest chunk; 30 s is one Whisper window, so a chunk is decoded in one pass.
        overlap_seconds: audio shared by two chunks cut mid-speech (only where no pause was found).
    """

    max_seconds: float = 30.0
    overlap_seconds: float = 5.0

    def __post_init__(self) -> None:
        if self.max_seconds < 5.0:
            raise ValueError("chunks shorter than 5 s leave Whisper too little context")
        if not 0.0 <= self.overlap_seconds <= self.max_seconds / 3:
            raise ValueError("the overlap must be between 0 and a third of the chunk length")


@dataclass(frozen=True)
class Chunk:
    """A stretch of the file sent to the recogniser as one piece.

    Attributes:
        index: 0, 1, 2… in file order.
        first_sample: the file sample the chunk starts at (16 kHz).
        end_sample: the file sample just after its end.
        overlap: seconds at its start that the previous chunk also covered (0 when cut in a silence).
        speech: the VAD speech spans inside it, in file seconds.
    """

    index: int
    first_sample: int
    end_sample: int
    overlap: float = 0.0
    speech: tuple[tuple[float, float], ...] = ()

    @property
    def start(self) -> float:
        return self.first_sample / SAMPLE_RATE

    @property
    def end(self) -> float:
        return self.end_sample / SAMPLE_RATE

    @property
    def duration(self) -> float:
        return (self.end_sample - self.first_sample) / SAMPLE_RATE

    def file_time(self, chunk_seconds: float) -> float:
        """A time the recogniser reported inside this chunk, as seconds from the start of the file."""
        return (self.first_sample + chunk_seconds * SAMPLE_RATE) / SAMPLE_RATE

    def chunk_time(self, file_seconds: float) -> float:
        """A file time as seconds from the start of this chunk."""
        return (file_seconds * SAMPLE_RATE - self.first_sample) / SAMPLE_RATE

    def audio_between(self, samples: np.ndarray, start: float, end: float) -> np.ndarray:
        """The part of this chunk's ``samples`` between two file times."""
        first = max(0, round(start * SAMPLE_RATE) - self.first_sample)
        return samples[first : max(first, round(end * SAMPLE_RATE) - self.first_sample)]

    def speech_seconds(self, start: float, end: float) -> float:
        """Seconds of VAD speech between two file times."""
        return sum(max(0.0, min(end, b) - max(start, a)) for a, b in self.speech)


@dataclass(frozen=True)
class _Cut:
    """A planning decision, in frames from the start of the planner's buffer."""

    first: int  # where the chunk starts
    end: int  # where it ends (exclusive); equal to ``first`` when there is no chunk, only audio to drop
    resume: int  # where the next chunk may start; everything before it can be forgotten
    overlap: int = 0  # frames shared with the next chunk


def plan_cut(mask: np.ndarray, policy: ChunkPolicy, *, final: bool) -> _Cut | None:
    """Decide the next chunk in a speech mask (one entry per VAD frame, starting where the buffer starts).

    Returns ``None`` when more audio is needed before deciding.
    """
    per_second = 1.0 / FRAME_SECONDS
    pad = round(_PAD * per_second)
    speech = np.flatnonzero(mask)
    if speech.size == 0:  # nothing but silence so far: forget it, keeping a pad for speech that starts next
        keep = mask.shape[0] if final else max(0, mask.shape[0] - pad)
        return _Cut(keep, keep, keep)
    first = max(0, int(speech[0]) - pad)
    longest = int(policy.max_seconds * per_second)  # whole frames, never past the limit
    window = mask[first : first + longest]
    pauses = _silences(window)
    long_silence = round(_LONG_SILENCE * per_second)
    # A long silence (after some speech) ends the chunk there, however short the chunk.
    for a, b in pauses:
        if a > 0 and b - a >= long_silence:
            return _cut_in(first, a, b, pad)
    if mask.shape[0] - first <= longest:
        if not final:
            return None  # the chunk could still grow
        last = int(speech[-1]) + 1
        end = min(mask.shape[0], last + pad)
        return _Cut(first, end, mask.shape[0])
    half = longest // 2
    for minimum, earliest in ((_GOOD_PAUSE, half), (_ANY_PAUSE, round(5.0 * per_second))):
        size = round(minimum * per_second)
        candidates = [(b - a, a, b) for a, b in pauses if b - a >= size and (a + b) // 2 >= earliest and a > 0]
        if candidates:
            _, a, b = max(candidates)  # the longest pause; among equals, the latest
            return _cut_in(first, a, b, pad)
    overlap = round(policy.overlap_seconds * per_second)
    end = first + longest
    return _Cut(first, end, end - overlap, overlap=overlap)


def _cut_in(first: int, a: int, b: int, pad: int) -> _Cut:
    """End the chunk in the silence ``[a, b)`` (window frames), keeping a pad of it on each side."""
    middle = (a + b) // 2
    return _Cut(first, first + min(a + pad, middle), first + max(b - pad, middle))


def _silences(window: np.ndarray) -> list[tuple[int, int]]:
    """Runs of non-speech in a mask, as ``[start, end)`` frame pairs (a run at the end is open-ended)."""
    padded = np.concatenate([[True], window, [True]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == -1)
    ends = np.flatnonzero(edges == 1)
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def _spans(mask: np.ndarray, offset_frames: int) -> tuple[tuple[float, float], ...]:
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return tuple(
        ((offset_frames + a) * FRAME_SECONDS, (offset_frames + b) * FRAME_SECONDS)
        for a, b in zip(starts, ends, strict=True)
    )


class ChunkPlanner:
    """Turns a stream of 16 kHz blocks and their VAD masks into chunks with their samples.

    Only the audio the next chunk may need is kept: at most ``max_seconds`` plus one block.
    """

    def __init__(self, policy: ChunkPolicy) -> None:
        self.policy = policy
        self._samples = np.zeros(0, dtype=np.float32)
        self._mask = np.zeros(0, dtype=bool)
        self._frame0 = 0  # the file frame the buffer starts at; buffers always start on a frame boundary
        self._next_index = 0
        self._pending_overlap = 0  # frames the last cut left shared with the chunk to come

    def push(self, samples: np.ndarray, mask: np.ndarray) -> Iterator[tuple[Chunk, np.ndarray]]:
        """Add a block and the mask frames completed with it; yield the chunks that are now decided."""
        self._samples = np.concatenate([self._samples, samples]) if self._samples.size else samples
        self._mask = np.concatenate([self._mask, mask])
        yield from self._drain(final=False)

    def finish(self, mask: np.ndarray) -> Iterator[tuple[Chunk, np.ndarray]]:
        """Add the last mask frames and yield every chunk left."""
        self._mask = np.concatenate([self._mask, mask])
        yield from self._drain(final=True)

    def _drain(self, *, final: bool) -> Iterator[tuple[Chunk, np.ndarray]]:
        while self._mask.size:
            cut = plan_cut(self._mask, self.policy, final=final)
            if cut is None:
                return
            if cut.end == cut.first and cut.resume == 0:
                return  # nothing decided and nothing to forget: wait for more audio
            if cut.end > cut.first:
                buffer_start = self._frame0 * FRAME_SAMPLES
                first = buffer_start + cut.first * FRAME_SAMPLES
                end = min(buffer_start + cut.end * FRAME_SAMPLES, buffer_start + self._samples.shape[0])
                local = slice(first - buffer_start, end - buffer_start)
                # The overlap counts only if this chunk starts where the last one's overlap began.
                overlap = max(0, self._pending_overlap - cut.first)
                chunk = Chunk(
                    index=self._next_index,
                    first_sample=first,
                    end_sample=end,
                    overlap=overlap * FRAME_SECONDS,
                    speech=_spans(self._mask[cut.first : cut.end], self._frame0 + cut.first),
                )
                self._next_index += 1
                yield chunk, self._samples[local].copy()
            self._pending_overlap = cut.overlap
            self._forget(cut.resume)
            if final and cut.resume >= self._mask.shape[0]:
                return

    def _forget(self, frames: int) -> None:
        self._samples = self._samples[frames * FRAME_SAMPLES :]
        self._mask = self._mask[frames:]
        self._frame0 += frames


def stream_chunks(
    blocks: Iterable[np.ndarray], policy: ChunkPolicy, detector: StreamingVad | NoVad
) -> Iterator[tuple[Chunk, np.ndarray]]:
    """Cut a recording that arrives as 16 kHz blocks into chunks, as soon as each is decided."""
    planner = ChunkPlanner(policy)
    for block in blocks:
        yield from planner.push(block, detector.feed(block))
    yield from planner.finish(detector.finish())


# --- joining chunks that overlap ------------------------------------------------------------------------

_NEAR = 0.8  # text similarity above which two words at the same time are the same word heard twice
_SAME_TIME = 0.3  # s; starts closer than this are the same moment whatever the two decodes said


def join_overlap(
    before: Sequence[Segment], after: Sequence[Segment], overlap: tuple[float, float]
) -> tuple[list[Segment], list[Segment]]:
    """Join the segments of two chunks that both covered ``overlap`` (file seconds), so no word is said twice
    and none is lost.

    The seam is where the two decodes agree: a word both heard at the same moment (same or nearly the same
    text, compared without case or punctuation; their times overlap or start within 0.3 s), the agreeing
    pair nearest the overlap's middle. ``before`` keeps its words up to that word, ``after`` its words after
    it. Where the decodes share no word (one of them skipped part of the overlap: Whisper often drops a
    half-sentence at the start of a window), the cut is the time that keeps the most words, the one nearest
    the middle among equals, so one side's coverage fills the other's gap. A word of ``after`` that
    ``before`` kept at the same moment is then dropped; a word really said twice is said at two moments and
    stays.

    Returns:
        The trimmed ``before`` and ``after`` segments (segments left with no words are dropped).
    """
    middle = (overlap[0] + overlap[1]) / 2
    if not all(s.words for s in [*before, *after]):
        # Without word times only whole segments can be kept: ``before`` keeps those starting before the
        # middle, ``after`` those reaching past where ``before``'s kept text ends.
        left = [s for s in before if s.start < middle]
        reach = max((s.end for s in left), default=overlap[0])
        return left, [s for s in after if s.end > reach + _SAME_TIME]
    tail = [w for s in before for w in s.words if w.end > overlap[0]]
    head = [w for s in after for w in s.words if w.start < overlap[1]]
    drop_before, drop_after = _seam(tail, head, middle)
    kept_before = pieces(before, lambda w: id(w) not in drop_before)
    kept_after = pieces(after, lambda w: id(w) not in drop_after)
    kept_tail = [w for s in kept_before for w in s.words if w.end > overlap[0]]

    def heard_before(word: Word | Segment) -> bool:
        return isinstance(word, Word) and word.start < overlap[1] and any(_same_word(word, o) for o in kept_tail)

    return kept_before, pieces(kept_after, lambda w: not heard_before(w))


def _seam(tail: list[Word], head: list[Word], middle: float) -> tuple[set[int], set[int]]:
    """Which words of ``before``'s tail and ``after``'s head to drop (as ``id`` sets) to join them."""
    pairs = [
        (abs((a.start + b.start) / 2 - middle), i, j)
        for i, b in enumerate(tail)
        for j, a in enumerate(head)
        if _same_word(a, b)
    ]
    if pairs:
        _, i, j = min(pairs)
        return {id(w) for w in tail[i + 1 :]}, {id(w) for w in head[: j + 1]}
    # No agreement: cut at a time ``t`` (``before`` keeps words whose middle is before it, ``after`` the rest).
    cuts = {middle, *(t + d for w in [*tail, *head] for t in [middle_of(w)] for d in (0.0, 1e-6))}

    def kept(t: float) -> tuple[int, float]:
        count = sum(middle_of(w) < t for w in tail) + sum(middle_of(w) >= t for w in head)
        return count, -abs(t - middle)

    best = max(cuts, key=kept)
    return {id(w) for w in tail if middle_of(w) >= best}, {id(w) for w in head if middle_of(w) < best}


def keep_words(segment: Segment, wanted: Callable[[Word | Segment], bool]) -> Segment | None:
    """The segment with only the words ``wanted`` accepts (``None`` if none is left); a segment without word
    times is judged whole."""
    if not segment.words:
        return segment if wanted(segment) else None
    words = tuple(w for w in segment.words if wanted(w))
    if len(words) == len(segment.words):
        return segment
    if not words:
        return None
    text = "".join(w.text for w in words).strip()
    return replace(segment, start=words[0].start, end=words[-1].end, words=words, text=text)


def pieces(segments: Sequence[Segment], wanted: Callable[[Word | Segment], bool]) -> list[Segment]:
    """:func:`keep_words` over several segments, dropping those left with nothing."""
    return [s for s in (keep_words(segment, wanted) for segment in segments) if s is not None]


def middle_of(item: Word | Segment) -> float:
    return (item.start + item.end) / 2


def _same_word(a: Word, b: Word) -> bool:
    at_same_time = min(a.end, b.end) > max(a.start, b.start) or abs(a.start - b.start) < _SAME_TIME
    return at_same_time and same_text(a, b)


def same_text(a: Word, b: Word) -> bool:
    """Whether two hearings are the same word: equal, or nearly, without case or punctuation."""
    x, y = _plain(a.text), _plain(b.text)
    return x == y or SequenceMatcher(None, x, y).ratio() >= _NEAR


def _plain(text: str) -> str:
    """A word without case, accents' composition differences or punctuation, for comparing two hearings."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())
