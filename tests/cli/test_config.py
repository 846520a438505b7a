"""The config file (``$XDG_CONFIG_HOME/stt/config.toml`` or ``--config``): what it may say, how a bad one is
refused, and its place between the command line, the environment and the defaults, on a real Indonesian clip."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.cli import error_lines, stt

CLIP = "common_voice_id_19059415.flac"  # "Saya tidak tahu cara membeli tiket." (3.7 s)


@pytest.fixture
def clip(tmp_path, data_dir) -> Path:
    return Path(shutil.copy(data_dir / "id_commonvoice" / CLIP, tmp_path / "sidang.flac"))


def _config(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("[transcribe\nlanguage = 'id'", "is not valid TOML"),
        ("language = 'id'\n", "'language' is at the top level; settings go under [transcribe]"),
        ("[transcrib]\nlanguage = 'id'\n", "unknown table [transcrib]"),
        ("[transcribe]\nlanguag = 'id'\n", "unknown setting 'languag' in [transcribe]"),
        ("[transcribe]\ninputs = ['a.mp3']\n", "unknown setting 'inputs'"),
        ("[transcribe]\nbeam-size = 'many'\n", "beam-size = 'many'"),
        ("[transcribe]\nformat = 'docs'\n", "unknown format 'docs'"),
        ("[transcribe]\nlanguage = 'klingon'\n", "--language 'klingon' is not one Whisper knows"),
        ("[transcribe]\nvocabulary = 'terms.txt'\n", "terms.txt does not exist"),
    ],
)
def test_a_bad_config_is_one_usage_line_naming_the_file_and_nothing_runs(clip, tmp_path, text, message):
    config = _config(tmp_path / "court.toml", text)
    result = stt("transcribe", clip, "--config", config)
    assert result.exit_code == 2, result.stderr
    [line] = error_lines(result)
    assert message in line and str(config) in line
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["court.toml", "sidang.flac"]


def test_a_config_named_but_missing_is_a_usage_error(clip, tmp_path):
    result = stt("transcribe", clip, "--config", tmp_path / "nowhere.toml")
    assert result.exit_code == 2
    assert "nowhere.toml does not exist" in result.stderr


def test_the_default_config_is_read_and_a_relative_path_in_it_is_its_own_folders(clip, no_user_config):
    # A missing vocabulary file is refused before any model loads: the quickest proof that the default file
    # was read, and that its relative path was taken from the config's folder, not from where stt runs.
    _config(no_user_config, "[transcribe]\nvocabulary = 'terms.txt'\n")
    result = stt("transcribe", clip)
    assert result.exit_code == 2
    assert str(no_user_config.parent / "terms.txt") in result.stderr


@pytest.mark.integration
def test_the_command_line_wins_then_the_environment_then_the_config(clip, tmp_path, monkeypatch, no_user_config):
    (tmp_path / "terms.txt").write_text("# parties\nTiket\n", encoding="utf-8")
    _config(
        no_user_config,
        "[transcribe]\nlanguage = 'en'\nformat = ['json', 'txt']\nbeam_size = 2\noffline = false\n"
        f"vocabulary = '{tmp_path / 'terms.txt'}'\noutput-dir = 'out'\n",
    )
    from_config = stt("transcribe", clip)
    assert from_config.exit_code == 0, from_config.stderr
    out = no_user_config.parent / "out"  # relative to the config's folder
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["sidang.json", "sidang.txt"]
    first = json.loads((out / "sidang.json").read_text(encoding="utf-8"))
    assert (first["language"], first["language_source"]) == ("en", "requested")
    assert first["settings"]["beam_size"] == 2 and first["settings"]["vocabulary"] == ["Tiket"]
    assert first["provenance"]["offline"] is False

    monkeypatch.setenv("STT_OFFLINE", "1")  # the environment beats the config's offline = false
    overridden = stt("transcribe", clip, "-l", "id,en", "-f", "json", "-o", tmp_path / "cli")
    assert overridden.exit_code == 0, overridden.stderr
    second = json.loads((tmp_path / "cli" / "sidang.json").read_text(encoding="utf-8"))
    assert (second["language"], second["language_source"]) == ("id", "detected")
    assert second["language_candidates"] == ["id", "en"]
    assert second["settings"]["beam_size"] == 2  # what the command line left alone still comes from the config
    assert second["provenance"]["offline"] is True
    assert "tiket" in second["text"].casefold()
    assert not (tmp_path / "cli" / "sidang.txt").exists()


@pytest.mark.integration
def test_doctor_shows_the_config_in_force_and_refuses_a_bad_one(tmp_path, no_user_config):
    absent = stt("doctor")
    assert f"ok   config: none ({no_user_config} does not exist; it is optional)" in absent.stdout
    _config(no_user_config, "[transcribe]\nlanguage = 'id,en'\nbeam-size = 3\n")
    good = stt("doctor")
    said = f"ok   config {no_user_config} in force: 2 setting(s) for transcribe (beam-size, language)"
    assert said in good.stdout
    bad = stt("doctor", "--config", _config(tmp_path / "bad.toml", "[transcribe]\nformat = 'docs'\n"))
    assert bad.exit_code == 3
    assert "FIX  config: unknown format 'docs'" in bad.stdout
