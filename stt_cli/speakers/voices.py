"""Voiceprints: the mean direction of a person's speaker embeddings, from the bundled CAM++ encoder.

The same encoder, windows and averaging serve enrolment and identification, so a voice enrolled from clips and
the same voice found in a hearing land in the same space whatever diarization pipeline found the speaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stt_cli.media.decode import SAMPLE_RATE, Signal, as_signal, read_spans

WINDOW = 1.5  # s; the window the bundled diarization embeds, so enrolled and found voices compare alike
HOP = 0.75  # s; half a window: overlapping windows, without embedding each stretch of speech three times
PAUSE = 0.5  # s; pauses shorter than this, inside an enrolment clip, are part of the speech
SHORTEST = 0.5  # s; a stretch of speech shorter than this says too little about a voice to be embedded
# Windows embedded per voice at most, spread evenly over its speech: 240 windows are 3 minutes of speech, 5 s
# of CPU; a judge speaking two hours of a hearing is then identified in the time of one.
MOST_WINDOWS = 240
_BATCH = 32


@dataclass(frozen=True)
class Voiceprint:
    """One voice, from some stretches of speech.

    Attributes:
        vector: unit-length mean of the windows' unit embeddings.
        seconds: seconds of speech the windows were taken from.
        windows: how many windows were embedded.
    """

    vector: np.ndarray = field(repr=False)
    seconds: float
    windows: int

    def similarity(self, other: np.ndarray) -> float:
        """Cosine similarity to another unit vector."""
        return float(np.dot(self.vector, other))


@dataclass(frozen=True)
class VoiceEncoder:
    """The bundled speaker encoder, loaded. Build it with :meth:`load`.

    Attributes:
        name: the encoder's name, as libraries record it.
        sha256: the weights' digest; a library made with other weights cannot be compared.
    """

    name: str
    sha256: str
    model: Any = field(repr=False)

    @classmethod
    def load(cls) -> VoiceEncoder:
        """Load the bundled encoder (checked against its sha256).

        Raises:
            ModelUnavailableError: the bundled weights are missing or damaged.
        """
        from stt_cli import models

        name, sha256, model = models.load_voice_encoder()
        return cls(name=name, sha256=sha256, model=model)

    def embed(self, signal: Signal | np.ndarray, spans: list[tuple[float, float]]) -> Voiceprint | None:
        """The voice speaking in ``spans`` (seconds) of a 16 kHz mono signal; ``None`` if too little speech."""
        return self.embed_each(signal, {"": spans})[""]

    def embed_each(
        self, signal: Signal | np.ndarray, spans: dict[str, list[tuple[float, float]]]
    ) -> dict[str, Voiceprint | None]:
        """:meth:`embed` for several voices (a recording's speakers, by id), reading the signal once."""
        wanted = sorted((start, end, who) for who, found in spans.items() for start, end in _windows(found))
        width = int(WINDOW * SAMPLE_RATE)
        pieces: dict[str, list[np.ndarray]] = {who: [] for who in spans}
        for (_, _, who), piece in zip(
            wanted, read_spans(as_signal(signal), [(a, b) for a, b, _ in wanted]), strict=True
        ):
            pieces[who].append(np.resize(piece, width))  # a short window is repeated to the full width
        return {who: self._voiceprint(pieces[who], spans[who]) for who in spans}

    def _voiceprint(self, pieces: list[np.ndarray], spans: list[tuple[float, float]]) -> Voiceprint | None:
        if not pieces:
            return None
        import torch

        vectors = []
        with torch.inference_mode():
            for i in range(0, len(pieces), _BATCH):
                batch = torch.from_numpy(np.stack(pieces[i : i + _BATCH]).astype(np.float32))[:, None, :]
                vectors.append(self.model(batch).numpy())
        found = np.concatenate(vectors)
        found /= np.linalg.norm(found, axis=1, keepdims=True).clip(1e-8)
        mean = found.mean(axis=0)
        seconds = sum(max(0.0, b - a) for a, b in spans if b - a >= SHORTEST)
        return Voiceprint(
            vector=mean / max(float(np.linalg.norm(mean)), 1e-8), seconds=seconds, windows=len(found)
        )


def _windows(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(start, end) of the windows over ``spans``, at most ``MOST_WINDOWS``, evenly spread."""
    windows = []
    for a, b in sorted(spans):
        if b - a < SHORTEST:
            continue
        if b - a <= WINDOW:
            windows.append((a, b))
            continue
        t = a
        while t + WINDOW <= b + 1e-6:
            windows.append((t, t + WINDOW))
            t += HOP
    if len(windows) > MOST_WINDOWS:
        keep = np.linspace(0, len(windows) - 1, MOST_WINDOWS).round().astype(int)
        windows = [windows[i] for i in keep]
    return windows


def speech_spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """The stretches of 16 kHz mono ``samples`` that Silero VAD hears as speech, in seconds: what an enrolment
    clip's voice is taken from (its silences and noise say nothing about the voice)."""
    from stt_cli.asr.chunking import mask_spans
    from stt_cli.asr.vad import speech_mask

    spans: list[tuple[float, float]] = []
    # Silero can mark a breath between words as silence; speech a pause of under PAUSE apart is one stretch,
    # so that its words are not dropped as pieces too short to embed.
    for start, end in mask_spans(speech_mask(samples)):
        end = min(end, samples.size / SAMPLE_RATE)
        if spans and start - spans[-1][1] < PAUSE:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans
