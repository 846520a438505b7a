"""A transcript JSON read back into a :class:`Transcript`, so that every other format can be rendered from it
without transcribing again (``stt render``), byte for byte as ``stt transcribe`` wrote it.

A JSON that comes back may have been edited by hand or by a script, so every value is checked here, once, for
the type and range the schema gives it (a start time that is a date, a speaker's name that is text, a number
that is finite, text without control characters), and the first that is not is named with its place
(``segments[3].words[0].confidence``) in one usage error: no writer ever meets a value it cannot take, and one
bad transcript never stops the others being rendered.

The JSON keeps each word stripped; Whisper's words carry their leading space ("`` court``") and the writers
join them. The spaces are recovered from the segment's text, which is the words joined: each word is found in
it in order, and whatever whitespace precedes it is its own.
"""

from __future__ import annotations

import json
import math
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from stt_cli.case import CaseInfo, Participant
from stt_cli.errors import UsageError
from stt_cli.fileio import shown
from stt_cli.options import Task
from stt_cli.types import (
    Correction,
    Edit,
    InputInfo,
    LanguageSource,
    Mark,
    MarkKind,
    ModelInfo,
    NamedBy,
    Provenance,
    Redaction,
    Retry,
    RetryOutcome,
    RetryReason,
    Segment,
    Speaker,
    SpeakerTurn,
    Transcript,
    Word,
)

E = TypeVar("E", bound=StrEnum)


class BadValue(ValueError):
    """A value of the JSON that is not what its field holds (the message names its place)."""


