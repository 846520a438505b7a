"""JSON: the whole transcript, schema in ``stt_cli/schema/transcript.schema.json``.

The dictionaries are built here rather than on the types, because the JSON also carries what the review room
computes from a transcript (each segment's confidence, the review counts): ``types.py`` knows nothing of
``review/``."""

from __future__ import annotations

import functools
import json
from typing import Any

from stt_cli.provenance import round_seconds, round_share
from stt_cli.review.calibration import MODEL
from stt_cli.review.confidence import mean_confidence
from stt_cli.review.spans import review_summary
from stt_cli.types import SCHEMA_VERSION, Segment, SpeakerTurn, Transcript
from stt_cli.writers.base import ResultWriter


def transcript_json(transcript: Transcript) -> str:
    """The JSON text of a transcript (what ``-f json`` writes): byte for byte ``json.dumps(transcript_dict(t),
    ensure_ascii=False, indent=2)``, with the text of each segment and of the speaker turns made once and kept.

    Python's indenting encoder is its slow one (the C encoder does not indent): a three-hour hearing's 6 MB
    took 300 ms to write, for every change ``stt edit`` saves. A segment (or the turns) a change did not touch
    is the same object as before, and its text comes from the cache: a save then takes about 60 ms. A value
    nested in an indented document is the value indented alone, each line moved right (a JSON string never
    holds a raw line break), which is how the parts are put together.
    """
    fields = transcript_dict(transcript, segments=False, turns=False)
    parts = [f"{json.dumps(key)}: {_indented(value, 1)}" for key, value in fields.items()]
    parts.insert(list(fields).index("chunks"), f'"turns": {_turns_text(transcript.turns)}')
    parts.append(f'"segments": {_list_text(tuple(_segment_text(s) for s in transcript.segments))}')
    return "{\n  " + ",\n  ".join(parts) + "\n}\n"


def _indented(value: Any, depth: int) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * depth)


def _list_text(items: tuple[str, ...]) -> str:
    """A list at depth 1 of items already indented for depth 2."""
    return "[\n" + ",\n".join(items) + "\n  ]" if items else "[]"


@functools.lru_cache(maxsize=100_000)
def _segment_text(segment: Segment) -> str:
    return "    " + _indented(segment_dict(segment), 2)


@functools.lru_cache(maxsize=16)
def _turns_text(turns: tuple[SpeakerTurn, ...]) -> str:
    return _list_text(tuple("    " + _indented(t.to_dict(), 2) for t in turns))


def transcript_dict(t: Transcript, *, segments: bool = True, turns: bool = True) -> dict[str, Any]:
    """The transcript as the JSON schema lays it out (the inverse of ``reading.transcript_from_dict``); the
    segments and the turns left out unless asked for."""
    summary = review_summary(t)
    return {
        "schema_version": SCHEMA_VERSION,
        "input": t.input.to_dict(),
        "duration": round_seconds(t.duration),
        "language": t.language,
        "language_source": t.language_source.value,
        "language_probability": None if t.language_probability is None else round(t.language_probability, 4),
        "language_candidates": list(t.language_candidates),
        "language_probabilities": {k: round(v, 4) for k, v in t.language_probabilities.items()},
        "task": str(t.task),
        "model": t.model.to_dict(),
        "settings": dict(t.settings),
        "text": t.text,
        "warnings": list(t.warnings),
        "diarization_model": None if t.diarization_model is None else t.diarization_model.to_dict(),
        "speakers": [s.to_dict() for s in t.speakers],
        **({"turns": [turn.to_dict() for turn in t.turns]} if turns else {}),
        "chunks": t.chunks,
        "retries": [r.to_dict() for r in t.retries],
        "corrections": [c.to_dict() for c in t.corrections],
        "provenance": None if t.provenance is None else t.provenance.to_dict(),
        "case": t.case.to_dict(),
        "revision": t.revision,
        "edits": [e.to_dict() for e in t.edits],
        "marks": [m.to_dict() for m in t.marks],
        "redaction": None if t.redaction is None else t.redaction.to_dict(),
        "confidence": summary["confidence"],
        "review": {"counts": summary["counts"], "calibrated_on": MODEL},
        **({"segments": [segment_dict(s) for s in t.segments]} if segments else {}),
    }


def segment_dict(s: Segment) -> dict[str, Any]:
    return {
        "id": s.id,
        "start": round_seconds(s.start),
        "end": round_seconds(s.end),
        "speaker": s.speaker,
        "speaker_confidence": round_share(s.speaker_confidence),
        "confidence": round_share(mean_confidence(w.confidence for w in s.words)),
        "language": s.language,
        "text": s.text,
        "words": [w.to_dict() for w in s.words],
        "avg_logprob": round(s.avg_logprob, 4),
        "no_speech_prob": round(s.no_speech_prob, 4),
        "compression_ratio": round(s.compression_ratio, 4),
        **({"checked": True} if s.checked else {}),
        **({"paragraph": True} if s.paragraph else {}),
    }


class JsonWriter(ResultWriter):
    extension = "json"

    def render(self, transcript: Transcript) -> str:
        return transcript_json(transcript)
