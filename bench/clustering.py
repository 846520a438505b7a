"""How the bundled diarization counts speakers, rule against rule, on the hearing bench's recordings.

    python -m bench.clustering                  # seed 0 (tuning) and seed 1 (held out), every rule
    python -m bench.clustering --seeds 1

The expensive part of diarization (segmentation-3.0 and the CAM++ embeddings of every window) runs once per
recording and is kept in bench/out/clustering/; each rule then clusters the same windows in milliseconds. Per
rule and seed it prints the share of recordings whose speaker count is right, the mean absolute count error, and
DER (collar 0.25 s, overlap scored) pooled over the recordings, with the three two-speaker clips of
multi_pyannote (pyannote's sample and two AMI meeting excerpts) as a check that no rule buys hearings with
meetings. Rules were chosen on seed 0 and are reported on seed 1, built from the same voices in another order,
with other noise and other echoes.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.hearings import FULL
from tests.support.conversations import build

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
CACHE = ROOT / "bench" / "out" / "clustering"


def pipeline():
    from stt_cli import models
    from stt_cli.diarization import Diarizer

    return Diarizer.load(models.resolve_pipeline(None)).pipeline


def windows_of(p, samples: np.ndarray, key: str) -> dict[str, np.ndarray]:
    """The pipeline's frames' speaker count, its windows and their unit embeddings (cached by ``key``)."""
    from stt_cli.asr.chunking import runs
    from stt_cli.media.decode import SignalInMemory

    path = CACHE / f"{key}.npz"
    if path.exists():
        return dict(np.load(path))
    signal = SignalInMemory(samples.astype(np.float32))
    count, frames = p._speaker_count(signal, lambda *a, **k: None)
    regions = runs(count > 0)
    windows = p._windows(regions, frames)
    embeddings = p._embed(signal, windows, lambda *a, **k: None)
    data = {
        "count": count,
        "regions": np.array(regions, dtype=np.int64).reshape(-1, 2),
        "spans": np.array([(a, b) for a, b, _ in windows], dtype=np.float64).reshape(-1, 2),
        "frames": np.array([f for _, _, f in windows], dtype=np.int64).reshape(-1, 2),
        "embeddings": embeddings,
        "frame_step": np.array([frames.step, frames.duration, frames.start]),
    }
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **data)
    return data


def turns_of(p, data: dict[str, np.ndarray], centroids: np.ndarray) -> list[tuple[float, float, str]]:
    from pyannote.core import SlidingWindow

    from stt_cli.diarization.pipeline import _annotation, _label_frames

    step, duration, start = data["frame_step"]
    frames = SlidingWindow(start=float(start), duration=float(duration), step=float(step))
    windows = [(a, b, (int(f0), int(f1))) for (a, b), (f0, f1) in zip(data["spans"], data["frames"], strict=True)]
    regions = [(int(a), int(b)) for a, b in data["regions"]]
    exclusive, overlap = _label_frames(windows, data["embeddings"] @ centroids.T, regions, data["count"])
    annotation = _annotation([exclusive, overlap], frames, None)
    return [(s.start, s.end, str(label)) for s, _, label in annotation.itertracks(yield_label=True)]


Rule = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (unit embeddings, reliable mask) -> unit centroids


def current(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
    """What the bundled pipeline does now."""
    from stt_cli.diarization.pipeline import WindowedSpeakerDiarization, _cluster

    pruning = WindowedSpeakerDiarization.default_parameters(None)["pruning"]  # type: ignore[arg-type]
    return _cluster(embeddings[reliable] if reliable.sum() >= 2 else embeddings, pruning=pruning, num=None, low=1,
                    high=float("inf"))  # fmt: skip


def _spectral(
    sample: np.ndarray, normalised: bool, share: float = 0.1, least: int = 16
) -> tuple[np.ndarray, np.ndarray]:
    n = len(sample)
    affinity = sample @ sample.T
    keep = min(n, max(least, int(share * n)))
    pruned = np.zeros_like(affinity)
    nearest = np.argsort(-affinity, axis=1)[:, :keep]
    rows = np.arange(n)[:, None]
    pruned[rows, nearest] = affinity[rows, nearest]
    pruned = np.clip((pruned + pruned.T) / 2, 0.0, None)
    degree = pruned.sum(axis=1)
    if normalised:
        d = 1 / np.sqrt(np.maximum(degree, 1e-9))
        laplacian = np.eye(n) - d[:, None] * pruned * d[None, :]
    else:
        laplacian = np.diag(degree) - pruned
    return np.linalg.eigh(laplacian)


def spectral(normalised: bool, upper: int = 20, share: float = 0.1, least: int = 16) -> Rule:
    from stt_cli.diarization.pipeline import MAX_SPECTRAL, _kmeans

    def rule(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
        sample = embeddings[reliable] if reliable.sum() >= 2 else embeddings
        if len(sample) > MAX_SPECTRAL:
            sample = sample[np.linspace(0, len(sample) - 1, MAX_SPECTRAL).astype(int)]
        n = len(sample)
        values, vectors = _spectral(sample, normalised, share, least)
        top = max(1, min(upper, n // 3, n - 1))
        k = int(np.argmax(np.diff(values[: top + 1]))) + 1
        labels = _kmeans(vectors[:, :k], k) if k > 1 else np.zeros(n, dtype=int)
        centroids = np.stack([sample[labels == c].mean(axis=0) for c in range(k) if (labels == c).any()])
        return centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    return rule


def merged(base: Rule, threshold: float, min_share: float = 0.0) -> Rule:
    """``base``, then the two most similar speakers merged while their centroids are closer than ``threshold``
    (cosine), and a speaker holding under ``min_share`` of the windows merged into its nearest."""

    def rule(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
        sample = embeddings[reliable] if reliable.sum() >= 2 else embeddings
        centroids = base(embeddings, reliable)
        while len(centroids) > 1:
            labels = np.argmax(sample @ centroids.T, axis=1)
            sums = np.stack([sample[labels == c].sum(axis=0) for c in range(len(centroids))])
            counts = np.bincount(labels, minlength=len(centroids))
            keep = counts > 0
            sums, counts = sums[keep], counts[keep]
            centroids = sums / np.linalg.norm(sums, axis=1, keepdims=True).clip(1e-8)
            if len(centroids) == 1:
                break
            similarity = centroids @ centroids.T - 2 * np.eye(len(centroids))
            small = int(np.argmin(counts))
            if counts[small] < min_share * counts.sum():
                a, b = small, int(np.argmax(similarity[small]))
            else:
                a, b = np.unravel_index(int(np.argmax(similarity)), similarity.shape)
                if similarity[a, b] < threshold:
                    break
            joined = sums[a] + sums[b]
            rest = [c for c in range(len(centroids)) if c not in (a, b)]
            centroids = np.vstack([centroids[rest], joined / np.linalg.norm(joined)])
        return centroids

    return rule


def nme(
    binary: bool, normalised: bool, shares: tuple[float, ...] = (0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)
) -> Rule:
    """NME-SC (Park et al., IEEE SPL 2019): each recording's own pruning, the one whose largest eigengap,
    normalised by the largest eigenvalue, is greatest for the neighbours it keeps."""
    from stt_cli.diarization.pipeline import MAX_SPECTRAL, _kmeans

    def rule(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
        sample = embeddings[reliable] if reliable.sum() >= 2 else embeddings
        if len(sample) > MAX_SPECTRAL:
            sample = sample[np.linspace(0, len(sample) - 1, MAX_SPECTRAL).astype(int)]
        n = len(sample)
        affinity = sample @ sample.T
        order = np.argsort(-affinity, axis=1)
        best = None
        for share in shares:
            keep = min(n, max(8, int(share * n)))
            pruned = np.zeros_like(affinity)
            rows = np.arange(n)[:, None]
            pruned[rows, order[:, :keep]] = 1.0 if binary else affinity[rows, order[:, :keep]]
            pruned = np.clip((pruned + pruned.T) / 2, 0.0, None)
            degree = pruned.sum(axis=1)
            if normalised:
                d = 1 / np.sqrt(np.maximum(degree, 1e-9))
                laplacian = np.eye(n) - d[:, None] * pruned * d[None, :]
            else:
                laplacian = np.diag(degree) - pruned
            values, vectors = np.linalg.eigh(laplacian)
            top = max(1, min(20, n // 3, n - 1))
            gaps = np.diff(values[: top + 1])
            k = int(np.argmax(gaps)) + 1
            score = keep / (gaps[k - 1] / max(values[-1], 1e-9) + 1e-12)
            if best is None or score < best[0]:
                best = (score, k, vectors)
        _, k, vectors = best
        labels = _kmeans(vectors[:, :k], k) if k > 1 else np.zeros(n, dtype=int)
        centroids = np.stack([sample[labels == c].mean(axis=0) for c in range(k) if (labels == c).any()])
        return centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    return rule


def _centroids(sample: np.ndarray, labels: np.ndarray) -> np.ndarray:
    found = np.stack([sample[labels == c].mean(axis=0) for c in np.unique(labels)])
    return found / np.linalg.norm(found, axis=1, keepdims=True)


def silhouette(share: float = 0.15, least: int = 24, floor: float = 0.05) -> Rule:
    """k from the silhouette (cosine) of the spectral k-means labels, 2 to 10; one speaker when even the best
    silhouette is under ``floor``."""
    from stt_cli.diarization.pipeline import MAX_SPECTRAL, _kmeans

    def rule(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
        sample = embeddings[reliable] if reliable.sum() >= 2 else embeddings
        if len(sample) > MAX_SPECTRAL:
            sample = sample[np.linspace(0, len(sample) - 1, MAX_SPECTRAL).astype(int)]
        n = len(sample)
        _, vectors = _spectral(sample, True, share, min(least, max(4, n // 4)))
        distance = 1 - sample @ sample.T
        best = (floor, np.zeros(n, dtype=int))
        for k in range(2, min(10, n // 3) + 1):
            labels = _kmeans(vectors[:, :k], k)
            if len(np.unique(labels)) < k:
                continue
            own = np.array([distance[i, labels == labels[i]].sum() / max(1, (labels == labels[i]).sum() - 1)
                            for i in range(n)])  # fmt: skip
            other = np.array([min(distance[i, labels == c].mean() for c in range(k) if c != labels[i])
                              for i in range(n)])  # fmt: skip
            score = float(np.mean((other - own) / np.maximum(np.maximum(other, own), 1e-9)))
            if score > best[0]:
                best = (score, labels)
        return _centroids(sample, best[1])

    return rule


def linkage(threshold: float) -> Rule:
    """Average-linkage clustering of the embeddings, centred on the recording's mean, cut at ``threshold``
    cosine similarity."""
    from scipy.cluster.hierarchy import fcluster
    from scipy.cluster.hierarchy import linkage as tree

    def rule(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
        sample = embeddings[reliable] if reliable.sum() >= 2 else embeddings
        centred = sample - sample.mean(axis=0)
        centred /= np.linalg.norm(centred, axis=1, keepdims=True).clip(1e-8)
        labels = fcluster(tree(centred, method="average", metric="cosine"), 1 - threshold, criterion="distance")
        return _centroids(sample, labels)

    return rule


def rules() -> dict[str, Rule]:
    """stt's rule, the one it replaced, and the others measured on the way (bench/README.md)."""
    found: dict[str, Rule] = {"stt": current, "before: 10 %/16": spectral(False, share=0.1, least=16)}
    found["15 %/24 everywhere"] = spectral(True, share=0.15, least=24)
    found["15 %/24 unnormalised"] = spectral(False, share=0.15, least=24)
    found["10 %/32"] = spectral(True, share=0.1, least=32)
    found["20 %/16"] = spectral(True, share=0.2, least=16)
    for divisor in (3, 6):
        found[f"short: n/{divisor}"] = adaptive(divisor)
    found["stt + merge at 0.6"] = merged(current, 0.6)
    found["before + merge at 0.6"] = merged(spectral(False, share=0.1, least=16), 0.6)
    found["NME-SC"] = nme(True, False)
    found["silhouette"] = silhouette(floor=0.1)
    found["average linkage at 0"] = linkage(0.0)
    return found


