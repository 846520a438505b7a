"""Indonesian, measured: WER, CER and language identification on Common Voice Indonesian, for language
detection, ``--language id``, ``--language id,en``, each decoding setting tried, and a case vocabulary, with
faster-whisper's own defaults as the baseline row, in one run on one loaded model.

    python -m bench.indonesian [--model base] [--english] [--rows a,b,...]
    python -m bench.indonesian --mixed

``--mixed`` measures a hearing where two languages alternate instead: the seven Indonesian clips longer than
4.5 s and seven LibriSpeech clips, in turn, 1.5 s of silence apart, in one file, transcribed in each mode of
``MIXED_MODES``; it prints English WER, Indonesian WER and CER, the English clips left with no words, and (with
``--segment-language``) the share of segment time labelled with the language really spoken.

Data: ``../shared/data/id_commonvoice`` (63 clips, 26 speakers, 259 s; else the copy in tests/data).
Scoring: both sides lower-cased, numbers said as words (Whisper writes "10", the references "sepuluh"),
hyphens as spaces, punctuation dropped (``tests.support.scoring.normalise_indonesian``); corpus WER and CER
with jiwer. ``--english`` runs the same settings on the native English sets (43 clips), to check that a
default chosen for Indonesian costs English nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
ENGLISH_SETS = ("en_jfk", "en_librispeech", "en_ljspeech", "en_mfa_spontaneous")
# The names and rarer words of the references (what a court's list of parties and places is to a hearing),
# and court terms that the clips never say: those may only ever be wrong corrections.
VOCABULARY = (
    "Tom", "Mary", "Jack", "Tanaka", "Estonia", "Tuhan", "gramatik", "matematika", "menganalisis", "sistematis",
    "perpustakaan", "pengemis", "aktris", "wawancara", "supermarket",
    "Pasal 340 KUHP", "Jaksa Penuntut Umum", "terdakwa", "Majelis Hakim", "Pengadilan Negeri Jakarta Selatan",
    "Yang Mulia", "saksi", "penasihat hukum", "berita acara",
)  # fmt: skip


@dataclass(frozen=True)
class Row:
    name: str
    options: dict[str, Any]
    patch: Callable[[], contextlib.AbstractContextManager[None]] = contextlib.nullcontext


@contextlib.contextmanager
def _patched(target: Any, **values: Any) -> Iterator[None]:
    old = {k: getattr(target, k) for k in values}
    for k, v in values.items():
        setattr(target, k, v)
    try:
        yield
    finally:
        for k, v in old.items():
            setattr(target, k, v)


def _no_fallback() -> contextlib.AbstractContextManager[None]:
    import stt_cli.asr as asr

    return _patched(asr, FIRST=dataclasses.replace(asr.FIRST, temperatures=(0.0,)))


def _vad(on: float, off: float) -> Callable[[], contextlib.AbstractContextManager[None]]:
    def patch() -> contextlib.AbstractContextManager[None]:
        import stt_cli.asr.vad as vad

        return _patched(vad, SPEECH_ON=on, SPEECH_OFF=off)

    return patch


ROWS = {
    "detected": Row("stt, language detected (the default)", {}),
    "id": Row("stt, --language id", {"language": "id"}),
    "id+en": Row("stt, --language id,en", {"language": "id,en"}),
    "id+ms+en": Row("stt, --language id,ms,en", {"language": "id,ms,en"}),
    "beam1": Row("--language id, beam 1", {"language": "id", "beam_size": 1}),
    "beam8": Row("--language id, beam 8", {"language": "id", "beam_size": 8}),
    "nofallback": Row("--language id, no temperature fallback", {"language": "id"}, _no_fallback),
    "prompt": Row("--language id, Indonesian prompt", {"language": "id", "initial_prompt": "Baik, kita mulai."}),
    "vadlow": Row("--language id, VAD 0.35/0.2 (more sensitive)", {"language": "id"}, _vad(0.35, 0.2)),
    "vadhigh": Row("--language id, VAD 0.6/0.45 (stricter)", {"language": "id"}, _vad(0.6, 0.45)),
    "novad": Row("--language id, no VAD", {"language": "id", "vad": False}),
    "vocabulary": Row("--language id, vocabulary", {"language": "id", "vocabulary": VOCABULARY}),
    "vocabularybias": Row(
        "--language id, vocabulary with --vocabulary-bias",
        {"language": "id", "vocabulary": VOCABULARY, "vocabulary_bias": True},
    ),
}
MIXED_MODES: dict[str, dict[str, Any]] = {
    "detected": {},
    "--language id": {"language": "id"},
    "--language id,en": {"language": "id,en"},
    "--language id,en --segment-language": {"language": "id,en", "segment_language": True},
}


def clips(folder_name: str) -> list[tuple[Path, str, str]]:
    """(path, reference, language) of every clip of a shared set."""
    folder = SHARED / folder_name
    if not folder.is_dir():
        folder = ROOT / "tests" / "data" / folder_name
    items = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["items"]
    return [(folder / i["file"], i["reference_text"], i["language"]) for i in items if i.get("reference_text")]


def run_stt(transcriber: Any, row: Row, data: list[tuple[Path, str, str]]) -> tuple[list[dict[str, Any]], float]:
    from stt_cli.options import AsrOptions
    from stt_cli.writers.json import transcript_dict

    options = AsrOptions(**{**dataclasses.asdict(transcriber.options), **row.options})
    runner = dataclasses.replace(transcriber, prepared=dataclasses.replace(transcriber.prepared, options=options))
    results = []
    started = time.perf_counter()
    with row.patch():
        for path, _, _ in data:
            transcript = transcript_dict(runner.transcribe(path))
            results.append(transcript)
    return results, time.perf_counter() - started


def run_faster_whisper(whisper: Any, data: list[tuple[Path, str, str]]) -> tuple[list[dict[str, Any]], float]:
    """faster-whisper's ``transcribe`` with every default (beam 5, detection, fallback, no VAD)."""
    results = []
    started = time.perf_counter()
    for path, _, _ in data:
        segments, info = whisper.transcribe(str(path))
        text = " ".join(s.text.strip() for s in segments)
        results.append({"text": text, "language": info.language, "corrections": []})
    return results, time.perf_counter() - started


