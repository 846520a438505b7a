"""Errors stt raises, each with a stable code (for scripts) and the process exit code it maps to.

The library raises these and never prints or exits; the CLI catches :class:`SttError` at its edge and shows
``str(error)``, one line that says what is wrong and what to do.
"""

from __future__ import annotations

from pathlib import Path

# Process exit codes (documented in the README).
EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2
EXIT_ALL_FAILED = 3
EXIT_INTERRUPTED = 130


class SttError(Exception):
    """Base class: a failure the user can act on.

    Attributes:
        code: short stable identifier, e.g. ``"not_found"``; printed and written to summaries.
        exit_code: what the process exits with when this error stops the whole run (inside a batch, the
            batch's outcome decides: see ``BatchResult.exit_code``).
    """

    code = "error"
    exit_code = EXIT_ALL_FAILED

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(SttError):
    """An option or argument is invalid; nothing was attempted."""

    code = "usage"
    exit_code = EXIT_USAGE


class InputError(SttError):
    """An input file cannot be used."""

    code = "bad_input"

    def __init__(self, path: Path | str, problem: str, advice: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {problem}; {advice}")


class InputNotFoundError(InputError):
    code = "not_found"

    def __init__(self, path: Path | str):
        super().__init__(path, "no such file", "check the path")


class EmptyFileError(InputError):
    code = "empty_file"

    def __init__(self, path: Path | str):
        super().__init__(path, "the file is empty (0 bytes)", "re-copy or re-export the recording")


class NoAudioStreamError(InputError):
    code = "no_audio_stream"

    def __init__(self, path: Path | str):
        super().__init__(path, "the file has no audio track", "export the recording with its sound")


class AudioDecodeError(InputError):
    code = "corrupt_audio"

    def __init__(self, path: Path | str, detail: str):
        super().__init__(
            path,
            f"cannot be decoded as audio or video ({detail})",
            "check that it is a media file and not truncated; re-export it if needed",
        )


class UnreadableError(InputError):
    code = "unreadable"

    def __init__(self, path: Path | str, detail: str):
        super().__init__(path, f"cannot be read ({detail})", "check its permissions")


class UnsupportedFormatError(InputError):
    code = "unsupported_format"

    def __init__(self, path: Path | str, what: str):
        super().__init__(path, f"is {what}, not audio or video", "pass the recording itself")


class TooLargeError(InputError):
    code = "too_large"

    def __init__(self, path: Path | str, size: int, limit: int):
        super().__init__(
            path,
            f"is {size / 2**30:.1f} GiB, over the {limit / 2**30:.1f} GiB limit",
            "raise --max-size (0 for no limit) if it really is one recording",
        )


class TooLongError(InputError):
    code = "too_long"

    def __init__(self, path: Path | str, seconds: float, limit: float):
        super().__init__(
            path,
            f"lasts {_hours(seconds)}, over the {_hours(limit)} limit",
            "split it, or raise --max-duration (0 for no limit) if this machine has the memory",
        )


class EmptyAudioError(InputError):
    code = "empty_audio"

    def __init__(self, path: Path | str):
        super().__init__(path, "its audio track holds no sound at all (zero length)", "re-export the recording")


class TruncatedError(InputError):
    code = "truncated"

    def __init__(self, path: Path | str, declared: float, decoded: float):
        super().__init__(
            path,
            f"declares {declared:.1f} s of audio but only {decoded:.1f} s could be decoded (truncated or damaged)",
            "re-copy it from the recorder, or pass --allow-truncated to transcribe what is there",
        )


class NoMediaFoundError(InputError):
    code = "no_media_found"

    def __init__(self, path: Path | str, why: str):
        super().__init__(path, why, "check the folder or pattern")


class OutOfMemoryError(InputError):
    code = "out_of_memory"

    def __init__(self, path: Path | str):
        super().__init__(
            path,
            "ran out of memory",
            "close other programs, use a smaller --model or --compute-type int8, or split the recording",
        )


class InterruptedRunError(InputError):
    code = "interrupted"
    exit_code = 130

    def __init__(self, path: Path | str):
        super().__init__(path, "interrupted before it finished", "rerun the same command to finish it")


def _hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


class ModelUnavailableError(SttError):
    """The requested model cannot be found, fetched or verified."""

    code = "model_unavailable"


class OutputUnwritableError(SttError):
    """The transcript cannot be written where it should go."""

    code = "output_unwritable"

    def __init__(self, path: Path | str, detail: str):
        self.path = Path(path)
        super().__init__(
            f"{self.path}: cannot write the transcript ({detail}); choose a writable folder with --output-dir"
        )


class OutputClashError(SttError):
    """Two inputs of one batch would write the same output file."""

    code = "output_clash"

    def __init__(self, source: Path, other: Path):
        self.path = Path(source)
        super().__init__(
            f"{source}: its transcript would overwrite the one just written for {other} (same file name); "
            "rename one of them or transcribe them into different --output-dir folders"
        )


class TranscriptionError(SttError):
    """The speech recogniser failed on an input."""

    code = "transcription_failed"
