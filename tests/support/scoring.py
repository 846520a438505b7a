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


# --- Indonesian --------------------------------------------------------------------------------------------

_ONES = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
_SCALES = (
    (10**12, "triliun", None),
    (10**9, "miliar", None),
    (10**6, "juta", None),
    (1000, "ribu", "seribu"),
    (100, "ratus", "seratus"),
    (10, "puluh", None),
)


def indonesian_number(n: int) -> str:
    """``340`` -> ``"tiga ratus empat puluh"``: how a number is said in Indonesian (up to the trillions)."""
    if n < 10:
        return _ONES[n]
    if n < 20:
        return {10: "sepuluh", 11: "sebelas"}.get(n, f"{_ONES[n - 10]} belas")
    for size, word, single in _SCALES:
        if n >= size:
            head, rest = divmod(n, size)
            said = single if head == 1 and single else f"{indonesian_number(head)} {word}"
            return f"{said} {indonesian_number(rest)}" if rest else said
    raise AssertionError("unreachable")


def normalise_indonesian(text: str) -> str:
    """Lower case, numbers said as words, hyphens as spaces (``siapa-siapa``), no punctuation: what both a
    reference and a transcript are scored as."""
    import re
    import unicodedata

    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(?<=\d)[.,](?=\d{3}\b)", "", text)  # 1.000 and 1,000 are one thousand
    text = re.sub(r"\d+", lambda m: f" {indonesian_number(int(m.group()))} ", text)
    text = re.sub(r"[-‐–—/]", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def indonesian_error_rates(references: list[str], hypotheses: list[str]) -> tuple[float, float]:
    """Corpus WER and CER after :func:`normalise_indonesian` on both sides."""
    import jiwer

    refs = [normalise_indonesian(r) for r in references]
    hyps = [normalise_indonesian(h) or "<empty>" for h in hypotheses]
    return jiwer.wer(refs, hyps), jiwer.cer(refs, hyps)
