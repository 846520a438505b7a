"""Live benchmark: `stt live` on real speech replayed at real time, through stdin and through --follow, against
`stt transcribe` on the same audio, in one run.

    python -m bench.live                          # tiny.en and base, English; base, Indonesian; ~90 s streams
    python -m bench.live --seconds 40 --models tiny.en

For each model and path it prints:
- commit delay: for every committed word, the time from the end of the word in the stream (when its last
  sample was written) to the moment it was committed, median and 95th percentile;
- CPU share: the live process's CPU seconds while the stream ran, over the stream's seconds (this machine
  has 2 cores, so 2.0 would be all of it);
- end lag: from the stream's end to its last commit (a model that does not keep up falls further behind);
- WER of the final live transcript and of `stt transcribe` (defaults, beam 5) on the same audio, and their
  ratio.
The writer waits for "listening to" on stt's stderr, so model loading is not counted as delay.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.support.media import load_mono16k, write_wav
from tests.support.scoring import Clip, corpus_wer, load_clips, normalise_indonesian

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
STREAMS = {"en": ("en_librispeech", "en_jfk", "en_ljspeech"), "id": ("id_commonvoice",)}
GAP = 0.6  # s of silence between clips, as between two speakers' turns
BLOCK = 0.1  # s written at a time


@dataclass(frozen=True)
class Stream:
    language: str
    pcm: bytes  # 16 kHz 16-bit mono
    reference: str
    seconds: float
    wav: Path


@dataclass(frozen=True)
class Row:
    model: str
    language: str
    path: str
    seconds: float
    delay_median: float
    delay_p95: float
    cpu_share: float
    end_lag: float
    live_wer: float
    offline_wer: float


def build_stream(language: str, seconds: float, folder: Path) -> Stream:
    root = SHARED if SHARED.is_dir() else ROOT / "tests" / "data"
    clips: list[Clip] = [c for s in STREAMS[language] if (root / s).is_dir() for c in load_clips(root / s)]
    parts, texts, total = [], [], 0.0
    for clip in clips:
        if total >= seconds:
            break
        samples = load_mono16k(clip.path)
        parts += [samples, np.zeros(int(GAP * 16000), dtype=np.float32)]
        texts.append(clip.reference)
        total += samples.shape[0] / 16000 + GAP
    signal = np.concatenate(parts)
    wav = write_wav(folder / f"stream_{language}.wav", signal)
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2").tobytes()
    return Stream(language, pcm, " ".join(texts), signal.shape[0] / 16000, wav)


def wer(language: str, reference: str, hypothesis: str) -> float:
    if language == "en":
        return corpus_wer([reference], [hypothesis])
    import jiwer

    return float(jiwer.wer(normalise_indonesian(reference), normalise_indonesian(hypothesis) or "<empty>"))


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def live_run(model: str, stream: Stream, path: str, folder: Path) -> Row:
    out = folder / f"{model}_{stream.language}_{path}"
    command = [sys.executable, "-m", "stt_cli", "live", "-m", model, "--jsonl", "-o", str(out), "-f", "json"]
    command += ["--language", stream.language] if model != "tiny.en" else []
    target = out / "growing.wav"
    if path == "stdin":
        command += ["-", "--rate", "16000", "--name", "growing"]
    else:
        out.mkdir(parents=True)
        target.write_bytes(_wav_header())
        command += [str(target), "--follow", "--idle", "3"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    live = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert live.stderr is not None and live.stdin is not None
    while b"listening to" not in live.stderr.readline():
        if live.poll() is not None:
            raise SystemExit(f"stt live failed: {live.stderr.read().decode()}")
    cpu_at_start = process_cpu(live.pid)
    sink = live.stdin if path == "stdin" else target.open("ab")
    started = time.time()
    writer = threading.Thread(target=_write_at_real_time, args=(sink, stream.pcm), daemon=True)
    writer.start()
    stdout, _ = live.communicate(timeout=stream.seconds * 4 + 120) if path != "stdin" else _wait(live, writer)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime - cpu_at_start
    commits = [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]
    delays = [c["committed_at"] - (started + w["end"]) for c in commits for w in c["words"]]
    final = json.loads((out / "growing.json").read_text())
    offline = _offline(model, stream, folder)
    return Row(
        model, stream.language, path, stream.seconds, statistics.median(delays), float(np.percentile(delays, 95)),
        cpu / stream.seconds, commits[-1]["committed_at"] - (started + stream.seconds),
        wer(stream.language, stream.reference, final["text"]), offline,
    )  # fmt: skip


def _wait(live: subprocess.Popen, writer: threading.Thread) -> tuple[bytes, bytes]:
    writer.join()
    live.stdin = None
    return live.communicate(timeout=300)


def _write_at_real_time(sink, pcm: bytes) -> None:
    step, started = int(BLOCK * 32000), time.monotonic()
    for offset in range(0, len(pcm), step):
        sink.write(pcm[offset : offset + step])
        sink.flush()
        time.sleep(max(0.0, started + (offset + step) / 32000 - time.monotonic()))
    sink.close()


def _wav_header() -> bytes:
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
    return b"RIFF" + struct.pack("<I", 36) + b"WAVE" + b"fmt " + fmt + b"data" + struct.pack("<I", 0)


_OFFLINE: dict[tuple[str, str], float] = {}


def _offline(model: str, stream: Stream, folder: Path) -> float:
    key = (model, stream.language)
    if key not in _OFFLINE:
        out = folder / f"offline_{model}_{stream.language}"
        command = [sys.executable, "-m", "stt_cli", "transcribe", str(stream.wav), "-m", model, "-f", "json"]
        command += ["-o", str(out), "-q"] + (["--language", stream.language] if model != "tiny.en" else [])
        subprocess.run(command, check=True)
        text = json.loads((out / f"{stream.wav.stem}.json").read_text())["text"]
        _OFFLINE[key] = wer(stream.language, stream.reference, text)
    return _OFFLINE[key]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="tiny.en,base")
    parser.add_argument("--seconds", type=float, default=90.0, help="length of each stream (whole clips)")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        streams = {lang: build_stream(lang, args.seconds, folder) for lang in STREAMS}
        for model in args.models.split(","):
            for language in ("en",) if model.endswith(".en") else ("en", "id"):
                for path in ("stdin", "follow"):
                    rows.append(live_run(model, streams[language], path, folder))
                    _print(rows[-1:], header=len(rows) == 1)
    print(f"\n{os.cpu_count()} CPUs; delay = committed_at - (stream start + word end); CPU share of real time")


def _print(rows: list[Row], *, header: bool) -> None:
    if header:
        print(f"{'model':<8}{'lang':<5}{'path':<7}{'audio s':>8}{'delay p50':>10}{'p95':>7}{'CPU/real':>9}"
              f"{'end lag':>8}{'live WER':>9}{'offline':>8}{'x offline':>10}")  # fmt: skip
    for r in rows:
        ratio = r.live_wer / r.offline_wer if r.offline_wer else float("nan")
        print(f"{r.model:<8}{r.language:<5}{r.path:<7}{r.seconds:>8.1f}{r.delay_median:>10.2f}{r.delay_p95:>7.2f}"
              f"{r.cpu_share:>9.2f}{r.end_lag:>8.2f}{r.live_wer:>9.3f}{r.offline_wer:>8.3f}{ratio:>10.2f}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
