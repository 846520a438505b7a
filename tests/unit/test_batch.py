"""Batch behaviour without a model: a stub transcriber stands in for Whisper, so exit codes, fail-fast, pending
files, interruptions, clashes and skips are checked in milliseconds. (The same paths run with the real model
in tests/cli/.)"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from stt_cli.batch import run as batch
from stt_cli.batch.inputs import InputFile
from stt_cli.batch.outcomes import BatchEvents, Status
from stt_cli.errors import EmptyAudioError, SttError
from stt_cli.fileio import sha256_file
from stt_cli.options import InputOptions, OutputFormat, OutputOptions
from stt_cli.progress import ProgressHook, no_progress
from stt_cli.types import InputInfo, Transcript
from tests.support.builders import transcript

FORMATS = OutputOptions(formats=(OutputFormat.json, OutputFormat.txt))


@dataclasses.dataclass
class Stub:
    """Transcribes any file into the same two sentences; fails or interrupts on the names it is told."""

    fails: dict[str, BaseException] = dataclasses.field(default_factory=dict)
    calls: list[str] = dataclasses.field(default_factory=list)
    shaping: dict[str, Any] = dataclasses.field(default_factory=dict)  # more settings, as a run would have them
    again: list[str] = dataclasses.field(default_factory=list)  # the recordings whose speakers were found again

    @property
    def model_sha256(self) -> str:
        return "0" * 64

    def settings(self) -> dict[str, Any]:
        return {"model": "stub", **self.shaping}

    def speakers_again(
        self, kept: Transcript, path: Path, *, limits: InputOptions | None = None,
        on_progress: ProgressHook = no_progress,
    ) -> Transcript:  # fmt: skip
        self.again.append(path.name)
        return dataclasses.replace(kept, settings=self.settings())

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = no_progress
    ) -> Transcript:
        self.calls.append(path.name)
        if path.name in self.fails:
            raise self.fails[path.name]
        on_progress("transcribe", 1.0, 1.0)
        source = InputInfo(str(path), path.stat().st_size, sha256_file(path), "wav", "pcm_s16le", 3.0)
        return transcript(input=source, duration=3.0)


def files(folder: Path, *names: str) -> list[InputFile]:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(b"RIFF" + name.encode())
    return [InputFile(folder / name) for name in names]


def run(stub: Stub, items: list[InputFile], **settings: Any) -> batch.BatchResult:
    job = batch.Job(output=settings.pop("output", FORMATS), **settings)
    return batch.run_batch(batch.Batch(job=job, transcriber=stub), items)


def test_every_file_done_exits_0_and_a_rerun_skips_them_all(tmp_path):
    stub = Stub()
    items = files(tmp_path, "a.wav", "b.wav")
    result = run(stub, items)
    assert [o.status for o in result.outcomes] == [Status.done, Status.done] and result.exit_code == 0
    assert (tmp_path / ".a.stt.json").is_file() and (tmp_path / "b.txt").read_text().startswith("Order in court.")
    again = run(stub, items)
    assert [o.status for o in again.outcomes] == [Status.skipped] * 2 and again.exit_code == 0
    assert stub.calls == ["a.wav", "b.wav"], "nothing transcribed twice"


def test_one_failure_is_that_files_alone_and_exits_1(tmp_path):
    stub = Stub(fails={"b.wav": EmptyAudioError(tmp_path / "b.wav")})
    result = run(stub, files(tmp_path, "a.wav", "b.wav", "c.wav"))
    assert [o.status.value for o in result.outcomes] == ["done", "failed", "done"]
    assert result.outcomes[1].error is not None and result.outcomes[1].error.code == "empty_audio"
    assert result.exit_code == 1
    assert not (tmp_path / "b.json").exists() and not (tmp_path / ".b.stt.json").exists()


def test_nothing_done_exits_3_and_fail_fast_leaves_the_rest_pending(tmp_path):
    items = files(tmp_path, "a.wav", "b.wav", "c.wav")
    stub = Stub(fails={n: EmptyAudioError(tmp_path / n) for n in ("a.wav", "b.wav", "c.wav")})
    assert run(stub, items).exit_code == 3
    result = run(Stub(fails={"a.wav": EmptyAudioError(tmp_path / "a.wav")}), items, fail_fast=True)
    assert [o.status.value for o in result.outcomes] == ["failed", "pending", "pending"]
    assert result.exit_code == 3


def test_ctrl_c_stops_after_cleaning_up_the_current_file(tmp_path):
    stub = Stub(fails={"b.wav": KeyboardInterrupt()})
    result = run(stub, files(tmp_path, "a.wav", "b.wav", "c.wav"))
    assert result.interrupted and result.exit_code == 130
    assert [o.status.value for o in result.outcomes] == ["done", "failed", "pending"]
    assert result.outcomes[1].error is not None and result.outcomes[1].error.code == "interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".a.stt.json",
        ".a.stt.transcript.json",
        "a.json",
        "a.txt",
        "a.wav",
        "b.wav",
        "c.wav",
    ]


def test_an_unexpected_error_is_one_files_internal_error_and_the_batch_goes_on(tmp_path, caplog):
    stub = Stub(fails={"a.wav": ValueError("a bug")})
    result = run(stub, files(tmp_path, "a.wav", "b.wav"))
    assert [o.error.code if o.error else o.status.value for o in result.outcomes] == ["internal_error", "done"]
    assert "a bug" in caplog.text, "the traceback is in the log for -v"


def test_two_inputs_with_one_output_name_clash(tmp_path):
    items = files(tmp_path / "day1", "hearing.wav") + files(tmp_path / "day2", "hearing.wav")
    output = dataclasses.replace(FORMATS, output_dir=tmp_path / "out")
    result = run(Stub(), items, output=output)
    assert [o.error.code if o.error else o.status.value for o in result.outcomes] == ["done", "output_clash"]


def test_an_input_named_like_an_output_is_never_written_over(tmp_path):
    items = files(tmp_path, "notes.txt")  # a recording called .txt: its TXT output would be itself
    before = (tmp_path / "notes.txt").read_bytes()
    result = run(Stub(), items)
    assert result.outcomes[0].error is not None and result.outcomes[0].error.code == "output_clash"
    assert (tmp_path / "notes.txt").read_bytes() == before


def test_run_loads_no_model_when_the_arguments_name_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    loaded: list[bool] = []
    job = batch.Job(output=FORMATS, summary=tmp_path / "summary.json")

    def load() -> Stub:
        loaded.append(True)
        return Stub()

    result = batch.run([str(tmp_path / "empty")], job, load)
    assert loaded == [] and result.exit_code == 3
    assert json.loads((tmp_path / "summary.json").read_text())["files"][0]["code"] == "no_media_found"


def test_run_checks_the_summary_and_output_folder_before_loading(tmp_path):
    files(tmp_path, "a.wav")
    loaded: list[bool] = []

    def load() -> Stub:
        loaded.append(True)
        return Stub()

    with pytest.raises(SttError, match="cannot write the summary"):
        batch.run([str(tmp_path / "a.wav")], batch.Job(output=FORMATS, summary=Path("/proc/no/s.json")), load)
    blocked = tmp_path / "blocker"
    blocked.write_text("a file where the output folder should be")
    with pytest.raises(SttError, match="cannot write"):
        batch.run(
            [str(tmp_path / "a.wav")],
            batch.Job(output=dataclasses.replace(FORMATS, output_dir=blocked / "x")),
            load,
        )
    assert loaded == []


def test_events_hear_every_file_in_order(tmp_path):
    heard: list[str] = []

    class Events(BatchEvents):
        def file_started(self, index: int, count: int, source: Path) -> None:
            heard.append(f"start {index}/{count} {source.name}")

        def file_finished(self, outcome: batch.FileOutcome) -> None:
            heard.append(f"end {outcome.source.name} {outcome.status.value}")

    batch.run_batch(
        batch.Batch(job=batch.Job(output=FORMATS), transcriber=Stub()), files(tmp_path, "a.wav", "b.wav"), Events()
    )
    assert heard == ["start 1/2 a.wav", "end a.wav done", "start 2/2 b.wav", "end b.wav done"]


def test_a_rerun_that_changes_only_who_speaks_finds_the_speakers_again_without_recognition(tmp_path):
    items = files(tmp_path, "a.wav")
    first = Stub(shaping={"diarize": True, "num_speakers": 2, "beam_size": 5})
    assert run(first, items).exit_code == 0 and first.calls == ["a.wav"]
    # The count, the voice library's voices, a roster: who speaks, not what was said.
    for change in ({"num_speakers": 3}, {"speaker_library_voices": "ab12"}, {"roster": [{"role": "saksi"}]}):
        again = Stub(shaping={**first.shaping, **change})
        result = run(again, items)
        assert result.exit_code == 0 and again.calls == [] and again.again == ["a.wav"], change
        assert "speakers found again" in " ".join(result.outcomes[0].warnings)
        kept = json.loads((tmp_path / "a.json").read_text())
        assert kept["settings"] == again.settings()
    # Another beam is other words: recognised again.
    other = Stub(shaping={**first.shaping, "beam_size": 8})
    assert run(other, items).exit_code == 0 and other.calls == ["a.wav"] and other.again == []


def test_overwrite_recognises_again_even_when_only_who_speaks_changed(tmp_path):
    items = files(tmp_path, "a.wav")
    run(Stub(shaping={"num_speakers": 2}), items)
    again = Stub(shaping={"num_speakers": 3})
    assert run(again, items, overwrite=True).exit_code == 0 and again.calls == ["a.wav"] and again.again == []
