"""``stt live`` on real speech with the real tiny.en model: stdin (raw PCM and a container), a file appended
while it is followed, pacing, Ctrl-C and SIGTERM mid-stream, pipes that close, and the microphone path (a
stand-in for PortAudio's device, since these machines have no sound card; the real PortAudio library is run
too, and must say clearly that there is no device).

Each stream is a separate ``stt`` process, as a court clerk would run it, fed by a writer thread at real time
(or a few times faster) so that text is committed while audio still arrives.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tests.support.cli import error_lines, stt
from tests.support.media import load_mono16k
from tests.support.scoring import corpus_wer, load_clips
from tests.unit.test_live import FakePortAudio

pytestmark = [pytest.mark.integration, pytest.mark.system]

ROOT = Path(__file__).resolve().parents[2]

CLIPS = load_clips(Path(__file__).resolve().parent.parent / "data" / "en_librispeech")[:3]
MODEL = ("-m", "tiny.en")


@pytest.fixture(scope="module")
def speech() -> tuple[bytes, str, float]:
    """LibriSpeech readers one after another as 16 kHz 16-bit PCM, their text, and seconds."""
    gap = np.zeros(8000, dtype=np.float32)
    samples = np.concatenate([part for clip in CLIPS for part in (load_mono16k(clip.path), gap)])
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    return pcm, " ".join(clip.reference for clip in CLIPS), samples.shape[0] / 16000


def first(speech: tuple[bytes, str, float], seconds: float) -> tuple[bytes, str]:
    """The first clip's PCM (``seconds`` long) and its reference."""
    return speech[0][: int(seconds * 16000) * 2], CLIPS[0].reference


def wav_header(rate: int = 16000, size: int = 0) -> bytes:
    """A recorder's WAV header before it knows the length (data size 0, as FFmpeg writes it)."""
    fmt = struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return b"RIFF" + struct.pack("<I", 36 + size) + b"WAVE" + b"fmt " + fmt + b"data" + struct.pack("<I", size)


