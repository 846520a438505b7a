"""Audio file -> Transcript, stage after stage."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stt_cli import asr, audio, chunking, merge, models, vad
from stt_cli.errors import InputChangedError, NoAudioStreamError, OutOfMemoryError, UsageError
from stt_cli.fileio import FileIdentity, sha256_file, shown, text_of
from stt_cli.languages import name_of
from stt_cli.levels import SignalMeter, SignalStats
from stt_cli.options import AsrOptions, DiarizationOptions, InputOptions, Task
from stt_cli.types import InputInfo, ModelInfo, Provenance, Segment, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from stt_cli.diarize import Diarizer

logger = logging.getLogger("stt_cli")

# hook(stage, completed, total): stage is "decode", "transcribe" or "diarize"; completed/total in audio seconds.
ProgressHook = Callable[[str, float, float], None]
TRACK_SCAN_SECONDS = 300.0  # of each audio track, listened to for speech when a file has several


def _no_progress(stage: str, completed: float, total: float) -> None:
    return None


@dataclass(frozen=True)
class Transcriber:
    """A loaded recogniser, ready to transcribe many files with the same settings.

    Build it with :meth:`load`: the model is found, verified and loaded once, before any audio is decoded.
    """

    options: AsrOptions
    model: models.ResolvedModel
    whisper: WhisperModel = field(repr=False)
    device: str
    compute_type: str
    diarization: DiarizationOptions | None = None
    diarizer: Diarizer | None = field(default=None, repr=False)

    @classmethod
    def load(cls, options: AsrOptions, diarization: DiarizationOptions | None = None) -> Transcriber:
        """Resolve, verify and load the recogniser and, when asked, the diarization pipeline.

        Both are loaded here, before any audio is decoded, so a missing pipeline fails in a second rather
        than after an hour of speech recognition; a language the model cannot do is refused here too.

        Raises:
            ModelUnavailableError: a model is missing, damaged, or cannot run on the device.
            UsageError: the model cannot transcribe the requested language or task.
        """
        diarizer = None
        if diarization is not None:
            from stt_cli.diarize import Diarizer

            pipeline = models.resolve_pipeline(diarization.model)
            device = models.pick_device(options.device)
            diarizer = Diarizer.load(pipeline, token=diarization.token, device=device)
            logger.info("diarization pipeline %s loaded from %s", pipeline.name, pipeline.source)
        resolved = models.resolve(options.model)
        _check_model_can(resolved, options)
        whisper, device, compute_type = models.load_whisper(resolved, options)
        logger.info("model %s loaded from %s on %s (%s)", resolved.name, resolved.path, device, compute_type)
        return cls(
            options=options,
            model=resolved,
            whisper=whisper,
            device=device,
            compute_type=compute_type,
            diarization=diarization,
            diarizer=diarizer,
        )

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = _no_progress
    ) -> Transcript:
        """Transcribe one file: validate it, decode it, recognise it, and check it did not change meanwhile.

        Raises:
            InputError: the file is missing, empty, not media, without audio, over a limit, truncated, or
                changed while it was read.
            TranscriptionError: the recogniser failed.
        """
        limits = limits or InputOptions()
        clock = _StageClock()
        info = audio.validate(path, limits)
        before = _identity(path)
        digest = sha256_file(path)
        track = _choose_track(path, info, limits.audio_track)
        logger.info(
            "%s: %s, audio track %d of %d (%s, %d Hz, %d channel(s)), sha256 %s",
            shown(path), info.container, track.index, len(info.tracks), track.codec, track.sample_rate,
            track.channels, digest[:16],
        )  # fmt: skip
        clock.lap("decode")
        # Diarization needs the whole signal (pyannote clusters over all of it); without it nothing is kept
        # beyond the chunk being decoded, so memory does not grow with the recording's length.
        stream = _Stream(path, track.index, limits.max_duration, keep=self.diarizer is not None, clock=clock)
        recognition = self._recognise(path, stream, track, on_progress)
        clock.lap("transcribe")
        warnings = self._warnings(info, track, stream, limits, recognition)
        segments: tuple[Segment, ...] = recognition.segments
        speakers: _Speakers | None = None
        if self.diarizer is not None:
            speakers = self._diarize(path, stream.take_signal(), segments, on_progress)
            segments = speakers.segments
            clock.lap("diarize")
        _check_unchanged(path, before)
        source = _input_info(path, before, digest, info, track, stream.meter.stats())
        return Transcript(
            input=source,
            duration=stream.seconds,
            language=recognition.language,
            language_source=recognition.language_source,
            language_probability=recognition.language_probability,
            task=self.options.task.value,
            segments=segments,
            model=ModelInfo(name=self.model.name, path=str(self.model.path), sha256=self.model.sha256),
            settings=self.settings(),
            warnings=tuple(warnings),
            retries=recognition.retries,
            chunks=recognition.chunks,
            provenance=clock.provenance(),
            speakers=speakers.speakers if speakers else (),
            turns=speakers.turns if speakers else (),
            diarization_model=speakers.model if speakers else None,
        )

    def _recognise(
        self, path: Path, stream: _Stream, track: audio.AudioTrack, on_progress: ProgressHook
    ) -> asr.Recognition:
        detector = vad.StreamingVad() if self.options.vad else vad.NoVad()
        length = self.options.chunk_seconds
        policy = chunking.ChunkPolicy(max_seconds=length, overlap_seconds=min(5.0, length / 3))
        expected = (track.duration or 0.0) + track.start_offset

        def reached(seconds: float) -> None:
            # The declared length is the honest total while decoding runs; a file that declares none, or
            # too little, shows what has been heard so far.
            on_progress("transcribe", seconds, max(expected, seconds))

        on_progress("transcribe", 0.0, expected)
        try:
            recognition = asr.recognise(
                self.whisper, chunking.stream_chunks(stream, policy, detector), self.options, on_progress=reached
            )
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        on_progress("transcribe", stream.seconds, stream.seconds)
        logger.info(
            "%s: %.1f s decoded in %d chunk(s), %d segment(s), %d retried stretch(es), language %s (%s)",
            shown(path), stream.seconds, recognition.chunks, len(recognition.segments), len(recognition.retries),
            recognition.language, recognition.language_source,
        )  # fmt: skip
        return recognition

    def _warnings(
        self,
        info: audio.MediaInfo,
        track: audio.AudioTrack,
        stream: _Stream,
        limits: InputOptions,
        recognition: asr.Recognition,
    ) -> list[str]:
        warnings = []
        truncated = audio.check_complete(info, track, stream.seconds - track.start_offset)
        if truncated is not None:
            if not limits.allow_truncated:
                raise truncated
            warnings.append(
                f"declares {truncated.declared:.1f} s of audio but only {truncated.decoded:.1f} s could be "
                "decoded; transcribed what could be decoded"
            )
        warnings += _signal_warnings(info, track, stream.meter.stats())
        if not recognition.segments:
            warnings.append("no speech was found: the transcript is empty")
        return warnings

    def _diarize(
        self, path: Path, samples: np.ndarray, segments: tuple[Segment, ...], on_progress: ProgressHook
    ) -> _Speakers:
        assert self.diarizer is not None and self.diarization is not None
        options = self.diarization
        try:
            found = self.diarizer.diarize(
                samples,
                num_speakers=options.num_speakers,
                min_speakers=options.min_speakers,
                max_speakers=options.max_speakers,
                on_progress=on_progress,
            )
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        labelled, speakers, turns = merge.attribute(segments, found.exclusive, found.turns, options.speaker_names)
        logger.info("%s: %d speaker(s) in %d turn(s)", shown(path), len(speakers), len(turns))
        pipeline = self.diarizer.model
        model = ModelInfo(name=pipeline.name, path=pipeline.source, sha256=pipeline.sha256)
        return _Speakers(segments=labelled, speakers=speakers, turns=turns, model=model)

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text and its speakers, as recorded in the transcript."""
        shaping = {**self.options.settings(), "device": self.device, "compute_type": self.compute_type}
        shaping["diarize"] = self.diarization is not None
        if self.diarization is not None:
            shaping.update(self.diarization.settings())
        return shaping


