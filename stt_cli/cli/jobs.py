"""``stt transcribe --jobs N``: N worker processes on this machine that share one batch through claims, as
workers on many machines do, each with its share of the CPU threads.

Why processes and not one process with every thread: CTranslate2 spreads one decode over the threads it is
given, but much of a file's time is spent where it cannot (decoding the audio, VAD, the beam's bookkeeping in
Python, diarization's clustering); two workers of one thread each keep both cores busy (bench/scale.py measures
it). Each worker is a fresh interpreter (``spawn``), loads its own model, prints its own lines, and writes its
own summary; this process waits for them and sums them up. Ctrl-C reaches every worker (they share the
terminal's process group); a SIGTERM sent to this process alone is passed on to them.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
from dataclasses import replace
from pathlib import Path

from stt_cli.batch.outcomes import BatchResult, FileOutcome, Status, write_summary
from stt_cli.cli.plan import TranscribeArgs

# When two workers report the same recording, the more final word wins: done by one, "claimed" by the other.
_RANK = {Status.done: 0, Status.skipped: 1, Status.failed: 2, Status.claimed: 3, Status.pending: 4}


def workers_for(args: TranscribeArgs) -> int:
    """How many workers to start: ``--jobs``, but no more than there are recordings, since each loads a model
    (``--jobs 8`` for one file took 13 s against 4.8 s for one job)."""
    from stt_cli.batch.inputs import discover

    return max(1, min(args.jobs, len(discover(list(args.inputs)).files)))


def run_jobs(args: TranscribeArgs, jobs: int) -> BatchResult:
    """Run ``jobs`` workers over the batch ``args`` describes; their outcomes merged, one per recording."""
    import multiprocessing

    threads = args.threads or max(1, (os.cpu_count() or 1) // jobs)
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="stt-jobs-") as folder:
        summaries = [Path(folder) / f"worker-{i + 1}.json" for i in range(jobs)]
        each = replace(args, threads=threads, jobs=1)
        workers = [context.Process(target=_worker, args=(each, (i, jobs), summaries[i])) for i in range(jobs)]
        for worker in workers:
            worker.start()
        try:
            for worker in workers:
                worker.join()
        except KeyboardInterrupt:  # SIGTERM (or Ctrl-C) to this process: the workers stop cleanly too
            for worker in workers:
                if worker.pid is not None and worker.is_alive():
                    os.kill(worker.pid, signal.SIGTERM)
            for worker in workers:
                worker.join()
        result = _merged(summaries)
    if args.summary_json is not None:
        write_summary(result, args.summary_json)
    return result


def _worker(args: TranscribeArgs, worker: tuple[int, int], summary: Path) -> None:
    """One worker: the batch as ``stt transcribe`` runs it, with this worker's place among the others."""
    import sys

    from stt_cli.batch import run as batch
    from stt_cli.cli.common import configure_logging
    from stt_cli.cli.display import LineEvents, interrupts, say
    from stt_cli.cli.plan import plan
    from stt_cli.errors import SttError

    interrupts.install()
    configure_logging(args.verbose)
    try:
        planned = plan(replace(args, summary_json=summary), worker=worker)
        result = batch.run(list(args.inputs), planned.job, planned.load, LineEvents(args.quiet))
    except SttError as error:
        say(f"stt: worker {worker[0] + 1}: error [{error.code}]: {error}")
        sys.exit(error.exit_code)
    except KeyboardInterrupt:  # while loading the model
        sys.exit(130)
    sys.exit(result.exit_code)


def _merged(summaries: list[Path]) -> BatchResult:
    best: dict[str, FileOutcome] = {}
    interrupted = False
    for path in summaries:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # a worker that died before its summary: its files show as pending
            interrupted = True
            continue
        interrupted = interrupted or bool(data.get("interrupted"))
        for item in data["files"]:
            outcome = FileOutcome.from_dict(item)
            known = best.get(item["input"])
            if known is None or _RANK[outcome.status] < _RANK[known.status]:
                best[item["input"]] = outcome
    return BatchResult(tuple(best.values()), interrupted=interrupted)
