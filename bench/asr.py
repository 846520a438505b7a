"""ASR benchmark: stt against raw faster-whisper, same model, same settings, same files, one run.

    python -m bench.asr                  # base (the default model), native English sets of ../shared/data
    python -m bench.asr --model tiny.en --rounds 1

Prints WER, real-time factor (processing seconds / audio seconds; lower is faster), peak RSS and back-to-back
repeated 4-gram runs (loops) per engine, and stt's time as a ratio of raw faster-whisper's. Each engine runs in
its own process (so peak RSS is its own), rounds are interleaved, and the fastest round of each is reported.
A third row runs faster-whisper without VAD, to show the loops VAD prevents. Reads ``../shared/data``; where
that is absent it says so and falls back on the clips in ``tests/data``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.scoring import Clip, corpus_wer, load_clips, repeated_ngram_runs

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
NATIVE_ENGLISH_SETS = ("en_jfk", "en_librispeech", "en_ljspeech", "en_mfa_spontaneous")


@dataclass(frozen=True)
class Row:
    engine: str
    wer: float
    seconds: float
    rtf: float
    peak_rss_mb: float
    loops: int
    looping_clips: tuple[str, ...]


def find_clips(sets: tuple[str, ...]) -> tuple[list[Clip], str]:
    if SHARED.is_dir():
        return [c for s in sets if (SHARED / s).is_dir() for c in load_clips(SHARED / s)], str(SHARED)
    print(f"note: {SHARED} is absent; using the clips in tests/data instead", file=sys.stderr)
    local = ROOT / "tests" / "data"
    return [c for s in sets if (local / s).is_dir() for c in load_clips(local / s)], str(local)


def run_engine(engine: str, model: str, clips: list[Clip], *, threads: int, vad: bool, language: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        cmd = [sys.executable, "-m", "bench._worker", engine, result.name, model, str(threads)]
        cmd += ["1" if vad else "0", language, *(str(c.path) for c in clips)]
        subprocess.run(cmd, check=True, cwd=ROOT)
        return json.loads(Path(result.name).read_text())


def score(engine: str, clips: list[Clip], runs: list[dict]) -> Row:
    best = min(runs, key=lambda r: r["seconds"])
    audio = sum(c.duration for c in clips)
    loops = [repeated_ngram_runs(t) for t in best["texts"]]
    return Row(
        engine=engine,
        wer=corpus_wer([c.reference for c in clips], best["texts"]),
        seconds=best["seconds"],
        rtf=best["seconds"] / audio,
        peak_rss_mb=max(r["peak_rss_mb"] for r in runs),
        loops=sum(loops),
        looping_clips=tuple(c.path.name for c, n in zip(clips, loops, strict=True) if n),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="base", help="bundled model name (default: base)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds per engine; the fastest counts")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--language", default="", help="force a language (default: detect, as stt does)")
    parser.add_argument("--sets", default=",".join(NATIVE_ENGLISH_SETS), help="comma list of data sets")
    parser.add_argument("--no-novad", action="store_true", help="skip the faster-whisper run without VAD")
    args = parser.parse_args()

    from stt_cli.models import resolve

    model_dir = str(resolve(args.model).path)  # both engines load this very folder
    clips, source = find_clips(tuple(args.sets.split(",")))
    audio = sum(c.duration for c in clips)
    print(
        f"{len(clips)} clips, {audio:.0f} s of audio from {source}; model {args.model} ({model_dir}), "
        f"int8 on CPU, {args.threads} threads, beam 5, word timestamps, language {args.language or 'detected'}"
    )

    runs: dict[str, list[dict]] = {"stt": [], "faster-whisper": []}
    for round_ in range(1, args.rounds + 1):
        for engine in runs:
            print(f"  round {round_}: {engine}…", file=sys.stderr, flush=True)
            model = args.model if engine == "stt" else model_dir
            runs[engine].append(
                run_engine(engine, model, clips, threads=args.threads, vad=True, language=args.language)
            )
    rows = [score(engine, clips, r) for engine, r in runs.items()]
    if not args.no_novad:
        print("  faster-whisper without VAD…", file=sys.stderr, flush=True)
        novad = run_engine(
            "faster-whisper", model_dir, clips, threads=args.threads, vad=False, language=args.language
        )
        rows.append(score("faster-whisper, no VAD", clips, [novad]))

    reference = rows[1]
    print(f"\n{'engine':<24}{'WER':>7}{'time s':>9}{'RTF':>8}{'x raw':>8}{'peak RSS MB':>13}{'loops':>7}")
    for row in rows:
        print(
            f"{row.engine:<24}{row.wer:>7.2%}{row.seconds:>9.1f}{row.rtf:>8.3f}"
            f"{row.seconds / reference.seconds:>8.3f}{row.peak_rss_mb:>13.0f}{row.loops:>7}"
            + (f"   looping: {', '.join(row.looping_clips)}" if row.looping_clips else "")
        )
    ratio = rows[0].seconds / reference.seconds
    verdict = "within" if ratio <= 1.05 else "OUTSIDE"
    print(f"\nstt time / raw faster-whisper time = {ratio:.3f} ({verdict} the 5 % target)")


if __name__ == "__main__":
    main()
