"""One benchmark engine in its own process, so that its peak RSS is its own.

Usage: python -m bench._worker ENGINE RESULT.json MODEL_DIR_OR_NAME THREADS VAD LANGUAGE FILE...
ENGINE is ``stt`` (the real ``stt transcribe`` command, in-process) or ``faster-whisper`` (the library alone,
with the same model folder and settings). Writes {texts, seconds, peak_rss_mb} to RESULT.json.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path


def run_stt(model: str, threads: int, vad: bool, language: str | None, files: list[Path]) -> list[str]:
    from stt_cli.cli import app

    with tempfile.TemporaryDirectory() as out:
        args = ["transcribe", *map(str, files), "-f", "json", "-o", out, "--model", model, "-q"]
        args += ["--threads", str(threads), "--vad" if vad else "--no-vad"]
        args += ["--language", language] if language else []
        try:
            app(args, standalone_mode=False)
        except SystemExit as e:  # typer.Exit after a batch
            if e.code:
                raise
        return [json.loads((Path(out) / f"{f.stem}.json").read_text())["text"] for f in files]


def run_faster_whisper(model: str, threads: int, vad: bool, language: str | None, files: list[Path]) -> list[str]:
    from faster_whisper import WhisperModel

    whisper = WhisperModel(model, device="cpu", compute_type="int8", cpu_threads=threads)
    texts = []
    for f in files:
        segments, _ = whisper.transcribe(
            str(f), beam_size=5, vad_filter=vad, word_timestamps=True, language=language
        )
        texts.append(" ".join(s.text.strip() for s in segments))
    return texts


def main() -> None:
    engine, result, model, threads, vad, language, *files = sys.argv[1:]
    run = {"stt": run_stt, "faster-whisper": run_faster_whisper}[engine]
    started = time.perf_counter()
    texts = run(model, int(threads), vad == "1", language or None, [Path(f) for f in files])
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    Path(result).write_text(json.dumps({"texts": texts, "seconds": seconds, "peak_rss_mb": peak_mb}))


if __name__ == "__main__":
    main()
