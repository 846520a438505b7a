"""Many inputs with one loaded model: find them, check what can be checked before any work, skip what is done,
never let one file stop the others, and sum it up.

Three promises hold for every file of a batch: no output, temporary file or summary lands on an input or on
any recording; an output a person edited is never destroyed (it is kept, or moved aside with ``overwrite``);
and a transcript is only ever recorded as done for the bytes that were really transcribed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path

from stt_cli.batch.guards import check_summary_path, check_writable, identities
from stt_cli.batch.inputs import InputFile, discover
from stt_cli.batch.job import Batch, FileTranscriber, Job
from stt_cli.batch.outcomes import BatchEvents, BatchResult, FileOutcome, Status, problem_outcomes, write_summary
from stt_cli.batch.recording import process_file, targets_of
from stt_cli.batch.shards import in_order
from stt_cli.errors import InputError, InterruptedRunError, OutputClashError

__all__ = ["Batch", "BatchResult", "FileOutcome", "FileTranscriber", "Job", "process_file", "run", "run_batch"]


def run(
    inputs: list[str], job: Job, load: Callable[[], FileTranscriber], events: BatchEvents | None = None
) -> BatchResult:
    """Find the inputs; check the summary path and the output folder; load the models once (``load``), only if
    there is anything to do; transcribe every input; write the summary.

    Raises:
        UsageError: an argument is empty, or the summary would replace a recording.
        OutputUnwritableError: the output folder or the summary cannot be written (found before any work).
        ModelUnavailableError: the models cannot be loaded.
    """
    events = events or BatchEvents()
    found = discover(inputs)
    if job.summary is not None:
        check_summary_path(job.summary, [f.path for f in found.files])
    if not found.files:  # nothing to do: report what the arguments named, load no model
        result = BatchResult(problem_outcomes(found.problems))
        for outcome in result.outcomes:
            events.file_finished(outcome)
    else:
        if job.output.output_dir is not None:
            check_writable(job.output.output_dir)
        with events.loading():
            transcriber = load()
        items = in_order(found.files, job.shard, steal=job.steal)
        if job.worker is not None:
            first = job.worker[0] * len(items) // job.worker[1]
            items = items[first:] + items[:first]
        result = run_batch(Batch(job=job, transcriber=transcriber), items, events, problems=found.problems)
    if job.summary is not None:
        write_summary(result, job.summary)
    return result


def run_batch(
    batch: Batch,
    items: list[InputFile],
    events: BatchEvents | None = None,
    problems: tuple[InputError, ...] = (),
) -> BatchResult:
    """Transcribe every input in order.

    ``problems`` are arguments that named nothing (an empty folder, a pattern matching nothing); they are
    reported as failures first. Ctrl-C ends the batch after the current file's cleanup: it is reported as
    interrupted and the rest as pending.
    """
    events = events or BatchEvents()
    outcomes = list(problem_outcomes(problems))
    for outcome in outcomes:
        events.file_finished(outcome)
    if not batch.protected:
        batch = dataclasses.replace(batch, protected=identities([i.path for i in items]))
    claimed: dict[Path, Path] = {}
    for index, item in enumerate(items, start=1):
        if batch.job.fail_fast and any(o.status is Status.failed for o in outcomes):
            outcomes.extend(FileOutcome(i.path, Status.pending) for i in items[index - 1 :])
            break
        events.file_started(index, len(items), item.path)
        started = time.monotonic()
        targets = targets_of(item, batch.job.output)
        clash = next((claimed[t] for t in targets.values() if t in claimed), None)
        try:
            if clash is not None:
                outcome = FileOutcome(item.path, Status.failed, error=OutputClashError(item.path, clash))
            else:
                outcome = process_file(batch, item, targets, events.progress)
        except KeyboardInterrupt:
            stopped = FileOutcome(
                item.path, Status.failed, error=InterruptedRunError(item.path), elapsed=time.monotonic() - started
            )
            events.file_finished(stopped)
            outcomes.append(stopped)
            outcomes.extend(FileOutcome(i.path, Status.pending) for i in items[index:])
            return BatchResult(tuple(outcomes), interrupted=True)
        claimed.update(dict.fromkeys(outcome.outputs, item.path))
        outcomes.append(outcome)
        events.file_finished(outcome)
    return BatchResult(tuple(outcomes))