def start_live(*args: object, tmp: Path, stdin: int | None = subprocess.PIPE) -> subprocess.Popen:
    command = [sys.executable, "-m", "stt_cli", "live", *MODEL, "-o", str(tmp), *map(str, args)]
    return subprocess.Popen(command, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def feed(sink, data: bytes, speed: float, *, close: bool = True) -> threading.Thread:
    """Write ``data`` (16 kHz 16-bit mono, or a header then that) to a pipe or file at ``speed`` x real time."""

    def run() -> None:
        started, step = time.monotonic(), 3200  # a tenth of a second
        try:
            for offset in range(0, len(data), step):
                sink.write(data[offset : offset + step])
                sink.flush()
                time.sleep(max(0.0, started + (offset + step) / 32000 / speed - time.monotonic()))
        except (BrokenPipeError, ValueError):
            return
        if close:
            sink.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def outcome(live: subprocess.Popen, timeout: float = 120) -> tuple[bytes, bytes]:
    """Its stdout and stderr once it exits; its stdin stays with the writer thread that feeds it."""
    live.stdin = None
    return live.communicate(timeout=timeout)


def commits(stdout: bytes) -> list[dict]:
    return [json.loads(line) for line in stdout.decode().splitlines() if line.strip()]


def transcript_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def final_words(data: dict) -> list[str]:
    return [w["text"] for s in data["segments"] for w in s["words"]]


def test_raw_pcm_on_stdin_is_committed_as_it_is_heard_and_never_rewritten(speech, tmp_path) -> None:
    pcm, reference = first(speech, CLIPS[0].duration)
    live = start_live("-", "--rate", 16000, "--jsonl", "--name", "hearing", tmp=tmp_path)
    sent = time.time()
    feed(live.stdin, pcm, 1.0)
    stdout, stderr = outcome(live)
    assert live.returncode == 0, stderr.decode()
    lines = commits(stdout)
    data = transcript_of(tmp_path / "hearing.json")
    # Text came while the audio was still arriving, not only at the end.
    assert lines[0]["committed_at"] < sent + CLIPS[0].duration - 2.0
    # What was committed is the transcript, word for word and in order: nothing was taken back.
    assert [w["text"] for line in lines for w in line["words"]] == final_words(data)
    assert all(a["end"] <= b["start"] + 0.5 for a, b in itertools.pairwise(lines))
    assert corpus_wer([reference], [" ".join(final_words(data))]) < 0.35
    assert data["provenance"]["mode"] == "live"
    jsonschema.validate(data, json.loads((ROOT / "stt_cli" / "schema" / "transcript.schema.json").read_text()))
    assert data["input"]["path"] == "-" and data["input"]["sha256"] == hashlib.sha256(pcm).hexdigest()
    assert data["duration"] == pytest.approx(CLIPS[0].duration, abs=0.05)
    assert (tmp_path / "hearing.txt").read_text().startswith("[00:00:00]")


def test_a_container_on_stdin(speech, tmp_path) -> None:
    from tests.support.media import encode_like

    samples = load_mono16k(CLIPS[1].path)
    mp3 = encode_like(samples, tmp_path / "clip.mp3", codec="mp3", rate=44_100, layout="stereo").read_bytes()
    live = start_live("-", "--name", "piped", "-f", "json", tmp=tmp_path)
    stdout, stderr = live.communicate(mp3, timeout=120)
    assert live.returncode == 0, stderr.decode()
    data = transcript_of(tmp_path / "piped.json")
    assert data["input"]["container"] == "mp3" and data["input"]["sha256"] == hashlib.sha256(mp3).hexdigest()
    assert corpus_wer([CLIPS[1].reference], [" ".join(final_words(data))]) < 0.35
    assert stdout.decode().startswith("[00:00:0")  # not a terminal: committed lines only, with timecodes


def test_a_file_still_being_written_is_followed_until_it_stops_growing(speech, tmp_path) -> None:
    pcm, reference = first(speech, CLIPS[0].duration)
    recording = tmp_path / "courtroom-2.wav"
    with recording.open("wb") as sink:
        sink.write(wav_header())
    live = start_live(recording, "--follow", "--idle", 1.5, "-f", "json,srt", tmp=tmp_path, stdin=None)
    with recording.open("ab") as sink:
        feed(sink, pcm, 2.0, close=False).join()
    _, stderr = live.communicate(timeout=120)
    assert live.returncode == 0, stderr.decode()
    data = transcript_of(tmp_path / "courtroom-2.json")
    assert data["duration"] == pytest.approx(CLIPS[0].duration, abs=0.05)  # all of it, not as far as it had got
    assert data["input"]["sha256"] == hashlib.sha256(recording.read_bytes()).hexdigest()
    assert corpus_wer([reference], [" ".join(final_words(data))]) < 0.35
    assert (tmp_path / "courtroom-2.srt").read_text().startswith("1\n")


def test_a_finished_file_is_replayed_at_its_pace_and_passed_again_for_the_archive(tmp_path) -> None:
    started = time.monotonic()
    result = stt("live", CLIPS[2].path, *MODEL, "--pace", 4, "--final-pass", "-o", tmp_path, "-f", "json")
    assert result.exit_code == 0, result.output
    assert time.monotonic() - started >= CLIPS[2].duration / 4
    archive = transcript_of(tmp_path / f"{CLIPS[2].path.stem}.json")
    live = transcript_of(tmp_path / f"{CLIPS[2].path.stem}.live.json")
    assert archive["provenance"]["mode"] == "live-final-pass" and live["provenance"]["mode"] == "live"
    assert archive["input"]["sha256"] == live["input"]["sha256"]
    for data in (archive, live):
        assert corpus_wer([CLIPS[2].reference], [" ".join(final_words(data))]) < 0.35


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_mid_stream_writes_a_transcript_of_everything_heard(speech, tmp_path, signum) -> None:
    pcm, _, seconds = speech
    record = tmp_path / "kept.wav"
    live = start_live("-", "--rate", 16000, "--jsonl", "--name", "stopped", "--record", record, tmp=tmp_path)
    feed(live.stdin, pcm, 1.0)
    time.sleep(9.0)
    live.send_signal(signum)
    stdout, stderr = outcome(live, 60)
    assert live.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr
    data = transcript_of(tmp_path / "stopped.json")
    assert 6.0 < data["duration"] < seconds - 3.0  # stopped part of the way through, not at the end
    import wave

    with wave.open(str(record)) as kept:  # the audio kept is exactly the audio transcribed
        assert kept.getnframes() / 16000 == pytest.approx(data["duration"], abs=0.01)
    assert [w["text"] for line in commits(stdout) for w in line["words"]] == final_words(data)
    assert len(final_words(data)) >= 10


def test_a_pipe_that_closes_on_either_side_ends_cleanly(speech, tmp_path) -> None:
    pcm, _ = first(speech, 6.0)
    live = start_live("-", "--rate", 16000, "--name", "closed", tmp=tmp_path)
    feed(live.stdin, pcm, 2.0)  # the sender stops after 6 s of audio: end of input
    assert live.stdout is not None
    live.stdout.readline()  # a reader that takes one line and goes away
    live.stdout.close()
    live.wait(timeout=60)
    stderr = live.stderr.read() if live.stderr else b""
    assert live.returncode == 0, stderr.decode()
    assert b"Traceback" not in stderr and b"BrokenPipe" not in stderr
    assert transcript_of(tmp_path / "closed.json")["duration"] > 0


def test_bad_live_inputs_get_one_line_and_a_code(tmp_path) -> None:
    live = start_live("-", "--name", "garbage", tmp=tmp_path)
    _, stderr = live.communicate(os.urandom(20000), timeout=60)
    lines = [line for line in stderr.decode().splitlines() if line.startswith("stt: error")]
    assert live.returncode == 3 and len(lines) == 1 and "[corrupt_audio]" in lines[0], stderr.decode()
    assert b"Traceback" not in stderr and not list(tmp_path.glob("garbage*"))
    result = stt("live", tmp_path / "missing.wav", *MODEL)
    assert result.exit_code == 2 and "needs --follow" in result.stderr
    # A recorder's file not created yet is waited for (test_round2); one in a folder that does not exist is not.
    result = stt("live", tmp_path / "no-folder" / "never.wav", "--follow", "--idle", 0.3, *MODEL, "-o", tmp_path)
    assert result.exit_code == 3 and "[not_found]" in error_lines(result)[0]


def test_the_microphone_path_with_a_stand_in_device(monkeypatch, tmp_path) -> None:
    from stt_cli.media.decode import load_audio
    from tests.support.media import encode_like

    at_48k = tmp_path / "48k.wav"
    encode_like(load_mono16k(CLIPS[0].path), at_48k, codec="pcm_s16le", rate=48_000, layout="mono")
    monkeypatch.setitem(sys.modules, "sounddevice", FakePortAudio(_samples_48k(at_48k)))
    assert "USB Court Mic" in stt("live", "--list-devices").stdout
    kept = tmp_path / "mic.wav"
    result = stt("live", *MODEL, "--microphone", "usb", "--name", "mic", "-o", tmp_path, "--record", kept)
    # The stand-in plays one clip and is unplugged: the transcript of what it heard is written, and the loss
    # is reported with its code.
    assert result.exit_code == 1 and "[live_source]" in error_lines(result)[0], result.output
    data = transcript_of(tmp_path / "mic.json")
    assert data["input"]["path"] == "microphone:usb" and data["input"]["sample_rate"] == 48000
    assert corpus_wer([CLIPS[0].reference], [" ".join(final_words(data))]) < 0.35
    assert load_audio(kept).duration == pytest.approx(data["duration"], abs=0.01)


def _samples_48k(path: Path) -> np.ndarray:
    import av

    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)]).astype(np.float32) / 32768


