"""stt: offline court-hearing transcription. Importing this package loads no model and no torch."""

from __future__ import annotations

from pathlib import Path

from stt_cli.privacy import keep_private

# Before any library that could phone home is imported, by stt or by a program using it (see privacy.py).
keep_private()

from stt_cli.errors import SttError  # noqa: E402
from stt_cli.options import AsrOptions, DiarizationOptions, OutputOptions  # noqa: E402
from stt_cli.progress import ProgressHook  # noqa: E402
from stt_cli.types import Segment, Transcript, Word  # noqa: E402
from stt_cli.version import __version__  # noqa: E402


def transcribe_file(
    path: str | Path,
    *,
    options: AsrOptions | None = None,
    diarization: DiarizationOptions | None = None,
    on_progress: ProgressHook | None = None,
) -> Transcript:
    """Transcribe one file with a freshly loaded model: see :func:`stt_cli.pipeline.transcribe_file`
    (imported on first use, so that importing this package stays light)."""
    from stt_cli.pipeline import transcribe_file as _transcribe_file
    from stt_cli.progress import no_progress

    return _transcribe_file(path, options=options, diarization=diarization, on_progress=on_progress or no_progress)


__all__ = [
    "AsrOptions",
    "OutputOptions",
    "Segment",
    "SttError",
    "Transcript",
    "Word",
    "__version__",
    "transcribe_file",
]
