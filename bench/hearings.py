"""Hearing-like audio: stt against its peers on conversations built like court hearings, in one run.

    python -m bench.hearings                         # the full set (about 35 minutes of audio)
    python -m bench.hearings --set quick             # a 3- and a 5-speaker far-field hearing
    python -m bench.hearings --set speed --parts fw,asr,batched   # recognition speed, one hearing per room
    python -m bench.hearings --parts stt,pyannote    # only some measurements (stt, pyannote, fw, candidates, live)
    python -m bench.hearings --label after           # results kept as bench/out/hearings/after.json

The recordings are built by ``tests/support/conversations.py`` from the shared speech (Indonesian Common Voice;
English LJ Speech, its amateur reader and a LibriSpeech reader): 2-6 speakers taking turns, 5-10 % of the speech
overlapped, in three rooms: ``close`` microphones, a ``far``-field courtroom (RT60 0.6 s, 15 dB SNR, speakers
12 dB apart) and a ``remote`` witness heard through a video link (8 kHz band, Opus 16 kbit/s, a loudspeaker in
the same room). Per condition it prints:

- WER of ``stt transcribe --diarize`` (language forced, as a court sets it) and of faster-whisper alone on the
  same file (``base``, int8, beam 5, its VAD filter, language forced): the recognition peer;
- DER (collar 0.25 s, overlap scored) and the share of files whose speaker count is right, for stt and for
  pyannote's own ``SpeakerDiarization`` on the same weights (the diarization peer); for stt also the count
  with speakers flagged as phantoms set aside (a reviewer sees those flagged);
- the share of words given to a speaker who was talking (after the best mapping of found to true speakers);
- speaker confidence: the held-out expected calibration error of ``speaker_confidence`` (fitted on the even
  files, checked on the odd ones) and how much of the wrongly attributed speech the review list catches;
- ``-l id,en`` against forcing the language: WER, and the share of speech given the right language;
- live against file: ``stt live FILE --pace 1`` (replayed at real time, as a courtroom hears it) against
  ``stt transcribe``, on the far-field and remote hearings of up to three speakers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tests.support.conversations import ROLES, Conversation, build, write
from tests.support.scoring import corpus_wer, indonesian_error_rates

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "hearings"
FULL = [("id", n, "far") for n in (2, 3, 4, 5, 6)] + [
    ("id", 3, "close"), ("id", 5, "close"), ("id", 3, "remote"), ("id", 5, "remote"),
    ("en", 2, "far"), ("en", 3, "far"), ("en", 2, "remote"), ("en", 3, "remote"),
]  # fmt: skip
SETS = {
    "full": FULL,
    "quick": [("id", 3, "far"), ("id", 5, "far")],
    # One three-speaker hearing of each room and language: the recognition speed parts (fw, asr, batched).
    "speed": [("id", 3, "far"), ("id", 3, "close"), ("id", 3, "remote"), ("en", 3, "far"), ("en", 3, "remote")],
}
PARTS = ("stt", "pyannote", "fw", "asr", "batched", "detect", "candidates", "live")
COLLAR = 0.25
IDENTITY = ((0.0, 0.0), (1.0, 1.0))


@dataclass
class FileResult:
    name: str
    language: str
    speakers: int
    condition: str
    duration: float
    overlap: float
    reference: str
    scores: dict[str, Any] = field(default_factory=dict)


def wer(language: str, references: list[str], hypotheses: list[str]) -> float:
    if language == "id":
        return indonesian_error_rates(references, hypotheses)[0]
    return corpus_wer(references, hypotheses)


def reference_annotation(conversation: Conversation):
    from pyannote.core import Annotation, Segment

    annotation = Annotation()
    for i, t in enumerate(conversation.turns):
        for j, (start, end) in enumerate(t.speech):
            annotation[Segment(start, end), (i, j)] = ROLES[t.speaker]
    return annotation


def hypothesis_annotation(turns: list[tuple[float, float, str]]):
    from pyannote.core import Annotation, Segment

    annotation = Annotation()
    for i, (start, end, speaker) in enumerate(turns):
        annotation[Segment(start, end), i] = speaker
    return annotation


def diarization_scores(conversation: Conversation, turns: list[tuple[float, float, str]]) -> dict[str, Any]:
    from pyannote.metrics.diarization import DiarizationErrorRate

    reference, hypothesis = reference_annotation(conversation), hypothesis_annotation(turns)
    metric = DiarizationErrorRate(collar=COLLAR)
    details = metric(reference, hypothesis, detailed=True)
    mapping = metric.optimal_mapping(reference, hypothesis)
    return {
        "der": details["diarization error rate"],
        "der_parts": {k: details[k] for k in ("missed detection", "false alarm", "confusion", "total")},
        "found": len(hypothesis.labels()),
        "mapping": {str(k): str(v) for k, v in mapping.items()},
    }


def attribution(conversation: Conversation, transcript: dict, mapping: dict[str, str]) -> dict[str, Any]:
    """Words given to a speaker who was talking, and each segment's confidence against whether it was right."""
    right = total = 0
    segments = []
    for segment in transcript["segments"]:
        if not segment.get("speaker"):
            continue
        said = mapping.get(segment["speaker"])
        words = segment.get("words") or []
        good = sum(1 for w in words if said in {ROLES[s] for s in conversation.who(w["start"], w["end"])})
        right, total = right + good, total + len(words)
        if words:
            segments.append(
                {"start": segment["start"], "end": segment["end"], "words": len(words),
                 "right": good / len(words), "confidence": segment.get("speaker_confidence")}
            )  # fmt: skip
    return {"words": total, "words_right": right, "segments": segments}


