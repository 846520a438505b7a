"""Turn command-line arguments (files, folders, glob patterns) into the list of recordings to transcribe."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stt_cli.errors import InputError, InputNotFoundError, NoMediaFoundError, UsageError
from stt_cli.media import sniff


@dataclass(frozen=True)
class InputFile:
    """One recording to transcribe.

    Attributes:
        path: the file.
        relative_dir: where its outputs go below ``--output-dir``: its folder relative to the folder argument
            it was found in (so the output tree mirrors the input tree), or ``.`` for a file named directly.
    """

    path: Path
    relative_dir: Path = Path(".")


@dataclass(frozen=True)
class Discovery:
    """What the arguments named: recordings in order, and arguments that named nothing usable."""

    files: tuple[InputFile, ...]
    problems: tuple[InputError, ...]


def discover(arguments: list[str]) -> Discovery:
    """Expand files, folders (recursively) and glob patterns, in argument order, without duplicates.

    Folders are walked recursively, hidden files and folders skipped, and a file is taken when its extension
    or its first bytes say audio or video (so our own .srt/.json outputs, notes and images are passed over).
    A file named directly is always taken, whatever it is: validation then says what is wrong with it.

    Raises:
        UsageError: an argument is empty (``stt transcribe "$FILE"`` with ``FILE`` unset would otherwise
            name the current folder and transcribe everything below it).
    """
    if any(not argument.strip() for argument in arguments):
        raise UsageError(
            "an input argument is empty (an unset shell variable?); name a file, a folder or a pattern, "
            "and use '.' for the current folder"
        )
    files: list[InputFile] = []
    problems: list[InputError] = []
    seen: set[Path] = set()

    def add(item: InputFile) -> None:
        key = _key(item.path)
        if key not in seen:
            seen.add(key)
            files.append(item)

    for argument in arguments:
        path = Path(argument).expanduser()
        if _is_dir(path):
            found = list(_walk(path))
            if not found:
                problems.append(NoMediaFoundError(path, "no audio or video files in this folder"))
            for item in found:
                add(item)
        elif not _exists(path) and glob.has_magic(argument):
            matches = sorted(glob.glob(os.path.expanduser(argument), recursive=True))
            media = [Path(m) for m in matches if Path(m).is_file() and _is_media(Path(m))]
            if not media:
                problems.append(_matched_nothing(argument, path))
            for match in media:
                add(InputFile(match))
        else:
            add(InputFile(path))  # missing or not media: validation reports it in its turn
    return Discovery(files=tuple(files), problems=tuple(problems))


def _matched_nothing(argument: str, path: Path) -> InputError:
    # "*" and "?" are surely a pattern; a name whose only magic is "[" (a recording called "hearing [2].mp3")
    # is far more often a file that is not there.
    if "*" in argument or "?" in argument:
        return NoMediaFoundError(path, "no audio or video file matches this pattern")
    return InputNotFoundError(path, "no such file (nor any file matching it as a pattern)")


def _key(path: Path) -> Path:
    try:
        return path.resolve() if path.exists() else path.absolute()
    except OSError:  # a name too long to resolve: validation reports it
        return path.absolute()


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def _walk(root: Path) -> Iterator[InputFile]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in sorted(names):
            if name.startswith("."):
                continue
            path = Path(folder) / name
            if path.is_file() and _is_media(path):
                yield InputFile(path, Path(folder).relative_to(root))


def _is_media(path: Path) -> bool:
    try:
        head = b"" if path.suffix.lower() in sniff.MEDIA_EXTENSIONS else sniff.read_head(path)
    except OSError:
        return True  # unreadable: take it, so that validation says so
    return sniff.looks_like_media(path, head)
