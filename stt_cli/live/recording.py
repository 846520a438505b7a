"""The audio of a live session, kept as it is heard: a 16 kHz 16-bit WAV with every channel, for the record and
for the offline pass that makes the archive copy (with ``--channel-speakers`` every microphone is kept apart).

It is written under a temporary name beside its target and renamed into place when the session ends, so a
crash never leaves a file that looks like a whole recording. 16 kHz is what every stage hears; it takes 115 MB
an hour per channel.

A disk that fills (or a USB stick pulled out) stops the recording, not the session: what reached the disk is
kept as a valid, shorter WAV under the target's name, the session goes on transcribing, and the failure is
reported with the time the recording stopped at, so two hours of a hearing are never lost to a full disk.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from pathlib import Path

from stt_cli.errors import OutputUnwritableError
from stt_cli.fileio import current_umask
from stt_cli.media.decode import SAMPLE_RATE
from stt_cli.records.sidecars import move_aside

_HEADER = 44  # bytes of a canonical PCM WAV header (RIFF, fmt, data)


class RecordingError(OutputUnwritableError):
    """The live recording could not be written on (or closed): the audio before that moment is kept."""

    def __init__(self, target: Path, detail: str, *, at: float) -> None:
        self.at = at
        super().__init__(target, detail, what="the recording")
        self.message = (
            f"{target}: cannot write the recording ({detail}); it stopped at {_clock(at)} and holds what was "
            "heard before; the transcript covers the whole session: give --record a disk with room"
        )


class Recorder:
    """Appends 16-bit PCM to a WAV; :meth:`finish` puts it in place, :meth:`discard` removes it.

    Args:
        target: where the WAV goes; an earlier file there (another session's audio, evidence too) is kept aside
            as ``<stem>.edited-<time>.wav``, never replaced.

    Raises:
        OutputUnwritableError: the folder cannot be written (raised when it is opened, before the session).
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:40]}.", suffix=".part")
        except OSError as e:
            raise OutputUnwritableError(target, e.strerror or str(e), what="the recording") from e
        self._temporary = Path(name)
        self._fd = fd
        self._channels = 0
        self._frames = 0  # frames handed to the disk
        self.problem: RecordingError | None = None

    @property
    def seconds(self) -> float:
        return self._frames / SAMPLE_RATE

    def write(self, pcm: bytes, channels: int = 1) -> None:
        """Interleaved 16-bit samples of ``channels`` channels (the first block decides the file's count). After
        a write failed, nothing more is written and :attr:`problem` says why."""
        if self.problem is not None:
            return
        try:
            if not self._channels:
                self._channels = channels
                os.write(self._fd, _header(channels, 0))
            view = memoryview(pcm)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            self._frames += len(pcm) // (2 * self._channels)
        except OSError as e:
            self.problem = RecordingError(self.target, e.strerror or str(e), at=self.seconds)

    def finish(self) -> Path | None:
        """Put the WAV in place, its header saying what the disk holds; ``None`` when nothing was recorded.

        Raises:
            RecordingError: it cannot be closed or put in place (then kept under its temporary name, never
                deleted: it is the only copy of what was heard).
        """
        try:
            data = self._complete_frames()
            if data == 0:
                self.discard()
                return None
            os.pwrite(self._fd, _header(self._channels, data), 0)
            os.fsync(self._fd)
            os.close(self._fd)
            os.chmod(self._temporary, 0o666 & ~current_umask())
            if self.target.exists():  # an earlier session's audio is evidence too: kept
                move_aside(self.target)
            os.link(self._temporary, self.target)  # never over a file that appeared since
            os.unlink(self._temporary)
        except OSError as e:
            at = self.seconds
            raise RecordingError(self.target, f"{e.strerror or e}; kept as {self._temporary.name}", at=at) from e
        return self.target

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
        with contextlib.suppress(OSError):
            self._temporary.unlink()

    def _complete_frames(self) -> int:
        """Bytes of whole frames on disk after the header (a write cut short by a full disk leaves part of one,
        which is cut off), the file truncated to them."""
        size = os.fstat(self._fd).st_size
        if not self._channels or size <= _HEADER:
            return 0
        frame = 2 * self._channels
        data = (size - _HEADER) // frame * frame
        os.ftruncate(self._fd, _HEADER + data)
        self._frames = data // frame
        return data


def _header(channels: int, data: int) -> bytes:
    """A canonical 44-byte PCM WAV header for ``data`` bytes of 16-bit samples at 16 kHz."""
    rate, align = SAMPLE_RATE, 2 * channels
    return struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + data, b"WAVE", b"fmt ", 16, 1, channels, rate,
                       rate * align, align, 16, b"data", data)  # fmt: skip


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
