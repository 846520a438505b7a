"""The values that flow between stages. All times are in seconds from the start of the input file."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from stt_cli.case import CaseInfo
from stt_cli.options import Task
from stt_cli.provenance import InputInfo, ModelInfo, Provenance, round_share
from stt_cli.provenance import round_seconds as _round

# Bumped whenever a field of the JSON output changes meaning or disappears (adding one is compatible).
SCHEMA_VERSION = "1.9"


class LanguageSource(StrEnum):
    """How the transcript's language was decided."""

    detected = "detected"  # Whisper chose it
    requested = "requested"  # the user forced it
    model = "model"  # an English-only model
    none = "none"  # no speech to detect from; the language is "und"


class NamedBy(StrEnum):
    """Where a speaker's name came from."""

    voice = "voice"  # matched an enrolled voice in the voice library
    channel = "channel"  # --channel-speakers: the microphone's name
    given = "given"  # --speaker-names, in order of first appearance
    order = "order"  # numbered in order of first appearance ("Speaker 1")
    person = "person"  # named, or added, by a person correcting the transcript (``stt edit``)
    roster = "roster"  # matched the voice of a participant on the case roster (``--roster``)


class RetryReason(StrEnum):
    coverage = "coverage"  # VAD heard speech the first decode left without words
    loop = "loop"  # the first decode repeated itself


class RetryOutcome(StrEnum):
    recovered = "recovered"  # a retry gave text that was kept
    collapsed = "collapsed"  # every decode looped; the repeats were removed
    unchanged = "unchanged"  # no retry did better; the first decode stands


