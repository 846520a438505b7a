"""Many workers over one folder, with the real tiny.en model on real speech: each recording exactly once with
claims alone, with shards, and with ``--jobs``; a worker killed with SIGKILL mid-file has its file finished by
another; Ctrl-C leaves no claim; ``stt status`` counts right while a worker runs; and a Slurm array job on a real
single-node Slurm cluster (Debian's slurm-wlm and munge) transcribes 30 Indonesian recordings exactly once."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.support import slurm
from tests.support.media import load_mono16k, write_wav

pytestmark = [pytest.mark.integration, pytest.mark.system]

DATA = Path(__file__).resolve().parent.parent / "data"
ROOT = DATA.parent.parent
ENGLISH = [*sorted((DATA / "en_librispeech").glob("*.flac")), DATA / "en_jfk" / "jfk.flac"]


def stt_process(*args: object, **popen: object) -> subprocess.Popen:
    command = [sys.executable, "-m", "stt_cli", *map(str, args)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)  # type: ignore[call-overload]


def folder_of(tmp: Path, sources: list[Path]) -> Path:
    folder = tmp / "recordings"
    folder.mkdir()
    for source in sources:
        shutil.copy(source, folder / source.name)
    return folder


def long_recording(folder: Path, name: str = "long-hearing.wav") -> Path:
    """80 s of real speech: long enough for a worker to be stopped in the middle of it."""
    parts = [load_mono16k(p) for p in ENGLISH[:7]] * 2
    return write_wav(folder / name, np.concatenate(parts))


def done_by_worker(summaries: list[Path]) -> dict[str, list[int]]:
    """Recording -> the workers (by summary) that transcribed it."""
    who: dict[str, list[int]] = {}
    for index, summary in enumerate(summaries):
        for item in json.loads(summary.read_text())["files"]:
            if item["status"] == "done":
                who.setdefault(Path(item["input"]).name, []).append(index)
    return who


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*") if p.suffix in (".claim", ".failed") or ".stale-" in p.name)


@pytest.mark.parametrize("sharded", [False, True], ids=["claims", "shards"])
def test_three_workers_over_one_folder_do_each_recording_once(tmp_path, sharded) -> None:
    recordings = folder_of(tmp_path, ENGLISH)
    out = tmp_path / "out"
    summaries = [tmp_path / f"worker-{k}.json" for k in range(3)]
    workers = [
        stt_process("transcribe", recordings, "-m", "tiny.en", "-f", "json,srt", "-o", out, "--threads", 1,
                    "--summary-json", summaries[k], *(("--shard", f"{k + 1}/3", "--steal") if sharded else ()))
        for k in range(3)
    ]  # fmt: skip
    for worker in workers:
        _, stderr = worker.communicate(timeout=300)
        assert worker.returncode == 0, stderr.decode()
    who = done_by_worker(summaries)
    assert sorted(who) == sorted(p.name for p in ENGLISH)
    assert all(len(workers) == 1 for workers in who.values()), who
    assert len({w[0] for w in who.values()}) >= 2, "the work was shared"
    assert sorted(p.name for p in out.glob("*.srt")) == sorted(f"{p.stem}.srt" for p in ENGLISH)
    assert leftovers(out) == []


def test_jobs_share_one_batch_between_worker_processes(tmp_path) -> None:
    recordings = folder_of(tmp_path, ENGLISH)
    summary = tmp_path / "summary.json"
    run = stt_process(
        "transcribe", recordings, "-m", "tiny.en", "-f", "txt", "--jobs", 2, "--summary-json", summary
    )
    _, stderr = run.communicate(timeout=300)
    assert run.returncode == 0, stderr.decode()
    data = json.loads(summary.read_text())
    assert data["counts"]["done"] == len(ENGLISH) and len(data["files"]) == len(ENGLISH)
    assert sorted(p.name for p in recordings.glob("*.txt")) == sorted(f"{p.stem}.txt" for p in ENGLISH)
    assert leftovers(recordings) == []


def wait_for_claim(folder: Path, process: subprocess.Popen, timeout: float = 120) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        found = list(folder.glob(".*.stt.claim"))
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the worker never claimed a recording")


def test_a_worker_killed_mid_file_leaves_a_claim_another_worker_takes_over(tmp_path) -> None:
    folder = tmp_path / "recordings"
    folder.mkdir()
    long_recording(folder)
    first = stt_process("transcribe", folder, "-m", "tiny.en", "-f", "json")
    claim = wait_for_claim(folder, first)
    time.sleep(1.0)  # well into the file
    first.kill()
    first.wait()
    assert claim.exists() and not (folder / "long-hearing.json").exists()
    second = stt_process("transcribe", folder, "-m", "tiny.en", "-f", "json", "--claim-timeout", "5")
    _, stderr = second.communicate(timeout=300)
    assert second.returncode == 0, stderr.decode()
    assert json.loads((folder / "long-hearing.json").read_text())["duration"] > 75
    assert leftovers(folder) == []


def test_ctrl_c_leaves_no_claim_and_status_counts_while_a_worker_runs(tmp_path) -> None:
    folder = folder_of(tmp_path, ENGLISH[:2])
    long_recording(folder, "zz-long-hearing.wav")
    worker = stt_process("transcribe", folder, "-m", "tiny.en", "-f", "json")
    claim = wait_for_claim(folder, worker)
    while "zz-long" not in claim.name:  # the two short ones come first
        claim = wait_for_claim(folder, worker)
    status = subprocess.run([sys.executable, "-m", "stt_cli", "status", folder, "--json"], capture_output=True)
    state = json.loads(status.stdout)
    assert status.returncode == 1  # not all done yet
    assert state["counts"] == {"done": 2, "failed": 0, "pending": 0, "claimed": 1, "stale": 0}
    claimed = next(f for f in state["files"] if f["state"] == "claimed")
    assert claimed["owner"].endswith(f":{worker.pid}") and claimed["seconds"] == pytest.approx(80, abs=5)
    worker.send_signal(signal.SIGINT)
    _, stderr = worker.communicate(timeout=60)
    assert worker.returncode == 130, stderr.decode()
    assert leftovers(folder) == [] and not (folder / "zz-long-hearing.json").exists()
    after = json.loads(subprocess.run([sys.executable, "-m", "stt_cli", "status", folder, "--json"],
                                      capture_output=True).stdout)  # fmt: skip
    assert after["counts"]["pending"] == 1 and after["counts"]["done"] == 2


@pytest.mark.skipif(slurm.available() is not None, reason=str(slurm.available()))
def test_a_slurm_array_job_transcribes_thirty_recordings_exactly_once(tmp_path) -> None:
    clips = sorted((DATA / "id_commonvoice").glob("*.flac"))[:30]
    assert len(clips) == 30
    recordings = folder_of(tmp_path, clips)
    out = tmp_path / "transcripts"
    script = ROOT / "examples" / "slurm" / "transcribe-array.sbatch"
    with slurm.local_cluster(tmp_path / "slurm") as env:
        env = {**env, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}
        job = subprocess.run(
            ["sbatch", "--wait", "--array=0-2", "--cpus-per-task=1", f"--output={tmp_path}/task-%a.log",
             str(script), str(recordings), str(out), "-m", "base", "-l", "id", "-f", "json,srt"],
            env=env, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
    logs = "".join(p.read_text() for p in sorted(tmp_path.glob("task-*.log")))
    assert job.returncode == 0, job.stderr + logs
    summaries = sorted(out.glob(".summary-*.json"))
    assert len(summaries) == 3, logs
    who = done_by_worker(summaries)
    assert sorted(who) == sorted(c.name for c in clips), logs
    assert all(len(w) == 1 for w in who.values()), who  # exactly once
    assert sorted(p.name for p in out.glob("*.srt")) == sorted(f"{c.stem}.srt" for c in clips)
    assert leftovers(out) == []
    status = subprocess.run([sys.executable, "-m", "stt_cli", "status", recordings, "-o", out, "--json"],
                            capture_output=True)  # fmt: skip
    assert status.returncode == 0 and json.loads(status.stdout)["counts"]["done"] == 30