def run_stt(transcriber, path: Path, conversation: Conversation, result: FileResult, folder: Path) -> None:
    from stt_cli.review.spans import review_spans
    from stt_cli.writers.json import transcript_dict

    calibration = _calibration()
    shipped = calibration.KNOTS if calibration else None
    if calibration:  # the raw evidence is kept, and mapped here, so that a map can be fitted to it
        calibration.KNOTS = IDENTITY
    try:
        started = time.perf_counter()
        transcript = transcriber.transcribe(path)
        seconds = time.perf_counter() - started
    finally:
        if calibration:
            calibration.KNOTS = shipped
    data = transcript_dict(transcript)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{result.name}.stt.json").write_text(json.dumps(data, ensure_ascii=False))
    turns = [(t.start, t.end, t.speaker) for t in transcript.turns]
    diarized = diarization_scores(conversation, turns)
    spans = review_spans(transcript)
    flagged = [r.detail for r in spans if r.kind == "speaker_phantom"]
    phantoms = {s.id for s in transcript.speakers if any(d.startswith(f"{s.name} ") for d in flagged)}
    result.scores["stt"] = {
        "wer": wer(result.language, [result.reference], [transcript.text]),
        "seconds": seconds,
        **diarized,
        "found_named": len(transcript.speakers),
        "found_after_review": len(transcript.speakers) - len(phantoms),
        "phantoms": sorted(phantoms),
        "attribution": attribution(conversation, data, diarized["mapping"]),
    }


def run_pyannote(pipeline, conversation: Conversation, result: FileResult) -> None:
    import torch

    started = time.perf_counter()
    output = pipeline({"waveform": torch.from_numpy(conversation.samples)[None], "sample_rate": 16_000})
    seconds = time.perf_counter() - started
    turns = [
        (s.start, s.end, str(label)) for s, _, label in output.speaker_diarization.itertracks(yield_label=True)
    ]
    scores = diarization_scores(conversation, turns)
    scores.pop("mapping")
    result.scores["pyannote"] = {**scores, "seconds": seconds, "turns": turns}


def run_fw(whisper, path: Path, result: FileResult) -> None:
    started = time.perf_counter()
    segments, _ = whisper.transcribe(str(path), beam_size=5, vad_filter=True, language=result.language)
    text = " ".join(s.text.strip() for s in segments)
    result.scores["fw"] = {"wer": wer(result.language, [result.reference], [text]),
                           "seconds": time.perf_counter() - started}  # fmt: skip


def run_asr(transcriber, path: Path, result: FileResult, part: str) -> None:
    """Speech recognition alone (no speakers), timed: stt's default or its batched mode against faster-whisper's
    one pass on the same file."""
    started = time.perf_counter()
    transcript = transcriber.transcribe(path)
    result.scores[part] = {"wer": wer(result.language, [result.reference], [transcript.text]),
                           "seconds": time.perf_counter() - started}  # fmt: skip