@dataclass(frozen=True)
class _Speakers:
    segments: tuple[Segment, ...]
    speakers: tuple[Any, ...]
    turns: tuple[Any, ...]
    model: ModelInfo


def _check_model_can(model: models.ResolvedModel, options: AsrOptions) -> None:
    """Refuse, before any audio is decoded, a language or task the model cannot do."""
    if model.english_only and options.language not in (None, "en"):
        raise UsageError(
            f"--language {options.language} ({name_of(options.language or '')}): model '{model.name}' only "
            "transcribes English; choose a multilingual model such as --model base"
        )
    if model.english_only and options.task is Task.translate:
        raise UsageError(f"--task translate: model '{model.name}' is English-only and cannot translate")


def _identity(path: Path) -> FileIdentity:
    try:
        return FileIdentity.of(path)
    except OSError as e:
        raise InputChangedError(path, "was moved or deleted") from e


def _check_unchanged(path: Path, before: FileIdentity) -> None:
    """Raise unless ``path`` is still the very file that was hashed and decoded."""
    after = _identity(path)
    if after == before:
        return
    if (after.inode, after.device) != (before.inode, before.device):
        raise InputChangedError(path, "was replaced by another file")
    raise InputChangedError(path, "grew" if after.size > before.size else "changed")


def _choose_track(path: Path, info: audio.MediaInfo, wanted: int | None) -> audio.AudioTrack:
    """The audio track to transcribe: the one asked for, the only one, or the one with the most speech.

    A courtroom video often carries a silent or camera-microphone track before the one the microphones
    feed: transcribing track 0 alone gave an empty transcript of a hearing full of speech.
    """
    if wanted is not None:
        if wanted >= len(info.tracks):
            raise NoAudioStreamError(path, f"there is no audio track {wanted} (it has {len(info.tracks)})")
        return info.tracks[wanted]
    if len(info.tracks) == 1:
        return info.tracks[0]
    speech = [_speech_seconds(path, t.index) for t in info.tracks]
    best = int(np.argmax(speech))
    logger.info("%s: speech per audio track in the first %.0f s: %s", shown(path), TRACK_SCAN_SECONDS, speech)
    return info.tracks[best]


