"""Where to cut long audio, how chunk time maps back to file time, and how overlapping chunks are joined.

Whisper reads 30 s at a time. Left to itself on an hour of audio it carries its own mistakes forward (a
loop, a drifting timestamp) from one window to the next; cut blindly, it hears half a word at each cut and
says it twice when the windows overlap. So a chunk ends inside a silence that VAD found, never longer than
``max_seconds``; long silences between chunks are not sent to the recogniser at all. Only where someone
talks for ``max_seconds`` without a breath does a chunk end mid-speech, and then the next one starts
``overlap_seconds`` earlier and :func:`stt_cli.asr.edit.join_overlap` removes what both heard.

The planner is fed the decoded signal block by block with its VAD mask and keeps only what the next chunk
may need, so memory does not grow with the length of the recording. Sample and frame indices stay in here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from stt_cli.asr.vad import FRAME_SAMPLES, FRAME_SECONDS, NoVad, StreamingVad
from stt_cli.media.decode import SAMPLE_RATE

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


@dataclass(frozen=True, eq=False)
class Chunk:
    """A stretch of the file sent to the recogniser as one piece, with its samples.

    Attributes:
        index: 0, 1, 2… in file order.
        first_sample: the file sample the chunk starts at (16 kHz).
        end_sample: the file sample just after its end.
        overlap: seconds at its start that the previous chunk also covered (0 when cut in a silence).
        speech: the VAD speech spans inside it, in file seconds.
        samples: its 16 kHz mono signal (``end_sample - first_sample`` samples, fewer at the file's end).
    """

    index: int
    first_sample: int
    end_sample: int
    overlap: float = 0.0
    speech: tuple[tuple[float, float], ...] = ()
    samples: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32), repr=False)

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

    def audio_between(self, start: float, end: float) -> np.ndarray:
        """The part of this chunk's samples between two file times."""
        first = max(0, round(start * SAMPLE_RATE) - self.first_sample)
        return self.samples[first : max(first, round(end * SAMPLE_RATE) - self.first_sample)]

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


def mask_spans(mask: np.ndarray, offset_frames: int = 0) -> tuple[tuple[float, float], ...]:
    """(start, end) seconds of each run of speech frames in a VAD ``mask`` whose first frame is
    ``offset_frames`` into the file."""
    return tuple(((offset_frames + a) * FRAME_SECONDS, (offset_frames + b) * FRAME_SECONDS) for a, b in runs(mask))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[first, last) index pairs of the runs of True in a frame mask."""
    edges = np.diff(np.concatenate([[0], np.asarray(mask, dtype=np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


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

    def push(self, samples: np.ndarray, mask: np.ndarray) -> Iterator[Chunk]:
        """Add a block and the mask frames completed with it; yield the chunks that are now decided."""
        self._samples = np.concatenate([self._samples, samples]) if self._samples.size else samples
        self._mask = np.concatenate([self._mask, mask])
        yield from self._drain(final=False)

    def finish(self, mask: np.ndarray) -> Iterator[Chunk]:
        """Add the last mask frames and yield every chunk left."""
        self._mask = np.concatenate([self._mask, mask])
        yield from self._drain(final=True)

    def _drain(self, *, final: bool) -> Iterator[Chunk]:
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
                    speech=mask_spans(self._mask[cut.first : cut.end], self._frame0 + cut.first),
                    samples=self._samples[local].copy(),
                )
                self._next_index += 1
                yield chunk
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
) -> Iterator[Chunk]:
    """Cut a recording that arrives as 16 kHz blocks into chunks, as soon as each is decided."""
    planner = ChunkPlanner(policy)
    for block in blocks:
        yield from planner.push(block, detector.feed(block))
    yield from planner.finish(detector.finish())