def test_the_real_portaudio_says_there_is_no_microphone(tmp_path) -> None:
    live = start_live(tmp=tmp_path, stdin=subprocess.DEVNULL)
    _, stderr = live.communicate(timeout=60)
    lines = [line for line in stderr.decode().splitlines() if line.startswith("stt: error")]
    assert live.returncode == 3 and len(lines) == 1 and "[live_source]" in lines[0], stderr.decode()
    assert "no input device" in lines[0] or "PortAudio is not installed" in lines[0]


def test_live_channel_speakers_name_each_line_and_the_transcript(tmp_path) -> None:
    from tests.integration.test_channels import CLIPS as VOICES
    from tests.integration.test_channels import PEOPLE, _words
    from tests.support.rooms import attributed, microphones

    turns = [(who, load_mono16k(VOICES / PEOPLE[who][i])) for i in range(2) for who in range(2)]
    signal, spoken = microphones(turns, 2)
    pcm = (signal.T * 32767).astype("<i2").tobytes()
    live = start_live("-", "--rate", 16000, "--channels", 2, "--channel-speakers", "Hakim,Saksi", "-m", "base",
                      "-l", "id", "--jsonl", "--name", "sidang", "--final-pass", "-f", "json",
                      tmp=tmp_path)  # fmt: skip
    feed(live.stdin, pcm, 4.0)  # two channels at twice real time
    stdout, stderr = outcome(live, 300)
    assert live.returncode == 0, stderr.decode()
    lines = commits(stdout)
    assert {w["speaker"] for line in lines for w in line["words"]} == {"Hakim", "Saksi"}
    names = ("Hakim", "Saksi")
    for made in ("sidang.live.json", "sidang.json"):  # live, then again offline from the two-channel recording
        data = transcript_of(tmp_path / made)
        assert {s["name"] for s in data["speakers"]} == set(names) and data["settings"][
            "channel_speakers"
        ] == list(names)
        assert attributed(_words(data, names), spoken) >= 0.95, made
    import wave

    with wave.open(str(tmp_path / "sidang.wav")) as kept:
        assert kept.getnchannels() == 2
