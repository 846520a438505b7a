"""How the command shows what the library reports: one line per file (or a bar at a terminal), errors as
``stt: error [code]: …``, the summary table; and writing to streams and handling signals so that neither a
closed pipe nor a late Ctrl-C can spoil a finished run."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from rich.console import Console

from stt_cli.batch.outcomes import BatchEvents, BatchResult, FileOutcome, Status
from stt_cli.errors import SttError
from stt_cli.fileio import shown

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# Library messages name the library's parameters in backticks (`beam_size`): the CLI's flag is the name with
# dashes (--beam-size), except where the option is named otherwise, as here.
_FLAG_OF = {"token": "--hf-token", "summary": "--summary-json", "formats": "--format"}
_PARAMETER = re.compile(r"`([a-z_]+)`")


class SafeConsole(Console):
    """Rich's console, except that a closed pipe is the caller's to handle: rich's own answer is
    ``sys.exit(1)``, which silently killed a batch whose stderr was piped into ``head -1``."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


stderr = SafeConsole(stderr=True, highlight=False, soft_wrap=True)
stdout = SafeConsole(highlight=False, soft_wrap=True)


@contextlib.contextmanager
def guarded(stream: TextIO) -> Iterator[None]:
    """Write to ``stream``; if it breaks (``2>&1 | head -1`` closed the pipe, the disk filled), send the rest of
    the run's writes to /dev/null: the transcripts are files, and the batch goes on to the end and exits with
    its own code. Once silenced, writes go to /dev/null and succeed."""
    try:
        yield
        stream.flush()
    except OSError:
        silence(stream)


def silence(stream: TextIO) -> None:
    """Point ``stream``'s file descriptor at /dev/null, so that Python's own flush at exit cannot fail."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)


def with_flags(message: str) -> str:
    """A library message as the command line user reads it: ```beam_size``` becomes ``--beam-size``."""

    def flag(match: re.Match[str]) -> str:
        name = match.group(1)
        return _FLAG_OF.get(name, f"--{name.replace('_', '-')}")

    return _PARAMETER.sub(flag, message)


def say(line: str) -> None:
    """One line on stderr, names made safe to show; a broken stderr never stops the batch."""
    import sys

    with guarded(sys.stderr):
        stderr.print(shown(line), markup=False)


def error_line(error: SttError) -> str:
    """The one way an error is shown: ``stt: error [code]: what is wrong; what to do``."""
    return f"stt: error [{error.code}]: {with_flags(str(error))}"


def print_outcome(outcome: FileOutcome, quiet: bool) -> None:
    if outcome.error is not None:
        say(error_line(outcome.error))
        for warning in outcome.warnings:
            say(f"stt: warning: {outcome.source}: {with_flags(warning)}")
        if outcome.outputs and not quiet:  # stt render wrote the formats it could
            say(f"done: {outcome.source} -> {', '.join(str(p) for p in outcome.outputs)}")
        return
    if outcome.status is Status.claimed:  # another worker's: nothing for this one to warn about
        if not quiet:
            say(f"claimed: {outcome.source} ({'; '.join(outcome.warnings)})")
        return
    for warning in outcome.warnings:
        say(f"stt: warning: {outcome.source}: {with_flags(warning)}")
    if quiet:
        return
    names = ", ".join(str(p) for p in outcome.outputs)
    if outcome.status is Status.skipped:
        say(f"skipped: {outcome.source} (current transcripts exist: {names}; --overwrite to redo)")
        return
    if outcome.duration is None:  # rendered from a transcript: no audio was heard
        say(f"done: {outcome.source} -> {names}")
        return
    speed = (
        f", {outcome.duration / outcome.elapsed:.1f}x real time" if outcome.elapsed and outcome.duration else ""
    )
    say(f"done: {outcome.source} ({outcome.duration or 0:.1f} s audio{speed}) -> {names}")


def print_summary(result: BatchResult) -> None:
    import sys

    from rich.table import Table

    table = Table(title="stt summary", title_justify="left", show_edge=False, pad_edge=False)
    for column in ("status", "files", "audio h", "codes"):
        table.add_column(column, justify="right" if column in ("files", "audio h") else "left")
    for status in Status:
        group = [o for o in result.outcomes if o.status is status]
        if not group:
            continue
        codes: dict[str, int] = {}
        for o in group:
            if o.error is not None:
                codes[o.error.code] = codes.get(o.error.code, 0) + 1
        hours = sum(o.duration or 0.0 for o in group) / 3600
        table.add_row(
            status.value,
            str(len(group)),
            f"{hours:.2f}" if status is Status.done else "",
            ", ".join(f"{code} {n}" for code, n in sorted(codes.items())),
        )
    with guarded(sys.stderr):
        stderr.print(table)


class LineEvents(BatchEvents):
    """One line per file: for logs, CI and pipes. The last file's end disarms Ctrl-C (see :class:`Interrupts`)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.last = False

    def file_started(self, index: int, count: int, source: Path) -> None:
        self.last = index == count

    def file_finished(self, outcome: FileOutcome) -> None:
        if self.last:
            interrupts.done()  # nothing is left to stop: the run is as good as finished
        print_outcome(outcome, self.quiet)


