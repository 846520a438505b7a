"""The spans of a transcript worth a listen before it is certified, each with its kind: what stt already knows
is doubtful (low-confidence words, speech heard but not recognised, stretches decoded again, unclear speakers,
crosstalk, a quiet or clipped recording), gathered into one short list."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from stt_cli.media.levels import CLIPPED_SHARE, QUIET_DBFS
from stt_cli.review.confidence import mean_confidence
from stt_cli.types import Correction, RetryOutcome, RetryReason, SpeakerTurn, Transcript, Word

# Words below this calibrated confidence are flagged. Measured by bench/review.py on held-out clips (English and
# Indonesian, `base`): at 0.6, 14 % of words flagged held 58 % of the word errors; at 0.7, 22 % held 80 %; at
# 0.8, 30 % held 92 %. 0.7 is the knee: the step from 0.6 catches 2.9 points of errors per point of words
# flagged, the next step only 1.5.
LOW_CONFIDENCE = 0.7
SPEAKER_UNCERTAIN = 0.7  # a segment's speaker confidence below this: its speaker deserves a look
# A diarized speaker with less speech than this is likely a phantom (a cluster of one voice's odd moments, a
# cough, a door): never named from the roster, and flagged. 2 s: a person who takes part says more than that
# (a witness's oath alone is longer), and the bundled diarization's phantoms on the shared clips held under 1 s.
PHANTOM_SECONDS = 2.0
JOIN_GAP = 1.0  # s; flagged words closer than this form one span
OVERLAP_SECONDS = 0.5  # two speakers' turns sharing less than this are a hand-over, not crosstalk
WHOLE_RECORDING = ("quiet_audio", "clipped", "warning")  # kinds about the recording as a whole, not a stretch
KINDS = (
    "low_confidence", "inaudible", "loop_recovered", "loop_collapsed", "coverage_retry", "speaker_uncertain",
    "overlap", "quiet_audio", "clipped", "corrected", "term_near", "speaker_phantom", "speaker_suggestion",
    "warning",
)  # fmt: skip

_KINDS_ID = {  # the kinds in Indonesian (in English, the kind's own name)
    "low_confidence": "keyakinan rendah", "inaudible": "tidak terdengar",
    "loop_recovered": "pengulangan diperbaiki", "loop_collapsed": "pengulangan dihapus",
    "coverage_retry": "didengar ulang",
    "speaker_uncertain": "pembicara ragu", "overlap": "bicara bersamaan", "quiet_audio": "audio pelan",
    "clipped": "audio terpotong", "corrected": "dikoreksi kosakata", "term_near": "mirip istilah",
    "speaker_phantom": "pembicara semu", "speaker_suggestion": "usulan pembicara", "warning": "peringatan",
}  # fmt: skip


def kind_name(kind: str, lang: str) -> str:
    """A kind as the page and the lists show it, in the document's language (``id`` or ``en``)."""
    return _KINDS_ID.get(kind, kind) if lang == "id" else kind.replace("_", " ")


@dataclass(frozen=True)
class ReviewSpan:
    """One span worth a listen (seconds from the start of the file)."""

    start: float
    end: float
    kind: str
    text: str
    detail: str


def review_spans(transcript: Transcript, *, checked: bool = False) -> list[ReviewSpan]:
    """Every span worth a listen, in time order; those that lie in segments a person checked (``stt edit``)
    only with ``checked`` (the editor shows them done)."""
    spans = _all_spans(transcript)
    if checked or not any(s.checked for s in transcript.segments):
        return spans
    done = Checked(transcript)
    return [s for s in spans if not done.over(s)]


class Checked:
    """Which stretches of a transcript a person checked: a span is done when every segment it touches is."""

    def __init__(self, transcript: Transcript) -> None:
        self.segments = transcript.segments
        self.starts = [s.start for s in self.segments]
        self.longest = max((s.end - s.start for s in self.segments), default=0.0)

    def over(self, span: ReviewSpan) -> bool:
        if span.kind in WHOLE_RECORDING:
            return False
        touched = False
        # Segments are in time order: those touching the span start before its end; walk back from there.
        for i in range(bisect.bisect_right(self.starts, span.end) - 1, -1, -1):
            segment = self.segments[i]
            if segment.end < span.start:
                if segment.start < span.start - self.longest:  # no earlier segment is long enough to reach it
                    break
                continue
            if not segment.checked:
                return False
            touched = True
        return touched


_LAST: list[tuple[Transcript, list[ReviewSpan]]] = []  # the latest transcript's spans (see _all_spans)


def _all_spans(transcript: Transcript) -> list[ReviewSpan]:
    """The spans, computed once per transcript object: the JSON's counts and the editor's list each need them
    on every save (30 ms each for a three-hour hearing)."""
    if _LAST and _LAST[0][0] is transcript:
        return list(_LAST[0][1])
    spans = _spans_of(transcript)
    _LAST[:] = [(transcript, spans)]
    return list(spans)