def read_transcript(path: Path) -> Transcript:
    """The transcript in an stt JSON file, every value checked.

    Raises:
        UsageError: not readable, not JSON, or not an stt transcript of a schema this version reads, or a value
            in it that is not of its field's type or range.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"), parse_constant=_no_constant)
        if not isinstance(data, dict):
            raise BadValue(f"the top level is {type(data).__name__}, not an object")
        major = str(data.get("schema_version", "")).split(".")[0]
        if major != "1":
            raise BadValue(f"schema {data.get('schema_version')!r} is not one this stt reads (1.x)")
        return transcript_from_dict(data)
    except RecursionError:
        raise UsageError(f"{shown(path)}: not an stt JSON transcript (nested too deep)") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise UsageError(
            f"{shown(path)}: not an stt JSON transcript ({type(e).__name__}: {e}); give a .json that "
            "`stt transcribe -f json` wrote"
        ) from e


def transcript_from_dict(data: dict[str, Any]) -> Transcript:
    """The inverse of ``writers.json.transcript_dict``.

    Raises:
        BadValue, KeyError: a value missing, or not of its field's type or range.
    """
    t = _Fields(data, "")
    duration = t.number("duration")
    case = _case(t.fields("case", optional=True))
    if case.start_time is not None:
        _check_clock(case.start_time, duration)
    diarization, provenance = t.fields("diarization_model", optional=True), t.fields("provenance", optional=True)
    redaction = t.fields("redaction", optional=True)
    return Transcript(
        input=_input(t.fields("input")),
        duration=duration,
        language=t.text("language"),
        language_source=t.choice("language_source", LanguageSource),
        language_probability=t.share("language_probability", optional=True),
        task=t.choice("task", Task),
        segments=tuple(_segment(s) for s in t.items("segments")),
        model=_model(t.fields("model")),
        settings=t.table("settings"),
        warnings=tuple(t.texts("warnings")),
        speakers=tuple(_speaker(s) for s in t.items("speakers")),
        turns=tuple(_turn(x) for x in t.items("turns")),
        diarization_model=None if diarization is None else _model(diarization),
        retries=tuple(_retry(r) for r in t.items("retries")),
        chunks=t.integer("chunks", default=0),
        provenance=None if provenance is None else _provenance(provenance),
        language_candidates=tuple(t.texts("language_candidates")),
        language_probabilities={
            k: _number(v, f"language_probabilities.{k}") for k, v in t.table("language_probabilities").items()
        },
        corrections=tuple(_correction(c) for c in t.items("corrections")),
        case=case,
        revision=t.integer("revision", default=0),
        edits=tuple(_edit(e) for e in t.items("edits")),
        marks=tuple(_mark(m) for m in t.items("marks")),
        redaction=None if redaction is None else _redaction(redaction),
    )  # fmt: skip


def _redaction(f: _Fields) -> Redaction:
    return Redaction(
        record_sha256=f.text("record_sha256"), recording_sha256=f.text("recording_sha256"), at=f.text("at"),
        spans=f.integer("spans"), seconds=f.number("seconds"), audio=f.text("audio"), margin=f.number("margin"),
        listened=f.flag("listened"),
    )  # fmt: skip


def _edit(f: _Fields) -> Edit:
    _instant(f.text("at"), f.place("at"))
    return Edit(
        revision=f.integer("revision"), at=f.text("at"), editor=f.text("editor"), op=f.text("op"),
        start=f.number("start"), end=f.number("end"), before=f.text("before"), after=f.text("after"),
    )  # fmt: skip


def _mark(f: _Fields) -> Mark:
    return Mark(start=f.number("start"), end=f.number("end"), kind=f.choice("kind", MarkKind))


def _input(f: _Fields) -> InputInfo:
    f.only({"path", "size_bytes", "sha256", "container", "codec", "declared_duration", "sample_rate", "channels",
            "audio_track", "audio_tracks", "start_offset", "level_dbfs", "peak_dbfs", "clipped_share",
            "creation_time"})  # fmt: skip
    return InputInfo(
        path=f.text("path"), size_bytes=f.integer("size_bytes"), sha256=f.text("sha256"),
        container=f.text("container"), codec=f.text("codec"),
        declared_duration=f.number("declared_duration", optional=True),
        sample_rate=f.integer("sample_rate", default=0), channels=f.integer("channels", default=0),
        audio_track=f.integer("audio_track", default=0), audio_tracks=f.integer("audio_tracks", default=1),
        start_offset=f.number("start_offset", default=0.0), level_dbfs=f.signed("level_dbfs"),
        peak_dbfs=f.signed("peak_dbfs"), clipped_share=f.share("clipped_share", optional=True),
        creation_time=f.text("creation_time", optional=True),
    )  # fmt: skip


def _model(f: _Fields) -> ModelInfo:
    return ModelInfo(name=f.text("name"), path=f.text("path"), sha256=f.text("sha256", optional=True))


def _speaker(f: _Fields) -> Speaker:
    return Speaker(
        id=f.text("id"), name=f.text("name"), speaking_time=f.number("speaking_time"),
        named_by=f.choice("named_by", NamedBy, default=NamedBy.order),
        similarity=f.signed("similarity"), role=f.text("role", optional=True),
        suggestion=f.text("suggestion", optional=True),
    )  # fmt: skip


def _turn(f: _Fields) -> SpeakerTurn:
    return SpeakerTurn(start=f.number("start"), end=f.number("end"), speaker=f.text("speaker"))


def _retry(f: _Fields) -> Retry:
    return Retry(
        start=f.number("start"), end=f.number("end"), reason=f.choice("reason", RetryReason),
        attempts=tuple(f.texts("attempts")), outcome=f.choice("outcome", RetryOutcome), words=f.integer("words"),
    )  # fmt: skip


def _correction(f: _Fields) -> Correction:
    return Correction(
        start=f.number("start"), end=f.number("end"), heard=f.text("heard"), written=f.text("written"),
        applied=f.flag("applied", default=True),
    )  # fmt: skip


def _provenance(f: _Fields) -> Provenance:
    for key in ("started_at", "finished_at"):
        _instant(f.text(key), f.place(key))
    return Provenance(
        tool=f.text("tool"), started_at=f.text("started_at"), finished_at=f.text("finished_at"),
        stage_seconds={k: _number(v, f.place(f"stage_seconds.{k}")) for k, v in f.table("stage_seconds").items()},
        total_seconds=f.number("total_seconds"), offline=f.flag("offline"), mode=f.text("mode", default="file"),
        environment=f.table("environment", optional=True),
    )  # fmt: skip


def _case(f: _Fields | None) -> CaseInfo:
    if f is None:
        return CaseInfo()
    fields = {k: _text(v, f.place(f"fields.{k}"), lines=True) for k, v in f.table("fields").items()}
    start = f.text("start_time", optional=True)
    if start is not None:
        _instant(start, f.place("start_time"))
    roster = tuple(
        Participant(p.text("role"), p.text("name"), p.text("voice", optional=True),
                    p.integer("order", default=None) if p.data.get("order") is not None else None,
                    p.flag("speaks", default=True))
        for p in f.items("roster")
    )  # fmt: skip
    return CaseInfo(tuple(fields.items()), start, f.text("start_time_source", optional=True), roster)


def _segment(f: _Fields) -> Segment:
    text = f.text("text")
    return Segment(
        id=f.integer("id"), start=f.number("start"), end=f.number("end"), text=text,
        words=_spaced(text, f.items("words")), avg_logprob=f.signed("avg_logprob", default=0.0),
        no_speech_prob=f.share("no_speech_prob", default=0.0),
        compression_ratio=f.number("compression_ratio", default=0.0),
        speaker=f.text("speaker", optional=True), language=f.text("language", optional=True),
        speaker_confidence=f.share("speaker_confidence", optional=True),
        checked=f.flag("checked", default=False), paragraph=f.flag("paragraph", default=False),
    )  # fmt: skip


def _spaced(text: str, words: list[_Fields]) -> tuple[Word, ...]:
    """The words with the whitespace that precedes each in the segment's text (a leading space for the first
    word too: Whisper's first word has one, and the segment's text was stripped of it)."""
    out, at = [], 0
    for index, word in enumerate(words):
        bare = word.text("text")
        found = text.find(bare, at) if bare else -1
        if found < 0:  # not where expected (an edited JSON): a plain space, as Whisper writes
            spacing = " "
        else:
            spacing = text[at:found] if index else " "
            at = found + len(bare)
        out.append(Word(word.number("start"), word.number("end"), spacing + bare, word.share("probability"),
                        word.text("speaker", optional=True), word.share("confidence", optional=True),
                        word.flag("verified", default=False)))  # fmt: skip
    return tuple(out)


_REQUIRED: Any = object()  # a field's default when it must be there


class _Fields:
    """One JSON object of the transcript, read field by field with its type checked (``where`` is its place,
    for messages)."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise BadValue(f"{where or 'the transcript'}: {_shown(data)} is not an object")
        self.data, self.where = data, where

    def place(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str, optional: bool, default: Any) -> Any:
        if key not in self.data or self.data[key] is None:
            if optional or default is not _REQUIRED:
                return None if default is _REQUIRED else default
            raise BadValue(f"{self.place(key)} is missing")
        return self.data[key]

    def only(self, keys: set[str]) -> None:
        extra = sorted(set(self.data) - keys)
        if extra:
            raise BadValue(f"{self.place(extra[0])} is not a field of it")

    def text(self, key: str, *, optional: bool = False, default: Any = _REQUIRED) -> Any:
        value = self._get(key, optional, default)
        return value if value is None or value is default else _text(value, self.place(key))

    def number(self, key: str, *, optional: bool = False, default: Any = _REQUIRED) -> Any:
        value = self._get(key, optional, default)
        if value is None or value is default:
            return value
        found = _number(value, self.place(key))
        if found < 0:
            raise BadValue(f"{self.place(key)}: {_shown(value)} is negative")
        return found

    def signed(self, key: str, *, default: Any = None) -> Any:
        value = self._get(key, True, default)
        return value if value is None or value is default else _number(value, self.place(key))

    def share(self, key: str, *, optional: bool = False, default: Any = _REQUIRED) -> Any:
        value = self.number(key, optional=optional, default=default)
        if value is not None and value > 1:
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not between 0 and 1")
        return value

    def integer(self, key: str, *, default: Any = _REQUIRED) -> int:
        value = self._get(key, False, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not a whole number of 0 or more")
        return value

    def flag(self, key: str, *, default: bool = False) -> bool:
        value = self._get(key, False, default)
        if not isinstance(value, bool):
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not true or false")
        return value

    def choice(self, key: str, kind: type[E], *, default: Any = _REQUIRED) -> E:
        value = self._get(key, False, default)
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(k.value for k in kind)
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not one of {known}") from None

    def table(self, key: str, *, optional: bool = False) -> Any:
        value = self._get(key, True, {} if not optional else None)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not an object")
        return dict(value)

    def fields(self, key: str, *, optional: bool = False) -> Any:
        value = self._get(key, optional, _REQUIRED)
        return None if value is None else _Fields(value, self.place(key))

    def items(self, key: str) -> list[_Fields]:
        value = self._get(key, True, [])
        if not isinstance(value, list):
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not a list")
        return [_Fields(v, f"{self.place(key)}[{i}]") for i, v in enumerate(value)]

    def texts(self, key: str) -> list[str]:
        value = self._get(key, True, [])
        if not isinstance(value, list):
            raise BadValue(f"{self.place(key)}: {_shown(value)} is not a list")
        return [_text(v, f"{self.place(key)}[{i}]") for i, v in enumerate(value)]


def _text(value: Any, place: str, *, lines: bool = False) -> str:
    """Text without control characters (a document's XML cannot hold them; ``lines`` allows line breaks)."""
    if not isinstance(value, str):
        raise BadValue(f"{place}: {_shown(value)} is not text")
    allowed = "\n\t" if lines else "\t"
    if any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value):
        raise BadValue(f"{place}: {_shown(value)} holds a control character")
    return value


def _number(value: Any, place: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadValue(f"{place}: {_shown(value)} is not a number")
    return float(value)


def _instant(text: str, place: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadValue(f"{place}: {_shown(text)} is not a date and time (ISO 8601)") from None


def _check_clock(start: str, duration: float) -> None:
    """A wall-clock start from which every moment of the recording can be told (``9999-12-31`` cannot)."""
    moment = _instant(start, "case.start_time")
    try:
        moment + timedelta(seconds=duration)
    except OverflowError:
        raise BadValue(f"case.start_time: {start!r} plus the recording's length is past the year 9999") from None


def _no_constant(name: str) -> float:
    raise BadValue(f"{name} is not a number JSON allows")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
