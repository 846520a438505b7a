"""Audio file -> Transcript, stage after stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stt_cli import asr, audio, models
from stt_cli.options import AsrOptions
from stt_cli.types import ModelInfo, Segment, Transcript

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

    def transcribe(self, path: Path, *, on_progress: ProgressHook = _no_progress) -> Transcript:
        """Transcribe one file.

        Raises:
            InputError: the file is missing, empty, not media, or has no audio.
            TranscriptionError: the recogniser failed.
        """
        decoded = audio.load_audio(path)
        total = decoded.duration
        on_progress("decode", total, total)
        recognition = asr.recognise(self.whisper, decoded.samples, self.options)
        segments: list[Segment] = []
        on_progress("transcribe", 0.0, total)
        for segment in recognition.segments:
            segments.append(segment)
            on_progress("transcribe", segment.end, total)
        on_progress("transcribe", total, total)
        return Transcript(
            source=str(path),
            duration=total,
            language=recognition.language,
            language_source=recognition.language_source,
            language_probability=recognition.language_probability,
            task=self.options.task.value,
            segments=tuple(segments),
            model=ModelInfo(name=self.model.name, path=str(self.model.path), sha256=self.model.sha256),
            settings=self._settings(),
        )

    def _settings(self) -> dict[str, Any]:
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
