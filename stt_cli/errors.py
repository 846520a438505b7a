"""Errors stt raises, each with a stable code (for scripts) and the process exit code it maps to.

The library raises these and never prints or exits; the CLI catches :class:`SttError` at its edge and shows
``str(error)``, one line that says what is wrong and what to do.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

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

    def __init__(self, path: Path | str, detail: str = "no such file"):
        super().__init__(path, detail, "check the path")


class EmptyFileError(InputError):
    code = "empty_file"

    def __init__(self, path: Path | str):
        super().__init__(path, "the file is empty (0 bytes)", "re-copy or re-export the recording")


class NoAudioStreamError(InputError):
    code = "no_audio_stream"

    def __init__(self, path: Path | str, detail: str = "the file has no audio track"):
        super().__init__(path, detail, "export the recording with its sound")


class ChannelCountError(InputError):
    code = "channel_count"

    def __init__(self, path: Path | str, channels: int, named: int):
        super().__init__(
            path,
            f"has {channels} audio channel(s) but `channel_speakers` names {named}",
            "give one name per channel, `-` for a channel to leave out",
        )


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
            f"is {human_size(size)}, over the {human_size(limit)} limit",
            "raise `max_size` (0 for no limit) if it really is one recording",
        )


class TooLongError(InputError):
    code = "too_long"

    def __init__(self, path: Path | str, seconds: float, limit: float):
        super().__init__(
            path,
            f"lasts {_hours(seconds)}, over the {_hours(limit)} limit",
            "split it, or raise `max_duration` (0 for no limit) if it really is one recording",
        )


class EmptyAudioError(InputError):
    code = "empty_audio"

    def __init__(self, path: Path | str):
        super().__init__(path, "its audio track holds no sound at all (zero length)", "re-export the recording")


class TruncatedError(InputError):
    code = "truncated"

    def __init__(self, path: Path | str, declared: float, decoded: float):
        self.declared, self.decoded = declared, decoded
        super().__init__(
            path,
            f"declares {declared:.1f} s of audio but only {decoded:.1f} s could be decoded (truncated or damaged)",
            "re-copy it from the recorder, or pass `allow_truncated` to transcribe what is there",
        )


class TooLittleSpeechError(InputError):
    """A clip (or a speaker's solo turns) holds too little speech to say anything about a voice."""

    code = "too_little_speech"

    def __init__(self, path: Path | str, what: str, advice: str):
        super().__init__(path, what, advice)


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
            "close other programs, use a smaller `model` or `compute_type` int8, or split the recording",
        )


class InputChangedError(InputError):
    """The file changed while it was read: a transcript of it would vouch for bytes that were not heard."""

    code = "input_changed"

    def __init__(self, path: Path | str, what: str):
        super().__init__(
            path,
            f"{what} while it was being transcribed (a copy or a recording still in progress?); no transcript "
            "was kept",
            "rerun once the file is complete",
        )


class LiveSourceError(InputError):
    """A live input cannot be opened, or stopped delivering audio; what was heard before it stopped is kept."""

    code = "live_source"

    def __init__(self, source: Path | str, detail: str):
        super().__init__(source, detail, "check the source (stt live --list-devices lists the microphones)")


class ClaimLostError(SttError):
    """This worker stalled past the claim timeout and another worker took the recording over: it is theirs."""

    code = "claim_lost"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        super().__init__(
            f"{self.path}: another worker took it over while this one was stalled (past --claim-timeout); "
            "nothing was written by this worker"
        )


class InterruptedRunError(InputError):
    code = "interrupted"
    exit_code = 130

    def __init__(self, path: Path | str):
        super().__init__(path, "interrupted before it finished", "rerun the same command to finish it")


def human_size(size: float) -> str:
    """``1536`` -> ``"1.5 KiB"``: sizes in messages are read by people."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _hours(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.1f} s"


class ModelUnavailableError(SttError):
    """The requested model cannot be found, fetched or verified."""

    code = "model_unavailable"


class OutputUnwritableError(SttError):
    """The transcript cannot be written where it should go.

    Attributes:
        path: the input whose transcript it is, when known, else the file or folder that cannot be written.
        target: the file or folder that cannot be written.
    """

    code = "output_unwritable"

    def __init__(
        self, target: Path | str, detail: str, *, source: Path | str | None = None, what: str = "the transcript"
    ):
        self.target, self.detail = Path(target), detail
        self.path = Path(source) if source is not None else self.target
        if source is None:
            where = f"{self.target}: cannot write {what}"
        else:
            where = f"{self.path}: cannot write its transcript {self.target}"
        super().__init__(f"{where} ({detail}); choose a writable folder with `output_dir`")

    def for_input(self, source: Path) -> OutputUnwritableError:
        """The same failure, reported against the input whose transcript it is."""
        return OutputUnwritableError(self.target, self.detail, source=source)


class OutputClashError(SttError):
    """An output would overwrite another input's output, an input itself, a recording, or the transcripts of
    another recording of the same name."""

    code = "output_clash"
    _PROBLEMS: ClassVar[dict[str, str]] = {  # why -> what is wrong ({other}: the output in the way; {by}: whose)
        "transcript": "its transcript would overwrite the one just written for {other} (same file name)",
        "rendered": "{other} was just rendered from {by} in this run (two transcripts of the same name)",
        "itself": "rendering it as json would replace {other}, the transcript itself",
        "input": "its transcript {other} would overwrite an input of this run (a recording named like a "
        "transcript?)",
        "recording": "its transcript {other} would overwrite a file that is a recording",
        "recording_of": "{other} holds the transcript of another recording of the same name, {by}",
    }

    def __init__(self, source: Path, other: Path, *, why: str = "transcript", by: Path | str | None = None):
        self.path = Path(source)
        problem = self._PROBLEMS[why].format(other=other, by=by)
        super().__init__(
            f"{source}: {problem}; rename one of them or transcribe into a different `output_dir` folder"
        )


class OutputEditedError(SttError):
    """An output stt would replace was changed since stt wrote it (or was never written by stt)."""

    code = "output_edited"

    def __init__(self, source: Path, output: Path, backup: Path, *, live: bool = False):
        self.path = Path(source)
        if live:  # stt live, before it listens: the file is there, whoever wrote it
            super().__init__(
                f"{source}: {output} already exists (a transcript made earlier?) and is kept; give the session "
                f"another `name` or `output_dir`, or pass `overwrite` (it is then kept as {backup.name})"
            )
            return
        super().__init__(
            f"{source}: {output} was changed since stt wrote it (edited by hand?) or was not written by stt, and "
            f"is kept; move it away to transcribe again, or pass `overwrite` (it is then kept as {backup.name})"
        )


class TranscriptionError(SttError):
    """The speech recogniser failed on an input."""

    code = "transcription_failed"


class InternalError(SttError):
    """Something stt did not foresee: reported as one line for the file, and the batch goes on."""

    code = "internal_error"

    def __init__(self, path: Path | str, error: BaseException):
        self.path = Path(path)
        super().__init__(
            f"{self.path}: stt failed unexpectedly ({type(error).__name__}); this is a bug: rerun with -v and "
            "report the log"
        )


class SpeakerLibraryError(SttError):
    """The voice library cannot be used: missing, made by another speaker encoder, not writable, or a name that
    is not in it. Nothing was transcribed or changed."""

    code = "speaker_library"
    exit_code = EXIT_USAGE


class RedactionError(SttError):
    """A public copy could not be made safely: an entry of ``--terms`` is not in the transcript, or survives in
    the copy's text or audio. Nothing public was written."""

    code = "redaction_failed"
