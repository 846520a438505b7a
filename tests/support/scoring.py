"""Scoring as the field does it, shared by the tests and the benchmarks.

WER: corpus-level with jiwer after Whisper's English normaliser (PyPI ``whisper-normalizer``), parentheses
stripped from references first (the normaliser drops parenthesised text, but LJ Speech's parentheticals are
spoken). Loops: back-to-back repeats of the same word n-gram, the signature of Whisper hallucinating.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Clip:
    """One reference recording from a data-set manifest."""

    path: Path
    duration: float
    language: str
    reference: str


def load_clips(folder: Path) -> list[Clip]:
    """Read ``folder/manifest.json`` (the format of ``../shared/data``) into clips that have a reference."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return [
        Clip(folder / item["file"], float(item["duration_s"]), item["language"], item["reference_text"])
        for item in manifest["items"]
        if item.get("reference_text")
    ]


def normalise(text: str) -> str:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()(text.replace("(", " ").replace(")", " "))


def corpus_wer(references: list[str], hypotheses: list[str]) -> float:
    """Word error rate over the whole corpus (errors summed, not averaged per clip), 0..1+."""
    import jiwer

    refs = [normalise(r) for r in references]
    hyps = [normalise(h) for h in hypotheses]
    pairs = [(r, h) for r, h in zip(refs, hyps, strict=True) if r.strip()]
    return jiwer.wer([r for r, _ in pairs], [h if h.strip() else "<empty>" for _, h in pairs])


def repeated_ngram_runs(text: str, n: int = 4) -> int:
    """How many times a word n-gram is immediately followed by the same n-gram ("a b c d a b c d")."""
    words = normalise(text).split()
    return sum(1 for i in range(len(words) - 2 * n + 1) if words[i : i + n] == words[i + n : i + 2 * n])