# Seconds of sound a word may have beyond its times: Whisper's word times are estimates from cross-attention and
# fall inside the word. Measured on the redaction test hearing (README, "A public copy") where a name opens or
# closes a clip: its sound began up to 0.18 s before the word's start and ended up to 0.15 s after its end. The
# audio of a word (a citation's excerpt, a name covered in a public copy) is taken this much wider either side.
WORD_EDGE = 0.25


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing.

    Attributes:
        start: seconds from the start of the file.
        end: seconds from the start of the file, ``>= start``.
        text: the word as Whisper wrote it, with its leading space if it had one.
        probability: the decoder's probability for the word, 0..1.
        speaker: the speaker id (``SPEAKER_1``…) when diarized.
        confidence: the calibrated chance that the word is right (``stt_cli.review.confidence``); 1 for a
            word a person wrote.
        verified: written or confirmed by a person who listened (``stt edit``), not the recogniser's guess.
    """

    start: float
    end: float
    text: str
    probability: float
    speaker: str | None = None
    confidence: float | None = None
    verified: bool = False

    def to_dict(self) -> dict[str, Any]:
        out = {
            "start": _round(self.start),
            "end": _round(self.end),
            "text": self.text.strip(),
            "probability": round(self.probability, 4),
            "confidence": round_share(self.confidence),
            "speaker": self.speaker,
        }
        if self.verified:  # only then: a machine transcript's JSON stays as it was
            out["verified"] = True
        return out


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
        checked: a person listened to it and marked it right (``stt edit``): it leaves the review list.
        paragraph: it starts a new paragraph even when its speaker spoke just before (a turn split by a person).
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
    checked: bool = False
    paragraph: bool = False


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
    """A near-miss of a vocabulary term, written as the term is spelled, or left as heard.

    Attributes:
        start: seconds from the start of the file (of the first word corrected).
        end: seconds from the start of the file (of the last).
        heard: what the recogniser wrote.
        written: the term as the vocabulary spells it.
        applied: whether the text was changed; ``False`` for a word the recogniser was sure of that is one or
            two letters from a term (left as heard, and listed once, at its first place, for the reviewer:
            the term may have been meant).
    """

    start: float
    end: float
    heard: str
    written: str
    applied: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"start": _round(self.start), "end": _round(self.end), "heard": self.heard, "written": self.written,
                "applied": self.applied}  # fmt: skip


class MarkKind(StrEnum):
    """What a person heard in a stretch that has no words to write."""

    inaudible = "inaudible"  # speech that cannot be made out
    crosstalk = "crosstalk"  # several people at once, none to be made out


@dataclass(frozen=True)
class Mark:
    """A stretch a person marked, shown in the documents where it falls ("[inaudible 10:02:03-10:02:05]")."""

    start: float
    end: float
    kind: MarkKind

    def to_dict(self) -> dict[str, Any]:
        return {"start": _round(self.start), "end": _round(self.end), "kind": self.kind.value}


@dataclass(frozen=True)
class Redaction:
    """Where a public copy (``stt redact``) came from, and how much was taken out: counts only, since the terms
    and the places they were said are in the court's report, never in the copy.

    Attributes:
        record_sha256: sha256 of the record's JSON file.
        recording_sha256: sha256 of the record's recording.
        at: UTC time the copy was made, ISO 8601.
        spans: stretches taken out of the text and covered in the audio.
        seconds: seconds of audio covered.
        audio: ``silence``, ``tone``, or ``none`` (no public audio made).
        margin: seconds covered before and after each word taken out.
        listened: the public audio was transcribed again and nothing taken out was heard in it.
    """

    record_sha256: str
    recording_sha256: str
    at: str
    spans: int
    seconds: float
    audio: str
    margin: float
    listened: bool

    def to_dict(self) -> dict[str, Any]:
        return {"record_sha256": self.record_sha256, "recording_sha256": self.recording_sha256, "at": self.at,
                "spans": self.spans, "seconds": _round(self.seconds), "audio": self.audio, "margin": self.margin,
                "listened": self.listened}  # fmt: skip


@dataclass(frozen=True)
class Edit:
    """One change a person made to the transcript (``stt edit``), for the audit trail.

    Attributes:
        revision: the revision the change made (the first change makes revision 1).
        at: UTC time of the change, ISO 8601.
        editor: who made it (``--editor``, by default the account's name).
        op: the operation (``replace``, ``insert``, ``delete``, ``speaker``, ``rename``, ``split``, ``merge``,
            ``mark``, ``unmark``, ``check``, ``restore``).
        start: seconds from the start of the file where the change is.
        end: seconds from the start of the file.
        before: what it was (the words, the speaker's name), ``""`` for nothing.
        after: what it became.
    """

    revision: int
    at: str
    editor: str
    op: str
    start: float
    end: float
    before: str
    after: str

    def to_dict(self) -> dict[str, Any]:
        return {"revision": self.revision, "at": self.at, "editor": self.editor, "op": self.op,
                "start": _round(self.start), "end": _round(self.end), "before": self.before,
                "after": self.after}  # fmt: skip


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
        role: the roster role of the participant it is (``hakim_ketua``, ``saksi``…), when named from the roster.
        suggestion: with a roster, who an unnamed speaker may be (the next witness not yet heard…): for the
            reviewer, never applied.
    """

    id: str
    name: str
    speaking_time: float
    named_by: NamedBy = NamedBy.order
    similarity: float | None = None
    role: str | None = None
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "speaking_time": _round(self.speaking_time),
            "named_by": str(self.named_by),
            "similarity": self.similarity,
            **({"role": self.role} if self.role else {}),
            **({"suggestion": self.suggestion} if self.suggestion else {}),
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
        case: the hearing's details and wall-clock start, for documents (``--meta``, ``--start-time``).
        revision: how many times a person has saved a change to it (``stt edit``); 0 for the machine's own.
        edits: every change a person made, in order (the audit trail).
        marks: stretches a person marked inaudible or crosstalk, in time order.
        redaction: set in a public copy only: the record it was made from.
    """

    input: InputInfo
    duration: float
    language: str
    language_source: LanguageSource
    language_probability: float | None
    task: Task
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
    case: CaseInfo = field(default_factory=CaseInfo)
    revision: int = 0
    edits: tuple[Edit, ...] = ()
    marks: tuple[Mark, ...] = ()
    redaction: Redaction | None = None

    def speaker_name(self, speaker_id: str | None) -> str | None:
        """The display name of a speaker id (``None`` stays ``None``)."""
        return next((s.name for s in self.speakers if s.id == speaker_id), speaker_id)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(w for s in self.segments for w in s.words)