def _speech_seconds(path: Path, track: int) -> float:
    detector = vad.StreamingVad()
    frames, heard = 0, 0.0
    for block in audio.iter_audio(path, track=track):
        mask = detector.feed(block)
        frames += mask.shape[0]
        heard += float(mask.sum()) * vad.FRAME_SECONDS
        if frames * vad.FRAME_SECONDS >= TRACK_SCAN_SECONDS:
            break
    return round(heard, 1)


def _signal_warnings(info: audio.MediaInfo, track: audio.AudioTrack, stats: SignalStats) -> list[str]:
    warnings = []
    if len(info.tracks) > 1:
        warnings.append(
            f"the file has {len(info.tracks)} audio tracks; track {track.index} (the one with the most speech, "
            "or the one asked for) was transcribed"
        )
    if stats.quiet:
        warnings.append(
            f"very quiet recording (its loudest speech is at {stats.level_dbfs:.0f} dBFS): voice detection was "
            "made to hear it, but check the microphone and listen where the transcript looks thin"
        )
    if stats.clipped:
        warnings.append(
            f"clipped recording ({stats.clipped_share:.1%} of samples at full scale): the input was overdriven "
            "and words may be misheard"
        )
    if 0 < track.sample_rate < audio.SAMPLE_RATE:
        warnings.append(
            f"recorded at {track.sample_rate} Hz (telephone quality or lower): expect more recognition errors"
        )
    return warnings


def _input_info(
    path: Path,
    identity: FileIdentity,
    digest: str,
    info: audio.MediaInfo,
    track: audio.AudioTrack,
    stats: SignalStats,
) -> InputInfo:
    return InputInfo(
        path=text_of(path),
        size_bytes=identity.size,
        sha256=digest,
        container=info.container,
        codec=track.codec,
        declared_duration=track.duration,
        sample_rate=track.sample_rate,
        channels=track.channels,
        audio_track=track.index,
        audio_tracks=len(info.tracks),
        start_offset=track.start_offset,
        level_dbfs=stats.level_dbfs,
        peak_dbfs=stats.peak_dbfs,
        clipped_share=stats.clipped_share,
    )


class _Stream:
    """One audio track as 16 kHz mono blocks, metered, counted and timed as they are decoded (and kept for
    the diarization when asked)."""

    def __init__(self, path: Path, track: int, max_duration: float, *, keep: bool, clock: _StageClock) -> None:
        self.path, self.track, self.max_duration, self.clock = path, track, max_duration, clock
        self.samples = 0
        self.meter = SignalMeter()
        self._kept: list[np.ndarray] | None = [] if keep else None

    @property
    def seconds(self) -> float:
        return self.samples / audio.SAMPLE_RATE

    def take_signal(self) -> np.ndarray:
        """The whole decoded signal, handed over once (the stream keeps no copy)."""
        kept, self._kept = self._kept or [], None
        return np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)

    def __iter__(self) -> Iterator[np.ndarray]:
        blocks = audio.iter_channels(self.path, track=self.track, max_duration=self.max_duration)
        while True:
            started = time.perf_counter()
            try:
                channels = next(blocks)
                block = audio.mix_down(channels)
            except StopIteration:
                return
            finally:
                self.clock.add("decode", time.perf_counter() - started)
            self.meter.update(channels, block)
            # Some encoders overshoot full scale after resampling; Whisper's features assume [-1, 1].
            block = np.clip(block, -1.0, 1.0)
            self.samples += block.shape[0]
            if self._kept is not None:
                self._kept.append(block)
            yield block


class _StageClock:
    """Wall-clock start and end, and seconds per stage, for a transcript's provenance block."""

    def __init__(self) -> None:
        self.started_at = _now()
        self.started = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}
        self.inside = 0.0

    def lap(self, stage: str) -> None:
        """Close ``stage``: the time since the last lap, less what :meth:`add` counted meanwhile."""
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self.last - self.inside
        self.last = now
        self.inside = 0.0

    def add(self, stage: str, seconds: float) -> None:
        """Count time spent on ``stage`` inside another one (decoding runs interleaved with recognition)."""
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds
        self.inside += seconds

    def provenance(self) -> Provenance:
        from stt_cli import __version__

        return Provenance(
            tool=f"stt {__version__}",
            started_at=self.started_at,
            finished_at=_now(),
            stage_seconds=dict(self.stages),
            total_seconds=time.perf_counter() - self.started,
            offline=models.offline_requested(),
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def transcribe_file(
    path: str | Path,
    *,
    options: AsrOptions | None = None,
    diarization: DiarizationOptions | None = None,
    on_progress: ProgressHook = _no_progress,
) -> Transcript:
    """Transcribe one file with a freshly loaded model (for many files, load a :class:`Transcriber` once).

    Example:
        >>> transcript = transcribe_file("hearing.mp3", options=AsrOptions(model="base", language="id"))
    """
    transcriber = Transcriber.load(options or AsrOptions(), diarization)
    return transcriber.transcribe(Path(path), on_progress=on_progress)