def run_candidates(transcriber, path: Path, result: FileResult, part: str) -> None:
    """``-l id,en``: the recording's language detected among the two (``detect``), or, with
    ``--segment-language``, each segment's too (``candidates``)."""
    transcript = transcriber.transcribe(path)
    spoken = sum(s.end - s.start for s in transcript.segments) or 1.0
    usual = sum(
        s.end - s.start for s in transcript.segments if (s.language or transcript.language) == result.language
    )
    result.scores[part] = {
        "wer": wer(result.language, [result.reference], [transcript.text]),
        "language": transcript.language,
        "right_language_share": usual / spoken,
    }


def run_live(path: Path, result: FileResult, folder: Path, pace: float) -> None:
    out = folder / f"{result.name}.live"
    command = [sys.executable, "-m", "stt_cli", "live", str(path), "--pace", str(pace), "-l", result.language,
               "-f", "json", "-o", str(out), "--name", result.name]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"stt live failed on {path}: {done.stderr[-2000:]}")
    text = json.loads((out / f"{result.name}.json").read_text(encoding="utf-8"))["text"]
    result.scores["live"] = {"wer": wer(result.language, [result.reference], [text]),
                             "seconds": time.perf_counter() - started}  # fmt: skip


def ece(confidences: np.ndarray, right: np.ndarray, weights: np.ndarray) -> float:
    bins = np.minimum((confidences * 10).astype(int), 9)
    gap = 0.0
    for k in range(10):
        inside = bins == k
        if inside.any():
            w = weights[inside]
            gap += abs(np.average(right[inside], weights=w) - np.average(confidences[inside], weights=w)) * w.sum()
    return float(gap / weights.sum())


def _calibration() -> Any:
    """stt's speaker calibration module; ``None`` in a build from before it (whose confidence is its own)."""
    try:
        from stt_cli.diarization import calibration
    except ImportError:
        return None
    return calibration


def _segments(results: list[FileResult], parity: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw speaker evidence, share of words right and words, of every scored segment of the even (0) or odd (1)
    files, or of all."""
    rows = [s for i, r in enumerate(results) if "stt" in r.scores and (parity is None or i % 2 == parity)
            for s in r.scores["stt"]["attribution"]["segments"] if s["confidence"] is not None]  # fmt: skip
    return (np.array([s["confidence"] for s in rows]), np.array([s["right"] for s in rows]),
            np.array([s["words"] for s in rows], dtype=float))  # fmt: skip


def fit(raw: np.ndarray, right: np.ndarray, weights: np.ndarray) -> tuple[tuple[float, float], ...]:
    """A logistic map on the margin (two parameters: little to overfit), fitted by Newton's method to the
    words (each segment weighted by its words), sampled as knots."""
    x = 2 * raw - 1
    a, b = 1.0, 0.0
    for _ in range(100):
        z = 1 / (1 + np.exp(-(a * x + b)))
        gradient = np.array([np.sum(weights * (right - z) * x), np.sum(weights * (right - z))])
        h = weights * z * (1 - z)
        hessian = -np.array([[np.sum(h * x * x), np.sum(h * x)], [np.sum(h * x), np.sum(h)]])
        step = np.linalg.solve(hessian - 1e-9 * np.eye(2), gradient)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-10:
            break
    grid = np.linspace(0.0, 1.0, 21)
    return tuple((round(float(g), 4), round(float(1 / (1 + np.exp(-(a * (2 * g - 1) + b)))), 4)) for g in grid)


def mapped(raw: np.ndarray, knots: tuple[tuple[float, float], ...]) -> np.ndarray:
    xs, ys = zip(*knots, strict=True)
    return np.interp(raw, xs, ys)


def confidence_report(results: list[FileResult], knots: tuple[tuple[float, float], ...]) -> list[str]:
    """speaker_confidence on the odd files: raw, through the shipped map (``knots``) and through one fitted on the
    even files now; and the wrongly attributed words the review list's speaker_uncertain spans catch."""
    from stt_cli.review.spans import SPEAKER_UNCERTAIN

    raw, right, words = _segments(results, 1)
    if not len(raw):
        return []
    even = _segments(results, 0)
    fitted = fit(*even)
    lines = [f"speaker_confidence on the odd files: {len(raw)} segments, {np.average(right, weights=words):.1%} "
             f"of their words right; expected calibration error: raw {ece(raw, right, words):.3f}, shipped map "
             f"{ece(mapped(raw, knots), right, words):.3f}, map fitted on the even files "
             f"{ece(mapped(raw, fitted), right, words):.3f}"]  # fmt: skip
    # Each half through the map fitted on the other, pooled: every segment held out once, and twice the
    # segments per bin (a 10-bin ECE over 300 segments is itself noisy by a few hundredths).
    crossed = np.concatenate([mapped(raw, fitted), mapped(even[0], fit(raw, right, words))])
    pooled = np.concatenate([right, even[1]]), np.concatenate([words, even[2]])
    lines.append(f"two-fold (each half mapped by the other's fit, pooled, {len(crossed)} segments): expected "
                 f"calibration error {ece(crossed, *pooled):.3f}")  # fmt: skip
    raw, right, words = _segments(results, None)
    wrong = words * (1 - right)
    for name, k in (("shipped", knots), ("fitted", fitted)):
        flagged = mapped(raw, k) < SPEAKER_UNCERTAIN
        share, caught = words[flagged].sum() / words.sum(), wrong[flagged].sum() / max(wrong.sum(), 1)
        lines.append(f"{name} map: speaker_uncertain (< {SPEAKER_UNCERTAIN}) flags {share:.1%} of the words and "
                     f"catches {caught:.1%} of the {wrong.sum():.0f} wrongly attributed")  # fmt: skip
    return lines


def write_calibration(results: list[FileResult]) -> None:
    knots = fit(*_segments(results, 0))
    rows = "\n".join(f"    ({x:.4f}, {y:.4f})," for x, y in knots)
    path = ROOT / "stt_cli" / "diarization" / "calibration.py"
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("FITTED_ON = ")]
    knots_text = f"KNOTS: tuple[tuple[float, float], ...] = (\n{rows}\n)\n\n\n"
    fitted_on = 'FITTED_ON = "bench.hearings, even files"\n'
    path.write_text(f"{head}{fitted_on}{knots_text}{text[text.index('def calibrated') :]}", encoding="utf-8")
    print(f"wrote {path}")


