"""A transcript JSON read back into a :class:`Transcript`, so that every other format can be rendered from it
without transcribing again (``stt render``), byte for byte as ``stt transcribe`` wrote it.

The JSON keeps each word stripped; Whisper's words carry their leading space ("`` court``") and the writers
join them. The spaces are recovered from the segment's text, which is the words joined: each word is found in
it in order, and whatever whitespace precedes it is its own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stt_cli.case import CaseInfo
from stt_cli.errors import UsageError
from stt_cli.fileio import shown
from stt_cli.options import Task
from stt_cli.types import (
    Correction,
    InputInfo,
    LanguageSource,
    ModelInfo,
    NamedBy,
    Provenance,
    Retry,
    RetryOutcome,
    RetryReason,
    Segment,
    Speaker,
    SpeakerTurn,
    Transcript,
    Word,
)


def read_transcript(path: Path) -> Transcript:
    """The transcript in an stt JSON file.

    Raises:
        UsageError: not readable, not JSON, or not an stt transcript of a schema this version reads.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        major = str(data["schema_version"]).split(".")[0]
        if major != "1":
            raise ValueError(f"schema {data['schema_version']} is not one this stt reads (1.x)")
        return transcript_from_dict(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise UsageError(
            f"{shown(path)}: not an stt JSON transcript ({type(e).__name__}: {e}); give a .json that "
            "`stt transcribe -f json` wrote"
        ) from e


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """The inverse of :meth:`Transcript.to_dict` (``KeyError``/``TypeError``/``ValueError`` on a bad one)."""
    diarization = data.get("diarization_model")
    provenance = data.get("provenance")
    return Transcript(
        input=InputInfo(**data["input"]),
        duration=float(data["duration"]),
        language=str(data["language"]),
        language_source=LanguageSource(data["language_source"]),
        language_probability=data.get("language_probability"),
        task=Task(data["task"]),
        segments=tuple(_segment(s) for s in data["segments"]),
        model=ModelInfo(**data["model"]),
        settings=dict(data.get("settings", {})),
        warnings=tuple(data.get("warnings", ())),
        speakers=tuple(
            Speaker(**{**s, "named_by": NamedBy(s.get("named_by", "order"))}) for s in data.get("speakers", ())
        ),
        turns=tuple(SpeakerTurn(**t) for t in data.get("turns", ())),
        diarization_model=ModelInfo(**diarization) if diarization else None,
        retries=tuple(
            Retry(
                start=r["start"],
                end=r["end"],
                reason=RetryReason(r["reason"]),
                attempts=tuple(r["attempts"]),
                outcome=RetryOutcome(r["outcome"]),
                words=int(r["words"]),
            )
            for r in data.get("retries", ())
        ),
        chunks=int(data.get("chunks", 0)),
        provenance=Provenance(**provenance) if provenance else None,
        language_candidates=tuple(data.get("language_candidates", ())),
        language_probabilities=dict(data.get("language_probabilities", {})),
        corrections=tuple(Correction(**c) for c in data.get("corrections", ())),
        case=CaseInfo.from_dict(data.get("case") or {}),
    )


def _segment(data: dict[str, Any]) -> Segment:
    text = str(data["text"])
    return Segment(
        id=int(data["id"]),
        start=float(data["start"]),
        end=float(data["end"]),
        text=text,
        words=_spaced(text, data.get("words", ())),
        avg_logprob=float(data.get("avg_logprob", 0.0)),
        no_speech_prob=float(data.get("no_speech_prob", 0.0)),
        compression_ratio=float(data.get("compression_ratio", 0.0)),
        speaker=data.get("speaker"),
        language=data.get("language"),
        speaker_confidence=data.get("speaker_confidence"),
    )


def _spaced(text: str, words: Any) -> tuple[Word, ...]:
    """The words with the whitespace that precedes each in the segment's text (a leading space for the first
    word too: Whisper's first word has one, and the segment's text was stripped of it)."""
    out, at = [], 0
    for index, word in enumerate(words):
        bare = str(word["text"])
        found = text.find(bare, at) if bare else -1
        if found < 0:  # not where expected (an edited JSON): a plain space, as Whisper writes
            spacing = " "
        else:
            spacing = text[at:found] if index else " "
            at = found + len(bare)
        out.append(Word(float(word["start"]), float(word["end"]), spacing + bare, float(word["probability"]),
                        word.get("speaker"), word.get("confidence")))  # fmt: skip
    return tuple(out)
