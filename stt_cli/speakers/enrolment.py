"""Enrolment: a person's voice from clips of them alone, or from their turns in an earlier diarized transcript."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from stt_cli.errors import InputError, SpeakerLibraryError, TooLittleSpeechError
from stt_cli.fileio import FileIdentity, check_unchanged, identity_of, sha256_file, shown
from stt_cli.media.decode import Signal
from stt_cli.media.probe import MediaInfo
from stt_cli.speakers.library import Enrolment
from stt_cli.speakers.match import solo_spans
from stt_cli.speakers.voices import VoiceEncoder, speech_spans
from stt_cli.types import SpeakerTurn

LEAST_SPEECH = 1.0  # s of speech a clip must hold to say anything about a voice


def from_clip(encoder: VoiceEncoder, path: Path) -> Enrolment:
    """The voice in a clip of one person speaking (its VAD speech).

    Raises:
        InputError: the clip is missing, not audio, damaged, or holds less than ``LEAST_SPEECH`` of speech.
    """
    samples, digest = _samples(path)
    voice = encoder.embed(samples, speech_spans(samples))
    if voice is None or voice.seconds < LEAST_SPEECH:
        raise TooLittleSpeechError(
            path, "has too little speech to enrol (under 1 s)", "give a clip where the person speaks"
        )
    return Enrolment(Path(path).name, digest, voice.seconds, voice.windows, voice.vector)


def from_transcript(
    encoder: VoiceEncoder, transcript: Path, speaker: str, recording: Path | None = None
) -> Enrolment:
    """The voice of ``speaker``'s solo turns in a diarized stt JSON transcript, read from its recording (the
    path the transcript names, or ``recording``), which must be the very file transcribed (same sha256).

    Raises:
        SpeakerLibraryError: the transcript is not a diarized stt JSON, or has no such speaker.
        InputError: the recording is missing, changed since, or the speaker has too little solo speech.
    """
    try:
        record = json.loads(Path(transcript).read_text(encoding="utf-8"))
        known = {s["id"]: s["name"] for s in record["speakers"]}
        turns = [SpeakerTurn(float(t["start"]), float(t["end"]), str(t["speaker"])) for t in record["turns"]]
        source, digest = Path(record["input"]["path"]), str(record["input"]["sha256"])
        track = int(record["input"].get("audio_track", 0))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise SpeakerLibraryError(
            f"{shown(transcript)}: not a diarized stt JSON transcript ({type(e).__name__}: {e}); "
            "give the .json that `stt transcribe --diarize -f json` wrote"
        ) from e
    wanted = next((i for i, name in known.items() if speaker in (i, name)), None)
    if wanted is None:
        listed = ", ".join(f"{i} ({n})" for i, n in known.items()) or "none: it was not diarized"
        raise SpeakerLibraryError(f"{shown(transcript)} has no speaker {speaker!r}; its speakers: {listed}")
    path = recording or (source if source.is_absolute() else Path(transcript).parent / source)
    if not path.is_file() and recording is None and source.is_file():
        path = source  # a relative path as given on the command line, from where it was run
    signal, heard, before = _recording(path, track)
    if heard != digest:
        raise InputError(
            path,
            "is not the recording this transcript was made from (its sha256 differs)",
            "give the original recording with --audio",
        )
    voice = encoder.embed(signal, solo_spans(turns, wanted))  # a long hearing is read, never held whole
    check_unchanged(path, before)
    if voice is None or voice.seconds < LEAST_SPEECH:
        raise TooLittleSpeechError(
            path, f"{wanted} speaks alone for under 1 s", "enrol from clips of the person instead"
        )
    return Enrolment(path.name, digest, voice.seconds, voice.windows, voice.vector, speaker=wanted)


def _samples(path: Path) -> tuple[np.ndarray, str]:
    """The clip's samples and the sha256 of the very bytes decoded (as a transcription vouches for its input).

    Raises:
        InputError: not usable audio, or changed while it was read.
    """
    from stt_cli.media.decode import load_audio

    path = Path(path)
    _check(path)
    before = identity_of(path)
    digest = sha256_file(path)
    samples = load_audio(path).samples
    check_unchanged(path, before)
    return samples, digest


def _recording(path: Path, track: int) -> tuple[Signal, str, FileIdentity]:
    """A recording to read again where its speaker's turns are, its sha256, and its identity to check after."""
    from stt_cli.media.decode import SignalFromFile

    info = _check(path)
    before = identity_of(path)
    digest = sha256_file(path)
    seconds = info.tracks[track].duration if track < len(info.tracks) else None
    return SignalFromFile(path, track, seconds or 0.0), digest, before


def _check(path: Path) -> MediaInfo:
    from stt_cli.media import probe
    from stt_cli.options import InputOptions

    return probe.validate(path, InputOptions())
