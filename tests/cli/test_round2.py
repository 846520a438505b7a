"""The second hostile-world round (issue 23, ../shared/reliability/round-2.md): each test is one bug as it was
reproduced, on real files and the real commands, and failed before its fix. Transcripts come from the real
``tiny.en`` model on the JFK clip; the JSON variants a clerk or a script would hand-edit are made from them."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import error_lines, stt, visible

FAST = ["--model", "tiny.en", "--threads", "1"]
DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def jfk_json(tmp_path_factory, jfk) -> Path:
    """``jfk.json`` as ``stt transcribe -f json`` writes it, beside its recording."""
    folder = tmp_path_factory.mktemp("jfk")
    shutil.copy(jfk, folder / "jfk.flac")
    result = stt("transcribe", folder / "jfk.flac", *FAST, "-f", "json", "-q")
    assert result.exit_code == 0, result.output
    return folder / "jfk.json"


def _copy(jfk_json: Path, folder: Path, name: str = "jfk.json", edit=None) -> Path:
    data = json.loads(jfk_json.read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder / name


# --- bug 1: --overwrite twice in one second kept the clerk's file under a name the second replacement reused ----


def test_two_replacements_in_one_second_each_keep_their_own_copy(jfk_json, tmp_path):
    x = _copy(jfk_json, tmp_path / "x")
    y = _copy(jfk_json, tmp_path / "y", edit=lambda d: d["segments"][0].update(text="And so, my fellow citizens"))
    assert stt("render", x, "-o", tmp_path, "-f", "txt", "-q").exit_code == 0
    (tmp_path / "jfk.txt").write_text("CLERK'S CORRECTED TEXT\n", encoding="utf-8")
    result = stt("render", x, y, "-o", tmp_path, "-f", "txt", "--overwrite")
    # x replaced the clerk's file (kept aside); y would replace what x has just written: a clash, not a loss.
    assert result.exit_code == 1, result.output
    assert "output_clash" in error_lines(result)[0] and "just rendered from" in error_lines(result)[0]
    kept = sorted(tmp_path.glob("jfk.edited-*.txt"))
    assert [p.read_text() for p in kept] == ["CLERK'S CORRECTED TEXT\n"]


def test_the_backup_name_is_never_one_that_exists(tmp_path):
    from stt_cli.records.sidecars import backup_path, move_aside

    target = tmp_path / "hearing.srt"
    contents = []
    for n in range(3):  # well within one second
        target.write_text(f"version {n}\n")
        contents.append(move_aside(target).read_text())
    copies = sorted(tmp_path.glob("hearing.edited-*.srt"))
    assert len(copies) == 3 and sorted(p.read_text() for p in copies) == sorted(contents)
    assert backup_path(target, 2).name.endswith("-2.srt")


# --- render: its own earlier outputs are its own, and one refused format does not block the others ------------


def test_render_replaces_its_own_earlier_output_and_writes_the_other_formats(jfk_json, tmp_path):
    source = _copy(jfk_json, tmp_path)
    assert stt("render", source, "-f", "txt", "--timecodes", "-q").exit_code == 0
    again = stt("render", source, "-f", "txt,vtt")  # the README's next step
    assert again.exit_code == 0, again.output
    assert not (tmp_path / "jfk.txt").read_text().startswith("[")  # the timecodes went: it was stt's own file
    assert (tmp_path / "jfk.vtt").is_file() and not list(tmp_path.glob("*.edited-*"))
    (tmp_path / "jfk.txt").write_text("A clerk's version\n", encoding="utf-8")
    refused = stt("render", source, "-f", "txt,srt")
    assert refused.exit_code == 1 and "output_edited" in error_lines(refused)[0]
    assert (tmp_path / "jfk.srt").is_file(), "the refused TXT kept no other format from being written"
    assert (tmp_path / "jfk.txt").read_text() == "A clerk's version\n"


# --- bug 4: stt live wrote its transcript over its own input, a recording named like a transcript ------------


def test_live_never_writes_over_its_input_or_over_an_earlier_transcript(tmp_path, jfk):
    hearing = tmp_path / "hearing.txt"  # really audio
    shutil.copy(jfk, hearing)
    before = hearing.read_bytes()
    result = stt("live", hearing, "--pace", "0", "-f", "txt", *FAST)
    assert result.exit_code == 3 and "output_clash" in error_lines(result)[0], result.output
    assert hearing.read_bytes() == before and visible(tmp_path) == ["hearing.txt"]
    # A transcript of the same stem that exists (stt transcribe's) is refused before anything is heard ...
    recording = tmp_path / "room.flac"
    shutil.copy(jfk, recording)
    (tmp_path / "room.json").write_text('{"made by": "stt transcribe"}', encoding="utf-8")
    refused = stt("live", recording, "--pace", "0", "-f", "json", *FAST)
    assert refused.exit_code == 3 and "output_edited" in error_lines(refused)[0]
    assert "--overwrite" in error_lines(refused)[0]
    # ... and kept aside with --overwrite.
    forced = stt("live", recording, "--pace", "0", "-f", "json", "--overwrite", *FAST)
    assert forced.exit_code == 0, forced.output
    [kept] = tmp_path.glob("room.edited-*.json")
    assert "stt transcribe" in kept.read_text() and json.loads((tmp_path / "room.json").read_text())["segments"]


# --- bug 5: a recording disk that fills lost the whole session -------------------------------------------------


@pytest.mark.system
@pytest.mark.skipif(os.geteuid() != 0, reason="mounts a small tmpfs (root)")
def test_a_full_recording_disk_stops_the_recording_not_the_session(tmp_path, jfk):
    small = tmp_path / "small"
    small.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=150k", "tmpfs", str(small)], check=True)
    try:
        source = tmp_path / "rec.flac"
        shutil.copy(jfk, source)
        result = subprocess.run(
            [sys.executable, "-m", "stt_cli", "live", str(source), "--pace", "0",
             "--record", str(small / "heard.wav"), "-f", "json,txt", *FAST],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        # The transcript of the whole session is written; the error names the recording and when it stopped.
        assert result.returncode == 1, result.stderr
        assert "cannot write the recording" in result.stderr and "Traceback" not in result.stderr
        data = json.loads((tmp_path / "rec.json").read_text())
        assert "fellow Americans" in data["text"] and data["duration"] > 10
        assert any("recording stopped early" in w for w in data["warnings"])
        # What fitted on the disk is kept as a valid, shorter WAV.
        import wave

        with wave.open(str(small / "heard.wav")) as kept:
            seconds = kept.getnframes() / kept.getframerate()
        assert 1.0 < seconds < 5.0 and kept.getframerate() == 16000
    finally:
        subprocess.run(["umount", str(small)], check=False)


# --- bug 22: an RTTM of a transcript without speakers was an empty file ----------------------------------------


def test_render_refuses_rttm_without_speakers(jfk_json, tmp_path):
    source = _copy(jfk_json, tmp_path)
    alone = stt("render", source, "-f", "rttm")
    assert alone.exit_code == 3 and "needs speakers" in error_lines(alone)[0]
    assert visible(tmp_path) == ["jfk.json"], "no empty RTTM"
    result = stt("render", source, "-f", "rttm,txt")
    assert result.exit_code == 1 and "needs speakers" in error_lines(result)[0]
    assert visible(tmp_path) == ["jfk.json", "jfk.txt"], "the other formats are still written"


# --- bug 23: rendering from the kept transcript wrote hidden files named after it -----------------------------


def test_rendering_the_kept_transcript_writes_the_recordings_names(jfk_json, tmp_path):
    folder = tmp_path / "hearing"
    shutil.copytree(jfk_json.parent, folder)
    result = stt("render", folder / ".jfk.stt.transcript.json", "-f", "srt,docx")
    assert result.exit_code == 0, result.output
    assert {"jfk.srt", "jfk.docx"} <= set(visible(folder))
    assert not list(folder.glob(".jfk.stt.transcript.srt"))


# --- bug 28: messages that said the wrong thing ----------------------------------------------------------------


def test_rendering_json_onto_itself_and_two_transcripts_of_one_name_say_what_happened(jfk_json, tmp_path):
    source = _copy(jfk_json, tmp_path)
    onto = stt("render", source, "-f", "json", "--meta", "court=PN Jakarta Pusat")
    assert onto.exit_code == 3 and "would replace" in error_lines(onto)[0]
    assert "the transcript itself" in onto.output
    a = _copy(jfk_json, tmp_path / "a", "hearing.json")
    b = _copy(jfk_json, tmp_path / "b", "hearing.json", edit=lambda d: d["segments"][0].update(text="FELLOW"))
    result = stt("render", a, b, "-f", "srt", "-o", tmp_path / "out")
    [line] = error_lines(result)
    assert "output_clash" in line and "edited by hand" not in line


# --- bug 2: another recording of the same name, transcribed later into the same -o, replaced the first's --------


def test_another_recording_of_the_same_name_never_replaces_the_firsts_transcripts(tmp_path, jfk):
    day1, day2, out = tmp_path / "sd_day1", tmp_path / "sd_day2", tmp_path / "transcripts"
    day1.mkdir()
    day2.mkdir()
    shutil.copy(jfk, day1 / "REC001.flac")
    shutil.copy(DATA / "en_librispeech" / "1089-134686-0000.flac", day2 / "REC001.flac")
    assert stt("transcribe", day1, *FAST, "-f", "txt,json", "-o", out, "-q").exit_code == 0
    first = (out / "REC001.txt").read_text()
    for extra in ([], ["--overwrite"]):
        result = stt("transcribe", day2, *FAST, "-f", "txt,json", "-o", out, *extra)
        assert result.exit_code == 3, result.output
        [line] = error_lines(result)
        assert "output_clash" in line and "another recording of the same name" in line and "sd_day1" in line
        assert (out / "REC001.txt").read_text() == first and "fellow Americans" in first
    assert not list(out.glob("*.edited-*"))
    # The same recording, copied elsewhere, is still the same recording: its transcripts are current.
    shutil.copy(jfk, day2 / "REC001.flac")
    assert stt("transcribe", day2, *FAST, "-f", "txt,json", "-o", out).exit_code == 0


# --- bug 3: the voice library's contents were not part of reuse -----------------------------------------------


def test_what_the_voice_library_holds_is_a_setting_of_the_transcript(tmp_path):
    import numpy as np

    from stt_cli.models import voice_encoder_identity
    from stt_cli.options import AsrOptions, DiarizationOptions
    from stt_cli.pipeline import Prepared
    from stt_cli.speakers import Enrolment, VoiceLibrary

    folder = tmp_path / "lib"
    library = VoiceLibrary.open(folder, voice_encoder_identity(), create=True)
    vector = np.zeros(192, dtype=np.float32)
    vector[0] = 1.0
    library.enrol("Diane Hakim", [Enrolment("sample.flac", "a" * 64, 12.0, 8, vector)])
    options = AsrOptions(model="tiny.en")

    def settings() -> dict:
        return Prepared.of(options, DiarizationOptions(speaker_library=folder)).settings()

    with_voice = settings()
    VoiceLibrary.open(folder, voice_encoder_identity()).remove("Diane Hakim")
    without = settings()
    # The same path, another library: a transcript named from the old one is no longer current.
    assert with_voice["speaker_library"] == without["speaker_library"]
    assert with_voice["speaker_library_voices"] != without["speaker_library_voices"]


# --- bug 16: a run whose recording another worker held for other outputs exited 0 with nothing written ------


def test_a_recording_claimed_for_other_outputs_is_waited_for_not_left(tmp_path):
    import threading

    from stt_cli.records import claims
    from stt_cli.records.sidecars import Sidecars
    from tests.unit.test_batch import Stub, files, run

    [item] = files(tmp_path, "long.wav")
    other = claims.try_claim(Sidecars.of(item.path, tmp_path).claim, timeout=60, job="worker A: -f txt")
    assert isinstance(other, claims.Claim)
    threading.Timer(3.0, other.release).start()  # worker A finishes its own outputs
    result = run(Stub(), [item])
    assert [o.status.value for o in result.outcomes] == ["done"] and (tmp_path / "long.json").is_file()


# --- bug 18: transcribe refused the byte-identical outputs stt render wrote --------------------------------


def test_a_rerun_asking_for_what_render_wrote_takes_it_for_stts_own_and_loads_no_model(tmp_path, jfk, monkeypatch):
    from stt_cli.pipeline import Prepared

    source = tmp_path / "jfk.flac"
    shutil.copy(jfk, source)
    assert stt("transcribe", source, *FAST, "-f", "json", "-q").exit_code == 0
    assert stt("render", tmp_path / "jfk.json", "-f", "srt", "-q").exit_code == 0

    def refuse(self):
        raise AssertionError("a model was loaded")

    monkeypatch.setattr(Prepared, "load", refuse)
    result = stt("transcribe", source, *FAST, "-f", "json,srt")
    assert result.exit_code == 0, result.output
    assert "output_edited" not in result.output


def test_adding_a_format_to_a_finished_diarized_transcript_loads_no_model(tmp_path, monkeypatch):
    # The rerun loaded Whisper and the diarization pipeline (30 s and 1.2 GB) before finding nothing to
    # recognise: now the models are found and checked, and loaded only for a recording that needs them.
    from stt_cli.pipeline import Prepared

    source = tmp_path / "sample.flac"
    shutil.copy(DATA / "multi_pyannote" / "sample.flac", source)
    assert stt("transcribe", source, *FAST, "--diarize", "-f", "json", "-q").exit_code == 0
    monkeypatch.setattr(Prepared, "load", lambda self: pytest.fail("a model was loaded"))
    result = stt("transcribe", source, *FAST, "--diarize", "-f", "json,txt,rttm")
    assert result.exit_code == 0, result.output
    assert "Speaker" in (tmp_path / "sample.txt").read_text() and (tmp_path / "sample.rttm").stat().st_size


# --- bug 29: a missing input left a failure note in its folder ----------------------------------------------


def test_a_mistyped_name_leaves_nothing_behind(tmp_path):
    result = stt("transcribe", tmp_path / "nothere.flac", *FAST)
    assert result.exit_code == 3 and "not_found" in error_lines(result)[0]
    assert list(tmp_path.iterdir()) == []


# --- bug 9: hand-edited values crashed render with a traceback and stopped the batch --------------------------

HAND_EDITS = {
    "a start time that is no date": lambda d: d["case"].update(start_time="yesterday"),
    "a start time past the calendar": lambda d: d["case"].update(start_time="9999-12-31T23:59:59"),
    "a finish time that is no date": lambda d: d["provenance"].update(finished_at="never"),
    "a speaker without a name": lambda d: d.update(
        speakers=[{"id": "SPEAKER_1", "name": None, "speaking_time": 1, "named_by": "order", "similarity": None}]
    ),
    "a speaker that is a number": lambda d: d["segments"][0].update(speaker=7),
    "a start that is not a number": lambda d: d["segments"][0].update(start=float("nan")),
    "no sha256": lambda d: d["input"].update(sha256=None),
    "a path that is a number": lambda d: d["input"].update(path=5),
    "a confidence in words": lambda d: d["segments"][0]["words"][0].update(confidence="high"),
    "a turn at no time": lambda d: d.update(turns=[{"start": "x", "end": 1, "speaker": "SPEAKER_1"}]),
    "a control character": lambda d: d["segments"][0].update(text="so\x01 my"),
}


@pytest.mark.parametrize("edit", HAND_EDITS, ids=list(HAND_EDITS))
def test_a_hand_edited_value_is_one_usage_line_and_the_others_are_rendered(jfk_json, tmp_path, edit):
    good1, good2 = _copy(jfk_json, tmp_path, "good1.json"), _copy(jfk_json, tmp_path, "good2.json")
    bad = _copy(jfk_json, tmp_path, "bad.json", edit=HAND_EDITS[edit])
    result = stt("render", good1, bad, good2, "-f", "txt,docx,srt,vtt,html,review")
    assert result.exit_code == 1, result.output
    [line] = error_lines(result)
    assert "[usage]" in line and "bad.json" in line and "Traceback" not in result.output
    assert (tmp_path / "good2.txt").is_file() and (tmp_path / "good2.docx").is_file()
    assert not list(tmp_path.glob("bad.*[!n]")), "nothing of the bad transcript is left"


def test_json_nested_past_any_transcript_is_refused_not_a_recursion_error(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    result = stt("render", deep, "-f", "txt")
    assert result.exit_code == 3 and "[usage]" in error_lines(result)[0]


# --- bug 10: case details were checked only when the DOCX writer met them, after the whole transcription -------


@pytest.mark.parametrize(
    "given",
    [
        ["--meta", "court=PN\x01Jakarta"],
        ["--start-time", "9999-12-31T23:59:59"],
        ["--start-time", "0001-01-01T00:00"],
    ],
    ids=["control character", "year 9999", "year 1"],
)
def test_case_details_that_no_document_can_hold_are_usage_errors_before_any_work(
    tmp_path, jfk, given, monkeypatch
):
    from stt_cli.pipeline import Prepared

    monkeypatch.setattr(Prepared, "transcribe", lambda *a, **k: pytest.fail("it was transcribed"))
    shutil.copy(jfk, tmp_path / "a.flac")
    result = stt("transcribe", tmp_path / "a.flac", *FAST, "-f", "docx,json", *given)
    assert result.exit_code == 2 and "[usage]" in error_lines(result)[0], result.output


def test_a_long_case_number_of_joined_cases_fits_the_document(tmp_path, jfk_json):
    number = "12/Pid.B/2026/PN.Jkt.Pst jo. " * 9
    source = _copy(jfk_json, tmp_path)
    result = stt("render", source, "-f", "docx", "--meta", f"case_number={number}")
    assert result.exit_code == 0, result.output
    import docx

    document = docx.Document(str(tmp_path / "jfk.docx"))
    assert number.split()[0] in " ".join(p.text for p in document.paragraphs)
    assert len(document.core_properties.title) <= 255


# --- bug 11: --claim-timeout 0 was a NameError traceback, -5 a bad --max-duration ------------------------------


@pytest.mark.parametrize("value", ["0", "-5", "abc"])
def test_claim_timeout_is_checked_under_its_own_name(tmp_path, jfk, value):
    result = stt("transcribe", jfk, *FAST, "-o", tmp_path, "--claim-timeout", value)
    assert result.exit_code == 2 and "Traceback" not in result.output
    [line] = error_lines(result)
    assert "--claim-timeout" in line and "--max-duration" not in line


# --- bug 14 and 27: enrolments at once lost a clip; the same clip twice counted twice; an undocumented code ----


def test_two_enrolments_at_once_keep_both_clips_and_the_same_clip_counts_once(tmp_path):
    library = tmp_path / "lib"
    clips = [DATA / "en_librispeech" / name for name in ("1089-134686-0000.flac", "1089-134686-0001.flac")]
    command = [
        sys.executable,
        "-m",
        "stt_cli",
        "speakers",
        "enroll",
        "Jaksa Rina",
        "--speaker-library",
        str(library),
    ]
    runs = [
        subprocess.Popen([*command, str(clip)], stdout=subprocess.PIPE, stderr=subprocess.PIPE) for clip in clips
    ]
    assert [p.wait(timeout=300) for p in runs] == [0, 0]
    again = stt("speakers", "enroll", "jaksa rina", clips[0], "--speaker-library", library)
    assert again.exit_code == 0 and "already enrolled" in again.stdout
    listing = stt("speakers", "list", "--speaker-library", library).stdout.splitlines()
    assert listing[1].split("\t")[:3][2] == "2", listing


def test_too_little_speech_to_enrol_has_a_documented_code(tmp_path):
    import numpy as np

    from tests.support.media import encode_like

    silence = encode_like(np.zeros(16_000 * 5, dtype=np.float32), tmp_path / "silence.wav", codec="pcm_s16le",
                          rate=16_000, layout="mono")  # fmt: skip
    result = stt("speakers", "enroll", "Hakim Ahmad", silence, "--speaker-library", tmp_path / "lib")
    assert result.exit_code == 3 and "[too_little_speech]" in error_lines(result)[0]
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`too_little_speech`" in readme


# --- bug 20: stt status counted a path that does not exist as a pending recording -----------------------------


def test_status_of_a_mistyped_path_is_not_found(tmp_path):
    result = stt("status", tmp_path / "no" / "such" / "hearing.mp3")
    assert result.exit_code == 3 and "not_found" in error_lines(result)[0]
    device = stt("status", "/dev/null")
    assert device.exit_code == 3 and "pending" not in device.stdout


# --- bug 21: NaN passed for a positive number -------------------------------------------------------------------


@pytest.mark.parametrize("option", [["--idle", "nan", "--follow"], ["--pace", "nan"]])
def test_live_refuses_nan(tmp_path, jfk, option):
    result = stt("live", jfk, *option, *FAST, "-o", tmp_path)
    assert result.exit_code == 2 and "[usage]" in error_lines(result)[0]


def test_mark_pauses_refuses_nan(jfk_json, tmp_path):
    result = stt("render", _copy(jfk_json, tmp_path), "-f", "docx", "--mark-pauses", "nan")
    assert result.exit_code == 2 and "mark-pauses" in error_lines(result)[0]


# --- bug 24: case files: a byte-order mark failed the file, a TOML mix lost fields, null became "None" --------


def test_case_files_with_a_bom_a_toml_mix_or_a_null(tmp_path):
    from stt_cli.case import read_fields

    bom = tmp_path / "a.meta.json"
    bom.write_bytes(b'\xef\xbb\xbf{"case_number": "12/Pid.B/2026", "agenda": null}')
    assert read_fields(bom) == {"case_number": "12/Pid.B/2026"}
    mix = tmp_path / "b.meta.toml"
    mix.write_text('court = "PN Jakarta"\n[case]\ncase_number = "1/2"\n', encoding="utf-8")
    assert read_fields(mix) == {"court": "PN Jakarta", "case_number": "1/2"}


# --- bug 25: --jobs had no bound and started every worker for one file -------------------------------------


def test_jobs_are_bounded_and_never_more_than_the_recordings(tmp_path, jfk):
    result = stt("transcribe", jfk, *FAST, "-o", tmp_path, "--jobs", "1000")
    assert result.exit_code == 2 and "--jobs" in error_lines(result)[0]
    shutil.copy(jfk, tmp_path / "one.flac")
    proc = subprocess.run(
        [sys.executable, "-m", "stt_cli", "transcribe", str(tmp_path / "one.flac"), *FAST, "-f", "txt",
         "--jobs", "8", "-v"], capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("model tiny.en loaded") == 1, "one worker for one recording"


# --- bug 26: two microphones under one name ------------------------------------------------------------------


def test_channel_names_must_differ(jfk):
    result = stt("transcribe", jfk, *FAST, "--channel-speakers", "Saksi,saksi")
    assert result.exit_code == 2 and "names two channels" in error_lines(result)[0]


# --- documents: bugs 6, 7, 12, 13, the end marker alone on a page, the certification's date ------------------


def _hand_made(folder: Path, name: str, segments, **fields) -> Path:
    """A transcript JSON made without a model (as a script or a hand edit would leave it), beside nothing."""
    from stt_cli.writers.json import transcript_json
    from tests.support.builders import transcript

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(transcript_json(transcript(tuple(segments), **fields)), encoding="utf-8")
    return path


def _judge(*segments):
    """The segments as one speaker's, the Judge's, with the speakers and turns a transcript has then."""
    import dataclasses

    from stt_cli.types import NamedBy, Speaker, SpeakerTurn

    said = tuple(dataclasses.replace(s, id=i, speaker="SPEAKER_1") for i, s in enumerate(segments))
    speakers = (Speaker("SPEAKER_1", "Hakim", 10.0, NamedBy.channel),)
    return said, {"speakers": speakers, "turns": tuple(SpeakerTurn(s.start, s.end, "SPEAKER_1") for s in said)}


def test_a_recess_inside_one_speakers_turn_is_marked_and_timed(tmp_path):
    from tests.support.builders import spoken

    said, speakers = _judge(
        spoken(0.5, "And so my fellow Americans ask not"), spoken(131.0, "ask what you can do")
    )
    source = _hand_made(tmp_path, "recess.json", said, language="en", duration=140.0, **speakers)
    assert stt("render", source, "-f", "docx,txt", "--timecodes", "-q").exit_code == 0
    import docx

    text = [p.text[5:] for p in docx.Document(str(tmp_path / "recess.docx")).paragraphs]
    assert any(line.startswith("[Pause 2 min 8 s]") for line in text)
    assert any(line.startswith("[00:02:11] HAKIM: ask what") for line in text)
    assert "[00:02:11] Hakim: ask what you can do" in (tmp_path / "recess.txt").read_text()


def _drawn(documents: list[Path], folder: Path) -> dict[str, list[list[int]]]:
    """Each document as LibreOffice prints it: per page, the line numbers printed at the left."""
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), *map(str, documents)],
                   check=True, capture_output=True, timeout=300)  # fmt: skip
    found = {}
    for document in documents:
        text = subprocess.run(["pdftotext", "-layout", str(folder / f"{document.stem}.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout  # fmt: skip
        pages = [p for p in text.split("\f") if p.strip()]
        found[document.name] = [
            [int(m.group(1)) for line in page.splitlines() if (m := re.match(r"\s{0,3}(\d{1,2})(\s|$)", line))]
            for page in pages
        ]
    return found


def _numbered(document: Path) -> list[int]:
    import docx

    pages, count = [], 0
    for paragraph in docx.Document(str(document)).paragraphs:
        if paragraph.paragraph_format.page_break_before:
            pages.append(count)
            count = 0
        count += 1
    return [*pages, count]


@pytest.mark.skipif(not shutil.which("soffice") or not shutil.which("pdftotext"), reason="needs LibreOffice")
def test_every_page_prints_the_lines_stt_numbered_at_any_lines_per_page_and_in_any_script(tmp_path):
    from tests.support.builders import spoken

    english = [spoken(i * 14.0, "And so my fellow Americans ask not what your country can do for you", id=i)
               for i in range(30)]  # fmt: skip
    long = _hand_made(tmp_path / "in", "long.json", english, language="en", duration=420.0)
    zh = "我们今天在这里开庭审理这个案件被告人请你陈述一下当天发生的事情"
    cjk = _hand_made(tmp_path / "in", "cjk.json", [spoken(i * 14.0, zh * 2, id=i) for i in range(30)],
                     language="zh", duration=420.0)  # fmt: skip
    out = tmp_path / "out"
    made = []
    for lines in (25, 40, 60):
        target = out / f"lpp{lines}"
        assert stt("render", long, "-f", "docx", "--lines-per-page", lines, "-o", target, "-q").exit_code == 0
        made.append(target.rename(out / f"long-{lines}") / "long.docx")
    assert stt("render", cjk, "-f", "docx", "-o", out / "cjk", "-q").exit_code == 0
    emoji = "case_number=12/Pid.B/2026 " + "😀" * 37
    assert stt("render", long, "-f", "docx", "-o", out / "emoji", "--meta", emoji, "-q").exit_code == 0
    breaks = "case_number=" + "\n".join(["12/Pid.B/2026"] * 13)
    assert stt("render", long, "-f", "docx", "-o", out / "breaks", "--meta", breaks, "-q").exit_code == 0
    documents = {f"{p.parent.name}.docx": p for p in [*made, out / "cjk" / "cjk.docx", out / "emoji" / "long.docx",
                                                       out / "breaks" / "long.docx"]}  # fmt: skip
    copies = []
    for name, path in documents.items():
        copies.append(shutil.copy(path, tmp_path / name))
    drawn = _drawn([Path(c) for c in copies], tmp_path / "pdf")
    for name, path in documents.items():
        numbered = _numbered(path)
        assert [len(p) for p in drawn[name]] == numbered, name
        assert all(p == list(range(1, len(p) + 1)) for p in drawn[name]), name


def test_the_end_marker_is_never_alone_on_the_last_page_and_the_certificate_has_a_date():
    from stt_cli.writers.pages import lay_out
    from tests.support.builders import spoken, transcript

    for count in range(1, 40):
        said = tuple(spoken(i * 5.0, "Saksi menjawab pertanyaan majelis hakim", id=i) for i in range(count))
        pages = lay_out(transcript(said, duration=5.0 * count), width=56, lines_per_page=25, mark_pauses=10.0)
        last = [line.text.strip() for line in pages[-1].lines]
        assert any(text and not text.startswith("[AKHIR") for text in last), (count, last)
    certified = transcript(said, duration=200.0, case=__import__("stt_cli.case", fromlist=["CaseInfo"]).CaseInfo(
        (("certified_by", "Rina, panitera pengganti"),)))  # fmt: skip
    lines = [
        line.text
        for page in lay_out(certified, width=56, lines_per_page=25, mark_pauses=10.0)
        for line in page.lines
    ]
    assert any(line.startswith("Tanggal: ") for line in lines)


def test_the_documents_and_the_review_outputs_carry_the_transcripts_warnings(tmp_path):
    from tests.support.builders import spoken

    warning = "declares 10.4 s of audio but only 6.2 s could be decoded; transcribed what could be decoded"
    source = _hand_made(tmp_path, "cut.json", [spoken(0.5, "He hoped there would be stew")], language="en",
                        duration=6.2, warnings=(warning,))  # fmt: skip
    assert stt("render", source, "-f", "docx,html,review", "-q").exit_code == 0
    import docx

    assert any(warning[:40] in p.text for p in docx.Document(str(tmp_path / "cut.docx")).paragraphs)
    assert "declares 10.4 s" in (tmp_path / "cut.html").read_text()
    rows = [line.split("\t") for line in (tmp_path / "cut.review.tsv").read_text().splitlines()[1:]]
    assert ["warning", warning] == [rows[0][2], rows[0][4]]


# --- bug 8: the review page rendered from another folder played another hearing of the same name -------------


def test_the_review_page_plays_only_the_very_recording_transcribed(tmp_path, jfk, monkeypatch):
    from stt_cli.fileio import sha256_file
    from stt_cli.types import InputInfo
    from tests.support.builders import spoken

    case1, case2 = tmp_path / "case1", tmp_path / "case2"
    case1.mkdir()
    case2.mkdir()
    shutil.copy(jfk, case1 / "hearing.flac")
    shutil.copy(DATA / "en_librispeech" / "1089-134686-0000.flac", case2 / "hearing.flac")
    ours = case1 / "hearing.flac"
    heard = InputInfo("hearing.flac", ours.stat().st_size, sha256_file(ours), "flac", "flac", 11.0)
    _hand_made(case1, "hearing.json", [spoken(0.5, "And so my fellow Americans")], input=heard, duration=11.0)
    monkeypatch.chdir(case2)  # where another hearing.flac is
    assert stt("render", "../case1/hearing.json", "-f", "html", "-q").exit_code == 0
    page = (case1 / "hearing.html").read_text()
    assert re.search(r'<audio[^>]* src="hearing.flac"', page), "the recording beside the page, checked"
    (case1 / "hearing.flac").write_bytes((case2 / "hearing.flac").read_bytes())  # replaced by another hearing
    monkeypatch.chdir(tmp_path)
    assert stt("render", case1 / "hearing.json", "-f", "html", "--overwrite", "-q").exit_code == 0
    assert re.search(r'<audio[^>]* src=""', (case1 / "hearing.html").read_text()), "no other hearing is played"


# --- live: bugs 17 and 30, and --list-devices with no microphone ------------------------------------------------


def _wav(source: Path, target: Path) -> bytes:
    from stt_cli.media.decode import load_audio
    from tests.support.media import encode_like

    encode_like(load_audio(source).samples, target, codec="pcm_s16le", rate=16_000, layout="mono")
    return target.read_bytes()


def _live(*args: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "stt_cli", "live", *map(str, args), *FAST],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def test_a_followed_file_replaced_by_another_is_reported_and_what_was_heard_kept(tmp_path, jfk):
    import time

    data = _wav(jfk, tmp_path / "jfk.wav")
    other = _wav(DATA / "en_librispeech" / "1089-134686-0000.flac", tmp_path / "other.wav")
    room = tmp_path / "room.wav"
    room.write_bytes(data[: 44 + 32_000 * 2])
    session = _live(room, "--follow", "--idle", "4")
    time.sleep(2.0)
    with room.open("ab") as f:
        f.write(data[44 + 32_000 * 2 : 44 + 32_000 * 5])
    time.sleep(1.0)
    (tmp_path / "room.new").write_bytes(other)
    os.replace(tmp_path / "room.new", room)  # the recorder finalises by renaming a new file over it
    _, err = session.communicate(timeout=300)
    assert session.returncode == 1, err
    assert "[live_source]" in err and "another file was put in its place" in err
    transcript = json.loads((tmp_path / "room.json").read_text())
    assert any("another file was put in its place" in w for w in transcript["warnings"])


def test_following_a_file_the_recorder_has_not_created_yet_waits_for_it(tmp_path, jfk):
    import time

    data = _wav(jfk, tmp_path / "jfk.wav")
    later = tmp_path / "notyet.wav"
    session = _live(later, "--follow", "--idle", "2")
    time.sleep(8.0)  # longer than --idle, and than the model takes to load
    assert session.poll() is None, session.communicate()
    later.write_bytes(data)
    _, err = session.communicate(timeout=300)
    assert session.returncode == 0, err
    assert "waiting for" in err
    assert "fellow Americans" in json.loads((tmp_path / "notyet.json").read_text())["text"]
    missing = stt("live", tmp_path / "no-such-folder" / "x.wav", "--follow", *FAST)
    assert missing.exit_code == 3 and "not_found" in error_lines(missing)[0]


def test_listing_microphones_when_there_are_none_says_so(monkeypatch):
    import types

    fake = types.ModuleType("sounddevice")
    fake.PortAudioError = RuntimeError  # type: ignore[attr-defined]
    fake.default = types.SimpleNamespace(device=(-1, -1))  # type: ignore[attr-defined]
    fake.query_devices = lambda: []  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sounddevice", fake)
    result = stt("live", "--list-devices")
    assert result.exit_code == 3 and "no input device" in error_lines(result)[0]