class BarEvents(LineEvents):
    """A rich bar per file, in audio seconds, with an ETA: for people at a terminal."""

    def __init__(self, quiet: bool) -> None:
        super().__init__(quiet)
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

        self.bar: Progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[audio]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=stderr,
            transient=True,
        )
        self.task: TaskID | None = None
        self.stage = ""

    @contextlib.contextmanager
    def loading(self) -> Iterator[None]:
        with stderr.status("Loading models…"):
            yield

    def file_started(self, index: int, count: int, source: Path) -> None:
        from rich.markup import escape

        super().file_started(index, count, source)
        self.bar.start()
        prefix = f"[{index}/{count}] " if count > 1 else ""
        # A name is shown as it is, never read as rich markup ("[red]x.mp3" stays that).
        self.task = self.bar.add_task(escape(f"{prefix}{shown(source.name)}"), total=None, audio="decoding")
        self.stage = ""

    def progress(self, stage: str, completed: float, total: float) -> None:
        if self.task is None:
            return
        if stage == "load":  # the models, loaded for the first recording that needs them
            self.bar.update(self.task, total=None, audio="loading models")
            return
        if stage == "wait":  # another worker holds it, making other outputs of it
            self.bar.update(self.task, total=None, audio="waiting for the worker that holds it")
            return
        if stage not in ("transcribe", "diarize"):
            return
        what = "audio" if stage == "transcribe" else "speakers"
        audio = f"{what} {_clock(completed)} / {_clock(total)}"
        if stage != self.stage:
            # A new stage starts its own bar, clock and ETA: the finished transcription's bar (full, clock
            # stopped, ETA 0:00:00) looked hung for the minutes diarization takes.
            self.stage = stage
            self.bar.reset(self.task, total=total, audio=audio)
        self.bar.update(self.task, completed=completed, total=total, audio=audio)

    def file_finished(self, outcome: FileOutcome) -> None:
        if self.task is not None:
            self.bar.remove_task(self.task)
            self.task = None
        self.bar.stop()
        super().file_finished(outcome)


def events_for(quiet: bool) -> LineEvents:
    """A bar at a terminal, lines otherwise (and only errors with ``quiet``)."""
    return LineEvents(quiet) if quiet or not stderr.is_terminal else BarEvents(quiet)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Interrupts:
    """Ctrl-C and SIGTERM while the program works: ``KeyboardInterrupt``, which the batch turns into a clean
    stop (the current file's partial outputs removed, the rest reported pending).

    The first signal disarms them: a second Ctrl-C must not interrupt that clean-up halfway, and a signal
    that arrives once the last file is finished (:meth:`done`) must not turn a finished run into a failed one.
    Installed by the program's entry point only (``cli.main``); a command run inside another Python process
    (the tests' CliRunner) leaves that process's signal handling alone.
    """

    def __init__(self) -> None:
        self.armed = True
        self.instead: Callable[[], None] | None = None

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def arm(self) -> None:
        self.armed = True

    def done(self) -> None:
        self.armed = False

    def stop_with(self, callback: Callable[[], None] | None) -> None:
        """Call ``callback`` on the first signal instead of interrupting (a live session ends by finishing
        what it heard, not by abandoning it); ``None`` interrupts again."""
        self.instead = callback

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            if self.instead is not None:
                self.instead()
                return
            raise KeyboardInterrupt


interrupts = Interrupts()
