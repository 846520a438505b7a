"""What a batch reports: each file's outcome, the batch's result and exit code, its JSON summary, and the
events a front end listens to while it runs."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from stt_cli.errors import EXIT_ALL_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_SOME_FAILED, InputError, SttError
from stt_cli.fileio import atomic_write_text, text_of
from stt_cli.version import TOOL


class Status(StrEnum):
    done = "done"
    skipped = "skipped"  # outputs already current
    failed = "failed"
    pending = "pending"  # not attempted: the batch was interrupted or --fail-fast stopped it
    claimed = "claimed"  # another worker holds its claim (or took it over): that worker transcribes it


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one input.

    Attributes:
        source: the input.
        status: done, skipped, failed, pending, or claimed (by another worker).
        outputs: files written (or found current, when skipped).
        error: the failure, or ``None``.
        warnings: things worth saying about a successful transcript.
        duration: audio seconds, when decoding got that far.
        elapsed: wall-clock seconds spent on the file.
        review: the transcript's confidence and its review spans per kind (``review_summary``).
    """

    source: Path
    status: Status
    outputs: tuple[Path, ...] = ()
    error: SttError | None = None
    warnings: tuple[str, ...] = ()
    duration: float | None = None
    elapsed: float = 0.0
    review: dict[str, Any] | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileOutcome:
        """An outcome another worker process wrote with :meth:`to_dict` (its error keeps its code and text)."""
        error = None
        if data.get("code"):
            error = SttError(str(data.get("message") or data["code"]))
            error.code = str(data["code"])
        return cls(
            Path(data["input"]), Status(data["status"]), outputs=tuple(Path(p) for p in data.get("outputs", [])),
            error=error, warnings=tuple(data.get("warnings", [])), duration=data.get("duration"),
            elapsed=float(data.get("elapsed", 0.0)), review=data.get("review"),
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": text_of(self.source),
            "status": self.status.value,
            "code": self.error.code if self.error else None,
            "message": text_of(str(self.error)) if self.error else None,
            "warnings": list(self.warnings),
            "outputs": [text_of(p) for p in self.outputs],
            "duration": None if self.duration is None else round(self.duration, 3),
            "elapsed": round(self.elapsed, 3),
            "review": self.review,
        }


@dataclass(frozen=True)
class BatchResult:
    outcomes: tuple[FileOutcome, ...]
    interrupted: bool = False

    def count(self, status: Status) -> int:
        return sum(o.status is status for o in self.outcomes)

    @property
    def exit_code(self) -> int:
        """130 interrupted; 3 when nothing was done, skipped or left to another worker (nor written in part: a
        render that wrote some formats of a transcript and not others); 1 when some failed; else 0."""
        if self.interrupted:
            return EXIT_INTERRUPTED
        partly = sum(o.status is Status.failed and bool(o.outputs) for o in self.outcomes)
        if self.count(Status.done) + self.count(Status.skipped) + self.count(Status.claimed) + partly == 0:
            return EXIT_ALL_FAILED
        return EXIT_SOME_FAILED if self.count(Status.failed) else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": TOOL,
            "exit_code": self.exit_code,
            "interrupted": self.interrupted,
            "counts": {s.value: self.count(s) for s in Status},
            "audio_seconds_done": round(
                sum(o.duration or 0.0 for o in self.outcomes if o.status is Status.done), 3
            ),
            "files": [o.to_dict() for o in self.outcomes],
        }


class BatchEvents:
    """What a batch reports as it goes; the CLI subclasses this to show progress. Does nothing by default."""

    def file_started(self, index: int, count: int, source: Path) -> None:
        """``index`` is 1-based."""

    def progress(self, stage: str, completed: float, total: float) -> None:
        """Audio seconds done of ``total`` in ``stage``."""

    def file_finished(self, outcome: FileOutcome) -> None:
        """Called once per attempted input, whatever happened to it."""

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        """Around loading the models, once, before the first file (a front end may show a spinner)."""
        yield


def problem_outcomes(problems: tuple[InputError, ...]) -> tuple[FileOutcome, ...]:
    """Arguments that named nothing to transcribe, as failed outcomes of the batch."""
    return tuple(FileOutcome(p.path, Status.failed, error=p) for p in problems)


def write_summary(result: BatchResult, path: Path) -> None:
    """``--summary-json``: one JSON document for scripts and CI."""
    atomic_write_text(path, json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
