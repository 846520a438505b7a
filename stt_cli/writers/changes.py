"""The audit trail, ``<stem>.changes.tsv``: one row per change a person saved in ``stt edit`` (revision, UTC
time, editor, operation, where in the recording, what it was and what it became), so that a court can see what
the recogniser wrote and what a person made of it. A transcript nobody corrected has the header row only."""

from __future__ import annotations

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter

COLUMNS = ("revision", "at", "editor", "op", "start", "end", "clock", "before", "after")


class ChangesWriter(ResultWriter):
    extension = "changes.tsv"

    def render(self, transcript: Transcript) -> str:
        rows = ["\t".join(COLUMNS)]
        for e in transcript.edits:
            cells = (str(e.revision), e.at, e.editor, e.op, f"{e.start:.3f}", f"{e.end:.3f}",
                     transcript.case.clock(e.start), e.before, e.after)  # fmt: skip
            rows.append("\t".join(" ".join(cell.split()) for cell in cells))  # no tab, no newline inside a cell
        return "\n".join(rows) + "\n"
