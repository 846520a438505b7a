"""A transcript JSON a person corrected (``stt edit``) is the record of its hearing: while it is the JSON beside
the recording, and of this very recording (its sha256), a rerun keeps it and renders every other format from it,
whatever the settings; only ``--overwrite`` transcribes again, and then keeps it aside."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stt_cli.errors import SttError
from stt_cli.writers.reading import read_transcript

if TYPE_CHECKING:
    from stt_cli.types import Transcript


def corrected_of(path: Path, sha256: str) -> Transcript | None:
    """The corrected transcript at ``path`` when it is one of the recording whose sha256 is ``sha256``."""
    try:
        if not path.is_file():
            return None
        found = read_transcript(path)
    except (OSError, SttError):  # not a transcript stt can read: an edited file like any other
        return None
    return found if found.edits and found.input.sha256 == sha256 else None
