"""Turn command-line arguments (files, folders, glob patterns) into the list of recordings to transcribe."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

from stt_cli import sniff
from stt_cli.errors import InputError, NoMediaFoundError


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
    """
    files: list[InputFile] = []
    problems: list[InputError] = []
    seen: set[Path] = set()

    def add(item: InputFile) -> None:
        key = item.path.resolve() if item.path.exists() else item.path.absolute()
        if key not in seen:
            seen.add(key)
            files.append(item)

    for argument in arguments:
        path = Path(argument).expanduser()
        if path.is_dir():
            found = list(_walk(path))
            if not found:
                problems.append(NoMediaFoundError(path, "no audio or video files in this folder"))
            for item in found:
                add(item)
        elif not path.exists() and glob.has_magic(argument):
            matches = sorted(glob.glob(os.path.expanduser(argument), recursive=True))
            media = [Path(m) for m in matches if Path(m).is_file() and _is_media(Path(m))]
            if not media:
                problems.append(NoMediaFoundError(path, "no audio or video file matches this pattern"))
            for match in media:
                add(InputFile(match))
        else:
            add(InputFile(path))  # missing or not media: validation reports it in its turn
    return Discovery(files=tuple(files), problems=tuple(problems))


def _walk(root: Path):
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
