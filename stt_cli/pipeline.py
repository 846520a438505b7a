"""Audio file -> Transcript, stage after stage."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from stt_cli import asr, audio, chunking, merge, models, vad
from stt_cli.errors import OutOfMemoryError, TruncatedError
from stt_cli.fileio import sha256_file
from stt_cli.options import AsrOptions, DiarizationOptions, InputOptions
from stt_cli.types import InputInfo, ModelInfo, Provenance, Segment, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

    from stt_cli.diarize import Diarizer

# hook(stage, completed, total): stage is "decode", "transcribe" or "diarize"; completed/total in audio seconds.
ProgressHook = Callable[[str, float, float], None]


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
        than after an hour of speech recognition.

        Raises:
            ModelUnavailableError: a model is missing, damaged, or cannot run on the device.
        """
        diarizer = None
        if diarization is not None:
            from stt_cli.diarize import Diarizer

            pipeline = models.resolve_pipeline(diarization.model)
            device = models.pick_device(options.device)
            diarizer = Diarizer.load(pipeline, token=diarization.token, device=device)
        resolved = models.resolve(options.model)
        whisper, device, compute_type = models.load_whisper(resolved, options)
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
        """Transcribe one file: validate it, decode it, recognise it.

        Raises:
            InputError: the file is missing, empty, not media, without audio, over a limit, or truncated.
            TranscriptionError: the recogniser failed.
        """
        limits = limits or InputOptions()
        clock = _StageClock()
        info = audio.validate(path, limits)
        source = InputInfo(
            path=str(path),
            size_bytes=info.size_bytes,
            sha256=sha256_file(path),
            container=info.container,
            codec=info.codec,
            declared_duration=info.duration,
        )
        clock.lap("decode")
        # Diarization needs the whole signal (pyannote clusters over all of it); without it nothing is kept
        # beyond the chunk being decoded, so memory does not grow with the recording's length.
        kept: list[np.ndarray] | None = [] if self.diarizer is not None else None
        stream = _Stream(path, limits.max_duration, kept, clock)
        detector = vad.StreamingVad() if self.options.vad else vad.NoVad()
        policy = chunking.ChunkPolicy(max_seconds=self.options.chunk_seconds)
        expected = info.duration or 0.0

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
        total = stream.seconds
        on_progress("transcribe", total, total)
        clock.lap("transcribe")
        warnings: list[str] = []
        if (truncated := audio.check_complete(info, total)) is not None:
            if not limits.allow_truncated:
                raise TruncatedError(path, info.duration or 0.0, total)
            warnings.append(truncated.split("; ")[0] + "; transcribed what could be decoded")
        segments = list(recognition.segments)
        if not segments:
            warnings.append("no speech was found: the transcript is empty")
        speakers: dict[str, Any] = {}
        if self.diarizer is not None and self.diarization is not None and kept is not None:
            samples = np.concatenate(kept) if kept else np.zeros(0, dtype=np.float32)
            kept.clear()
            speakers = self._diarize(path, samples, segments, on_progress)
            segments = list(speakers.pop("segments"))
            clock.lap("diarize")
        return Transcript(
            input=source,
            duration=total,
            language=recognition.language,
            language_source=recognition.language_source,
            language_probability=recognition.language_probability,
            task=self.options.task.value,
            segments=tuple(segments),
            model=ModelInfo(name=self.model.name, path=str(self.model.path), sha256=self.model.sha256),
            settings=self.settings(),
            warnings=tuple(warnings),
            retries=recognition.retries,
            chunks=recognition.chunks,
            provenance=clock.provenance(),
            **speakers,
        )

    def _diarize(self, path: Path, samples, segments: list[Segment], on_progress: ProgressHook) -> dict[str, Any]:
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
        pipeline = self.diarizer.model
        return {
            "segments": labelled,
            "speakers": speakers,
            "turns": turns,
            "diarization_model": ModelInfo(name=pipeline.name, path=pipeline.source, sha256=pipeline.sha256),
        }

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text and its speakers, as recorded in the transcript."""
        shaping = {**self.options.settings(), "device": self.device, "compute_type": self.compute_type}
        shaping["diarize"] = self.diarization is not None
        if self.diarization is not None:
            shaping.update(self.diarization.settings())
        return shaping


class _Stream:
    """The file's audio as 16 kHz blocks, counted and timed as they are decoded (and kept when asked)."""

    def __init__(self, path: Path, max_duration: float, kept: list[np.ndarray] | None, clock: _StageClock) -> None:
        self.path, self.max_duration, self.kept, self.clock = path, max_duration, kept, clock
        self.samples = 0

    @property
    def seconds(self) -> float:
        return self.samples / audio.SAMPLE_RATE

    def __iter__(self) -> Iterator[np.ndarray]:
        blocks = audio.iter_audio(self.path, max_duration=self.max_duration)
        while True:
            started = time.perf_counter()
            try:
                block = next(blocks)
            except StopIteration:
                return
            finally:
                self.clock.add("decode", time.perf_counter() - started)
            # Some encoders overshoot full scale after resampling; Whisper's features assume [-1, 1].
            np.clip(block, -1.0, 1.0, out=block)
            self.samples += block.shape[0]
            if self.kept is not None:
                self.kept.append(block)
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
