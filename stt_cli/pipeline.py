"""Audio file -> Transcript, stage after stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_cli import asr, audio, models
from stt_cli.errors import OutOfMemoryError, TruncatedError
from stt_cli.fileio import sha256_file
from stt_cli.options import AsrOptions, InputOptions
from stt_cli.types import InputInfo, ModelInfo, Segment, Transcript

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# hook(stage, completed, total): stage is "decode" or "transcribe"; completed/total in audio seconds.
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

    @classmethod
    def load(cls, options: AsrOptions) -> Transcriber:
        """Resolve, verify and load the model named in ``options``.

        Raises:
            ModelUnavailableError: the model is missing, damaged, or cannot run on the device.
        """
        resolved = models.resolve(options.model)
        whisper, device, compute_type = models.load_whisper(resolved, options)
        return cls(options=options, model=resolved, whisper=whisper, device=device, compute_type=compute_type)

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = _no_progress
    ) -> Transcript:
        """Transcribe one file: validate it, decode it, recognise it.

        Raises:
            InputError: the file is missing, empty, not media, without audio, over a limit, or truncated.
            TranscriptionError: the recogniser failed.
        """
        limits = limits or InputOptions()
        info = audio.validate(path, limits)
        source = InputInfo(
            path=str(path),
            size_bytes=info.size_bytes,
            sha256=sha256_file(path),
            container=info.container,
            codec=info.codec,
            declared_duration=info.duration,
        )
        try:
            decoded = audio.load_audio(path, max_duration=limits.max_duration)
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        total = decoded.duration
        on_progress("decode", total, total)
        warnings: list[str] = []
        if (truncated := audio.check_complete(info, total)) is not None:
            if not limits.allow_truncated:
                raise TruncatedError(path, info.duration or 0.0, total)
            warnings.append(truncated.split("; ")[0] + "; transcribed what could be decoded")
        recognition, segments = self._recognise(path, decoded.samples, on_progress)
        if not segments:
            warnings.append("no speech was found: the transcript is empty")
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
        )

    def _recognise(self, path: Path, samples, on_progress: ProgressHook) -> tuple[asr.Recognition, list[Segment]]:
        total = samples.shape[0] / audio.SAMPLE_RATE
        segments: list[Segment] = []
        on_progress("transcribe", 0.0, total)
        try:
            recognition = asr.recognise(self.whisper, samples, self.options)
            for segment in recognition.segments:
                segments.append(segment)
                on_progress("transcribe", segment.end, total)
        except MemoryError as e:
            raise OutOfMemoryError(path) from e
        on_progress("transcribe", total, total)
        return recognition, segments

    def settings(self) -> dict[str, Any]:
        """The settings that shape the text, as recorded in the transcript."""
        return {**self.options.settings(), "device": self.device, "compute_type": self.compute_type}


def transcribe_file(
    path: str | Path,
    *,
    options: AsrOptions | None = None,
    on_progress: ProgressHook = _no_progress,
) -> Transcript:
    """Transcribe one file with a freshly loaded model (for many files, load a :class:`Transcriber` once).

    Example:
        >>> transcript = transcribe_file("hearing.mp3", options=AsrOptions(model="base", language="id"))
    """
    transcriber = Transcriber.load(options or AsrOptions())
    return transcriber.transcribe(Path(path), on_progress=on_progress)