def adaptive(divisor: int, share: float = 0.15, most: int = 24) -> Rule:
    """The normalised rule with fewer neighbours on a short recording: at least ``n / divisor`` (6 to
    ``most``), or ``share`` of the windows, whichever is more."""
    from stt_cli.diarization.pipeline import MAX_SPECTRAL, _kmeans

    def rule(embeddings: np.ndarray, reliable: np.ndarray) -> np.ndarray:
        sample = embeddings[reliable] if reliable.sum() >= 2 else embeddings
        if len(sample) > MAX_SPECTRAL:
            sample = sample[np.linspace(0, len(sample) - 1, MAX_SPECTRAL).astype(int)]
        n = len(sample)
        values, vectors = _spectral(sample, True, share, min(most, max(6, n // divisor)))
        top = max(1, min(20, n // 3, n - 1))
        k = int(np.argmax(np.diff(values[: top + 1]))) + 1
        labels = _kmeans(vectors[:, :k], k) if k > 1 else np.zeros(n, dtype=int)
        return _centroids(sample, labels)

    return rule


# Short hearings: a minute or two, 15-20 s of speech each (a one-minute hearing was where the first build found
# one speaker on one build and four on another).
SHORT = [("id", 2, "close", 15.0), ("id", 3, "close", 15.0), ("id", 3, "far", 20.0), ("id", 4, "far", 20.0),
         ("id", 5, "close", 15.0), ("id", 3, "remote", 20.0), ("en", 3, "far", 20.0)]  # fmt: skip

Make = Callable[[], tuple[np.ndarray, object]]  # -> (16 kHz samples, the reference as a pyannote Annotation)


def _conversation(language: str, speakers: int, condition: str, seconds: float, seed: int) -> Make:
    def make() -> tuple[np.ndarray, object]:
        from bench.hearings import reference_annotation

        conversation = build(language, speakers, condition, seconds=seconds, seed=seed)
        return conversation.samples, reference_annotation(conversation)

    return make


def recordings(seed: int) -> list[tuple[str, int, Make]]:
    out = []
    for language, speakers, condition in FULL:
        name = f"{language}-{speakers}-{condition}-s{seed}"
        out.append((name, speakers, _conversation(language, speakers, condition, 45.0, seed)))
    for language, speakers, condition, seconds in SHORT:
        name = f"{language}-{speakers}-{condition}-{seconds:.0f}s-s{seed}"
        out.append((name, speakers, _conversation(language, speakers, condition, seconds, seed)))
    return out


def plain(seed: int) -> list[tuple[str, int, Make]]:
    """Hearings as the tests build them (tests/support/hearings.py): clean clips as recorded, silences and all,
    one after another: three voices in 15 turns and five voices in 20, each voice's clips from a seeded start."""

    def make(count: int, turns: int) -> Make:
        from tests.support.hearings import VOICES, clips

        pools = [clips(v) for v in VOICES[:count]]
        offsets = [(seed * 3 + i) % len(pool) for i, pool in enumerate(pools)]
        order = [(str(i % count), pools[i % count][(offsets[i % count] + i // count) % len(pools[i % count])])
                 for i in range(turns)]  # fmt: skip
        return _plain_make(order)

    return [(f"plain-{count}-s{seed}", count, make(count, turns)) for count, turns in ((3, 15), (5, 20))]


def meetings() -> list[tuple[str, int, Make]]:
    from pyannote.database.util import load_rttm

    from bench.diarize import data_folder
    from stt_cli.media.decode import load_audio

    folder = data_folder()
    out = []
    for name in ("sample", "dev00", "dev01"):
        [reference] = load_rttm(str(folder / f"{name}.rttm")).values()
        path = folder / f"{name}.flac"
        out.append(
            (name, len(reference.labels()), lambda path=path, ref=reference: (load_audio(path).samples, ref))
        )
    return out


def tiny() -> list[tuple[str, int, Make]]:
    """The tests' own hearings, 25 s to a minute and a half of clean clips as their contributors recorded them:
    five turns of three voices (the voice library's), twelve of three (the roster's), fifteen of three (the
    citations'), eighteen of five (the BAS's)."""
    from tests.support.hearings import VOICES, clips

    def turns(cast: dict[str, str], order: list[str]) -> list[tuple[str, dict]]:
        taken = {who: iter(clips(voice)) for who, voice in cast.items()}
        return [(who, next(taken[who])) for who in order]

    three = dict(zip(("judge", "witness", "prosecutor"), VOICES[:3], strict=True))
    bas = {"judge": "84d1fe116b60", "w1": "7154a5b04bd2", "prosecutor": "8eb6a0f8aa44", "counsel": "08b1f63d9c8e",
           "w2": "6013e4afd967"}  # fmt: skip
    by_file = {c["file"]: c for voice in {*VOICES, "db9784fc28ad", "8b06b50dc705"} for c in clips(voice)}
    voices_test = [(who, by_file[f"common_voice_id_{n}.flac"]) for who, n in (
        ("judge", 20986036), ("prosecutor", 19078281), ("stranger", 19165774), ("judge", 20962075),
        ("prosecutor", 19499795))]  # fmt: skip
    roster = ["judge", "prosecutor", "judge", "witness", "prosecutor", "witness", "judge", "witness", "prosecutor",
              "witness", "judge", "witness"]  # fmt: skip
    bas_order = ["judge", "prosecutor", "counsel", "judge", "w1", "judge", "w1", "prosecutor", "w1", "counsel",
                 "w1", "judge", "w2", "prosecutor", "w2", "counsel", "w2", "judge"]  # fmt: skip
    recordings = {
        "test-voices-3": voices_test,
        "test-roster-3": turns(three, roster),
        "test-cite-3": [(str(i % 3), clips(VOICES[i % 3])[i // 3]) for i in range(15)],
        "test-bas-5": turns(bas, bas_order),
    }
    return [(name, len({w for w, _ in order}), _plain_make(order)) for name, order in recordings.items()]


def _plain_make(order: list[tuple[str, dict]]) -> Make:
    def built() -> tuple[np.ndarray, object]:
        import tempfile

        from pyannote.core import Annotation, Segment

        from stt_cli.media.decode import load_audio
        from tests.support.hearings import build as build_plain

        with tempfile.TemporaryDirectory() as tmp:
            said = build_plain(Path(tmp) / "plain.wav", order)
            samples = load_audio(Path(tmp) / "plain.wav").samples
        reference = Annotation()
        for i, turn in enumerate(said):
            reference[Segment(turn.start, turn.end), i] = turn.who
        return samples, reference

    return built


def single() -> list[tuple[str, int, Make]]:
    """One voice each: JFK's 11 s, the three spontaneous English recordings (25 s each), LibriSpeech reader 1089's
    four utterances one after another (21 s): none may be split into people."""
    from pyannote.core import Annotation, Segment

    from stt_cli.media.decode import load_audio

    root = SHARED if SHARED.is_dir() else ROOT / "tests" / "data"
    groups = {"jfk": [root / "en_jfk" / "jfk.flac"]}
    for name in ("acoustic_corpus", "cold_corpus", "cold_corpus3"):
        groups[name] = [root / "en_mfa_spontaneous" / f"{name}.flac"]
    groups["librispeech-1089"] = sorted((root / "en_librispeech").glob("1089-*.flac"))

    def make(files: list[Path]) -> Make:
        def built() -> tuple[np.ndarray, object]:
            samples = np.concatenate([load_audio(f).samples for f in files])
            reference = Annotation()
            reference[Segment(0.0, len(samples) / 16_000), 0] = "one"
            return samples, reference

        return built

    return [(name, 1, make(files)) for name, files in groups.items() if all(f.is_file() for f in files)]


def cached(p, name: str, make: Make) -> tuple[dict[str, np.ndarray], object]:
    """The recording's windows and embeddings, and its reference, made once and kept in bench/out/clustering/."""
    from pyannote.core import Annotation, Segment

    truth_path = CACHE / f"{name}.truth.json"
    if (CACHE / f"{name}.npz").exists() and truth_path.exists():
        reference = Annotation()
        for i, (start, end, label) in enumerate(json.loads(truth_path.read_text())):
            reference[Segment(start, end), i] = label
        return dict(np.load(CACHE / f"{name}.npz")), reference
    samples, reference = make()
    data = windows_of(p, samples, name)
    rows = [(s.start, s.end, str(label)) for s, _, label in reference.itertracks(yield_label=True)]
    truth_path.write_text(json.dumps(rows))
    return data, reference


def score(p, name: str, truth, data: dict[str, np.ndarray], rule: Rule) -> tuple[int, dict]:
    from pyannote.metrics.diarization import DiarizationErrorRate

    reliable = (data["spans"][:, 1] - data["spans"][:, 0]) >= 0.9
    centroids = rule(data["embeddings"], reliable)
    turns = turns_of(p, data, centroids)
    found = len({t[2] for t in turns})
    from bench.hearings import hypothesis_annotation

    details = DiarizationErrorRate(collar=0.25)(truth, hypothesis_annotation(turns), detailed=True)
    return found, {k: details[k] for k in ("missed detection", "false alarm", "confusion", "total")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--verbose", action="store_true", help="every recording's count")
    parser.add_argument(
        "--rules", default="", help="only the rules whose names hold one of these (comma-separated)"
    )
    args = parser.parse_args()
    p = pipeline()
    seeds = args.seeds.split(",")
    sets = {f"seed {s}": recordings(int(s)) for s in seeds} | {f"plain {s}": plain(int(s)) for s in seeds}
    sets |= {"tests' own": tiny(), "meetings": meetings(), "one voice": single()}
    CACHE.mkdir(parents=True, exist_ok=True)
    kept = {name: cached(p, name, make) for rows in sets.values() for name, _, make in rows}
    wanted = [w for w in args.rules.split(",") if w]
    print(f"{'rule':<22}{'set':<10}{'count ok':>9}{'|error|':>9}{'DER':>8}{'confusion':>10}")
    for rule_name, rule in rules().items():
        if wanted and not any(w in rule_name for w in wanted):
            continue
        for set_name, rows in sets.items():
            right, error = 0, 0
            parts = dict.fromkeys(("missed detection", "false alarm", "confusion", "total"), 0.0)
            detail = []
            for name, speakers, _ in rows:
                data, truth = kept[name]
                found, scored = score(p, name, truth, data, rule)
                right += found == speakers
                error += abs(found - speakers)
                detail.append(f"{name}:{found}/{speakers}")
                for k in parts:
                    parts[k] += scored[k]
            der = (parts["missed detection"] + parts["false alarm"] + parts["confusion"]) / parts["total"]
            print(f"{rule_name:<22}{set_name:<10}{right / len(rows):>9.0%}{error / len(rows):>9.2f}{der:>8.1%}"
                  f"{parts['confusion'] / parts['total']:>10.1%}")  # fmt: skip
            if args.verbose:
                print("    " + " ".join(detail))


if __name__ == "__main__":
    main()
