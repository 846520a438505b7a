"""A live session from start to final transcript: the source read on a thread of its own, recognition on the
caller's, each update reported as it is decided, and at the end a transcript written through the same writers
as ``stt transcribe``.

The reader thread only reads: a decode that takes two seconds never makes a pipe's writer or a microphone wait,
and the recogniser always takes everything that arrived meanwhile. When the session is stopped (input ended,
idle timeout, Ctrl-C, SIGTERM, a closed display) the reader stops within a tenth of a second, the audio already
received is recognised to its end, and only then is the transcript written: a live transcript covers all of
what was heard.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from stt_cli.asr.whisper import Decoder
from stt_cli.diarization.channels import FRAME, SKIP, ChannelActivity, ChannelLevels
from stt_cli.errors import ChannelCountError, EmptyAudioError, InternalError, LiveSourceError, SttError
from stt_cli.fileio import sha256_file
from stt_cli.live.lines import Line, LineBuilder
from stt_cli.live.online import LiveRecogniser, Update
from stt_cli.live.recording import Recorder
from stt_cli.live.sources import StreamFacts
from stt_cli.media.decode import full_scale, mix_down
from stt_cli.progress import StageClock
from stt_cli.provenance import InputInfo, ModelInfo
from stt_cli.review.confidence import with_confidence
from stt_cli.types import Transcript, Word

if TYPE_CHECKING:
    from stt_cli.live.sources import PollingReader
    from stt_cli.pipeline import Transcriber

logger = logging.getLogger("stt_cli")

_END = None  # what the reader thread puts last
_STOP_GRACE = 2.0  # s the session waits for the reader after a stop before it recognises what it has


@dataclass(frozen=True)
class LiveSource:
    """What a live session listens to.

    Attributes:
        kind: ``microphone``, ``stdin`` (a pipe), ``follow`` (a file still being written) or ``file`` (a
            finished file replayed at ``pace``).
        path: the file, for ``follow`` and ``file``.
        device: the microphone, by index or name (default device when ``None``).
        rate: raw 16-bit PCM on stdin at this rate; ``None`` reads stdin as a container (WAV, MP3, OGG…).
        channels: raw PCM's interleaved channels.
        idle: seconds a followed file may stop growing before it is taken as finished.
        pace: how many times real time a finished file is replayed (0: as fast as it decodes).
        stdin_fd: the descriptor read for ``stdin``.
    """

    kind: Literal["microphone", "stdin", "follow", "file"]
    path: Path | None = None
    device: str | None = None
    rate: int | None = None
    channels: int = 1
    idle: float = 10.0
    pace: float = 1.0
    stdin_fd: int = 0

    @property
    def label(self) -> str:
        if self.kind == "microphone":
            return f"microphone:{self.device or 'default'}"
        return "-" if self.kind == "stdin" else str(self.path)


@dataclass(frozen=True)
class LiveEvent:
    """One update, as a display needs it.

    Attributes:
        update: the words committed now and the provisional tail.
        lines: lines the committed words closed, in order.
        open_line: committed words of the line still open.
        committed_at: Unix time the update was made.
        speakers: with ``channel_speakers``, who said each committed word (the loudest named microphone).
    """

    update: Update
    lines: tuple[Line, ...]
    open_line: tuple[Word, ...]
    committed_at: float
    speakers: tuple[str | None, ...] = ()


@dataclass
class _Heard:
    """What the reader thread learned, read by the session after the reader is done."""

    facts: list[StreamFacts] = field(default_factory=list)
    reader: PollingReader | None = None
    pcm: hashlib._Hash = field(default_factory=hashlib.sha256)
    error: SttError | None = None


class LiveSession:
    """One live session: run it once with :meth:`run`.

    Args:
        transcriber: the loaded recogniser (its options: model, language, prompt, hotwords, VAD).
        source: what to listen to.
        recorder: keeps the audio heard, for the record and for a final pass (``None``: not kept).
    """

    def __init__(
        self,
        transcriber: Transcriber,
        source: LiveSource,
        recorder: Recorder | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.transcriber, self.source, self.recorder = transcriber, source, recorder
        self.channel_speakers = transcriber.channel_speakers
        self.levels = ChannelLevels()
        self.stop = stop or threading.Event()
        self.decoder = Decoder(transcriber.whisper, replace(transcriber.options, word_timestamps=True))
        self.recogniser = LiveRecogniser(self.decoder, vad=transcriber.options.vad)
        self.lines: list[Line] = []
        self._builder = LineBuilder()
        self._heard = _Heard()
        self._clock = StageClock()

    def run(self, on_event: Callable[[LiveEvent], None]) -> Transcript:
        """Listen until the input ends or :attr:`stop` is set; the live transcript of all that was heard.

        Raises:
            LiveSourceError: the source could not be opened or stopped delivering audio (raised only once
                what it delivered is recognised: the caller still gets nothing to write, but may be told).
            InputError: the input cannot be decoded, or held no audio at all.
        """
        blocks: queue.Queue[np.ndarray | None] = queue.Queue()
        reader = threading.Thread(target=self._pump, args=(blocks,), name="stt-live-reader", daemon=True)
        reader.start()
        ended = False
        stopped_at: float | None = None
        while not ended:
            for block in _take(blocks):
                if block is _END:
                    ended = True
                    break
                self._hear(block)
            if self.stop.is_set() and stopped_at is None:
                stopped_at = time.monotonic()
            if stopped_at is not None and time.monotonic() - stopped_at > _STOP_GRACE:
                break  # a reader stuck in a device driver must not keep the transcript from being written
            update = self.recogniser.next_update()
            if update is not None:
                self._report(update, on_event)
        self._report(self.recogniser.finish(), on_event)
        self._clock.lap("live")
        if self._heard.error is not None and not self.recogniser.received:
            raise self._heard.error
        if not self.recogniser.received:
            raise EmptyAudioError(self.source.label)
        return self._transcript()

    @property
    def problem(self) -> SttError | None:
        """Why the source stopped early, if it did (the transcript still covers what it delivered)."""
        return self._heard.error

    def _pump(self, blocks: queue.Queue[np.ndarray | None]) -> None:
        # Whatever stops the reader is handed to the session as an SttError: a thread must not die with a
        # traceback, and what was heard before it is still transcribed.
        label = self.source.label
        try:
            for block in self._blocks():
                blocks.put(block)
        except SttError as e:
            self._heard.error = e
        except OSError as e:  # a device or pipe error the source did not name itself
            self._heard.error = LiveSourceError(label, e.strerror or str(e))
        except Exception as e:
            logger.exception("%s: the live reader failed", label)
            self._heard.error = InternalError(label, e)
        finally:
            blocks.put(_END)

    def _blocks(self) -> Iterator[np.ndarray]:
        from stt_cli.live import sources

        source, heard = self.source, self._heard
        if source.kind == "microphone":
            from stt_cli.live.microphone import microphone_blocks, pick_device

            yield from microphone_blocks(pick_device(source.device), self.stop, heard.facts)
            return
        if source.kind == "file":
            assert source.path is not None
            yield from sources.file_blocks(source.path, source.pace, self.stop, heard.facts)
            return
        if source.kind == "follow":
            assert source.path is not None
            heard.reader = sources.open_followed(source.path, self.stop, source.idle)
        else:
            heard.reader = sources.PollingReader(source.stdin_fd, Path("-"), self.stop)
        if source.rate is not None:
            heard.facts.append(StreamFacts("s16le", "pcm_s16le", source.rate, source.channels))
            yield from sources.pcm_blocks(heard.reader, source.rate, source.channels)
        else:
            yield from sources.container_blocks(heard.reader, heard.facts)

    def _hear(self, block: np.ndarray) -> None:
        """A ``(channels, samples)`` block: kept as heard, its channels' levels read (``channel_speakers``), and
        the named channels' mix recognised."""
        block = full_scale(block.reshape(-1, block.shape[-1]))
        names = self.channel_speakers
        if names and block.shape[0] != len(names):
            self.stop.set()
            raise ChannelCountError(self.source.label, block.shape[0], len(names))
        pcm = (block.T * 32767.0).astype("<i2").tobytes()  # interleaved, as a WAV holds it
        self._heard.pcm.update(pcm)
        if self.recorder is not None:
            self.recorder.write(pcm, block.shape[0])
        if names:
            self.levels.update(block)
            block = block[[name != SKIP for name in names]]
        self.recogniser.hear(mix_down(block))

    def speaker_at(self, start: float, end: float) -> str | None:
        """With ``channel_speakers``: the name of the loudest named channel between two times, for a word as it
        is committed (the transcript itself is attributed afterwards, from all the levels, as a file is)."""
        if not self.channel_speakers:
            return None
        power = self.levels.power()
        first, last = int(start / FRAME), max(int(end / FRAME), int(start / FRAME) + 1)
        span = power[:, first:last]
        if span.size == 0:
            return None
        named = [i for i, name in enumerate(self.channel_speakers) if name != SKIP]
        return self.channel_speakers[max(named, key=lambda i: float(span[i].mean()))]

    def _report(self, update: Update, on_event: Callable[[LiveEvent], None]) -> None:
        named = self.channel_speakers
        speakers = tuple(self.speaker_at(w.start, w.end) for w in update.committed) if named else ()
        closed = self._builder.add(update.committed, utterance_end=update.utterance_end, speakers=speakers)
        self.lines += closed
        on_event(LiveEvent(update, tuple(closed), tuple(self._builder.open), time.time(), speakers))

    def _transcript(self) -> Transcript:
        self.lines += self._builder.close()
        segments = with_confidence(tuple(line.segment(i) for i, line in enumerate(self.lines)))
        language = self.decoder.found_language
        transcriber = self.transcriber
        model = transcriber.model
        settings = {**transcriber.settings(), "word_timestamps": True}
        speakers = None
        if self.channel_speakers and segments:
            from stt_cli.diarization.channels import by_channel

            speakers = by_channel(ChannelActivity.from_power(self.levels.power(), self.channel_speakers), segments)
        warnings = [] if segments else ["no speech was found: the transcript is empty"]
        if self.problem is not None:
            warnings.append(f"the input stopped early: {self.problem}")
        if self.recorder is not None and self.recorder.problem is not None:
            warnings.append(f"the recording stopped early: {self.recorder.problem}")
        return Transcript(
            input=self._input_info(),
            duration=self.recogniser.heard,
            language=language.code,
            language_source=language.source,
            language_probability=language.probability,
            language_candidates=language.candidates,
            language_probabilities=dict(language.probabilities),
            task=transcriber.options.task,
            segments=speakers.segments if speakers else segments,
            speakers=speakers.speakers if speakers else (),
            turns=speakers.turns if speakers else (),
            model=ModelInfo(name=model.name, path=str(model.path), sha256=model.sha256),
            settings=settings,
            warnings=tuple(warnings),
            chunks=self.recogniser.decodes,
            provenance=self._clock.provenance(offline=transcriber.offline, mode="live"),
        )

    def _input_info(self) -> InputInfo:
        heard, reader = self._heard, self._heard.reader
        facts = heard.facts[0] if heard.facts else StreamFacts("unknown", "unknown", 0, 0)
        if reader is not None:  # what came through the pipe or from the followed file, byte for byte
            size, digest = reader.size, reader.digest.hexdigest()
        elif self.source.kind == "file" and self.source.path is not None:
            size, digest = self.source.path.stat().st_size, sha256_file(self.source.path)
        else:  # the microphone's or the replayed file's signal, as 16-bit PCM at 16 kHz
            channels = max(len(self.channel_speakers), facts.channels if self.channel_speakers else 1, 1)
            size, digest = 2 * channels * self.recogniser.received, heard.pcm.hexdigest()
        return InputInfo(
            path=self.source.label, size_bytes=size, sha256=digest, container=facts.container,
            codec=facts.codec, declared_duration=None, sample_rate=facts.sample_rate, channels=facts.channels,
        )  # fmt: skip


def _take(blocks: queue.Queue[np.ndarray | None]) -> Iterator[np.ndarray | None]:
    """Everything the reader has put so far; waits a moment when there is nothing."""
    try:
        yield blocks.get(timeout=0.05)
    except queue.Empty:
        return
    while True:
        try:
            yield blocks.get_nowait()
        except queue.Empty:
            return
