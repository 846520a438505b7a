"""Shards: a stable, deterministic share of a batch for each worker of an array job.

A recording belongs to shard ``sha256(relative path) mod N``: the same file always lands in the same shard
whatever else the folder holds, on any machine, so a rerun of the array after more recordings arrived moves
none of the old ones to another worker. The split is only even on average (30 files in 3 shards measured 9, 10
and 11 on the test set); ``--steal`` lets a worker that finishes its own share help with the others' unclaimed
recordings, so one slow node or one long hearing does not hold up the batch.

The scheduler says which shard a worker is: Slurm job arrays set ``SLURM_ARRAY_TASK_ID`` (with
``SLURM_ARRAY_TASK_MIN``, ``SLURM_ARRAY_TASK_STEP`` and ``SLURM_ARRAY_TASK_COUNT``), Kubernetes Indexed Jobs
set ``JOB_COMPLETION_INDEX`` (0-based; the manifest gives the count as ``STT_SHARD_COUNT``, since Kubernetes
does not pass ``completions`` on).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from stt_cli.errors import UsageError
from stt_cli.inputs import InputFile


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (0-based) of ``count``, and where that was read from."""

    index: int
    count: int
    source: str = "--shard"

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise UsageError(f"shard {self.index + 1} of {self.count} does not exist (from {self.source})")

    @property
    def label(self) -> str:
        return f"{self.index + 1}/{self.count}"

    def owns(self, item: InputFile) -> bool:
        key = PurePath(item.relative_dir, item.path.name).as_posix().encode("utf-8", "surrogateescape")
        return int(hashlib.sha256(key).hexdigest()[:16], 16) % self.count == self.index


def parse_shard(text: str) -> Shard:
    """``K/N`` with ``1 <= K <= N`` (the K-th of N shards)."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise UsageError(f"--shard {text!r}: give K/N, e.g. 2/3 for the second of three shards") from None
    if n < 1:
        raise UsageError(f"--shard {text!r}: N must be 1 or more")
    return Shard(k - 1, n)


def from_environment(env: Mapping[str, str]) -> Shard | None:
    """The shard a scheduler's array variables give, or ``None`` outside an array job.

    Raises:
        UsageError: the variables are there but do not make sense (an Indexed Job without STT_SHARD_COUNT).
    """
    try:
        if "SLURM_ARRAY_TASK_ID" in env and "SLURM_ARRAY_TASK_COUNT" in env:
            task, first = int(env["SLURM_ARRAY_TASK_ID"]), int(env.get("SLURM_ARRAY_TASK_MIN", "0"))
            step = int(env.get("SLURM_ARRAY_TASK_STEP", "1")) or 1
            return Shard((task - first) // step, int(env["SLURM_ARRAY_TASK_COUNT"]), "Slurm's job array")
        if "JOB_COMPLETION_INDEX" in env:
            if "STT_SHARD_COUNT" not in env:
                raise UsageError(
                    "JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but STT_SHARD_COUNT is not: "
                    "set it to the Job's completions"
                )
            return Shard(int(env["JOB_COMPLETION_INDEX"]), int(env["STT_SHARD_COUNT"]), "the Indexed Job")
    except ValueError as e:
        raise UsageError(f"the scheduler's array variables cannot be read: {e}") from None
    return None


def in_order(files: Sequence[InputFile], shard: Shard | None, *, steal: bool) -> list[InputFile]:
    """This worker's recordings: its shard's, then (with ``steal``) everyone else's, which it only takes when
    no other worker has claimed them. Others' are taken from the end of their list, while their own worker
    works from the front: the two meet once, not at every file."""
    if shard is None:
        return list(files)
    mine = [f for f in files if shard.owns(f)]
    return mine + ([f for f in reversed(files) if not shard.owns(f)] if steal else [])
