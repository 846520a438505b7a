"""Shared fixtures. Integration tests load the real default model once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def jfk() -> Path:
    return DATA / "en_jfk" / "jfk.flac"


@pytest.fixture(scope="session")
def base_transcriber():
    """The default model (bundled Whisper base), loaded once."""
    from stt_cli.options import AsrOptions
    from stt_cli.pipeline import Transcriber

    return Transcriber.load(AsrOptions())


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory, jfk) -> Path:
    """JFK re-encoded as a stereo 44.1 kHz MP3, an MP4 (H.264 + AAC) and an MKV (VP8 + Opus)."""
    from tests.support.media import encode_like, load_mono16k

    folder = tmp_path_factory.mktemp("media")
    samples = load_mono16k(jfk)
    encode_like(samples, folder / "jfk_stereo.mp3", codec="mp3", rate=44_100, layout="stereo")
    encode_like(samples, folder / "jfk_video.mp4", codec="aac", rate=48_000, layout="stereo", video="h264")
    encode_like(samples, folder / "jfk_video.mkv", codec="libopus", rate=48_000, layout="mono", video="libvpx")
    return folder


@pytest.fixture
def private_store(tmp_path, monkeypatch) -> Path:
    """An empty model store (STT_MODELS_DIR); what is bundled comes from the installed manifest."""
    store = tmp_path / "store"
    store.mkdir()
    monkeypatch.setenv("STT_MODELS_DIR", str(store))
    return store


@pytest.fixture(autouse=True)
def no_user_config(tmp_path_factory, monkeypatch) -> Path:
    """The config a run reads by default ($XDG_CONFIG_HOME/stt/config.toml): an empty folder, so that the
    config of whoever runs the tests never changes what they see."""
    home = tmp_path_factory.mktemp("xdg")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "stt" / "config.toml"
