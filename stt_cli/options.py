"""Frozen option sets, validated on construction so a bad value fails before any audio is decoded."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_cli.case import Participant
from stt_cli.errors import UsageError
from stt_cli.languages import to_whisper

DEFAULT_MODEL = "base"
MAX_THREADS = 1024  # far above any CPU a court runs on; CTranslate2 overflows on absurd values


class OutputFormat(StrEnum):
    json = "json"
    srt = "srt"
    vtt = "vtt"
    txt = "txt"
    rttm = "rttm"  # speaker turns only; needs --diarize
    docx = "docx"  # the document a court files: case header, speaker paragraphs, page:line numbers
    review = "review"  # <stem>.review.tsv: the spans worth a listen
    html = "html"  # the review page: the transcript with its recording, the review list beside it
    changes = "changes"  # <stem>.changes.tsv: every change a person made in stt edit (the audit trail)
    bas = "bas"  # <stem>.bas.docx: the berita acara persidangan, in question-and-answer form (Indonesian)


class Task(StrEnum):
    transcribe = "transcribe"
    # Whisper's own word for it; as a member name it shadows str.translate, which no caller uses on a Task.
    translate = "translate"  # type: ignore[assignment]


class Device(StrEnum):
    auto = "auto"
    cpu = "cpu"
    cuda = "cuda"


COMPUTE_TYPES = (
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)


def available_cpus() -> int:
    """CPUs this process may run on (respects taskset/cgroup affinity, unlike ``os.cpu_count``)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True, kw_only=True)
