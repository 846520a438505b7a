"""Speakers by name, measured: the voice library's false accepts and false rejects against the threshold, and
the identification error rate of diarization plus voice matching on conversations built from real clips.

    python -m bench.speakers [--conversations 12] [--seed 5]

Data (``../shared/data``, else ``tests/data``): id_commonvoice (26 Indonesian speakers, Common Voice ids),
en_librispeech (4 readers, from the file names), multi_pyannote (the speakers of its RTTMs, never enrolled).
Every speaker with 3 or more clips is enrolled from 2 of them, with 2 clips from 1; the rest of their clips are
what is identified. Speakers with one clip, and multi_pyannote's, are never enrolled: they must take no name.

1. Clips: every held-out clip (VAD speech, as enrolment uses) is compared with every enrolled voice. Genuine
   pairs (the clip's own speaker) below the threshold are false rejects; impostor pairs at or above it are
   false accepts. The table sweeps the threshold; stt's ``MATCH_THRESHOLD`` is marked.
2. Conversations: each joins held-out clips of 3-5 speakers, enrolled and not, 0.3-1.5 s apart, in turn; the
   bundled diarization finds the speakers, the library names them (one-to-one, ``MATCH_THRESHOLD``), and
   pyannote.metrics' ``IdentificationErrorRate`` scores the names, with every never-enrolled speaker and every
   unnamed one labelled "unknown" (naming an unknown person is an error; leaving them unnamed is not).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def folder(name: str) -> Path:
    return SHARED / name if (SHARED / name).is_dir() else ROOT / "tests" / "data" / name


def speakers_of_clips() -> dict[str, list[Path]]:
    """speaker -> clips, for the Indonesian and LibriSpeech sets."""
    by_speaker: dict[str, list[Path]] = defaultdict(list)
    base = folder("id_commonvoice")
    for item in json.loads((base / "manifest.json").read_text(encoding="utf-8"))["items"]:
        by_speaker[f"id:{item['speaker']}"].append(base / item["file"])
    base = folder("en_librispeech")
    for item in json.loads((base / "manifest.json").read_text(encoding="utf-8"))["items"]:
        by_speaker[f"en:{item['file'].split('-')[0]}"].append(base / item["file"])
    return by_speaker


def pyannote_speakers() -> list[tuple[str, np.ndarray]]:
    """(speaker, their solo speech) from multi_pyannote's RTTMs: never-enrolled voices."""
    from stt_cli.media.decode import load_audio
    from stt_cli.speakers import solo_spans
    from stt_cli.types import SpeakerTurn

    out = []
    base = folder("multi_pyannote")
    for item in json.loads((base / "manifest.json").read_text(encoding="utf-8"))["items"]:
        if not item.get("rttm"):
            continue
        samples = load_audio(base / item["file"]).samples
        turns = []
        for line in (base / item["rttm"]).read_text().splitlines():
            f = line.split()
            turns.append(SpeakerTurn(float(f[3]), float(f[3]) + float(f[4]), f"{item['file']}:{f[7]}"))
        for speaker in sorted({t.speaker for t in turns}):
            spans = solo_spans(turns, speaker)
            out.append((speaker, np.concatenate([samples[int(a * 16000) : int(b * 16000)] for a, b in spans])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=12)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    from stt_cli.media.decode import load_audio
    from stt_cli.speakers import MATCH_THRESHOLD, Enrolment, Voice, VoiceEncoder
    from stt_cli.speakers.voices import speech_spans

    encoder = VoiceEncoder.load()
    audio: dict[Path, np.ndarray] = {}

    def voiceprint(samples: np.ndarray) -> Any:
        return encoder.embed(samples, speech_spans(samples))

    enrolled: list[Voice] = []
    held_out: list[tuple[str, Path]] = []
    never: list[tuple[str, np.ndarray]] = []
    for speaker, clips in sorted(speakers_of_clips().items()):
        for clip in clips:
            audio[clip] = load_audio(clip).samples
        if len(clips) == 1:
            never.append((speaker, audio[clips[0]]))
            continue
        used = clips[:2] if len(clips) >= 3 else clips[:1]
        parts = []
        for clip in used:
            found = voiceprint(audio[clip])
            parts.append(Enrolment(clip.name, "-", found.seconds, found.windows, found.vector))
        enrolled.append(Voice(speaker, tuple(parts), "", ""))
        held_out += [(speaker, clip) for clip in clips if clip not in used]
    never += pyannote_speakers()
    print(f"enrolled {len(enrolled)} speakers, {len(held_out)} held-out clips; {len(never)} never enrolled\n")
    clip_table(enrolled, held_out, never, audio, voiceprint, MATCH_THRESHOLD)
    conversations(enrolled, held_out, never, audio, encoder, args)


def clip_table(
    enrolled: list[Any], held_out: list[Any], never: list[Any], audio: dict, voiceprint: Any, chosen: float
) -> None:
    vectors = np.stack([v.vector for v in enrolled])
    names = [v.name for v in enrolled]
    genuine, impostor, unknown_best = [], [], []
    for speaker, clip in held_out:
        scores = vectors @ voiceprint(audio[clip]).vector
        for name, score in zip(names, scores, strict=True):
            (genuine if name == speaker else impostor).append(float(score))
    for _, samples in never:
        found = voiceprint(samples)
        if found is not None:
            scores = vectors @ found.vector
            impostor.extend(float(s) for s in scores)
            unknown_best.append(float(scores.max()))
    print(f"clip pairs: {len(genuine)} genuine, {len(impostor)} impostor\n")
    print("| threshold | false rejects | false accepts | never-enrolled voices taking a name |")
    print("|---|---|---|---|")
    for t in sorted({*THRESHOLDS, chosen}):
        fr = sum(g < t for g in genuine) / len(genuine)
        fa = sum(i >= t for i in impostor) / len(impostor)
        taken = sum(b >= t for b in unknown_best)
        mark = " (stt)" if t == chosen else ""
        print(f"| {t:.2f}{mark} | {fr:.1%} | {fa:.2%} | {taken}/{len(unknown_best)} |")
    print(f"\ngenuine similarity: min {min(genuine):.3f}, median {np.median(genuine):.3f}")
    print(f"impostor similarity: max {max(impostor):.3f}, 99th percentile {np.percentile(impostor, 99):.3f}\n")
    sys.stdout.flush()


def conversations(
    enrolled: list[Any], held_out: list[Any], never: list[Any], audio: dict, encoder: Any, args: Any
) -> None:
    from pyannote.core import Annotation, Segment
    from pyannote.metrics.identification import IdentificationErrorRate

    from stt_cli import models
    from stt_cli.diarization import Diarizer
    from stt_cli.diarization.assign import attribute
    from stt_cli.speakers import match_voices, name_speakers, solo_spans

    rng = random.Random(args.seed)
    diarizer = Diarizer.load(models.resolve_pipeline(None))
    metric = IdentificationErrorRate()
    named = {v.name for v in enrolled}
    by_speaker: dict[str, list[np.ndarray]] = defaultdict(list)
    for speaker, clip in held_out:
        by_speaker[speaker].append(audio[clip])
    for speaker, samples in never:
        by_speaker[speaker].append(samples[: 16000 * 12])
    pool = sorted(by_speaker)
    wrong_names = 0
    for n in range(args.conversations):
        people = rng.sample(pool, rng.randint(3, 5))
        pieces, reference, t = [], Annotation(), 0.0
        turns = [(p, c) for p in people for c in by_speaker[p][:2]]
        rng.shuffle(turns)
        for person, samples in turns:
            gap = np.zeros(int(rng.uniform(0.3, 1.5) * 16000), np.float32)
            reference[Segment(t, t + samples.size / 16000)] = person if person in named else "unknown"
            pieces += [samples, gap]
            t += (samples.size + gap.size) / 16000
        signal = np.concatenate(pieces)
        found = diarizer.diarize(signal)
        labelled = attribute((), found.exclusive, found.turns)
        prints = {}
        for s in labelled.speakers:
            voice = encoder.embed(signal, solo_spans(labelled.turns, s.id))
            if voice is not None:
                prints[s.id] = voice.vector
        speakers = name_speakers(labelled.speakers, match_voices(prints, enrolled))
        name_of = {s.id: (s.name if s.named_by == "voice" else "unknown") for s in speakers}
        hypothesis = Annotation()
        for turn in labelled.turns:
            hypothesis[Segment(turn.start, turn.end)] = name_of[turn.speaker]
        rate = metric(reference, hypothesis)
        wrong = {s.name for s in speakers if s.named_by == "voice"} - set(people)
        wrong_names += len(wrong)
        print(f"conversation {n + 1}: {len(people)} people ({sum(p in named for p in people)} enrolled), "
              f"{t:.0f} s, IER {rate:.1%}, names given {sorted(name_of.values())}", flush=True)  # fmt: skip
    print(f"\nIER over {args.conversations} conversations: {abs(metric):.1%} "
          f"(confusion {metric.accumulated_['confusion'] / metric.accumulated_['total']:.1%}); "
          f"names given to people not in the conversation: {wrong_names}")  # fmt: skip


if __name__ == "__main__":
    main()
