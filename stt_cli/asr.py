"""Speech recognition with faster-whisper. faster-whisper's own types never leave this module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from stt_cli.audio import SAMPLE_RATE
from stt_cli.errors import TranscriptionError
from stt_cli.options import AsrOptions
from stt_cli.types import Segment, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel


@dataclass(frozen=True)
class Recognition:
    """What the recogniser decided before decoding, and the segments, produced lazily as they are iterated.

    Attributes:
        language: the language decoding uses.
        language_source: ``"detected"``, ``"requested"`` (``--language``), or ``"model"`` (an English-only model).
        language_probability: detection confidence; ``None`` unless detected.
        segments: lazily decoded segments, in time order, times clamped to ``[0, duration]``.
    """

    language: str
    language_source: str
    language_probability: float | None
    segments: Iterator[Segment]


def recognise(model: WhisperModel, samples: np.ndarray, options: AsrOptions) -> Recognition:
    """Start transcribing 16 kHz mono ``samples``; decoding happens as ``segments`` is iterated.

    Raises:
        TranscriptionError: the recogniser failed to start (e.g. out of memory).
    """
    duration = samples.shape[0] / SAMPLE_RATE
    try:
        raw_segments, info = model.transcribe(
            samples,
            language=options.language,
            task=options.task.value,
            beam_size=options.beam_size,
            initial_prompt=options.initial_prompt,
            hotwords=options.hotwords,
            vad_filter=options.vad,
            word_timestamps=options.word_timestamps,
        )
    except (RuntimeError, ValueError) as e:
        _raise_memory_error_if_oom(e)
        raise TranscriptionError(f"speech recognition failed to start: {e}") from e

    if options.language is not None and info.language == options.language:
        source, probability = "requested", None
    elif not model.model.is_multilingual:
        # English-only models never detect: faster-whisper reports "en" with probability 1.
        source, probability = "model", None
    else:
        source, probability = "detected", float(info.language_probability)
    return Recognition(
        language=info.language,
        language_source=source,
        language_probability=probability,
        segments=_convert(raw_segments, duration),
    )


def _convert(raw_segments, duration: float) -> Iterator[Segment]:
    """Turn faster-whisper segments into ours, with timestamps made safe for every writer.

    Whisper's timestamps can step backwards by a few milliseconds between segments and can run past the
    end of the audio; subtitle players and the speaker merge both need them monotonic and in range.
    """
    floor = 0.0  # nothing may start before the last emitted segment or word started
    index = 0
    try:
        for raw in raw_segments:
            text = raw.text.strip()
            if not text:
                continue
            start = _clamp(raw.start, floor, duration)
            words = []
            for w in raw.words or ():
                w_start = _clamp(w.start, floor, duration)
                w_end = _clamp(w.end, w_start, duration)
                words.append(Word(start=w_start, end=w_end, text=w.word, probability=float(w.probability)))
                floor = w_start
            end = _clamp(raw.end, start, duration)
            if words:  # the segment spans its words, so every word lies inside it
                start, end = min(start, words[0].start), max(end, words[-1].end)
            floor = max(floor, start)
            yield Segment(
                id=index,
                start=start,
                end=end,
                text=text,
                words=tuple(words),
                avg_logprob=float(raw.avg_logprob),
                no_speech_prob=float(raw.no_speech_prob),
                compression_ratio=float(raw.compression_ratio),
            )
            index += 1
    except RuntimeError as e:
        _raise_memory_error_if_oom(e)
        raise TranscriptionError(f"speech recognition failed: {e}") from e


def _raise_memory_error_if_oom(error: Exception) -> None:
    # CTranslate2 reports exhausted CPU or GPU memory as a RuntimeError; callers map MemoryError to a
    # clear out_of_memory message.
    if "out of memory" in str(error).lower():
        raise MemoryError(str(error)) from error


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(float(value), low), high)
