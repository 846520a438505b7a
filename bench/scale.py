"""Throughput of one batch done by several workers, against one plain process, in one run.

    python -m bench.scale                       # 63 Indonesian recordings (259 s), base, this machine
    python -m bench.scale --files 24 --model tiny.en --language en

Each configuration transcribes the same folder into a fresh output folder, from a cold start (model loading
included, as a batch job pays it):
- plain: one `stt transcribe` process with every CPU thread (the peer);
- --jobs 1 and --jobs 2: worker processes started by stt, sharing the work through claims, the threads split;
- 1 worker and 3 workers: independent `stt transcribe` processes over the same folder (as array tasks on one
  node would be), each left to its default threads, cooperating through claims alone;
- 3 workers with --shard k/3 --steal.
It prints files per hour, audio hours per hour, and the ratio of each to the plain process's. Every
configuration's outputs are checked: each recording done exactly once, by its summaries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


def recordings(folder: Path, files: int, language: str) -> tuple[Path, float]:
    source = SHARED / ("id_commonvoice" if language == "id" else "en_ljspeech")
    if not source.is_dir():
        source = ROOT / "tests" / "data" / source.name
    manifest = json.loads((source / "manifest.json").read_text())
    folder.mkdir()
    seconds = 0.0
    for item in manifest["items"][:files]:
        shutil.copy(source / item["file"], folder / item["file"])
        seconds += float(item["duration_s"])
    return folder, seconds


def run(name: str, workers: list[list[str]], inputs: Path, out: Path, common: list[str]) -> tuple[float, int]:
    """Start every worker at once, wait for all; seconds taken, and recordings done (each exactly once)."""
    out.mkdir()
    started = time.monotonic()
    processes = []
    for index, extra in enumerate(workers):
        summary = out / f".summary-{index}.json"
        command = [sys.executable, "-m", "stt_cli", "transcribe", str(inputs), "-o", str(out), "-q", *common]
        processes.append(subprocess.Popen([*command, "--summary-json", str(summary), *extra]))
    for process in processes:
        if process.wait() != 0:
            raise SystemExit(f"{name}: a worker exited {process.returncode}")
    seconds = time.monotonic() - started
    done: dict[str, int] = {}
    for summary in out.glob(".summary-*.json"):
        for item in json.loads(summary.read_text())["files"]:
            if item["status"] == "done":
                done[item["input"]] = done.get(item["input"], 0) + 1
    if any(n != 1 for n in done.values()):
        raise SystemExit(f"{name}: a recording was transcribed twice: {done}")
    return seconds, len(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=63)
    parser.add_argument("--model", default="base")
    parser.add_argument("--language", default="id")
    args = parser.parse_args()
    common = ["-m", args.model, "-l", args.language, "-f", "json"]
    configurations = {
        "plain": [[]],
        "--jobs 1": [["--jobs", "1"]],
        "--jobs 2": [["--jobs", "2"]],
        "1 worker": [["--shard", "1/1"]],
        "3 workers": [[], [], []],
        "3 workers, shards": [["--shard", f"{k}/3", "--steal"] for k in (1, 2, 3)],
    }
    with tempfile.TemporaryDirectory() as tmp:
        inputs, audio = recordings(Path(tmp) / "in", args.files, args.language)
        print(f"{args.files} recordings, {audio:.0f} s of audio, {args.model}, {os.cpu_count()} CPUs\n")
        print(f"{'configuration':<20}{'seconds':>9}{'files/h':>9}{'audio h/h':>10}{'x plain':>9}")
        plain = None
        for index, (name, workers) in enumerate(configurations.items()):
            seconds, done = run(name, workers, inputs, Path(tmp) / f"out{index}", common)
            assert done == args.files, f"{name}: {done} of {args.files} done"
            plain = plain or seconds
            print(f"{name:<20}{seconds:>9.1f}{done / seconds * 3600:>9.0f}{audio / seconds:>10.2f}"
                  f"{plain / seconds:>9.2f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
