"""One speaker per microphone channel, measured: recognise the mix and put speakers on words by the channels'
levels (what `--channel-speakers` does), or recognise each channel alone where it is active.

    python -m bench.channels [--files 3] [--model base]

Recordings are built from real clips of ``id_commonvoice`` (``../shared/data``, else ``tests/data``) by
tests/support/rooms.py: 2 and 4 microphones, one speaker each, three clips per speaker in turn, every third
turn starting 1.5 s before the previous one ends (two voices at once), each voice bleeding into the other
microphones at -10, -15 or -20 dB (3 ms late), gains within ±3 dB, a -62 dBFS noise floor per microphone.

Per setting it prints the WER of all the words in time order against the clips' references (Indonesian
normalisation) and the share of words given to a speaker who was talking at the word's middle, for:

- ``mix``: the named channels mixed and recognised once, speakers put on words from the levels (stt's way);
- ``active channel``: each channel recognised on its own, silenced where it is not the active one;

and, for ``mix``, the attribution at each bleed margin (stt uses ``MARGIN``), with the CPU seconds of each way.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "id_commonvoice"
BLEEDS = (-10.0, -15.0, -20.0)
MARGINS = (6.0, 8.0, 10.0, 12.0)


def clips_by_speaker() -> dict[str, list[tuple[Path, str]]]:
    base = SHARED if SHARED.is_dir() else ROOT / "tests" / "data" / "id_commonvoice"
    found: dict[str, list[tuple[Path, str]]] = {}
    for item in json.loads((base / "manifest.json").read_text(encoding="utf-8"))["items"]:
        found.setdefault(item["speaker"], []).append((base / item["file"], item["reference_text"]))
    return {k: v for k, v in found.items() if len(v) >= 3}


def conversations(channels: int, count: int, seed: int) -> list[list[tuple[int, Path, str]]]:
    """``count`` conversations of ``channels`` speakers, three clips each, in turn."""
    speakers = clips_by_speaker()
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        chosen = rng.sample(sorted(speakers), channels)
        picks = {s: rng.sample(speakers[s], 3) for s in chosen}
        out.append([(c, *picks[s][r]) for r in range(3) for c, s in enumerate(chosen)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=3, help="conversations per microphone count")
    parser.add_argument("--model", default="base")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber

    transcriber = Transcriber.load(AsrOptions(model=args.model, language="id"), offline=True)
    rows = []
    for channels in (2, 4):
        for bleed in BLEEDS:
            rows.append(measure(transcriber, channels, bleed, conversations(channels, args.files, args.seed)))
    print(f"\n{'mics':>4} {'bleed dB':>8} {'way':<15}{'WER':>7}{'words right':>13}{'CPU s':>8}")
    for row in rows:
        for way in ("mix", "active channel"):
            wer, right, seconds = row[way]
            print(f"{row['channels']:>4} {row['bleed']:>8g} {way:<15}{wer:>7.1%}{right:>13.1%}{seconds:>8.1f}")
    print(
        "\nmix, words right by margin (dB below the loudest channel that still speaks):\n"
        f"{'mics':>4} {'bleed':>6}",
        end="",
    )
    print("".join(f"{m:>8g}" for m in MARGINS))
    for row in rows:
        print(f"{row['channels']:>4} {row['bleed']:>6g}" + "".join(f"{row['margins'][m]:>8.1%}" for m in MARGINS))
    ratio = sum(r["active channel"][2] for r in rows) / max(sum(r["mix"][2] for r in rows), 1e-9)
    print(f"\nactive channel CPU / mix CPU = {ratio:.2f}")


def measure(transcriber, channels: int, bleed: float, talks: list[list[tuple[int, Path, str]]]) -> dict:
    from stt_cli.diarization import attribute
    from stt_cli.diarization.channels import ChannelActivity, ChannelLevels
    from stt_cli.media.decode import load_audio
    from tests.support.media import write_wav
    from tests.support.rooms import attributed, microphones
    from tests.support.scoring import indonesian_error_rates

    references, hypotheses = {"mix": [], "active channel": []}, {"mix": [], "active channel": []}
    right: dict[str, list[float]] = {"mix": [], "active channel": []}
    seconds = {"mix": 0.0, "active channel": 0.0}
    by_margin: dict[float, list[float]] = {m: [] for m in MARGINS}
    for index, talk in enumerate(talks):
        turns = [(c, load_audio(path).samples) for c, path, _ in talk]
        signal, spoken = microphones(turns, channels, bleed_db=bleed, overlap_every=3, overlap=1.5, seed=index)
        reference = " ".join(text for _, _, text in talk)
        levels = ChannelLevels()
        levels.update(signal)
        names = [f"P{c}" for c in range(channels)]
        with tempfile.TemporaryDirectory() as tmp:
            started = time.process_time()
            mixed = transcriber.transcribe(write_wav(Path(tmp) / "mix.wav", signal.mean(axis=0)))
            seconds["mix"] += time.process_time() - started
            for margin in MARGINS:
                activity = ChannelActivity.from_power(levels.power(), names, margin=margin)
                labelled = attribute(
                    mixed.segments, activity.exclusive(), activity.turns(), channels=activity.names_by_label()
                )
                channel_of = {s.id: names.index(s.name) for s in labelled.speakers}
                words = [
                    (w.start, w.end, channel_of.get(w.speaker or "")) for g in labelled.segments for w in g.words
                ]
                by_margin[margin].append(attributed(words, spoken))
                if margin == 10.0:
                    right["mix"].append(attributed(words, spoken))
            references["mix"].append(reference)
            hypotheses["mix"].append(mixed.text)
            activity = ChannelActivity.from_power(levels.power(), names)
            started = time.process_time()
            words = []
            for c in range(channels):
                mask = np.repeat(activity.active[c], int(0.05 * 16_000))[: signal.shape[1]]
                alone = signal[c, : mask.size] * mask
                heard = transcriber.transcribe(write_wav(Path(tmp) / f"ch{c}.wav", alone))
                words += [(w.start, w.end, c, w.text) for s in heard.segments for w in s.words]
            seconds["active channel"] += time.process_time() - started
            words.sort()
            references["active channel"].append(reference)
            hypotheses["active channel"].append("".join(w[3] for w in words))
            right["active channel"].append(attributed([(a, b, c) for a, b, c, _ in words], spoken))
    result: dict = {
        "channels": channels,
        "bleed": bleed,
        "margins": {m: float(np.mean(v)) for m, v in by_margin.items()},
    }
    for way in ("mix", "active channel"):
        wer, _ = indonesian_error_rates(references[way], hypotheses[way])
        result[way] = (wer, float(np.mean(right[way])), seconds[way])
    print(f"{channels} mics, bleed {bleed:g} dB: done", flush=True)
    return result


if __name__ == "__main__":
    main()
