"""RTTM: the diarization's speaker turns, one line each, as NIST's scoring tools and pyannote.metrics read them."""

from __future__ import annotations

import re

from stt_cli.types import Transcript
from stt_cli.writers.base import ResultWriter


class RttmWriter(ResultWriter):
    extension = "rttm"

    def render(self, transcript: Transcript) -> str:
        # The file id is one field: RTTM is split on white space.
        uri = re.sub(r"\s+", "_", transcript.input.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "audio"
        return "".join(
            f"SPEAKER {uri} 1 {t.start:.3f} {t.duration:.3f} <NA> <NA> {t.speaker} <NA> <NA>\n"
            for t in transcript.turns
        )