def summary(results: list[FileResult]) -> list[str]:
    lines = [f"{'condition':<10}{'lang':<5}{'files':>6}{'audio s':>9}{'overlap':>8}{'stt WER':>9}{'fw WER':>8}"
             f"{'stt DER':>9}{'pya DER':>9}{'count ok':>9}{'after rev':>10}{'pya ok':>8}{'words ok':>9}"
             f"{'id,en WER':>10}{'+seg WER':>9}{'lang ok':>8}"]  # fmt: skip
    groups: dict[tuple[str, str], list[FileResult]] = {}
    for r in results:
        groups.setdefault((r.condition, r.language), []).append(r)
    for (condition, language), rows in sorted(groups.items()):
        lines.append(_row(condition, language, rows))
    return lines


def _row(condition: str, language: str, rows: list[FileResult]) -> str:
    def texts(part: str) -> str:
        if not all(part in r.scores for r in rows):
            return f"{'-':>9}"
        # corpus WER over the files: the per-file WERs weighted by reference words
        words = np.array([len(r.reference.split()) for r in rows], dtype=float)
        return f"{np.average([r.scores[part]['wer'] for r in rows], weights=words):>9.1%}"

    def der(part: str) -> str:
        if not all(part in r.scores for r in rows):
            return f"{'-':>9}"
        total = sum(r.scores[part]["der_parts"]["total"] for r in rows)
        errors = sum(sum(r.scores[part]["der_parts"][k] for k in ("missed detection", "false alarm", "confusion"))
                     for r in rows)  # fmt: skip
        return f"{errors / total:>9.1%}"

    def share(part: str, key: str = "found") -> str:
        if not all(part in r.scores for r in rows):
            return f"{'-':>9}"
        return f"{np.mean([r.scores[part][key] == r.speakers for r in rows]):>9.0%}"

    attributed = "-"
    if all("stt" in r.scores for r in rows):
        a = [r.scores["stt"]["attribution"] for r in rows]
        attributed = f"{sum(x['words_right'] for x in a) / max(1, sum(x['words'] for x in a)):.1%}"
    language_ok = "-"
    if all("candidates" in r.scores for r in rows):
        language_ok = f"{np.mean([r.scores['candidates']['right_language_share'] for r in rows]):.0%}"
    overlap = np.mean([r.overlap for r in rows])
    return (
        f"{condition:<10}{language:<5}{len(rows):>6}{sum(r.duration for r in rows):>9.0f}{overlap:>8.1%}"
        f"{texts('stt')}{texts('fw')[1:]}{der('stt')}{der('pyannote')}{share('stt')}"
        f"{share('stt', 'found_after_review')[-10:]:>10}{share('pyannote')[1:]}{attributed:>9}"
        f"{texts('detect'):>10}{texts('candidates')}{language_ok:>8}"
    )