def _spans_of(transcript: Transcript) -> list[ReviewSpan]:
    spans = _low_confidence(transcript) + _retried(transcript) + _speakers(transcript)
    spans += [
        ReviewSpan(
            b.start,
            min(a.end, b.end),
            "overlap",
            "",
            f"{transcript.speaker_name(a.speaker)}, {transcript.speaker_name(b.speaker)} at once",
        )
        for a, b in overlapping(transcript.turns)
    ]
    spans += _signal(transcript)
    spans += [_vocabulary(c) for c in transcript.corrections]
    # What the whole recording's reader must know (a truncated file transcribed anyway, no speech found).
    spans += [ReviewSpan(0.0, transcript.duration, "warning", "", w) for w in transcript.warnings]
    return sorted(spans, key=lambda s: (s.start, s.end, KINDS.index(s.kind)))


def review_summary(transcript: Transcript) -> dict[str, Any]:
    """The file's confidence and how many spans of each kind: what a batch over an archive compares."""
    counts = dict.fromkeys(KINDS, 0)
    for span in review_spans(transcript):
        counts[span.kind] += 1
    confidence = mean_confidence(w.confidence for w in transcript.words)
    return {"confidence": None if confidence is None else round(confidence, 3), "counts": counts}


def overlapping(turns: tuple[SpeakerTurn, ...]) -> list[tuple[SpeakerTurn, SpeakerTurn]]:
    """Pairs of different speakers' turns that share at least ``OVERLAP_SECONDS``, the later one second."""
    ordered = sorted(turns, key=lambda t: t.start)
    pairs = []
    for i, turn in enumerate(ordered):
        for other in ordered[i + 1 :]:
            if other.start >= turn.end:
                break
            if other.speaker != turn.speaker and min(turn.end, other.end) - other.start >= OVERLAP_SECONDS:
                pairs.append((turn, other))
    return pairs


def _low_confidence(transcript: Transcript) -> list[ReviewSpan]:
    runs: list[list[Word]] = []
    for word in transcript.words:
        if word.confidence is None or word.confidence >= LOW_CONFIDENCE:
            continue
        if runs and word.start - runs[-1][-1].end < JOIN_GAP:
            runs[-1].append(word)
        else:
            runs.append([word])
    return [
        ReviewSpan(
            run[0].start,
            run[-1].end,
            "low_confidence",
            "".join(w.text for w in run).strip(),
            f"confidence {min(w.confidence or 0.0 for w in run):.2f}",
        )
        for run in runs
    ]


def _retried(transcript: Transcript) -> list[ReviewSpan]:
    spans = []
    for retry in transcript.retries:
        if retry.reason is RetryReason.coverage:
            kind = "inaudible" if retry.words == 0 else "coverage_retry"
            detail = "speech heard, no words recognised" if retry.words == 0 else f"{retry.words} words recovered"
        elif retry.outcome is RetryOutcome.collapsed:
            kind, detail = "loop_collapsed", "repeated text removed: check what was said"
        else:
            kind, detail = "loop_recovered", f"decoded again ({', '.join(retry.attempts)})"
        text = " ".join(w.text.strip() for w in transcript.words if retry.start <= w.start < retry.end)
        spans.append(ReviewSpan(retry.start, retry.end, kind, text, detail))
    return spans


def _speakers(transcript: Transcript) -> list[ReviewSpan]:
    return _uncertain(transcript) + _who(transcript)


def _who(transcript: Transcript) -> list[ReviewSpan]:
    """Speakers with too little speech to be a person, and roster suggestions, at their first words."""
    spans = []
    for speaker in transcript.speakers:
        first = next((s for s in transcript.segments if s.speaker == speaker.id), None)
        start, end = (first.start, first.end) if first else (0.0, 0.0)
        text = first.text if first else ""
        if len(transcript.speakers) > 1 and speaker.speaking_time < PHANTOM_SECONDS:
            why = f"{speaker.name} speaks {speaker.speaking_time:.1f} s: another speaker's?"
            spans.append(ReviewSpan(start, end, "speaker_phantom", text, why))
        if speaker.suggestion:
            spans.append(ReviewSpan(start, end, "speaker_suggestion", text,
                                    f"{speaker.name} may be {speaker.suggestion} (not applied)"))  # fmt: skip
    return spans


def _uncertain(transcript: Transcript) -> list[ReviewSpan]:
    return [
        ReviewSpan(
            s.start,
            s.end,
            "speaker_uncertain",
            s.text,
            f"speaker confidence {s.speaker_confidence:.2f} ({transcript.speaker_name(s.speaker)})",
        )
        for s in transcript.segments
        if s.speaker_confidence is not None and s.speaker_confidence < SPEAKER_UNCERTAIN
    ]


def _vocabulary(c: Correction) -> ReviewSpan:
    """A vocabulary term written over what was heard, or near a word heard surely and left: each one seen."""
    if c.applied:
        return ReviewSpan(
            c.start, c.end, "corrected", c.written, f"heard {c.heard!r}, written as the vocabulary has it"
        )
    return ReviewSpan(c.start, c.end, "term_near", c.heard, f"heard surely and left; near the term {c.written!r}")


def _signal(transcript: Transcript) -> list[ReviewSpan]:
    level, clipped = transcript.input.level_dbfs, transcript.input.clipped_share
    spans = []
    if level is not None and level < QUIET_DBFS:
        spans.append(ReviewSpan(0.0, transcript.duration, "quiet_audio", "", f"speech at {level:.0f} dBFS"))
    if clipped is not None and clipped > CLIPPED_SHARE:
        spans.append(ReviewSpan(0.0, transcript.duration, "clipped", "", f"{clipped:.1%} of samples clipped"))
    return spans
