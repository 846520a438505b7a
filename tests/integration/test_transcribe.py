"""The real default model (bundled Whisper base) on real speech."""

from __future__ import annotations

import json
from importlib.resources import files

import jsonschema
import pysrt
import pytest
import webvtt

from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.writers import get_writer
from tests.support.scoring import corpus_wer, load_clips, normalise, repeated_ngram_runs

pytestmark = pytest.mark.integration

MAX_WER = 0.08


@pytest.fixture(scope="module")
def english_results(base_transcriber, data_dir):
    clips = load_clips(data_dir / "en_jfk") + load_clips(data_dir / "en_librispeech")
    assert len(clips) == 8
    return [(clip, base_transcriber.transcribe(clip.path)) for clip in clips]


def test_wer_on_english_references(english_results):
    wer = corpus_wer([c.reference for c, _ in english_results], [t.text for _, t in english_results])
    assert wer <= MAX_WER, f"WER {wer:.1%} above {MAX_WER:.0%}"


def test_language_is_detected_with_its_probability(english_results):
    for _, transcript in english_results:
        assert transcript.language == "en"
        assert transcript.language_source == "detected"
        assert 0.5 < transcript.language_probability <= 1.0


def test_timestamps_are_monotonic_in_range_and_words_lie_in_their_segment(english_results):
    for clip, transcript in english_results:
        assert transcript.duration == pytest.approx(clip.duration, abs=0.05)
        previous_start = 0.0
        for segment in transcript.segments:
            assert previous_start <= segment.start <= segment.end <= transcript.duration
            previous_start = segment.start
            assert segment.words, "word timestamps are on by default"
            for word in segment.words:
                assert segment.start <= word.start <= word.end <= segment.end
                assert word.start >= previous_start
                previous_start = word.start
                assert 0.0 <= word.probability <= 1.0


def test_no_looping_on_the_reference_clips(english_results):
    for clip, transcript in english_results:
        assert repeated_ngram_runs(transcript.text) == 0, clip.path.name


def test_every_format_parses_and_json_matches_its_schema(english_results, tmp_path):
    schema = json.loads(files("stt_cli").joinpath("schema/transcript.schema.json").read_text())
    options = OutputOptions(formats=tuple(OutputFormat))
    for clip, transcript in english_results:
        stem = tmp_path / clip.path.stem
        paths = {
            fmt: get_writer(fmt, options).write(transcript, stem.with_suffix(f".{fmt.value}"))
            for fmt in OutputFormat
        }
        data = json.loads(paths[OutputFormat.json].read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        subs = pysrt.open(str(paths[OutputFormat.srt]), encoding="utf-8")
        captions = webvtt.read(str(paths[OutputFormat.vtt]))
        assert len(subs) == len(captions) >= 1
        assert normalise(" ".join(s.text for s in subs)) == normalise(transcript.text)
        assert normalise(" ".join(c.text for c in captions)) == normalise(transcript.text)
        for sub in subs:
            assert all(len(line) <= options.max_line_width for line in sub.text.splitlines() if " " in line)
            assert len(sub.text.splitlines()) <= options.max_line_count
        assert sub.end.ordinal <= round(transcript.duration * 1000)


@pytest.mark.parametrize("name", ["jfk_stereo.mp3", "jfk_video.mp4", "jfk_video.mkv"])
def test_other_containers_give_the_same_text(base_transcriber, media_dir, english_results, name):
    flac_text = english_results[0][1].text
    assert english_results[0][0].path.name == "jfk.flac"
    transcript = base_transcriber.transcribe(media_dir / name)
    assert transcript.duration == pytest.approx(11.0, abs=0.1)
    assert normalise(transcript.text) == normalise(flac_text)


def test_requested_language_is_recorded_as_requested_not_as_detected(data_dir):
    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import transcribe_file

    transcript = transcribe_file(
        data_dir / "en_jfk" / "jfk.flac", options=AsrOptions(model="tiny.en", language="en")
    )
    assert (transcript.language, transcript.language_source, transcript.language_probability) == (
        "en",
        "requested",
        None,
    )
    assert "ask not what your country can do for you" in normalise(transcript.text)


def test_vad_keeps_silence_and_room_noise_free_of_invented_text(base_transcriber, data_dir, tmp_path):
    # Speech, a 30 s recess of silence, speech, then 40 s of faint room noise. Without VAD, base invented
    # "ask not what your country can do for you" three times over in the noise (measured; bench/README.md).
    import numpy as np

    from tests.support.media import load_mono16k, write_wav

    first = load_mono16k(data_dir / "en_jfk" / "jfk.flac")
    second = load_mono16k(data_dir / "en_librispeech" / "1995-1837-0001.flac")
    noise = (np.random.default_rng(0).standard_normal(40 * 16_000) * 0.003).astype(np.float32)
    recess = np.zeros(30 * 16_000, dtype=np.float32)
    path = write_wav(tmp_path / "recess.wav", np.concatenate([first, recess, second, noise]))
    transcript = base_transcriber.transcribe(path)
    speech_end = (len(first) + len(recess) + len(second)) / 16_000
    assert all(s.end <= speech_end + 1.0 for s in transcript.segments), [s.text for s in transcript.segments]
    assert not any(len(first) / 16_000 + 1.0 < s.start < len(first) / 16_000 + 29.0 for s in transcript.segments)
    assert repeated_ngram_runs(transcript.text) == 0


def test_the_same_recording_gives_the_same_transcript_every_time(data_dir, tmp_path):
    # A noisy minute is where Whisper's temperature fallback used to sample: transcribed twice in one process
    # (the sampler's state moves on), it gave different text on 9 segments. Every decode is now at
    # temperature 0, retries included.
    import dataclasses

    import numpy as np

    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber
    from stt_cli.writers.json import transcript_json
    from tests.support.media import load_mono16k, write_wav

    clips = sorted(data_dir.glob("id_commonvoice/*.flac"))[:12]
    speech = np.concatenate([np.concatenate([load_mono16k(p), np.zeros(8_000)]) for p in clips])
    noise = np.random.default_rng(1).standard_normal(len(speech))
    noise *= np.sqrt(np.mean(speech**2) / np.mean(noise**2)) * 10 ** (5 / 20)  # -5 dB SNR
    path = write_wav(tmp_path / "noisy.wav", ((speech + noise) * 0.5).astype(np.float32))
    transcriber = Transcriber.load(AsrOptions(language="id"))
    first, second = (dataclasses.replace(transcriber.transcribe(path), provenance=None) for _ in range(2))
    assert first.segments and transcript_json(first) == transcript_json(second)
    assert "sampling" not in {a for r in first.retries for a in r.attempts}
