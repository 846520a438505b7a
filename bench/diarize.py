"""Diarization benchmark: stt's bundled pipeline against pyannote's own SpeakerDiarization on the same weights.

    python -m bench.diarize                  # the three 2-speaker clips, and ASR-only vs ASR+diarization time
    python -m bench.diarize --hours 1,3,6    # only long recordings: time and peak RSS, a process each

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

    from stt_cli.media.decode import load_audio

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


def hours_worker(path: str, seconds: float) -> None:
    """In its own process: diarize the file as `stt transcribe --diarize` does (read again from the file,
    never held whole); print seconds, peak RSS and the RSS after loading the pipeline, as JSON."""
    from stt_cli import models
    from stt_cli.diarization import Diarizer
    from stt_cli.media.decode import SignalFromFile

    diarizer = Diarizer.load(models.resolve_pipeline(None))
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    found = diarizer.diarize(SignalFromFile(Path(path), 0, seconds))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    speakers = len({t.speaker for t in found.turns})
    print(json.dumps({"seconds": elapsed, "peak_rss_mb": peak, "loaded_rss_mb": loaded, "speakers": speakers}))


def long_runs(folder: Path, hours: list[float]) -> None:
    """Diarize recordings of each length in a process of their own; peaks are compared with the first."""
    print(
        f"{'hours':>6}{'seconds':>9}{'RTF':>7}{'peak RSS MB':>13}{'x first':>9}"
        f"{'after load MB':>15}{'speakers':>10}"
    )
    first = None
    for length in hours:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "long.flac"
            seconds = long_recording(folder, length * 60, path)
            out = subprocess.run(
                [sys.executable, "-m", "bench.diarize", "--hours-worker", str(path), str(seconds)],
                check=True,
                cwd=ROOT,
                capture_output=True,
                text=True,
            ).stdout
        report = json.loads(out.strip().splitlines()[-1])
        first = first or report["peak_rss_mb"]
        print(
            f"{length:>6g}{report['seconds']:>9.0f}{report['seconds'] / seconds:>7.3f}"
            f"{report['peak_rss_mb']:>13.0f}"
            f"{report['peak_rss_mb'] / first:>9.2f}{report['loaded_rss_mb']:>15.0f}{report['speakers']:>10}",
            flush=True,
        )


def long_recording(folder: Path, minutes: float, path: Path) -> float:
    """Real speech: the three clips over and over, 2 s of silence between, as a 16 kHz FLAC (or WAV), written
    10 minutes at a time so that building a 6-hour file does not hold it."""
    import av

    from stt_cli.media.decode import load_audio

    gap = np.zeros(2 * 16_000, dtype=np.float32)
    clips = [np.concatenate([load_audio(folder / f"{n}.flac").samples, gap]) for n in NAMES]
    block = np.concatenate(clips)
    total = int(minutes * 60 * 16_000)
    piece = np.tile(block, int(np.ceil(600 * 16_000 / len(block))) + 1)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("flac" if path.suffix == ".flac" else "pcm_s16le", rate=16_000)
        stream.layout = "mono"
        written = 0
        while written < total:
            # each 10 minutes starts where the clips' cycle left off, so the file is one long repeat
            offset = written % len(block)
            part = piece[offset : offset + min(600 * 16_000, total - written)]
            frame = av.AudioFrame.from_ndarray((part * 32767).astype(np.int16)[None], format="s16", layout="mono")
            frame.sample_rate = 16_000
            for packet in stream.encode(frame):
                container.mux(packet)
            written += part.size
        for packet in stream.encode(None):
            container.mux(packet)
    return total / 16_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", help="only diarize long recordings of these lengths, e.g. 1,3,6")
    parser.add_argument("--hours-worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["PYANNOTE_METRICS_ENABLED"] = "false"
    warnings.filterwarnings("ignore")
    if args.hours_worker:
        hours_worker(args.hours_worker[0], float(args.hours_worker[1]))
        return
    if args.hours:
        long_runs(data_folder(), [float(h) for h in args.hours.split(",")])
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


if __name__ == "__main__":
    main()
