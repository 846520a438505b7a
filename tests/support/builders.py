"""Hand-made words, segments and transcripts for the tests that need no model."""

from __future__ import annotations

from typing import Any

from stt_cli.types import InputInfo, LanguageSource, ModelInfo, Segment, Transcript, Word


def word(
    start: float, end: float, text: str = " word", probability: float = 0.9, speaker: str | None = None
) -> Word:
    return Word(start=start, end=end, text=text, probability=probability, speaker=speaker)


def segment(*words: Word, text: str | None = None, **fields: Any) -> Segment:
    """A segment spanning ``words``; its text is theirs unless given."""
    return Segment(
        id=fields.pop("id", 0),
        start=words[0].start,
        end=words[-1].end,
        text=text or "".join(w.text for w in words).strip(),
        words=words,
        **fields,
    )


def spoken(start: float, text: str, step: float = 0.4, **fields: Any) -> Segment:
    """A segment whose words follow each other every ``step`` seconds from ``start``."""
    words = tuple(
        word(start + i * step, start + i * step + step * 0.8, " " + t) for i, t in enumerate(text.split())
    )
    return segment(*words, text=text, **{"compression_ratio": 1.2, **fields})


def text_segment(text: str, words: tuple[Word, ...] = (), start: float = 0.0, end: float | None = None) -> Segment:
    """A segment with ``text``; without ``words``, one with no word times lasting a second (or to ``end``)."""
    end = end if end is not None else (words[-1].end if words else start + 1.0)
    return Segment(id=0, start=start, end=end, text=text, words=words)


def court_segments() -> tuple[Segment, ...]:
    """An English sentence with word times, then an Indonesian one an hour later without them."""
    words = (word(0.5, 0.9, " Order"), word(0.9, 1.2, " in"), word(1.2, 1.6, " court.", 0.8))
    return (
        Segment(id=0, start=0.5, end=1.6, text="Order in court.", words=words),
        Segment(id=1, start=3725.25, end=3727.0, text="Ja, Yang Mulia — saksi hadir.", words=()),
    )


def transcript(segments: tuple[Segment, ...] | None = None, **fields: Any) -> Transcript:
    """A transcript of ``hearing.mp3`` (an hour long) holding ``segments`` (by default :func:`court_segments`)."""
    base: dict[str, Any] = {
        "input": InputInfo(
            path="hearing.mp3",
            size_bytes=1,
            sha256="1" * 64,
            container="mp3",
            codec="mp3",
            declared_duration=3730.0,
        ),
        "duration": 3730.0,
        "language": "id",
        "language_source": LanguageSource.detected,
        "language_probability": 0.91,
        "task": "transcribe",
        "segments": court_segments() if segments is None else segments,
        "model": ModelInfo(name="base", path="/models/base", sha256="0" * 64),
        "settings": {},
    }
    return Transcript(**{**base, **fields})
