"""How the library reports what it is doing: a progress hook the caller gives, and a clock for the record.

As pyannote does (``hook(step, artifact, completed=, total=)``), the library reports and the caller decides how
to show it: a progress bar at a terminal, nothing in a script.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from stt_cli.types import Provenance
from stt_cli.version import TOOL

# hook(stage, completed, total): stage is "transcribe" or "diarize" (completed/total in audio seconds), "load" (the
# models, loaded for the first recording that needs them: 0 of 1, then 1 of 1) or "wait" (the recording is
# claimed by a worker making other outputs of it: completed is the age of its claim's last renewal).
ProgressHook = Callable[[str, float, float], None]


def no_progress(stage: str, completed: float, total: float) -> None:
    """The hook that shows nothing (the default)."""
    return None


class StageClock:
    """Wall-clock start and end, and seconds per stage, for a transcript's provenance block."""

    def __init__(self) -> None:
        self.started_at = _now()
        self.started = self.last = time.perf_counter()
        self.stages: dict[str, float] = {}
        self.inside = 0.0

    def lap(self, stage: str) -> None:
        """Close ``stage``: the time since the last lap, less what :meth:`add` counted meanwhile."""
        now = time.perf_counter()
        self.stages[stage] = self.stages.get(stage, 0.0) + now - self.last - self.inside
        self.last = now
        self.inside = 0.0

    def add(self, stage: str, seconds: float) -> None:
        """Count time spent on ``stage`` inside another one (decoding runs interleaved with recognition)."""
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds
        self.inside += seconds

    def provenance(self, *, offline: bool, mode: str = "file") -> Provenance:
        from stt_cli.provenance import environment

        return Provenance(
            tool=TOOL,
            started_at=self.started_at,
            finished_at=_now(),
            stage_seconds=dict(self.stages),
            total_seconds=time.perf_counter() - self.started,
            offline=offline,
            mode=mode,
            environment=environment().to_dict(),
        )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
