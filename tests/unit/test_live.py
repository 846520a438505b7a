"""Live transcription's pure parts and its edges, with no model: agreement, lines, readers, pacing, the
recording, and the microphone through a stand-in for PortAudio (the machines that run the tests have no sound
card; tests/cli/test_live.py runs the real PortAudio library where it is installed)."""

from __future__ import annotations

import os
import sys
import threading
import time
import types
import wave
from pathlib import Path

import numpy as np
import pytest

from stt_cli.errors import LiveSourceError
from stt_cli.live.agreement import Agreement
from stt_cli.live.lines import LineBuilder
from stt_cli.live.recording import Recorder
from stt_cli.live.sources import PollingReader, paced, pcm_blocks
from stt_cli.types import Word


def words(text: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    return [
        Word(start + i * step, start + (i + 1) * step - 0.05, f" {w}", 0.9) for i, w in enumerate(text.split())
    ]


def said(committed: list[Word]) -> str:
    return "".join(w.text for w in committed).strip()


def test_agreement_commits_only_what_two_hypotheses_share_and_never_takes_it_back() -> None:
    agreement = Agreement()
    committed: list[Word] = []
    for hypothesis in ("the court is", "the court is now in", "the court is now in session", "the court was now"):
        committed += agreement.offer(words(hypothesis))
    assert said(committed) == "the court is now in"
    # A later decode that says the committed words differently changes nothing already committed.
    committed += agreement.flush(words("the court was now in session today"))
    assert said(committed) == "the court is now in session today"


def test_agreement_drops_a_hypothesis_that_repeats_the_last_committed_words() -> None:
    agreement = Agreement()
    agreement.offer(words("please be seated"))
    first = agreement.offer(words("please be seated"))
    # Primed with its own words, Whisper may say them again at the start of the next buffer.
    again = agreement.flush(words("be seated the clerk will read", start=first[-1].end - 0.02))
    assert said(first) == "please be seated"
    assert said(again) == "the clerk will read"


def test_lines_close_at_sentence_ends_pauses_and_gaps() -> None:
    builder = LineBuilder()
    closed = builder.add(words("Mr. Hadi. The witness may step down."), utterance_end=False)
    assert [line.text for line in closed] == ["Mr. Hadi. The witness may step down."]
    closed = builder.add(words("Thank you", start=10.0), utterance_end=False)
    assert closed == [] and said(builder.open) == "Thank you"
    closed = builder.add(words("your honour", start=14.0), utterance_end=True)  # after a 3 s gap
    assert [line.text for line in closed] == ["Thank you", "your honour"]
    # With a speaker per word (channel speakers), a new speaker starts a new line.
    closed = builder.add(
        words("yes no maybe", start=20.0), utterance_end=True, speakers=["Hakim", "Saksi", "Saksi"]
    )
    assert [(line.speaker, line.text) for line in closed] == [("Hakim", "yes"), ("Saksi", "no maybe")]
    segment = closed[1].segment(3)
    assert segment.id == 3 and segment.text == "no maybe" and segment.avg_logprob == pytest.approx(np.log(0.9))


def test_a_pipe_is_read_until_it_closes_and_hashed(tmp_path: Path) -> None:
    read_end, write_end = os.pipe()
    reader = PollingReader(read_end, Path("-"), threading.Event())
    os.write(write_end, b"abc")
    assert reader.read(10) == b"abc"
    threading.Timer(0.2, os.write, (write_end, b"def")).start()
    assert reader.read(10) == b"def"  # waited for the writer
    os.close(write_end)
    assert reader.read(10) == b""
    assert reader.size == 6
    os.close(read_end)


def test_a_followed_file_ends_once_it_stops_growing_or_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "recording.wav"
    path.write_bytes(b"1234")
    stop = threading.Event()
    fd = os.open(path, os.O_RDONLY)
    reader = PollingReader(fd, path, stop, follow=True, idle=0.6)
    assert reader.read(100) == b"1234"

    def grow() -> None:
        with path.open("ab") as f:
            f.write(b"5678")

    threading.Timer(0.3, grow).start()
    assert reader.read(100) == b"5678"
    started = time.monotonic()
    assert reader.read(100) == b""
    assert 0.5 < time.monotonic() - started < 3.0
    stop.set()
    assert reader.read(100) == b""
    os.close(fd)


def test_a_followed_file_cut_short_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "recording.wav"
    path.write_bytes(b"12345678")
    fd = os.open(path, os.O_RDONLY)
    reader = PollingReader(fd, path, threading.Event(), follow=True, idle=5.0)
    reader.read(100)
    path.write_bytes(b"12")
    with pytest.raises(LiveSourceError, match="cut short"):
        reader.read(100)
    os.close(fd)


def test_raw_pcm_at_another_rate_becomes_16k_with_its_channels() -> None:
    rate, seconds = 8000, 2.0
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    stereo = np.stack([tone, tone], axis=1).tobytes()
    read_end, write_end = os.pipe()
    threading.Thread(target=lambda: (os.write(write_end, stereo), os.close(write_end)), daemon=True).start()
    reader = PollingReader(read_end, Path("-"), threading.Event())
    out = np.concatenate(list(pcm_blocks(reader, rate, 2)), axis=1)
    os.close(read_end)
    assert out.shape[0] == 2 and abs(out.shape[1] - 16000 * seconds) < 200  # both channels, for their levels
    assert 0.3 < float(np.abs(out).max()) < 0.6


def test_pacing_holds_blocks_to_real_time() -> None:
    blocks = [np.zeros(1600, dtype=np.float32)] * 10  # 1 s in tenths
    started = time.monotonic()
    assert len(list(paced(iter(blocks), 2.0, threading.Event()))) == 10
    assert time.monotonic() - started >= 0.45  # half a second at twice real time
    stop = threading.Event()
    stop.set()
    assert list(paced(iter(blocks), 1.0, stop)) == []


def test_the_recording_is_a_wav_only_once_finished(tmp_path: Path) -> None:
    target = tmp_path / "hearing.wav"
    recorder = Recorder(target)
    recorder.write(np.zeros(16000, dtype="<i2").tobytes())
    assert not target.exists()
    assert recorder.finish() == target
    with wave.open(str(target)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (16000, 1, 16000)
    other = Recorder(tmp_path / "other.wav")
    other.write(b"\0\0")
    other.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hearing.wav"]
    again = Recorder(target)  # a second session to the same file keeps the first one's audio
    again.write(b"\0\0")
    again.finish()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 2 and names[0].startswith("hearing.edited-") and names[1] == "hearing.wav"


class FakePortAudio(types.ModuleType):
    """A stand-in for ``sounddevice`` with one USB microphone that plays ``signal`` and then is unplugged."""

    class PortAudioError(Exception):
        pass

    def __init__(self, signal: np.ndarray, rate: int = 48000) -> None:
        super().__init__("sounddevice")
        self.signal, self.rate = signal, rate
        self.default = types.SimpleNamespace(device=(1, 0))
        fake = self

        class InputStream:
            def __init__(self, *, device, channels, samplerate, dtype, blocksize, callback):
                assert (device, samplerate, dtype) == (1, fake.rate, "float32")
                self.callback, self.blocksize, self.active = callback, blocksize, False

            def __enter__(self):
                self.active = True
                threading.Thread(target=self._play, daemon=True).start()
                return self

            def __exit__(self, *exc):
                self.active = False

            def _play(self) -> None:
                for first in range(0, fake.signal.shape[0], self.blocksize):
                    self.callback(fake.signal[first : first + self.blocksize, None], self.blocksize, None, None)
                    time.sleep(0.001)
                self.active = False  # unplugged

        self.InputStream = InputStream

    def query_devices(self) -> list[dict]:
        return [
            {"name": "HDMI out", "max_input_channels": 0, "default_samplerate": 48000.0},
            {"name": "USB Court Mic", "max_input_channels": 1, "default_samplerate": float(self.rate)},
        ]


def test_the_microphone_is_chosen_read_and_its_loss_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from stt_cli.live.microphone import input_devices, microphone_blocks, pick_device

    tone = (0.1 * np.sin(np.arange(48000) / 10)).astype(np.float32)
    monkeypatch.setitem(sys.modules, "sounddevice", FakePortAudio(tone))
    assert [d.name for d in input_devices()] == ["USB Court Mic"]
    assert pick_device(None).index == 1 and pick_device("court").index == 1 and pick_device("1").index == 1
    with pytest.raises(LiveSourceError, match="no input device matches 'webcam'"):
        pick_device("webcam")
    got: list[np.ndarray] = []
    with pytest.raises(LiveSourceError, match="stopped delivering audio"):
        for block in microphone_blocks(pick_device(None), threading.Event(), []):
            got.append(block)
    assert abs(sum(b.shape[-1] for b in got) - 16000) < 400  # the whole second, resampled to 16 kHz


def test_a_loop_past_the_end_of_the_audio_is_never_committed() -> None:
    """Measured on the Indonesian bench stream: two greedy decodes of a buffer cut mid-word both ended in
    "saya akan berhati-hati" said again and again at one instant, and agreement committed all of it."""
    from stt_cli.live.online import plausible

    heard = words("sedang berdua denganmu")
    loop = [
        Word(1.6 + i * 0.01, 1.6 + i * 0.01, t, 0.5)
        for i, t in enumerate([" saya", " akan", " berhati", "-hati,"] * 12)
    ]
    agreement = Agreement()
    committed = agreement.offer(plausible(heard + loop)) + agreement.offer(plausible(heard + loop))
    assert said(committed) == "sedang berdua denganmu saya akan berhati-hati,"
    piled = heard + [Word(1.6, 1.6, f" w{i}", 0.5) for i in range(5)]  # words stacked on one instant
    assert plausible(piled) == heard


class _ScriptedVad:
    """Speech where the script says so: one flag per VAD frame, in the order the frames are fed."""

    def __init__(self, script: list[bool]) -> None:
        self.script, self.fed = script, 0

    def feed(self, samples: np.ndarray) -> np.ndarray:
        from stt_cli.asr.vad import FRAME_SAMPLES

        frames = (self.fed + samples.shape[0]) // FRAME_SAMPLES - self.fed // FRAME_SAMPLES
        start = self.fed // FRAME_SAMPLES
        self.fed += samples.shape[0]
        return np.array(self.script[start : start + frames], dtype=bool)

    def finish(self) -> np.ndarray:
        return np.zeros(0, dtype=bool)


class _CountingDecoder:
    """Says one word per second of the buffer, and keeps the beam each decode was asked for."""

    language = "id"

    def __init__(self) -> None:
        self.beams: list[int] = []
        self.primes: list[str] = []  # the earlier text each decode was primed with

    def decode(self, chunk, profile, *, context=""):
        from stt_cli.types import Segment

        self.beams.append(profile.beam(1))  # live's default --beam-size
        self.primes.append(context if profile.use_context else "")
        said = [
            Word(chunk.start + i, chunk.start + i + 0.5, f" w{i}", 0.9)
            for i in range(int(chunk.end - chunk.start))
        ]
        text = "".join(w.text for w in said)
        return [Segment(id=0, start=chunk.start, end=chunk.end, text=text, words=tuple(said))] if said else []


def _utterances(seconds: list[tuple[float, float]]) -> tuple[np.ndarray, list[bool]]:
    """A signal of (speech, pause) seconds, and its VAD script."""
    from stt_cli.asr.vad import FRAME_SAMPLES

    script: list[bool] = []
    for speech, pause in seconds:
        script += [True] * int(speech * 16_000 / FRAME_SAMPLES) + [False] * int(pause * 16_000 / FRAME_SAMPLES)
    return np.full(len(script) * FRAME_SAMPLES, 0.1, dtype=np.float32), script


def test_an_utterance_s_final_decode_takes_the_wide_beam_only_when_the_recogniser_keeps_up() -> None:
    """bench/hearings.py's live part: beam 5 for the last decode of an utterance took two far-field hearings'
    live WER down 4-7 points, but a recogniser already behind would only fall further behind."""
    from stt_cli.live.online import FINAL, LiveRecogniser

    signal, script = _utterances([(3.0, 1.0), (3.0, 1.0)])
    keeping_up = LiveRecogniser(_CountingDecoder(), vad=False)  # type: ignore[arg-type]
    keeping_up.vad = _ScriptedVad(script)  # type: ignore[assignment]
    ends = []
    for first in range(0, signal.shape[0], 1600):  # 0.1 s blocks, every update drained: a fast CPU
        keeping_up.hear(signal[first : first + 1600])
        while (update := keeping_up.next_update()) is not None:
            if update.utterance_end:
                ends.append(keeping_up.decoder.beams[-1])  # type: ignore[attr-defined]
    keeping_up.finish()
    assert ends == [FINAL.least_beam, FINAL.least_beam]
    assert set(keeping_up.decoder.beams[:-1]) - {FINAL.least_beam} == {1}  # type: ignore[attr-defined]

    behind = LiveRecogniser(_CountingDecoder(), vad=False)  # type: ignore[arg-type]
    behind.vad = _ScriptedVad(script)  # type: ignore[assignment]
    behind.hear(signal)  # everything arrived during one long decode: a backlog of two utterances
    first, second = behind.next_update(), behind.next_update()
    assert first is not None and second is not None and first.utterance_end and second.utterance_end
    assert behind.decoder.beams == [1, FINAL.least_beam]  # type: ignore[attr-defined]


def test_an_utterance_is_decoded_on_its_own_not_primed_with_the_ones_before() -> None:
    """Primed with what was said before it, Whisper carried that text on into a short utterance's pause
    ("Semuanya" closing six utterances of a far-field hearing): unprimed, five of six built hearings' live WER
    fell 1.8-14.1 points, and bench/live.py's Indonesian stream 11-17 (bench/README.md)."""
    from stt_cli.live.online import LiveRecogniser
    from tests.support.live import committed_keeping_up

    signal, script = _utterances([(3.0, 1.0), (3.0, 1.0), (3.0, 1.0)])
    recogniser = LiveRecogniser(_CountingDecoder(), vad=False)  # type: ignore[arg-type]
    recogniser.vad = _ScriptedVad(script)  # type: ignore[assignment]
    committed = committed_keeping_up(recogniser, signal)
    assert len(committed) >= 6  # words were committed before the later utterances were decoded
    assert recogniser.decoder.primes and set(recogniser.decoder.primes) == {""}  # type: ignore[attr-defined]
