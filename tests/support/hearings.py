"""Hearings built from the bundled Indonesian Common Voice clips (``tests/data/id_commonvoice``, CC0): each
participant one real speaker of the corpus, their clips in turns with pauses between, and the reference of who
said what when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.support.media import write_tracks

DATA = Path(__file__).resolve().parent.parent / "data" / "id_commonvoice"
# Corpus speakers with the most clips (10, 9, 8, 5, 5), one per participant.
VOICES = ("7154a5b04bd2", "84d1fe116b60", "6013e4afd967", "8eb6a0f8aa44", "08b1f63d9c8e")


@dataclass(frozen=True)
class Said:
    """One turn of the built hearing: who (the plan's name), when (seconds), what (the clip's reference)."""

    who: str
    start: float
    end: float
    text: str


def clips(voice: str) -> list[dict]:
    items = json.loads((DATA / "manifest.json").read_text(encoding="utf-8"))["items"]
    return [item for item in items if item["speaker"] == voice]


def build(path: Path, turns: list[tuple[str, dict]], gap: float = 0.8) -> list[Said]:
    """``turns`` (a participant's name and a clip of the manifest) one after another, ``gap`` s apart, as a
    16 kHz WAV at ``path``; what was said when."""
    from stt_cli.media.decode import load_audio

    parts, said, at = [], [], 0.0
    pause = np.zeros(int(16_000 * gap), dtype=np.float32)
    for who, item in turns:
        samples = load_audio(DATA / item["file"]).samples
        said.append(Said(who, round(at, 3), round(at + len(samples) / 16_000, 3), item["reference_text"]))
        parts += [samples, pause]
        at += len(samples) / 16_000 + gap
    write_tracks(path, [np.concatenate(parts)], codec="pcm_s16le", rate=16_000, layout="mono")
    return said


def who_said(said: list[Said], start: float, end: float) -> str | None:
    """The participant whose turn holds the middle of ``start..end``."""
    middle = (start + end) / 2
    return next((s.who for s in said if s.start <= middle <= s.end), None)
