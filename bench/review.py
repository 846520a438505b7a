"""Confidence a reviewer can trust, measured: is a word stt calls 70 % sure right 70 % of the time, and how many
of the real errors does the review list catch for how much of the transcript it flags?

    python -m bench.review [--model base] [--write]

Data: the shared sets with references (``../shared/data``, else ``tests/data``): English (en_jfk,
en_librispeech, en_ljspeech, en_mfa_spontaneous) and Indonesian (id_commonvoice), transcribed by stt in their
language. Each transcript word is aligned with the reference (jiwer, after Whisper's English normaliser or the
Indonesian one): a word is right when all it normalises to matches; a deleted reference word is charged to the
word before it. Three maps from the decoder's word probability to confidence (the raw probability, isotonic
regression, logistic calibration on its log-odds) are fitted on every other clip and checked on the rest; the
one with the lowest held-out calibration error is chosen, and ``--write`` fits it on all clips and writes
``stt_cli/review/calibration.py``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SETS = {"en": ("en_jfk", "en_librispeech", "en_ljspeech", "en_mfa_spontaneous"), "id": ("id_commonvoice",)}
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
KNOTS = 24  # points kept of the isotonic map


@dataclass(frozen=True)
class Scored:
    """One transcript word: its probability, whether it was right, and the errors charged to it."""

    probability: float
    right: bool
    errors: int
    clip: int


def folder(name: str) -> Path:
    return SHARED / name if (SHARED / name).is_dir() else ROOT / "tests" / "data" / name


def words_of(transcript) -> list:
    return [w for s in transcript.segments for w in s.words]


def score_clip(words: list, reference: str, normalise, clip: int) -> list[Scored]:
    """Align the words with the reference and say which were right, charging deletions to a neighbour."""
    import jiwer

    tokens, owner = [], []
    for index, word in enumerate(words):
        for token in normalise(word.text).split():
            tokens.append(token)
            owner.append(index)
    ref = normalise(reference).split()
    wrong = np.zeros(len(words), dtype=int)
    if not ref:
        return [Scored(w.probability, False, 1, clip) for w in words]
    if tokens:
        for chunk in jiwer.process_words(" ".join(ref), " ".join(tokens)).alignments[0]:
            if chunk.type in ("substitute", "insert"):
                for t in range(chunk.hyp_start_idx, chunk.hyp_end_idx):
                    wrong[owner[t]] += 1
            elif chunk.type == "delete":
                at = owner[min(max(chunk.hyp_start_idx - 1, 0), len(owner) - 1)]
                wrong[at] += chunk.ref_end_idx - chunk.ref_start_idx
    return [Scored(w.probability, wrong[i] == 0, int(wrong[i]), clip) for i, w in enumerate(words)]


def isotonic(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pool-adjacent-violators: the non-decreasing fit of ``y`` on ``x``, as (x, fitted) knots."""
    order = np.argsort(x)
    xs, ys = x[order], y[order].astype(float)
    blocks: list[list[float]] = []  # [sum, count, last x]
    for xv, yv in zip(xs, ys, strict=True):
        blocks.append([yv, 1.0, xv])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count, last = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
            blocks[-1][2] = last
    knots_x = np.array([b[2] for b in blocks])
    knots_y = np.array([b[0] / b[1] for b in blocks])
    if len(knots_x) > KNOTS:  # keep the map small: evenly spaced in probability
        grid = np.linspace(0.0, 1.0, KNOTS)
        knots_y = np.interp(grid, knots_x, knots_y)
        knots_x = grid
    return knots_x, knots_y


