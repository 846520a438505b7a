"""The values that flow between stages. All times are in seconds from the start of the input file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Bumped whenever a field of the JSON output changes meaning or disappears (adding one is compatible).
SCHEMA_VERSION = "1.5"


class LanguageSource(StrEnum):
    """How the transcript's language was decided."""

    detected = "detected"  # Whisper chose it
    requested = "requested"  # the user forced it
    model = "model"  # an English-only model
    none = "none"  # no speech to detect from; the language is "und"


class RetryReason(StrEnum):
    coverage = "coverage"  # VAD heard speech the first decode left without words
    loop = "loop"  # the first decode repeated itself


class RetryOutcome(StrEnum):
    recovered = "recovered"  # a retry gave text that was kept
    collapsed = "collapsed"  # every decode looped; the repeats were removed
    unchanged = "unchanged"  # no retry did better; the first decode stands


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing.

    Attributes:
        start: seconds from the start of the file.
        end: seconds from the start of the file, ``>= start``.
        text: the word as Whisper wrote it, with its leading space if it had one.
        probability: the decoder's probability for the word, 0..1.
        speaker: the speaker id (``SPEAKER_1``…) when diarized.
    """

    start: float
    end: float
    text: str
    probability: float
    speaker: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": _round(self.start),
            "end": _round(self.end),
            "text": self.text.strip(),
            "probability": round(self.probability, 4),
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class Segment:
    """A run of speech as the recogniser returned it.

    Attributes:
        id: 0-based position in the transcript.
        start: seconds from the start of the file.
        end: seconds from the start of the file.
        text: the segment's text, stripped.
        words: word timings; empty when word timestamps were off.
        avg_logprob: mean token log-probability (Whisper's confidence signal).
        no_speech_prob: the model's probability that this window held no speech.
        compression_ratio: gzip compression ratio of the text (high values flag loops).
        speaker: the speaker id when diarized (a segment never spans two speakers then).
        speaker_confidence: how clearly it belongs to ``speaker`` rather than the runner-up (0-1; 0.5 a tie).
        language: the segment's own language, when each segment's is detected (``segment_language``).
    """

    id: int
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0
    compression_ratio: float = 0.0
    speaker: str | None = None
    language: str | None = None
    speaker_confidence: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "start": _round(self.start),
            "end": _round(self.end),
            "speaker": self.speaker,
            "speaker_confidence": None if self.speaker_confidence is None else round(self.speaker_confidence, 3),
            "language": self.language,
            "text": self.text,
            "words": [w.to_dict() for w in self.words],
            "avg_logprob": round(self.avg_logprob, 4),
            "no_speech_prob": round(self.no_speech_prob, 4),
            "compression_ratio": round(self.compression_ratio, 4),
        }


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of time in which one speaker talks."""

    start: float
    end: float
    speaker: str

    @property
    def duration(self) -> float:
        return self.end - self.start

    def to_dict(self) -> dict[str, Any]:
        return {"start": _round(self.start), "end": _round(self.end), "speaker": self.speaker}


@dataclass(frozen=True)
class Correction:
    """A near-miss of a vocabulary term, written as the term is spelled.

    Attributes:
        start: seconds from the start of the file (of the first word corrected).
        end: seconds from the start of the file (of the last).
        heard: what the recogniser wrote.
        written: the term as the vocabulary spells it.
    """

    start: float
    end: float
    heard: str
    written: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": _round(self.start), "end": _round(self.end), "heard": self.heard, "written": self.written}


@dataclass(frozen=True)
class Attribution:
    """Speakers put on a transcript: the segments cut at speaker changes, the speakers, and the turns renamed."""

    segments: tuple[Segment, ...]
    speakers: tuple[Speaker, ...]
    turns: tuple[SpeakerTurn, ...]


@dataclass(frozen=True)
class Speaker:
    """One speaker of a diarized transcript.

    Attributes:
        id: ``SPEAKER_1``, ``SPEAKER_2``… numbered in order of first appearance.
        name: what writers show: an enrolled person's, a channel's or a given name, else ``Speaker 1``…
        speaking_time: seconds this speaker talks, from the diarization.
        named_by: ``voice`` (voice library), ``channel``, ``given`` (``--speaker-names``) or ``order``.
        similarity: with a voice library, the voiceprint's cosine similarity to the matched voice, or to the
            closest one when none matched (``None`` without a library, or with too little speech to embed).
    """

    id: str
    name: str
    speaking_time: float
    named_by: str = "order"
    similarity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "speaking_time": _round(self.speaking_time),
            "named_by": self.named_by,
            "similarity": self.similarity,
        }


@dataclass(frozen=True)
class ModelInfo:
    """Which model produced a transcript, for the record."""

    name: str
    path: str
    sha256: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "sha256": self.sha256}


