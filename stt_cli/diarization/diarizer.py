"""Speaker diarization with pyannote.audio. pyannote's types never leave this module.

Both the bundled offline pipeline (``models/diarization``) and a copy of
``pyannote/speaker-diarization-community-1`` (a folder, or a hub id with a token when online) load through
the one call ``Pipeline.from_pretrained``: each folder's ``config.yaml`` names its pipeline class and weights.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stt_cli.diarization.evidence import Evidence
from stt_cli.errors import InputError, ModelUnavailableError, TranscriptionError
from stt_cli.media.decode import SAMPLE_RATE, Signal, as_signal
from stt_cli.models import ResolvedPipeline
from stt_cli.privacy import keep_private
from stt_cli.progress import ProgressHook
from stt_cli.types import SpeakerTurn


@dataclass(frozen=True)
class Diarization:
    """Speaker turns of one file, labels as the pipeline gave them (``SPEAKER_00``…).

    Attributes:
        exclusive: turns without overlap (one speaker at a time), for putting speakers on words.
        turns: all turns, overlapping speech included.
        evidence: how each stretch scores against every speaker's voice (stt's bundled pipeline); ``None``
            from a pipeline that does not say (a community-1 folder).
    """

    exclusive: tuple[SpeakerTurn, ...]
    turns: tuple[SpeakerTurn, ...]
    evidence: Evidence | None = None


@dataclass(frozen=True)
class Diarizer:
    """A loaded diarization pipeline. Build it with :meth:`load`, before any audio is decoded."""

    model: ResolvedPipeline
    pipeline: Any = field(repr=False)

    @classmethod
    def load(cls, model: ResolvedPipeline, *, token: str | None = None, device: str = "cpu") -> Diarizer:
        """Load the pipeline; fail now, with a clear message, if it cannot be.

        Raises:
            ModelUnavailableError: missing, damaged, gated without a token, or offline.
        """
        keep_private()
        try:
            with warnings.catch_warnings():
                # pyannote warns at import when torchcodec finds no system FFmpeg; stt decodes with PyAV and
                # hands pyannote waveforms, so that warning is noise to users.
                warnings.simplefilter("ignore")
                import torch
                from pyannote.audio import Pipeline

                pipeline = Pipeline.from_pretrained(model.source, token=token)
        except Exception as e:  # pyannote and huggingface_hub raise many kinds; all mean "cannot load"
            raise ModelUnavailableError(
                f"cannot load the diarization pipeline {model.name} ({type(e).__name__}: "
                f"{str(e).splitlines()[0][:200] if str(e) else 'no detail'}); "
                "leave `diarization_model` out to use the bundled offline pipeline, or give a folder in the "
                "layout of pyannote/speaker-diarization-community-1 (a hub id needs `token` and a network)"
            ) from e
        if pipeline is None:  # pyannote returns None for a gated hub model without a token
            raise ModelUnavailableError(
                f"the diarization pipeline {model.name} needs a Hugging Face token: pass `token` or set HF_TOKEN"
            )
        if device == "cuda":
            pipeline.to(torch.device("cuda"))
        return cls(model=model, pipeline=pipeline)

    def diarize(
        self,
        signal: Signal | np.ndarray,
        *,
        num_speakers: int | None = None,
        min_speakers: int | None = None,
        max_speakers: int | None = None,
        on_progress: ProgressHook | None = None,
    ) -> Diarization:
        """Find who speaks when in a 16 kHz mono signal (read again from its file, or samples in memory).

        stt's bundled pipeline reads the signal block by block, so its memory does not grow with the
        recording; a pyannote pipeline from a folder is given the whole waveform, as it expects.

        Raises:
            TranscriptionError: the pipeline failed.
        """
        signal = as_signal(signal)
        duration = signal.duration

        def hook(
            step: str, artifact: Any, file: Any = None, completed: int | None = None, total: Any = None
        ) -> None:
            # pyannote reports steps (segmentation, then embeddings) with completed/total counts; we report
            # audio seconds of the whole stage, half for each step.
            if on_progress is not None and completed is not None and total:
                share = 0.0 if step == "segmentation" else 0.5
                on_progress("diarize", duration * (share + 0.5 * completed / total), duration)

        kwargs = {"num_speakers": num_speakers, "min_speakers": min_speakers, "max_speakers": max_speakers}
        if on_progress is not None:  # the stage has begun (its first step reports only once a window is done)
            on_progress("diarize", 0.0, duration)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if hasattr(self.pipeline, "diarize_signal"):
                    output = self.pipeline.diarize_signal(signal, hook=hook, **kwargs)
                else:
                    output = self.pipeline(_waveform(signal), hook=hook, **kwargs)
        except MemoryError:
            raise
        except InputError:
            raise  # the recording could not be read again: the file's own error, not the pipeline's
        except Exception as e:
            raise TranscriptionError(f"speaker diarization failed: {type(e).__name__}: {e}") from e
        exclusive = getattr(output, "exclusive_speaker_diarization", output)
        full = getattr(output, "speaker_diarization", output)
        return Diarization(exclusive=_turns(exclusive), turns=_turns(full), evidence=_evidence(output))


def _waveform(signal: Signal) -> dict[str, Any]:
    import torch

    blocks = list(signal.blocks())
    samples = np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.float32)
    return {"waveform": torch.from_numpy(samples)[None], "sample_rate": SAMPLE_RATE}


def _turns(annotation: Any) -> tuple[SpeakerTurn, ...]:
    return tuple(
        SpeakerTurn(start=float(segment.start), end=float(segment.end), speaker=str(label))
        for segment, _, label in annotation.itertracks(yield_label=True)
    )


def _evidence(output: Any) -> Evidence | None:
    windows, scores = getattr(output, "windows", None), getattr(output, "window_scores", None)
    if windows is None or scores is None or not len(windows):
        return None
    labels = tuple(f"SPEAKER_{k:02d}" for k in range(scores.shape[1]))
    return Evidence(starts=windows[:, 0].astype(np.float64), ends=windows[:, 1].astype(np.float64),
                    scores=scores, labels=labels)  # fmt: skip