def score(results: list[dict[str, Any]], data: list[tuple[Path, str, str]], english: bool) -> tuple[float, float]:
    from tests.support.scoring import corpus_wer, indonesian_error_rates

    references = [ref for _, ref, _ in data]
    hypotheses = [r["text"] for r in results]
    if english:
        import jiwer

        from tests.support.scoring import normalise

        return corpus_wer(references, hypotheses), jiwer.cer(
            [normalise(r) for r in references], [normalise(h) or "<empty>" for h in hypotheses]
        )
    return indonesian_error_rates(references, hypotheses)


def vocabulary_effect(before: list[dict[str, Any]], after: list[dict[str, Any]], data: list[Any]) -> str:
    """Per clip, word errors the vocabulary removed and added; and each correction judged by the reference."""
    import jiwer

    from tests.support.scoring import normalise_indonesian

    fixed = broken = 0
    for b, a, (_, ref, _) in zip(before, after, data, strict=True):
        r = normalise_indonesian(ref)
        errors = [jiwer.process_words(r, normalise_indonesian(x["text"]) or "<empty>") for x in (b, a)]
        count = [o.substitutions + o.deletions + o.insertions for o in errors]
        fixed += max(0, count[0] - count[1])
        broken += max(0, count[1] - count[0])
    made = [
        (c, ref)
        for x, (_, ref, _) in zip(after, data, strict=True)
        for c in x["corrections"]
        if c.get("applied", True)
    ]
    right = sum(normalise_indonesian(c["written"]) in normalise_indonesian(ref) for c, ref in made)
    lines = [f"word errors removed {fixed}, added {broken}; corrections made {len(made)}, right {right}:"]
    lines += [f"  {c['heard']!r} -> {c['written']!r}" for c, _ in made]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--english", action="store_true", help="also run the rows on the English sets")
    parser.add_argument("--rows", default=",".join(ROWS), help="which rows, comma-separated")
    parser.add_argument("--mixed", action="store_true", help="only the mixed Indonesian and English hearing")
    args = parser.parse_args()
    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber

    transcriber = Transcriber.load(AsrOptions(model=args.model), offline=True)
    if args.mixed:
        mixed(transcriber)
        return
    sets = [("Indonesian (id_commonvoice)", clips("id_commonvoice"), False)]
    if args.english:
        sets.append(("English (native sets)", [c for s in ENGLISH_SETS for c in clips(s)], True))
    for title, data, english in sets:
        print(f"\n## {title}: {len(data)} clips, model {args.model}\n")
        print("| setting | WER | CER | detected as the clip's language | seconds | × baseline time |")
        print("|---|---|---|---|---|---|")
        outputs = {}
        run_faster_whisper(transcriber.whisper, data[:1])  # warm up: the first decode pays for allocation
        baseline, base_seconds = run_faster_whisper(transcriber.whisper, data)
        _print_row("faster-whisper defaults (baseline)", baseline, base_seconds, base_seconds, data, english)
        for key in args.rows.split(","):
            outputs[key], seconds = run_stt(transcriber, ROWS[key], data)
            _print_row(ROWS[key].name, outputs[key], seconds, base_seconds, data, english)
        if "vocabulary" in outputs and "id" in outputs and not english:
            print(
                "\nvocabulary against --language id alone: "
                + vocabulary_effect(outputs["id"], outputs["vocabulary"], data)
            )
        sys.stdout.flush()


