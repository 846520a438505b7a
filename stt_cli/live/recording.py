"""The audio of a live session, kept as it is heard: a 16 kHz 16-bit WAV with every channel, for the record and
for the offline pass that makes the archive copy (with ``--channel-speakers`` every microphone is kept apart).

It is written under a temporary name beside its target and renamed into place when the session ends, so a
crash never leaves a file that looks like a whole recording. 16 kHz is what every stage hears; it takes 115 MB
an hour per channel.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import wave
from pathlib import Path

from stt_cli.errors import OutputUnwritableError
from stt_cli.fileio import current_umask
from stt_cli.media.decode import SAMPLE_RATE
from stt_cli.records.sidecars import backup_path


class Recorder:
    """Appends 16-bit PCM to a WAV; :meth:`finish` puts it in place, :meth:`discard` removes it.

    Raises:
        OutputUnwritableError: the folder cannot be written (raised when it is opened, before the session).
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:40]}.", suffix=".part")
        except OSError as e:
            raise OutputUnwritableError(target, e.strerror or str(e)) from e
        self._temporary = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._wave = wave.open(self._file, "wb")  # noqa: SIM115 - open for the whole session, closed below
        self._wave.setnchannels(1)
        self._wave.setsampwidth(2)
        self._wave.setframerate(SAMPLE_RATE)
        self._started = False

    def write(self, pcm: bytes, channels: int = 1) -> None:
        """Interleaved 16-bit samples of ``channels`` channels (the first block decides the file's count)."""
        try:
            if not self._started:
                self._wave.setnchannels(channels)
                self._started = True
            self._wave.writeframesraw(pcm)
        except OSError as e:
            raise OutputUnwritableError(self.target, e.strerror or str(e)) from e

    def finish(self) -> Path:
        """Close the WAV (its header then says its length) and rename it into place."""
        try:
            self._wave.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.chmod(self._temporary, 0o666 & ~current_umask())
            if self.target.exists():  # an earlier session's audio is evidence too: kept, never replaced
                os.rename(self.target, backup_path(self.target))
            os.replace(self._temporary, self.target)
        except OSError as e:
            self.discard()
            raise OutputUnwritableError(self.target, e.strerror or str(e)) from e
        return self.target

    def discard(self) -> None:
        with contextlib.suppress(OSError, wave.Error):
            self._wave.close()
        with contextlib.suppress(OSError):
            self._file.close()
        with contextlib.suppress(OSError):
            self._temporary.unlink()
