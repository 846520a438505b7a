"""Diarization benchmark: stt's bundled pipeline against pyannote's own SpeakerDiarization on the same weights.

    python -m bench.diarize            # the three 2-speaker clips, and ASR-only vs ASR+diarization time
    python -m bench.diarize --hour     # also a 1-hour recording: time and peak RSS, in a process of its own

Per file: speakers found (reference in brackets), DER at collar 0 and 0.5 s (overlap scored), and the real-time
factor, for stt's pipeline (stt_cli.speaker_pipeline) and for pyannote 4's SpeakerDiarization built from the same
segmentation-3.0 + CAM++ weights with agglomerative clustering at threshold 0.6 (the first build). Reads
``../shared/data/multi_pyannote``; without it, says so and uses ``tests/data/multi_pyannote``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "multi_pyannote"
NAMES = ("sample", "dev00", "dev01")


def data_folder() -> Path:
    if SHARED.is_dir():
        return SHARED
    print(f"note: {SHARED} is absent; using tests/data/multi_pyannote", file=sys.stderr)
    return ROOT / "tests" / "data" / "multi_pyannote"


def first_build():
    """pyannote's SpeakerDiarization on the bundled weights, as the project's first build ran it."""
    from pyannote.audio.pipelines import SpeakerDiarization

    from stt_cli.models import ASSETS

    folder = ASSETS / "diarization"
    pipeline = SpeakerDiarization(
        segmentation=str(folder / "segmentation"),
        embedding=str(folder / "embedding"),
        plda=str(folder / "plda"),
        clustering="AgglomerativeClustering",
        embedding_exclude_overlap=True,
        embedding_batch_size=16,
    )
    pipeline.instantiate(
        {
            "segmentation": {"min_duration_off": 0.0},
            "clustering": {"method": "centroid", "min_cluster_size": 12, "threshold": 0.6},
        }
    )
    return pipeline


def score(pipeline, folder: Path) -> list[tuple[str, int, int, float, float, float]]:
    import torch
    from pyannote.database.util import load_rttm
    from pyannote.metrics.diarization import DiarizationErrorRate

    from stt_cli.audio import load_audio

    rows = []
    for name in NAMES:
        samples = load_audio(folder / f"{name}.flac").samples
        [reference] = load_rttm(str(folder / f"{name}.rttm")).values()
        started = time.perf_counter()
        output = pipeline({"waveform": torch.from_numpy(samples)[None], "sample_rate": 16_000})
        elapsed = time.perf_counter() - started
        hypothesis = output.speaker_diarization
        rows.append(
            (
                name,
                len(hypothesis.labels()),
                len(reference.labels()),
                DiarizationErrorRate(collar=0.0)(reference, hypothesis),
                DiarizationErrorRate(collar=0.5)(reference, hypothesis),
                elapsed / (len(samples) / 16_000),
            )
        )
    return rows


def asr_versus_diarization(folder: Path) -> tuple[float, float]:
    """Seconds for `stt transcribe` on the three clips without and with --diarize (base, a process each)."""
    times = []
    for extra in ([], ["--diarize"]):
        with tempfile.TemporaryDirectory() as out:
            files = [str(folder / f"{n}.flac") for n in NAMES]
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "stt_cli", "transcribe", *files, "-o", out, "-q", "-f", "json", *extra],
                check=True,
                cwd=ROOT,
            )
            times.append(time.perf_counter() - started)
    return times[0], times[1]


def hour_worker(path: str) -> None:
    """In its own process: diarize the file, print seconds and peak RSS as JSON."""
    from stt_cli import models
    from stt_cli.audio import load_audio
    from stt_cli.diarization import Diarizer

    diarizer = Diarizer.load(models.resolve_pipeline(None))
    samples = load_audio(Path(path)).samples
    started = time.perf_counter()
    found = diarizer.diarize(samples)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak, "speakers": len({t.speaker for t in found.turns})}))


def long_recording(folder: Path, minutes: float, path: Path) -> float:
    """Real speech: the three clips over and over, 2 s of silence between, as a 16 kHz WAV."""
    from tests.support.media import load_mono16k, write_wav

    gap = np.zeros(2 * 16_000, dtype=np.float32)
    clips = [np.concatenate([load_mono16k(folder / f"{n}.flac"), gap]) for n in NAMES]
    block = np.concatenate(clips)
    repeats = int(np.ceil(minutes * 60 * 16_000 / len(block)))
    signal = np.tile(block, repeats)[: int(minutes * 60 * 16_000)]
    write_wav(path, signal)
    return len(signal) / 16_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hour", action="store_true", help="also diarize a 1-hour recording")
    parser.add_argument("--hour-worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["PYANNOTE_METRICS_ENABLED"] = "false"
    warnings.filterwarnings("ignore")
    if args.hour_worker:
        hour_worker(args.hour_worker)
        return

    from stt_cli import models
    from stt_cli.diarization import Diarizer

    folder = data_folder()
    ours = Diarizer.load(models.resolve_pipeline(None)).pipeline
    print(f"{'file':<8}{'pipeline':<26}{'speakers':>10}{'DER c=0':>10}{'DER c=0.5':>11}{'RTF':>8}")
    results = {}
    for label, pipeline in (("stt (bundled)", ours), ("pyannote SD, same weights", first_build())):
        rows = score(pipeline, folder)
        results[label] = rows
        for name, found, ref, der0, der5, rtf in rows:
            print(f"{name:<8}{label:<26}{f'{found} [{ref}]':>10}{der0:>10.1%}{der5:>11.1%}{rtf:>8.3f}")
    for label, rows in results.items():
        print(
            f"mean    {label:<26}{'':>10}{np.mean([r[3] for r in rows]):>10.1%}"
            f"{np.mean([r[4] for r in rows]):>11.1%}{np.mean([r[5] for r in rows]):>8.3f}"
        )
    ratio = np.mean([r[5] for r in results["stt (bundled)"]]) / np.mean(
        [r[5] for r in results["pyannote SD, same weights"]]
    )
    print(f"stt diarization time / pyannote SD time = {ratio:.2f}")

    asr, both = asr_versus_diarization(folder)
    print(
        f"\nstt transcribe, 3 files (90 s), model base: ASR only {asr:.1f} s, ASR + --diarize {both:.1f} s "
        f"(x{both / asr:.2f}; includes loading both models)"
    )

    if args.hour:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "hour.wav"
            seconds = long_recording(folder, 60, path)
            out = subprocess.run(
                [sys.executable, "-m", "bench.diarize", "--hour-worker", str(path)],
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout
            report = json.loads(out.strip().splitlines()[-1])
            print(
                f"\n1-hour recording ({seconds / 60:.0f} min): diarized in {report['seconds']:.0f} s "
                f"(RTF {report['seconds'] / seconds:.3f}), peak RSS {report['peak_rss_mb']:.0f} MB, "
                f"{report['speakers']} speakers"
            )


if __name__ == "__main__":
    main()
