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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from stt_cli.batch.inputs import InputFile
from stt_cli.errors import UsageError


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


def in_order(files: Sequence[InputFile], shard: Shard | None, *, steal: bool) -> list[InputFile]:
    """This worker's recordings: its shard's, then (with ``steal``) everyone else's, which it only takes when
    no other worker has claimed them. Others' are taken from the end of their list, while their own worker
    works from the front: the two meet once, not at every file."""
    if shard is None:
        return list(files)
    mine = [f for f in files if shard.owns(f)]
    return mine + ([f for f in reversed(files) if not shard.owns(f)] if steal else [])