def speed(results: list[FileResult]) -> list[str]:
    """Recognition alone per condition: WER and seconds of stt's default, its batched mode and faster-whisper."""
    lines = [f"{'condition':<10}{'lang':<5}{'audio s':>9}{'stt WER':>9}{'s':>7}{'batched WER':>12}{'s':>7}"
             f"{'fw WER':>8}{'s':>7}{'stt/fw':>8}{'batched/fw':>11}"]  # fmt: skip
    groups: dict[tuple[str, str], list[FileResult]] = {}
    for r in results:
        if all(part in r.scores for part in ("asr", "batched", "fw")):
            groups.setdefault((r.condition, r.language), []).append(r)
    for (condition, language), rows in sorted(groups.items()):
        words = np.array([len(r.reference.split()) for r in rows], dtype=float)

        def of(part: str, rows: list[FileResult] = rows, words: np.ndarray = words) -> tuple[float, float]:
            return (float(np.average([r.scores[part]["wer"] for r in rows], weights=words)),
                    sum(r.scores[part]["seconds"] for r in rows))  # fmt: skip

        (aw, a), (bw, b), (fw, f) = of("asr"), of("batched"), of("fw")
        lines.append(f"{condition:<10}{language:<5}{sum(r.duration for r in rows):>9.0f}{aw:>9.1%}{a:>7.0f}"
                     f"{bw:>12.1%}{b:>7.0f}{fw:>8.1%}{f:>7.0f}{a / f:>8.2f}{b / f:>11.2f}")  # fmt: skip
    return lines


def live(results: list[FileResult]) -> list[str]:
    """Live against file, per recording: the same audio replayed at real time and transcribed whole."""
    lines = [f"{'recording':<16}{'audio s':>9}{'live WER':>10}{'file WER':>10}{'gap (points)':>14}"]
    for r in results:
        if "live" in r.scores and ("asr" in r.scores or "stt" in r.scores):
            file_wer = r.scores.get("asr", r.scores.get("stt"))["wer"]
            gap = 100 * (r.scores["live"]["wer"] - file_wer)
            lines.append(
                f"{r.name:<16}{r.duration:>9.0f}{r.scores['live']['wer']:>10.1%}{file_wer:>10.1%}{gap:>14.1f}"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), default="full")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--seconds", type=float, default=45.0, help="speech per speaker")
    parser.add_argument("--seed", type=int, default=1,
                        help="which builds (1: held out; bench/clustering.py tunes on seed 0)")  # fmt: skip
    parser.add_argument("--label", default="latest", help="results kept as bench/out/hearings/LABEL.json")
    parser.add_argument("--write", action="store_true", help="fit the speaker calibration map and write it")
    parser.add_argument("--live-pace", type=float, default=1.0, help="stt live --pace (1: real time)")
    parser.add_argument("--merge", help="take the parts not run now from bench/out/hearings/MERGE.json")
    parser.add_argument("--rescore", action="store_true",
                        help="score LABEL's kept turns again against the references, running nothing")  # fmt: skip
    args = parser.parse_args()
    parts = args.parts.split(",")
    OUT.mkdir(parents=True, exist_ok=True)
    if args.rescore:
        return report(rescore(args.label, args.seconds, args.seed), args)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        built = []
        for language, speakers, condition in SETS[args.set]:
            conversation = build(language, speakers, condition, seconds=args.seconds, seed=args.seed)
            name = f"{language}-{speakers}-{condition}"
            path = write(conversation, folder / f"{name}.wav")
            (OUT / f"{name}.rttm").write_text(conversation.rttm(name))
            result = FileResult(
                name, language, speakers, condition, conversation.duration, conversation.overlap(),
                conversation.reference,
            )  # fmt: skip
            built.append((conversation, path, result))
        for part in parts:
            _run_part(part, built, folder, args.live_pace, args.label)
            print(f"[{part} done]", file=sys.stderr, flush=True)
        results = [r for _, _, r in built]
    if args.merge:
        earlier = {r["name"]: r["scores"] for r in json.loads((OUT / f"{args.merge}.json").read_text())}
        for r in results:
            r.scores = {**{k: v for k, v in earlier.get(r.name, {}).items() if k not in parts}, **r.scores}
    (OUT / f"{args.label}.json").write_text(json.dumps([asdict(r) for r in results], ensure_ascii=False, indent=1))
    report(results, args)


