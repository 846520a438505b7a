"""The review list, ``<stem>.review.tsv``: one row per span worth a listen (start and end in seconds, kind,
text, detail), for a spreadsheet or a script; the kinds are ``stt_cli.review.spans.KINDS``."""

from __future__ import annotations

from stt_cli.review.spans import review_spans
from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter


class ReviewWriter(ResultWriter):
    extension = "review.tsv"

    def render(self, transcript: Transcript) -> str:
        rows = ["start\tend\tkind\ttext\tdetail"]
        for span in review_spans(transcript):
            text, detail = (" ".join(value.split()) for value in (span.text, span.detail))  # no tab, no newline
            rows.append(f"{span.start:.3f}\t{span.end:.3f}\t{span.kind}\t{text}\t{detail}")
        return "\n".join(rows) + "\n"