def platt(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logistic calibration on the log-odds of the probability (two parameters, little to overfit), sampled
    as knots."""
    logit = np.log(np.clip(x, 1e-4, 1 - 1e-4) / (1 - np.clip(x, 1e-4, 1 - 1e-4)))
    a, b = 1.0, 0.0
    for _ in range(200):  # Newton's method on the log-likelihood
        z = 1 / (1 + np.exp(-(a * logit + b)))
        gradient = np.array([np.sum((y - z) * logit), np.sum(y - z)])
        weight = z * (1 - z)
        hessian = -np.array(
            [[np.sum(weight * logit**2), np.sum(weight * logit)], [np.sum(weight * logit), np.sum(weight)]]
        )
        step = np.linalg.solve(hessian - 1e-9 * np.eye(2), gradient)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-9:
            break
    grid = np.linspace(0.0, 1.0, KNOTS)
    grid_logit = np.log(np.clip(grid, 1e-4, 1 - 1e-4) / (1 - np.clip(grid, 1e-4, 1 - 1e-4)))
    return grid, 1 / (1 + np.exp(-(a * grid_logit + b)))


def ece(words: list[Scored], knots: tuple[np.ndarray, np.ndarray]) -> float:
    confidence = np.interp([w.probability for w in words], *knots)
    right = np.array([w.right for w in words])
    bins = np.minimum((confidence * 10).astype(int), 9)
    return float(sum(abs(right[bins == k].mean() - confidence[bins == k].mean()) * (bins == k).sum()
                     for k in range(10) if (bins == k).any()) / len(words))  # fmt: skip


def calibration_table(words: list[Scored], knots: tuple[np.ndarray, np.ndarray], label: str) -> None:
    confidence = np.interp([w.probability for w in words], *knots)
    right = np.array([w.right for w in words])
    print(f"\n{label}: {len(words)} words, {right.mean():.1%} right")
    print(f"{'confidence':>12}{'words':>8}{'share right':>13}{'raw probability mean':>22}")
    edges = np.linspace(0, 1, 11)
    gap = 0.0
    for low, high in itertools.pairwise(edges):
        inside = (confidence >= low) & ((confidence < high) | (high == 1.0))
        if inside.any():
            raw = np.mean([w.probability for w, s in zip(words, inside, strict=True) if s])
            print(f"{f'{low:.1f}-{high:.1f}':>12}{inside.sum():>8}{right[inside].mean():>13.1%}{raw:>22.3f}")
            gap += inside.sum() * abs(right[inside].mean() - confidence[inside].mean())
    print(f"expected calibration error: {gap / len(words):.3f}")


def flagging(words: list[Scored], knots: tuple[np.ndarray, np.ndarray]) -> None:
    confidence = np.interp([w.probability for w in words], *knots)
    errors = np.array([w.errors for w in words])
    print(f"\nreview list (low_confidence): words flagged vs word errors inside them ({errors.sum()} errors)")
    print(f"{'threshold':>10}{'words flagged':>15}{'errors caught':>15}")
    for threshold in THRESHOLDS:
        flagged = confidence < threshold
        print(f"{threshold:>10.1f}{flagged.mean():>15.1%}{errors[flagged].sum() / max(errors.sum(), 1):>15.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="base")
    parser.add_argument("--write", action="store_true", help="write stt_cli/review/calibration.py")
    args = parser.parse_args()

    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber
    from tests.support.scoring import load_clips, normalise, normalise_indonesian

    scored: list[Scored] = []
    clip_id = 0
    for language, sets in SETS.items():
        transcriber = Transcriber.load(AsrOptions(model=args.model, language=language), offline=True)
        normaliser = normalise if language == "en" else normalise_indonesian
        for name in sets:
            for clip in load_clips(folder(name)):
                transcript = transcriber.transcribe(clip.path)
                scored += score_clip(words_of(transcript), clip.reference, normaliser, clip_id)
                clip_id += 1
        print(f"{language}: {clip_id} clips so far, {len(scored)} words", file=sys.stderr, flush=True)

    fit = [w for w in scored if w.clip % 2 == 0]
    held = [w for w in scored if w.clip % 2 == 1]
    x, y = np.array([w.probability for w in fit]), np.array([w.right for w in fit], dtype=float)
    maps = {
        "raw probability": (np.array([0.0, 1.0]), np.array([0.0, 1.0])),
        "isotonic": isotonic(x, y),
        "logistic (Platt)": platt(x, y),
    }
    for name, knots in maps.items():
        calibration_table(held, knots, f"held-out clips, {name} (fitted on the other clips)")
    chosen = min(maps, key=lambda name: ece(held, maps[name]))
    print(
        "\nheld-out expected calibration error: " + ", ".join(f"{n} {ece(held, k):.3f}" for n, k in maps.items())
    )
    print(f"chosen: {chosen}")
    flagging(held, maps[chosen])
    if args.write:
        x, y = np.array([w.probability for w in scored]), np.array([w.right for w in scored], dtype=float)
        fitted = {
            "raw probability": maps["raw probability"],
            "isotonic": isotonic(x, y),
            "logistic (Platt)": platt(x, y),
        }
        write_table(fitted[chosen], args.model, len(scored), chosen)


def write_table(knots: tuple[np.ndarray, np.ndarray], model: str, count: int, how: str) -> None:
    pairs = ",\n    ".join(f"({x:.4f}, {y:.4f})" for x, y in zip(*knots, strict=True))
    text = (
        '"""The calibration map: Whisper\'s word probability -> the share of such words that were right.\n\n'
        f"Written by ``python -m bench.review --write`` from {count} words that model ``{model}`` transcribed\n"
        f"in the shared English and Indonesian sets: {how}, the map with the lowest calibration error on\n"
        "held-out clips (bench/README.md). Do not edit by hand.\n"
        '"""\n\n'
        f"MODEL = {model!r}\nKNOTS = (\n    {pairs},\n)\n"
    )
    path = ROOT / "stt_cli" / "review" / "calibration.py"
    path.write_text(text, encoding="utf-8")
    print(f"\nwrote {path.relative_to(ROOT)} ({len(knots[0])} knots)")


if __name__ == "__main__":
    main()
