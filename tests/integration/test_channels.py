"""One speaker per microphone channel, on recordings built from real Common Voice clips (tests/data/id_commonvoice)
with every voice bleeding into the other microphones at -15 dB, and overlapping speech."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from stt_cli.media.decode import load_audio
from tests.support.cli import error_lines, stt
from tests.support.media import write_tracks
from tests.support.rooms import Spoken, attributed, microphones

pytestmark = pytest.mark.integration

CLIPS = Path(__file__).resolve().parent.parent / "data" / "id_commonvoice"
# Four Common Voice speakers (manifest `speaker`), three clips each.
PEOPLE = (
    ("common_voice_id_20961276.flac", "common_voice_id_20961997.flac", "common_voice_id_20962021.flac"),  # 7154a5
    ("common_voice_id_19078281.flac", "common_voice_id_19078433.flac", "common_voice_id_19162517.flac"),  # 84d1fe
    ("common_voice_id_20966798.flac", "common_voice_id_20966838.flac", "common_voice_id_20966870.flac"),  # 6013e4
    ("common_voice_id_19059415.flac", "common_voice_id_19059445.flac", "common_voice_id_19061957.flac"),  # 8eb6a0
)
NAMES = ("Hakim", "Saksi", "Jaksa", "Pembela")


def _recording(path: Path, channels: int, **room: object) -> list[Spoken]:
    order = [(speaker, PEOPLE[speaker][round_]) for round_ in range(3) for speaker in range(channels)]
    turns = [(speaker, load_audio(CLIPS / clip).samples) for speaker, clip in order]
    signal, spoken = microphones(turns, channels, **room)  # type: ignore[arg-type]
    layout = {2: "stereo", 4: "quad"}[channels]
    write_tracks(path, [signal], codec="flac", rate=16_000, layout=layout)
    return spoken


def _words(transcript: dict, names: tuple[str, ...]) -> list[tuple[float, float, int | None]]:
    by_id = {s["id"]: s["name"] for s in transcript["speakers"]}
    return [
        (w["start"], w["end"], names.index(by_id[w["speaker"]]) if w["speaker"] else None)
        for segment in transcript["segments"]
        for w in segment["words"]
    ]


@pytest.mark.parametrize("channels", [2, 4])
def test_each_channel_is_its_speaker(tmp_path, channels):
    path = tmp_path / f"sidang_{channels}ch.flac"
    spoken = _recording(path, channels, overlap_every=3, overlap=2.0)
    names = NAMES[:channels]
    result = stt("transcribe", path, "--channel-speakers", ",".join(names), "-f", "json,txt,rttm", "-q")
    assert result.exit_code == 0, result.output
    transcript = json.loads(path.with_suffix(".json").read_text())
    words = _words(transcript, names)
    assert len(words) > 12 * channels
    assert attributed(words, spoken) >= 0.95
    assert {s["name"] for s in transcript["speakers"]} == set(names)
    assert {s["named_by"] for s in transcript["speakers"]} == {"channel"}
    assert transcript["settings"]["channel_speakers"] == list(names)
    assert transcript["diarization_model"] is None
    # overlapping speech is kept in the turns: two channels speak at once somewhere
    turns = transcript["turns"]
    assert any(a["end"] > b["start"] and a["speaker"] != b["speaker"] for a, b in itertools.pairwise(turns))
    confidences = [s["speaker_confidence"] for s in transcript["segments"]]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    assert np.median(confidences) > 0.9  # bleed at -15 dB: a clear call
    rttm = path.with_suffix(".rttm").read_text().splitlines()
    assert rttm and all(line.startswith("SPEAKER ") for line in rttm)
    # TXT: one paragraph per speaker turn, each led by its speaker, the speaker changing at every paragraph
    paragraphs = path.with_suffix(".txt").read_text().strip().split("\n\n")
    speakers = [p.split(":", 1)[0] for p in paragraphs]
    assert set(speakers) == set(names) and all("\n" not in p for p in paragraphs)
    assert all(a != b for a, b in itertools.pairwise(speakers))


def test_a_skipped_channel_is_neither_heard_nor_named(tmp_path):
    """A third channel carrying a loud hum (a timecode or room feed) left out with `-`."""
    path = tmp_path / "with_hum.flac"
    turns = [(speaker, load_audio(CLIPS / PEOPLE[speaker][i]).samples) for i in range(2) for speaker in range(2)]
    signal, spoken = microphones(turns, 2)
    hum = 0.3 * np.sin(2 * np.pi * 1000 * np.arange(signal.shape[1]) / 16_000).astype(np.float32)
    write_tracks(path, [np.vstack([signal, hum])], codec="flac", rate=16_000, layout="2.1")
    result = stt("transcribe", path, "--channel-speakers", "Hakim,Saksi,-", "-f", "json", "-q")
    assert result.exit_code == 0, result.output
    transcript = json.loads(path.with_suffix(".json").read_text())
    assert {s["name"] for s in transcript["speakers"]} == {"Hakim", "Saksi"}
    assert attributed(_words(transcript, ("Hakim", "Saksi")), spoken) >= 0.95


def test_a_wrong_channel_count_fails_that_file_alone(tmp_path):
    stereo, mono = tmp_path / "stereo.flac", tmp_path / "mono.flac"
    _recording(stereo, 2)
    write_tracks(mono, [load_audio(CLIPS / PEOPLE[0][0]).samples], codec="flac", rate=16_000)
    result = stt("transcribe", mono, stereo, "--channel-speakers", "Hakim,Saksi", "-f", "txt", "-q")
    assert result.exit_code == 1
    [line] = error_lines(result)
    assert "mono.flac" in line and "channel_count" in line and "1 audio channel" in line
    assert not mono.with_suffix(".txt").exists() and stereo.with_suffix(".txt").exists()


def test_channels_and_diarize_are_one_choice(tmp_path):
    result = stt("transcribe", tmp_path, "--channel-speakers", "A,B", "--diarize")
    assert result.exit_code == 2
    assert "choose one" in result.stderr
