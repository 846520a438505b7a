"""What a batch is asked to do (``Job``, decided before any model is loaded) and a batch under way (``Batch``:
the job with its loaded recogniser), with the settings digests that tell a current output from a stale one."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from stt_cli.batch.shards import Shard
from stt_cli.case import CaseOptions
from stt_cli.options import WHO_SPEAKS, InputOptions, OutputOptions
from stt_cli.progress import ProgressHook, no_progress
from stt_cli.records import claims, resume
from stt_cli.types import SCHEMA_VERSION, Transcript


class FileTranscriber(Protocol):
    """What a batch needs of a recogniser (``pipeline.Transcriber`` is one)."""

    @property
    def model_sha256(self) -> str: ...

    def settings(self) -> dict[str, Any]: ...

    def transcribe(
        self, path: Path, *, limits: InputOptions | None = None, on_progress: ProgressHook = no_progress
    ) -> Transcript: ...

    def speakers_again(
        self, kept: Transcript, path: Path, *, limits: InputOptions | None = None,
        on_progress: ProgressHook = no_progress,
    ) -> Transcript: ...  # fmt: skip


@dataclass(frozen=True, kw_only=True)
class Job:
    """What to do with the inputs, decided before any model is loaded.

    Attributes:
        output: formats and where they go.
        limits: what inputs are accepted.
        overwrite: transcribe again even when current outputs exist (edited ones are moved aside).
        fail_fast: stop at the first failed file; the rest are reported pending.
        summary: where to write the batch summary as JSON, if anywhere.
        case: the hearing details and start time given for documents (``--meta``, ``--start-time``).
        shard: this worker's share of the inputs (``--shard``, or the scheduler's array variables).
        steal: once its shard is done, take others' recordings no worker has claimed.
        claim_timeout: seconds after which another worker's unrenewed claim is stale.
        worker: ``(i, n)`` for the i-th (0-based) of n ``--jobs`` workers: it starts i/n of the way into the
            inputs, so that the workers meet once rather than at every file.
    """

    output: OutputOptions
    limits: InputOptions = field(default_factory=InputOptions)
    overwrite: bool = False
    fail_fast: bool = False
    summary: Path | None = None
    case: CaseOptions = field(default_factory=CaseOptions)
    shard: Shard | None = None
    steal: bool = False
    claim_timeout: float = claims.DEFAULT_TIMEOUT
    worker: tuple[int, int] | None = None


@dataclass(frozen=True, kw_only=True)
class Batch:
    """A job under way: what to do, the loaded recogniser, and what the run fixed when it started.

    Attributes:
        protected: ``(device, inode)`` of every input of the run: no output may ever replace one.
        started_at: when the run started (a record written since is this run's, see ``_finished_in_this_run``).
    """

    job: Job
    transcriber: FileTranscriber
    protected: frozenset[tuple[int, int]] = frozenset()
    started_at: float = field(default_factory=time.time)

    def settings_digest(self, case: dict[str, Any]) -> str:
        """Fingerprint of everything that shapes the outputs (see ``resume``): what shapes the transcript, the
        formats' own options, and the case details a document shows."""
        return resume.fingerprint({**self._transcript_settings(), **self.job.output.settings(), "case": case})

    @functools.cached_property
    def transcript_digest(self) -> str:
        """Fingerprint of what shapes the transcript itself, not only a format of it (see ``reuse``)."""
        return resume.fingerprint(self._transcript_settings())

    @functools.cached_property
    def words_digest(self) -> str:
        """Fingerprint of what shapes the transcript's words, not who speaks them (see ``reuse.find_words``)."""
        return resume.fingerprint({k: v for k, v in self._transcript_settings().items() if k not in WHO_SPEAKS})

    def _transcript_settings(self) -> dict[str, Any]:
        shaping = {k: v for k, v in self.transcriber.settings().items() if k != "device"}
        return {
            "schema": SCHEMA_VERSION,
            "model_sha256": self.transcriber.model_sha256,
            **shaping,
            "allow_truncated": self.job.limits.allow_truncated,
            "audio_track": self.job.limits.audio_track,
        }
