"""Long-recording benchmark: how each way of handling a long file loses or repeats words, and stt's memory.

    python -m bench.long                 # WER on a >= 10-minute concatenation, every method, one run
    python -m bench.long --memory        # peak RSS of stt on a 1-hour and a 3-hour recording

WER: the native English sets of ``../shared/data`` (en_ljspeech, en_librispeech, en_jfk, en_mfa_spontaneous)
are joined twice over (second time in a shuffled order, fixed seed) with 0.3-2.5 s of silence between clips,
into one file of about 14 minutes with its joined reference. On it, with the same model folder, threads and
``language="en"`` for all:

- ``faster-whisper one pass``: ``WhisperModel.transcribe`` on the whole signal (and again with its VAD filter);
- ``60 s chunks, 5 s overlap, naive``: windows decoded separately, their texts concatenated;
- ``60 s hard cuts``: windows with no overlap;
- ``stt``: ``Transcriber.transcribe`` (VAD-cut chunks, priming, loop guard, coverage check), sequential and
  with ``--batch-size 8``.

Each row prints corpus WER, back-to-back repeated 4-word runs in the output, seconds, and its time as a ratio
of the one-pass run; every text goes to ``bench/out/long/``. Without ``../shared/data`` it says so and stops:
the test clips are too short.

Memory: a 1-hour and a 3-hour FLAC are built by repeating real speech (the same sets) with 5-30 s silences
between clips (a hearing's pauses), and ``stt transcribe`` runs on each in its own process; its peak RSS is
read from the kernel (``ru_maxrss`` of the child).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.support.scoring import Clip, corpus_wer, load_clips, repeated_ngram_runs

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
SETS = ("en_ljspeech", "en_librispeech", "en_jfk", "en_mfa_spontaneous")
RATE = 16_000


@dataclass(frozen=True)
class Row:
    method: str
    wer: float
    loops: int
    seconds: float


def clips() -> list[Clip]:
    if not SHARED.is_dir():
        sys.exit(f"bench.long needs {SHARED} (the shared data sets); it is absent here")
    return [c for name in SETS for c in load_clips(SHARED / name)]


def build(parts: list[Clip], gaps: Callable[[], float], minimum: float) -> tuple[np.ndarray, str]:
    """Join clips (repeating the list as needed) with silence between them until ``minimum`` seconds."""
    from stt_cli.media.decode import load_audio

    signals = {c.path: load_audio(c.path).samples for c in parts}
    pieces, words, total, rounds = [], [], 0.0, 0
    rng = random.Random(7)
    while total < minimum:
        order = list(parts) if rounds == 0 else rng.sample(parts, len(parts))
        for clip in order:
            silence = np.zeros(round(gaps() * RATE), dtype=np.float32)
            pieces += [signals[clip.path], silence]
            words.append(clip.reference)
            total += (signals[clip.path].shape[0] + silence.shape[0]) / RATE
        rounds += 1
    return np.concatenate(pieces), " ".join(words)


def write_flac(path: Path, samples: np.ndarray) -> None:
    # With PyAV, which stt installs (soundfile was never installed by anything).
    from fractions import Fraction

    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("flac", rate=RATE)
        stream.layout = "mono"
        for start in range(0, samples.shape[0], 1 << 16):
            block = np.round(samples[start : start + (1 << 16)] * 32767).astype(np.int16)[None, :]
            frame = av.AudioFrame.from_ndarray(block, format="s16", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = RATE, start, Fraction(1, RATE)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def model_dir(name: str) -> str:
    from stt_cli import models

    return str(models.resolve(name).path)


def threads() -> int:
    return len(os.sched_getaffinity(0))


def whisper_texts(model, audio: np.ndarray, **kwargs) -> str:
    segments, _ = model.transcribe(audio, language="en", beam_size=5, **kwargs)
    return " ".join(s.text.strip() for s in segments)


def windows(model, audio: np.ndarray, length: float, overlap: float) -> str:
    step = round((length - overlap) * RATE)
    size = round(length * RATE)
    texts = []
    for start in range(0, audio.shape[0], step):
        texts.append(whisper_texts(model, audio[start : start + size], vad_filter=False))
        if start + size >= audio.shape[0]:
            break
    return " ".join(texts)


def stt_text(path: Path, name: str, batch_size: int) -> tuple[str, int]:
    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber

    transcriber = Transcriber.load(AsrOptions(model=name, language="en", threads=threads(), batch_size=batch_size))
    transcript = transcriber.transcribe(path)
    return transcript.text, len(transcript.retries)


def accuracy(name: str) -> None:
    from faster_whisper import WhisperModel

    rng = random.Random(11)
    audio, reference = build(clips(), lambda: rng.uniform(0.3, 2.5), 600.0)
    duration = audio.shape[0] / RATE
    words = len(reference.split())
    print(f"file: {duration / 60:.1f} min, {words} reference words, model {name}, {threads()} threads")
    whisper = WhisperModel(model_dir(name), device="cpu", compute_type="int8", cpu_threads=threads())
    rows = []

    saved = ROOT / "bench" / "out" / "long"
    saved.mkdir(parents=True, exist_ok=True)
    (saved / "reference.txt").write_text(reference + "\n", encoding="utf-8")

    def run(method: str, produce: Callable[[], str]) -> None:
        started = time.perf_counter()
        text = produce()
        seconds = time.perf_counter() - started
        # Every method's text is kept for reading the errors side by side (bench/out is not committed).
        (saved / f"{method.replace(' ', '_').replace(',', '')}.txt").write_text(text + "\n", encoding="utf-8")
        rows.append(Row(method, corpus_wer([reference], [text]), repeated_ngram_runs(text), seconds))
        row = rows[-1]
        print(f"  {method:<36} WER {row.wer:6.2%}  loops {row.loops:3d}  {seconds:6.1f} s", flush=True)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "long.flac"
        write_flac(path, audio)
        run("faster-whisper one pass", lambda: whisper_texts(whisper, audio, vad_filter=False))
        run("faster-whisper one pass, VAD filter", lambda: whisper_texts(whisper, audio, vad_filter=True))
        run("60 s chunks, 5 s overlap, naive", lambda: windows(whisper, audio, 60.0, 5.0))
        run("60 s hard cuts", lambda: windows(whisper, audio, 60.0, 0.0))
        retried = {}
        for batch in (1, 8):
            label = "stt" if batch == 1 else f"stt --batch-size {batch}"

            def produce(batch: int = batch, label: str = label) -> str:
                text, retried[label] = stt_text(path, name, batch)
                return text

            run(label, produce)
    base = rows[0].seconds
    print()
    print(f"| method | WER | repeated 4-word runs | seconds | time vs one pass |  ({duration / 60:.1f} min file)")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.method} | {row.wer:.2%} | {row.loops} | {row.seconds:.1f} | {row.seconds / base:.2f} |")
    best_peer = min(r.wer for r in rows if not r.method.startswith("stt"))
    stt = next(r for r in rows if r.method == "stt")
    verdict = "at or below" if stt.wer <= best_peer else "ABOVE"
    print(f"\nstt {stt.wer:.2%} is {verdict} the best other method ({best_peer:.2%}); retries: {retried}")


_PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def memory(name: str, hours: tuple[float, ...]) -> None:
    rng = random.Random(3)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for length in hours:
            audio, _ = build(clips(), lambda: rng.uniform(5.0, 30.0), length * 3600)
            path = Path(folder) / f"hearing-{length:g}h.flac"
            write_flac(path, audio)
            del audio
            started = time.perf_counter()
            command = [sys.executable, "-m", "stt_cli", "transcribe", str(path), "-f", "json", "-o", folder]
            command += ["--model", name, "--language", "en", "-q", "--overwrite"]
            # A fresh parent per run: RUSAGE_CHILDREN keeps the largest child ever, so it must not be shared.
            peak_of = [sys.executable, "-c", _PEAK, *command]
            done = subprocess.run(peak_of, check=True, cwd=ROOT, capture_output=True)
            seconds = time.perf_counter() - started
            peak = int(done.stdout.split()[-1])
            results.append((length, peak / 1024, seconds))
            print(f"  {length:g} h: peak RSS {peak / 1024:.0f} MB, {seconds:.0f} s", flush=True)
            path.unlink()
    print("\n| recording | peak RSS | seconds |\n|---|---|---|")
    for length, mb, seconds in results:
        print(f"| {length:g} h | {mb:.0f} MB | {seconds:.0f} |")
    if len(results) > 1:
        low, high = min(r[1] for r in results), max(r[1] for r in results)
        print(f"\nlargest / smallest peak: {high / low:.3f} ({(high / low - 1):.1%} apart)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="base", help="bundled model name (default: base)")
    parser.add_argument("--memory", action="store_true", help="measure peak RSS on 1-hour and 3-hour files")
    parser.add_argument("--hours", default="1,3", help="recording lengths for --memory (default: 1,3)")
    args = parser.parse_args()
    if args.memory:
        memory(args.model, tuple(float(h) for h in args.hours.split(",")))
    else:
        accuracy(args.model)


if __name__ == "__main__":
    main()