def rescore(label: str, seconds: float, seed: int) -> list[FileResult]:
    """The results kept under ``label``, their diarization scored again (stt's from its kept transcripts,
    pyannote's from its kept turns) against the references as built now."""
    results = [FileResult(**r) for r in json.loads((OUT / f"{label}.json").read_text(encoding="utf-8"))]
    for r in results:
        conversation = build(r.language, r.speakers, r.condition, seconds=seconds, seed=seed)
        if "stt" in r.scores:
            data = json.loads((OUT / label / f"{r.name}.stt.json").read_text(encoding="utf-8"))
            turns = [(t["start"], t["end"], t["speaker"]) for t in data["turns"]]
            diarized = diarization_scores(conversation, turns)
            r.scores["stt"].update(diarized, attribution=attribution(conversation, data, diarized["mapping"]))
        if "pyannote" in r.scores:
            turns = [tuple(t) for t in r.scores["pyannote"]["turns"]]
            r.scores["pyannote"].update({k: v for k, v in diarization_scores(conversation, turns).items()
                                         if k != "mapping"})  # fmt: skip
    return results


def report(results: list[FileResult], args: argparse.Namespace) -> None:
    for r in results:
        print(_file_line(r))
    print()
    print("\n".join(summary(results)))
    print()
    print("\n".join(speed(results)))
    print()
    print("\n".join(live(results)))
    print()
    calibration = _calibration()
    print("\n".join(confidence_report(results, calibration.KNOTS if calibration else IDENTITY)))
    if args.write:
        write_calibration(results)


def _file_line(r: FileResult) -> str:
    s = r.scores.get("stt", {})
    p = r.scores.get("pyannote", {})
    return (f"{r.name:<16}{r.duration:>7.0f} s  overlap {r.overlap:.1%}  stt WER {s.get('wer', float('nan')):.1%} "
            f"DER {s.get('der', float('nan')):.1%} found {s.get('found', '-')}/{r.speakers} "
            f"(after review {s.get('found_after_review', '-')})  pyannote DER {p.get('der', float('nan')):.1%} "
            f"found {p.get('found', '-')}")  # fmt: skip


def _run_part(part: str, built: list, folder: Path, pace: float, label: str) -> None:
    from stt_cli.options import AsrOptions, DiarizationOptions
    from stt_cli.pipeline import Prepared

    by_language: dict[str, Any] = {}
    if part == "stt":
        for conversation, path, result in built:
            if result.language not in by_language:
                by_language[result.language] = Prepared.of(
                    AsrOptions(language=result.language), DiarizationOptions()
                ).load()
            run_stt(by_language[result.language], path, conversation, result, OUT / label)
    elif part == "pyannote":
        from bench.diarize import first_build

        pipeline = first_build()
        for conversation, _, result in built:
            run_pyannote(pipeline, conversation, result)
    elif part == "fw":
        from faster_whisper import WhisperModel

        from stt_cli import models

        whisper = WhisperModel(str(models.resolve("base").path), device="cpu", compute_type="int8", cpu_threads=2)
        for _, path, result in built:
            run_fw(whisper, path, result)
    elif part in ("asr", "batched"):
        for language in sorted({r.language for _, _, r in built}):
            size = 8 if part == "batched" else 1
            transcriber = Prepared.of(AsrOptions(language=language, batch_size=size)).load()
            for _, path, result in built:
                if result.language == language:
                    run_asr(transcriber, path, result, part)
    elif part in ("detect", "candidates"):
        transcriber = Prepared.of(AsrOptions(language="id,en", segment_language=part == "candidates")).load()
        for _, path, result in built:
            run_candidates(transcriber, path, result, part)
    elif part == "live":
        # At real time (--pace 1) words are committed as two decodes of a growing buffer agree, as in a
        # courtroom; faster, a backlog is decoded utterance by utterance, which is not what a listener gets.
        for _, path, result in built:
            if result.condition != "close" and result.speakers <= 3:
                run_live(path, result, folder, pace)
    else:
        raise SystemExit(f"unknown part {part!r}: choose from {', '.join(PARTS)}")


if __name__ == "__main__":
    main()
