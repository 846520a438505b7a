"""A batch's state across all its workers (``stt status``), read from what every worker leaves beside the
outputs: records (done), failure notes (failed, with their codes), and claims (who is working on what, since
when, and which claims are stale). Nothing is asked of the workers themselves, so it works the same for one
process, ``--jobs``, or a Slurm array on fifty nodes.

"Done" here trusts a record whose recorded size matches the recording's: hashing every byte of a 5,000-hour
archive to print a status line would take hours. ``stt transcribe`` checks the sha256 before it skips a file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stt_cli.batch.inputs import Discovery, InputFile
from stt_cli.errors import InputError
from stt_cli.media.probe import check_readable
from stt_cli.options import OutputFormat, OutputOptions
from stt_cli.records import claims, failures, resume
from stt_cli.records.sidecars import Sidecars
from stt_cli.writers import output_path

STATES = ("done", "failed", "pending", "claimed", "stale")


@dataclass(frozen=True)
class FileState:
    """One recording's state.

    Attributes:
        source: the recording.
        state: ``done``, ``failed``, ``pending``, ``claimed`` (a live worker is on it) or ``stale`` (its
            worker stopped renewing the claim: the next worker to reach it takes it over).
        seconds: audio seconds: transcribed (done), else as the container declares (``None``: unknown).
        code: the failure's code.
        owner: ``host:pid`` of the claim's worker.
        since: when the claim was taken, or the failure met.
    """

    source: Path
    state: str
    seconds: float | None = None
    code: str | None = None
    owner: str | None = None
    since: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"input": str(self.source), "state": self.state, "seconds": self.seconds, "code": self.code,
                "owner": self.owner, "since": self.since}  # fmt: skip


@dataclass(frozen=True)
class BatchState:
    files: tuple[FileState, ...]

    def count(self, state: str) -> int:
        return sum(f.state == state for f in self.files)

    def hours(self, *, done: bool) -> float:
        return sum((f.seconds or 0.0) for f in self.files if (f.state == "done") == done) / 3600

    def codes(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for f in self.files:
            if f.code:
                found[f.code] = found.get(f.code, 0) + 1
        return found

    def to_dict(self) -> dict[str, Any]:
        return {
            "counts": {state: self.count(state) for state in STATES},
            "failed_codes": self.codes(),
            "audio_hours_done": round(self.hours(done=True), 3),
            "audio_hours_left": round(self.hours(done=False), 3),
            "files": [f.to_dict() for f in self.files],
        }


def readable(found: Discovery) -> tuple[list[InputError], list[InputFile]]:
    """The arguments that named nothing, and those that name no readable file (a mistyped path, a device), as
    problems; and the recordings whose state there is to tell."""
    problems = list(found.problems)
    recordings = []
    for item in found.files:
        try:
            check_readable(item.path)
        except InputError as e:
            problems.append(e)
            continue
        recordings.append(item)
    return problems, recordings


def batch_state(items: Iterable[InputFile], output: OutputOptions, *, timeout: float) -> BatchState:
    """The state of every recording, with outputs where ``output`` puts them."""
    return BatchState(tuple(file_state(item, output, timeout=timeout) for item in items))


def file_state(item: InputFile, output: OutputOptions, *, timeout: float) -> FileState:
    folder = output_path(item.path, OutputFormat.json, output, item.relative_dir).parent
    sidecars = Sidecars.of(item.path, folder)
    held = claims.read_claim(sidecars.claim)
    if held is not None:
        state = "stale" if held.stale(timeout) or held.dead() else "claimed"
        return FileState(item.path, state, _declared(item.path), owner=held.owner, since=held.since or None)
    record = resume.read_record(sidecars.record)
    try:
        size = item.path.stat().st_size
    except OSError:
        size = -1
    if record is not None and record.input_size == size:
        return FileState(item.path, "done", record.duration)
    failure = failures.read(sidecars.failure)
    if failure is not None:
        return FileState(
            item.path, "failed", _declared(item.path), code=failure.get("code"), since=failure.get("at")
        )
    return FileState(item.path, "pending", _declared(item.path))


def _declared(path: Path) -> float | None:
    """What the container says the audio lasts (its header only: nothing is decoded)."""
    from stt_cli.errors import SttError
    from stt_cli.media.probe import probe

    try:
        tracks = probe(path).tracks
    except (SttError, OSError):
        return None
    durations = [t.duration for t in tracks if t.duration]
    return max(durations) if durations else None
