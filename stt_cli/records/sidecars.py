"""One rule for every file stt leaves beside a recording's outputs: ``.<stem>.stt.<kind>`` in the folder the
outputs go to, hidden so that a listing of the transcripts shows the transcripts.

- ``.<stem>.stt.json``: the record of what was written (``resume``);
- ``.<stem>.stt.transcript.json``: the whole transcript, kept for reuse (``reuse``);
- ``.<stem>.stt.claim``: the claim of the worker on it (``claims``);
- ``.<stem>.stt.failed``: a failure note for ``stt status`` (``failures``);

beside a transcript JSON a person corrects in ``stt edit``:

- ``.<stem>.stt.revisions/``: its revisions (``review.history``);
- ``.<stem>.stt.edit.lock``: held while an ``stt edit`` session has it open;

and, beside an output a person changed that is then replaced (``--overwrite``), that output as it was:
``<stem>.edited-<UTC time>.<ext>`` (:func:`move_aside`), not hidden, since it is a person's work; a name already
taken is never reused.

A stem too long for the file system's 255-byte names (a recorder's name near that limit) is shortened to its
first 100 bytes and a digest of the whole stem, the same base for every kind (the kept transcript's longer
suffix shortens it once more), so two recordings never share one.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from stt_cli.errors import OutputUnwritableError
from stt_cli.fileio import NAME_MAX

if TYPE_CHECKING:
    from stt_cli.types import Transcript

RECORD = ".stt.json"
KEPT_TRANSCRIPT = ".stt.transcript.json"
RECORD_GLOB = f".*{RECORD}"  # every record of a folder (reuse looks for the same recording under another name)


def _shortened(text: str, suffix: str) -> str:
    """``text + suffix``, or, when that is over ``NAME_MAX`` bytes, the first 100 bytes of ``text`` and a digest
    of all of it before ``suffix``."""
    name = text + suffix
    if len(os.fsencode(name)) <= NAME_MAX:
        return name
    digest = hashlib.sha256(os.fsencode(text)).hexdigest()[:16]
    return f"{os.fsencode(text)[:100].decode('utf-8', 'ignore')}-{digest}{suffix}"


@dataclass(frozen=True)
class Sidecars:
    """The sidecar files of one recording whose outputs go to ``folder``, named once.

    Attributes:
        folder: where the outputs (and so the sidecars) are.
        record: ``.<stem>.stt.json``.
        transcript: ``.<stem>.stt.transcript.json`` (shortened again when that suffix makes it too long).
        claim: ``.<stem>.stt.claim``.
        failure: ``.<stem>.stt.failed``.
    """

    folder: Path
    record: Path
    transcript: Path
    claim: Path
    failure: Path

    @classmethod
    def of(cls, source: Path, folder: Path) -> Sidecars:
        """The sidecars of the recording ``source`` with its outputs in ``folder``."""
        stem = source.stem
        if len(os.fsencode(f".{stem}{RECORD}")) <= NAME_MAX:
            return cls._named(folder, f".{stem}")
        digest = hashlib.sha256(os.fsencode(stem)).hexdigest()[:16]
        return cls._named(folder, f".{os.fsencode(stem)[:100].decode('utf-8', 'ignore')}-{digest}")

    @classmethod
    def of_record(cls, record: Path) -> Sidecars:
        """The sidecars that go with a record found in a folder (another recording's, for reuse)."""
        return cls._named(record.parent, record.name.removesuffix(RECORD))

    @classmethod
    def _named(cls, folder: Path, base: str) -> Sidecars:
        return cls(folder, folder / f"{base}{RECORD}", folder / _shortened(base, KEPT_TRANSCRIPT),
                   folder / f"{base}.stt.claim", folder / f"{base}.stt.failed")  # fmt: skip


def edit_sidecars(json_path: Path) -> tuple[Path, Path]:
    """The revisions folder and the lock of a transcript JSON corrected in ``stt edit``."""
    base = f".{json_path.stem}"
    return (json_path.with_name(_shortened(base, ".stt.revisions")),
            json_path.with_name(_shortened(base, ".stt.edit.lock")))  # fmt: skip


def transcript_stem(json_path: Path, transcript: Transcript) -> str:
    """The stem a transcript JSON's other formats are named after: its own, or for a kept transcript
    (``.<stem>.stt.transcript.json``, hidden) the recording's, so rendering from it writes ``<stem>.srt``, not
    a hidden ``.<stem>.stt.transcript.srt``."""
    if json_path.name.startswith(".") and json_path.name.endswith(KEPT_TRANSCRIPT):
        return PurePath(transcript.input.path.replace("\\", "/")).stem
    return json_path.stem


def backup_path(path: Path, number: int = 1) -> Path:
    """Where an edited output is kept when ``overwrite`` replaces it: ``hearing.edited-<UTC time>.srt``, the
    ``number``-th such copy in that second ``hearing.edited-<time>-<number>.srt``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + (f"-{number}" if number > 1 else "")
    stem, dot, ext = path.name.rpartition(".")
    return path.with_name(f"{stem}.edited-{stamp}{dot}{ext}" if dot else f"{path.name}.edited-{stamp}")


def move_aside(path: Path) -> Path:
    """Keep ``path`` under its :func:`backup_path` name, never over an existing file (two replacements in one
    second each keep their own copy), and return that name.

    The file is linked to its new name and then unlinked, since a link never replaces a file; where the file
    system has no hard links (FAT and exFAT media), a name that does not exist yet is chosen and renamed to.

    Raises:
        OutputUnwritableError: it cannot be moved.
    """
    try:
        return _link_aside(path)
    except OSError as e:
        raise OutputUnwritableError(path, f"cannot keep it as {backup_path(path).name}: {e.strerror or e}") from e


def _link_aside(path: Path) -> Path:
    for number in range(1, 1000):
        backup = backup_path(path, number)
        try:
            os.link(path, backup)
        except FileExistsError:
            continue
        except OSError as e:
            if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            if backup.exists():
                continue
            os.rename(path, backup)
            return backup
        os.unlink(path)
        return backup
    raise FileExistsError(errno.EEXIST, "a thousand copies of it were kept in this second", str(path))