class AsrOptions:
    """How the recogniser runs.

    Attributes:
        model: a size name (``base``, ``tiny.en``, ``large-v3``…), a hub id, or a local CTranslate2 folder.
        language: a language written as a code, BCP-47 tag or English name (``id``, ``ind``, ``id-ID``,
            ``Indonesian``), which forces it; or several, comma-separated (``id,en``): the candidates detection
            chooses among, the first being the hearing's usual language; ``None`` detects among all. Stored
            as Whisper's codes (``"id,en"``).
        segment_language: detect each segment's language (among the candidates) and decode again in its own
            language a segment said in another (an interpreter, English legal terms in an Indonesian hearing).
        vocabulary: a case's terms (names, places, statutes such as ``Pasal 340 KUHP``): near-misses in the text
            are corrected to their spelling (each correction recorded).
        vocabulary_bias: also bias decoding towards the vocabulary (as hotwords in every window's prompt). Off
            by default: with ``base`` on Indonesian it raised WER from 36 % to 45 % and took 3.9 times as long
            (bench/indonesian.py); larger models follow a prompt better.
        task: transcribe, or translate into English.
        device: ``auto`` picks CUDA when a GPU is visible.
        compute_type: CTranslate2 quantisation; ``auto`` is int8 on CPU and float16 on GPU.
        threads: CPU threads for inference; 0 means all available CPUs.
        beam_size: beam search width (1 is greedy).
        initial_prompt: text that primes the first window (names, spellings).
        hotwords: words to bias decoding towards.
        vad: skip non-speech with Silero VAD and cut chunks in silences (stops hallucinated loops on silence);
            without it, chunks are cut every ``chunk_length`` seconds with an overlap.
        word_timestamps: compute per-word times (needed for subtitles and speaker merge).
        chunk_length: the longest chunk sent to the recogniser at once, in seconds.
        batch_size: chunks decoded together (faster-whisper's batched pipeline, which decodes a chunk as one
            30 s window, so chunks are then 30 s at most); 1 decodes them in order, each primed with the text
            before it.
    """

    model: str = DEFAULT_MODEL
    language: str | None = None
    segment_language: bool = False
    vocabulary: tuple[str, ...] = ()
    vocabulary_bias: bool = False
    task: Task = Task.transcribe
    device: Device = Device.auto
    compute_type: str = "auto"
    threads: int = 0
    beam_size: int = 5
    initial_prompt: str | None = None
    hotwords: str | None = None
    vad: bool = True
    word_timestamps: bool = True
    chunk_length: float = 300.0
    batch_size: int = 1

    def __post_init__(self) -> None:
        if not self.model.strip():
            raise UsageError("`model` is empty; give a name such as 'base' or a model folder")
        if self.language is not None:
            codes = list(dict.fromkeys(to_whisper(part) for part in self.language.split(",") if part.strip()))
            if not codes:
                raise UsageError(
                    "`language` is empty; give a language such as 'id', or candidates such as 'id,en'"
                )
            object.__setattr__(self, "language", ",".join(codes))
        terms = tuple(dict.fromkeys(" ".join(t.split()) for t in self.vocabulary if t.strip()))
        if any(len(t) > 100 for t in terms):
            raise UsageError("`vocabulary` has a term over 100 characters; give one term per line")
        object.__setattr__(self, "vocabulary", terms)
        if self.compute_type not in COMPUTE_TYPES:
            raise UsageError(
                f"`compute_type` {self.compute_type!r} is not known; choose one of {', '.join(COMPUTE_TYPES)}"
            )
        if not 0 <= self.threads <= MAX_THREADS:
            raise UsageError(f"`threads` must be 0 (all CPUs) or a number up to {MAX_THREADS}")
        if not 1 <= self.beam_size <= 20:
            raise UsageError("`beam_size` must be between 1 and 20")
        if not 10 <= self.chunk_length <= 600:
            raise UsageError("`chunk_length` must be between 10 and 600 seconds")
        if not 1 <= self.batch_size <= 64:
            raise UsageError("`batch_size` must be between 1 and 64")

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages given, as Whisper's codes, the usual one first (empty: detect among all)."""
        return tuple(self.language.split(",")) if self.language else ()

    @property
    def forced_language(self) -> str | None:
        """The language decoding must use, when exactly one was given."""
        return self.languages[0] if len(self.languages) == 1 else None

    @property
    def candidates(self) -> tuple[str, ...]:
        """The languages detection chooses among (the first is the usual one); empty when one is forced or all
        are possible."""
        return self.languages if len(self.languages) > 1 else ()

    @property
    def chunk_seconds(self) -> float:
        """The longest chunk actually cut: the batched pipeline decodes each chunk as one 30 s window."""
        return min(self.chunk_length, 30.0) if self.batch_size > 1 else self.chunk_length

    @property
    def cpu_threads(self) -> int:
        # CTranslate2 defaults to 4 threads whatever the machine: on a 2-core box that oversubscribes.
        return self.threads or available_cpus()

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text, as recorded in the JSON output."""
        return {
            "task": self.task.value,
            "language": self.language,
            "segment_language": self.segment_language,
            "vocabulary": list(self.vocabulary),
            "vocabulary_bias": self.vocabulary_bias,
            "beam_size": self.beam_size,
            "initial_prompt": self.initial_prompt,
            "hotwords": self.hotwords,
            "vad": self.vad,
            "word_timestamps": self.word_timestamps,
            "chunk_length": self.chunk_length,
            "batch_size": self.batch_size,
        }


@dataclass(frozen=True, kw_only=True)
class OutputOptions:
    """Where and how transcripts are written.

    Attributes:
        formats: the formats to write, in order, without repeats.
        output_dir: folder for outputs; ``None`` writes next to each input.
        max_line_width: subtitle characters per line (SRT/VTT).
        max_line_count: subtitle lines per cue (SRT/VTT).
        timecodes: TXT puts ``[hh:mm:ss] Name:`` before each turn (DOCX always does).
        mark_pauses: DOCX marks pauses of at least this many seconds with their length (0: none).
        lines_per_page: DOCX numbered lines per page.
    """

    formats: tuple[OutputFormat, ...] = (OutputFormat.srt,)
    output_dir: Path | None = None
    max_line_width: int = 42
    max_line_count: int = 2
    timecodes: bool = False
    mark_pauses: float = 10.0
    lines_per_page: int = 25

    def __post_init__(self) -> None:
        if not self.formats:
            raise UsageError("no output format in `formats`; use json, srt, vtt, txt or all")
        if not 10 <= self.max_line_width <= 1000:
            raise UsageError("`max_line_width` must be between 10 and 1000 characters")
        if not 1 <= self.max_line_count <= 10:
            raise UsageError("`max_line_count` must be between 1 and 10")
        if not 10 <= self.lines_per_page <= 60:
            raise UsageError("`lines_per_page` must be between 10 and 60")
        if not (math.isfinite(self.mark_pauses) and self.mark_pauses >= 0):
            raise UsageError("`mark_pauses` must be 0 (no markers) or a number of seconds")

    def settings(self) -> dict[str, Any]:
        """What of these options shapes a format's bytes (for the fingerprints that tell current outputs)."""
        return {
            "max_line_width": self.max_line_width,
            "max_line_count": self.max_line_count,
            "timecodes": self.timecodes,
            "mark_pauses": self.mark_pauses,
            "lines_per_page": self.lines_per_page,
        }


