"""faster-whisper's decoder, driven: a per-file decoder that turns chunks of audio into segments in file
seconds. faster-whisper's own types never leave this module; the model is loaded in ``models/load.py``, its VAD
in ``asr/vad.py``, and ``models/hub.py`` fetches hub models with its download helper (``test_layout`` holds
that list)."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from stt_cli.asr.chunking import Chunk
from stt_cli.asr.language import Language, choose
from stt_cli.errors import TranscriptionError
from stt_cli.media.decode import SAMPLE_RATE
from stt_cli.options import AsrOptions
from stt_cli.types import LanguageSource, Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# Every decode is deterministic: temperature 0 only, never Whisper's sampling fallback (0.2 … 1.0). CTranslate2
# samples from one generator per worker thread, seeded once when the thread starts, so no seed set per file can
# make sampling repeat: the same noisy Indonesian minute (-5 dB SNR) transcribed twice in one process gave
# different text on 9 segments. A court record cannot change between two runs; a stretch the first decode gets
# wrong is decoded again by the retries below instead, each one deterministic too.
_GREEDY = (0.0,)
_WINDOW = 30 * SAMPLE_RATE  # samples in one Whisper window
_DETECTION_WINDOWS = 3  # windows of the first chunk whose language probabilities are averaged (90 s)
_SHORTEST_DETECTION = 1.0  # s; a shorter segment's language is not judged on its own


@dataclass(frozen=True)
class Profile:
    """One way of decoding a stretch of audio.

    Attributes:
        name: how retries are recorded in the transcript.
        use_context: prime with the previous chunk's text and condition each window on the one before.
        temperatures: the temperature fallback; the first is tried first.
        no_speech_threshold: above this "no speech" probability a quiet window is dropped (None: never).
        repetition_penalty: >1 discourages tokens already produced.
        no_repeat_ngram_size: an n-gram may not be produced twice (0: no limit).
        wider_beam: search this many times the configured beam.
        least_beam: search at least this wide, whatever is configured (live's final decode of an utterance).
    """

    name: str
    use_context: bool
    temperatures: tuple[float, ...]
    no_speech_threshold: float | None
    repetition_penalty: float = 1.0
    no_repeat_ngram_size: int = 0
    wider_beam: int = 1
    least_beam: int = 1

    def beam(self, configured: int) -> int:
        """The beam this profile searches with, given the configured ``--beam-size``."""
        return max(configured * self.wider_beam, self.least_beam)


FIRST = Profile("default", use_context=True, temperatures=_GREEDY, no_speech_threshold=0.6)
RETRIES = (
    Profile("no-context", use_context=False, temperatures=_GREEDY, no_speech_threshold=None),
    # Where sampling used to be tried: a wider beam that may not repeat itself, still at temperature 0.
    Profile("penalised", use_context=False, temperatures=_GREEDY, no_speech_threshold=None,
            repetition_penalty=1.2, no_repeat_ngram_size=4, wider_beam=2),
)  # fmt: skip


def _nothing(seconds: float) -> None:
    return None


class Decoder:
    """One file's recogniser: the loaded model and the options, and the recording's language once known.

    Made afresh for every file: the language of one hearing says nothing about the next.
    """

    def __init__(self, model: WhisperModel, options: AsrOptions) -> None:
        self.model, self.options = model, options
        self.language: Language | None = None
        if options.forced_language:
            self.language = Language(options.forced_language, LanguageSource.requested)
        elif not model.model.is_multilingual:
            self.language = Language("en", LanguageSource.model)  # English-only models never detect

    @property
    def found_language(self) -> Language:
        """The language decided so far; ``und`` with source ``none`` when nothing was heard to detect it."""
        return self.language or Language("und", LanguageSource.none, None)

    def decode(
        self,
        chunk: Chunk,
        profile: Profile,
        *,
        context: str = "",
        span: tuple[float, float] | None = None,
        heard: Callable[[float], None] = _nothing,
        language: str | None = None,
    ) -> list[Segment]:
        """Decode a chunk, or the ``span`` (file seconds) of it, with one profile; times come back in file
        seconds. ``heard`` is told where each segment ends, as it is decoded. The recording's language is
        detected on the first chunk decoded; ``language`` overrides it for this decode.

        Raises:
            MemoryError: the device ran out of memory.
            TranscriptionError: the recogniser failed.
        """
        options = self.options
        start, end = span or (chunk.start, chunk.end)
        prompt = " ".join(p for p in (options.initial_prompt, context if profile.use_context else "") if p) or None
        code = language or self.language_of(chunk).code
        try:
            raw_segments, _ = self.model.transcribe(
                chunk.audio_between(start, end),
                language=code,
                task=options.task.value,
                beam_size=profile.beam(options.beam_size),
                temperature=list(profile.temperatures),
                condition_on_previous_text=profile.use_context,
                no_speech_threshold=profile.no_speech_threshold,
                repetition_penalty=profile.repetition_penalty,
                no_repeat_ngram_size=profile.no_repeat_ngram_size,
                initial_prompt=prompt,
                hotwords=self.hotwords(),
                vad_filter=False,  # chunks were cut from VAD speech already
                word_timestamps=options.word_timestamps,
            )
            segments = []
            for segment in convert(raw_segments, functools.partial(_from_span, chunk, start), start, end):
                segments.append(segment)
                heard(segment.end)
        except RuntimeError as e:
            raise _failure(e) from e
        return segments

    def hotwords(self) -> str | None:
        """The words decoding is biased towards: the case's vocabulary (with ``vocabulary_bias``), then the user's
        hotwords."""
        terms = self.options.vocabulary if self.options.vocabulary_bias else ()
        words = [*terms, *([self.options.hotwords] if self.options.hotwords else [])]
        return ", ".join(words) or None

    def span_language(self, chunk: Chunk, span: tuple[float, float]) -> Language | None:
        """The language said in ``span``, judged against the recording's (which wins unless another is far
        likelier); ``None`` for a span too short to judge."""
        if span[1] - span[0] < _SHORTEST_DETECTION:
            return None
        usual = self.language_of(chunk).code
        probabilities = self.probabilities(chunk.audio_between(*span))
        others = self.options.candidates or tuple(sorted(probabilities, key=lambda c: -probabilities[c])[:4])
        return choose(probabilities, (usual, *[c for c in others if c != usual]))

    def probabilities(self, audio: np.ndarray) -> dict[str, float]:
        """The model's probability of each language for ``audio``: the first windows' probabilities, each
        weighted by how much audio it holds.

        Raises:
            MemoryError: the device ran out of memory.
        """
        from faster_whisper.audio import pad_or_trim

        sums: dict[str, float] = {}
        audio = audio[: _DETECTION_WINDOWS * _WINDOW]
        try:
            for first in range(0, max(audio.shape[0], 1), _WINDOW):
                window = audio[first : first + _WINDOW]
                features = pad_or_trim(
                    self.model.feature_extractor(window)[..., : self.model.feature_extractor.nb_max_frames]
                )
                weight = max(window.shape[0], 1) / _WINDOW
                for token, probability in self.model.model.detect_language(self.model.encode(features))[0]:
                    sums[token[2:-2]] = sums.get(token[2:-2], 0.0) + weight * probability
        except RuntimeError as e:
            raise _failure(e) from e
        total = sum(sums.values()) or 1.0
        return {code: p / total for code, p in sums.items()}

    def language_of(self, chunk: Chunk) -> Language:
        """The recording's language: forced, the model's, or detected on ``chunk`` when first asked.

        Raises:
            MemoryError: the device ran out of memory.
        """
        if self.language is None:  # the first chunk decides, among the candidates or every language
            self.language = choose(self.probabilities(chunk.samples), self.options.candidates)
        return self.language

    def decode_batch(self, chunks: list[Chunk]) -> list[list[Segment]]:
        """Decode several chunks at once with faster-whisper's batched pipeline (no priming: they run
        together); the segments of each chunk, in file seconds.

        Raises:
            MemoryError: the device ran out of memory.
            TranscriptionError: the recogniser failed.
        """
        from faster_whisper import BatchedInferencePipeline

        offsets = np.cumsum([0.0] + [c.duration for c in chunks])
        clips = [{"start": float(a), "end": float(b)} for a, b in itertools.pairwise(offsets)]
        code = self.language_of(chunks[0]).code
        try:
            raw_segments, _ = BatchedInferencePipeline(self.model).transcribe(
                np.concatenate([c.samples for c in chunks]),
                language=code,
                task=self.options.task.value,
                beam_size=self.options.beam_size,
                temperature=list(_GREEDY),
                initial_prompt=self.options.initial_prompt,
                hotwords=self.hotwords(),
                clip_timestamps=clips,
                batch_size=len(chunks),
                word_timestamps=self.options.word_timestamps,
                # One window per chunk and no second pass: decoding with timestamp tokens lets the model end a
                # window early and lose its tail (measured: 90 of 1784 words deleted, against 13 sequentially).
                # Word times still come from the alignment.
                without_timestamps=True,
            )
            raw = list(raw_segments)
        except RuntimeError as e:
            raise _failure(e) from e
        per_chunk: list[list[Segment]] = []
        for chunk, (a, b) in zip(chunks, itertools.pairwise(offsets), strict=True):
            mine = [r for r in raw if a <= (r.start + r.end) / 2 < b]
            per_chunk.append(list(convert(mine, functools.partial(_shifted, chunk, a), chunk.start, chunk.end)))
        return per_chunk


def _from_span(chunk: Chunk, start: float, seconds: float) -> float:
    """A time the recogniser reported for audio cut from ``start`` (file seconds), as file seconds."""
    return chunk.file_time(chunk.chunk_time(start) + seconds)


def _shifted(chunk: Chunk, offset: float, seconds: float) -> float:
    """A time in a batch of joined chunks, as file seconds of ``chunk`` (which started at ``offset``)."""
    return chunk.file_time(seconds - offset)


def _failure(error: RuntimeError) -> Exception:
    # CTranslate2 reports exhausted CPU or GPU memory as a RuntimeError; callers map MemoryError to a clear
    # out_of_memory message.
    if "out of memory" in str(error).lower():
        return MemoryError(str(error))
    return TranscriptionError(f"speech recognition failed: {error}")


def convert(
    raw_segments: Iterable[Any], to_file: Callable[[float], float], low: float, high: float
) -> Iterator[Segment]:
    """Turn faster-whisper segments into ours, in file seconds, clamped to ``[low, high]``.

    Whisper's timestamps can step backwards by a few milliseconds between segments and can run past the end
    of the audio it was given; subtitle players and the speaker merge both need them monotonic and in range.
    """
    floor = low  # nothing may start before the last emitted segment or word started
    for raw in raw_segments:
        text = raw.text.strip()
        if not text:
            continue
        start = _clamp(to_file(raw.start), floor, high)
        words = []
        for w in raw.words or ():
            w_start = _clamp(to_file(w.start), floor, high)
            w_end = _clamp(to_file(w.end), w_start, high)
            words.append(Word(start=w_start, end=w_end, text=w.word, probability=float(w.probability)))
            floor = w_start
        end = _clamp(to_file(raw.end), start, high)
        if words:  # the segment spans its words, so every word lies inside it
            start, end = min(start, words[0].start), max(end, words[-1].end)
        floor = max(floor, start)
        yield Segment(
            id=0,
            start=start,
            end=end,
            text=text,
            words=tuple(words),
            avg_logprob=float(raw.avg_logprob),
            no_speech_prob=float(raw.no_speech_prob),
            compression_ratio=float(raw.compression_ratio),
        )


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(float(value), low), high)