def mixed(transcriber: Any) -> None:
    import numpy as np

    from stt_cli.media.decode import load_audio
    from tests.support.media import encode_like

    indonesian = [c for c in clips("id_commonvoice") if load_audio(c[0]).samples.size > 4.5 * 16_000][:7]
    english = clips("en_librispeech")[:7]
    pieces, truth, start = [], [], 0.0
    for pair in zip(indonesian, english, strict=True):
        for path, reference, language in pair:
            samples = load_audio(path).samples
            truth.append((start, start + samples.size / 16_000, language, reference))
            pieces += [samples, np.zeros(24_000, np.float32)]
            start += samples.size / 16_000 + 1.5
    print(f"\n## Mixed: {len(truth)} clips, Indonesian and English in turn, {start:.0f} s\n")
    print("| mode | English WER | English clips without words | Indonesian WER | CER | language right | seconds |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mixed.flac"
        encode_like(np.concatenate(pieces), path, codec="flac", rate=16_000, layout="mono")
        for mode, options in MIXED_MODES.items():
            (results,), seconds = run_stt(transcriber, Row(mode, options), [(path, "", "")])
            print(f"| {mode} | {_mixed_scores(results, truth)} | {seconds:.1f} |")
            sys.stdout.flush()


def _mixed_scores(results: dict[str, Any], truth: list[tuple[float, float, str, str]]) -> str:
    """The mixed table's middle columns: each segment is scored against the clip its middle falls in."""
    from tests.support.scoring import corpus_wer, indonesian_error_rates

    heard: list[list[str]] = [[] for _ in truth]
    right = labelled = 0.0
    for segment in results["segments"]:
        middle = (segment["start"] + segment["end"]) / 2
        k = min(range(len(truth)), key=lambda k: _distance(truth[k][:2], middle))
        heard[k].append(segment["text"])
        if segment.get("language"):
            labelled += segment["end"] - segment["start"]
            right += (segment["end"] - segment["start"]) * (segment["language"] == truth[k][2])
    said = [(t[2], t[3], " ".join(h)) for t, h in zip(truth, heard, strict=True)]
    en_wer = corpus_wer([r for lang, r, _ in said if lang == "en"], [h for lang, _, h in said if lang == "en"])
    id_wer, id_cer = indonesian_error_rates(
        [r for lang, r, _ in said if lang == "id"], [h for lang, _, h in said if lang == "id"]
    )
    empty = sum(not h.strip() for lang, _, h in said if lang == "en")
    share = f"{right / labelled:.0%}" if labelled else "-"
    return f"{en_wer:.1%} | {empty}/7 | {id_wer:.1%} | {id_cer:.1%} | {share}"


def _distance(span: tuple[float, float], time: float) -> float:
    return 0.0 if span[0] <= time <= span[1] else min(abs(time - span[0]), abs(time - span[1]))


def _print_row(
    name: str, results: list[dict[str, Any]], seconds: float, base: float, data: list[Any], english: bool
) -> None:
    wer, cer = score(results, data, english)
    right = sum(r["language"] == lang for r, (_, _, lang) in zip(results, data, strict=True))
    print(f"| {name} | {wer:.1%} | {cer:.1%} | {right}/{len(data)} | {seconds:.1f} | {seconds / base:.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory():
        main()