@dataclass(frozen=True, kw_only=True)
class DiarizationOptions:
    """Who speaks when.

    Attributes:
        model: ``None`` for the bundled offline pipeline, a folder in the layout of
            pyannote/speaker-diarization-community-1, or a hub id (online, with ``token``).
        num_speakers: exact number of speakers, when known.
        min_speakers: lower bound on the number of speakers.
        max_speakers: upper bound on the number of speakers.
        speaker_names: display names, in order of first appearance (``Judge``, ``Counsel``…).
        token: Hugging Face token for gated hub pipelines; never written to any output.
        speaker_library: a voice library folder (``stt speakers enroll``): speakers whose voice matches an
            enrolled person take that person's name.
        roster: the case roster (``--roster``): it bounds the speakers looked for, limits the voices matched
            to the people on it, and names them by role.
    """

    model: str | None = None
    num_speakers: int | None = None
    min_speakers: int | None = None
    max_speakers: int | None = None
    speaker_names: tuple[str, ...] = ()
    token: str | None = field(default=None, repr=False)
    speaker_library: Path | None = None
    roster: tuple[Participant, ...] = ()

    def __post_init__(self) -> None:
        for name in ("num_speakers", "min_speakers", "max_speakers"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 100:
                raise UsageError(f"`{name}` must be between 1 and 100")
        if self.num_speakers is not None and (self.min_speakers or self.max_speakers):
            raise UsageError("`num_speakers` cannot be combined with `min_speakers` or `max_speakers`")
        if self.min_speakers and self.max_speakers and self.min_speakers > self.max_speakers:
            raise UsageError("`min_speakers` is larger than `max_speakers`")
        if any(not n.strip() for n in self.speaker_names):
            raise UsageError("`speaker_names` has an empty name; give e.g. 'Judge,Counsel,Witness'")

    def settings(self) -> dict[str, Any]:
        """What shapes the speaker labels, as recorded in the JSON output (never the token)."""
        return {
            "diarization_model": self.model or "bundled",
            "num_speakers": self.num_speakers,
            "min_speakers": self.min_speakers,
            "max_speakers": self.max_speakers,
            "speaker_names": list(self.speaker_names),
            "speaker_library": str(self.speaker_library) if self.speaker_library else None,
            **({"roster": [p.to_dict() for p in self.roster]} if self.roster else {}),
        }


# The settings that decide who speaks and nothing of the words: a rerun that changes only these finds the
# speakers again on the kept words (records/reuse.py). Microphone channels are not among them: a channel left
# out (``-``) is left out of the mix that is recognised.
WHO_SPEAKS = frozenset({
    "diarize", "diarization_model", "num_speakers", "min_speakers", "max_speakers", "speaker_names",
    "speaker_library", "speaker_library_voices", "roster",
})  # fmt: skip


# seconds: a full court day. Memory does not grow with a recording's length (audio is streamed through
# recognition and diarization), so the limit is there to catch a wrong file (a week-long stream), not for RAM.
DEFAULT_MAX_DURATION = 12 * 3600.0
DEFAULT_MAX_SIZE = 16 * 2**30  # bytes: a 12-hour video at typical courtroom-camera bitrates


@dataclass(frozen=True, kw_only=True)
class InputOptions:
    """What inputs are accepted.

    Attributes:
        max_duration: longest recording in seconds; 0 for no limit.
        max_size: largest file in bytes; 0 for no limit.
        allow_truncated: transcribe what can be decoded of a file that declares more audio than it holds
            (with a warning) instead of refusing it.
        audio_track: which audio track of a file with several to transcribe (0-based); ``None`` picks the
            one with the most speech.
    """

    max_duration: float = DEFAULT_MAX_DURATION
    max_size: int = DEFAULT_MAX_SIZE
    allow_truncated: bool = False
    audio_track: int | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.max_duration) and self.max_duration >= 0):
            raise UsageError("`max_duration` must be 0 (no limit) or a number of seconds")
        if self.max_size < 0:
            raise UsageError("`max_size` must be 0 (no limit) or a size such as 16G")
        if self.audio_track is not None and not 0 <= self.audio_track < 64:
            raise UsageError("`audio_track` must be between 0 and 63 (0 is the first audio track)")