@dataclass(frozen=True)
class InputInfo:
    """The recording a transcript was made from, so the transcript can be tied to it (and resumed).

    Attributes:
        path: as given (bytes that are not UTF-8 appear as ``\\xe9`` in the JSON).
        size_bytes: size of the bytes that were hashed and transcribed.
        sha256: their digest, taken before decoding; the file is checked unchanged after it.
        container: FFmpeg's container name.
        codec: the transcribed track's codec.
        declared_duration: seconds the container declares for that track.
        sample_rate: that track's native sample rate (Hz).
        channels: its native channel count.
        audio_track: which audio track was transcribed (0-based).
        audio_tracks: how many audio tracks the file has.
        start_offset: seconds of silence put before the track so times match the container's timeline.
        level_dbfs: the loud end of the recording's level (95th percentile of 20 ms frames), dBFS.
        peak_dbfs: the highest sample, dBFS.
        clipped_share: share of samples at full scale.
    """

    path: str
    size_bytes: int
    sha256: str
    container: str
    codec: str
    declared_duration: float | None
    sample_rate: int = 0
    channels: int = 0
    audio_track: int = 0
    audio_tracks: int = 1
    start_offset: float = 0.0
    level_dbfs: float | None = None
    peak_dbfs: float | None = None
    clipped_share: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "size_bytes": self.size_bytes,
            "sha256": self.sha256,
            "container": self.container,
            "codec": self.codec,
            "declared_duration": None if self.declared_duration is None else _round(self.declared_duration),
            "sample_rate": self.sample_rate,
            "channels": self.channels,
            "audio_track": self.audio_track,
            "audio_tracks": self.audio_tracks,
            "start_offset": _round(self.start_offset),
            "level_dbfs": None if self.level_dbfs is None else round(self.level_dbfs, 1),
            "peak_dbfs": None if self.peak_dbfs is None else round(self.peak_dbfs, 1),
            "clipped_share": None if self.clipped_share is None else round(self.clipped_share, 6),
        }


@dataclass(frozen=True)
class Retry:
    """A stretch the recogniser decoded again, and why, for the record.

    Attributes:
        start: seconds from the start of the file.
        end: seconds from the start of the file.
        reason: why the stretch was decoded again.
        attempts: the decoding profiles tried after the first decode, in order.
        outcome: what came of it.
        words: words the kept decode has in the stretch.
    """

    start: float
    end: float
    reason: RetryReason
    attempts: tuple[str, ...]
    outcome: RetryOutcome
    words: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": _round(self.start),
            "end": _round(self.end),
            "reason": self.reason.value,
            "attempts": list(self.attempts),
            "outcome": self.outcome.value,
            "words": self.words,
        }


@dataclass(frozen=True)
class Provenance:
    """How and when a transcript was made, for the record a court may need.

    Attributes:
        tool: ``stt`` and its version.
        started_at: ISO 8601 UTC time the file was started.
        finished_at: ISO 8601 UTC time its transcript was complete (before writing).
        stage_seconds: wall-clock seconds per stage: ``decode`` (validation, hashing and decoding),
            ``transcribe``, and ``diarize`` when asked for.
        total_seconds: wall-clock seconds for the whole file.
        offline: whether downloads were forbidden (``--offline`` / ``STT_OFFLINE``).
    """

    tool: str
    started_at: str
    finished_at: str
    stage_seconds: dict[str, float]
    total_seconds: float
    offline: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "total_seconds": round(self.total_seconds, 3),
            "offline": self.offline,
        }


@dataclass(frozen=True)
class Transcript:
    """A whole file's transcript.

    Attributes:
        input: the recording: path as given, size, sha256, container.
        duration: length of the decoded audio in seconds.
        language: the language the text is in (what decoding used).
        language_source: how it was decided (``"none"`` when there was no speech: language ``"und"``).
        language_probability: detection confidence 0..1 (among the candidates when there were some);
            ``None`` when the language was requested and not detected (never a made-up 1.0).
        language_candidates: the languages detection chose among (empty: every language the model knows).
        language_probabilities: the model's probabilities of the candidates, or of the 5 likeliest languages.
        task: ``"transcribe"`` or ``"translate"``.
        segments: the segments in time order.
        model: the model that produced the text.
        settings: the decoding settings that shape the text.
        warnings: things the reader should know (no speech found, truncated file transcribed anyway).
        speakers: the speakers, in order of first appearance (empty unless diarized).
        turns: the diarization's speaker turns, overlaps included (empty unless diarized).
        diarization_model: the diarization pipeline used, when diarized.
        retries: stretches decoded again by the coverage check or the loop guard.
        chunks: how many chunks the recording was cut into.
        provenance: tool version, times and stage timings.
        corrections: near-misses of vocabulary terms written as the terms are spelled.
    """

    input: InputInfo
    duration: float
    language: str
    language_source: LanguageSource
    language_probability: float | None
    task: str
    segments: tuple[Segment, ...]
    model: ModelInfo
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    speakers: tuple[Speaker, ...] = ()
    turns: tuple[SpeakerTurn, ...] = ()
    diarization_model: ModelInfo | None = None
    retries: tuple[Retry, ...] = ()
    chunks: int = 0
    provenance: Provenance | None = None
    language_candidates: tuple[str, ...] = ()
    language_probabilities: dict[str, float] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()

    def speaker_name(self, speaker_id: str | None) -> str | None:
        """The display name of a speaker id (``None`` stays ``None``)."""
        return next((s.name for s in self.speakers if s.id == speaker_id), speaker_id)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "input": self.input.to_dict(),
            "duration": _round(self.duration),
            "language": self.language,
            "language_source": self.language_source.value,
            "language_probability": (
                None if self.language_probability is None else round(self.language_probability, 4)
            ),
            "language_candidates": list(self.language_candidates),
            "language_probabilities": {k: round(v, 4) for k, v in self.language_probabilities.items()},
            "task": self.task,
            "model": self.model.to_dict(),
            "settings": dict(self.settings),
            "text": self.text,
            "warnings": list(self.warnings),
            "diarization_model": None if self.diarization_model is None else self.diarization_model.to_dict(),
            "speakers": [s.to_dict() for s in self.speakers],
            "turns": [t.to_dict() for t in self.turns],
            "chunks": self.chunks,
            "retries": [r.to_dict() for r in self.retries],
            "corrections": [c.to_dict() for c in self.corrections],
            "provenance": None if self.provenance is None else self.provenance.to_dict(),
            "segments": [s.to_dict() for s in self.segments],
        }


def _round(seconds: float) -> float:
    # Milliseconds are the resolution of every subtitle format; more digits only add noise to diffs.
    return round(seconds, 3)
