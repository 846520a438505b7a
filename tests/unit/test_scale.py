"""Claims, shards, failure notes and status without a model (the stub transcriber of test_batch). The same
paths run with real workers and the real model in tests/cli/test_scale.py, and under Slurm in
tests/system/test_slurm.py."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from stt_cli.batch.inputs import InputFile
from stt_cli.batch.outcomes import Status
from stt_cli.batch.shards import Shard, in_order
from stt_cli.batch.status import batch_state
from stt_cli.cli.parse import parse_shard
from stt_cli.cli.parse import shard_from_environment as from_environment
from stt_cli.errors import EmptyAudioError, UsageError
from stt_cli.options import OutputOptions
from stt_cli.records import claims
from stt_cli.records.sidecars import Sidecars
from tests.unit.test_batch import Stub, files, run


def write_claim(path: Path, *, host: str, pid: int, age: float) -> None:
    path.write_text(json.dumps({"host": host, "pid": pid, "since": "2026-11-21T09:00:00+00:00", "token": "x"}))
    then = time.time() - age
    os.utime(path, (then, then))


def test_a_claim_is_exclusive_renewed_and_released(tmp_path: Path) -> None:
    source = tmp_path / "a.wav"
    mine = claims.try_claim(Sidecars.of(source, tmp_path).claim, timeout=0.4)
    assert isinstance(mine, claims.Claim)
    other = claims.try_claim(Sidecars.of(source, tmp_path).claim, timeout=0.4)
    assert isinstance(other, claims.ClaimInfo) and other.owner == f"{socket.gethostname()}:{os.getpid()}"
    time.sleep(0.6)  # past the timeout: renewals keep it fresh
    assert isinstance(claims.try_claim(Sidecars.of(source, tmp_path).claim, timeout=0.4), claims.ClaimInfo)
    mine.release()
    assert not Sidecars.of(source, tmp_path).claim.exists()


def test_a_stale_claim_is_taken_over_and_a_live_one_is_not(tmp_path: Path) -> None:
    source = tmp_path / "a.wav"
    path = Sidecars.of(source, tmp_path).claim
    write_claim(path, host="node-7", pid=1234, age=5.0)  # another machine, renewed 5 s ago
    held = claims.try_claim(Sidecars.of(source, tmp_path).claim, timeout=60)
    assert isinstance(held, claims.ClaimInfo) and held.owner == "node-7:1234"
    taken = claims.try_claim(Sidecars.of(source, tmp_path).claim, timeout=2)
    assert isinstance(taken, claims.Claim)
    # The old owner, were it only frozen, finds out that it lost the claim.
    taken.release()


def test_a_claim_of_a_process_gone_from_this_host_is_stale_at_once(tmp_path: Path) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    write_claim(Sidecars.of(tmp_path / "a.wav", tmp_path).claim, host=socket.gethostname(), pid=gone.pid, age=0)
    assert isinstance(claims.try_claim(Sidecars.of(tmp_path / "a.wav", tmp_path).claim, timeout=600), claims.Claim)


def test_a_worker_that_lost_its_claim_writes_nothing(tmp_path: Path) -> None:
    items = files(tmp_path, "a.wav")

    class Stalled(Stub):
        def transcribe(self, path, **kwargs):  # type: ignore[no-untyped-def]
            done = super().transcribe(path, **kwargs)
            # Meanwhile another worker judged this one dead and took the recording over.
            Sidecars.of(path, tmp_path).claim.write_text(json.dumps({"host": "n2", "pid": 9, "since": "",
                                                                     "token": "theirs"}))  # fmt: skip
            return done

    result = run(Stalled(), items)
    assert result.outcomes[0].status is Status.claimed and result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".a.stt.claim", "a.wav"]


def test_a_recording_claimed_by_a_live_worker_is_left_to_it(tmp_path: Path) -> None:
    items = files(tmp_path, "a.wav", "b.wav")
    write_claim(Sidecars.of(items[0].path, tmp_path).claim, host="node-2", pid=77, age=1.0)
    stub = Stub()
    result = run(stub, items)
    assert [o.status for o in result.outcomes] == [Status.claimed, Status.done] and stub.calls == ["b.wav"]
    assert "node-2:77" in result.outcomes[0].warnings[0] and result.exit_code == 0
    assert not Sidecars.of(items[1].path, tmp_path).claim.exists(), "released after the file"


def test_failures_are_noted_for_status_and_cleared_by_a_success(tmp_path: Path) -> None:
    items = files(tmp_path, "a.wav", "b.wav", "c.wav")
    run(Stub(fails={"b.wav": EmptyAudioError(tmp_path / "b.wav")}), items[:2])
    write_claim(Sidecars.of(items[2].path, tmp_path).claim, host="node-3", pid=5, age=700)
    state = batch_state(items, OutputOptions(), timeout=600)
    assert [f.state for f in state.files] == ["done", "failed", "stale"]
    assert state.files[1].code == "empty_audio" and state.files[2].owner == "node-3:5"
    assert state.to_dict()["audio_hours_done"] == round(3.0 / 3600, 3)
    run(Stub(), items[1:2])
    assert batch_state(items[1:2], OutputOptions(), timeout=600).files[0].state == "done"


def test_shards_split_every_file_exactly_once_and_stay_put() -> None:
    items = [InputFile(Path(f"/in/day{d}/{n:03d}.wav"), Path(f"day{d}")) for d in range(3) for n in range(40)]
    owners = [[s for s in range(3) if Shard(s, 3).owns(i)] for i in items]
    assert all(len(o) == 1 for o in owners)
    assert min(sum(o == [s] for o in owners) for s in range(3)) > 25  # roughly even
    # A folder that grows moves no file to another shard.
    more = [*items, InputFile(Path("/in/day9/new.wav"), Path("day9"))]
    assert [Shard(1, 3).owns(i) for i in items] == [Shard(1, 3).owns(i) for i in more[:-1]]
    mine = in_order(items, Shard(1, 3), steal=True)
    assert len(mine) == len(items) and all(Shard(1, 3).owns(i) for i in mine[: sum(o == [1] for o in owners)])


def test_the_shard_comes_from_the_option_or_the_scheduler() -> None:
    assert parse_shard("2/3") == Shard(1, 3)
    with pytest.raises(UsageError):
        parse_shard("4/3")
    slurm = {"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_STEP": "2",
             "SLURM_ARRAY_TASK_COUNT": "3"}  # fmt: skip
    assert from_environment(slurm) == Shard(2, 3, "Slurm's job array")  # --array=1-5:2, the third task
    assert from_environment({"JOB_COMPLETION_INDEX": "0", "STT_SHARD_COUNT": "4"}) == Shard(
        0, 4, "the Indexed Job"
    )
    with pytest.raises(UsageError, match="STT_SHARD_COUNT"):
        from_environment({"JOB_COMPLETION_INDEX": "0"})
    assert from_environment({}) is None
