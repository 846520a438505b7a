"""Writing to a terminal or a pipe that may break: the CLI's one way to print."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
from collections.abc import Iterator
from types import FrameType
from typing import TextIO

from rich.console import Console


class SafeConsole(Console):
    """Rich's console, except that a closed pipe is the caller's to handle: rich's own answer is
    ``sys.exit(1)``, which silently killed a batch whose stderr was piped into ``head -1``."""

    def on_broken_pipe(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@contextlib.contextmanager
def guarded(stream: TextIO) -> Iterator[None]:
    """Write to ``stream`` unless it broke before; if it breaks now (``2>&1 | head -1`` closed the pipe, the
    disk filled), send the rest of the run's writes to /dev/null: the transcripts are files, and the batch
    goes on to the end and exits with its own code. Once silenced, writes go to /dev/null and succeed."""
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

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, self._handle)

    def arm(self) -> None:
        self.armed = True

    def done(self) -> None:
        self.armed = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt


interrupts = Interrupts()
